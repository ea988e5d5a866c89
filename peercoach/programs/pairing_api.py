"""Pairings, requests and the inbox in the JSON API, always from the caller's point of view.

A pairing never shows who answered what: only the caller's own answer. A match that didn't go
ahead reads "did_not_go_ahead" to everyone but the person who said no.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person
from peercoach.programs import inbox, pairing_selectors, request_services
from peercoach.programs import pairing_services as services
from peercoach.programs.pairing_models import InboxMessage, PairingRequest
from peercoach.programs.pairing_selectors import PairingView
from peercoach.programs.pairing_services import PairingError
from peercoach.programs.selectors import enrollment_of, program_get

router = Router(tags=["pairings"])


class PairingOut(Schema):
    id: int
    program_id: int
    program_name: str
    kind: str
    status: str
    status_label: str
    peers: list[str]
    my_response: str
    expires_at: datetime | None
    activated_at: datetime | None


class RequestOut(Schema):
    id: int
    program_id: int
    requester: str
    recipient: str
    message: str
    status: str
    status_label: str
    created_at: datetime
    expires_at: datetime
    pairing_id: int | None

    @staticmethod
    def resolve_requester(request: PairingRequest) -> str:
        return request.requester.person.full_name

    @staticmethod
    def resolve_recipient(request: PairingRequest) -> str:
        return request.recipient.person.full_name

    @staticmethod
    def resolve_status(request: PairingRequest) -> str:
        # Declined and expired read the same to the requester: "not taken up".
        return "not_taken_up" if request.status in ("declined", "expired") else request.status

    @staticmethod
    def resolve_status_label(request: PairingRequest) -> str:
        return request.get_status_display()


class RequestsOut(Schema):
    sent: list[RequestOut]
    received: list[RequestOut]


class RequestIn(Schema):
    recipient_person_id: int | None = None
    message: str = ""


class InboxMessageOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


def _member(request: HttpRequest) -> Membership:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    return membership


def _participant(request: HttpRequest) -> Person:
    person = _member(request).person
    if person is None or not _member(request).has_any_role(Role.PARTICIPANT):
        raise HttpError(403, "Taking part needs a link to your entry in the directory.")
    return person


# ---------------------------------------------------------------------------------------------
# Pairings


@router.get("/me/pairings", response=list[PairingOut], summary="My pairings and invitations")
def my_pairings(request: HttpRequest) -> list[PairingView]:
    person = _member(request).person
    return pairing_selectors.pairings_mine(person=person) if person else []


@router.get("/pairings/{pairing_id}", response=PairingOut, summary="One of my pairings")
def pairing_detail(request: HttpRequest, pairing_id: int) -> PairingView:
    person = _participant(request)
    pairing = pairing_selectors.pairing_for_member(person=person, pairing_id=pairing_id)
    return pairing_selectors.pairing_view(pairing, person)


def _pairing_change(
    request: HttpRequest, pairing_id: int, change: Callable[..., object]
) -> PairingView:
    person = _participant(request)
    pairing = pairing_selectors.pairing_for_member(person=person, pairing_id=pairing_id)
    try:
        change(pairing=pairing, by=person)
    except PairingError as error:
        raise HttpError(409, error.message) from error
    fresh = pairing_selectors.pairing_for_member(person=person, pairing_id=pairing_id)
    return pairing_selectors.pairing_view(fresh, person)


@router.post("/pairings/{pairing_id}/accept", response=PairingOut, summary="Say yes to a match")
def pairing_accept(request: HttpRequest, pairing_id: int) -> PairingView:
    return _pairing_change(request, pairing_id, services.pairing_accept)


@router.post("/pairings/{pairing_id}/decline", response=PairingOut, summary="Say no to a match")
def pairing_decline(request: HttpRequest, pairing_id: int) -> PairingView:
    return _pairing_change(request, pairing_id, services.pairing_decline)


@router.post(
    "/pairings/{pairing_id}/leave", response=PairingOut, summary="End a pairing, no reason needed"
)
def pairing_leave(request: HttpRequest, pairing_id: int) -> PairingView:
    return _pairing_change(request, pairing_id, services.pairing_leave)


@router.post("/pairings/{pairing_id}/pause", response=PairingOut, summary="Pause a pairing")
def pairing_pause(request: HttpRequest, pairing_id: int) -> PairingView:
    return _pairing_change(request, pairing_id, services.pairing_pause)


@router.post("/pairings/{pairing_id}/resume", response=PairingOut, summary="Resume a pairing")
def pairing_resume(request: HttpRequest, pairing_id: int) -> PairingView:
    return _pairing_change(request, pairing_id, services.pairing_resume)


# ---------------------------------------------------------------------------------------------
# Requests


@router.get(
    "/programs/{program_id}/requests", response=RequestsOut, summary="Requests I sent and received"
)
def requests_list(request: HttpRequest, program_id: int) -> dict[str, list[PairingRequest]]:
    person = _participant(request)
    program = program_get(membership=_member(request), program_id=program_id)
    enrollment = enrollment_of(program=program, person=person)
    if enrollment is None:
        return {"sent": [], "received": []}
    return {
        "sent": list(pairing_selectors.requests_sent(enrollment=enrollment)),
        "received": list(pairing_selectors.requests_received(enrollment=enrollment)),
    }


@router.post(
    "/programs/{program_id}/requests",
    response={201: RequestOut},
    summary="Ask a colleague: I'll coach you if you'll coach me",
)
def request_send(
    request: HttpRequest, program_id: int, payload: RequestIn
) -> Status[PairingRequest]:
    person = _participant(request)
    program = program_get(membership=_member(request), program_id=program_id)
    enrollment = enrollment_of(program=program, person=person)
    if enrollment is None:
        raise HttpError(409, "Join the program first, then you can ask a colleague.")
    if payload.recipient_person_id is None:
        raise HttpError(400, "Say whom you'd like to ask (recipient_person_id).")
    colleague = _person_in(person, payload.recipient_person_id)
    recipient = enrollment_of(program=program, person=colleague) if colleague else None
    if recipient is None:
        raise HttpError(409, "That colleague isn't taking part in this program.")
    try:
        sent = request_services.request_send(
            requester=enrollment, recipient=recipient, message=payload.message
        )
    except PairingError as error:
        raise HttpError(409, error.message) from error
    return Status(201, sent)


def _person_in(person: Person, person_id: int) -> Person | None:
    return Person.objects.in_organization(person.organization_id).filter(pk=person_id).first()


def _request_change(
    request: HttpRequest, request_id: int, change: Callable[..., PairingRequest]
) -> PairingRequest:
    person = _participant(request)
    pairing_request = pairing_selectors.request_for_member(person=person, request_id=request_id)
    try:
        return change(request=pairing_request, by=person)
    except PairingError as error:
        raise HttpError(409, error.message) from error


@router.post("/requests/{request_id}/accept", response=RequestOut, summary="Accept a request")
def request_accept(request: HttpRequest, request_id: int) -> PairingRequest:
    return _request_change(request, request_id, request_services.request_accept)


@router.post("/requests/{request_id}/decline", response=RequestOut, summary="Decline a request")
def request_decline(request: HttpRequest, request_id: int) -> PairingRequest:
    return _request_change(request, request_id, request_services.request_decline)


@router.post("/requests/{request_id}/withdraw", response=RequestOut, summary="Withdraw my request")
def request_withdraw(request: HttpRequest, request_id: int) -> PairingRequest:
    return _request_change(request, request_id, request_services.request_withdraw)


# ---------------------------------------------------------------------------------------------
# Inbox


@router.get("/me/inbox", response=list[InboxMessageOut], summary="My inbox, newest first")
def inbox_list(request: HttpRequest) -> list[InboxMessage]:
    person = _member(request).person
    return list(inbox.inbox_messages(person=person)[:200]) if person else []


@router.post(
    "/me/inbox/{message_id}/read", response=InboxMessageOut, summary="Mark a message as read"
)
def inbox_read(request: HttpRequest, message_id: int) -> InboxMessage:
    person = _participant(request)
    message = inbox.inbox_message_get(person=person, message_id=message_id)
    if message is None:
        raise HttpError(404, "Not Found")
    return inbox.inbox_message_mark_read(message=message)
