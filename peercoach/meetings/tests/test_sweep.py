"""Reminders and the sessions kept ready ahead, on a clock the tests set."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from peercoach.meetings.models import CoachingSession, SessionStatus
from peercoach.meetings.services import SESSIONS_AHEAD, meeting_confirm, meeting_propose
from peercoach.meetings.sweep import meeting_reminders_send, meetings_sweep, sessions_top_up
from peercoach.meetings.tests.conftest import a_slot
from peercoach.programs.inbox import inbox_messages
from peercoach.programs.pairing_services import pairing_leave
from peercoach.programs.sweep import pairings_sweep
from peercoach.testing.coaching import confirmed_session


def _reminders(person):
    return inbox_messages(person=person).filter(kind="session_reminder")


def test_members_are_reminded_a_day_ahead_once(personas, pairing) -> None:
    starts_at = timezone.now().replace(microsecond=0) + timedelta(days=3)
    session = confirmed_session(pairing, starts_at=starts_at)
    too_early = starts_at - timedelta(hours=25)
    assert meeting_reminders_send(organization=personas.acme, now=too_early) == 0

    a_day_ahead = starts_at - timedelta(hours=23)
    assert meeting_reminders_send(organization=personas.acme, now=a_day_ahead) == 1
    assert meeting_reminders_send(organization=personas.acme, now=a_day_ahead) == 0
    later = starts_at - timedelta(hours=1)
    assert meeting_reminders_send(organization=personas.acme, now=later) == 0

    for person, other in [(personas.pia_person, "Cole League"), (personas.colleague, "Pia")]:
        [reminder] = _reminders(person)
        assert other in reminder.body
        assert reminder.link == f"/meetings/sessions/{session.pk}/"
    session.refresh_from_db()
    assert session.reminded_at == a_day_ahead


def test_the_whole_sweep_sends_reminders_and_emails_them(
    personas, pairing, django_capture_on_commit_callbacks
) -> None:
    starts_at = timezone.now().replace(microsecond=0) + timedelta(hours=30)
    confirmed_session(pairing, starts_at=starts_at)
    with django_capture_on_commit_callbacks(execute=True):
        pairings_sweep(now=starts_at - timedelta(hours=12))
    subjects = [m.subject for m in mail.outbox]
    assert subjects.count("Your peer coaching session is coming up") == 2


def test_cancelled_sessions_and_ended_pairings_get_no_reminder(personas, pairing) -> None:
    starts_at = timezone.now().replace(microsecond=0) + timedelta(hours=10)
    cancelled = confirmed_session(pairing, starts_at=starts_at)
    CoachingSession.all_organizations.filter(pk=cancelled.pk).update(status=SessionStatus.CANCELLED)
    assert meeting_reminders_send(organization=personas.acme) == 0
    confirmed_session(pairing, starts_at=starts_at + timedelta(hours=1))
    pairing_leave(pairing=pairing, by=personas.colleague)
    assert meeting_reminders_send(organization=personas.acme) == 0


def test_the_sweep_keeps_the_next_few_sessions_of_a_series_ready(personas, pairing) -> None:
    meeting = meeting_propose(
        pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing), recurring=True
    )
    meeting_confirm(meeting=meeting, by=personas.colleague)
    sessions = CoachingSession.objects.in_organization(personas.acme).filter(meeting=meeting)
    first = sessions.order_by("starts_at").first()
    assert first is not None
    assert sessions_top_up(organization=personas.acme) == 0  # already ready

    # Three weeks on, two sessions have passed: two more are added, no duplicates.
    later = first.starts_at + timedelta(weeks=3, hours=1)
    assert meetings_sweep(organization=personas.acme, now=later).sessions_added == 2
    assert sessions.filter(starts_at__gt=later).count() == SESSIONS_AHEAD
    assert meetings_sweep(organization=personas.acme, now=later).sessions_added == 0


def test_a_suggested_time_that_passed_unconfirmed_lapses(personas, pairing) -> None:
    starts_at = a_slot(pairing)
    meeting = meeting_propose(pairing=pairing, by=personas.pia_person, starts_at=starts_at)
    assert meetings_sweep(organization=personas.acme, now=starts_at).proposals_lapsed == 1
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"
    assert meetings_sweep(organization=personas.acme, now=starts_at).proposals_lapsed == 0


def test_when_a_pairing_ends_its_meetings_leave_everyones_calendar(
    personas, pairing, django_capture_on_commit_callbacks
) -> None:
    from icalendar import Calendar

    meeting = meeting_propose(
        pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing), recurring=True
    )
    meeting_confirm(meeting=meeting, by=personas.colleague)
    pairing_leave(pairing=pairing, by=personas.colleague)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = meetings_sweep(organization=personas.acme)
    assert result.meetings_called_off == 1
    meeting.refresh_from_db()
    assert (meeting.status, meeting.calendar_sequence) == ("cancelled", 1)
    files = [Calendar.from_ical(a.content) for m in mail.outbox for a in m.attachments]
    assert [str(c["METHOD"]) for c in files] == ["CANCEL", "CANCEL"]
    sessions = CoachingSession.objects.in_organization(personas.acme).filter(meeting=meeting)
    assert not sessions.filter(status=SessionStatus.SCHEDULED).exists()
    assert meetings_sweep(organization=personas.acme).meetings_called_off == 0
