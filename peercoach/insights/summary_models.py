"""The record of each weekly summary sent to a program's sponsor.

One row per program and week, created (claimed) before the email is queued: the unique
constraint makes a second sweep, or two sweeps at once, find the week already taken, so a sponsor
never gets the same week's summary twice. `emailed_at` is claimed again by the task itself, so a
task run twice sends once. The row holds no figures: the email is rendered from released figures
when it is sent.
"""

from __future__ import annotations

from django.db import models

from peercoach.organizations.models import Membership, Organization
from peercoach.organizations.scoping import OrganizationScopedManager


class SponsorSummary(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey(
        "programs.Program", on_delete=models.CASCADE, related_name="sponsor_summaries"
    )
    # Kept when the sponsor's membership goes: the week still counts as done.
    sponsor = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    week_starts_on = models.DateField()  # the Monday of the ISO week it covers
    claimed_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = OrganizationScopedManager["SponsorSummary"]()
    all_organizations = models.Manager["SponsorSummary"]()

    class Meta:
        default_manager_name = "all_organizations"
        ordering = ["-week_starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["program", "week_starts_on"], name="sponsor_summary_once_per_program_week"
            )
        ]

    def __str__(self) -> str:
        return f"Summary of program {self.program_id} for the week of {self.week_starts_on}"
