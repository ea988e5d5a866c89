"""Reads for feedback, help and advice, always from one person's point of view.

Each lookup by id answers 404 unless the permission gate lets this person read the object, so a
stranger's feedback, another organization's request and a missing one look the same.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet
from django.http import Http404

from peercoach.feedback import permissions
from peercoach.feedback.models import (
    AdviceOffer,
    Feedback,
    FeedbackGrant,
    HelpReply,
    HelpRequest,
)
from peercoach.people.models import Person
from peercoach.programs.models import Enrollment, EnrollmentStatus, Program
from peercoach.programs.pairing_models import CURRENT_STATUSES, Pairing

COLLEAGUE_SEARCH_LIMIT = 10
COLLEAGUE_SEARCH_MIN_LENGTH = 2


def colleague_search(*, me: Person, text: str) -> list[Person]:
    """A few active colleagues whose name matches: a search by name, never the whole list."""
    text = " ".join(text.split())
    if len(text) < COLLEAGUE_SEARCH_MIN_LENGTH:
        return []
    return list(
        Person.objects.in_organization(me.organization_id)
        .filter(is_active=True, full_name__icontains=text)
        .exclude(pk=me.pk)
        .order_by("full_name", "pk")[:COLLEAGUE_SEARCH_LIMIT]
    )


def people_by_ids(*, me: Person, ids: list[int]) -> list[Person]:
    """Colleagues already picked in a form, to show them ticked beside new search results."""
    return list(
        Person.objects.in_organization(me.organization_id)
        .filter(pk__in=ids[:20], is_active=True)
        .exclude(pk=me.pk)
        .order_by("full_name", "pk")
    )


# ---------------------------------------------------------------------------------------------
# Grants and feedback


def grants_given(*, person: Person) -> QuerySet[FeedbackGrant]:
    """Standing permissions the person gave (revoked ones are gone from their list)."""
    return (
        FeedbackGrant.objects.in_organization(person.organization_id)
        .filter(grantor=person, revoked_at__isnull=True)
        .select_related("grantee")
    )


def grant_of(*, person: Person, grant_id: int) -> FeedbackGrant:
    grant = grants_given(person=person).filter(pk=grant_id).first()
    if grant is None:
        raise Http404("No such permission.")
    return grant


def grants_held_current(*, person: Person, at: datetime) -> list[FeedbackGrant]:
    """Who currently welcomes feedback from this person: a short list, their own invitations."""
    grants = (
        FeedbackGrant.objects.in_organization(person.organization_id)
        .filter(grantee=person, revoked_at__isnull=True, grantor__is_active=True)
        .select_related("grantor")
        .order_by("grantor__full_name", "pk")
    )
    return [grant for grant in grants if grant.is_current(at=at)]


def feedback_received(*, person: Person) -> QuerySet[Feedback]:
    return (
        Feedback.objects.in_organization(person.organization_id)
        .filter(recipient=person)
        .select_related("author")
    )


def feedback_sent(*, person: Person) -> QuerySet[Feedback]:
    return (
        Feedback.objects.in_organization(person.organization_id)
        .filter(author=person)
        .select_related("recipient")
    )


def feedback_for_reader(*, person: Person, feedback_id: int) -> Feedback:
    feedback = (
        Feedback.objects.in_organization(person.organization_id)
        .select_related("author", "recipient")
        .filter(pk=feedback_id)
        .first()
    )
    if feedback is None or not permissions.may_read_feedback(person=person, feedback=feedback):
        raise Http404("No such feedback.")
    return feedback


# ---------------------------------------------------------------------------------------------
# Asking for help


def help_requests_mine(*, person: Person) -> QuerySet[HelpRequest]:
    return HelpRequest.objects.in_organization(person.organization_id).filter(requester=person)


def help_requests_i_can_answer(*, person: Person) -> QuerySet[HelpRequest]:
    """Open requests shared with this person, newest first."""
    return (
        HelpRequest.objects.in_organization(person.organization_id)
        .filter(permissions.help_requests_for_me(person), closed_at__isnull=True)
        .select_related("requester")
        .distinct()
    )


def help_request_for_reader(*, person: Person, request_id: int) -> HelpRequest:
    request = (
        HelpRequest.objects.in_organization(person.organization_id)
        .select_related("requester", "program")
        .filter(pk=request_id)
        .first()
    )
    if request is None or not permissions.may_read_help_request(person=person, request=request):
        raise Http404("No such request.")
    return request


def help_replies_visible(*, person: Person, request: HelpRequest) -> QuerySet[HelpReply]:
    """The requester reads every answer; someone answering reads only their own."""
    replies = HelpReply.objects.in_organization(person.organization_id).filter(request=request)
    if request.requester_id != person.pk:
        replies = replies.filter(author=person)
    return replies.select_related("author")


def help_reply_for_requester(*, person: Person, reply_id: int) -> HelpReply:
    reply = (
        HelpReply.objects.in_organization(person.organization_id)
        .select_related("request", "author")
        .filter(pk=reply_id, request__requester=person)
        .first()
    )
    if reply is None:
        raise Http404("No such answer.")
    return reply


def pairings_current(*, person: Person) -> QuerySet[Pairing]:
    return (
        Pairing.objects.in_organization(person.organization_id)
        .filter(status__in=CURRENT_STATUSES, members__person=person, members__left_at__isnull=True)
        .select_related("program")
        .distinct()
    )


def programs_taking_part(*, person: Person) -> QuerySet[Program]:
    enrolled = Enrollment.objects.in_organization(person.organization_id).filter(
        person=person, status=EnrollmentStatus.ACTIVE
    )
    return Program.objects.in_organization(person.organization_id).filter(
        pk__in=enrolled.values("program_id")
    )


# ---------------------------------------------------------------------------------------------
# Offering advice


def advice_offers_received(*, person: Person) -> QuerySet[AdviceOffer]:
    return (
        AdviceOffer.objects.in_organization(person.organization_id)
        .filter(recipient=person)
        .select_related("offerer")
    )


def advice_offers_sent(*, person: Person) -> QuerySet[AdviceOffer]:
    return (
        AdviceOffer.objects.in_organization(person.organization_id)
        .filter(offerer=person)
        .select_related("recipient")
    )


def advice_offer_for_recipient(*, person: Person, offer_id: int) -> AdviceOffer:
    offer = advice_offers_received(person=person).filter(pk=offer_id).first()
    if offer is None:
        raise Http404("No such offer.")
    return offer
