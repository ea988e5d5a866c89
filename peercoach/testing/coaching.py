"""Test helpers for the coaching work that happens once people are paired.

They go through the real services, so a pairing made here is exactly what members would have
after everyone said yes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.utils import timezone

from peercoach.meetings.models import CoachingSession, Meeting, MeetingStatus
from peercoach.people.models import Person
from peercoach.programs.models import Enrollment, Pairing, Program
from peercoach.programs.pairing_services import pairing_accept, pairing_propose
from peercoach.testing.factories import EnrollmentFactory


def active_pairing(program: Program, people: Sequence[Person]) -> Pairing:
    """An active pairing of `people` in `program`, enrolling whoever isn't enrolled yet."""
    enrollments = [enrollment_for(program, person) for person in people]
    pairing = pairing_propose(program=program, enrollments=enrollments)
    for person in people:
        pairing = pairing_accept(pairing=pairing, by=person)
    pairing.refresh_from_db()
    return pairing


def enrollment_for(program: Program, person: Person) -> Enrollment:
    """The person's enrollment in `program`, enrolling them (active) if they aren't yet."""
    existing = Enrollment.objects.in_organization(program.organization_id).filter(
        program=program, person=person
    )
    return existing.first() or EnrollmentFactory(program=program, person=person)


def confirmed_session(
    pairing: Pairing, *, starts_at: datetime | None = None, minutes: int = 60
) -> CoachingSession:
    """A confirmed one-off meeting of `pairing` and its single session (tomorrow by default)."""
    starts_at = starts_at or timezone.now().replace(microsecond=0) + timedelta(days=1)
    first_member = pairing.members.order_by("pk").first()
    assert first_member is not None, "a pairing always has members"
    meeting = Meeting.objects.in_organization(pairing.organization_id).create(
        organization_id=pairing.organization_id,
        pairing=pairing,
        proposed_by_id=first_member.person_id,
        status=MeetingStatus.CONFIRMED,
        starts_at=starts_at,
        duration_minutes=minutes,
        confirmed_at=timezone.now(),
    )
    return CoachingSession.objects.in_organization(pairing.organization_id).create(
        organization_id=pairing.organization_id,
        pairing=pairing,
        meeting=meeting,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
    )
