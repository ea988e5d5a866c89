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
    super_answers,
    super_atoms_build,
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


# ---- Super-atoms: a family's groups, made of whole base atoms -------------------------------


def family_weights(atoms, family: set[int]) -> list[int]:
    weights = [0] * len(atoms.sizes)
    for person in family:
        weights[atoms.atom_of[person]] += 1
    return weights


@given(
    groups=st.lists(st.tuples(st.integers(1, 8), dims), max_size=8),
    k=st.integers(3, 5),
    data=st.data(),
)
def test_super_atoms_are_whole_base_atoms_with_none_or_at_least_k_members_each(groups, k, data):
    people = people_in(*((count, *cell) for count, cell in groups))
    base = atoms_build(people, k)
    family = {p.person_id for p in people if data.draw(st.booleans())}
    if not base.sizes:
        return
    weights = family_weights(base, family)

    super_of = super_atoms_build(base, weights, k)

    if len(family) < k:
        assert super_of is None
        return
    assert super_of is not None
    members_of: Counter[int] = Counter()
    for atom, group in enumerate(super_of):
        members_of[group] += weights[atom]
    assert all(count == 0 or count >= k for count in members_of.values())
    # A base atom with no members stands alone; every other super-atom holds members.
    for atom, group in enumerate(super_of):
        if weights[atom] == 0:
            assert super_of.count(group) == 1


def test_a_family_filter_needs_whole_base_atoms_and_whole_super_atoms():
    # Five at level 2 (all in the family), one at level 3 (not): one base atom of six, so the
    # family's level-2 filter is withheld even though it holds five members.
    people = people_in((5, "Sales", "Berlin", 2), (1, "Sales", "Berlin", 3))
    base = atoms_build(people, 5)
    super_of = super_atoms_build(base, family_weights(base, {1, 2, 3, 4, 5}), 5)
    assert super_of is not None

    answers = super_answers(answer_all(base), super_of)

    assert answers[FilterKey("Sales", "Berlin", 2)] is None
    assert answers[FilterKey("Sales", "Berlin")] == frozenset({0})


def test_a_base_atom_without_members_stands_on_its_own():
    people = people_in((5, "Sales", "Berlin", 2), (5, "Sales", "Lima", 2), (5, "Legal", "Lima", 1))
    base = atoms_build(people, 5)
    family = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}  # Sales only

    super_of = super_atoms_build(base, family_weights(base, family), 5)

    assert super_of is not None
    assert len(set(super_of)) == 3
    answers = super_answers(answer_all(base), super_of)
    assert answers[FilterKey("Sales", "Berlin")] is not None
    assert answers[FilterKey(office="Lima")] is not None


def test_a_small_remainder_of_members_joins_the_smallest_super_atom():
    people = people_in((6, "Sales", "Berlin", 2), (5, "Sales", "Lima", 2), (5, "Legal", "Lima", 1))
    base = atoms_build(people, 5)
    family = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}  # all of Sales, one in Legal

    super_of = super_atoms_build(base, family_weights(base, family), 5)

    assert super_of is not None
    # Sales/Lima (5 members) is smaller than Sales/Berlin (6): Legal's one member joins it.
    lima, legal = base.atom_of[7], base.atom_of[12]
    assert super_of[lima] == super_of[legal]
    assert super_of[base.atom_of[1]] != super_of[lima]
