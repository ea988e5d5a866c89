"""Meetings and sessions in the JSON API, always from the caller's point of view.

Only members of a pairing see its meetings; everyone else gets 404. Attendance is written here
but never read back per person: ratings feed group-level figures only.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from peercoach.meetings import selectors, services
from peercoach.meetings.models import CoachingSession, Meeting
from peercoach.meetings.services import MeetingError
from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person
from peercoach.programs.pairing_selectors import pairing_for_member

router = Router(tags=["meetings"])


class LocalTimeOut(Schema):
    name: str
    timezone: str
    starts_at: datetime


class SessionOut(Schema):
    id: int
    pairing_id: int
    meeting_id: int
    program_name: str
    starts_at: datetime
    ends_at: datetime
    status: str
    local_times: list[LocalTimeOut]


class MeetingOut(Schema):
    id: int
    pairing_id: int
    status: str
    starts_at: datetime
    duration_minutes: int
    timezone: str
    recurrence_rule: str
    calendar_uid: str
    calendar_sequence: int
    local_times: list[LocalTimeOut]
    waiting_for: list[str]


class SlotOut(Schema):
    starts_at: datetime
    local_times: list[LocalTimeOut]


class PairingMeetingsOut(Schema):
    meetings: list[MeetingOut]
    offered_slots: list[SlotOut]


class ProposeIn(Schema):
    starts_at: datetime | None = None
    recurring: bool = False


class AttendanceIn(Schema):
    outcome: str = ""
    rating: int | None = None


class AttendanceOut(Schema):
    session_id: int
    outcome: str
    rating: int | None
    recorded_at: datetime


def _participant(request: HttpRequest) -> Person:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    person = membership.person
    if person is None or not membership.has_any_role(Role.PARTICIPANT):
        raise HttpError(403, "Taking part needs a link to your entry in the directory.")
    return person


def _session_out(session: CoachingSession) -> dict[str, object]:
    members = selectors.members_of(session.pairing)
    return {
        "id": session.pk,
        "pairing_id": session.pairing_id,
        "meeting_id": session.meeting_id,
        "program_name": session.pairing.program.name,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "status": session.status,
        "local_times": selectors.local_times_for(members, session.starts_at),
    }


def _meeting_out(meeting: Meeting, person: Person) -> dict[str, object]:
    members = selectors.members_of(meeting.pairing)
    views = selectors.meetings_of_pairing(pairing=meeting.pairing, person=person, members=members)
    view = next((v for v in views if v.meeting.pk == meeting.pk), None)
    return {
        "id": meeting.pk,
        "pairing_id": meeting.pairing_id,
        "status": meeting.status,
        "starts_at": meeting.starts_at,
        "duration_minutes": meeting.duration_minutes,
        "timezone": meeting.timezone,
        "recurrence_rule": meeting.recurrence_rule,
        "calendar_uid": meeting.calendar_uid,
        "calendar_sequence": meeting.calendar_sequence,
        "local_times": selectors.local_times_for(members, meeting.starts_at),
        "waiting_for": list(view.waiting_for) if view else [],
    }


@router.get("/me/sessions", response=list[SessionOut], summary="My upcoming sessions")
def my_sessions(request: HttpRequest) -> list[dict[str, object]]:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    if membership.person is None:
        return []
    return [_session_out(s) for s in selectors.upcoming_sessions(person=membership.person)]


@router.get(
    "/pairings/{pairing_id}/meetings",
    response=PairingMeetingsOut,
    summary="A pairing's meetings and the times that suit everyone",
)
def pairing_meetings(request: HttpRequest, pairing_id: int) -> dict[str, object]:
    person = _participant(request)
    pairing = pairing_for_member(person=person, pairing_id=pairing_id)
    members = selectors.members_of(pairing)
    views = selectors.meetings_of_pairing(pairing=pairing, person=person, members=members)
    slots = selectors.offered_slots(pairing=pairing, members=members)
    return {
        "meetings": [_meeting_out(v.meeting, person) for v in views],
        "offered_slots": [{"starts_at": s.starts_at, "local_times": s.local_times} for s in slots],
    }


@router.post(
    "/pairings/{pairing_id}/meetings",
    response={201: MeetingOut},
    summary="Suggest a time (one of the offered slots)",
)
def meeting_propose(
    request: HttpRequest, pairing_id: int, payload: ProposeIn
) -> Status[dict[str, object]]:
    person = _participant(request)
    pairing = pairing_for_member(person=person, pairing_id=pairing_id)
    if payload.starts_at is None:
        raise HttpError(400, "Say when (starts_at), e.g. one of the offered slots.")
    if timezone.is_naive(payload.starts_at):
        raise HttpError(400, "Give starts_at with its time zone, e.g. 2027-03-16T09:00:00Z.")
    try:
        meeting = services.meeting_propose(
            pairing=pairing, by=person, starts_at=payload.starts_at, recurring=payload.recurring
        )
    except MeetingError as error:
        raise HttpError(409, error.message) from error
    return Status(201, _meeting_out(meeting, person))


def _meeting_change(
    request: HttpRequest, meeting_id: int, change: Callable[..., Meeting]
) -> dict[str, object]:
    person = _participant(request)
    meeting = selectors.meeting_for_member(person=person, meeting_id=meeting_id)
    try:
        changed = change(meeting=meeting, by=person)
    except MeetingError as error:
        raise HttpError(409, error.message) from error
    return _meeting_out(changed, person)


@router.post("/meetings/{meeting_id}/confirm", response=MeetingOut, summary="Confirm a time")
def meeting_confirm(request: HttpRequest, meeting_id: int) -> dict[str, object]:
    return _meeting_change(request, meeting_id, services.meeting_confirm)


@router.post(
    "/meetings/{meeting_id}/cancel", response=MeetingOut, summary="Cancel a meeting or proposal"
)
def meeting_cancel(request: HttpRequest, meeting_id: int) -> dict[str, object]:
    return _meeting_change(request, meeting_id, services.meeting_cancel)


@router.post(
    "/sessions/{session_id}/attendance",
    response=AttendanceOut,
    summary="Say whether a session happened, and rate it privately",
)
def session_attendance(
    request: HttpRequest, session_id: int, payload: AttendanceIn
) -> dict[str, object]:
    person = _participant(request)
    session = selectors.session_for_member(person=person, session_id=session_id)
    try:
        attendance = services.attendance_record(
            session=session, by=person, outcome=payload.outcome, rating=payload.rating
        )
    except MeetingError as error:
        raise HttpError(409, error.message) from error
    return {
        "session_id": session.pk,
        "outcome": attendance.outcome,
        "rating": attendance.rating,
        "recorded_at": attendance.recorded_at,
    }
