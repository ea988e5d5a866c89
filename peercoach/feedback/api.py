"""Feedback, help and advice in the JSON API, always from the caller's own point of view.

Participants only (a directory link is needed). Refusals answer 400 with the same plain message
as the web pages; a colleague in another organization reads exactly like one who doesn't exist.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from peercoach.feedback import permissions, selectors, services
from peercoach.feedback.models import (
    AdviceOffer,
    Feedback,
    FeedbackGrant,
    HelpReply,
    HelpRequest,
)
from peercoach.feedback.permissions import FeedbackRefused, colleague_get
from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person

router = Router(tags=["feedback"])
T = TypeVar("T")


class GrantOut(Schema):
    id: int
    grantee_id: int
    grantee: str
    topics: list[str]
    valid_from: datetime | None
    valid_until: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_grantee(grant: FeedbackGrant) -> str:
        return grant.grantee.full_name


class WelcomedByOut(Schema):
    person_id: int
    name: str
    topics: list[str]
    valid_until: datetime | None


class PermissionsOut(Schema):
    given: list[GrantOut]
    welcomed_by: list[WelcomedByOut]


class GrantIn(Schema):
    grantee_person_id: int | None = None
    topics: list[str] = []
    valid_from: datetime | None = None
    valid_until: datetime | None = None


class FeedbackOut(Schema):
    id: int
    author_id: int
    author: str
    recipient_id: int
    recipient: str
    topic: str
    text: str
    sent_at: datetime
    thanked_at: datetime | None

    @staticmethod
    def resolve_author(feedback: Feedback) -> str:
        return feedback.author.full_name

    @staticmethod
    def resolve_recipient(feedback: Feedback) -> str:
        return feedback.recipient.full_name


class FeedbackListOut(Schema):
    received: list[FeedbackOut]
    sent: list[FeedbackOut]


class FeedbackIn(Schema):
    recipient_person_id: int | None = None
    topic: str = ""
    text: str = ""


class HelpRequestOut(Schema):
    id: int
    requester_id: int
    requester: str
    topic: str
    text: str
    audience: str
    program_id: int | None
    created_at: datetime
    is_open: bool

    @staticmethod
    def resolve_requester(request: HelpRequest) -> str:
        return request.requester.full_name


class HelpRequestsOut(Schema):
    mine: list[HelpRequestOut]
    i_can_answer: list[HelpRequestOut]


class HelpRequestIn(Schema):
    topic: str = ""
    text: str = ""
    audience: str = ""
    peer_person_ids: list[int] = []
    pairing_id: int | None = None
    program_id: int | None = None


class HelpReplyOut(Schema):
    id: int
    author_id: int
    author: str
    text: str
    created_at: datetime
    used_at: datetime | None
    thanked_at: datetime | None

    @staticmethod
    def resolve_author(reply: HelpReply) -> str:
        return reply.author.full_name


class HelpRequestDetailOut(HelpRequestOut):
    replies: list[HelpReplyOut]

    @staticmethod
    def resolve_replies(request: HelpRequest) -> list[HelpReply]:
        # Only the answers this caller may read: all for the requester, their own otherwise.
        replies: list[HelpReply] = request.replies_visible  # type: ignore[attr-defined]
        return replies


class ReplyIn(Schema):
    text: str = ""


class UsedIn(Schema):
    used: bool = True


class AdviceOfferOut(Schema):
    id: int
    offerer_id: int
    offerer: str
    recipient_id: int
    recipient: str
    topic: str
    status: str
    advice: str | None
    created_at: datetime
    expires_at: datetime


class AdviceOffersOut(Schema):
    received: list[AdviceOfferOut]
    sent: list[AdviceOfferOut]


class AdviceOfferIn(Schema):
    recipient_person_id: int | None = None
    topic: str = ""
    advice: str = ""


def _person(request: HttpRequest) -> Person:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    if membership.person is None or not membership.has_any_role(Role.PARTICIPANT):
        raise HttpError(403, "Feedback needs a link to your entry in the directory.")
    return membership.person


def _refusals_as_400[T](change: Callable[[], T]) -> T:
    try:
        return change()
    except FeedbackRefused as error:
        raise HttpError(400, error.message) from error


# ---------------------------------------------------------------------------------------------
# Permissions and feedback


@router.get("/me/feedback-permissions", response=PermissionsOut, summary="Feedback permissions")
def my_permissions(request: HttpRequest) -> dict[str, object]:
    person = _person(request)
    welcomed = selectors.grants_held_current(person=person, at=timezone.now())
    return {
        "given": list(selectors.grants_given(person=person)),
        "welcomed_by": [
            {
                "person_id": g.grantor_id,
                "name": g.grantor.full_name,
                "topics": g.topics,
                "valid_until": g.valid_until,
            }
            for g in welcomed
        ],
    }


@router.post(
    "/me/feedback-permissions", response={201: GrantOut}, summary="Invite a colleague's feedback"
)
def grant_give(request: HttpRequest, payload: GrantIn) -> Status[FeedbackGrant]:
    person = _person(request)

    def give() -> FeedbackGrant:
        grantee = colleague_get(me=person, person_id=payload.grantee_person_id)
        return services.feedback_grant_give(
            grantor=person,
            grantee=grantee,
            topics=payload.topics,
            valid_from=payload.valid_from,
            valid_until=payload.valid_until,
        )

    return Status(201, _refusals_as_400(give))


@router.post(
    "/feedback-permissions/{feedback_grant_id}/revoke",
    response=GrantOut,
    summary="Take a permission back, at once",
)
def grant_revoke(request: HttpRequest, feedback_grant_id: int) -> FeedbackGrant:
    person = _person(request)
    grant = selectors.grant_of(person=person, grant_id=feedback_grant_id)
    return _refusals_as_400(lambda: services.feedback_grant_revoke(grant=grant, by=person))


@router.get("/me/feedback", response=FeedbackListOut, summary="Feedback I received and gave")
def my_feedback(request: HttpRequest) -> dict[str, object]:
    person = _person(request)
    return {
        "received": list(selectors.feedback_received(person=person).select_related("recipient")),
        "sent": list(selectors.feedback_sent(person=person).select_related("author")),
    }


@router.post("/feedback", response={201: FeedbackOut}, summary="Send invited feedback")
def feedback_send(request: HttpRequest, payload: FeedbackIn) -> Status[Feedback]:
    person = _person(request)

    def send() -> Feedback:
        recipient = colleague_get(me=person, person_id=payload.recipient_person_id)
        return services.feedback_send(
            author=person, recipient=recipient, topic=payload.topic, text=payload.text
        )

    return Status(201, _refusals_as_400(send))


@router.get("/feedback/{feedback_id}", response=FeedbackOut, summary="One piece of feedback")
def feedback_detail(request: HttpRequest, feedback_id: int) -> Feedback:
    return selectors.feedback_for_reader(person=_person(request), feedback_id=feedback_id)


@router.post("/feedback/{feedback_id}/thank", response=FeedbackOut, summary="Say thank you")
def feedback_thank(request: HttpRequest, feedback_id: int) -> Feedback:
    person = _person(request)
    feedback = selectors.feedback_for_reader(person=person, feedback_id=feedback_id)
    return _refusals_as_400(lambda: services.feedback_thank(feedback=feedback, by=person))


# ---------------------------------------------------------------------------------------------
# Asking for help


@router.get("/help-requests", response=HelpRequestsOut, summary="Mine, and those I can answer")
def help_requests(request: HttpRequest) -> dict[str, object]:
    person = _person(request)
    return {
        "mine": list(selectors.help_requests_mine(person=person).select_related("requester")),
        "i_can_answer": list(selectors.help_requests_i_can_answer(person=person)[:100]),
    }


@router.post("/help-requests", response={201: HelpRequestOut}, summary="Ask for help")
def help_request_post(request: HttpRequest, payload: HelpRequestIn) -> Status[HelpRequest]:
    person = _person(request)
    pairings = selectors.pairings_current(person=person)
    programs = selectors.programs_taking_part(person=person)
    pairing = pairings.filter(pk=payload.pairing_id).first() if payload.pairing_id else None
    program = programs.filter(pk=payload.program_id).first() if payload.program_id else None
    peers = selectors.people_by_ids(me=person, ids=payload.peer_person_ids)
    if len(peers) < len(set(payload.peer_person_ids) - {person.pk}):
        raise HttpError(400, permissions.NO_SUCH_COLLEAGUE)
    posted = _refusals_as_400(
        lambda: services.help_request_post(
            requester=person,
            topic=payload.topic,
            text=payload.text,
            audience=payload.audience,
            peers=peers,
            pairing=pairing,
            program=program,
        )
    )
    return Status(201, posted)


@router.get(
    "/help-requests/{help_request_id}", response=HelpRequestDetailOut, summary="One request"
)
def help_request_detail(request: HttpRequest, help_request_id: int) -> HelpRequest:
    person = _person(request)
    help_request = selectors.help_request_for_reader(person=person, request_id=help_request_id)
    help_request.replies_visible = list(  # type: ignore[attr-defined]
        selectors.help_replies_visible(person=person, request=help_request)
    )
    return help_request


@router.post(
    "/help-requests/{help_request_id}/replies", response={201: HelpReplyOut}, summary="Answer"
)
def help_reply_post(
    request: HttpRequest, help_request_id: int, payload: ReplyIn
) -> Status[HelpReply]:
    person = _person(request)
    help_request = selectors.help_request_for_reader(person=person, request_id=help_request_id)
    reply = _refusals_as_400(
        lambda: services.help_reply_post(request=help_request, author=person, text=payload.text)
    )
    return Status(201, reply)


@router.post("/help-replies/{help_reply_id}/used", response=HelpReplyOut, summary="I used this")
def help_reply_used(request: HttpRequest, help_reply_id: int, payload: UsedIn) -> HelpReply:
    person = _person(request)
    reply = selectors.help_reply_for_requester(person=person, reply_id=help_reply_id)
    return services.help_reply_mark_used(reply=reply, by=person, used=payload.used)


@router.post("/help-replies/{help_reply_id}/thank", response=HelpReplyOut, summary="Thank")
def help_reply_thank(request: HttpRequest, help_reply_id: int) -> HelpReply:
    person = _person(request)
    reply = selectors.help_reply_for_requester(person=person, reply_id=help_reply_id)
    return _refusals_as_400(lambda: services.help_reply_thank(reply=reply, by=person))


# ---------------------------------------------------------------------------------------------
# Offering advice


def _offer_out(offer: AdviceOffer, person: Person) -> dict[str, object]:
    now = timezone.now()
    is_offerer = offer.offerer_id == person.pk
    return {
        "id": offer.pk,
        "offerer_id": offer.offerer_id,
        "offerer": offer.offerer.full_name,
        "recipient_id": offer.recipient_id,
        "recipient": offer.recipient.full_name,
        "topic": offer.topic,
        "status": offer.status_for_offerer(now) if is_offerer else offer.status_at(now),
        "advice": offer.advice if permissions.may_see_advice(person=person, offer=offer) else None,
        "created_at": offer.created_at,
        "expires_at": offer.expires_at,
    }


@router.get("/me/advice-offers", response=AdviceOffersOut, summary="Offers of advice")
def my_advice_offers(request: HttpRequest) -> dict[str, object]:
    person = _person(request)
    received = selectors.advice_offers_received(person=person).select_related("recipient")
    sent = selectors.advice_offers_sent(person=person).select_related("offerer")
    return {
        "received": [_offer_out(offer, person) for offer in received],
        "sent": [_offer_out(offer, person) for offer in sent],
    }


@router.post("/advice-offers", response={201: AdviceOfferOut}, summary="Offer advice")
def advice_offer_send(request: HttpRequest, payload: AdviceOfferIn) -> Status[object]:
    person = _person(request)

    def offer() -> AdviceOffer:
        recipient = colleague_get(me=person, person_id=payload.recipient_person_id)
        return services.advice_offer_send(
            offerer=person, recipient=recipient, topic=payload.topic, advice=payload.advice
        )

    return Status(201, _offer_out(_refusals_as_400(offer), person))


def _answer(request: HttpRequest, advice_offer_id: int, *, accept: bool) -> dict[str, object]:
    person = _person(request)
    offer = selectors.advice_offer_for_recipient(person=person, offer_id=advice_offer_id)
    answered = _refusals_as_400(
        lambda: services.advice_offer_answer(offer=offer, by=person, accept=accept)
    )
    return _offer_out(answered, person)


@router.post(
    "/advice-offers/{advice_offer_id}/accept", response=AdviceOfferOut, summary="Yes, please"
)
def advice_offer_accept(request: HttpRequest, advice_offer_id: int) -> dict[str, object]:
    return _answer(request, advice_offer_id, accept=True)


@router.post(
    "/advice-offers/{advice_offer_id}/decline", response=AdviceOfferOut, summary="No, thank you"
)
def advice_offer_decline(request: HttpRequest, advice_offer_id: int) -> dict[str, object]:
    return _answer(request, advice_offer_id, accept=False)
