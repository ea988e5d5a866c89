"""Rebuild the insights figures now: every organization, or the ones named with --organization.

The hourly sweep already rebuilds each organization's figures once a day; this command is for a
first build after an import, or after changing an organization's minimum reporting size.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peercoach.insights.refresh import insights_refresh
from peercoach.organizations.models import Organization


class Command(BaseCommand):
    help = "Rebuild the group figures the insights dashboards show."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organization",
            action="append",
            default=[],
            metavar="SLUG",
            help="Only this organization (may be given more than once).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slugs: list[str] = options["organization"]
        organizations = Organization.objects.order_by("pk")
        if slugs:
            organizations = organizations.filter(slug__in=slugs)
            missing = set(slugs) - set(organizations.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No organization with slug: {', '.join(sorted(missing))}.")
        for organization in organizations:
            result = insights_refresh(organization=organization)
            self.stdout.write(
                f"{organization.slug}: {result.programs} programs, {result.months} months, "
                f"{result.cells_written} cells in {result.seconds:.1f} s."
            )
