"""The guided session: a program's own script, and the live state members share while they meet.

`SessionRun` is the one shared state of a running session (which step, whose turn, when it began),
advanced by any member; everyone's page polls it. What people write during the session (options
with pros and cons, the observer's notes) is sealed at rest (`plans.sealing.SealedTextField`),
bound to the organization and the row, and readable only by the session's members (notes: coach
and observer).
Confidential rows use UUID keys so the sealing can name the row before it is inserted.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q

from peercoach.organizations.models import Membership, Organization
from peercoach.organizations.scoping import OrganizationScopedManager
from peercoach.people.models import Person
from peercoach.plans.sealing import SealedTextField


class SessionScript(models.Model):
    """A program manager's edited copy of the standard script (copy-on-write)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="session_scripts"
    )
    program = models.OneToOneField(
        "programs.Program", on_delete=models.CASCADE, related_name="session_script"
    )
    steps = models.JSONField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OrganizationScopedManager["SessionScript"]()
    all_organizations = models.Manager["SessionScript"]()

    class Meta:
        default_manager_name = "all_organizations"

    def __str__(self) -> str:
        return f"Script of program {self.program_id}"


class SessionRun(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="session_runs"
    )
    session = models.OneToOneField(
        "meetings.CoachingSession", on_delete=models.CASCADE, related_name="run"
    )
    # Copied when the session starts, so editing the program's script never moves a live session.
    steps = models.JSONField()
    # Person ids in turn order: member 0 is the first client.
    member_ids = models.JSONField()
    with_observer = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    # Raised on every change; polling pages send theirs and get "nothing new" while it matches.
    version = models.PositiveIntegerField(default=1)
    agreed_ids = models.JSONField(default=list)
    # Turns whose client saved their action plan.
    planned_turns = models.JSONField(default=list)
    thanks_given = models.PositiveSmallIntegerField(default=0)
    # Earlier actions reviewed at the start: action id -> "done", "going" or "dropped".
    reviewed = models.JSONField(default=dict)
    timekeeper = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_by = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField()
    step_started_at = models.DateTimeField()
    turn_started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager["SessionRun"]()
    all_organizations = models.Manager["SessionRun"]()

    class Meta:
        default_manager_name = "all_organizations"

    def __str__(self) -> str:
        return f"Run of session {self.session_id}"

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None


class SessionOption(models.Model):
    """One option the client could take, with what speaks for and against it (all sealed)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="session_options"
    )
    run = models.ForeignKey(SessionRun, on_delete=models.CASCADE, related_name="options")
    turn = models.PositiveSmallIntegerField()
    client = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    added_by = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    text = SealedTextField()
    pros = SealedTextField()
    cons = SealedTextField()
    created_at = models.DateTimeField()

    objects = OrganizationScopedManager["SessionOption"]()
    all_organizations = models.Manager["SessionOption"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["run", "turn"])]

    def __str__(self) -> str:
        return f"Option {self.pk} in run {self.run_id}"  # never the text


class ObserverNote(models.Model):
    """An observer's note for the coach of one turn (sealed; coach and observer read it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="observer_notes"
    )
    run = models.ForeignKey(SessionRun, on_delete=models.CASCADE, related_name="observer_notes")
    turn = models.PositiveSmallIntegerField()
    observer = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    coach = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    text = SealedTextField()
    created_at = models.DateTimeField()

    objects = OrganizationScopedManager["ObserverNote"]()
    all_organizations = models.Manager["ObserverNote"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(observer=models.F("coach")), name="observer_note_not_to_self"
            )
        ]

    def __str__(self) -> str:
        return f"Observer note {self.pk} in run {self.run_id}"  # never the text
