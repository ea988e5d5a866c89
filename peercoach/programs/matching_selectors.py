"""Reads for matching runs, for program managers only. Pages use a fixed number of queries,
however many proposals a run has."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Sum
from django.http import Http404

from peercoach.organizations.models import Membership
from peercoach.programs.matching_models import MatchingPlacement, MatchingProposal, MatchingRun
from peercoach.programs.models import Program

PROPOSALS_PAGE_SIZE = 100
UNMATCHED_PAGE_SIZE = 100
# The most people a name search in a run shows.
PEOPLE_SEARCH_LIMIT = 20


def matching_run_get(*, membership: Membership, run_id: int) -> MatchingRun:
    """A run of the member's organization; any other answers 404."""
    run = (
        MatchingRun.objects.in_organization(membership.organization_id)
        .filter(pk=run_id)
        .select_related("program", "started_by__user")
        .first()
    )
    if run is None:
        raise Http404("No such matching run.")
    return run


def matching_runs_recent(*, program: Program, limit: int = 5) -> list[MatchingRun]:
    return list(
        MatchingRun.objects.in_organization(program.organization_id).filter(program=program)[:limit]
    )


def proposals_page(*, run: MatchingRun, page: Any) -> Page[MatchingProposal]:
    members = Prefetch(
        "placements",
        queryset=MatchingPlacement.objects.in_organization(run.organization_id)
        .select_related("person")
        .order_by("person__full_name", "person_id"),
    )
    proposals = (
        MatchingProposal.objects.in_organization(run.organization_id)
        .filter(run=run)
        .order_by("number")
        .prefetch_related(members)
    )
    return Paginator(proposals, PROPOSALS_PAGE_SIZE).get_page(page)


def unmatched_page(*, run: MatchingRun, page: Any) -> Page[MatchingPlacement]:
    unmatched = (
        MatchingPlacement.objects.in_organization(run.organization_id)
        .filter(run=run, proposal__isnull=True)
        .select_related("person")
        .order_by("person__full_name", "person_id")
    )
    return Paginator(unmatched, UNMATCHED_PAGE_SIZE).get_page(page)


def placements_named(
    *, run: MatchingRun, text: str, limit: int = PEOPLE_SEARCH_LIMIT
) -> list[MatchingPlacement]:
    """Anyone in the run whose name contains `text`, grouped or not, by name, at most `limit`."""
    text = text.strip()
    if not text:
        return []
    return list(
        MatchingPlacement.objects.in_organization(run.organization_id)
        .filter(run=run, person__full_name__icontains=text)
        .select_related("person", "proposal")
        .order_by("person__full_name", "person_id")[:limit]
    )


@dataclass(frozen=True)
class RunFigures:
    """The run's quality as it stands now, after any moves."""

    enrolled: int
    matched: int
    groups: int
    objective: float
    upper_bound: float | None
    bound_note: str
    seconds: float | None

    @property
    def unmatched(self) -> int:
        return self.enrolled - self.matched

    @property
    def reach_percent(self) -> int | None:
        """How much of the most any matching could score this one reaches, in whole percent."""
        if self.upper_bound is None or self.upper_bound <= 0:
            return None
        # Rounded down, so a matching short of the best never reads as 100%.
        return min(100, math.floor(self.objective / self.upper_bound * 100))

    @property
    def quality_note(self) -> str:
        """The quality figures in a sentence a program manager needs no background for."""
        percent = self.reach_percent
        if percent is None or self.upper_bound is None:
            return (
                "We couldn't work out how high a matching of this program could score, so "
                "there is nothing to compare this one with."
            )
        if self.objective >= self.upper_bound:
            return "No matching could score higher than this one."
        return (
            f"No matching could score more than {self.upper_bound:g}; this one reaches "
            f"{percent}% of that."
        )


def run_figures(*, run: MatchingRun) -> RunFigures:
    placements = MatchingPlacement.objects.in_organization(run.organization_id).filter(run=run)
    enrolled = placements.count()
    matched = placements.filter(proposal__isnull=False).count()
    proposals = MatchingProposal.objects.in_organization(run.organization_id).filter(run=run)
    totals = proposals.aggregate(objective=Sum("score"))
    summary = run.summary or {}
    return RunFigures(
        enrolled=enrolled,
        matched=matched,
        groups=proposals.count(),
        objective=round(float(totals["objective"] or 0.0), 2),
        upper_bound=summary.get("upper_bound"),
        bound_note=str(summary.get("bound_note", "")),
        seconds=summary.get("seconds"),
    )
