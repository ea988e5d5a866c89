"""Writes for requests between participants: "I'll coach you if you'll coach me".

A request accepted becomes an active pairing at once: both sides asked for it. A request not
accepted, whether declined or left to expire, reads the same to the person who sent it ("not
taken up"), so a no never travels back with a name or a reason attached.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from peercoach.people.models import Person
from peercoach.programs.inbox import inbox_message_send
from peercoach.programs.models import Enrollment, EnrollmentStatus, MatchingMode, ProgramStatus
from peercoach.programs.pairing_models import (
    InboxKind,
    MemberResponse,
    Pairing,
    PairingKind,
    PairingMember,
    PairingRequest,
    PairingSource,
    PairingStatus,
    RequestStatus,
)
from peercoach.programs.pairing_services import (
    PairingError,
    other_matches_withdraw,
    pairing_link,
)
from peercoach.programs.pairing_states import Actor, TransitionRefused, check_transition
from peercoach.programs.services import enrollment_lock

MAX_MESSAGE_LENGTH = 500
CHOOSING_MODES = (MatchingMode.PARTICIPANTS_CHOOSE, MatchingMode.HYBRID)


def request_send(
    *, requester: Enrollment, recipient: Enrollment, message: str = "", now: datetime | None = None
) -> PairingRequest:
    now = now or timezone.now()
    message = message.strip()
    if len(message) > MAX_MESSAGE_LENGTH:
        raise PairingError(f"Please keep your note under {MAX_MESSAGE_LENGTH} characters.")
    with transaction.atomic():
        requester = enrollment_lock(requester)
        _check_may_send(requester, recipient)
        program = requester.program
        request = PairingRequest.objects.create(
            organization_id=program.organization_id,
            program=program,
            requester=requester,
            recipient=recipient,
            message=message,
            created_at=now,
            expires_at=now + timedelta(days=program.request_expiry_days),
        )
        inbox_message_send(
            recipient=recipient.person,
            kind=InboxKind.REQUEST_RECEIVED,
            subject=f"{requester.person.full_name} would like to be your peer",
            body=(
                f"{requester.person.full_name} asks: I'll coach you if you'll coach me. "
                f"You can say yes or no until {request.expires_at:%-d %B}. If you say no, they "
                "only learn that the request wasn't taken up."
            ),
            link=reverse("programs:requests", args=[program.pk]),
            now=now,
        )
    return request


def _check_may_send(requester: Enrollment, recipient: Enrollment) -> None:
    program = requester.program
    if program.matching_mode not in CHOOSING_MODES:
        raise PairingError("In this program the program manager suggests the matches.")
    if program.status not in (ProgramStatus.OPEN, ProgramStatus.RUNNING):
        raise PairingError("This program isn't taking requests right now.")
    if requester.status != EnrollmentStatus.ACTIVE:
        raise PairingError("You need to be taking part in the program to send a request.")
    if recipient.person_id == requester.person_id:
        raise PairingError("You can't send a request to yourself.")
    name = recipient.person.full_name
    if recipient.program_id != program.pk or recipient.status != EnrollmentStatus.ACTIVE:
        raise PairingError(f"{name} isn't taking part in this program right now.")
    if requester.person.is_in_management_chain_of(recipient.person):
        raise PairingError(
            f"{name} is in your reporting line. Peer coaching is between peers, so please "
            "choose someone outside it."
        )
    if not program.allows_several_pairings:
        if _is_paired(requester):
            raise PairingError("You already have a peer in this program.")
        if _is_paired(recipient):
            raise PairingError(f"{name} already has a peer in this program.")
    pending = _pending(requester.organization_id)
    if pending.filter(requester=requester, recipient=recipient).exists():
        raise PairingError(f"You've already asked {name}. They have until it expires to answer.")
    if pending.filter(requester=recipient, recipient=requester).exists():
        raise PairingError(f"{name} has already asked you: you can accept their request.")
    if pending.filter(requester=requester).count() >= program.open_requests_limit:
        raise PairingError(
            f"You have {program.open_requests_limit} requests waiting for an answer, the most "
            "at once. Wait for an answer, or withdraw one."
        )


def request_accept(
    *, request: PairingRequest, by: Person, now: datetime | None = None
) -> PairingRequest:
    """The recipient says yes: the pairing is active at once, as both sides chose it."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            request = _lock(request)
            _check_recipient(request, by)
            _check_pending(request)
            requester, recipient = request.requester, request.recipient
            if (
                requester.status != EnrollmentStatus.ACTIVE
                or (recipient.status) != EnrollmentStatus.ACTIVE
            ):
                raise PairingError("You both need to be taking part in the program to pair up.")
            program = request.program
            if not program.allows_several_pairings and (
                _is_paired(requester) or _is_paired(recipient)
            ):
                raise PairingError(
                    "One of you already has a peer in this program, so this request can't start."
                )
            pairing = _pairing_from(request, now)
            request.status = RequestStatus.ACCEPTED
            request.responded_at = now
            request.pairing = pairing
            request.save(update_fields=["status", "responded_at", "pairing"])
            _after_accept(request, pairing, now)
    except IntegrityError as error:
        raise PairingError(
            "One of you has just started another pairing in this program, so this request "
            "can't start. Nothing was changed."
        ) from error
    return request


def _pairing_from(request: PairingRequest, now: datetime) -> Pairing:
    try:
        check_transition(None, PairingStatus.ACTIVE, Actor.MEMBER)
    except TransitionRefused as refused:  # pragma: no cover - the table allows it
        raise PairingError(refused.message) from refused
    several = request.program.allows_several_pairings
    pairing = Pairing.objects.create(
        organization_id=request.organization_id,
        program=request.program,
        status=PairingStatus.ACTIVE,
        kind=PairingKind.PAIR,
        source=PairingSource.REQUEST,
        proposed_at=request.created_at,
        activated_at=now,
    )
    with transaction.atomic():
        PairingMember.objects.in_organization(request.organization_id).bulk_create(
            [
                PairingMember(
                    organization_id=request.organization_id,
                    pairing=pairing,
                    enrollment=enrollment,
                    program_id=request.program_id,
                    person_id=enrollment.person_id,
                    response=MemberResponse.ACCEPTED,
                    responded_at=moment,
                    is_current=not several,
                )
                for enrollment, moment in (
                    (request.requester, request.created_at),
                    (request.recipient, now),
                )
            ]
        )
    return pairing


def _after_accept(request: PairingRequest, pairing: Pairing, now: datetime) -> None:
    if not request.program.allows_several_pairings:
        for member in pairing.members.select_related("enrollment", "person"):
            other_matches_withdraw(member=member, now=now)
    inbox_message_send(
        recipient=request.requester.person,
        kind=InboxKind.PAIRING_ACTIVE,
        subject=f"{request.recipient.person.full_name} said yes",
        body=(
            f"{request.recipient.person.full_name} accepted your request: you're peers now. "
            "Get in touch and agree on your first meeting."
        ),
        link=pairing_link(pairing),
        now=now,
    )


def request_decline(
    *, request: PairingRequest, by: Person, now: datetime | None = None
) -> PairingRequest:
    """The recipient says no; the requester only learns the request wasn't taken up."""
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock(request)
        _check_recipient(request, by)
        _check_pending(request)
        _not_taken_up(request, RequestStatus.DECLINED, now)
    return request


def request_withdraw(
    *, request: PairingRequest, by: Person, now: datetime | None = None
) -> PairingRequest:
    now = now or timezone.now()
    with transaction.atomic():
        request = _lock(request)
        if request.requester.person_id != by.pk:
            raise PairingError("Only the person who sent a request can withdraw it.")
        _check_pending(request)
        request.status = RequestStatus.WITHDRAWN
        request.responded_at = now
        request.save(update_fields=["status", "responded_at"])
    return request


def requests_expire_due(*, organization_id: int, now: datetime) -> int:
    due = _pending(organization_id).filter(expires_at__lte=now)
    expired = 0
    with transaction.atomic():
        for request in due.select_for_update().select_related("program", "requester__person"):
            _not_taken_up(request, RequestStatus.EXPIRED, now)
            expired += 1
    return expired


def requests_close_for(*, enrollment: Enrollment, now: datetime) -> None:
    """The person has a peer now: what they sent is withdrawn, and what they received lapses."""
    pending = _pending(enrollment.organization_id)
    pending.filter(requester=enrollment).update(status=RequestStatus.WITHDRAWN, responded_at=now)
    received = pending.filter(recipient=enrollment).select_related("program", "requester__person")
    for request in received.select_for_update():
        _not_taken_up(request, RequestStatus.EXPIRED, now)


def _not_taken_up(request: PairingRequest, status: RequestStatus, now: datetime) -> None:
    request.status = status
    request.responded_at = now
    request.save(update_fields=["status", "responded_at"])
    # The same words whether declined or expired: the requester can't tell which.
    inbox_message_send(
        recipient=request.requester.person,
        kind=InboxKind.REQUEST_NOT_TAKEN_UP,
        subject=f"Your request in {request.program.name} wasn't taken up",
        body=(
            "Your request wasn't taken up this time. That's common and nothing personal: "
            "people's weeks fill up. You're welcome to ask someone else."
        ),
        link=reverse("programs:requests", args=[request.program_id]),
        now=now,
    )


def _check_recipient(request: PairingRequest, by: Person) -> None:
    if request.recipient.person_id != by.pk:
        raise PairingError("Only the person who was asked can answer this request.")


def _check_pending(request: PairingRequest) -> None:
    if request.status != RequestStatus.PENDING:
        raise PairingError("This request has already been answered or has lapsed.")


def _is_paired(enrollment: Enrollment) -> bool:
    return (
        PairingMember.objects.in_organization(enrollment.organization_id)
        .filter(program=enrollment.program_id, person=enrollment.person_id, is_current=True)
        .exists()
    )


def _pending(organization_id: int) -> QuerySet[PairingRequest]:
    return PairingRequest.objects.in_organization(organization_id).filter(
        status=RequestStatus.PENDING
    )


def _lock(request: PairingRequest) -> PairingRequest:
    return (
        PairingRequest.objects.in_organization(request.organization_id)
        .select_for_update()
        .select_related("program", "requester__person", "recipient__person")
        .get(pk=request.pk)
    )
