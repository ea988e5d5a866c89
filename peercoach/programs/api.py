"""Programs in the JSON API: browse programs, see my enrollments, join and leave.

Goals appear only in the caller's own enrollments; program answers never include anyone's goals.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from peercoach.organizations.models import Membership
from peercoach.people.models import Person
from peercoach.programs import selectors, services
from peercoach.programs.models import Enrollment, Program

router = Router(tags=["programs"])


class ProgramOut(Schema):
    id: int
    name: str
    purpose: str
    description: str
    format: str
    format_explanation: str
    status: str
    is_pilot: bool
    starts_on: date
    ends_on: date
    cadence_rule: str
    meeting_minutes: int
    group_size_min: int
    group_size_max: int
    capacity: int | None
    ground_rules: str
    enrollment_modes: list[str]
    matching_mode: str


class EnrollmentOut(Schema):
    id: int
    program_id: int
    program_name: str
    status: str
    source: str
    goals: list[str]
    offers: list[str]
    working_hours_start: int
    working_hours_end: int
    timezone: str
    languages: list[str]
    agreed_to_ground_rules_at: str | None
    paused_until: date | None

    @staticmethod
    def resolve_program_name(enrollment: Enrollment) -> str:
        return enrollment.program.name

    @staticmethod
    def resolve_agreed_to_ground_rules_at(enrollment: Enrollment) -> str | None:
        agreed = enrollment.agreed_to_ground_rules_at
        return agreed.isoformat() if agreed else None


class JoinIn(Schema):
    """Anything left out is taken from the caller's coaching profile and directory record."""

    goals: list[str] | None = None
    offers: list[str] | None = None
    working_hours_start: int | None = None
    working_hours_end: int | None = None
    timezone: str | None = None
    languages: list[str] | None = None
    agree_to_ground_rules: bool = False


def _membership(request: HttpRequest) -> Membership:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    return membership


def _participant(membership: Membership) -> Person:
    if membership.person is None:
        raise HttpError(403, "Taking part needs a link to your entry in the directory.")
    return membership.person


@router.get("/programs", response=list[ProgramOut], summary="Programs I can see")
def program_list(request: HttpRequest) -> list[Program]:
    return list(selectors.programs_visible(membership=_membership(request)))


@router.get("/programs/{program_id}", response=ProgramOut, summary="One program")
def program_detail(request: HttpRequest, program_id: int) -> Program:
    return selectors.program_get(membership=_membership(request), program_id=program_id)


@router.get("/me/enrollments", response=list[EnrollmentOut], summary="My enrollments")
def my_enrollments(request: HttpRequest) -> list[Enrollment]:
    person = _membership(request).person
    if person is None:
        return []
    return list(selectors.enrollments_mine(person=person))


@router.post(
    "/programs/{program_id}/join",
    response={200: EnrollmentOut},
    summary="Join a program (or accept a nomination, or take up an assigned place)",
)
def program_join(request: HttpRequest, program_id: int, payload: JoinIn) -> Enrollment:
    membership = _membership(request)
    person = _participant(membership)
    program = selectors.program_get(membership=membership, program_id=program_id)
    known = selectors.join_profile_initial(
        person=person, enrollment=selectors.enrollment_of(program=program, person=person)
    )
    profile = services.EnrollmentProfile(
        goals=payload.goals if payload.goals is not None else known.goals,
        offers=payload.offers if payload.offers is not None else known.offers,
        working_hours_start=_given(payload.working_hours_start, known.working_hours_start),
        working_hours_end=_given(payload.working_hours_end, known.working_hours_end),
        timezone=payload.timezone or known.timezone,
        languages=payload.languages if payload.languages is not None else known.languages,
    )
    try:
        return services.enrollment_join(
            program=program,
            person=person,
            profile=profile,
            agreed_to_ground_rules=payload.agree_to_ground_rules,
        )
    except services.EnrollmentError as error:
        raise HttpError(409 if error.field is None else 400, error.message) from error


def _given(value: int | None, default: int) -> int:
    return default if value is None else value


@router.post("/programs/{program_id}/leave", response=EnrollmentOut, summary="Leave a program")
def program_leave(request: HttpRequest, program_id: int) -> Enrollment:
    membership = _membership(request)
    person = _participant(membership)
    program = selectors.program_get(membership=membership, program_id=program_id)
    enrollment = selectors.enrollment_of(program=program, person=person)
    if enrollment is None:
        raise HttpError(409, "You aren't taking part in this program.")
    try:
        return services.enrollment_leave(enrollment=enrollment)
    except services.EnrollmentError as error:
        raise HttpError(409, error.message) from error
