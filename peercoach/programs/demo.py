"""Programs for the demo organization: an open pilot people already joined, and a draft.

In the pilot a handful of pairs are already active, and the participant login has a match
waiting for their yes or no, so a newcomer meets the consent flow on their first visit.

Called by the demo seeding (core/demo.py) after the organization and its logins exist.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from peercoach.organizations.models import Membership, Organization
from peercoach.people.models import CoachingProfile, Person
from peercoach.programs.models import (
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
    Program,
    ProgramFormat,
    ProgramPurpose,
    ProgramStatus,
)
from peercoach.programs.pairing_models import (
    MemberResponse,
    Pairing,
    PairingMember,
    PairingStatus,
)
from peercoach.programs.pairing_services import pairing_propose
from peercoach.programs.services import timezone_is_valid

PILOT_NAME = "Peer coaching pilot"
DRAFT_NAME = "Leadership circles"
PILOT_PARTICIPANTS = 40
ACTIVE_PILOT_PAIRS = 5
PARTICIPANT_LOGIN_LOCAL_PART = "participant@"


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
    _pair_pilot_participants(pilot)
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
        [demo_enrollment(pilot, profile.person, profile, agreed_at) for profile in profiles]
    )


def _pair_pilot_participants(pilot: Program) -> None:
    enrollments = list(
        Enrollment.objects.in_organization(pilot.organization)
        .filter(program=pilot)
        .select_related("person")
        .order_by("person_id")
    )
    pairs = _peer_pairs(enrollments, ACTIVE_PILOT_PAIRS + 1)
    for weeks_ago, (first, second) in enumerate(pairs[:ACTIVE_PILOT_PAIRS], start=1):
        _active_pair(pilot, first, second, since=timezone.now() - timedelta(weeks=weeks_ago))
    participant = _enroll_participant_login(pilot)
    if participant is None or len(pairs) <= ACTIVE_PILOT_PAIRS:
        return
    # The participant login's match goes through the real service, so they get the invitation
    # in their inbox (and by email) like anyone else.
    peer = next(
        (
            e
            for e in pairs[ACTIVE_PILOT_PAIRS]
            if not e.person.is_in_management_chain_of(participant.person)
        ),
        None,
    )
    if peer is not None:
        pairing_propose(program=pilot, enrollments=[participant, peer])


def _peer_pairs(enrollments: list[Enrollment], wanted: int) -> list[tuple[Enrollment, Enrollment]]:
    """Greedy pairs of people outside each other's reporting line."""
    free = list(enrollments)
    pairs: list[tuple[Enrollment, Enrollment]] = []
    while free and len(pairs) < wanted:
        first = free.pop(0)
        second = next(
            (e for e in free if not first.person.is_in_management_chain_of(e.person)), None
        )
        if second is None:
            continue
        free.remove(second)
        pairs.append((first, second))
    return pairs


def _active_pair(pilot: Program, first: Enrollment, second: Enrollment, *, since: datetime) -> None:
    # Written directly, not through the services: these pairs said yes before the demo began,
    # and nobody should get a pile of welcome messages for them.
    pairing = Pairing.objects.create(
        organization=pilot.organization,
        program=pilot,
        status=PairingStatus.ACTIVE,
        proposed_at=since - timedelta(days=2),
        invited_at=since - timedelta(days=2),
        activated_at=since,
    )
    PairingMember.objects.in_organization(pilot.organization).bulk_create(
        [
            PairingMember(
                organization=pilot.organization,
                pairing=pairing,
                enrollment=enrollment,
                program=pilot,
                person=enrollment.person,
                response=MemberResponse.ACCEPTED,
                responded_at=since,
                is_current=not pilot.allows_several_pairings,
            )
            for enrollment in (first, second)
        ]
    )


def _enroll_participant_login(pilot: Program) -> Enrollment | None:
    membership = (
        Membership.objects.in_organization(pilot.organization)
        .filter(user__email__startswith=PARTICIPANT_LOGIN_LOCAL_PART, person__isnull=False)
        .select_related("person")
        .first()
    )
    if membership is None or membership.person is None:
        return None
    person = membership.person
    profile = CoachingProfile.objects.filter(person=person).first()
    enrollment = demo_enrollment(pilot, person, profile, timezone.now())
    enrollment.save()
    return enrollment


def demo_enrollment(
    program: Program, person: Person, profile: CoachingProfile | None, agreed_at: datetime
) -> Enrollment:
    """An unsaved active enrollment filled in from the person's coaching profile, as if they had
    joined through the form on `agreed_at`."""
    return Enrollment(
        organization=program.organization,
        program=program,
        person=person,
        status=EnrollmentStatus.ACTIVE,
        source=EnrollmentSource.OPEN,
        goals=list(profile.wants) if profile and profile.wants else ["running calmer meetings"],
        offers=list(profile.offers) if profile else [],
        working_hours_start=profile.working_hours_start if profile else 9,
        working_hours_end=profile.working_hours_end if profile else 17,
        timezone=person.timezone if timezone_is_valid(person.timezone) else "UTC",
        languages=list(person.languages),
        agreed_to_ground_rules_at=agreed_at,
    )
