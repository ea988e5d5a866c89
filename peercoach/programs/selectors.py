"""Reads for programs and enrollments, always within one organization.

Goals are personal: the selectors that serve managers return names and statuses only.
"""

from __future__ import annotations

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from peercoach.organizations.access import PEOPLE_ADMINS
from peercoach.organizations.models import Membership, Organization
from peercoach.people.models import CoachingProfile, Person
from peercoach.programs.models import (
    PLACE_HOLDING_STATUSES,
    Enrollment,
    EnrollmentStatus,
    Nomination,
    Program,
    ProgramStatus,
)
from peercoach.programs.services import EnrollmentProfile, timezone_is_valid

# The statuses a program manager sees counted; declines are private to the person.
FUNNEL_STATUSES = (
    EnrollmentStatus.NOMINATED,
    EnrollmentStatus.INVITED,
    EnrollmentStatus.ACTIVE,
    EnrollmentStatus.PAUSED,
    EnrollmentStatus.LEFT,
)


def may_manage_programs(membership: Membership) -> bool:
    """The one gate for managing programs, used by views, templates and the API."""
    return membership.has_any_role(*PEOPLE_ADMINS)


def programs_visible(*, membership: Membership) -> QuerySet[Program]:
    """Managers see every program; everyone else every program past its draft."""
    programs = Program.objects.in_organization(membership.organization).select_related(
        "sponsor__user"
    )
    if not may_manage_programs(membership):
        programs = programs.exclude(status=ProgramStatus.DRAFT)
    return programs.order_by("-starts_on", "name", "pk")


def program_get(*, membership: Membership, program_id: int) -> Program:
    """A program the member may see; drafts and other organizations' programs answer 404."""
    return get_object_or_404(programs_visible(membership=membership), pk=program_id)


def programs_with_funnel(*, organization: Organization) -> QuerySet[Program]:
    counts = {
        f"count_{status}": Count("enrollments", filter=Q(enrollments__status=status))
        for status in FUNNEL_STATUSES
    }
    return (
        Program.objects.in_organization(organization)
        .annotate(**counts)
        .order_by("-starts_on", "name", "pk")
    )


def enrollment_funnel(*, program: Program) -> dict[str, int]:
    counts = dict(
        program.enrollments.filter(status__in=FUNNEL_STATUSES)
        .values_list("status")
        .annotate(count=Count("pk"))
        .values_list("status", "count")
    )
    return {status: counts.get(status, 0) for status in FUNNEL_STATUSES}


def places_taken(*, program: Program) -> int:
    return program.enrollments.filter(status__in=PLACE_HOLDING_STATUSES).count()


def enrollments_for_managers(*, program: Program) -> QuerySet[Enrollment]:
    """Who holds a place, for the program manager: names and statuses, never goals."""
    return (
        program.enrollments.filter(status__in=PLACE_HOLDING_STATUSES)
        .select_related("person")
        .only("status", "source", "created_at", "person__full_name", "person__department")
        .order_by("person__full_name", "pk")
    )


def enrollment_of(*, program: Program, person: Person | None) -> Enrollment | None:
    if person is None:
        return None
    return (
        Enrollment.objects.in_organization(program.organization_id)
        .filter(program=program, person=person)
        .select_related("program")
        .first()
    )


def enrollment_mine(*, program: Program, person: Person | None) -> Enrollment:
    enrollment = enrollment_of(program=program, person=person)
    if enrollment is None:
        raise Http404("You have no enrollment in this program.")
    return enrollment


def enrollments_mine(*, person: Person) -> QuerySet[Enrollment]:
    """The person's own programs, nominations waiting and declines aside."""
    return (
        Enrollment.objects.in_organization(person.organization_id)
        .filter(person=person)
        .exclude(status__in=[EnrollmentStatus.NOMINATED, EnrollmentStatus.DECLINED])
        .exclude(program__status=ProgramStatus.DRAFT)
        .select_related("program")
        .order_by("-program__starts_on", "pk")
    )


def nominations_waiting(*, person: Person) -> QuerySet[Enrollment]:
    """Nominations the person hasn't answered, each with who nominated them and why."""
    return (
        Enrollment.objects.in_organization(person.organization_id)
        .filter(person=person, status=EnrollmentStatus.NOMINATED)
        .exclude(program__status=ProgramStatus.DRAFT)
        .select_related("program")
        .prefetch_related(
            Prefetch(
                "nominations",
                queryset=Nomination.objects.in_organization(person.organization_id)
                .select_related("nominated_by")
                .order_by("created_at"),
            )
        )
        .order_by("created_at")
    )


def nominations_sent(*, program: Program, person: Person) -> QuerySet[Nomination]:
    """Nominations this person made: whom, never what became of them."""
    return (
        Nomination.objects.in_organization(program.organization_id)
        .filter(enrollment__program=program, nominated_by=person)
        .select_related("enrollment__person")
        .only("created_at", "enrollment__person__full_name")
        .order_by("created_at")
    )


def nominee_candidates(*, nominator: Person) -> QuerySet[Person]:
    """Everyone active in the nominator's organization but the nominator."""
    return (
        Person.objects.in_organization(nominator.organization_id)
        .filter(is_active=True)
        .exclude(pk=nominator.pk)
        .order_by("full_name", "pk")
    )


def sponsor_candidates(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.in_organization(organization)
        .filter(is_sponsor=True, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


def facilitator_candidates(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.in_organization(organization)
        .filter(user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "pk")
    )


def join_profile_initial(*, person: Person, enrollment: Enrollment | None) -> EnrollmentProfile:
    """What the join form starts with: the person's last answers, else their coaching profile
    and directory record."""
    if enrollment is not None and enrollment.goals:
        return EnrollmentProfile(
            goals=list(enrollment.goals),
            offers=list(enrollment.offers),
            working_hours_start=enrollment.working_hours_start,
            working_hours_end=enrollment.working_hours_end,
            timezone=enrollment.timezone,
            languages=list(enrollment.languages),
        )
    profile = CoachingProfile.objects.filter(person=person).first()
    return EnrollmentProfile(
        goals=list(profile.wants) if profile else [],
        offers=list(profile.offers) if profile else [],
        working_hours_start=profile.working_hours_start if profile else 9,
        working_hours_end=profile.working_hours_end if profile else 17,
        timezone=person.timezone if timezone_is_valid(person.timezone) else "UTC",
        languages=list(person.languages),
    )
