"""The program health page: plain-words findings read only from figures the dashboard shows."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from peercoach.insights.charts import month_label
from peercoach.insights.contract import (
    Dashboard,
    DashboardFilters,
    Figure,
    MonthFigures,
)
from peercoach.insights.health import (
    MAX_FINDINGS,
    FindingLevel,
    findings_for,
    program_health,
    share_in_words,
)
from peercoach.insights.metrics import METRICS
from peercoach.insights.tests.released_figures import build_figures, figures_month
from peercoach.programs.models import Program
from peercoach.testing.factories import ProgramFactory

OCTOBER = dt.date(2026, 10, 1)
NOVEMBER = dt.date(2026, 11, 1)
TODAY = dt.date(2026, 11, 20)
WITHHELD = Figure(value=None, population=None)


def dashboard(
    november: dict[str, Figure],
    october: dict[str, Figure] | None = None,
    *,
    k: int = 5,
) -> Dashboard:
    """The real metric catalog; every figure not given is withheld."""
    months = []
    for month, given_figures in ((OCTOBER, october or {}), (NOVEMBER, november)):
        figures = {metric.key: given_figures.get(metric.key, WITHHELD) for metric in METRICS}
        months.append(MonthFigures(month=month, figures=figures))
    return Dashboard(
        filters=DashboardFilters(program_id=1, first_month=OCTOBER, last_month=NOVEMBER),
        scope_label="Whole organization",
        metrics=list(METRICS),
        months=months,
        minimum_reporting_size=k,
        refreshed_at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
    )


def texts(board: Dashboard) -> list[str]:
    return [finding.text for finding in findings_for(board, today=TODAY)]


@pytest.mark.parametrize(
    ("share", "words"),
    [
        (0.0, "none"),
        (1 / 3, "a third"),
        (0.5, "half"),
        (0.4, "two in five"),
        (0.52, "about half"),
        (2 / 3, "two thirds"),
        (0.98, "almost all"),
        (0.02, "fewer than one in twenty"),
        (1.0, "all"),
    ],
)
def test_shares_read_as_everyday_fractions(share: float, words: str) -> None:
    assert share_in_words(share) == words


def test_a_third_of_pairs_stalling_needs_attention() -> None:
    [finding] = [
        f
        for f in findings_for(dashboard({"stalled": Figure(1 / 3, 30)}), today=TODAY)
        if f.metric.key == "stalled"
    ]

    assert finding.text == "A third of paired people have not met in six weeks."
    assert finding.level == FindingLevel.ATTENTION
    assert finding.shown == "33%"
    assert finding.month == NOVEMBER


@pytest.mark.parametrize(("share", "level"), [(0.16, "attention"), (0.05, "good")])
def test_one_in_ten_pairs_stalling_is_already_worth_a_look(share: float, level: str) -> None:
    [finding] = [
        f
        for f in findings_for(dashboard({"stalled": Figure(share, 30)}), today=TODAY)
        if f.metric.key == "stalled"
    ]

    assert finding.level == level


def test_a_fall_in_match_acceptance_is_told_with_both_figures() -> None:
    board = dashboard(
        {"match_acceptance": Figure(0.6, 20)}, october={"match_acceptance": Figure(0.9, 25)}
    )

    assert "Match acceptance fell from 90% to 60% since last month." in texts(board)


def test_no_comparison_with_a_month_whose_figure_was_withheld() -> None:
    board = dashboard({"match_acceptance": Figure(0.6, 20)})

    [text] = [t for t in texts(board) if "accepted" in t or "acceptance" in t]
    assert "since last month" not in text
    assert text == "Three in five of the proposed matches were accepted (60%)."


def test_the_meeting_rhythm_is_told_as_a_percentage_of_the_plan() -> None:
    board = dashboard({"meetings_against_cadence": Figure(0.8, 30)})

    assert "Meetings are happening at 80% of the planned rhythm." in texts(board)


def test_a_withheld_rating_only_says_it_is_withheld() -> None:
    board = dashboard({"enrolled": Figure(40, 40)}, k=5)

    [finding] = [f for f in findings_for(board, today=TODAY) if f.metric.key == "session_rating"]

    assert finding.text == "Ratings are withheld this month: too few people rated."
    assert finding.level == FindingLevel.WITHHELD
    assert finding.shown == "withheld"


def test_an_earlier_month_is_named_rather_than_called_this_month() -> None:
    board = dashboard({"enrolled": Figure(40, 40)})

    in_december = [f.text for f in findings_for(board, today=dt.date(2026, 12, 3))]

    assert "Ratings are withheld in November 2026: too few people rated." in in_december


def test_attention_comes_first_and_there_are_never_more_than_six() -> None:
    board = dashboard(
        {
            "enrolled": Figure(40, 40),
            "in_pairing": Figure(0.9, 40),
            "stalled": Figure(0.5, 30),
            "match_acceptance": Figure(0.95, 20),
            "meetings_against_cadence": Figure(0.5, 30),
            "session_rating": Figure(4.4, 12),
            "actions_reviewed": Figure(0.7, 10),
            "days_to_first_meeting": Figure(9.0, 8),
        }
    )

    findings = findings_for(board, today=TODAY)

    assert len(findings) == MAX_FINDINGS
    levels = [finding.level for finding in findings]
    assert levels[:2] == [FindingLevel.ATTENTION, FindingLevel.ATTENTION]
    assert FindingLevel.ATTENTION not in levels[2:]


def test_findings_describe_the_latest_month_with_figures() -> None:
    board = dashboard({}, october={"stalled": Figure(0.0, 30)})

    findings = findings_for(board, today=TODAY)

    assert findings
    assert {finding.month for finding in findings} == {OCTOBER}
    assert "No pair has gone six weeks without meeting." in [f.text for f in findings]


def test_a_dashboard_without_months_has_no_findings() -> None:
    board = dashboard({})
    empty = Dashboard(
        filters=board.filters,
        scope_label=board.scope_label,
        metrics=board.metrics,
        months=[],
        minimum_reporting_size=5,
        refreshed_at=None,
    )

    assert findings_for(empty, today=TODAY) == []


# A released figure: a population of at least k and a value (or none, when nothing to divide).
released = st.builds(
    Figure,
    value=st.one_of(st.none(), st.floats(min_value=0, max_value=5, allow_nan=False)),
    population=st.integers(min_value=5, max_value=500),
)
any_figure = st.one_of(st.just(WITHHELD), released)
month_figures = st.dictionaries(st.sampled_from([m.key for m in METRICS]), any_figure)


@given(november=month_figures, october=month_figures)
def test_no_finding_ever_gives_a_number_for_a_withheld_figure(
    november: dict[str, Figure], october: dict[str, Figure]
) -> None:
    board = dashboard(november, october=october, k=5)
    current = {m.month: m for m in board.months}
    findings = findings_for(board, today=TODAY)

    assert len(findings) <= MAX_FINDINGS
    for finding in findings:
        figure = current[finding.month].figures[finding.metric.key]
        if figure.population is None:
            assert finding.level == FindingLevel.WITHHELD
            assert finding.shown == "withheld"
            # The only number a withheld finding may carry is k itself (and a month's year).
            numbers = set(re.findall(r"\d+", finding.text)) - {"5", "2026"}
            assert numbers == set()
        else:
            assert finding.level != FindingLevel.WITHHELD
        if "since last month" in finding.text:
            before = current[OCTOBER].figures[finding.metric.key]
            assert before.population is not None


# ---------------------------------------------------------------------------------------------
# The page, read from real released cells


@pytest.fixture
def program(personas: Any) -> Program:
    program: Program = ProgramFactory(
        organization=personas.acme, name="Listening Lab", sponsor=personas.sid.memberships.get()
    )
    return program


def test_the_health_page_tells_the_sponsor_what_the_figures_say(
    personas: Any, program: Program
) -> None:
    build_figures(personas, program, paired=12, stalled=4)

    response = personas.client_for(personas.sid).get(reverse("insights:health", args=[program.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "A third of paired people have not met in six weeks." in page
    assert "Meetings are happening at 100% of the planned rhythm." in page
    month = month_label(figures_month())
    assert f"Ratings are withheld in {month}: too few people rated." in page


def test_a_program_too_small_to_report_says_only_that_it_is_withheld(
    personas: Any, program: Program
) -> None:
    build_figures(personas, program, paired=4, stalled=1)

    health = program_health(organization=personas.acme, program=program)

    assert health.findings
    assert all(finding.level == FindingLevel.WITHHELD for finding in health.findings)
    assert all(finding.shown == "withheld" for finding in health.findings)
    assert all(label_and_value[1] == "withheld" for label_and_value in health.headlines)


def test_another_organization_cannot_open_the_health_page(personas: Any, program: Program) -> None:
    url = reverse("insights:health", args=[program.pk])

    assert personas.client_for(personas.otto).get(url).status_code == 404
    assert personas.client_for(personas.pia).get(url).status_code == 403


def _queries_for_health_page(personas: Any, program: Program) -> int:
    client = personas.client_for(personas.sid)
    url = reverse("insights:health", args=[program.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_health_page_costs_the_same_queries_however_many_people(
    personas: Any, program: Program
) -> None:
    build_figures(personas, program, paired=6, stalled=1)
    small = _queries_for_health_page(personas, program)
    # A published month never changes, so the larger figures go to a second program.
    larger: Program = ProgramFactory(organization=personas.acme, sponsor=program.sponsor)
    build_figures(personas, larger, paired=60, stalled=20, rated=30)
    large = _queries_for_health_page(personas, larger)

    assert large == small


def test_before_the_first_build_the_page_says_the_figures_are_coming(
    personas: Any, program: Program
) -> None:
    health = program_health(organization=personas.acme, program=program)
    page = personas.client_for(personas.pam).get(reverse("insights:health", args=[program.pk]))

    assert health.findings == []
    assert "The figures haven't been put together yet." in page.content.decode()
