"""A program's health in a few plain words, read only from figures the dashboard may show.

Findings are computed from a `contract.Dashboard` and nothing else: never from the database,
never from people. A figure the dashboard withholds produces at most a sentence saying that it
is withheld, never a number, a comparison or a hint. The whole-organization scope is used with no
filters, so a withheld figure there always means the family had too few people. It says "too
few" without a number: a month keeps the k it was built with, which may differ from today's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from django.utils import timezone

from peercoach.insights import selectors
from peercoach.insights.charts import format_value, is_withheld, month_label
from peercoach.insights.contract import (
    Dashboard,
    DashboardFilters,
    Figure,
    MetricDefinition,
    MonthFigures,
)
from peercoach.insights.facts import latest_publishable_month
from peercoach.insights.metrics import HEADLINE_METRICS
from peercoach.organizations.models import Organization
from peercoach.programs.models import Program

MAX_FINDINGS = 6
# The dashboard's range for the health page: this month and the five before it.
MONTHS_LOOKED_AT = 6
STALLED_ATTENTION_SHARE = 0.1


class FindingLevel(StrEnum):
    GOOD = "good"
    ATTENTION = "attention"
    WITHHELD = "withheld"


@dataclass(frozen=True)
class Finding:
    text: str
    level: FindingLevel
    metric: MetricDefinition
    month: dt.date
    shown: str  # the figure it came from, as shown ("33%", "4.2", "withheld")


@dataclass(frozen=True)
class ProgramHealth:
    program: Program
    dashboard: Dashboard
    month: dt.date | None  # the month the findings describe; None when nothing is built yet
    findings: list[Finding]
    headlines: list[tuple[str, str]]  # (label, figure as shown) for the latest month


# ---------------------------------------------------------------------------------------------
# Words for numbers

_FRACTIONS: list[tuple[float, str]] = [
    (1 / 10, "one in ten"),
    (1 / 5, "one in five"),
    (1 / 4, "a quarter"),
    (1 / 3, "a third"),
    (2 / 5, "two in five"),
    (1 / 2, "half"),
    (3 / 5, "three in five"),
    (2 / 3, "two thirds"),
    (3 / 4, "three quarters"),
    (4 / 5, "four in five"),
    (9 / 10, "nine in ten"),
]


def share_in_words(share: float) -> str:
    """0.33 -> "a third", 0.52 -> "about half": the nearest everyday fraction."""
    if share <= 0:
        return "none"
    if share >= 1:
        return "all"
    if share < 0.05:
        return "fewer than one in twenty"
    if share > 0.95:
        return "almost all"
    exact, words = min(_FRACTIONS, key=lambda pair: abs(pair[0] - share))
    return words if abs(exact - share) < 0.01 else f"about {words}"


def percent(share: float) -> str:
    return f"{round(share * 100)}%"


def shown(metric: MetricDefinition, figure: Figure | None) -> str:
    """A figure as the dashboard shows it; never a number for a withheld one."""
    if figure is None or is_withheld(figure):
        return "withheld"
    if figure.value is None:
        return "no figure"
    return format_value(metric, figure.value)


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------------------------------------
# Findings


@dataclass(frozen=True)
class _Reading:
    """What one finding rule reads: a metric's figure this month and the month before."""

    metric: MetricDefinition
    month: dt.date
    figure: Figure
    previous: Figure | None
    k: int
    when: str  # "this month" or "in October 2026"

    @property
    def withheld(self) -> bool:
        return self.figure.population is None

    @property
    def value(self) -> float | None:
        return None if self.withheld else self.figure.value

    @property
    def previous_value(self) -> float | None:
        if self.previous is None or self.previous.population is None:
            return None
        return self.previous.value

    def finding(self, text: str, level: FindingLevel) -> Finding:
        return Finding(
            text=text,
            level=level,
            metric=self.metric,
            month=self.month,
            shown=shown(self.metric, None if self.withheld else self.figure),
        )


def _stalled(reading: _Reading, share: float) -> Finding:
    if share <= 0:
        return reading.finding("No pair has gone six weeks without meeting.", FindingLevel.GOOD)
    if share >= 1:
        return reading.finding("No pair has met in the last six weeks.", FindingLevel.ATTENTION)
    # A pair that has not met for six weeks rarely starts again without help, so even one in
    # ten is worth a look.
    level = FindingLevel.ATTENTION if share >= STALLED_ATTENTION_SHARE else FindingLevel.GOOD
    return reading.finding(
        f"{_capitalized(share_in_words(share))} of paired people have not met in six weeks.",
        level,
    )


def _match_acceptance(reading: _Reading, share: float) -> Finding:
    before = reading.previous_value
    if before is not None and abs(share - before) >= 0.1:
        moved = "fell" if share < before else "rose"
        level = FindingLevel.ATTENTION if share < before else FindingLevel.GOOD
        return reading.finding(
            f"Match acceptance {moved} from {percent(before)} to {percent(share)} since last "
            "month.",
            level,
        )
    level = FindingLevel.GOOD if share >= 0.7 else FindingLevel.ATTENTION
    return reading.finding(
        f"{_capitalized(share_in_words(share))} of the proposed matches were accepted "
        f"({percent(share)}).",
        level,
    )


def _rhythm(reading: _Reading, share: float) -> Finding:
    level = FindingLevel.GOOD if share >= 0.75 else FindingLevel.ATTENTION
    return reading.finding(
        f"Meetings are happening at {percent(share)} of the planned rhythm.", level
    )


def _rating(reading: _Reading, rating: float) -> Finding:
    level = FindingLevel.GOOD if rating >= 3.5 else FindingLevel.ATTENTION
    return reading.finding(f"Sessions were rated {rating:.1f} out of 5 on average.", level)


def _actions_reviewed(reading: _Reading, share: float) -> Finding:
    level = FindingLevel.GOOD if share >= 0.5 else FindingLevel.ATTENTION
    return reading.finding(
        f"{_capitalized(share_in_words(share))} of the action commitments were looked at again at "
        "the next meeting.",
        level,
    )


def _first_meeting(reading: _Reading, days: float) -> Finding:
    level = FindingLevel.GOOD if days <= 21 else FindingLevel.ATTENTION
    return reading.finding(
        f"New pairs first met {round(days)} days after being matched, on average.", level
    )


def _in_pairing(reading: _Reading, share: float) -> Finding:
    level = FindingLevel.GOOD if share >= 0.75 else FindingLevel.ATTENTION
    return reading.finding(
        f"{_capitalized(share_in_words(share))} of the people enrolled are in a pairing.", level
    )


@dataclass(frozen=True)
class _Rule:
    """How a metric becomes a finding: `read` gets the figure's value (never a withheld one);
    `withheld` is the line for a withheld month ("{when}" filled in), or None for a metric
    whose absence is not worth a line of its own."""

    read: Callable[[_Reading, float], Finding]
    withheld: str | None

    def apply(self, reading: _Reading) -> Finding | None:
        if reading.withheld:
            if self.withheld is None:
                return None
            text = self.withheld.format(when=reading.when)
            return reading.finding(text, FindingLevel.WITHHELD)
        value = reading.value
        return None if value is None else self.read(reading, value)


# Metric key -> the rule that reads it, in the order findings are shown within a level.
RULES: dict[str, _Rule] = {
    "stalled": _Rule(
        _stalled, "How many pairs stalled is withheld {when}: too few people were paired."
    ),
    "match_acceptance": _Rule(
        _match_acceptance, "Match acceptance is withheld {when}: too few people answered a match."
    ),
    "meetings_against_cadence": _Rule(
        _rhythm, "The meeting rhythm is withheld {when}: too few people were paired."
    ),
    "session_rating": _Rule(_rating, "Ratings are withheld {when}: too few people rated."),
    "actions_reviewed": _Rule(_actions_reviewed, None),
    "days_to_first_meeting": _Rule(_first_meeting, None),
    "in_pairing": _Rule(_in_pairing, "Figures are withheld {when}: too few people were enrolled."),
}
_LEVEL_ORDER = {FindingLevel.ATTENTION: 0, FindingLevel.GOOD: 1, FindingLevel.WITHHELD: 2}


def findings_for(dashboard: Dashboard, *, today: dt.date | None = None) -> list[Finding]:
    """Up to six findings about the latest month with figures: what needs attention first."""
    month_index = _latest_month_index(dashboard)
    if month_index is None:
        return []
    current = dashboard.months[month_index]
    previous = _previous_month(dashboard, month_index)
    today = today or timezone.localdate()
    this_month = current.month == today.replace(day=1)
    when = "this month" if this_month else f"in {month_label(current.month)}"
    findings: list[Finding] = []
    by_key = {metric.key: metric for metric in dashboard.metrics}
    for key, rule in RULES.items():
        metric = by_key.get(key)
        if metric is None:
            continue
        reading = _Reading(
            metric=metric,
            month=current.month,
            figure=current.figures.get(key) or Figure(value=None, population=None),
            previous=previous.figures.get(key) if previous else None,
            k=dashboard.minimum_reporting_size,
            when=when,
        )
        finding = rule.apply(reading)
        if finding is not None:
            findings.append(finding)
    findings.sort(key=lambda finding: _LEVEL_ORDER[finding.level])
    return findings[:MAX_FINDINGS]


def headlines_for(dashboard: Dashboard) -> list[tuple[str, str]]:
    month_index = _latest_month_index(dashboard)
    if month_index is None:
        return []
    figures = dashboard.months[month_index].figures
    by_key = {metric.key: metric for metric in dashboard.metrics}
    return [
        (by_key[key].label, shown(by_key[key], figures.get(key)))
        for key in HEADLINE_METRICS
        if key in by_key
    ]


def _latest_month_index(dashboard: Dashboard) -> int | None:
    """The latest month with at least one figure shown; else the latest month at all."""
    if not dashboard.months:
        return None
    for index in range(len(dashboard.months) - 1, -1, -1):
        figures = dashboard.months[index].figures.values()
        if any(figure.population is not None for figure in figures):
            return index
    return len(dashboard.months) - 1


def _previous_month(dashboard: Dashboard, index: int) -> MonthFigures | None:
    """The calendar month just before, when the dashboard has it."""
    month = dashboard.months[index].month
    before = (month - dt.timedelta(days=1)).replace(day=1)
    return next((m for m in dashboard.months if m.month == before), None)


# ---------------------------------------------------------------------------------------------
# The page's and the email's reading


def health_filters(*, program: Program, today: dt.date) -> DashboardFilters:
    """The months looked at, ending with the latest that can be published (a month's figures
    appear about a week after it ends)."""
    last = latest_publishable_month(today)
    first = last
    for _ in range(MONTHS_LOOKED_AT - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return DashboardFilters(program_id=program.pk, first_month=first, last_month=last)


def program_health(
    *, organization: Organization, program: Program, today: dt.date | None = None
) -> ProgramHealth:
    """The whole organization's figures for the program, read as findings (no filters)."""
    today = today or timezone.localdate()
    dashboard = selectors.dashboard_for(
        organization=organization, filters=health_filters(program=program, today=today)
    )
    if dashboard.refreshed_at is None:
        # Never built (or built with a smaller k): every cell reads as withheld, which would
        # wrongly say the program is small. Say nothing until the figures exist.
        return ProgramHealth(
            program=program, dashboard=dashboard, month=None, findings=[], headlines=[]
        )
    index = _latest_month_index(dashboard)
    return ProgramHealth(
        program=program,
        dashboard=dashboard,
        month=dashboard.months[index].month if index is not None else None,
        findings=findings_for(dashboard, today=today),
        headlines=headlines_for(dashboard),
    )
