"""A demo program with five months behind it, so the insights pages have trends to show.

"Onboarding buddies" started about five months ago: people joined in waves, were paired, met
every other week (mostly), marked their sessions held or missed and rated them, and some answered
the program survey. A few pairs ended early and a few went quiet, as they do in real programs,
so the health page has something to point at.

The participant login has an active pair here too, so their own history is not empty.
Everything is written directly (no services): it happened before the demo began, and nobody
should get messages about it. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from peercoach.meetings.models import (
    AttendanceOutcome,
    CoachingSession,
    Meeting,
    MeetingStatus,
    SessionAttendance,
    SessionStatus,
)
from peercoach.organizations.models import Membership, Organization
from peercoach.people.models import CoachingProfile, Person
from peercoach.programs.demo import demo_enrollment
from peercoach.programs.models import (
    Enrollment,
    Program,
    ProgramFormat,
    ProgramPurpose,
    ProgramStatus,
)
from peercoach.programs.pairing_models import MemberResponse, Pairing, PairingMember, PairingStatus
from peercoach.surveys.models import ProgramFeedback

HISTORY_PROGRAM_NAME = "Onboarding buddies"
HISTORY_PARTICIPANTS = 90
RUNNING_DAYS = 150
SESSION_DAYS = 14
PARTICIPANT_LOGIN_LOCAL_PART = "participant@"

_KEEP = [
    "Having someone outside my team to think out loud with.",
    "The fixed rhythm: every other week is just right.",
    "The opening questions in the guided session.",
    "Writing one concrete step at the end.",
]
_CHANGE = [
    "More help finding a time that suits both of us.",
    "A shorter survey.",
    "Meeting across offices was hard with the time difference.",
    "",
]


@dataclass(frozen=True)
class _Pace:
    """How a pair behaves: how often they skip, whether they stop meeting, whether they end."""

    misses: float
    stops_after_weeks: int | None
    ends_after_weeks: int | None


@transaction.atomic
def demo_history_create(*, organization: Organization, seed: int = 7) -> Program | None:
    """Create the program and its past once; later calls change nothing and return None."""
    programs = Program.objects.in_organization(organization)
    if programs.filter(name=HISTORY_PROGRAM_NAME).exists():
        return None
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate(now)
    memberships = Membership.objects.in_organization(organization)
    program = Program.objects.create(
        organization=organization,
        name=HISTORY_PROGRAM_NAME,
        purpose=ProgramPurpose.ONBOARDING,
        description="New colleagues paired with a peer from another team for their first months.",
        format=ProgramFormat.RECIPROCAL_PAIRS,
        starts_on=today - timedelta(days=RUNNING_DAYS),
        ends_on=today + timedelta(days=30),
        sponsor=memberships.filter(is_sponsor=True).order_by("pk").first(),
        created_by=memberships.filter(is_program_manager=True).order_by("pk").first(),
        capacity=120,
        status=ProgramStatus.RUNNING,
    )
    enrollments = _enroll(program, rng, now)
    _pair_and_meet(program, enrollments, rng, now)
    _answer_the_survey(program, enrollments, rng)
    return program


def _enroll(program: Program, rng: random.Random, now: datetime) -> list[Enrollment]:
    organization = program.organization
    people = list(
        Person.objects.in_organization(organization)
        .filter(is_active=True, membership__isnull=True)
        .order_by("-pk")[:HISTORY_PARTICIPANTS]
    )
    login = (
        Membership.objects.in_organization(organization)
        .filter(user__email__startswith=PARTICIPANT_LOGIN_LOCAL_PART, person__isnull=False)
        .select_related("person")
        .first()
    )
    if login is not None and login.person is not None:
        people.insert(0, login.person)
    profiles = {
        p.person_id: p for p in CoachingProfile.objects.filter(person__in=[x.pk for x in people])
    }
    enrollments = []
    for person in people:
        # People joined in waves over the first three months.
        joined = now - timedelta(days=RUNNING_DAYS - rng.choice([0, 0, 14, 30, 45, 60, 90]))
        enrollments.append(demo_enrollment(program, person, profiles.get(person.pk), joined))
    created = Enrollment.all_organizations.bulk_create(enrollments)
    # The join date is the agreement date; created_at is set on insert, so align it here.
    for enrollment in created:
        assert enrollment.agreed_to_ground_rules_at is not None
        enrollment.created_at = enrollment.agreed_to_ground_rules_at
    Enrollment.all_organizations.bulk_update(created, ["created_at"])
    return created


def _pair_and_meet(
    program: Program, enrollments: list[Enrollment], rng: random.Random, now: datetime
) -> None:
    free = sorted(enrollments, key=lambda e: (e.created_at, e.pk))
    first_login = enrollments[0] if enrollments else None
    while len(free) >= 2:
        first = free.pop(0)
        second = next(
            (
                e
                for e in free
                if not first.person.is_in_management_chain_of(e.person)
                and e.person.department != first.person.department
            ),
            None,
        ) or next((e for e in free if not first.person.is_in_management_chain_of(e.person)), None)
        if second is None:
            continue
        free.remove(second)
        # The participant login's pair is a steady one: their history shows a regular rhythm.
        steady = first_login in (first, second)
        pace = _Pace(
            misses=0.1 if steady else rng.choice([0.05, 0.1, 0.2, 0.35]),
            stops_after_weeks=None if steady or rng.random() > 0.2 else rng.choice([4, 6, 8]),
            ends_after_weeks=None if steady or rng.random() > 0.1 else rng.choice([6, 10]),
        )
        since = max(first.created_at, second.created_at) + timedelta(days=rng.choice([3, 5, 8]))
        _pair_history(program, (first, second), since, pace, rng, now)


def _pair_history(
    program: Program,
    members: tuple[Enrollment, Enrollment],
    since: datetime,
    pace: _Pace,
    rng: random.Random,
    now: datetime,
) -> None:
    organization = program.organization
    ended_at = since + timedelta(weeks=pace.ends_after_weeks) if pace.ends_after_weeks else None
    if ended_at is not None and ended_at >= now:
        ended_at = None
    pairing = Pairing.objects.create(
        organization=organization,
        program=program,
        status=PairingStatus.ENDED if ended_at else PairingStatus.ACTIVE,
        proposed_at=since - timedelta(days=2),
        invited_at=since - timedelta(days=2),
        activated_at=since,
        ended_at=ended_at,
    )
    PairingMember.objects.in_organization(organization).bulk_create(
        [
            PairingMember(
                organization=organization,
                pairing=pairing,
                enrollment=enrollment,
                program=program,
                person=enrollment.person,
                response=MemberResponse.ACCEPTED,
                responded_at=since - timedelta(days=1),
                left_at=ended_at,
                is_current=ended_at is None,
            )
            for enrollment in members
        ]
    )
    proposer = members[0]
    first_meeting = datetime.combine(
        (since + timedelta(days=rng.choice([2, 4, 7, 12]))).date(), time(hour=10)
    ).replace(tzinfo=since.tzinfo)
    meeting = Meeting.objects.create(
        organization=organization,
        pairing=pairing,
        proposed_by=proposer.person,
        status=MeetingStatus.CANCELLED if ended_at else MeetingStatus.CONFIRMED,
        starts_at=first_meeting,
        duration_minutes=program.meeting_minutes,
        recurrence_rule=f"FREQ=WEEKLY;INTERVAL={SESSION_DAYS // 7}",
        confirmed_at=since,
        cancelled_at=ended_at,
    )
    last_held = _sessions(meeting, members, pace, rng, now, until=ended_at or now)
    if last_held is not None:
        Pairing.objects.in_organization(organization).filter(pk=pairing.pk).update(
            last_met_at=last_held
        )


def _sessions(
    meeting: Meeting,
    members: tuple[Enrollment, Enrollment],
    pace: _Pace,
    rng: random.Random,
    now: datetime,
    *,
    until: datetime,
) -> datetime | None:
    organization = meeting.organization
    stop_at = (
        meeting.starts_at + timedelta(weeks=pace.stops_after_weeks)
        if pace.stops_after_weeks
        else None
    )
    starts_at = meeting.starts_at
    attendances: list[SessionAttendance] = []
    last_held: datetime | None = None
    while starts_at + timedelta(minutes=meeting.duration_minutes) < until:
        quiet = stop_at is not None and starts_at >= stop_at
        ends_at = starts_at + timedelta(minutes=meeting.duration_minutes)
        session = CoachingSession.objects.create(
            organization=organization,
            pairing=meeting.pairing,
            meeting=meeting,
            starts_at=starts_at,
            ends_at=ends_at,
            status=SessionStatus.CANCELLED if quiet else SessionStatus.FINISHED,
        )
        if not quiet:
            held = rng.random() >= pace.misses
            last_held = ends_at if held else last_held
            for enrollment in members:
                attendances.append(
                    SessionAttendance(
                        organization=organization,
                        session=session,
                        person=enrollment.person,
                        outcome=AttendanceOutcome.HELD if held else AttendanceOutcome.MISSED,
                        # Not everyone rates: about two in three do, mostly warmly.
                        rating=rng.choice([3, 4, 4, 5, 5])
                        if held and rng.random() < 0.65
                        else None,
                        recorded_at=min(ends_at + timedelta(hours=rng.choice([1, 5, 20])), now),
                    )
                )
        starts_at += timedelta(days=SESSION_DAYS)
    SessionAttendance.objects.in_organization(organization).bulk_create(attendances)
    return last_held


def _answer_the_survey(program: Program, enrollments: list[Enrollment], rng: random.Random) -> None:
    answers = []
    for index, enrollment in enumerate(enrollments):
        if rng.random() > 0.45:
            continue
        answers.append(
            ProgramFeedback(
                organization=program.organization,
                program=program,
                person=enrollment.person,
                rating=rng.choice([3, 4, 4, 4, 5, 5]),
                keep=_KEEP[index % len(_KEEP)],
                change=_CHANGE[index % len(_CHANGE)],
            )
        )
    ProgramFeedback.objects.in_organization(program.organization).bulk_create(answers)
