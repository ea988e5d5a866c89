"""iCalendar files for meetings (RFC 5545 / iTIP).

One UID per meeting for its whole life; every change raises the sequence, so calendars replace
their copy. A cancellation is the same event with METHOD:CANCEL. The files carry names, times and
a link, never anything said or written in a session.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vRecur

from peercoach.meetings.models import Meeting, MeetingStatus
from peercoach.people.models import Person

PRODUCT_ID = "-//peercoach//meetings//EN"


def calendar_method(meeting: Meeting) -> str:
    return "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"


def calendar_file(
    *, meeting: Meeting, people: Sequence[Person], program_name: str, now: datetime | None = None
) -> bytes:
    """The meeting as an .ics file: an invitation, an update, or a cancellation."""
    method = calendar_method(meeting)
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(_event(meeting, people, program_name, now or timezone.now()))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def _event(meeting: Meeting, people: Sequence[Person], program_name: str, now: datetime) -> Event:
    zone = ZoneInfo(meeting.timezone)
    starts_at = meeting.starts_at.astimezone(zone)
    event = Event()
    event.add("uid", meeting.calendar_uid)
    event.add("sequence", meeting.calendar_sequence)
    event.add("dtstamp", now.astimezone(UTC))
    # With the zone attached, icalendar writes DTSTART;TZID=…, so the local time is kept.
    event.add("dtstart", starts_at)
    event.add("dtend", starts_at + timedelta(minutes=meeting.duration_minutes))
    if meeting.recurrence_rule:
        event.add("rrule", vRecur.from_ical(meeting.recurrence_rule))
    event.add("summary", f"Peer coaching ({program_name})")
    link = settings.SITE_URL + reverse("meetings:pairing", args=[meeting.pairing_id])
    event.add("description", f"Your peer coaching meeting. Details: {link}")
    event.add("url", link)
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = next((p for p in people if p.pk == meeting.proposed_by_id), None)
    if organizer is not None:
        event.add("organizer", _address(organizer))
    for person in people:
        attendee = _address(person)
        attendee.params["role"] = "REQ-PARTICIPANT"
        if not cancelled:
            attendee.params["partstat"] = "ACCEPTED"  # everyone confirmed before we invite
        event.add("attendee", attendee)
    return event


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = person.full_name
    return address
