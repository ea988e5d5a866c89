"""Writes for programs and enrollments. Every rule lives here, so views and the API agree.

Emails (nominations, assignments) are sent synchronously with Django's mail for now; a failed
email is logged and nothing is undone, because the person also sees the news on their programs
page. The background tasks of the nudges work will take this over.
"""

from __future__ import annotations

import logging
import smtplib
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from peercoach.core.errors import RefusedError
from peercoach.organizations.models import Membership, Organization
from peercoach.people.models import CoachingProfile, Person
from peercoach.programs.enrollment_states import Actor, TransitionRefused, check_transition
from peercoach.programs.models import (
    MAX_GROUP_SIZE,
    MIN_GROUP_SIZE,
    PLACE_HOLDING_STATUSES,
    Enrollment,
    EnrollmentSource,
    EnrollmentStatus,
    Nomination,
    Program,
    ProgramStatus,
)
from peercoach.programs.pairing_services import (
    pairings_end_for_enrollment,
    pairings_pause_for_enrollment,
    pairings_resume_for_enrollment,
)
from peercoach.programs.pairing_states import Actor as PairingActor

logger = logging.getLogger(__name__)

MAX_LIST_ITEMS = 10
MAX_ITEM_LENGTH = 200
MAX_REASON_LENGTH = 1000

# Which status a program may move to from each status. Going back to draft is only possible while
# nobody is enrolled: a draft is invisible to participants, and nobody should lose sight of a
# program they are part of.
PROGRAM_STATUS_NEXT: dict[str, frozenset[str]] = {
    ProgramStatus.DRAFT: frozenset({ProgramStatus.DRAFT, ProgramStatus.OPEN}),
    ProgramStatus.OPEN: frozenset(
        {ProgramStatus.OPEN, ProgramStatus.DRAFT, ProgramStatus.RUNNING, ProgramStatus.FINISHED}
    ),
    ProgramStatus.RUNNING: frozenset({ProgramStatus.RUNNING, ProgramStatus.FINISHED}),
    ProgramStatus.FINISHED: frozenset({ProgramStatus.FINISHED}),
}
STARTING_STATUSES = frozenset({ProgramStatus.DRAFT, ProgramStatus.OPEN})


class ProgramError(RefusedError):
    """A program change was refused; `field` names the form field at fault, if any."""


class EnrollmentError(RefusedError):
    """An enrollment change was refused; `message` is written for the person who asked."""


@dataclass(frozen=True, kw_only=True)
class ProgramDetails:
    """Everything a program manager decides about a program."""

    name: str
    purpose: str
    description: str = ""
    format: str
    group_size_min: int = 5
    group_size_max: int = 7
    starts_on: date
    ends_on: date
    cadence_interval: int = 2
    cadence_unit: str = "weeks"
    meeting_minutes: int = 60
    sponsor: Membership | None
    facilitators: Sequence[Membership] = ()
    ground_rules: str
    capacity: int | None = None
    is_pilot: bool = False
    status: str = ProgramStatus.DRAFT
    allows_open_enrollment: bool = True
    allows_nomination: bool = True
    allows_assignment: bool = False
    auto_enroll_new_staff: bool = False
    auto_enroll_joined_within_days: int = 90
    allows_several_pairings: bool = False
    repeat_window_days: int = 180
    minimum_shared_hours: int = 2
    matching_mode: str = "manager"
    proposal_expiry_days: int = 7
    request_expiry_days: int = 7
    open_requests_limit: int = 3
    nudge_after_days: int = 21
    rematch_after_days: int = 42


@dataclass(frozen=True, kw_only=True)
class EnrollmentProfile:
    """What a person tells a program when joining: it feeds matching."""

    goals: list[str]
    offers: list[str]
    working_hours_start: int
    working_hours_end: int
    timezone: str
    languages: list[str]


# ---------------------------------------------------------------------------------------------
# Programs


def program_create(
    *, organization: Organization, created_by: Membership, details: ProgramDetails
) -> Program:
    if details.status not in STARTING_STATUSES:
        raise ProgramError(
            "A new program starts as a draft or open for enrollment.", field="status"
        )
    _program_check(organization=organization, details=details)
    with transaction.atomic():
        program = Program(organization=organization, created_by=created_by)
        _program_apply(program, details)
        program.save()
        program.facilitators.set(details.facilitators)
    return program


def program_update(*, program: Program, details: ProgramDetails) -> Program:
    with transaction.atomic():
        program = (
            Program.objects.in_organization(program.organization_id)
            .select_for_update()
            .get(pk=program.pk)
        )
        _program_check(organization=program.organization, details=details)
        _program_check_status_change(program, details.status)
        _program_check_capacity(program, details.capacity)
        _program_apply(program, details)
        program.save()
        program.facilitators.set(details.facilitators)
    return program


def _program_apply(program: Program, details: ProgramDetails) -> None:
    for name, value in vars(details).items():
        if name != "facilitators":
            setattr(program, name, value)


def _program_check(*, organization: Organization, details: ProgramDetails) -> None:
    if not details.name.strip():
        raise ProgramError("Give the program a name.", field="name")
    if details.ends_on <= details.starts_on:
        raise ProgramError("The program must end after it starts.", field="ends_on")
    if not MIN_GROUP_SIZE <= details.group_size_min <= details.group_size_max <= MAX_GROUP_SIZE:
        raise ProgramError(
            f"Group sizes go from {MIN_GROUP_SIZE} to {MAX_GROUP_SIZE}, smallest first.",
            field="group_size_max",
        )
    if not (
        details.allows_open_enrollment or details.allows_nomination or details.allows_assignment
    ):
        raise ProgramError("Choose at least one way for people to join.", field="enrollment_modes")
    if details.auto_enroll_new_staff and not details.allows_assignment:
        raise ProgramError(
            "Adding new staff automatically needs “Assigned” among the ways to join, so that "
            "they can opt out.",
            field="enrollment_modes",
        )
    if details.rematch_after_days <= details.nudge_after_days:
        raise ProgramError(
            "Offer a new match later than the reminder, so that the reminder comes first.",
            field="rematch_after_days",
        )
    if min(details.proposal_expiry_days, details.request_expiry_days) < 1:
        raise ProgramError("Give people at least a day to answer.", field="proposal_expiry_days")
    if details.open_requests_limit < 1:
        raise ProgramError("Allow at least one request at a time.", field="open_requests_limit")
    sponsor = details.sponsor
    if sponsor is None:
        raise ProgramError("Choose the program's executive sponsor.", field="sponsor")
    if sponsor.organization_id != organization.pk or not sponsor.is_sponsor:
        raise ProgramError(
            "The sponsor must hold the executive sponsor role in your organization.",
            field="sponsor",
        )
    if any(member.organization_id != organization.pk for member in details.facilitators):
        raise ProgramError(
            "Facilitators must be members of your organization.", field="facilitators"
        )


def _program_check_status_change(program: Program, status: str) -> None:
    if status not in PROGRAM_STATUS_NEXT[program.status]:
        raise ProgramError(
            f"A program that is {program.get_status_display().lower()} can't be set to "
            f"“{ProgramStatus(status).label.lower()}”.",
            field="status",
        )
    back_to_draft = status == ProgramStatus.DRAFT and program.status != ProgramStatus.DRAFT
    if back_to_draft and program.enrollments.exists():
        raise ProgramError(
            "People are already enrolled, so the program can't become a draft again.",
            field="status",
        )


def _program_check_capacity(program: Program, capacity: int | None) -> None:
    if capacity is None:
        return
    holding = program.enrollments.filter(status__in=PLACE_HOLDING_STATUSES).count()
    if capacity < holding:
        raise ProgramError(
            f"{holding} people already hold a place, so the capacity can't be lower than that.",
            field="capacity",
        )


# ---------------------------------------------------------------------------------------------
# Enrollment: joining (open, accepting a nomination, completing an assignment)


def enrollment_join(
    *,
    program: Program,
    person: Person,
    profile: EnrollmentProfile,
    agreed_to_ground_rules: bool,
) -> Enrollment:
    """The person joins the program on their own, completes an assignment, or rejoins."""
    with transaction.atomic():
        program = _lock_program(program)
        enrollment = _enrollment_for_update(program, person)
        _check_may_take_part(program, person, enrollment)
        _check_agreed_and_profile(agreed_to_ground_rules, profile)
        if enrollment is None:
            enrollment = Enrollment(
                organization_id=program.organization_id,
                program=program,
                person=person,
                source=EnrollmentSource.OPEN,
            )
        return _activate(enrollment, person, profile)


def nomination_accept(
    *, enrollment: Enrollment, profile: EnrollmentProfile, agreed_to_ground_rules: bool
) -> Enrollment:
    if enrollment.status != EnrollmentStatus.NOMINATED:
        raise EnrollmentError("There is no nomination waiting for you in this program.")
    return enrollment_join(
        program=enrollment.program,
        person=enrollment.person,
        profile=profile,
        agreed_to_ground_rules=agreed_to_ground_rules,
    )


def _check_may_take_part(program: Program, person: Person, enrollment: Enrollment | None) -> None:
    _check_in_directory(program, person)
    current = enrollment.status if enrollment else None
    _check(current, EnrollmentStatus.ACTIVE, Actor.PERSON)
    # People who were asked in (nominated or assigned) may still say yes once the program runs.
    asked_in = current in (EnrollmentStatus.NOMINATED, EnrollmentStatus.INVITED)
    if not (program.is_open or (asked_in and program.status == ProgramStatus.RUNNING)):
        raise EnrollmentError("This program isn't open for enrollment right now.")
    if enrollment is None and not program.allows_open_enrollment:
        raise EnrollmentError(
            "People join this program by nomination or when the program manager adds them. "
            "A colleague can nominate you."
        )
    if current not in PLACE_HOLDING_STATUSES and _places_left(program) == 0:
        raise EnrollmentError("Sorry, this program is full.")


def _check_agreed_and_profile(agreed: bool, profile: EnrollmentProfile) -> None:
    if not agreed:
        raise EnrollmentError(
            "Please read the ground rules and tick the box to agree to them.",
            field="agreed_to_ground_rules",
        )
    profile_check(profile)


def profile_check(profile: EnrollmentProfile) -> None:
    """Refuse a profile that matching couldn't use, naming the field at fault."""
    if not profile.goals:
        raise EnrollmentError(
            "Tell us at least one thing you want to get better at.", field="goals"
        )
    for name, items in (
        ("goals", profile.goals),
        ("offers", profile.offers),
        ("languages", profile.languages),
    ):
        if len(items) > MAX_LIST_ITEMS:
            raise EnrollmentError(f"Please keep it to {MAX_LIST_ITEMS} at most.", field=name)
        if any(not item.strip() or len(item) > MAX_ITEM_LENGTH for item in items):
            raise EnrollmentError(
                f"Each one should be short: {MAX_ITEM_LENGTH} characters at most.", field=name
            )
    if not 0 <= profile.working_hours_start < profile.working_hours_end <= 24:
        raise EnrollmentError(
            "Working hours run from 0 to 24, and start before they end.",
            field="working_hours_end",
        )
    if not timezone_is_valid(profile.timezone):
        raise EnrollmentError(
            "Choose a time zone from the list, such as Europe/Berlin.", field="timezone"
        )


def timezone_is_valid(name: str) -> bool:
    return name in zoneinfo.available_timezones()


def _activate(enrollment: Enrollment, person: Person, profile: EnrollmentProfile) -> Enrollment:
    enrollment.status = EnrollmentStatus.ACTIVE
    enrollment.goals = list(profile.goals)
    enrollment.offers = list(profile.offers)
    enrollment.working_hours_start = profile.working_hours_start
    enrollment.working_hours_end = profile.working_hours_end
    enrollment.timezone = profile.timezone
    enrollment.languages = list(profile.languages)
    enrollment.agreed_to_ground_rules_at = timezone.now()
    enrollment.paused_until = None
    enrollment.left_at = None
    enrollment.save()
    # The person's coaching profile follows what they last told us, so the next join is prefilled.
    CoachingProfile.objects.update_or_create(
        person=person,
        defaults={
            "wants": list(profile.goals),
            "offers": list(profile.offers),
            "working_hours_start": profile.working_hours_start,
            "working_hours_end": profile.working_hours_end,
        },
    )
    return enrollment


# ---------------------------------------------------------------------------------------------
# Nominations


def enrollment_nominate(
    *, program: Program, nominee: Person, nominated_by: Person, reason: str
) -> Nomination:
    """A colleague nominates someone. Whatever the nominee decides stays private to them."""
    reason = reason.strip()
    if nominee.pk == nominated_by.pk:
        raise EnrollmentError(
            "You can't nominate yourself, but you're welcome to join on your own.", field="nominee"
        )
    if not reason:
        raise EnrollmentError(
            "Tell them in a sentence or two why you thought of them.", field="reason"
        )
    if len(reason) > MAX_REASON_LENGTH:
        raise EnrollmentError(
            f"Please keep the reason under {MAX_REASON_LENGTH} characters.", field="reason"
        )
    with transaction.atomic():
        program = _lock_program(program)
        _check_in_directory(program, nominee, field="nominee")
        _check_in_directory(program, nominated_by)
        if not program.is_open:
            raise EnrollmentError("This program isn't open for enrollment right now.")
        if not program.allows_nomination:
            raise EnrollmentError("This program doesn't take nominations.")
        enrollment = _enrollment_for_update(program, nominee)
        if enrollment is None:
            _check(None, EnrollmentStatus.NOMINATED, Actor.COLLEAGUE)
            enrollment = Enrollment.objects.create(
                organization_id=program.organization_id,
                program=program,
                person=nominee,
                status=EnrollmentStatus.NOMINATED,
                source=EnrollmentSource.NOMINATION,
            )
        elif enrollment.nominations.filter(nominated_by=nominated_by).exists():
            raise EnrollmentError(
                f"You've already nominated {nominee.full_name} for this program. Thank you!",
                field="nominee",
            )
        # Recorded whatever the nominee's status, so the nominator's view never differs.
        nomination = Nomination.objects.create(
            organization_id=program.organization_id,
            enrollment=enrollment,
            nominated_by=nominated_by,
            reason=reason,
        )
    # Only someone still deciding hears about it: a person who declined or left isn't pressed again.
    if enrollment.status == EnrollmentStatus.NOMINATED:
        _send_emails("nomination", [(nominee, {"nomination": nomination})], program=program)
    return nomination


def nomination_decline(*, enrollment: Enrollment) -> Enrollment:
    """The nominee says no. Nobody is told, the nominators included."""
    with transaction.atomic():
        enrollment = enrollment_lock(enrollment)
        _check(enrollment.status, EnrollmentStatus.DECLINED, Actor.PERSON)
        enrollment.status = EnrollmentStatus.DECLINED
        enrollment.save(update_fields=["status", "updated_at"])
    return enrollment


# ---------------------------------------------------------------------------------------------
# Assignment by a program manager


@dataclass
class AssignmentResult:
    assigned: list[Enrollment] = field(default_factory=list)
    already_enrolled: int = 0
    no_room: int = 0


def enrollments_assign(
    *,
    program: Program,
    joined_within_days: int | None = None,
    department: str = "",
) -> AssignmentResult:
    """Invite everyone who joined the organization recently and/or works in a department.

    "Joined" is the person's directory record creation date until the HR import carries a start
    date. Assigned people are invited, not enrolled: they agree to the ground rules before they
    take part, and may opt out. People with any enrollment in the program (including those who
    left or declined) are left as they are.
    """
    if joined_within_days is None and not department:
        raise EnrollmentError("Choose who to add: recent joiners, a department, or both.")
    with transaction.atomic():
        program = _lock_program(program)
        if program.status not in (ProgramStatus.OPEN, ProgramStatus.RUNNING):
            raise EnrollmentError("People can be added once the program is open for enrollment.")
        if not program.allows_assignment:
            raise EnrollmentError(
                "This program doesn't take assignments. Edit the program to allow them first."
            )
        candidates = _assignment_candidates(program, joined_within_days, department)
        result = AssignmentResult()
        enrolled = set(program.enrollments.values_list("person_id", flat=True))
        result.already_enrolled = sum(1 for person in candidates if person.pk in enrolled)
        newcomers = [person for person in candidates if person.pk not in enrolled]
        room = _places_left(program)
        if room is not None and len(newcomers) > room:
            result.no_room = len(newcomers) - room
            newcomers = newcomers[:room]
        _check(None, EnrollmentStatus.INVITED, Actor.PROGRAM_MANAGER)
        result.assigned = Enrollment.all_organizations.bulk_create(
            [_assigned_enrollment(program, person) for person in newcomers]
        )
    _send_emails("assignment", [(e.person, {}) for e in result.assigned], program=program)
    return result


def programs_auto_enroll_new_staff(*, organization: Organization) -> dict[Program, int]:
    """Assign recent joiners to every open or running program that asks for it.

    Meant to run after each HR import (not wired yet); returns how many were added per program.
    """
    programs = Program.objects.in_organization(organization).filter(
        auto_enroll_new_staff=True,
        allows_assignment=True,
        status__in=[ProgramStatus.OPEN, ProgramStatus.RUNNING],
    )
    return {
        program: len(
            enrollments_assign(
                program=program, joined_within_days=program.auto_enroll_joined_within_days
            ).assigned
        )
        for program in programs
    }


def _assignment_candidates(
    program: Program, joined_within_days: int | None, department: str
) -> list[Person]:
    people = Person.objects.in_organization(program.organization_id).filter(is_active=True)
    if joined_within_days is not None:
        people = people.filter(created_at__gte=timezone.now() - timedelta(days=joined_within_days))
    if department:
        people = people.filter(department=department)
    return list(people.select_related("coaching_profile").order_by("full_name", "pk"))


def _assigned_enrollment(program: Program, person: Person) -> Enrollment:
    # Prefilled from what we know, so completing the profile is quick; goals stay theirs to write.
    profile = getattr(person, "coaching_profile", None)
    return Enrollment(
        organization_id=program.organization_id,
        program=program,
        person=person,
        status=EnrollmentStatus.INVITED,
        source=EnrollmentSource.ASSIGNED,
        offers=list(profile.offers) if profile else [],
        working_hours_start=profile.working_hours_start if profile else 9,
        working_hours_end=profile.working_hours_end if profile else 17,
        timezone=person.timezone if timezone_is_valid(person.timezone) else "UTC",
        languages=list(person.languages),
    )


# ---------------------------------------------------------------------------------------------
# Pausing, resuming, leaving


def enrollment_pause(*, enrollment: Enrollment, until: date) -> Enrollment:
    with transaction.atomic():
        enrollment = enrollment_lock(enrollment)
        _check(enrollment.status, EnrollmentStatus.PAUSED, Actor.PERSON)
        if until <= timezone.localdate():
            raise EnrollmentError("Choose a date after today.", field="until")
        ends_on = enrollment.program.ends_on
        if until >= ends_on:
            raise EnrollmentError(
                f"Choose a date before the program ends on {ends_on:%-d %B %Y}. "
                "If you'd rather stop, you can leave instead.",
                field="until",
            )
        enrollment.status = EnrollmentStatus.PAUSED
        enrollment.paused_until = until
        enrollment.save(update_fields=["status", "paused_until", "updated_at"])
        # A pause is a break from the program, so the person's pairings there pause with it.
        pairings_pause_for_enrollment(enrollment=enrollment)
    return enrollment


def enrollment_resume(
    *, enrollment: Enrollment, actor: Actor = Actor.PERSON, now: datetime | None = None
) -> Enrollment:
    """Back from a pause; the pairings that paused with it resume once nobody else is away."""
    with transaction.atomic():
        enrollment = enrollment_lock(enrollment)
        # The table also lets a person become active by accepting or joining; resuming is only
        # the way back from a pause, which kept their earlier agreement to the ground rules.
        if enrollment.status == EnrollmentStatus.ACTIVE:
            raise EnrollmentError("You're already taking part in this program.")
        if enrollment.status != EnrollmentStatus.PAUSED:
            raise EnrollmentError("Your place in this program isn't paused.")
        _check(enrollment.status, EnrollmentStatus.ACTIVE, actor)
        enrollment.status = EnrollmentStatus.ACTIVE
        enrollment.paused_until = None
        enrollment.save(update_fields=["status", "paused_until", "updated_at"])
        pairings_resume_for_enrollment(
            enrollment=enrollment,
            actor=PairingActor.SYSTEM if actor == Actor.SYSTEM else PairingActor.MEMBER,
            now=now,
        )
    return enrollment


def enrollments_resume_due(
    *, organization: Organization, today: date, now: datetime | None = None
) -> int:
    """Bring back everyone whose pause has run its course; returns how many.

    Safe to run again: a resumed enrollment is no longer paused, so it isn't picked up twice.
    """
    due = Enrollment.objects.in_organization(organization).filter(
        status=EnrollmentStatus.PAUSED, paused_until__lte=today
    )
    resumed = 0
    for enrollment in due:
        try:
            enrollment_resume(enrollment=enrollment, actor=Actor.SYSTEM, now=now)
        except EnrollmentError:
            continue  # the person resumed or left meanwhile
        resumed += 1
    return resumed


def enrollment_leave(*, enrollment: Enrollment) -> Enrollment:
    """Leave at any time; no reason is asked for."""
    with transaction.atomic():
        enrollment = enrollment_lock(enrollment)
        _check(enrollment.status, EnrollmentStatus.LEFT, Actor.PERSON)
        enrollment.status = EnrollmentStatus.LEFT
        enrollment.left_at = timezone.now()
        enrollment.paused_until = None
        enrollment.save(update_fields=["status", "left_at", "paused_until", "updated_at"])
        # Whoever leaves a program leaves its pairings too; their peers are offered a new match.
        pairings_end_for_enrollment(enrollment=enrollment, now=enrollment.left_at)
    return enrollment


# Enrollments that someone leaving the organization still has open.
_STILL_IN = (
    EnrollmentStatus.NOMINATED,
    EnrollmentStatus.INVITED,
    EnrollmentStatus.ACTIVE,
    EnrollmentStatus.PAUSED,
)


def enrollments_end_for_leavers(
    *, organization: Organization, person_ids: Sequence[int], now: datetime | None = None
) -> int:
    """People the HR import marks as having left the organization leave every program at once.

    Their pairings end no-fault (the others are back in the pool and told nothing about why),
    their invitations and requests lapse, and their enrollments close. Runs inside the import's
    transaction, so a failed import changes none of it. Returns how many enrollments closed.
    """
    now = now or timezone.now()
    enrollments = (
        Enrollment.objects.in_organization(organization)
        .filter(person_id__in=person_ids)
        .filter(status__in=_STILL_IN)
        .order_by("pk")
    )
    closed = 0
    with transaction.atomic():
        for enrollment in enrollments.select_for_update():
            _check(enrollment.status, EnrollmentStatus.LEFT, Actor.SYSTEM)
            enrollment.status = EnrollmentStatus.LEFT
            enrollment.left_at = now
            enrollment.paused_until = None
            enrollment.save(update_fields=["status", "left_at", "paused_until", "updated_at"])
            pairings_end_for_enrollment(enrollment=enrollment, now=now)
            closed += 1
    return closed


# ---------------------------------------------------------------------------------------------
# Helpers


def _check(current: str | None, to_status: EnrollmentStatus, actor: Actor) -> None:
    try:
        check_transition(current, to_status, actor)
    except TransitionRefused as refused:
        raise EnrollmentError(refused.message) from refused


def _check_in_directory(program: Program, person: Person, *, field: str | None = None) -> None:
    if person.organization_id != program.organization_id or not person.is_active:
        raise EnrollmentError(
            f"{person.full_name} isn't in your organization's directory.", field=field
        )


def _lock_program(program: Program) -> Program:
    # Locking the program serializes joins, so two people can't both take the last place.
    return (
        Program.objects.in_organization(program.organization_id)
        .select_for_update()
        .get(pk=program.pk)
    )


def enrollment_lock(enrollment: Enrollment) -> Enrollment:
    """The enrollment again, locked for this transaction, with its program and person."""
    return (
        Enrollment.objects.in_organization(enrollment.organization_id)
        .select_for_update()
        .select_related("program", "person")
        .get(pk=enrollment.pk)
    )


def _enrollment_for_update(program: Program, person: Person) -> Enrollment | None:
    return (
        Enrollment.objects.in_organization(program.organization_id)
        .select_for_update()
        .filter(program=program, person=person)
        .first()
    )


def _places_left(program: Program) -> int | None:
    if program.capacity is None:
        return None
    holding = program.enrollments.filter(status__in=PLACE_HOLDING_STATUSES).count()
    return max(program.capacity - holding, 0)


def _send_emails(
    kind: str, recipients: list[tuple[Person, dict[str, object]]], *, program: Program
) -> None:
    """Send one email per person. A failure is only logged: the news is on their programs page."""
    link = settings.SITE_URL + reverse("programs:detail", args=[program.pk])
    messages: list[tuple[str, str, None, list[str]]] = []
    for person, extra in recipients:
        if not person.email:
            continue
        context = {"person": person, "program": program, "link": link, **extra}
        subject = render_to_string(f"programs/email/{kind}_subject.txt", context).strip()
        body = render_to_string(f"programs/email/{kind}_message.txt", context)
        messages.append((subject, body, None, [person.email]))
    if not messages:
        return
    try:
        send_mass_mail(messages)
    except (OSError, smtplib.SMTPException) as error:
        logger.warning("Program %s: %s emails failed: %s", program.pk, kind, error)
