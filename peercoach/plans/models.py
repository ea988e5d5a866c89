"""Action plans and notes: what a client commits to, and what each person writes for themselves.

Everything a person writes here is sealed at rest (`SealedTextField`) and belongs to its owner.
Plans and notes are private until the owner shares them with their pairing; program managers,
sponsors, organization admins and superusers never read them, which is why none of these models
is registered in Django's admin. Primary keys are UUIDs so that each sealed value can be bound
to its row before the row exists.
"""

from __future__ import annotations

import uuid

from django.db import models

from peercoach.organizations.models import Organization
from peercoach.organizations.scoping import OrganizationScopedManager
from peercoach.people.models import Person
from peercoach.plans.sealing import SealedTextField

GOAL_MAX_LENGTH = 1000
ACTION_MAX_LENGTH = 1000
CHECK_IN_MAX_LENGTH = 2000
NOTE_MAX_LENGTH = 20000


class PlanStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ActionPlan(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="action_plans"
    )
    owner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="action_plans")
    pairing = models.ForeignKey(
        "programs.Pairing", on_delete=models.CASCADE, related_name="action_plans"
    )
    # Kept when a meeting is deleted: the plan is the client's, not the calendar's.
    session = models.ForeignKey(
        "meetings.CoachingSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_plans",
    )
    goal = SealedTextField()
    status = models.CharField(max_length=8, choices=PlanStatus.choices, default=PlanStatus.OPEN)
    shared_with_pairing = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = OrganizationScopedManager["ActionPlan"]()
    all_organizations = models.Manager["ActionPlan"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["-created_at", "pk"]
        indexes = [
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["pairing", "shared_with_pairing"]),
        ]

    def __str__(self) -> str:
        # Never the goal: this string ends up in logs and error reports.
        return f"Action plan {self.pk}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "To do"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class Action(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    text = SealedTextField()
    due_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    # The due date the owner was last reminded about: one reminder per overdue spell, and a new
    # spell starts when the owner moves the date.
    overdue_reminded_for = models.DateField(null=True, blank=True)

    objects = OrganizationScopedManager["Action"]()
    all_organizations = models.Manager["Action"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["position", "created_at", "pk"]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return f"Action {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == ActionStatus.OPEN


class CheckIn(models.Model):
    """A short word from the owner between meetings about how an action is going."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="check_ins")
    text = SealedTextField()
    created_at = models.DateTimeField()

    objects = OrganizationScopedManager["CheckIn"]()
    all_organizations = models.Manager["CheckIn"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Check-in {self.pk}"


class Note(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="coaching_notes")
    pairing = models.ForeignKey("programs.Pairing", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        "meetings.CoachingSession",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    body = SealedTextField()
    shared_with_pairing = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = OrganizationScopedManager["Note"]()
    all_organizations = models.Manager["Note"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["-created_at", "pk"]
        indexes = [
            models.Index(fields=["owner", "pairing"]),
            models.Index(fields=["pairing", "shared_with_pairing"]),
        ]

    def __str__(self) -> str:
        return f"Note {self.pk}"
