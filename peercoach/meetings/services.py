"""Writes for meetings: propose, confirm, withdraw, reschedule, cancel; sessions; attendance.

Consent: a proposed time becomes a meeting only once every member said yes (for a group too:
a time binds everyone it invites). Once confirmed, any member may move or cancel it; everyone
gets the update as a calendar file with the same UID and a higher sequence.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from peercoach.core.errors import RefusedError
from peercoach.meetings import selectors
from peercoach.meetings.models import (
    AttendanceOutcome,
    CoachingSession,
    Meeting,
    MeetingConfirmation,
    MeetingStatus,
    SessionAttendance,
    SessionStatus,
)
from peercoach.meetings.notifications import (
    calendar_update_send,
    proposal_announce,
)
from peercoach.meetings.recurrence import occurrences, recurrence_rule
from peercoach.meetings.slots import fits
from peercoach.people.models import Person
from peercoach.programs.pairing_models import Pairing, PairingMember, PairingStatus

# Sessions kept ready ahead of time for a recurring meeting; the hourly sweep tops them up.
SESSIONS_AHEAD = 4


class MeetingError(RefusedError):
    """A meeting change was refused; `message` is written for the person who asked."""


def meeting_propose(
    *,
    pairing: Pairing,
    by: Person,
    starts_at: datetime,
    recurring: bool = False,
    now: datetime | None = None,
) -> Meeting:
    """Suggest a time to the other members; the proposer's own yes counts already."""
    now = now or timezone.now()
    members = _members_for_change(pairing, by)
    _check_time(pairing, members, starts_at, now)
    proposer_zone = _member(members, by).enrollment.timezone
    program = pairing.program
    rule = ""
    if recurring:
        rule = recurrence_rule(
            cadence_rule=program.cadence_rule, ends_on=program.ends_on, timezone=proposer_zone
        )
    with transaction.atomic():
        meeting = Meeting.objects.create(
            organization_id=pairing.organization_id,
            pairing=pairing,
            proposed_by=by,
            starts_at=starts_at,
            duration_minutes=program.meeting_minutes,
            timezone=proposer_zone,
            recurrence_rule=rule,
        )
        _confirmation(meeting, by, now)
        proposal_announce(meeting=meeting, members=members, by=by, now=now)
    return meeting


def meeting_confirm(*, meeting: Meeting, by: Person, now: datetime | None = None) -> Meeting:
    """Say yes to a proposed time; the last yes confirms it and sends everyone the invitation."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked(meeting)
        members = _members_for_change(meeting.pairing, by)
        if meeting.status != MeetingStatus.PROPOSED:
            raise MeetingError(_ALREADY[meeting.status])
        if meeting.starts_at <= now:
            raise MeetingError("That time has already passed. Please suggest a new one.")
        _confirmation(meeting, by, now)
        agreed = set(
            MeetingConfirmation.objects.in_organization(meeting.organization_id)
            .filter(meeting=meeting)
            .values_list("person_id", flat=True)
        )
        if all(m.person_id in agreed for m in members):
            meeting.status = MeetingStatus.CONFIRMED
            meeting.confirmed_at = now
            meeting.save(update_fields=["status", "confirmed_at"])
            sessions_materialize(meeting=meeting, now=now)
            calendar_update_send(meeting=meeting)
    return meeting


def meeting_withdraw(*, meeting: Meeting, by: Person, now: datetime | None = None) -> Meeting:
    """The proposer takes back a suggestion nobody has confirmed yet."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked(meeting)
        _members_for_change(meeting.pairing, by)
        if meeting.proposed_by_id != by.pk:
            raise MeetingError("Only the person who suggested this time can withdraw it.")
        if meeting.status != MeetingStatus.PROPOSED:
            raise MeetingError(_ALREADY[meeting.status])
        meeting.status = MeetingStatus.CANCELLED
        meeting.cancelled_at = now
        meeting.save(update_fields=["status", "cancelled_at"])
    return meeting


def meeting_reschedule(
    *, meeting: Meeting, by: Person, starts_at: datetime, now: datetime | None = None
) -> Meeting:
    """Move a confirmed meeting (a series from its next occurrence on) to a new time."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked(meeting)
        members = _members_for_change(meeting.pairing, by)
        if meeting.status != MeetingStatus.CONFIRMED:
            raise MeetingError("Only a confirmed meeting can be moved. Suggest a new time instead.")
        _check_time(meeting.pairing, members, starts_at, now)
        zone = _member(members, by).enrollment.timezone
        if meeting.recurrence_rule:
            program = meeting.pairing.program
            meeting.recurrence_rule = recurrence_rule(
                cadence_rule=program.cadence_rule, ends_on=program.ends_on, timezone=zone
            )
        meeting.starts_at = starts_at
        meeting.timezone = zone
        meeting.calendar_sequence += 1
        meeting.save(
            update_fields=["starts_at", "timezone", "recurrence_rule", "calendar_sequence"]
        )
        _cancel_future_sessions(meeting, now)
        sessions_materialize(meeting=meeting, now=now)
        calendar_update_send(meeting=meeting)
    return meeting


def meeting_cancel(*, meeting: Meeting, by: Person, now: datetime | None = None) -> Meeting:
    """Call off a meeting (or say no to a proposal). Confirmed ones send a cancellation."""
    now = now or timezone.now()
    with transaction.atomic():
        meeting = _locked(meeting)
        _members_for_change(meeting.pairing, by)
        if meeting.status == MeetingStatus.CANCELLED:
            raise MeetingError(_ALREADY[meeting.status])
        _call_off(meeting, now)
    return meeting


def meetings_of_ended_pairing_cancel(*, pairing: Pairing, now: datetime | None = None) -> int:
    """When a pairing has ended, its meetings leave everyone's calendar. Returns how many."""
    now = now or timezone.now()
    if pairing.status in (PairingStatus.ACTIVE, PairingStatus.PAUSED):
        return 0
    cancelled = 0
    with transaction.atomic():
        open_meetings = (
            Meeting.objects.in_organization(pairing.organization_id)
            .select_for_update()
            .filter(pairing=pairing, status__in=[MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED])
        )
        for meeting in open_meetings:
            _call_off(meeting, now)
            cancelled += 1
    return cancelled


def _call_off(meeting: Meeting, now: datetime) -> None:
    was_confirmed = meeting.status == MeetingStatus.CONFIRMED
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancelled_at = now
    if was_confirmed:
        meeting.calendar_sequence += 1
    meeting.save(update_fields=["status", "cancelled_at", "calendar_sequence"])
    _cancel_future_sessions(meeting, now)
    if was_confirmed:
        calendar_update_send(meeting=meeting)


def sessions_materialize(*, meeting: Meeting, now: datetime | None = None) -> int:
    """Make sure the next few occurrences of a confirmed meeting exist as sessions.

    Returns how many sessions were added (or brought back after a move back to a cancelled time).
    Safe to run again and again: the database allows one session per meeting and start.
    """
    now = now or timezone.now()
    if meeting.status != MeetingStatus.CONFIRMED:
        return 0
    starts = occurrences(
        starts_at=meeting.starts_at,
        timezone=meeting.timezone,
        rule=meeting.recurrence_rule,
        after=now,
        limit=SESSIONS_AHEAD,
    )
    sessions = CoachingSession.objects.in_organization(meeting.organization_id)
    existing = {s.starts_at: s for s in sessions.filter(meeting=meeting, starts_at__in=starts)}
    added = 0
    length = timedelta(minutes=meeting.duration_minutes)
    for start in starts:
        session = existing.get(start)
        if session is None:
            sessions.create(
                organization_id=meeting.organization_id,
                pairing_id=meeting.pairing_id,
                meeting=meeting,
                starts_at=start,
                ends_at=start + length,
            )
            added += 1
        elif session.status == SessionStatus.CANCELLED:
            sessions.filter(pk=session.pk).update(
                status=SessionStatus.SCHEDULED, ends_at=start + length, reminded_at=None
            )
            added += 1
    return added


def attendance_record(
    *,
    session: CoachingSession,
    by: Person,
    outcome: str,
    rating: int | None = None,
    now: datetime | None = None,
) -> SessionAttendance:
    """One member's private account of a session: did it happen, and (optionally) how useful."""
    now = now or timezone.now()
    if not selectors.is_member(session.pairing, by):
        raise MeetingError("Only the people in this session can say how it went.")
    if session.status == SessionStatus.CANCELLED:
        raise MeetingError("This session was cancelled, so there is nothing to mark.")
    if session.starts_at > now:
        raise MeetingError("You can say how it went once the session has started.")
    if outcome not in AttendanceOutcome.values:
        raise MeetingError(
            "Please choose whether you met, moved it, or didn't meet.", field="outcome"
        )
    if rating is not None and not 1 <= rating <= 5:
        raise MeetingError("A rating goes from 1 to 5.", field="rating")
    with transaction.atomic():
        attendance, _ = SessionAttendance.objects.in_organization(
            session.organization_id
        ).update_or_create(
            session=session,
            person=by,
            defaults={"outcome": outcome, "rating": rating, "recorded_at": now},
            create_defaults={
                "organization_id": session.organization_id,
                "outcome": outcome,
                "rating": rating,
                "recorded_at": now,
            },
        )
        if outcome == AttendanceOutcome.HELD:
            # Only ever forward: marking an older session doesn't make a pair look quieter.
            Pairing.objects.in_organization(session.organization_id).filter(
                Q(last_met_at__isnull=True) | Q(last_met_at__lt=session.starts_at),
                pk=session.pairing_id,
            ).update(last_met_at=session.starts_at)
    return attendance


# ---------------------------------------------------------------------------------------------

_ALREADY: dict[str, str] = {
    MeetingStatus.PROPOSED: "This time hasn't been confirmed yet.",
    MeetingStatus.CONFIRMED: "This meeting is already confirmed.",
    MeetingStatus.CANCELLED: "This meeting was already called off.",
}


def _locked(meeting: Meeting) -> Meeting:
    """The meeting, re-read under a row lock so two members' clicks don't cross."""
    return (
        Meeting.objects.in_organization(meeting.organization_id)
        .select_for_update()
        .select_related("pairing__program")
        .get(pk=meeting.pk)
    )


def _members_for_change(pairing: Pairing, by: Person) -> list[PairingMember]:
    members = selectors.members_of(pairing)
    if not any(m.person_id == by.pk for m in members):
        raise MeetingError("Only the people in this pairing can arrange its meetings.")
    if pairing.status != PairingStatus.ACTIVE:
        raise MeetingError("Meetings can be arranged while the pairing is active.")
    return members


def _member(members: list[PairingMember], person: Person) -> PairingMember:
    return next(m for m in members if m.person_id == person.pk)


def _check_time(
    pairing: Pairing, members: list[PairingMember], starts_at: datetime, now: datetime
) -> None:
    if starts_at <= now:
        raise MeetingError("Please pick a time in the future.", field="slot")
    program = pairing.program
    if timezone.localdate(starts_at) > program.ends_on:
        raise MeetingError(
            "That is after the program ends. Please pick an earlier time.", field="slot"
        )
    outside = [
        m.person.full_name
        for m in members
        if not fits(selectors.member_hours(m), starts_at, program.meeting_minutes)
    ]
    if outside:
        raise MeetingError(
            f"That time is outside the working hours of {', '.join(outside)}. "
            "Please pick one of the times offered.",
            field="slot",
        )


def _confirmation(meeting: Meeting, person: Person, now: datetime) -> None:
    MeetingConfirmation.objects.in_organization(meeting.organization_id).get_or_create(
        meeting=meeting,
        person=person,
        defaults={"organization_id": meeting.organization_id, "confirmed_at": now},
    )


def _cancel_future_sessions(meeting: Meeting, now: datetime) -> None:
    CoachingSession.objects.in_organization(meeting.organization_id).filter(
        meeting=meeting, status=SessionStatus.SCHEDULED, starts_at__gt=now
    ).update(status=SessionStatus.CANCELLED)
