"""Programs for the demo organization: an open pilot people already joined, and a draft.

Called by the demo seeding (core/demo.py) after the organization and its logins exist.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from peercoach.organizations.models import Membership, Organization
from peercoach.people.models import CoachingProfile
from peercoach.programs.models import (
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
    Program,
    ProgramFormat,
    ProgramPurpose,
    ProgramStatus,
)
from peercoach.programs.services import timezone_is_valid

PILOT_NAME = "Peer coaching pilot"
DRAFT_NAME = "Leadership circles"
PILOT_PARTICIPANTS = 40


@transaction.atomic
def demo_programs_create(*, organization: Organization) -> list[Program]:
    """Create the demo programs once; later calls return the existing ones unchanged."""
    programs = Program.objects.in_organization(organization)
    existing = list(programs.filter(name__in=[PILOT_NAME, DRAFT_NAME]))
    if existing:
        return existing
    memberships = Membership.objects.in_organization(organization)
    sponsor = memberships.filter(is_sponsor=True).order_by("pk").first()
    manager = memberships.filter(is_program_manager=True).order_by("pk").first()
    today = timezone.localdate()
    pilot = Program.objects.create(
        organization=organization,
        name=PILOT_NAME,
        purpose=ProgramPurpose.SKILL_DEVELOPMENT,
        description="Three months of pairs helping each other with what they want to learn next.",
        format=ProgramFormat.RECIPROCAL_PAIRS,
        starts_on=today,
        ends_on=today + timedelta(days=90),
        sponsor=sponsor,
        created_by=manager,
        is_pilot=True,
        capacity=60,
        status=ProgramStatus.OPEN,
    )
    draft = Program.objects.create(
        organization=organization,
        name=DRAFT_NAME,
        purpose=ProgramPurpose.LEADERSHIP_SKILLS,
        description="Small groups of new team leads, taking turns bringing a real question.",
        format=ProgramFormat.GROUPS,
        starts_on=today + timedelta(days=30),
        ends_on=today + timedelta(days=210),
        cadence_interval=4,
        meeting_minutes=90,
        sponsor=sponsor,
        created_by=manager,
        allows_open_enrollment=False,
        allows_nomination=True,
        allows_assignment=True,
    )
    _enroll_pilot_participants(pilot)
    return [pilot, draft]


def _enroll_pilot_participants(pilot: Program) -> None:
    # The demo logins stay out, so that the participant login can try joining for themselves.
    profiles = (
        CoachingProfile.objects.filter(
            person__organization=pilot.organization, person__is_active=True
        )
        .exclude(person__membership__isnull=False)
        .exclude(wants=[])
        .select_related("person")
        .order_by("person_id")[:PILOT_PARTICIPANTS]
    )
    agreed_at = timezone.now()
    Enrollment.all_organizations.bulk_create(
        [
            Enrollment(
                organization=pilot.organization,
                program=pilot,
                person=profile.person,
                status=EnrollmentStatus.ACTIVE,
                source=EnrollmentSource.OPEN,
                goals=list(profile.wants),
                offers=list(profile.offers),
                working_hours_start=profile.working_hours_start,
                working_hours_end=profile.working_hours_end,
                timezone=profile.person.timezone
                if timezone_is_valid(profile.person.timezone)
                else "UTC",
                languages=list(profile.person.languages),
                agreed_to_ground_rules_at=agreed_at,
            )
            for profile in profiles
        ]
    )
