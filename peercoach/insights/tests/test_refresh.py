from __future__ import annotations

from datetime import UTC as utc
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command

from peercoach.insights.atoms import FilterKey
from peercoach.insights.contract import Contribution, Family
from peercoach.insights.models import InsightsBuild, ReleasedCell
from peercoach.insights.refresh import (
    insights_refresh,
    insights_refresh_due,
    insights_refresh_if_due,
    org_cell_key,
    team_cell_key,
)
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


def rated(people, rating=4.0):
    return [
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
    refresh(organization, rated(sales[1:3] + under_lead))
    keys = set(
        ReleasedCell.objects.in_organization(organization).values_list("cell_key", flat=True)
    )
    assert team_cell_key(lead.pk) not in keys
    assert team_cell_key(boss.pk) in keys


def test_a_rebuild_replaces_the_cells_and_drops_months_no_longer_built(acme):
    organization, program, boss, sales, legal = acme
    refresh(organization, rated(sales + legal), months=(JANUARY, FEBRUARY))
    before = ReleasedCell.objects.in_organization(organization).count()

    refresh(organization, rated(sales + legal), months=(FEBRUARY,))

    rows = ReleasedCell.objects.in_organization(organization)
    assert set(rows.values_list("month", flat=True)) == {FEBRUARY}
    assert rows.count() == before // 2


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
    assert families == {Family.RATERS}


def test_the_build_is_recorded_with_its_k(acme):
    organization, program, boss, sales, legal = acme

    result = refresh(organization, rated(sales + legal))

    build = InsightsBuild.objects.in_organization(organization).get()
    assert build.refreshed_at == NOW
    assert build.minimum_reporting_size == 5
    assert build.cells_written == result.cells_written > 0


def test_a_build_is_due_when_a_day_old_or_when_k_changed(acme):
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
