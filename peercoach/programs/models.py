"""Programs and the people enrolled in them.

A program sets the rules of one coaching effort (format, schedule, ground rules, who may join and
how). An enrollment is one person's place in one program: the pool that matching draws from is a
program's active enrollments, each carrying the short profile the person gave when joining.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from peercoach.organizations.models import Membership, Organization
from peercoach.organizations.scoping import OrganizationScopedManager
from peercoach.people.models import Person

DEFAULT_GROUND_RULES = """\
What is said in our sessions stays in our sessions. Notes belong to the person who wrote them, \
and nobody reports on a peer's goals or struggles to anyone else.

We are peers. Nobody here is anyone's boss, judge or teacher: we ask questions, listen, and help \
each other find our own answers.

We work together. We turn up on time, prepare a little, and say early if we need to move a session.

We are generous. We share what we know, we give honest and kind feedback when it is asked for, and \
we assume the best of each other.

Anyone may pause or leave at any time, without giving a reason."""


class ProgramPurpose(models.TextChoices):
    ONBOARDING = "onboarding", "Onboarding"
    LEADERSHIP_SKILLS = "leadership_skills", "Leadership skills"
    ACTION_PLANNING = "action_planning", "Action planning"
    SKILL_DEVELOPMENT = "skill_development", "Skill development"
    OTHER = "other", "Something else"


class ProgramFormat(models.TextChoices):
    RECIPROCAL_PAIRS = "reciprocal_pairs", "Reciprocal pairs"
    TRIADS = "triads", "Triads"
    GROUPS = "groups", "Groups of 5 to 7"
    ROTATION_ROUNDS = "rotation_rounds", "Rotation rounds"
    FEEDFORWARD_CIRCLES = "feedforward_circles", "FeedForward circles"


# One plain sentence per format, shown wherever the format is.
FORMAT_EXPLANATIONS: dict[str, str] = {
    ProgramFormat.RECIPROCAL_PAIRS: (
        "Two colleagues meet and split the time in half: first one is coached, then you swap."
    ),
    ProgramFormat.TRIADS: (
        "Three colleagues take turns as coach, as the person coached, and as an observer who "
        "shares what they noticed."
    ),
    ProgramFormat.GROUPS: (
        "A small group meets regularly, and each time someone else brings a question while the "
        "others help them think it through."
    ),
    ProgramFormat.ROTATION_ROUNDS: (
        "Each round you are paired with someone new, so you get to know many colleagues."
    ),
    ProgramFormat.FEEDFORWARD_CIRCLES: (
        "Colleagues in a circle each offer a few short ideas for the road ahead, and you "
        "simply say thank you."
    ),
}


class ProgramStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open for enrollment"
    RUNNING = "running", "Running"
    FINISHED = "finished", "Finished"


class CadenceUnit(models.TextChoices):
    # The values map onto RFC 5545 recurrence rules: FREQ=DAILY or FREQ=WEEKLY with an INTERVAL.
    DAYS = "days", "days"
    WEEKS = "weeks", "weeks"


class MatchingMode(models.TextChoices):
    MANAGER = "manager", "The program manager runs matching"
    PARTICIPANTS_CHOOSE = "participants_choose", "Participants choose their peers"
    HYBRID = "hybrid", "Both: suggestions first, then the manager matches the rest"


MIN_GROUP_SIZE = 2
MAX_GROUP_SIZE = 12


class Program(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="programs"
    )
    name = models.CharField(max_length=200)
    purpose = models.CharField(max_length=32, choices=ProgramPurpose.choices)
    description = models.TextField(blank=True)
    format = models.CharField(max_length=32, choices=ProgramFormat.choices)
    # Only groups use a configurable size; pairs are two and triads three by definition.
    group_size_min = models.PositiveSmallIntegerField(default=5)
    group_size_max = models.PositiveSmallIntegerField(default=7)
    starts_on = models.DateField()
    ends_on = models.DateField()
    cadence_interval = models.PositiveSmallIntegerField(default=2)
    cadence_unit = models.CharField(
        max_length=8, choices=CadenceUnit.choices, default=CadenceUnit.WEEKS
    )
    meeting_minutes = models.PositiveSmallIntegerField(default=60)
    # Nullable so that removing a member never deletes a program; forms require a sponsor.
    sponsor = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sponsored_programs",
    )
    facilitators = models.ManyToManyField(
        Membership, blank=True, related_name="facilitated_programs"
    )
    ground_rules = models.TextField(default=DEFAULT_GROUND_RULES)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    is_pilot = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=ProgramStatus.choices, default=ProgramStatus.DRAFT
    )
    allows_open_enrollment = models.BooleanField(default=True)
    allows_nomination = models.BooleanField(default=True)
    allows_assignment = models.BooleanField(default=False)
    auto_enroll_new_staff = models.BooleanField(default=False)
    auto_enroll_joined_within_days = models.PositiveSmallIntegerField(default=90)
    allows_several_pairings = models.BooleanField(default=False)
    repeat_window_days = models.PositiveSmallIntegerField(default=180)
    minimum_shared_hours = models.PositiveSmallIntegerField(default=2)
    matching_mode = models.CharField(
        max_length=24, choices=MatchingMode.choices, default=MatchingMode.MANAGER
    )
    # The life of pairings: how long people have to answer, and when a quiet pair hears from us.
    proposal_expiry_days = models.PositiveSmallIntegerField(default=7)
    request_expiry_days = models.PositiveSmallIntegerField(default=7)
    open_requests_limit = models.PositiveSmallIntegerField(default=3)
    nudge_after_days = models.PositiveSmallIntegerField(default=21)
    rematch_after_days = models.PositiveSmallIntegerField(default=42)
    created_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_programs",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager["Program"]()
    all_organizations = models.Manager["Program"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="program_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(group_size_min__gte=MIN_GROUP_SIZE)
                & Q(group_size_min__lte=models.F("group_size_max"))
                & Q(group_size_max__lte=MAX_GROUP_SIZE),
                name="program_group_sizes_in_order",
            ),
            models.CheckConstraint(
                condition=Q(cadence_interval__gte=1), name="program_cadence_at_least_one"
            ),
            models.CheckConstraint(
                condition=Q(meeting_minutes__gte=15) & Q(meeting_minutes__lte=480),
                name="program_meeting_length_sensible",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                name="program_capacity_positive",
            ),
            models.CheckConstraint(
                condition=Q(allows_open_enrollment=True)
                | Q(allows_nomination=True)
                | Q(allows_assignment=True),
                name="program_has_a_way_in",
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"])]

    def __str__(self) -> str:
        return self.name

    @property
    def format_explanation(self) -> str:
        return FORMAT_EXPLANATIONS[self.format]

    @property
    def group_size_range(self) -> tuple[int, int]:
        """How many people meet together (the matching engine's group size bounds)."""
        if self.format in (ProgramFormat.GROUPS, ProgramFormat.FEEDFORWARD_CIRCLES):
            return (self.group_size_min, self.group_size_max)
        if self.format == ProgramFormat.TRIADS:
            return (3, 3)
        return (2, 2)

    @property
    def cadence_rule(self) -> str:
        """The meeting rhythm as an RFC 5545 recurrence rule, ready for calendar invitations."""
        frequency = "WEEKLY" if self.cadence_unit == CadenceUnit.WEEKS else "DAILY"
        return f"FREQ={frequency};INTERVAL={self.cadence_interval}"

    @property
    def cadence_text(self) -> str:
        unit = "week" if self.cadence_unit == CadenceUnit.WEEKS else "day"
        if self.cadence_interval == 1:
            return f"Every {unit}"
        return f"Every {self.cadence_interval} {unit}s"

    @property
    def enrollment_modes(self) -> list[str]:
        modes: list[str] = []
        if self.allows_open_enrollment:
            modes.append(EnrollmentSource.OPEN)
        if self.allows_nomination:
            modes.append(EnrollmentSource.NOMINATION)
        if self.allows_assignment:
            modes.append(EnrollmentSource.ASSIGNED)
        return modes

    @property
    def is_open(self) -> bool:
        return self.status == ProgramStatus.OPEN


class EnrollmentStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    NOMINATED = "nominated", "Nominated"
    ACTIVE = "active", "Taking part"
    PAUSED = "paused", "Paused"
    LEFT = "left", "Left"
    DECLINED = "declined", "Declined"


# Enrollments that hold one of a program's places (its capacity).
PLACE_HOLDING_STATUSES = (
    EnrollmentStatus.INVITED,
    EnrollmentStatus.ACTIVE,
    EnrollmentStatus.PAUSED,
)


class EnrollmentSource(models.TextChoices):
    OPEN = "open", "Joined on their own"
    NOMINATION = "nomination", "Nominated by a colleague"
    ASSIGNED = "assigned", "Assigned by the program manager"


class Enrollment(models.Model):
    """One person's place in one program, with the short profile they gave for matching."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="enrollments"
    )
    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="enrollments")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="enrollments")
    status = models.CharField(max_length=16, choices=EnrollmentStatus.choices)
    source = models.CharField(max_length=16, choices=EnrollmentSource.choices)
    # Personal: only the person reads their goals, never managers, sponsors or admins.
    goals = models.JSONField(default=list, blank=True)
    offers = models.JSONField(default=list, blank=True)
    working_hours_start = models.PositiveSmallIntegerField(default=9)
    working_hours_end = models.PositiveSmallIntegerField(default=17)
    timezone = models.CharField(max_length=64, default="UTC")
    languages = models.JSONField(default=list, blank=True)
    agreed_to_ground_rules_at = models.DateTimeField(null=True, blank=True)
    paused_until = models.DateField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationScopedManager["Enrollment"]()
    all_organizations = models.Manager["Enrollment"]()

    class Meta:
        default_manager_name = "all_organizations"
        constraints = [
            models.UniqueConstraint(
                fields=["program", "person"], name="enrollment_one_per_person_and_program"
            ),
            models.CheckConstraint(
                condition=Q(working_hours_start__lt=models.F("working_hours_end"))
                & Q(working_hours_end__lte=24),
                name="enrollment_hours_in_order",
            ),
            # Nobody takes part without having agreed to the ground rules.
            models.CheckConstraint(
                condition=~Q(status__in=["active", "paused"])
                | Q(agreed_to_ground_rules_at__isnull=False),
                name="enrollment_taking_part_agreed_to_rules",
            ),
            models.CheckConstraint(
                condition=~Q(status="paused") | Q(paused_until__isnull=False),
                name="enrollment_paused_has_a_date",
            ),
        ]
        indexes = [models.Index(fields=["program", "status"])]

    def __str__(self) -> str:
        return f"{self.person} in {self.program}"

    @property
    def is_taking_part(self) -> bool:
        return self.status in (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)


class Nomination(models.Model):
    """A colleague's nomination of someone for a program, with their reason.

    Only the nominee reads it. The nominator never learns what the nominee decided.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="nominations"
    )
    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="nominations")
    nominated_by = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="nominations_made"
    )
    reason = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationScopedManager["Nomination"]()
    all_organizations = models.Manager["Nomination"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment", "nominated_by"], name="nomination_once_per_nominator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.nominated_by} nominated {self.enrollment.person}"


# Pairings, requests and the inbox live in their own module; importing them here registers them.
from peercoach.programs.matching_models import (  # noqa: E402
    MatchingPlacement as MatchingPlacement,
)
from peercoach.programs.matching_models import (  # noqa: E402
    MatchingProposal as MatchingProposal,
)
from peercoach.programs.matching_models import (  # noqa: E402
    MatchingRun as MatchingRun,
)
from peercoach.programs.pairing_models import (  # noqa: E402
    InboxMessage as InboxMessage,
)
from peercoach.programs.pairing_models import (  # noqa: E402
    Pairing as Pairing,
)
from peercoach.programs.pairing_models import (  # noqa: E402
    PairingMember as PairingMember,
)
from peercoach.programs.pairing_models import (  # noqa: E402
    PairingRequest as PairingRequest,
)
