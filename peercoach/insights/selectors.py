"""Reading insights: dashboards are read from the released cells, never from people's activity.

Each read is a fixed number of indexed queries whatever the size of the organization: the cells
were computed ahead by the build (refresh.py), and a withheld cell carries no numbers to read.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db.models import OuterRef, Subquery

from peercoach.insights.atoms import FilterKey
from peercoach.insights.contract import (
    Dashboard,
    DashboardFilters,
    Family,
    Figure,
    MetricDefinition,
    MonthFigures,
    Unit,
)
from peercoach.insights.metrics import METRICS
from peercoach.insights.models import InsightsBuild, ReleasedCell
from peercoach.insights.refresh import org_cell_key, reporting_size, team_cell_key
from peercoach.organizations.models import Organization
from peercoach.people.models import Person
from peercoach.programs.models import Program

ORGANIZATION_SCOPE = "Whole organization"
TEAM_SCOPE = "People reporting to you"

NOTE_WITHHELD = (
    "Too few people to show: their figures are combined with others. Try a wider filter, "
    "such as a whole department."
)
NOTE_TEAM_WITHHELD = (
    "Some months are hidden because too few of the people reporting to you took part, or "
    "because their figures could be worked out from others."
)
NOTE_TEAM_NO_FILTERS = (
    "Department, office and level filters don't apply to your team's figures: they cover "
    "everyone reporting to you."
)
NOTE_NOT_BUILT = (
    "The figures haven't been put together yet. A month's figures appear about a week after it "
    "ends, and then never change."
)
NOTE_SMALL = (
    "Figures are shown only for groups of at least {k} people, so nobody can be singled out."
)

type CellValues = tuple[int, dict[str, float]]  # population, sums


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """First days of every month from `first` to `last`, inclusive."""
    month = first.replace(day=1)
    months: list[dt.date] = []
    while month <= last:
        months.append(month)
        month = (month + dt.timedelta(days=32)).replace(day=1)
    return months


def dashboard_for(
    *,
    organization: Organization,
    filters: DashboardFilters,
    manager: Person | None = None,
) -> Dashboard:
    """The figures one scope may see for a program and range of months (two queries).

    manager=None is the whole organization, answered for the filters; a manager sees the people
    reporting to them, at any depth, without filters.
    """
    k = reporting_size(organization)
    filters = _normalized(filters)
    if manager is None:
        cell_key = org_cell_key(FilterKey(filters.department, filters.office, filters.level))
    else:
        cell_key = team_cell_key(manager.pk)
    months = months_between(filters.first_month, filters.last_month)
    cells = _released_cells(organization, filters.program_id, cell_key, months, k)
    refreshed_at = _refreshed_at(organization, k)
    month_figures = [
        MonthFigures(month=month, figures=_figures(METRICS, cells.get(month, {})))
        for month in months
    ]
    return Dashboard(
        filters=filters,
        scope_label=ORGANIZATION_SCOPE if manager is None else TEAM_SCOPE,
        metrics=list(METRICS),
        months=month_figures,
        minimum_reporting_size=k,
        refreshed_at=refreshed_at,
        notes=_notes(filters, manager, month_figures, refreshed_at, k),
    )


def _normalized(filters: DashboardFilters) -> DashboardFilters:
    """Blank filters mean "any"; months start on the first."""
    return DashboardFilters(
        program_id=filters.program_id,
        first_month=filters.first_month.replace(day=1),
        last_month=filters.last_month.replace(day=1),
        department=filters.department or None,
        office=filters.office or None,
        level=filters.level,
    )


def _released_cells(
    organization: Organization,
    program_id: int,
    cell_key: str,
    months: list[dt.date],
    k: int,
) -> dict[dt.date, dict[Family, CellValues]]:
    """month -> family -> (population, sums) for the released cells of one filter.

    Cells built with a smaller k than today's are not read: the organization raised its k, and
    those months stay hidden for good (a month is never built twice).
    """
    if not months:
        return {}
    rows = (
        ReleasedCell.objects.in_organization(organization)
        .filter(
            program_id=program_id,
            cell_key=cell_key,
            month__gte=months[0],
            month__lte=months[-1],
            is_released=True,
            minimum_reporting_size__gte=k,
        )
        .values_list("month", "family", "population", "sums")
    )
    cells: dict[dt.date, dict[Family, CellValues]] = {}
    for month, family, population, sums in rows:
        cells.setdefault(month, {})[Family(family)] = _cell_values(population, sums)
    return cells


def _cell_values(population: int | None, sums: Any) -> CellValues:
    # Released cells always carry both (a database constraint); withheld ones are never read.
    assert population is not None
    assert isinstance(sums, dict)
    return population, sums


def _refreshed_at(organization: Organization, k: int) -> dt.datetime | None:
    build = (
        InsightsBuild.objects.in_organization(organization)
        .values_list("refreshed_at", "minimum_reporting_size")
        .first()
    )
    if build is None:
        return None
    refreshed_at, built_with = build
    return refreshed_at if built_with is not None and built_with >= k else None


def _figures(
    metrics: list[MetricDefinition], cells: Mapping[Family, CellValues]
) -> dict[str, Figure]:
    figures = {}
    for metric in metrics:
        cell = cells.get(metric.family)
        figures[metric.key] = (
            Figure(value=None, population=None) if cell is None else figure_of(metric, *cell)
        )
    return figures


def figure_of(metric: MetricDefinition, population: int, sums: Mapping[str, Any]) -> Figure:
    """A metric's value from a released cell.

    People are counted as they are; shares are fractions from 0 to 1 and averages plain numbers,
    both None when there is nothing to divide by (e.g. nobody rated a session): the population
    is then still shown, as it was released.
    """
    numerator = float(population if not metric.numerator else sums.get(metric.numerator, 0.0))
    if metric.unit == Unit.PEOPLE:
        return Figure(value=numerator, population=population)
    denominator = float(population if not metric.denominator else sums.get(metric.denominator, 0.0))
    if denominator == 0:
        return Figure(value=None, population=population)
    return Figure(value=numerator / denominator, population=population)


def _notes(
    filters: DashboardFilters,
    manager: Person | None,
    months: list[MonthFigures],
    refreshed_at: dt.datetime | None,
    k: int,
) -> list[str]:
    if refreshed_at is None:
        return [NOTE_NOT_BUILT]
    notes = [NOTE_SMALL.format(k=k)]
    filtered = filters.department is not None or filters.office is not None
    filtered = filtered or filters.level is not None
    any_withheld = any(
        figure.population is None for month in months for figure in month.figures.values()
    )
    if manager is not None:
        if filtered:
            notes.append(NOTE_TEAM_NO_FILTERS)
        if any_withheld:
            notes.append(NOTE_TEAM_WITHHELD)
    elif filtered and any_withheld:
        notes.append(NOTE_WITHHELD)
    return notes


def filter_choices(*, organization: Organization, program: Program) -> dict[str, list[Any]]:
    """The departments, offices and levels that have figures for the program (one query).

    Only values that appear in a released cell are offered: listing a department because one
    person from it took part would itself say something about fewer than k people. The build
    gathers them, so reading them costs one small row whatever the size of the program.
    """
    k = reporting_size(organization)
    build = (
        InsightsBuild.objects.in_organization(organization)
        .values_list("filter_choices", "minimum_reporting_size")
        .first()
    )
    stored: dict[str, list[Any]] = {}
    if build is not None and build[1] is not None and build[1] >= k:
        stored = build[0].get(str(program.pk), {})
    return {
        "departments": list(stored.get("departments", [])),
        "offices": list(stored.get("offices", [])),
        "levels": list(stored.get("levels", [])),
    }


def programs_overview(
    *, organization: Organization, manager: Person | None = None
) -> list[tuple[Program, MonthFigures | None]]:
    """Each program with the figures of its latest built month, each program on its own
    (two queries). None when that month has nothing this scope may see."""
    k = reporting_size(organization)
    cell_key = org_cell_key(FilterKey()) if manager is None else team_cell_key(manager.pk)
    programs = list(Program.objects.in_organization(organization).order_by("-starts_on", "name"))
    # Naming the programs lets the database read each program's cells by its unique index.
    mine = ReleasedCell.objects.in_organization(organization).filter(
        program__in=[program.pk for program in programs], cell_key=cell_key
    )
    latest = (
        ReleasedCell.objects.in_organization(organization)
        .filter(
            program=OuterRef("program"),
            cell_key=cell_key,
            is_released=True,
            minimum_reporting_size__gte=k,
        )
        .order_by("-month")
        .values("month")[:1]
    )
    rows = mine.filter(
        month=Subquery(latest), is_released=True, minimum_reporting_size__gte=k
    ).values_list("program_id", "month", "family", "population", "sums")
    cells: dict[int, tuple[dt.date, dict[Family, CellValues]]] = {}
    for program_id, month, family, population, sums in rows:
        cells.setdefault(program_id, (month, {}))[1][Family(family)] = _cell_values(
            population, sums
        )
    overview: list[tuple[Program, MonthFigures | None]] = []
    for program in programs:
        if program.pk in cells:
            month, by_family = cells[program.pk]
            overview.append((program, MonthFigures(month, _figures(METRICS, by_family))))
        else:
            overview.append((program, None))
    return overview
