from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from peercoach.insights.tests.built import Built, build, people_in, period
from peercoach.insights.tests.test_views import GROUPS, _manager_with_team
from peercoach.programs.models import Program
from peercoach.testing.factories import ProgramFactory


@pytest.fixture
def program(personas: Any) -> Program:
    program: Program = ProgramFactory(organization=personas.acme, name="Circles")
    return program


@pytest.fixture
def built(personas: Any, program: Program) -> Built:
    return build(program, people_in(personas.acme, GROUPS))


def _api_url(program: Program) -> str:
    return f"/api/v1/insights/programs/{program.pk}"


class TestProgramInsightsApi:
    def test_it_returns_the_dashboard_the_page_shows(self, personas: Any, built: Built) -> None:
        response = personas.client_for(personas.sid).get(
            _api_url(built.program), period(department="Support")
        )
        assert response.status_code == 200
        body = response.json()
        assert body["program_name"] == "Circles"
        assert body["scope"] == "Whole organization"
        assert body["minimum_reporting_size"] == 5
        assert body["filters"]["department"] == "Support"
        assert [m["month"] for m in body["months"]] == ["2026-01-01", "2026-02-01", "2026-03-01"]
        enrolled = body["months"][0]["figures"]["enrolled"]
        assert enrolled == {"value": 12.0, "population": 12, "withheld": False, "reason": None}
        assert {m["key"] for m in body["metrics"]} >= {"enrolled", "session_rating"}

    def test_withheld_figures_are_null_with_the_reason(self, personas: Any, built: Built) -> None:
        body = (
            personas.client_for(personas.ada)
            .get(_api_url(built.program), period(department="Sales"))
            .json()
        )
        enrolled = body["months"][0]["figures"]["enrolled"]
        assert enrolled["value"] is None
        assert enrolled["population"] is None
        assert enrolled["withheld"] is True
        assert "Too few people to show" in enrolled["reason"]

    @pytest.mark.parametrize(
        ("query", "field", "message"),
        [
            ({"first_month": "2026-1x"}, "first_month", "for example 2026-03"),
            ({"department": "Legal"}, "department", "no figures in this program"),
            ({"level": "abc"}, "level", "no figures in this program"),
            ({"first_month": "2026-03", "last_month": "2026-01"}, "last_month", "before"),
        ],
    )
    def test_bad_filters_get_400_with_the_reason_per_field(
        self, personas: Any, built: Built, query: dict[str, str], field: str, message: str
    ) -> None:
        response = personas.client_for(personas.pam).get(
            _api_url(built.program), {**period(), **query}
        )
        assert response.status_code == 400
        body = response.json()
        assert body["detail"] == "Please check the filters."
        assert message in " ".join(body["errors"][field])

    def test_participants_may_not_read_group_insights(self, personas: Any, built: Built) -> None:
        response = personas.client_for(personas.pia).get(_api_url(built.program))
        assert response.status_code == 403

    def test_another_organizations_program_is_not_found(self, personas: Any, built: Built) -> None:
        response = personas.client_for(personas.otto).get(_api_url(built.program))
        assert response.status_code == 404


class TestTeamInsightsApi:
    def test_a_manager_reads_their_teams_figures(self, personas: Any, program: Program) -> None:
        client, team = _manager_with_team(personas, 6)
        build(program, team + people_in(personas.acme, GROUPS))
        response = client.get(f"/api/v1/insights/team/programs/{program.pk}", period())
        assert response.status_code == 200
        body = response.json()
        assert body["scope"] == "People reporting to you"
        assert body["months"][0]["figures"]["enrolled"]["population"] == 6

    def test_a_small_team_gets_withheld_figures(self, personas: Any, program: Program) -> None:
        client, team = _manager_with_team(personas, 3)
        build(program, team + people_in(personas.acme, GROUPS))
        body = client.get(f"/api/v1/insights/team/programs/{program.pk}", period()).json()
        assert all(
            figure["withheld"] for month in body["months"] for figure in month["figures"].values()
        )

    def test_people_without_reports_are_refused(self, personas: Any, program: Program) -> None:
        response = personas.client_for(personas.pia).get(
            f"/api/v1/insights/team/programs/{program.pk}"
        )
        assert response.status_code == 403


def test_no_filter_anyone_can_choose_shows_a_figure_about_fewer_than_k_people(
    personas: Any, program: Program
) -> None:
    """Every department, office and level offered, alone and combined: each figure the API
    gives is withheld or covers at least k people."""
    from itertools import product

    from peercoach.insights.selectors import filter_choices

    build(program, people_in(personas.acme, LARGE))
    choices = filter_choices(organization=personas.acme, program=program)
    client = personas.client_for(personas.sid)
    combinations = product(
        ["", *choices["departments"]], ["", *choices["offices"]], ["", *choices["levels"]]
    )
    populations = []
    for department, office, level in combinations:
        query = period(department=department, office=office, level=str(level))
        body = client.get(_api_url(program), query).json()
        populations += [
            figure["population"]
            for month in body["months"]
            for figure in month["figures"].values()
            if not figure["withheld"]
        ]
    assert populations  # something was shown, so the check below checked something
    assert min(populations) >= 5


SMALL = [("Sales", "Berlin", 3, 6), ("Support", "Berlin", 2, 6)]
LARGE = [
    ("Sales", "Berlin", 3, 30),
    ("Sales", "Paris", 3, 20),
    ("Support", "Berlin", 2, 25),
    ("Support", "Paris", 1, 15),
    ("Legal", "Paris", 4, 3),
]


@pytest.fixture(params=["small", "large"])
def sized(request: Any, personas: Any) -> tuple[Any, Program, Any]:
    """An organization's figures at two sizes: 12 people and 3 months, or 100 people, 12 months
    and a second program; plus a manager whose team takes part."""
    from datetime import date

    manager_client, team = _manager_with_team(personas, 6)
    groups = SMALL if request.param == "small" else LARGE
    months = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    if request.param == "large":
        months = [date(2025, month, 1) for month in range(4, 13)] + months
    program: Program = ProgramFactory(organization=personas.acme, name="Circles")
    build(program, team + people_in(personas.acme, groups), months)
    if request.param == "large":
        ProgramFactory(organization=personas.acme, name="Pairs")
    return request.param, program, manager_client


# Queries per page, whatever the size: the session, the user and the membership, the session's
# save (3: savepoint, update, release), the page's own reads (the programs in the form, the
# program, the released cells and when they were built, the filter choices) and, on pages a
# participant opens, the header's inbox badge and "Your team" link.
EXPECTED_QUERIES = {
    "overview": 8,
    "dashboard": 11,
    "dashboard_htmx": 11,
    "export": 11,
    "team": 14,
    "team_export": 11,
    "api": 10,
    "team_api": 10,
}


@pytest.mark.parametrize("page", sorted(EXPECTED_QUERIES))
def test_each_page_costs_the_same_queries_at_any_size(
    personas: Any, sized: tuple[str, Program, Any], page: str, django_assert_num_queries: Any
) -> None:
    _, program, manager_client = sized
    sponsor = personas.client_for(personas.sid)
    dashboard = reverse("insights:program", args=[program.pk])
    requests = {
        "overview": (sponsor, reverse("insights:overview"), {}, {}),
        "dashboard": (sponsor, dashboard, period(), {}),
        "dashboard_htmx": (
            sponsor,
            dashboard,
            period(department="Sales"),
            {"HTTP_HX_REQUEST": "true"},
        ),
        "export": (sponsor, reverse("insights:export", args=[program.pk]), period(), {}),
        "team": (manager_client, reverse("insights:team"), period(), {}),
        "api": (sponsor, _api_url(program), period(), {}),
        "team_export": (manager_client, reverse("insights:team_export"), period(), {}),
        "team_api": (
            manager_client,
            f"/api/v1/insights/team/programs/{program.pk}",
            period(),
            {},
        ),
    }
    client, url, data, headers = requests[page]
    with django_assert_num_queries(EXPECTED_QUERIES[page]):
        response = client.get(url, data, **headers)
    assert response.status_code == 200
