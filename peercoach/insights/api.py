"""Group-level insights in the JSON API: the same Dashboard the program page shows.

Filters are the page's (same names, same checks, same errors). A withheld figure is `null` with
the reason beside it; nothing is ever about one person.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from peercoach.insights import selectors
from peercoach.insights.charts import WITHHELD_TEXT
from peercoach.insights.contract import Dashboard
from peercoach.insights.forms import DashboardFilterForm, default_period, filter_data
from peercoach.insights.permissions import has_reports, may_see_organization_insights
from peercoach.organizations.models import Membership
from peercoach.people.models import Person
from peercoach.programs.models import Program
from peercoach.programs.selectors import program_get

router = Router(tags=["insights"])


class FiltersIn(Schema):
    first_month: str = Field("", description="First month, as YYYY-MM. Default: a year back.")
    last_month: str = Field("", description="Last month (included), as YYYY-MM.")
    department: str = Field("", description="Only this department. Default: any.")
    office: str = Field("", description="Only this office. Default: any.")
    level: str = Field("", description="Only this level. Default: any.")


class FiltersOut(Schema):
    first_month: dt.date
    last_month: dt.date
    department: str | None
    office: str | None
    level: int | None


class MetricOut(Schema):
    key: str
    label: str
    description: str
    unit: str = Field(description="people, share (0 to 1) or average.")
    decimals: int


class FigureOut(Schema):
    value: float | None = Field(description="null when withheld.")
    population: int | None = Field(description="How many people the figure covers.")
    withheld: bool
    reason: str | None


class MonthOut(Schema):
    month: dt.date
    figures: dict[str, FigureOut]


class DashboardOut(Schema):
    program_id: int
    program_name: str
    scope: str
    filters: FiltersOut
    minimum_reporting_size: int
    refreshed_at: dt.datetime | None
    notes: list[str]
    metrics: list[MetricOut]
    months: list[MonthOut]


class FilterErrorsOut(Schema):
    detail: str
    errors: dict[str, list[str]]


def _member(request: HttpRequest) -> Membership:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    return membership


def _dashboard_out(dashboard: Dashboard, *, program_name: str) -> DashboardOut:
    filters = dashboard.filters
    return DashboardOut(
        program_id=filters.program_id,
        program_name=program_name,
        scope=dashboard.scope_label,
        filters=FiltersOut(
            first_month=filters.first_month,
            last_month=filters.last_month,
            department=filters.department,
            office=filters.office,
            level=filters.level,
        ),
        minimum_reporting_size=dashboard.minimum_reporting_size,
        refreshed_at=dashboard.refreshed_at,
        notes=list(dashboard.notes),
        metrics=[
            MetricOut(
                key=metric.key,
                label=metric.label,
                description=metric.description,
                unit=metric.unit.value,
                decimals=metric.decimals,
            )
            for metric in dashboard.metrics
        ],
        months=[
            MonthOut(
                month=month.month,
                figures={
                    metric.key: _figure_out(month.figures.get(metric.key))
                    for metric in dashboard.metrics
                },
            )
            for month in dashboard.months
        ],
    )


def _figure_out(figure: object) -> FigureOut:
    value = getattr(figure, "value", None)
    if value is None:
        return FigureOut(value=None, population=None, withheld=True, reason=WITHHELD_TEXT)
    return FigureOut(
        value=value, population=getattr(figure, "population", None), withheld=False, reason=None
    )


class TeamFiltersIn(Schema):
    first_month: str = Field("", description="First month, as YYYY-MM. Default: a year back.")
    last_month: str = Field("", description="Last month (included), as YYYY-MM.")


@router.get(
    "/insights/programs/{program_id}",
    response={200: DashboardOut, 400: FilterErrorsOut},
    summary="A program's group figures, month by month",
)
def program_insights(
    request: HttpRequest, program_id: int, filters: Query[FiltersIn]
) -> Status[DashboardOut | FilterErrorsOut] | DashboardOut:
    membership = _member(request)
    if not may_see_organization_insights(membership):
        raise HttpError(403, "Insights are for program managers, sponsors and admins.")
    program = program_get(membership=membership, program_id=program_id)
    choices = selectors.filter_choices(organization=membership.organization, program=program)
    return _answer(membership, program, filters.dict(), choices=choices, manager=None)


@router.get(
    "/insights/team/programs/{program_id}",
    response={200: DashboardOut, 400: FilterErrorsOut},
    summary="A program's figures for the people reporting to me, month by month",
)
def team_insights(
    request: HttpRequest, program_id: int, filters: Query[TeamFiltersIn]
) -> Status[DashboardOut | FilterErrorsOut] | DashboardOut:
    membership = _member(request)
    program = program_get(membership=membership, program_id=program_id)
    if membership.person is None or not has_reports(membership):
        raise HttpError(403, "Team figures are for people with others reporting to them.")
    return _answer(membership, program, filters.dict(), choices={}, manager=membership.person)


def _answer(
    membership: Membership,
    program: Program,
    query: dict[str, object],
    *,
    choices: dict[str, list[object]],
    manager: Person | None,
) -> Status[DashboardOut | FilterErrorsOut] | DashboardOut:
    """The same checks and the same Dashboard as the pages; errors per field with a 400."""
    first, last = default_period(
        starts_on=program.starts_on, ends_on=program.ends_on, today=timezone.localdate()
    )
    form = DashboardFilterForm(
        filter_data(
            {key: str(value) for key, value in query.items()},
            program_id=program.pk,
            first=first,
            last=last,
        ),
        programs=[(program.pk, program.name)],
        choices=choices,
        group_filters=manager is None,
    )
    if not form.is_valid():
        errors = {field: [str(e) for e in messages] for field, messages in form.errors.items()}
        return Status(400, FilterErrorsOut(detail="Please check the filters.", errors=errors))
    dashboard = selectors.dashboard_for(
        organization=membership.organization, filters=form.filters(), manager=manager
    )
    return _dashboard_out(dashboard, program_name=program.name)
