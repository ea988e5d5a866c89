"""Writes for feedback grants, feedback, requests for help and offers of advice.

Every notification goes through the inbox (and from there by email in the background). Neither
carries the feedback, help or advice itself: only who, and a link to read it after signing in.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from peercoach.feedback.models import (
    MAX_TEXT_LENGTH,
    MAX_TOPIC_LENGTH,
    AdviceOffer,
    Feedback,
    FeedbackGrant,
    HelpAudience,
    HelpReply,
    HelpRequest,
    OfferStatus,
    normalized_topic,
)
from peercoach.feedback.permissions import (
    NO_SUCH_COLLEAGUE,
    FeedbackRefused,
    advice_offer_check,
    feedback_send_check,
    help_reply_check,
)
from peercoach.people.models import Person
from peercoach.programs.inbox import inbox_message_send
from peercoach.programs.models import Enrollment, EnrollmentStatus, Program
from peercoach.programs.pairing_models import (
    CURRENT_STATUSES,
    InboxKind,
    Pairing,
    PairingMember,
)

MAX_TOPICS = 10
MAX_PEERS_PER_REQUEST = 10
ADVICE_OFFER_DAYS = 14


def _notify(recipient: Person, kind: str, subject: str, body: str, link: str) -> None:
    inbox_message_send(
        recipient=recipient, kind=InboxKind(kind), subject=subject, body=body, link=link
    )


def _clean_topic(topic: str, *, required: bool) -> str:
    topic = " ".join(topic.split())
    if required and not topic:
        raise FeedbackRefused("Please say what it is about, in a few words.", field="topic")
    if len(topic) > MAX_TOPIC_LENGTH:
        raise FeedbackRefused(
            f"Please keep the topic under {MAX_TOPIC_LENGTH} characters.", field="topic"
        )
    return topic


def _clean_text(text: str, *, required: bool = True) -> str:
    text = text.strip()
    if required and not text:
        raise FeedbackRefused("Please write something first.", field="text")
    if len(text) > MAX_TEXT_LENGTH:
        raise FeedbackRefused(
            f"Please keep it under {MAX_TEXT_LENGTH} characters ({len(text)} now).", field="text"
        )
    return text


def _clean_topics(topics: Sequence[str]) -> list[str]:
    cleaned: dict[str, str] = {}
    for topic in topics:
        topic = _clean_topic(topic, required=False)
        if topic:
            cleaned.setdefault(normalized_topic(topic), topic)
    if len(cleaned) > MAX_TOPICS:
        raise FeedbackRefused(f"Please name at most {MAX_TOPICS} topics.", field="topics")
    return list(cleaned.values())


# ---------------------------------------------------------------------------------------------
# Grants


def feedback_grant_give(
    *,
    grantor: Person,
    grantee: Person,
    topics: Sequence[str] = (),
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    now: datetime | None = None,
) -> FeedbackGrant:
    """Invite `grantee` to give feedback; a standing grant to them is replaced by this one."""
    now = now or timezone.now()
    if grantor.organization_id != grantee.organization_id:
        raise FeedbackRefused(NO_SUCH_COLLEAGUE, field="grantee")
    if grantor.pk == grantee.pk:
        raise FeedbackRefused("That's you. Please choose a colleague.", field="grantee")
    if valid_from and valid_until and valid_from >= valid_until:
        raise FeedbackRefused("The period has to end after it starts.", field="valid_until")
    if valid_until is not None and valid_until <= now:
        raise FeedbackRefused("The period has to end in the future.", field="valid_until")
    topics = _clean_topics(topics)
    with transaction.atomic():
        standing = FeedbackGrant.objects.in_organization(grantor.organization_id).filter(
            grantor=grantor, grantee=grantee, revoked_at__isnull=True
        )
        standing.select_for_update().update(revoked_at=now)
        grant = FeedbackGrant.objects.create(
            organization_id=grantor.organization_id,
            grantor=grantor,
            grantee=grantee,
            topics=topics,
            valid_from=valid_from,
            valid_until=valid_until,
            created_at=now,
        )
        _notify(
            grantee,
            "feedback_invited",
            f"{grantor.full_name} would welcome your feedback",
            f"{grantor.full_name} has invited you to give them feedback. It's their choice and "
            "an act of trust: be kind, be specific.",
            reverse("feedback:send"),
        )
    return grant


def feedback_grant_revoke(
    *, grant: FeedbackGrant, by: Person, now: datetime | None = None
) -> FeedbackGrant:
    """Revoke at once: from the moment this commits, the grantee's next send is refused."""
    now = now or timezone.now()
    if grant.grantor_id != by.pk:
        raise FeedbackRefused("Only the person who gave a permission can take it back.")
    with transaction.atomic():
        # The update waits for a send holding the row lock, then every later send sees it.
        FeedbackGrant.objects.in_organization(grant.organization_id).filter(
            pk=grant.pk, revoked_at__isnull=True
        ).update(revoked_at=now)
        grant.refresh_from_db()
    # The grantee isn't told: taking a permission back needs no announcement.
    return grant


# ---------------------------------------------------------------------------------------------
# Feedback


def feedback_send(
    *, author: Person, recipient: Person, text: str, topic: str = "", now: datetime | None = None
) -> Feedback:
    topic = _clean_topic(topic, required=False)
    text = _clean_text(text)
    with transaction.atomic():
        now = now or timezone.now()
        grant = feedback_send_check(author=author, recipient=recipient, topic=topic, at=now)
        feedback = Feedback.objects.create(
            organization_id=recipient.organization_id,
            author=author,
            recipient=recipient,
            grant=grant,
            topic=topic,
            text=text,
            sent_at=now,
        )
        _notify(
            recipient,
            "feedback_received",
            f"{author.full_name} sent you the feedback you asked for",
            f"{author.full_name} sent you feedback. Only you can read it.",
            reverse("feedback:detail", args=[feedback.pk]),
        )
    return feedback


def feedback_thank(*, feedback: Feedback, by: Person, now: datetime | None = None) -> Feedback:
    if feedback.recipient_id != by.pk:
        raise FeedbackRefused("Only the person who received it can say thank you.")
    with transaction.atomic():
        thanked = (
            Feedback.objects.in_organization(feedback.organization_id)
            .filter(pk=feedback.pk, thanked_at__isnull=True)
            .update(thanked_at=now or timezone.now())
        )
        if not thanked:
            raise FeedbackRefused("You've already said thank you for this one.")
        feedback.refresh_from_db()
        _notify(
            feedback.author,
            "feedback_thanked",
            f"{by.full_name} thanked you for your feedback",
            f"{by.full_name} said thank you for the feedback you gave.",
            reverse("feedback:detail", args=[feedback.pk]),
        )
    return feedback


# ---------------------------------------------------------------------------------------------
# Asking for help


def help_request_post(
    *,
    requester: Person,
    topic: str,
    text: str = "",
    audience: str,
    peers: Sequence[Person] = (),
    pairing: Pairing | None = None,
    program: Program | None = None,
    now: datetime | None = None,
) -> HelpRequest:
    topic = _clean_topic(topic, required=True)
    text = _clean_text(text, required=False)
    with transaction.atomic():
        readers = _help_readers(requester, audience, peers, pairing, program)
        request = HelpRequest.objects.create(
            organization_id=requester.organization_id,
            requester=requester,
            topic=topic,
            text=text,
            audience=audience,
            pairing=pairing if audience == HelpAudience.PAIRING else None,
            program=program if audience == HelpAudience.PROGRAM else None,
            created_at=now or timezone.now(),
        )
        request.peers.set(readers)
        for reader in readers:
            _notify(
                reader,
                "help_requested",
                f"{requester.full_name} could use some help",
                f"{requester.full_name} asked for help with “{topic}”. Answer if you can.",
                reverse("feedback:help_detail", args=[request.pk]),
            )
    return request


def _help_readers(
    requester: Person,
    audience: str,
    peers: Sequence[Person],
    pairing: Pairing | None,
    program: Program | None,
) -> list[Person]:
    """The people to write down and notify; a program's audience is found when they look."""
    if audience == HelpAudience.PEERS:
        chosen = {p.pk: p for p in peers if p.pk != requester.pk}
        if not chosen:
            raise FeedbackRefused("Please choose at least one colleague.", field="peers")
        if len(chosen) > MAX_PEERS_PER_REQUEST:
            raise FeedbackRefused(
                f"Please choose at most {MAX_PEERS_PER_REQUEST} colleagues.", field="peers"
            )
        if any(p.organization_id != requester.organization_id for p in chosen.values()):
            raise FeedbackRefused(NO_SUCH_COLLEAGUE, field="peers")
        return list(chosen.values())
    if audience == HelpAudience.PAIRING:
        members = _current_pairing_members(requester, pairing)
        return [m.person for m in members if m.person_id != requester.pk]
    if audience == HelpAudience.PROGRAM:
        if program is None or not _takes_part(requester, program):
            raise FeedbackRefused("Please choose a program you're taking part in.", field="program")
        return []
    raise FeedbackRefused("Please choose who to ask.", field="audience")


def _current_pairing_members(requester: Person, pairing: Pairing | None) -> list[PairingMember]:
    if pairing is None or pairing.status not in CURRENT_STATUSES:
        raise FeedbackRefused("Please choose one of your current pairings.", field="pairing")
    members = list(
        PairingMember.objects.in_organization(requester.organization_id)
        .filter(pairing=pairing, left_at__isnull=True)
        .select_related("person")
    )
    if requester.pk not in {m.person_id for m in members}:
        raise FeedbackRefused("Please choose one of your current pairings.", field="pairing")
    return members


def _takes_part(person: Person, program: Program) -> bool:
    return (
        Enrollment.objects.in_organization(person.organization_id)
        .filter(person=person, program=program, status=EnrollmentStatus.ACTIVE)
        .exists()
    )


def help_request_close(
    *, request: HelpRequest, by: Person, now: datetime | None = None
) -> HelpRequest:
    if request.requester_id != by.pk:
        raise FeedbackRefused("Only the person who asked can close a request.")
    if request.closed_at is None:
        request.closed_at = now or timezone.now()
        request.save(update_fields=["closed_at"])
    return request


def help_reply_post(
    *, request: HelpRequest, author: Person, text: str, now: datetime | None = None
) -> HelpReply:
    text = _clean_text(text)
    with transaction.atomic():
        # Locked, so that a reply and the requester closing the request never cross.
        request = (
            HelpRequest.objects.in_organization(request.organization_id)
            .select_for_update()
            .get(pk=request.pk)
        )
        help_reply_check(person=author, request=request)
        reply = HelpReply.objects.create(
            organization_id=request.organization_id,
            request=request,
            author=author,
            text=text,
            created_at=now or timezone.now(),
        )
        _notify(
            request.requester,
            "help_answered",
            f"{author.full_name} answered your request for help",
            f"{author.full_name} answered your request about “{request.topic}”.",
            reverse("feedback:help_detail", args=[request.pk]),
        )
    return reply


def help_reply_mark_used(
    *, reply: HelpReply, by: Person, used: bool = True, now: datetime | None = None
) -> HelpReply:
    if reply.request.requester_id != by.pk:
        raise FeedbackRefused("Only the person who asked can mark which help they used.")
    reply.used_at = (now or timezone.now()) if used else None
    reply.save(update_fields=["used_at"])
    return reply


def help_reply_thank(*, reply: HelpReply, by: Person, now: datetime | None = None) -> HelpReply:
    if reply.request.requester_id != by.pk:
        raise FeedbackRefused("Only the person who asked can say thank you.")
    with transaction.atomic():
        thanked = (
            HelpReply.objects.in_organization(reply.organization_id)
            .filter(pk=reply.pk, thanked_at__isnull=True)
            .update(thanked_at=now or timezone.now())
        )
        if not thanked:
            raise FeedbackRefused("You've already said thank you for this one.")
        reply.refresh_from_db()
        used = " and used it" if reply.used_at else ""
        _notify(
            reply.author,
            "help_thanked",
            f"{by.full_name} thanked you for your help",
            f"{by.full_name} said thank you for your answer{used}.",
            reverse("feedback:help_detail", args=[reply.request_id]),
        )
    return reply


# ---------------------------------------------------------------------------------------------
# Offering advice


def advice_offer_send(
    *, offerer: Person, recipient: Person, topic: str, advice: str, now: datetime | None = None
) -> AdviceOffer:
    topic = _clean_topic(topic, required=True)
    advice = _clean_text(advice)
    now = now or timezone.now()
    with transaction.atomic():
        advice_offer_check(offerer=offerer, recipient=recipient)
        pending = AdviceOffer.objects.in_organization(offerer.organization_id).filter(
            offerer=offerer, recipient=recipient, status=OfferStatus.PENDING, expires_at__gt=now
        )
        if pending.exists():
            raise FeedbackRefused(
                f"You have an offer waiting for {recipient.full_name} already. Let them answer "
                "that one first."
            )
        offer = AdviceOffer.objects.create(
            organization_id=offerer.organization_id,
            offerer=offerer,
            recipient=recipient,
            topic=topic,
            advice=advice,
            created_at=now,
            expires_at=now + timedelta(days=ADVICE_OFFER_DAYS),
        )
        _notify(
            recipient,
            "advice_offered",
            f"{offerer.full_name} asks: would you like some advice?",
            f"{offerer.full_name} would like to offer advice on “{topic}”. Say yes to read it, "
            "or no thanks: they won't be told why, or even that you said no.",
            reverse("feedback:advice"),
        )
    return offer


def advice_offer_answer(
    *, offer: AdviceOffer, by: Person, accept: bool, now: datetime | None = None
) -> AdviceOffer:
    now = now or timezone.now()
    if offer.recipient_id != by.pk:
        raise FeedbackRefused("Only the person it was offered to can answer.")
    with transaction.atomic():
        answered = (
            AdviceOffer.objects.in_organization(offer.organization_id)
            .filter(pk=offer.pk, status=OfferStatus.PENDING, expires_at__gt=now)
            .update(
                status=OfferStatus.ACCEPTED if accept else OfferStatus.DECLINED, answered_at=now
            )
        )
        offer.refresh_from_db()
        if not answered:
            raise FeedbackRefused("This offer has already been answered or has run out.")
        if accept:
            _notify(
                offer.offerer,
                "advice_accepted",
                f"{by.full_name} would like your advice",
                f"{by.full_name} said yes to your advice on “{offer.topic}”. They can read it now.",
                reverse("feedback:advice"),
            )
        # A decline sends nothing: the offerer's list reads "not taken up", exactly as for an
        # offer left to run out, so a no carries no name and no reason.
    return offer


def advice_offers_expire(*, now: datetime | None = None) -> int:
    """Mark unanswered offers past their date as expired; idempotent, for a periodic sweep."""
    return AdviceOffer.all_organizations.filter(
        status=OfferStatus.PENDING, expires_at__lte=now or timezone.now()
    ).update(status=OfferStatus.EXPIRED)
