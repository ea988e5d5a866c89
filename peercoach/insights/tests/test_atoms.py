from __future__ import annotations

import random
from collections import Counter

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from peercoach.insights.atoms import (
    EVERYONE,
    FilterKey,
    PersonDims,
    answer_all,
    atoms_build,
    class_sizes,
    covers,
    filter_keys_of,
    release_classes,
    team_is_releasable,
    teams_answer,
)


def people_in(*groups: tuple[int, str, str, int | None]) -> list[PersonDims]:
    """People from (how many, department, office, level) groups, with ids in order."""
    people = []
    for count, department, office, level in groups:
        for _ in range(count):
            people.append(PersonDims(len(people) + 1, department, office, level))
    return people


def members(atoms, atom: int) -> set[int]:
    return {person for person, atom_id in atoms.atom_of.items() if atom_id == atom}


dims = st.builds(
    lambda department, office, level: (department, office, level),
    st.sampled_from(["Sales", "Legal", "Ops", ""]),
    st.sampled_from(["Berlin", "Lima", ""]),
    st.one_of(st.none(), st.integers(1, 4)),
)
populations = st.lists(dims, max_size=80).map(
    lambda cells: [PersonDims(index + 1, *cell) for index, cell in enumerate(cells)]
)


def test_a_cell_of_k_people_is_an_atom_of_its_own():
    people = people_in((5, "Sales", "Berlin", 3), (5, "Sales", "Berlin", 4))
    atoms = atoms_build(people, 5)

    assert sorted(atoms.sizes) == [5, 5]
    assert covers(atoms, FilterKey(level=3)) is not None
    assert covers(atoms, FilterKey(department="Sales", level=4)) is not None


def test_small_cells_are_pooled_by_office_then_department():
    people = people_in(
        (2, "Sales", "Berlin", 1),
        (3, "Sales", "Berlin", 2),
        (2, "Sales", "Lima", 1),
        (3, "Sales", "Lima", 2),
    )
    atoms = atoms_build(people, 5)

    assert sorted(atoms.sizes) == [5, 5]
    assert covers(atoms, FilterKey(office="Berlin")) is not None
    assert covers(atoms, FilterKey(level=1)) is None


def test_a_small_remainder_joins_the_smallest_atom_of_the_coarsest_step():
    people = people_in(
        (6, "Sales", "Berlin", 1),  # an atom of its own at the finest step
        (3, "Legal", "Lima", 1),
        (3, "Legal", "Lima", 2),  # together an atom at the (department, office) step
        (2, "Ops", "Lima", 1),  # left over
    )
    atoms = atoms_build(people, 5)

    assert sorted(atoms.sizes) == [6, 8]
    ops = {13, 14}
    legal = set(range(7, 13))
    assert any(members(atoms, atom) == legal | ops for atom in range(len(atoms.sizes)))


def test_fewer_than_k_people_have_no_atoms_and_no_answers():
    atoms = atoms_build(people_in((4, "Sales", "Berlin", 1)), 5)

    assert atoms.sizes == ()
    assert covers(atoms, EVERYONE) is None
    assert answer_all(atoms) == {}


def test_a_filter_that_cuts_through_an_atom_is_not_answered():
    atoms = atoms_build(people_in((3, "Sales", "Berlin", 1), (3, "Legal", "Berlin", 1)), 5)

    assert covers(atoms, FilterKey(department="Sales")) is None
    assert covers(atoms, FilterKey(office="Berlin")) == frozenset({0})


def test_blank_departments_and_missing_levels_are_never_filters():
    keys = filter_keys_of(("", "Berlin", None))

    assert keys == [FilterKey(), FilterKey(office="Berlin")]
    assert len(filter_keys_of(("Sales", "Berlin", 2))) == 8


@given(populations, st.integers(3, 7))
def test_atoms_partition_everyone_into_groups_of_at_least_k(people, k):
    atoms = atoms_build(people, k)

    if len(people) < k:
        assert atoms.sizes == ()
        return
    assert all(size >= k for size in atoms.sizes)
    assert set(atoms.atom_of) == {person.person_id for person in people}
    assert sum(atoms.sizes) == len(people)


@given(populations, st.integers(3, 7), st.randoms(use_true_random=False))
def test_the_build_does_not_depend_on_the_order_people_come_in(people, k, shuffler):
    shuffled = list(people)
    shuffler.shuffle(shuffled)

    def groups(atoms):
        return sorted(sorted(members(atoms, atom)) for atom in range(len(atoms.sizes)))

    assert groups(atoms_build(people, k)) == groups(atoms_build(shuffled, k))


@given(populations, st.integers(3, 7))
def test_every_answer_is_exactly_the_people_the_filter_selects(people, k):
    atoms = atoms_build(people, k)
    answers = answer_all(atoms)

    for key, inside in answers.items():
        assert inside == covers(atoms, key)
        if inside is None:
            continue
        selected = {p.person_id for p in people if key.matches(p.cell)}
        assert set().union(*(members(atoms, atom) for atom in inside)) == selected
        assert len(selected) >= k


def test_a_team_that_splits_a_class_into_a_small_part_is_not_released():
    atoms = atoms_build(people_in((10, "Sales", "Berlin", 1)), 5)
    sizes = class_sizes(atoms, release_classes(atoms, answer_all(atoms)))

    def releasable(inside, manager_class=None):
        return team_is_releasable(
            k=5, class_sizes=sizes, team_counts_by_class={0: inside}, manager_class=manager_class
        )

    assert releasable(5)
    assert releasable(10)
    # 7 inside leaves 3 outside: the whole minus the team would describe 3 people.
    assert not releasable(7)
    assert not releasable(4)
    # 9 inside leaves one outside: fine only when that one is the manager, who sees it.
    assert not releasable(9)
    assert releasable(9, manager_class=0)


def test_atoms_answer_a_large_organization():
    # Not a timing test (bench/ measures speed): a realistic size simply has to work.
    chooser = random.Random(7)
    people = [
        PersonDims(
            index,
            f"Department {chooser.randrange(30)}",
            f"Office {chooser.randrange(12)}",
            chooser.randrange(1, 9),
        )
        for index in range(20_000)
    ]
    atoms = atoms_build(people, 5)
    answers = answer_all(atoms)

    assert answers[EVERYONE] == frozenset(range(len(atoms.sizes)))
    assert min(atoms.sizes) >= 5


@given(
    st.integers(3, 5),
    st.lists(st.integers(0, 3), min_size=1, max_size=40),
    st.lists(st.tuples(st.integers(0, 4), st.integers(0, 39)), max_size=80),
    st.integers(0, 4),
)
def test_all_teams_at_once_agree_with_one_team_at_a_time(k, member_classes, pairs, manager):
    # Managers 0..4, members 0..n-1 in classes 0..3; the arrays answer what the rule says.
    member_count = len(member_classes)
    pairs = sorted({(boss, member % member_count) for boss, member in pairs})
    sizes = [max(k, member_classes.count(c)) for c in range(4)]
    teams = teams_answer(
        k=k,
        member_classes=np.array(member_classes, dtype=np.int64),
        class_sizes=np.array(sizes, dtype=np.int64),
        pair_managers=np.array([boss for boss, _ in pairs] or [manager], dtype=np.int64),
        pair_members=np.array([member for _, member in pairs] or [0], dtype=np.int64),
        manager_classes={manager: member_classes[0]},
        values=np.ones((member_count, 1)),
    )

    for row, boss in enumerate(teams.manager_ids):
        team = [member for other, member in pairs if other == boss] or [0]
        counts = Counter(member_classes[member] for member in team)
        expected = team_is_releasable(
            k=k,
            class_sizes=dict(enumerate(sizes)),
            team_counts_by_class=counts,
            manager_class=member_classes[0] if boss == manager else None,
        )
        assert bool(teams.released[row]) == expected
        assert teams.sums[row, 0] == (len(team) if expected else 0)
