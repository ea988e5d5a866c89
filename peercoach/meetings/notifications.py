"""What members hear about their meetings: in the inbox, and by email with calendar files.

Messages carry names, times and a link, never anything said or written in a session. Calendar
emails go out from a background task once the change has committed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.urls import reverse

from peercoach.meetings.models import CoachingSession, Meeting
from peercoach.people.models import Person
from peercoach.programs.inbox import inbox_message_send
from peercoach.programs.pairing_models import InboxKind, PairingMember

# Not (yet) among InboxKind's choices: the inbox shows subject and body, never the kind, and the
# column is free text. The lead may add these to InboxKind; nothing here needs to change then.
MEETING_PROPOSED = InboxKind.MEETING_PROPOSED
SESSION_REMINDER = InboxKind.SESSION_REMINDER


def local_text(moment: datetime, zone: str) -> str:
    """'Tuesday 24 November, 10:00 (Europe/Berlin)': a time as one member reads it."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%A} {local.day} {local:%B}, {local:%H:%M} ({zone})"


def proposal_announce(
    *, meeting: Meeting, members: Sequence[PairingMember], by: Person, now: datetime
) -> None:
    """Tell the other members a time was suggested, in their own time zone."""
    link = reverse("meetings:pairing", args=[meeting.pairing_id])
    repeats = " and then on the program's rhythm" if meeting.recurrence_rule else ""
    for member in members:
        if member.person_id == by.pk:
            continue
        when = local_text(meeting.starts_at, member.enrollment.timezone)
        inbox_message_send(
            recipient=member.person,
            kind=MEETING_PROPOSED,
            subject=f"{by.full_name} suggested a time to meet",
            body=f"{by.full_name} suggested {when}{repeats}. Does it suit you? Confirm it or "
            "suggest another time on your meetings page.",
            link=link,
            now=now,
        )


def calendar_update_send(*, meeting: Meeting) -> None:
    """Queue the meeting's current calendar file for every member, once the change commits."""
    from peercoach.meetings.tasks import meeting_calendar_email

    meeting_id, sequence = meeting.pk, meeting.calendar_sequence
    transaction.on_commit(lambda: meeting_calendar_email.enqueue(meeting_id, sequence))


def session_reminder_send(
    *, session: CoachingSession, members: Sequence[PairingMember], now: datetime
) -> None:
    link = reverse("meetings:session", args=[session.pk])
    for member in members:
        others = [m.person.full_name for m in members if m.person_id != member.person_id]
        when = local_text(session.starts_at, member.enrollment.timezone)
        inbox_message_send(
            recipient=member.person,
            kind=SESSION_REMINDER,
            subject="Your peer coaching session is coming up",
            body=f"A reminder: you meet {', '.join(others)} on {when}. "
            "A few minutes to think about what you'd like to bring helps a lot.",
            link=link,
            now=now,
        )
