"""Background work for meetings: emailing calendar files."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.tasks import task
from django.urls import reverse

from peercoach.meetings import selectors
from peercoach.meetings.invitations import calendar_file, calendar_method
from peercoach.meetings.models import Meeting, MeetingStatus
from peercoach.meetings.notifications import local_text


@task
def meeting_calendar_email(meeting_id: int, sequence: int) -> int:
    """Email each member the meeting's calendar file as of `sequence`; returns emails sent.

    When the meeting has changed again since, this copy is skipped: the newer change queued its
    own, and a calendar only needs the latest.
    """
    meeting = (
        Meeting.all_organizations.select_related("pairing__program").filter(pk=meeting_id).first()
    )
    if meeting is None or meeting.calendar_sequence != sequence:
        return 0
    cancelled = meeting.status == MeetingStatus.CANCELLED
    members = selectors.members_of(meeting.pairing, include_left=cancelled)
    people = [m.person for m in members]
    program_name = meeting.pairing.program.name
    ics = calendar_file(meeting=meeting, people=people, program_name=program_name)
    method = calendar_method(meeting)
    link = settings.SITE_URL + reverse("meetings:pairing", args=[meeting.pairing_id])
    sent = 0
    for member in members:
        if not member.person.email:
            continue
        others = ", ".join(p.full_name for p in people if p.pk != member.person_id)
        when = local_text(meeting.starts_at, member.enrollment.timezone)
        subject, opening = _wording(meeting, others, when)
        email = EmailMessage(
            subject=subject,
            body=f"{opening}\n\nThe calendar file is attached. Details: {link}\n",
            to=[member.person.email],
        )
        email.attach("peer-coaching.ics", ics, f"text/calendar; charset=utf-8; method={method}")
        email.send()
        sent += 1
    return sent


def _wording(meeting: Meeting, others: str, when: str) -> tuple[str, str]:
    if meeting.status == MeetingStatus.CANCELLED:
        return "Cancelled: peer coaching", f"Your meeting with {others} on {when} is cancelled."
    if meeting.calendar_sequence > 0:
        return "Moved: peer coaching", f"Your meeting with {others} now starts {when}."
    repeats = ", then on the program's rhythm" if meeting.recurrence_rule else ""
    return "Confirmed: peer coaching", f"You meet {others} on {when}{repeats}."
