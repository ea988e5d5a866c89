"""Reads for meetings and sessions, always from one member's point of view.

Only the members of a pairing see its meetings and sessions; everyone else, in this organization
or another, gets 404 as for a missing one. Attendance marks and ratings are read back only by the
person who gave them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from peercoach.meetings.models import (
    CoachingSession,
    Meeting,
    MeetingConfirmation,
    MeetingStatus,
    SessionAttendance,
    SessionStatus,
)
from peercoach.meetings.slots import LocalTime, MemberHours, Slot, local_times, slots_for_everyone
from peercoach.people.models import Person
from peercoach.programs.pairing_models import Pairing, PairingMember, PairingStatus

# How far ahead the propose form looks for times that suit everyone.
PROPOSAL_WINDOW = timedelta(days=14)
# Sessions waiting for a member's "did it happen?" are offered for this long after they start.
MARKING_WINDOW = timedelta(days=30)


def members_of(pairing: Pairing, *, include_left: bool = False) -> list[PairingMember]:
    """The pairing's current members, with their people and enrollments (hours, time zone).

    `include_left` adds those who left, e.g. so a cancellation reaches every calendar that got
    the invitation.
    """
    members = PairingMember.objects.in_organization(pairing.organization_id).filter(pairing=pairing)
    if not include_left:
        members = members.filter(left_at__isnull=True)
    return list(members.select_related("person", "enrollment").order_by("person__full_name", "pk"))


def member_hours(member: PairingMember) -> MemberHours:
    enrollment = member.enrollment
    return MemberHours(
        name=member.person.full_name,
        timezone=enrollment.timezone,
        start_hour=enrollment.working_hours_start,
        end_hour=enrollment.working_hours_end,
    )


def local_times_for(members: list[PairingMember], starts_at: datetime) -> tuple[LocalTime, ...]:
    return local_times([member_hours(m) for m in members], starts_at)


def is_member(pairing: Pairing, person: Person) -> bool:
    return (
        PairingMember.objects.in_organization(pairing.organization_id)
        .filter(pairing=pairing, person=person, left_at__isnull=True)
        .exists()
    )


def offered_slots(
    *, pairing: Pairing, members: list[PairingMember], now: datetime | None = None
) -> list[Slot]:
    """Start times in the coming two weeks that suit every member, before the program ends."""
    now = now or timezone.now()
    program = pairing.program
    ends = timezone.make_aware(datetime.combine(program.ends_on, datetime.max.time()))
    return slots_for_everyone(
        [member_hours(m) for m in members],
        after=now,
        until=min(now + PROPOSAL_WINDOW, ends),
        minutes=program.meeting_minutes,
    )


def _my_sessions(person: Person) -> QuerySet[CoachingSession]:
    return (
        CoachingSession.objects.in_organization(person.organization_id)
        .filter(
            pairing__members__person=person,
            pairing__members__left_at__isnull=True,
        )
        .select_related("pairing__program", "meeting")
    )


def session_for_member(*, person: Person | None, session_id: int) -> CoachingSession:
    """A session of one of the person's pairings; anyone else's answers 404."""
    if person is None:
        raise Http404("No such session.")
    session = _my_sessions(person).filter(pk=session_id).first()
    if session is None:
        raise Http404("No such session.")
    return session


def meeting_for_member(*, person: Person | None, meeting_id: int) -> Meeting:
    """A meeting of one of the person's pairings; anyone else's answers 404."""
    if person is None:
        raise Http404("No such meeting.")
    meeting = (
        Meeting.objects.in_organization(person.organization_id)
        .filter(pk=meeting_id, pairing__members__person=person, pairing__members__left_at=None)
        .select_related("pairing__program")
        .first()
    )
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def upcoming_sessions(
    *, person: Person, now: datetime | None = None, limit: int = 20
) -> list[CoachingSession]:
    """The person's sessions still to come (or under way), soonest first."""
    now = now or timezone.now()
    return list(
        _my_sessions(person)
        .filter(
            status__in=[SessionStatus.SCHEDULED, SessionStatus.IN_PROGRESS],
            ends_at__gt=now,
            meeting__status=MeetingStatus.CONFIRMED,
            pairing__status__in=[PairingStatus.ACTIVE, PairingStatus.PAUSED],
        )
        .order_by("starts_at", "pk")[:limit]
    )


def sessions_to_mark(*, person: Person, now: datetime | None = None) -> list[CoachingSession]:
    """Recent sessions the person hasn't yet said whether they happened."""
    now = now or timezone.now()
    marked = SessionAttendance.objects.in_organization(person.organization_id).filter(person=person)
    return list(
        _my_sessions(person)
        .filter(starts_at__lte=now, starts_at__gte=now - MARKING_WINDOW)
        .exclude(status=SessionStatus.CANCELLED)
        .exclude(pk__in=marked.values("session"))
        .order_by("-starts_at", "pk")
    )


def next_session(*, pairing: Pairing, now: datetime | None = None) -> CoachingSession | None:
    """The pairing's next session that hasn't ended yet."""
    now = now or timezone.now()
    return (
        CoachingSession.objects.in_organization(pairing.organization_id)
        .filter(
            pairing=pairing,
            ends_at__gt=now,
            status__in=[SessionStatus.SCHEDULED, SessionStatus.IN_PROGRESS],
            meeting__status=MeetingStatus.CONFIRMED,
        )
        .order_by("starts_at", "pk")
        .first()
    )


def pairing_upcoming_sessions(
    *, pairing: Pairing, now: datetime | None = None, limit: int = 8
) -> list[CoachingSession]:
    """The pairing's sessions still to come (or under way), soonest first."""
    now = now or timezone.now()
    return list(
        CoachingSession.objects.in_organization(pairing.organization_id)
        .filter(
            pairing=pairing,
            ends_at__gt=now,
            status__in=[SessionStatus.SCHEDULED, SessionStatus.IN_PROGRESS],
            meeting__status=MeetingStatus.CONFIRMED,
        )
        .select_related("pairing__program", "meeting")
        .order_by("starts_at", "pk")[:limit]
    )


def previous_sessions(*, session: CoachingSession) -> QuerySet[CoachingSession]:
    """Earlier sessions of the same pairing, latest first (for reviewing last time's plans)."""
    return (
        CoachingSession.objects.in_organization(session.organization_id)
        .filter(pairing_id=session.pairing_id, starts_at__lt=session.starts_at)
        .exclude(status=SessionStatus.CANCELLED)
        .order_by("-starts_at", "-pk")
    )


def my_attendance(*, session: CoachingSession, person: Person) -> SessionAttendance | None:
    return (
        SessionAttendance.objects.in_organization(session.organization_id)
        .filter(session=session, person=person)
        .first()
    )


@dataclass(frozen=True)
class MeetingView:
    """One meeting as one member sees it: when, for whom, and what they may do with it."""

    meeting: Meeting
    local_times: tuple[LocalTime, ...]
    confirmed_by: tuple[str, ...]
    waiting_for: tuple[str, ...]
    is_mine: bool
    i_confirmed: bool

    @property
    def is_proposed(self) -> bool:
        return self.meeting.status == MeetingStatus.PROPOSED

    @property
    def is_confirmed(self) -> bool:
        return self.meeting.status == MeetingStatus.CONFIRMED


def meetings_of_pairing(
    *, pairing: Pairing, person: Person, members: list[PairingMember], now: datetime | None = None
) -> list[MeetingView]:
    """Proposals still open and confirmed meetings with sessions to come."""
    now = now or timezone.now()
    meetings = (
        Meeting.objects.in_organization(pairing.organization_id)
        .filter(pairing=pairing, status__in=[MeetingStatus.PROPOSED, MeetingStatus.CONFIRMED])
        .order_by("starts_at", "pk")
    )
    confirmations = MeetingConfirmation.objects.in_organization(pairing.organization_id).filter(
        meeting__in=meetings
    )
    said_yes: dict[int, set[int]] = {}
    for meeting_id, person_id in confirmations.values_list("meeting_id", "person_id"):
        said_yes.setdefault(meeting_id, set()).add(person_id)
    views = []
    for meeting in meetings:
        yes = said_yes.get(meeting.pk, set())
        if meeting.status == MeetingStatus.PROPOSED and meeting.starts_at <= now:
            continue  # a proposal whose time has passed is of no use to anyone
        views.append(
            MeetingView(
                meeting=meeting,
                local_times=local_times_for(members, meeting.starts_at),
                confirmed_by=tuple(m.person.full_name for m in members if m.person_id in yes),
                waiting_for=tuple(m.person.full_name for m in members if m.person_id not in yes),
                is_mine=meeting.proposed_by_id == person.pk,
                i_confirmed=person.pk in yes,
            )
        )
    return views
