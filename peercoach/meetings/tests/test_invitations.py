"""The calendar files: they parse, keep one UID, and raise the sequence with every change."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from icalendar import Calendar

from peercoach.meetings.services import (
    meeting_cancel,
    meeting_confirm,
    meeting_propose,
    meeting_reschedule,
)
from peercoach.meetings.tests.conftest import a_slot


def _calendars(messages) -> list[tuple[str, Calendar]]:
    """(recipient, parsed .ics) for every calendar attachment in `messages`."""
    found = []
    for message in messages:
        for attachment in message.attachments:
            assert attachment.mimetype.startswith("text/calendar")
            found.append((message.to[0], Calendar.from_ical(attachment.content)))
    return found


def _event(calendar: Calendar):
    [event] = calendar.walk("VEVENT")
    return event


def test_confirm_reschedule_cancel_keep_the_uid_and_raise_the_sequence(
    personas, pairing, django_capture_on_commit_callbacks
) -> None:
    meeting = meeting_propose(
        pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing), recurring=True
    )
    assert mail.outbox == [m for m in mail.outbox if not m.attachments]  # no file before a yes
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        meeting_confirm(meeting=meeting, by=personas.colleague)
    invitations = _calendars(mail.outbox)
    mail.outbox.clear()
    new_time = a_slot(pairing, index=3)
    with django_capture_on_commit_callbacks(execute=True):
        meeting_reschedule(meeting=meeting, by=personas.colleague, starts_at=new_time)
    updates = _calendars(mail.outbox)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_cancel(meeting=meeting, by=personas.pia_person)
    cancellations = _calendars(mail.outbox)

    everyone = sorted([personas.pia_person.email, personas.colleague.email])
    for batch in (invitations, updates, cancellations):
        assert sorted(to for to, _ in batch) == everyone
    uids = {str(_event(c)["UID"]) for _, c in invitations + updates + cancellations}
    assert uids == {meeting.calendar_uid}
    assert [c["METHOD"] for _, c in (invitations[0], updates[0], cancellations[0])] == [
        "REQUEST",
        "REQUEST",
        "CANCEL",
    ]
    assert [_event(c)["SEQUENCE"] for _, c in (invitations[0], updates[0], cancellations[0])] == [
        0,
        1,
        2,
    ]
    assert _event(updates[0][1]).decoded("DTSTART") == new_time
    assert str(_event(cancellations[0][1])["STATUS"]) == "CANCELLED"


def test_an_invitation_names_the_zone_the_rule_and_everyone_invited(
    personas, pairing, django_capture_on_commit_callbacks
) -> None:
    starts_at = a_slot(pairing)
    meeting = meeting_propose(
        pairing=pairing, by=personas.pia_person, starts_at=starts_at, recurring=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        meeting_confirm(meeting=meeting, by=personas.colleague)
    [(_, calendar), *_] = _calendars(mail.outbox)
    event = _event(calendar)
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert event.decoded("DTSTART") == starts_at
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=60)
    assert event["RRULE"]["FREQ"] == ["WEEKLY"]
    assert event["RRULE"]["INTERVAL"] == [2]
    assert str(event["ORGANIZER"]) == f"mailto:{personas.pia_person.email}"
    attendees = sorted(str(a) for a in event["ATTENDEE"])
    assert attendees == sorted(
        f"mailto:{p.email}" for p in (personas.pia_person, personas.colleague)
    )
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]


def test_the_recurrence_in_the_file_expands_to_the_same_local_times_as_the_sessions(
    personas, pairing, django_capture_on_commit_callbacks
) -> None:
    from zoneinfo import ZoneInfo

    from peercoach.meetings.models import CoachingSession

    meeting = meeting_propose(
        pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing), recurring=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        meeting_confirm(meeting=meeting, by=personas.colleague)
    [(_, calendar), *_] = _calendars(mail.outbox)
    event = _event(calendar)
    from dateutil.rrule import rrulestr  # type: ignore[import-untyped]

    rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=event.decoded("DTSTART"))
    sessions = CoachingSession.objects.in_organization(personas.acme).filter(meeting=meeting)
    berlin = ZoneInfo("Europe/Berlin")
    expected = [f"{s.starts_at.astimezone(berlin):%Y-%m-%d %H:%M}" for s in sessions]
    assert [f"{d.astimezone(berlin):%Y-%m-%d %H:%M}" for d in rule[: len(expected)]] == expected


def test_emails_carry_names_times_and_a_link_only(
    personas, pairing, django_capture_on_commit_callbacks
) -> None:
    meeting = meeting_propose(pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_confirm(meeting=meeting, by=personas.colleague)
    to_pia = next(m for m in mail.outbox if m.to == [personas.pia_person.email])
    assert to_pia.subject == "Confirmed: peer coaching"
    assert "You meet Cole League on" in to_pia.body
    assert f"/meetings/peers/{pairing.pk}/" in to_pia.body


def test_the_download_link_serves_the_same_file_to_members(
    personas, pairing, django_capture_on_commit_callbacks
) -> None:
    meeting = meeting_propose(pairing=pairing, by=personas.pia_person, starts_at=a_slot(pairing))
    with django_capture_on_commit_callbacks(execute=True):
        meeting_confirm(meeting=meeting, by=personas.colleague)
    response = personas.client_for(personas.pia).get(f"/meetings/{meeting.pk}/calendar.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    event = _event(Calendar.from_ical(response.content))
    assert str(event["UID"]) == meeting.calendar_uid
