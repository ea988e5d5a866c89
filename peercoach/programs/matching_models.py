"""Matching runs: the engine run in the background for one program, and what it proposed.

A run's proposals are private to program managers until they publish them; publishing turns
each proposal into a pairing whose members are asked for their yes. Every enrolled person the
run looked at has one placement row: in a proposal, or unmatched with the engine's reason. A
manager's move changes a placement, so "who is where" always has exactly one answer.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from peercoach.organizations.models import Membership, Organization
from peercoach.organizations.scoping import OrganizationScopedManager
from peercoach.people.models import Person


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Matching"
    FINISHED = "finished", "Ready for review"
    FAILED = "failed", "Didn't finish"
    PUBLISHING = "publishing", "Sending invitations"
    PUBLISHED = "published", "Published"


class MatchingRun(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="matching_runs"
    )
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="matching_runs"
    )
    started_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    progress_text = models.CharField(max_length=200, default="Waiting to start")
    progress_percent = models.PositiveSmallIntegerField(default=0)
    seed = models.PositiveIntegerField(default=1)
    parameters = models.JSONField(default=dict, blank=True)
    # Counts, objective, bound, gap, seconds: figures only, no names and nothing personal.
    summary = models.JSONField(default=dict, blank=True)
    # Written for the program manager; technical details go to the log, never to the page.
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager["MatchingRun"]()
    all_organizations = models.Manager["MatchingRun"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress_percent__lte=100), name="matching_run_progress_in_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="matching_run_published_has_a_date",
            ),
        ]
        indexes = [models.Index(fields=["program", "-created_at"])]

    def __str__(self) -> str:
        return f"Matching run {self.pk} for {self.program_id}"

    @property
    def is_in_progress(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.PUBLISHING)


class MatchingProposal(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="matching_proposals"
    )
    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="proposals")
    number = models.PositiveIntegerField()
    score = models.FloatField(default=0.0)
    reason = models.TextField(blank=True)
    # Set when published: the pairing whose members were asked.
    pairing = models.ForeignKey(
        "programs.Pairing", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = OrganizationScopedManager["MatchingProposal"]()
    all_organizations = models.Manager["MatchingProposal"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "number"], name="matching_proposal_number_once_per_run"
            )
        ]

    def __str__(self) -> str:
        return f"Proposal {self.number} of run {self.run_id}"


class MatchingPlacement(models.Model):
    """Where one person stands in a run: in a proposal, or unmatched with a reason."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="matching_placements"
    )
    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="placements")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    enrollment = models.ForeignKey(
        "programs.Enrollment", on_delete=models.CASCADE, related_name="+"
    )
    proposal = models.ForeignKey(
        MatchingProposal,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="placements",
    )
    unmatched_reason = models.TextField(blank=True)

    objects = OrganizationScopedManager["MatchingPlacement"]()
    all_organizations = models.Manager["MatchingPlacement"]()

    class Meta:
        default_manager_name = "all_organizations"
        constraints = [
            models.UniqueConstraint(
                fields=["run", "person"], name="matching_placement_once_per_run"
            )
        ]
        indexes = [models.Index(fields=["run", "proposal"])]

    def __str__(self) -> str:
        return f"{self.person_id} in run {self.run_id}"
