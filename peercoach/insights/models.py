"""What the insights build stores: released cells, and when each organization was last built.

A released cell is one filter's answer for one program, month and family: whether it may be shown
and, only when it may, how many people it covers and the sums of their values. A withheld cell
stores no numbers at all, so not even the database holds a figure about too few people.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from peercoach.insights.contract import Family
from peercoach.organizations.models import Organization
from peercoach.organizations.scoping import OrganizationScopedManager


class ReleasedCell(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    family = models.CharField(max_length=32, choices=[(f.value, f.value) for f in Family])
    # The filter this cell answers, as one string so that a dashboard reads a filter's months
    # with one indexed equality: `["Sales", null, 3]` (JSON; null means any) for the whole
    # organization, `team:<person id>` for the people reporting to a manager.
    cell_key = models.TextField()
    # The same filter, readable: blank (or NULL level) means any, as nobody can filter on a
    # blank department or office. Always "any" for a team cell.
    department = models.CharField(max_length=200, blank=True, default="")
    office = models.CharField(max_length=200, blank=True, default="")
    level = models.PositiveSmallIntegerField(null=True, blank=True)
    manager = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    is_released = models.BooleanField()
    population = models.PositiveIntegerField(null=True, blank=True)
    sums = models.JSONField(null=True, blank=True)
    # The k the cell was built with: a cell built with a smaller k than the organization's
    # current one is never shown, and never rebuilt (its month is published for good).
    minimum_reporting_size = models.PositiveSmallIntegerField()
    built_at = models.DateTimeField()

    objects = OrganizationScopedManager["ReleasedCell"]()
    all_organizations = models.Manager["ReleasedCell"]()

    class Meta:
        default_manager_name = "all_organizations"
        constraints = [
            models.UniqueConstraint(
                fields=["program", "cell_key", "month", "family"],
                name="released_cell_one_per_filter_month_family",
            ),
            # Numbers only on released cells, and released cells always carry them.
            models.CheckConstraint(
                condition=(
                    Q(is_released=True, population__isnull=False, sums__isnull=False)
                    | Q(is_released=False, population__isnull=True, sums__isnull=True)
                ),
                name="released_cell_numbers_only_when_released",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cell_key} {self.month:%Y-%m} {self.family}"


class PublishedMonth(models.Model):
    """A program-month whose cells have been built. A published month is never built again:
    two versions of the same month that differ by one person would describe that person."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    program = models.ForeignKey("programs.Program", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()  # the first day of the month
    # The k the month was built with; it keeps it for good (see ReleasedCell).
    minimum_reporting_size = models.PositiveSmallIntegerField()
    published_at = models.DateTimeField()

    objects = OrganizationScopedManager["PublishedMonth"]()
    all_organizations = models.Manager["PublishedMonth"]()

    class Meta:
        default_manager_name = "all_organizations"
        constraints = [
            models.UniqueConstraint(
                fields=["program", "month"], name="published_month_one_per_program_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.program_id} {self.month:%Y-%m} published {self.published_at}"


class InsightsBuild(models.Model):
    """When an organization's figures were last rebuilt, and with which k."""

    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="insights_build"
    )
    refreshed_at = models.DateTimeField(null=True, blank=True)
    minimum_reporting_size = models.PositiveSmallIntegerField(null=True, blank=True)
    # Set when a rebuild is queued, so the hourly sweep queues one rebuild, not one an hour.
    requested_at = models.DateTimeField(null=True, blank=True)
    # Program id -> the departments, offices and levels that appear in a released cell, so a
    # dashboard's filter form reads them from one small row.
    filter_choices = models.JSONField(default=dict, blank=True)
    cells_written = models.PositiveIntegerField(default=0)
    seconds_taken = models.FloatField(default=0)

    objects = OrganizationScopedManager["InsightsBuild"]()
    all_organizations = models.Manager["InsightsBuild"]()

    class Meta:
        default_manager_name = "all_organizations"

    def __str__(self) -> str:
        return f"Insights of {self.organization_id} built {self.refreshed_at}"


# The weekly sponsor summaries' sent-records live with their feature; imported so Django sees them.
from peercoach.insights.summary_models import SponsorSummary  # noqa: E402, F401
