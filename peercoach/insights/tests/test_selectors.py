from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from peercoach.insights.contract import Contribution, DashboardFilters, Family, Unit
from peercoach.insights.metrics import METRICS, METRICS_BY_KEY
from peercoach.insights.refresh import insights_refresh
from peercoach.insights.selectors import (
    NOTE_NOT_BUILT,
    NOTE_TEAM_NO_FILTERS,
    NOTE_WITHHELD,
    ORGANIZATION_SCOPE,
    TEAM_SCOPE,
    dashboard_for,
    figure_of,
    filter_choices,
    programs_overview,
)
from peercoach.testing.factories import OrganizationFactory, PersonFactory, ProgramFactory

pytestmark = pytest.mark.django_db

JANUARY = date(2026, 1, 1)
FEBRUARY = date(2026, 2, 1)
MARCH = date(2026, 3, 1)
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


def participants(people, *, paired=()):
    return [
        Contribution(
            person.pk,
            Family.PARTICIPANTS,
            {"enrolled": 1.0, "joined": 0.0, "in_pairing": float(person in paired), "met": 0.0},
        )
        for person in people
    ]


def raters(people, rating):
    return [
        Contribution(person.pk, Family.RATERS, {"ratings": 2.0, "rating_total": 2 * rating})
        for person in people
    ]


def build(organization, contributions_by_month):
    insights_refresh(
        organization=organization,
        contributions_for=lambda program, month: contributions_by_month.get(month, []),
        months_for=lambda program: sorted(contributions_by_month),
        now=NOW,
    )


def filters(program, **dims):
    return DashboardFilters(program_id=program.pk, first_month=JANUARY, last_month=FEBRUARY, **dims)


@pytest.fixture
def acme():
    organization = OrganizationFactory(minimum_reporting_size=5)
    program = ProgramFactory(organization=organization)
    boss = PersonFactory(organization=organization, department="Board", level=9)

    def hire(count, department, office="Berlin", level=2):
        return [
            PersonFactory(
                organization=organization,
                department=department,
                office=office,
                level=level,
                manager=boss,
            )
            for _ in range(count)
        ]

    sales = hire(6, "Sales")
    legal = hire(5, "Legal", office="Lima", level=3)
    build(
        organization,
        {
            JANUARY: participants(sales + legal, paired=sales[:3]) + raters(sales, 4.0),
            FEBRUARY: participants(sales[:2]),
        },
    )
    return organization, program, boss, sales, legal


def test_the_dashboard_shows_each_month_from_the_released_sums(acme):
    organization, program, boss, sales, legal = acme

    dashboard = dashboard_for(organization=organization, filters=filters(program))

    january, february = dashboard.months
    assert dashboard.scope_label == ORGANIZATION_SCOPE
    assert dashboard.metrics == METRICS
    assert january.figures["enrolled"].value == 11
    assert january.figures["enrolled"].population == 11
    assert january.figures["in_pairing"].value == pytest.approx(3 / 11)
    assert january.figures["session_rating"].value == pytest.approx(4.0)
    assert january.figures["session_rating"].population == 6
    # Two people in February: nothing about them is shown.
    assert all(figure.withheld for figure in february.figures.values())
    assert all(figure.population is None for figure in february.figures.values())
    assert dashboard.refreshed_at == NOW


def test_a_filter_made_of_whole_atoms_is_answered(acme):
    organization, program, boss, sales, legal = acme

    dashboard = dashboard_for(organization=organization, filters=filters(program, office="Lima"))

    assert dashboard.months[0].figures["enrolled"].value == 5
    assert dashboard.months[0].figures["in_pairing"].value == 0
    assert NOTE_WITHHELD in dashboard.notes  # February's two are withheld


def test_a_filter_of_fewer_than_k_people_shows_nothing_and_says_why(acme):
    organization, program, boss, sales, legal = acme
    sales[0].level = 4
    sales[0].save()
    build(organization, {JANUARY: participants(sales + legal)})

    dashboard = dashboard_for(
        organization=organization, filters=filters(program, department="Sales", level=4)
    )

    assert all(figure.withheld for figure in dashboard.months[0].figures.values())
    assert NOTE_WITHHELD in dashboard.notes


def test_a_filter_nobody_matches_looks_the_same_as_a_withheld_one(acme):
    organization, program, boss, sales, legal = acme

    nobody = dashboard_for(
        organization=organization, filters=filters(program, department="Marketing")
    )

    assert all(figure.withheld for figure in nobody.months[0].figures.values())
    assert NOTE_WITHHELD in nobody.notes


def test_a_manager_sees_the_people_reporting_to_them_without_filters(acme):
    organization, program, boss, sales, legal = acme

    dashboard = dashboard_for(
        organization=organization, filters=filters(program, department="Sales"), manager=boss
    )

    assert dashboard.scope_label == TEAM_SCOPE
    assert dashboard.months[0].figures["enrolled"].value == 11
    assert NOTE_TEAM_NO_FILTERS in dashboard.notes


def test_someone_without_enough_reports_sees_nothing(acme):
    organization, program, boss, sales, legal = acme

    dashboard = dashboard_for(organization=organization, filters=filters(program), manager=sales[0])

    assert all(figure.withheld for month in dashboard.months for figure in month.figures.values())


def test_another_organization_reads_nothing_of_this_one(acme):
    organization, program, boss, sales, legal = acme
    globex = OrganizationFactory()

    dashboard = dashboard_for(organization=globex, filters=filters(program))

    assert all(figure.withheld for figure in dashboard.months[0].figures.values())
    assert dashboard.notes == [NOTE_NOT_BUILT]


def test_cells_built_with_a_smaller_k_are_not_shown_after_k_is_raised(acme):
    organization, program, boss, sales, legal = acme
    organization.minimum_reporting_size = 12
    organization.save()

    dashboard = dashboard_for(organization=organization, filters=filters(program))

    assert all(figure.withheld for figure in dashboard.months[0].figures.values())
    assert dashboard.refreshed_at is None
    assert dashboard.notes == [NOTE_NOT_BUILT]


def test_filter_choices_offer_only_values_that_have_figures(acme):
    organization, program, boss, sales, legal = acme

    choices = filter_choices(organization=organization, program=program)

    assert choices == {
        "departments": ["Legal", "Sales"],
        "offices": ["Berlin", "Lima"],
        "levels": [2, 3],
    }


def test_the_overview_shows_each_programs_latest_released_month(acme):
    organization, program, boss, sales, legal = acme
    quiet = ProgramFactory(organization=organization, name="Quiet")

    overview = {
        program.pk: figures for program, figures in programs_overview(organization=organization)
    }

    assert overview[quiet.pk] is None
    latest = overview[program.pk]
    assert latest is not None
    assert latest.month == JANUARY  # February released nothing
    assert latest.figures["enrolled"].value == 11


def test_the_overview_for_a_manager_reads_their_team(acme):
    organization, program, boss, sales, legal = acme

    overview = dict(programs_overview(organization=organization, manager=boss))

    latest = overview[program]
    assert latest is not None
    assert latest.figures["enrolled"].value == 11
    assert dict(programs_overview(organization=organization, manager=sales[0]))[program] is None


def test_a_share_with_nothing_to_divide_by_has_no_value_but_keeps_its_population():
    acceptance = METRICS_BY_KEY["match_acceptance"]
    assert acceptance.unit == Unit.SHARE

    figure = figure_of(acceptance, 6, {"answers": 0.0, "accepted": 0.0})

    assert figure.value is None
    assert figure.population == 6


def grow(organization, program, boss, people):
    """Three months with `people` more each, rebuilt."""
    by_month = {}
    for month in (JANUARY, FEBRUARY, MARCH):
        more = [
            PersonFactory(organization=organization, department=f"D{index % 3}", manager=boss)
            for index in range(people)
        ]
        by_month[month] = participants(more) + raters(more, 3.0)
    build(organization, by_month)


@pytest.mark.parametrize("people", [6, 60])
def test_a_dashboard_reads_with_two_queries_whatever_the_size(
    acme, people, django_assert_num_queries
):
    organization, program, boss, sales, legal = acme
    grow(organization, program, boss, people)

    with django_assert_num_queries(2):
        dashboard_for(organization=organization, filters=filters(program, department="D1"))
    with django_assert_num_queries(2):
        dashboard_for(organization=organization, filters=filters(program), manager=boss)
    with django_assert_num_queries(1):
        filter_choices(organization=organization, program=program)
    with django_assert_num_queries(2):
        programs_overview(organization=organization)
