"""The meetings' part of the hourly sweep: keep sessions ready ahead, and remind members.

Idempotent: sessions are unique per meeting and start, and each reminder is claimed with a
conditional update on the session ("not yet reminded"), so two sweeps never send it twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from peercoach.meetings import selectors
from peercoach.meetings.models import CoachingSession, Meeting, MeetingStatus, SessionStatus
from peercoach.meetings.notifications import session_reminder_send
from peercoach.meetings.services import meetings_of_ended_pairing_cancel, sessions_materialize
from peercoach.organizations.models import Organization
from peercoach.programs.pairing_models import Pairing, PairingStatus

REMINDER_AHEAD = timedelta(hours=24)


@dataclass
class MeetingsSweepResult:
    sessions_added: int = 0
    reminders_sent: int = 0
    proposals_lapsed: int = 0
    meetings_called_off: int = 0


def meetings_sweep(
    *, organization: Organization, now: datetime | None = None
) -> MeetingsSweepResult:
    now = now or timezone.now()
    return MeetingsSweepResult(
        sessions_added=sessions_top_up(organization=organization, now=now),
        reminders_sent=meeting_reminders_send(organization=organization, now=now),
        proposals_lapsed=proposals_lapse(organization=organization, now=now),
        meetings_called_off=meetings_of_ended_pairings_cancel(organization=organization, now=now),
    )


def meetings_of_ended_pairings_cancel(
    *, organization: Organization, now: datetime | None = None
) -> int:
    """Pairings that ended (someone left, the program finished) take their meetings with them."""
    now = now or timezone.now()
    ended = (
        Pairing.objects.in_organization(organization)
        .filter(
            meetings__status__in=[MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED],
        )
        .exclude(status__in=[PairingStatus.ACTIVE, PairingStatus.PAUSED])
        .distinct()
    )
    return sum(meetings_of_ended_pairing_cancel(pairing=pairing, now=now) for pairing in ended)


def proposals_lapse(*, organization: Organization, now: datetime | None = None) -> int:
    """Suggested times that passed before everyone confirmed are no longer open."""
    now = now or timezone.now()
    return (
        Meeting.objects.in_organization(organization)
        .filter(status=MeetingStatus.PROPOSED, starts_at__lte=now)
        .update(status=MeetingStatus.CANCELLED, cancelled_at=now)
    )


def sessions_top_up(*, organization: Organization, now: datetime | None = None) -> int:
    """Keep the next few sessions of every confirmed recurring meeting of active pairings."""
    now = now or timezone.now()
    recurring = (
        Meeting.objects.in_organization(organization)
        .filter(status=MeetingStatus.CONFIRMED, pairing__status=PairingStatus.ACTIVE)
        .exclude(recurrence_rule="")
    )
    return sum(sessions_materialize(meeting=meeting, now=now) for meeting in recurring)


def meeting_reminders_send(*, organization: Organization, now: datetime | None = None) -> int:
    """Remind the members of each session starting within a day, once per session."""
    now = now or timezone.now()
    sessions = CoachingSession.objects.in_organization(organization)
    due = sessions.filter(
        status=SessionStatus.SCHEDULED,
        reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + REMINDER_AHEAD,
        meeting__status=MeetingStatus.CONFIRMED,
        pairing__status=PairingStatus.ACTIVE,
    ).select_related("pairing")
    sent = 0
    for session in due:
        with transaction.atomic():
            claimed = sessions.filter(pk=session.pk, reminded_at__isnull=True).update(
                reminded_at=now
            )
            if not claimed:
                continue
            session_reminder_send(
                session=session, members=selectors.members_of(session.pairing), now=now
            )
            sent += 1
    return sent
