from __future__ import annotations

from datetime import UTC as utc
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from peercoach.insights.atoms import FilterKey
from peercoach.insights.contract import Contribution, DashboardFilters, Family
from peercoach.insights.models import InsightsBuild, PublishedMonth, ReleasedCell
from peercoach.insights.refresh import (
    insights_refresh,
    insights_refresh_due,
    insights_refresh_if_due,
    org_cell_key,
    team_cell_key,
)
from peercoach.insights.selectors import dashboard_for
from peercoach.organizations.models import Organization
from peercoach.organizations.services import organization_reporting_size_set
from peercoach.people import management_path
from peercoach.testing.factories import OrganizationFactory, PersonFactory, ProgramFactory

pytestmark = pytest.mark.django_db

JANUARY = date(2026, 1, 1)
FEBRUARY = date(2026, 2, 1)
NOW = datetime(2026, 2, 10, 9, 0, tzinfo=utc)


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def staff(organization, count, *, department, office="Berlin", level=2, manager=None):
    return [
        PersonFactory(
            organization=organization,
            department=department,
            office=office,
            level=level,
            manager=manager,
        )
        for _ in range(count)
    ]


def enrolled(people):
    return [Contribution(person.pk, Family.PARTICIPANTS, {"enrolled": 1.0}) for person in people]


def rated(people, rating=4.0):
    """The people take part and each rates one session."""
    return enrolled(people) + [
        Contribution(person.pk, Family.RATERS, {"ratings": 1.0, "rating_total": rating})
        for person in people
    ]


def refresh(organization, contributions, months=(JANUARY,), now=NOW):
    return insights_refresh(
        organization=organization,
        contributions_for=lambda program, month: contributions,
        months_for=lambda program: list(months),
        now=now,
    )


def cell(program, key, family=Family.RATERS, month=JANUARY):
    return ReleasedCell.objects.in_organization(program.organization_id).get(
        program=program, cell_key=key, family=family, month=month
    )


@pytest.fixture
def acme():
    organization = OrganizationFactory(minimum_reporting_size=5)
    program = ProgramFactory(organization=organization)
    boss = PersonFactory(organization=organization, department="Board", level=9)
    sales = staff(organization, 6, department="Sales", manager=boss)
    legal = staff(organization, 2, department="Legal", manager=boss)
    return organization, program, boss, sales, legal


def test_the_whole_organization_is_released_with_its_true_sums(acme):
    organization, program, boss, sales, legal = acme

    refresh(organization, rated(sales, 4.0) + rated(legal, 2.0))

    everyone = cell(program, org_cell_key(FilterKey()))
    assert everyone.is_released
    assert everyone.population == 8
    assert everyone.sums == {"ratings": 8.0, "rating_total": 28.0}
    assert everyone.minimum_reporting_size == 5


def test_a_department_of_fewer_than_k_is_stored_without_any_numbers(acme):
    organization, program, boss, sales, legal = acme

    refresh(organization, rated(sales) + rated(legal))

    legal_cell = cell(program, org_cell_key(FilterKey(department="Legal")))
    assert not legal_cell.is_released
    assert legal_cell.population is None
    assert legal_cell.sums is None
    # Sales alone would let Legal's two be worked out from the whole: withheld too.
    assert not cell(program, org_cell_key(FilterKey(department="Sales"))).is_released


def test_a_manager_sees_their_people_only_when_they_are_enough(acme):
    organization, program, boss, sales, legal = acme

    refresh(organization, rated(sales) + rated(legal))

    team = cell(program, team_cell_key(boss.pk))
    assert team.population == 8
    assert team.manager_id == boss.pk


def test_a_team_that_would_leave_fewer_than_k_outside_it_is_not_stored(acme):
    organization, program, boss, sales, legal = acme
    lead = sales[0]
    under_lead = staff(organization, 6, department="Sales", manager=lead)

    # Everyone is one atom of 13; the lead's six reports would leave 8 outside: released.
    refresh(organization, rated(sales[1:] + legal + under_lead))
    assert cell(program, team_cell_key(lead.pk)).population == 6

    # With 8 in the atom, the lead's six would leave two outside: not stored at all.
    refresh(organization, rated(sales[1:3] + under_lead), months=(FEBRUARY,))
    keys = set(
        ReleasedCell.objects.in_organization(organization)
        .filter(month=FEBRUARY)
        .values_list("cell_key", flat=True)
    )
    assert team_cell_key(lead.pk) not in keys
    assert team_cell_key(boss.pk) in keys


def test_months_outside_the_program_dates_are_dropped_once_no_longer_built(acme):
    organization, program, boss, sales, legal = acme
    refresh(organization, rated(sales + legal), months=(JANUARY, FEBRUARY))
    program.starts_on, program.ends_on = date(2026, 2, 1), date(2026, 6, 30)
    program.save()

    refresh(organization, rated(sales + legal), months=(FEBRUARY,))

    rows = ReleasedCell.objects.in_organization(organization)
    assert set(rows.values_list("month", flat=True)) == {FEBRUARY}
    published = PublishedMonth.objects.in_organization(organization)
    assert set(published.values_list("month", flat=True)) == {FEBRUARY}


def test_people_from_another_organization_are_no_part_of_the_figures(acme):
    organization, program, boss, sales, legal = acme
    stranger = PersonFactory(department="Sales")

    refresh(organization, rated(sales + legal + [stranger]))

    assert cell(program, org_cell_key(FilterKey())).population == 8


def test_a_figure_that_nobody_contributes_to_has_no_cell(acme):
    organization, program, boss, sales, legal = acme

    refresh(organization, rated(sales + legal))

    families = set(
        ReleasedCell.objects.in_organization(organization).values_list("family", flat=True)
    )
    assert families == {Family.PARTICIPANTS, Family.RATERS}


def test_the_build_is_recorded_with_its_k(acme):
    organization, program, boss, sales, legal = acme

    result = refresh(organization, rated(sales + legal))

    build = InsightsBuild.objects.in_organization(organization).get()
    assert build.refreshed_at == NOW
    assert build.minimum_reporting_size == 5
    assert build.cells_written == result.cells_written > 0


def test_a_build_is_due_when_a_day_old_or_when_k_changed_its_filter_choices(acme):
    organization, program, boss, sales, legal = acme
    assert insights_refresh_due(organization=organization, now=NOW)

    refresh(organization, rated(sales + legal))
    assert not insights_refresh_due(organization=organization, now=NOW + timedelta(hours=23))
    assert insights_refresh_due(organization=organization, now=NOW + timedelta(hours=24))

    organization.minimum_reporting_size = 7
    organization.save()
    assert insights_refresh_due(organization=organization, now=NOW)


class FakeTask:
    def __init__(self):
        self.queued = []

    def enqueue(self, organization_id):
        self.queued.append(organization_id)


def test_the_sweep_hook_queues_one_rebuild_until_it_has_run(
    acme, monkeypatch, django_capture_on_commit_callbacks
):
    organization, program, boss, sales, legal = acme
    task = FakeTask()
    monkeypatch.setattr("peercoach.insights.tasks.insights_refresh_task", task)

    with django_capture_on_commit_callbacks(execute=True):
        assert insights_refresh_if_due(organization=organization, now=NOW)
        assert not insights_refresh_if_due(organization=organization, now=NOW)

    assert task.queued == [organization.pk]
    # A queued rebuild that never ran is queued again after a few hours.
    assert insights_refresh_if_due(organization=organization, now=NOW + timedelta(hours=7))


def test_the_sweep_rebuilds_an_organization_never_built(acme, django_capture_on_commit_callbacks):
    organization, program, boss, sales, legal = acme
    from peercoach.programs.sweep import pairings_sweep

    with django_capture_on_commit_callbacks(execute=True):
        pairings_sweep()

    assert InsightsBuild.objects.in_organization(organization).get().refreshed_at is not None


def test_the_task_builds_the_organization_with_the_real_facts(acme):
    organization, program, boss, sales, legal = acme
    from peercoach.insights.tasks import insights_refresh_task

    written = insights_refresh_task.enqueue(organization.pk).return_value

    assert written == ReleasedCell.objects.in_organization(organization).count()
    assert InsightsBuild.objects.in_organization(organization).get().refreshed_at is not None


def test_the_command_rebuilds_the_organizations_it_is_given(acme, capsys):
    organization, program, boss, sales, legal = acme

    call_command("insights_refresh", organization=[organization.slug])

    assert InsightsBuild.objects.in_organization(organization).get().refreshed_at is not None
    assert organization.slug in capsys.readouterr().out


def test_the_command_refuses_an_unknown_organization():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no-such-org"):
        call_command("insights_refresh", organization=["no-such-org"])


# ---- A month is published once, after it has closed, and never built again --------------------


def published_rows(organization):
    """Every stored cell, as plain values, in a fixed order."""
    rows = ReleasedCell.objects.in_organization(organization).values(
        "program",
        "month",
        "family",
        "cell_key",
        "is_released",
        "population",
        "sums",
        "minimum_reporting_size",
        "built_at",
    )
    return sorted(rows, key=lambda row: (row["month"], row["family"], row["cell_key"]))


def test_a_published_month_stays_the_same_after_a_late_rating_a_move_and_a_new_manager(acme):
    organization, program, boss, sales, legal = acme
    refresh(organization, rated(sales + legal))
    before = published_rows(organization)
    assert before

    # A late rating, someone moving from Sales to Legal, and a new manager for a Legal person:
    # a second version of January would differ by one person.
    late = rated(sales + legal) + rated(sales[:1], rating=1.0)
    moved = sales[0]
    moved.department = "Legal"
    moved.save()
    legal[0].manager = sales[1]
    legal[0].management_path = management_path.child_path(sales[1].management_path, legal[0].pk)
    legal[0].save()
    result = refresh(organization, late, now=NOW + timedelta(days=3))

    assert published_rows(organization) == before
    assert result.months == 0
    assert result.cells_written == 0


def test_the_month_under_way_and_the_week_after_a_month_are_never_built_by_default(acme):
    organization, program, boss, sales, legal = acme
    program.starts_on, program.ends_on = date(2026, 1, 5), date(2026, 12, 31)
    program.save()

    def build_on(day):
        insights_refresh(
            organization=organization,
            contributions_for=lambda program, month: rated(sales + legal),
            now=datetime(2026, 2, day, 9, 0, tzinfo=utc),
        )
        published = PublishedMonth.objects.in_organization(organization)
        return set(published.values_list("month", flat=True))

    assert build_on(6) == set()  # January ended six days ago: late ratings may still come
    assert build_on(7) == {JANUARY}  # a week later it is published; February is under way
    assert set(
        ReleasedCell.objects.in_organization(organization).values_list("month", flat=True)
    ) == {JANUARY}


def test_raising_k_hides_published_months_for_good_and_does_not_rebuild_them(acme):
    organization, program, boss, sales, legal = acme
    refresh(organization, rated(sales + legal))
    before = published_rows(organization)

    organization.minimum_reporting_size = 7
    organization.save()
    refresh(organization, rated(sales + legal), months=(JANUARY, FEBRUARY))

    january = [row for row in published_rows(organization) if row["month"] == JANUARY]
    assert january == before
    january_figures = dashboard_for(
        organization=organization,
        filters=DashboardFilters(program_id=program.pk, first_month=JANUARY, last_month=JANUARY),
    )
    assert all(f.withheld for f in january_figures.months[0].figures.values())
    february = cell(program, org_cell_key(FilterKey()), month=FEBRUARY)
    assert february.minimum_reporting_size == 7
    assert february.population == 8


def test_lowering_k_keeps_showing_months_built_with_the_larger_k(acme):
    organization, program, boss, sales, legal = acme
    refresh(organization, rated(sales + legal))
    before = published_rows(organization)

    organization.minimum_reporting_size = 3
    organization.save()
    refresh(organization, rated(sales + legal), now=NOW + timedelta(days=1))

    assert published_rows(organization) == before
    shown = dashboard_for(
        organization=organization,
        filters=DashboardFilters(program_id=program.pk, first_month=JANUARY, last_month=JANUARY),
    )
    assert shown.months[0].figures["enrolled"].population == 8


def test_k_raised_while_a_build_runs_hides_its_figures_and_the_sweep_checks_again(acme):
    organization, program, boss, sales, legal = acme
    now = timezone.now()
    InsightsBuild.objects.in_organization(organization).create(
        organization=organization, requested_at=now
    )
    # The build started with k=5; meanwhile an admin raises k to 7 (the request can't be
    # claimed, as a build is under way).
    started_with = Organization.objects.get(pk=organization.pk)
    organization_reporting_size_set(organization=organization, size=7)
    assert InsightsBuild.objects.in_organization(organization).get().requested_at == now

    insights_refresh(
        organization=started_with,
        contributions_for=lambda program, month: rated(sales + legal),
        months_for=lambda program: [JANUARY],
        now=now,
    )

    shown = dashboard_for(
        organization=organization,
        filters=DashboardFilters(program_id=program.pk, first_month=JANUARY, last_month=JANUARY),
    )
    assert all(figure.withheld for figure in shown.months[0].figures.values())
    # The build recorded k=5 and cleared the request: an hour later the sweep sees the new k
    # and queues a check (which rebuilds nothing, and gathers filter choices under k=7).
    assert insights_refresh_due(organization=organization, now=now + timedelta(hours=1))
