"""The one gate for feedback, help and advice: views, the API and any email-reply path call it.

Decisions about the management chain (peers only, in spirit):
- A person may grant feedback permission to anyone they choose, their manager included: it is
  their invitation. Feedback then follows the grant, whoever holds it.
- Requests for help go to the peers the requester picks; posted to a program, they are never
  shown to anyone in the requester's management chain, since nobody chose those readers.
- Offers of advice are unsolicited, so they never cross the management chain: a "no" to one's
  manager is not a free "no".

A colleague who does not exist and one who exists in another organization get the same answer,
word for word, so the gate never tells anyone who works elsewhere.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from peercoach.core.errors import RefusedError
from peercoach.feedback.models import (
    AdviceOffer,
    Feedback,
    FeedbackGrant,
    HelpAudience,
    HelpRequest,
    OfferStatus,
)
from peercoach.people import management_path
from peercoach.people.models import Person
from peercoach.programs.models import Enrollment, EnrollmentStatus

NO_SUCH_COLLEAGUE = "We couldn't find that colleague. Please search for them by name."


class FeedbackRefused(RefusedError):
    """A feedback, help or advice change refused, with a message for the person who asked."""


def colleague_get(*, me: Person, person_id: int | None, field: str = "recipient") -> Person:
    """An active colleague in my organization, or the same refusal for everyone else."""
    colleague = (
        Person.objects.in_organization(me.organization_id)
        .filter(pk=person_id, is_active=True)
        .first()
        if person_id is not None
        else None
    )
    if colleague is None:
        raise FeedbackRefused(NO_SUCH_COLLEAGUE, field=field)
    if colleague.pk == me.pk:
        raise FeedbackRefused("That's you. Please choose a colleague.", field=field)
    return colleague


# ---------------------------------------------------------------------------------------------
# Feedback


def current_grant(
    *, grantor: Person, grantee: Person, at: datetime, lock: bool = False
) -> FeedbackGrant | None:
    """The standing grant from grantor to grantee if it is current at `at`.

    With `lock`, the row is locked for the caller's transaction: a revocation waits for a send
    in progress, and a send after a committed revocation sees it (no cache anywhere).
    """
    grants = FeedbackGrant.objects.in_organization(grantor.organization_id).filter(
        grantor=grantor, grantee=grantee, revoked_at__isnull=True
    )
    if lock:
        grants = grants.select_for_update()
    grant = grants.first()
    return grant if grant is not None and grant.is_current(at=at) else None


def feedback_send_check(
    *, author: Person, recipient: Person, topic: str, at: datetime
) -> FeedbackGrant:
    """The grant that lets `author` send this feedback now; refuses plainly otherwise.

    Call inside the sending transaction: the grant row is locked until it commits.
    """
    if author.organization_id != recipient.organization_id:
        raise FeedbackRefused(NO_SUCH_COLLEAGUE, field="recipient")
    if author.pk == recipient.pk:
        raise FeedbackRefused("That's you. Please choose a colleague.", field="recipient")
    grant = current_grant(grantor=recipient, grantee=author, at=at, lock=True)
    name = recipient.full_name
    if grant is None:
        raise FeedbackRefused(
            f"{name} hasn't invited feedback from you right now. Feedback here only goes to "
            "people who asked for it; you could offer advice instead.",
            field="recipient",
        )
    if not grant.covers(topic):
        topics = ", ".join(grant.topics)
        raise FeedbackRefused(
            f"{name} welcomes feedback on {topics}. Please pick one of those topics.",
            field="topic",
        )
    return grant


def may_read_feedback(*, person: Person, feedback: Feedback) -> bool:
    """Its recipient, and its author as sent. Nobody else, whatever their role."""
    return person.pk in (feedback.recipient_id, feedback.author_id)


# ---------------------------------------------------------------------------------------------
# Asking for help


def _outside_my_chain(person: Person, field: str) -> Q:
    """People neither above nor below `person`; `field` names the Person to test."""
    above = management_path.ancestor_ids(person.management_path)
    path = person.management_path
    below = Q(
        **{
            f"{field}__management_path__gt": path,
            f"{field}__management_path__lt": management_path.subtree_upper_bound(path),
        }
    )
    return ~Q(**{f"{field}_id__in": above}) & ~below


def help_requests_for_me(person: Person) -> Q:
    """Requests `person` may read and answer: posted to them, their pairing, or their program."""
    my_programs = Enrollment.objects.in_organization(person.organization_id).filter(
        person=person, status=EnrollmentStatus.ACTIVE
    )
    to_my_program = Q(
        audience=HelpAudience.PROGRAM, program_id__in=my_programs.values("program_id")
    ) & _outside_my_chain(person, "requester")
    # Pairing members are written down as peers when the request is posted.
    return (Q(peers=person) | to_my_program) & ~Q(requester=person)


def may_read_help_request(*, person: Person, request: HelpRequest) -> bool:
    if request.requester_id == person.pk:
        return True
    return (
        HelpRequest.objects.in_organization(person.organization_id)
        .filter(help_requests_for_me(person), pk=request.pk)
        .exists()
    )


def help_reply_check(*, person: Person, request: HelpRequest) -> None:
    if request.requester_id == person.pk:
        raise FeedbackRefused("This is your own request: the answers come from your peers.")
    if not request.is_open:
        raise FeedbackRefused("This request is closed, so it doesn't take answers any more.")
    if not may_read_help_request(person=person, request=request):
        raise FeedbackRefused("This request wasn't shared with you.")


# ---------------------------------------------------------------------------------------------
# Offering advice


def advice_offer_check(*, offerer: Person, recipient: Person) -> None:
    if offerer.organization_id != recipient.organization_id:
        raise FeedbackRefused(NO_SUCH_COLLEAGUE, field="recipient")
    if offerer.pk == recipient.pk:
        raise FeedbackRefused("That's you. Please choose a colleague.", field="recipient")
    if offerer.is_in_management_chain_of(recipient):
        raise FeedbackRefused(
            f"{recipient.full_name} is in your reporting line. Offers of advice are between "
            "peers, where a no is easy to say.",
            field="recipient",
        )


def may_see_advice(*, person: Person, offer: AdviceOffer) -> bool:
    """The offerer always sees what they wrote; the recipient only after saying yes."""
    if person.pk == offer.offerer_id:
        return True
    return person.pk == offer.recipient_id and offer.status == OfferStatus.ACCEPTED
