from __future__ import annotations

import itertools
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from peercoach.meetings.models import (
    CoachingSession,
    Meeting,
    MeetingStatus,
    SessionAttendance,
    SessionStatus,
)
from peercoach.meetings.services import (
    SESSIONS_AHEAD,
    MeetingError,
    attendance_record,
    meeting_cancel,
    meeting_confirm,
    meeting_propose,
    meeting_reschedule,
    meeting_withdraw,
)
from peercoach.meetings.tests.conftest import a_slot, a_stranger, enroll, on
from peercoach.programs.inbox import inbox_messages
from peercoach.programs.pairing_services import pairing_pause
from peercoach.testing.coaching import active_pairing, confirmed_session


def _sessions(meeting: Meeting):
    return CoachingSession.objects.in_organization(meeting.organization_id).filter(meeting=meeting)


def test_a_proposal_waits_for_the_others_and_tells_them(personas, pairing) -> None:
    meeting = meeting_propose(pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing))
    assert meeting.status == MeetingStatus.PROPOSED
    assert meeting.timezone == "Europe/Berlin"
    assert not _sessions(meeting).exists()
    [message] = inbox_messages(person=personas.colleague).filter(kind="meeting_proposed")
    assert "Pia Participant suggested" in message.subject
    assert "(Europe/Berlin)" in message.body
    assert not inbox_messages(person=personas.pia_person).filter(kind="meeting_proposed").exists()


def test_the_others_yes_confirms_it_and_books_the_session(personas, pairing) -> None:
    starts_at = a_slot(pairing)
    meeting = meeting_propose(pairing=pairing, by=personas.pia_person, starts_at=starts_at)
    meeting = meeting_confirm(meeting=meeting, by=personas.colleague)
    assert meeting.status == MeetingStatus.CONFIRMED
    [session] = _sessions(meeting)
    assert session.starts_at == starts_at
    assert session.ends_at == starts_at + timedelta(minutes=pairing.program.meeting_minutes)


def test_a_recurring_meeting_books_the_next_few_sessions_on_the_programs_cadence(
    personas, pairing
) -> None:
    starts_at = a_slot(pairing)
    meeting = meeting_propose(
        pairing=pairing, by=personas.pia_person, starts_at=starts_at, recurring=True
    )
    assert meeting.recurrence_rule.startswith("FREQ=WEEKLY;INTERVAL=2;UNTIL=")
    meeting_confirm(meeting=meeting, by=personas.colleague)
    starts = [s.starts_at for s in _sessions(meeting).order_by("starts_at")]
    assert len(starts) == SESSIONS_AHEAD
    # Two weeks apart in Berlin wall-clock time (the UTC hour may shift with summer time).
    local = [s.astimezone(ZoneInfo("Europe/Berlin")) for s in starts]
    assert all((b.date() - a.date()).days == 14 for a, b in itertools.pairwise(local))
    assert {(m.hour, m.minute) for m in local} == {(local[0].hour, local[0].minute)}


def test_in_a_group_everyone_must_confirm(personas, program) -> None:
    third = a_stranger(personas)
    group = active_pairing(program, [personas.pia_person, personas.colleague, third])
    meeting = meeting_propose(pairing=group, by=personas.pia_person, starts_at=a_slot(group))
    meeting = meeting_confirm(meeting=meeting, by=personas.colleague)
    assert meeting.status == MeetingStatus.PROPOSED
    meeting = meeting_confirm(meeting=meeting, by=third)
    assert meeting.status == MeetingStatus.CONFIRMED


def test_only_times_inside_everyones_working_hours_are_accepted(personas, program) -> None:
    enroll(program, personas.pia_person, working_hours_start=9, working_hours_end=12)
    enroll(program, personas.colleague, working_hours_start=13, working_hours_end=17)
    pairing = active_pairing(program, [personas.pia_person, personas.colleague])
    monday = timezone.localdate() + timedelta(days=7 - timezone.localdate().weekday())
    with pytest.raises(MeetingError) as refused:
        meeting_propose(pairing=pairing, by=personas.pia_person, starts_at=on(monday, 9))
    assert refused.value.message.startswith("That time is outside the working hours of")
    assert "Cole League" in refused.value.message
    assert refused.value.field == "slot"
    assert not Meeting.objects.in_organization(personas.acme).exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [(-1, "Please pick a time in the future."), (400, "That is after the program ends.")],
)
def test_times_in_the_past_or_after_the_program_are_refused(personas, pairing, days, message):
    with pytest.raises(MeetingError, match=message):
        meeting_propose(
            pairing=pairing,
            by=personas.pia_person,
            starts_at=timezone.now() + timedelta(days=days),
        )


def test_people_outside_the_pairing_cannot_arrange_its_meetings(personas, pairing) -> None:
    with pytest.raises(MeetingError, match="Only the people in this pairing"):
        meeting_propose(pairing=pairing, by=a_stranger(personas), starts_at=a_slot(pairing))


def test_a_paused_pairing_cannot_arrange_meetings(personas, pairing) -> None:
    pairing_pause(pairing=pairing, by=personas.colleague)
    pairing.refresh_from_db()
    with pytest.raises(MeetingError, match="while the pairing is active"):
        meeting_propose(pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing))


def test_only_the_proposer_withdraws_and_only_before_confirmation(personas, pairing) -> None:
    meeting = meeting_propose(pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing))
    with pytest.raises(MeetingError, match="Only the person who suggested"):
        meeting_withdraw(meeting=meeting, by=personas.colleague)
    meeting = meeting_withdraw(meeting=meeting, by=personas.pia_person)
    assert meeting.status == MeetingStatus.CANCELLED
    with pytest.raises(MeetingError, match="already called off"):
        meeting_confirm(meeting=meeting, by=personas.colleague)


def test_rescheduling_moves_the_sessions_and_raises_the_sequence(personas, pairing) -> None:
    meeting = meeting_propose(pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing))
    meeting = meeting_confirm(meeting=meeting, by=personas.colleague)
    new_time = a_slot(pairing, index=5)
    meeting = meeting_reschedule(meeting=meeting, by=personas.colleague, starts_at=new_time)
    assert meeting.calendar_sequence == 1
    upcoming = _sessions(meeting).filter(status=SessionStatus.SCHEDULED)
    assert [s.starts_at for s in upcoming] == [new_time]
    assert _sessions(meeting).filter(status=SessionStatus.CANCELLED).count() == 1


def test_cancelling_calls_off_the_sessions_to_come(personas, pairing) -> None:
    meeting = meeting_propose(
        pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing), recurring=True
    )
    meeting = meeting_confirm(meeting=meeting, by=personas.colleague)
    meeting = meeting_cancel(meeting=meeting, by=personas.colleague)
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.calendar_sequence == 1
    assert not _sessions(meeting).exclude(status=SessionStatus.CANCELLED).exists()


def test_saying_no_to_a_proposal_cancels_it_without_a_new_sequence(personas, pairing) -> None:
    meeting = meeting_propose(pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing))
    meeting = meeting_cancel(meeting=meeting, by=personas.colleague)
    assert meeting.status == MeetingStatus.CANCELLED
    assert meeting.calendar_sequence == 0


# ---------------------------------------------------------------------------------------------
# Attendance


def test_marking_a_session_held_records_when_the_pair_last_met(personas, pairing) -> None:
    session = confirmed_session(pairing, starts_at=timezone.now() - timedelta(hours=2))
    attendance = attendance_record(
        session=session, by=personas.pia_person, outcome="held", rating=4
    )
    assert (attendance.outcome, attendance.rating) == ("held", 4)
    pairing.refresh_from_db()
    assert pairing.last_met_at == session.starts_at


def test_an_older_session_never_moves_last_met_backwards(personas, pairing) -> None:
    recent = confirmed_session(pairing, starts_at=timezone.now() - timedelta(hours=2))
    older = confirmed_session(pairing, starts_at=timezone.now() - timedelta(days=15))
    attendance_record(session=recent, by=personas.pia_person, outcome="held")
    attendance_record(session=older, by=personas.pia_person, outcome="held")
    pairing.refresh_from_db()
    assert pairing.last_met_at == recent.starts_at


def test_a_missed_session_does_not_count_as_meeting(personas, pairing) -> None:
    session = confirmed_session(pairing, starts_at=timezone.now() - timedelta(hours=2))
    attendance_record(session=session, by=personas.pia_person, outcome="missed")
    pairing.refresh_from_db()
    assert pairing.last_met_at is None


def test_each_member_keeps_one_mark_which_they_may_change(personas, pairing) -> None:
    session = confirmed_session(pairing, starts_at=timezone.now() - timedelta(hours=2))
    attendance_record(session=session, by=personas.pia_person, outcome="missed")
    attendance_record(session=session, by=personas.pia_person, outcome="held", rating=5)
    attendance_record(session=session, by=personas.colleague, outcome="rescheduled")
    marks = SessionAttendance.objects.in_organization(personas.acme).order_by("person__full_name")
    assert [(a.person.full_name, a.outcome, a.rating) for a in marks] == [
        ("Cole League", "rescheduled", None),
        ("Pia Participant", "held", 5),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"rating": 6}, "A rating goes from 1 to 5."),
        ({"rating": 0}, "A rating goes from 1 to 5."),
        ({"outcome": "maybe"}, "Please choose whether you met"),
    ],
)
def test_bad_marks_are_refused_clearly(personas, pairing, change, message) -> None:
    session = confirmed_session(pairing, starts_at=timezone.now() - timedelta(hours=2))
    arguments = {"outcome": "held", "rating": None, **change}
    with pytest.raises(MeetingError, match=message):
        attendance_record(session=session, by=personas.pia_person, **arguments)
    assert not SessionAttendance.objects.in_organization(personas.acme).exists()


def test_a_session_cannot_be_marked_before_it_starts(personas, pairing) -> None:
    session = confirmed_session(pairing)
    with pytest.raises(MeetingError, match="once the session has started"):
        attendance_record(session=session, by=personas.pia_person, outcome="held")


def test_only_members_mark_a_session(personas, pairing) -> None:
    session = confirmed_session(pairing, starts_at=timezone.now() - timedelta(hours=2))
    with pytest.raises(MeetingError, match="Only the people in this session"):
        attendance_record(session=session, by=a_stranger(personas), outcome="held")
