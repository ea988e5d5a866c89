from __future__ import annotations

import pytest
from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from peercoach.people import hierarchy, management_path
from peercoach.people.hierarchy import ReportingCycleError, compute_paths
from peercoach.people.models import Person
from peercoach.testing.factories import OrganizationFactory, PersonFactory


@pytest.fixture
def tree(db):
    """ceo -> (vp_a -> (lead -> dev), vp_b)"""
    org = OrganizationFactory()
    ceo = PersonFactory(organization=org)
    vp_a = PersonFactory(organization=org, manager=ceo)
    vp_b = PersonFactory(organization=org, manager=ceo)
    lead = PersonFactory(organization=org, manager=vp_a)
    dev = PersonFactory(organization=org, manager=lead)
    return org, ceo, vp_a, vp_b, lead, dev


def test_people_under_includes_every_depth_and_nobody_else(tree):
    org, ceo, vp_a, vp_b, lead, dev = tree
    assert set(hierarchy.people_under(vp_a)) == {lead, dev}
    assert set(hierarchy.people_under(ceo)) == {vp_a, vp_b, lead, dev}
    assert list(hierarchy.people_under(dev)) == []


def test_people_under_never_crosses_organizations(tree):
    org, ceo, *_ = tree
    stranger = PersonFactory()  # another organization, possibly a similar path
    assert stranger not in hierarchy.people_under(ceo)


def test_management_chain_is_detected_at_any_depth_in_both_directions(tree):
    _, ceo, vp_a, vp_b, lead, dev = tree
    assert dev.is_in_management_chain_of(ceo)
    assert ceo.is_in_management_chain_of(dev)
    assert not dev.is_in_management_chain_of(vp_b)
    assert not vp_a.is_in_management_chain_of(vp_b)


def test_moving_a_manager_moves_everyone_under_them(tree):
    org, ceo, vp_a, vp_b, lead, dev = tree
    hierarchy.person_change_manager(person=lead, new_manager=vp_b)
    dev.refresh_from_db()
    assert set(hierarchy.people_under(vp_b)) == {lead, dev}
    assert list(hierarchy.people_under(vp_a)) == []
    assert hierarchy.management_paths_rebuild(organization=org) == 0  # paths already right


def test_a_manager_cannot_move_under_their_own_report(tree):
    _, ceo, vp_a, vp_b, lead, dev = tree
    with pytest.raises(ReportingCycleError):
        hierarchy.person_change_manager(person=vp_a, new_manager=dev)
    vp_a.refresh_from_db()
    assert vp_a.manager == ceo


def test_unscoped_person_queries_are_refused(db):
    from peercoach.organizations.scoping import UnscopedQueryError

    with pytest.raises(UnscopedQueryError):
        Person.objects.filter(full_name="x")


def test_compute_paths_reports_a_cycle():
    with pytest.raises(ReportingCycleError):
        compute_paths({1: 2, 2: 3, 3: 1, 4: None})


@given(st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=60))
def test_paths_agree_with_walking_up_the_managers(parents):
    # Person i+1's manager is some earlier person (or nobody): always a forest.
    managers: dict[int, int | None] = {1: None}
    for index, parent in enumerate(parents, start=2):
        managers[index] = None if parent == 0 else 1 + parent % (index - 1)
    paths = compute_paths(managers)
    for person, path in paths.items():
        chain = []
        current = managers[person]
        while current is not None:
            chain.append(current)
            current = managers[current]
        assert management_path.ancestor_ids(path) == list(reversed(chain))
        for other, other_path in paths.items():
            assert management_path.is_above(other_path, path) == (other in chain)


@pytest.mark.skipif(
    "connection.vendor != 'sqlite'",
    reason="PostgreSQL's planner chooses by table statistics, which a test table of five rows "
    "does not have; bench/hierarchy_bench.py measures it at 100,000 people.",
)
def test_everyone_under_is_an_index_range_scan_not_a_walk_of_the_organization(tree):
    _, ceo, *_ = tree
    sql, params = hierarchy.people_under(ceo).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "person_org_management_path" in plan
    assert "management_path>?" in plan.replace(" ", "")
