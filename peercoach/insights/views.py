"""Group-level insights pages: the organization overview, a program's dashboard and its CSV, and
a manager's "People reporting to you".

Views only read released figures through `selectors` (precomputed, k-safe cells), so a page costs
the same few queries however large the organization is. Nothing here names a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from peercoach.insights import selectors
from peercoach.insights.charts import format_figure, metric_chart, month_label
from peercoach.insights.contract import Dashboard, MetricDefinition, MonthFigures
from peercoach.insights.export import (
    csv_filename,
    dashboard_csv,
    filters_summary,
    metric_tables,
    reporting_note,
)
from peercoach.insights.forms import DashboardFilterForm, default_period, filter_data
from peercoach.insights.metrics import HEADLINE_METRICS, METRICS_BY_KEY
from peercoach.insights.permissions import (
    ORGANIZATION_SCOPE_ROLES,
    REFRESH_ROLES,
    may_refresh_insights,
    team_manager,
)
from peercoach.insights.refresh import insights_refresh_request
from peercoach.organizations.access import members_only
from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person
from peercoach.programs.models import Program, ProgramStatus
from peercoach.programs.selectors import may_manage_programs, program_get, programs_visible

# The overview's columns: a few figures that say whether a program is alive.


@dataclass
class Filtered:
    """The outcome of reading the filters: a valid dashboard, or a form with its errors."""

    form: DashboardFilterForm
    dashboard: Dashboard | None
    other_program_id: int | None = None  # the person chose another program in the form


def _visible_programs(membership: Membership) -> list[tuple[int, str]]:
    visible = programs_visible(membership=membership).values_list("pk", "name")
    return [(pk, name) for pk, name in visible]


def _read_filters(
    request: HttpRequest,
    membership: Membership,
    program: Program,
    *,
    programs: list[tuple[int, str]],
    manager: Person | None = None,
) -> Filtered:
    first, last = default_period(
        starts_on=program.starts_on, ends_on=program.ends_on, today=timezone.localdate()
    )
    data = filter_data(request.GET.dict(), program_id=program.pk, first=first, last=last)
    choices = {}
    if manager is None:
        choices = selectors.filter_choices(organization=membership.organization, program=program)
    form = DashboardFilterForm(
        data, programs=programs, choices=choices, group_filters=manager is None
    )
    if not form.is_valid():
        return Filtered(form=form, dashboard=None)
    filters = form.filters()
    if filters.program_id != program.pk:
        return Filtered(form=form, dashboard=None, other_program_id=filters.program_id)
    dashboard = selectors.dashboard_for(
        organization=membership.organization, filters=filters, manager=manager
    )
    return Filtered(form=form, dashboard=dashboard)


def _results_context(filtered: Filtered, *, query: str, export_url: str | None) -> dict[str, Any]:
    dashboard = filtered.dashboard
    if dashboard is None:
        return {"form": filtered.form, "dashboard": None}
    tables = metric_tables(dashboard)
    # The page states the minimum group size in its own words; the selector's note says the same.
    same_as_ours = selectors.NOTE_SMALL.format(k=dashboard.minimum_reporting_size)
    return {
        "notes": [note for note in dashboard.notes if note != same_as_ours],
        "form": filtered.form,
        "dashboard": dashboard,
        "sections": [
            {
                "table": table,
                "chart": metric_chart(
                    metric=table.metric,
                    months=dashboard.months,
                    chart_id=f"chart-{table.metric.key}",
                ),
            }
            for table in tables
        ],
        "showing": _showing(dashboard),
        "reporting_note": reporting_note(dashboard.minimum_reporting_size),
        "export_url": f"{export_url}?{query}" if export_url else None,
    }


def _showing(dashboard: Dashboard) -> str:
    """The scope, the filters in use and the period, in a line: "Whole organization · …"."""
    filters = dashboard.filters
    parts = [dashboard.scope_label]
    parts += [
        f"{label}: {value}"
        for label, value in filters_summary(dashboard)
        if label not in ("From", "To") and value != "Any"
    ]
    first, last = month_label(filters.first_month), month_label(filters.last_month)
    parts.append(first if first == last else f"{first} to {last}")
    return " · ".join(parts)


def _with_query(url: str, request: HttpRequest, *, keep_program: bool = False) -> str:
    kept = {k: v for k, v in request.GET.items() if keep_program or k != "program"}
    query = urlencode(kept)
    return f"{url}?{query}" if query else url


def _other_program(request: HttpRequest, url: str) -> HttpResponse:
    """Choosing another program in the form opens that program's page with the same filters."""
    target = _with_query(url, request)
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(target)
    return redirect(target)


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], filtered: Filtered
) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        # htmx swaps only successful answers, so its fragment carries the errors with a 200.
        return render(request, f"{template}#results", context)
    return render(request, template, context, status=400 if filtered.form.errors else 200)


def _headline_metrics() -> list[MetricDefinition]:
    return [METRICS_BY_KEY[key] for key in HEADLINE_METRICS if key in METRICS_BY_KEY]


def _overview_rows(
    overview: list[tuple[Program, MonthFigures | None]], *, shows_drafts: bool
) -> list[dict[str, Any]]:
    headline = _headline_metrics()
    rows = []
    for program, month in overview:
        if program.status == ProgramStatus.DRAFT and not shows_drafts:
            continue
        figures = (
            [format_figure(metric, month.figures.get(metric.key)) for metric in headline]
            if month is not None
            else []
        )
        rows.append({"program": program, "month": month, "figures": figures})
    return rows


@members_only(*ORGANIZATION_SCOPE_ROLES)
@require_GET
def overview(request: HttpRequest, membership: Membership) -> HttpResponse:
    programs = selectors.programs_overview(organization=membership.organization)
    context = {
        "rows": _overview_rows(programs, shows_drafts=may_manage_programs(membership)),
        "headline": _headline_metrics(),
        "reporting_note": reporting_note(membership.organization.minimum_reporting_size),
    }
    return render(request, "insights/overview.html", context)


@members_only(*ORGANIZATION_SCOPE_ROLES)
@require_GET
def program_dashboard(
    request: HttpRequest, membership: Membership, program_id: int
) -> HttpResponse:
    program = program_get(membership=membership, program_id=program_id)
    filtered = _read_filters(request, membership, program, programs=_visible_programs(membership))
    if filtered.other_program_id is not None:
        return _other_program(
            request, reverse("insights:program", args=[filtered.other_program_id])
        )
    export_url = reverse("insights:export", args=[program.pk])
    context = {
        "program": program,
        "may_refresh": may_refresh_insights(membership),
        **_results_context(filtered, query=request.GET.urlencode(), export_url=export_url),
    }
    return _render(request, "insights/program.html", context, filtered)


@members_only(*ORGANIZATION_SCOPE_ROLES)
@require_GET
def program_export(request: HttpRequest, membership: Membership, program_id: int) -> HttpResponse:
    program = program_get(membership=membership, program_id=program_id)
    filtered = _read_filters(request, membership, program, programs=_visible_programs(membership))
    if filtered.other_program_id is not None:
        return redirect(
            _with_query(reverse("insights:export", args=[filtered.other_program_id]), request)
        )
    if filtered.dashboard is None:
        # Bad filters: the page explains them; a CSV of nothing would only puzzle.
        context = {
            "program": program,
            "may_refresh": False,
            **_results_context(filtered, query="", export_url=None),
        }
        return render(request, "insights/program.html", context, status=400)
    return _csv_response(filtered.dashboard, program)


def _csv_response(dashboard: Dashboard, program: Program) -> HttpResponse:
    body = dashboard_csv(dashboard=dashboard, program_name=program.name)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = csv_filename(dashboard=dashboard, program_name=program.name)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@members_only(*REFRESH_ROLES)
@require_POST
def program_refresh(request: HttpRequest, membership: Membership, program_id: int) -> HttpResponse:
    program = program_get(membership=membership, program_id=program_id)
    queued = insights_refresh_request(organization=membership.organization, now=timezone.now())
    if queued:
        messages.success(
            request, "We're bringing the figures up to date. This can take a few minutes."
        )
    else:
        messages.info(request, "The figures are already being brought up to date.")
    return redirect("insights:program", program_id=program.pk)


@members_only(Role.PARTICIPANT)
@require_GET
def team(request: HttpRequest, membership: Membership) -> HttpResponse:
    manager = team_manager(membership)
    programs = _visible_programs(membership)
    context: dict[str, Any] = {
        "overview_rows": _overview_rows(
            selectors.programs_overview(organization=membership.organization, manager=manager),
            shows_drafts=False,
        ),
        "headline": _headline_metrics(),
        "program": None,
        "dashboard": None,
    }
    program = _team_program(request, membership, programs)
    if program is None:
        return render(request, "insights/team.html", context)
    filtered = _read_filters(request, membership, program, programs=programs, manager=manager)
    context["program"] = program
    query = _with_query("", request).lstrip("?")
    query = f"program={program.pk}" + (f"&{query}" if query else "")
    context.update(
        _results_context(filtered, query=query, export_url=reverse("insights:team_export"))
    )
    return _render(request, "insights/team.html", context, filtered)


@members_only(Role.PARTICIPANT)
@require_GET
def team_export(request: HttpRequest, membership: Membership) -> HttpResponse:
    manager = team_manager(membership)
    programs = _visible_programs(membership)
    program = _team_program(request, membership, programs)
    if program is None:
        return redirect("insights:team")
    filtered = _read_filters(request, membership, program, programs=programs, manager=manager)
    if filtered.dashboard is None:
        # Bad filters: the team page shows them with their errors.
        return redirect(_with_query(reverse("insights:team"), request, keep_program=True))
    return _csv_response(filtered.dashboard, program)


def _team_program(
    request: HttpRequest, membership: Membership, programs: list[tuple[int, str]]
) -> Program | None:
    """The program asked for, else the newest one. An unknown id falls back to the newest, and
    the form (which checks the raw value) says why."""
    visible = {pk for pk, _ in programs}
    asked = request.GET.get("program", "")
    chosen = int(asked) if asked.isascii() and asked.isdigit() else None
    if chosen not in visible:
        chosen = None
    if chosen is None and programs:
        chosen = programs[0][0]
    if chosen is None:
        return None
    return program_get(membership=membership, program_id=chosen)
