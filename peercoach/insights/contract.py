"""The shapes the insights modules agree on: what a month of activity contributes, and what a
dashboard may show.

Every figure on a dashboard is a sum over a *population* (a set of people) of values each person
contributes for one program and one month. A population is always a union of *atoms*: groups of at
least k people built before anything is shown, so no sum, difference or combination of figures can
describe fewer than k people (docs/decisions/0004-insights-privacy.md explains why that holds).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class Family(StrEnum):
    """Whom a figure is about. Every family's members are participants of the month, and its
    super-atoms are unions of the participants' atoms (refresh.py, atoms.py)."""

    PARTICIPANTS = "participants"  # enrolled in the program at some point in the month
    RESPONDERS = "responders"  # answered an invitation to a pairing in the month
    PAIRED = "paired"  # in an active pairing at some point in the month
    FIRST_MEETINGS = "first_meetings"  # held the first meeting of a new pairing in the month
    RATERS = "raters"  # rated at least one session in the month
    ACTION_OWNERS = "action_owners"  # had open actions when their next session was held
    SURVEY_RESPONDENTS = "survey_respondents"  # answered the program survey in the month


@dataclass(frozen=True)
class Contribution:
    """One person's values for one family, program and month (values are summed, never shown)."""

    person_id: int
    family: Family
    values: dict[str, float]


class Unit(StrEnum):
    PEOPLE = "people"  # a count of people: the population itself or a sum of 0/1 values
    SHARE = "share"  # numerator / denominator, shown as a percentage
    AVERAGE = "average"  # numerator / denominator, shown as a number (days, rating, meetings)


@dataclass(frozen=True)
class MetricDefinition:
    """A dashboard metric: numerator and denominator are value keys summed over the family's
    population; the denominator "" means the population size."""

    key: str
    label: str
    description: str
    family: Family
    unit: Unit
    numerator: str
    denominator: str = ""
    decimals: int = 0


@dataclass(frozen=True)
class DashboardFilters:
    program_id: int
    first_month: dt.date  # first day of a month
    last_month: dt.date  # first day of a month, inclusive
    department: str | None = None
    office: str | None = None
    level: int | None = None


@dataclass(frozen=True)
class Figure:
    """A value as shown. `value` and `population` are None when the figure is withheld."""

    value: float | None
    population: int | None

    @property
    def withheld(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class MonthFigures:
    month: dt.date
    figures: dict[str, Figure]  # metric key -> figure


@dataclass(frozen=True)
class Dashboard:
    filters: DashboardFilters
    scope_label: str  # "Whole organization" or "People reporting to you"
    metrics: list[MetricDefinition]
    months: list[MonthFigures]
    minimum_reporting_size: int
    refreshed_at: dt.datetime | None  # when the figures were last rebuilt; None: never
    notes: list[str] = field(default_factory=list)  # plain words, e.g. why filters are withheld
