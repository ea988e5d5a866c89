"""The proof that no figure about fewer than k people can be read or derived.

Hypothesis builds organizations (people with departments, offices and levels, a random reporting
tree, random populations and values per family), runs the real build, then plays random sequences
of filters through `dashboard_for`, as one viewer who sees the whole organization and the people
reporting to them (the widest view anyone has). For every figure released, the test works out its
population on its own, from the filter's definition, and checks the figure against the true sums.

Families are nested and related, as they are in the real facts: the paired are participants
("in a pairing" among the participants' values is exactly membership of the paired family), the
raters are among the paired, and contributions from people who are not participants that month
count for nothing. So the check is made per *variable*, not per family: for each kind of value
(membership of a family, or a family's own values), collect the participants of every released
figure whose numbers involve it, and group participants by which of those figures they are in
(people with the same pattern form a class). Any sum or difference of released figures is a
combination of class totals of each variable, and a class is the smallest group any such
combination can describe. The proof: every class holds at least k participants, and for a
family's own values, either none or at least k of the family's members. A naive releaser that
only hides cells under k fails the same check.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import product
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, event, find, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

from peercoach.insights.contract import Contribution, DashboardFilters, Family, Unit
from peercoach.insights.metrics import METRICS
from peercoach.insights.refresh import insights_refresh
from peercoach.insights.selectors import dashboard_for
from peercoach.people import management_path
from peercoach.people.models import Person
from peercoach.testing.factories import OrganizationFactory, ProgramFactory

pytestmark = pytest.mark.django_db

MONTH = date(2026, 1, 1)
NOW = datetime(2026, 1, 20, 9, 0, tzinfo=UTC)
DEPARTMENTS = ["Sales", "Legal", "Ops", ""]
OFFICES = ["Berlin", "Lima", ""]
LEVELS = [None, 1, 2, 3]
FAMILIES = [Family.PARTICIPANTS, Family.PAIRED, Family.RATERS]
# Which families' figures carry each family's membership: "in a pairing" among the participants'
# values is 1 exactly for members of the paired family.
MEMBERSHIP_CARRIED_BY = {Family.PAIRED: [Family.PARTICIPANTS]}


@dataclass(frozen=True)
class Someone:
    index: int
    department: str
    office: str
    level: int | None
    manager: int | None  # index of an earlier person
    participant: bool
    joined: int
    paired: int
    rater: bool
    ratings: int
    rating_total: int
    held: int = 1
    stalled: int = 0


@dataclass(frozen=True)
class World:
    k: int
    people: list[Someone]


mostly_true = st.integers(0, 4).map(bool)


def managers_for(index: int) -> st.SearchStrategy[int | None]:
    """Nobody, or an earlier person; the first few often, so that some teams are large."""
    if index == 0:
        return st.none()
    return st.none() | st.integers(0, min(index - 1, 2)) | st.integers(0, index - 1)


@st.composite
def worlds(draw: st.DrawFn, max_people: int = 40) -> World:
    k = draw(st.integers(3, 5))
    count = draw(st.integers(0, max_people))
    people = []
    for index in range(count):
        ratings = draw(st.integers(1, 3))
        manager = draw(managers_for(index))
        # Teams mostly sit in their manager's department, as they do in real organizations.
        departments = st.sampled_from(DEPARTMENTS)
        if manager is not None:
            departments = st.just(people[manager].department) | departments
        people.append(
            Someone(
                index=index,
                department=draw(departments),
                office=draw(st.sampled_from(OFFICES)),
                level=draw(st.sampled_from(LEVELS)),
                manager=manager,
                participant=draw(mostly_true),
                joined=draw(st.integers(0, 1)),
                paired=draw(st.integers(0, 1)),
                rater=draw(st.booleans()),
                ratings=ratings,
                rating_total=draw(st.integers(ratings, 5 * ratings)),
                held=draw(st.integers(0, 2)),
                stalled=draw(st.integers(0, 1)),
            )
        )
    return World(k=k, people=people)


any_department = st.none() | st.sampled_from([*DEPARTMENTS[:3], "Marketing"])
any_office = st.none() | st.sampled_from(OFFICES[:2])
any_level = st.none() | st.sampled_from(LEVELS[1:])
EVERY_FILTER = list(product([None, *DEPARTMENTS[:3]], [None, *OFFICES[:2]], [None, *LEVELS[1:]]))
filter_sequences = st.lists(st.tuples(any_department, any_office, any_level), max_size=8)


# ---- Building the world in the database and running the real build --------------------------


@dataclass
class Built:
    organization: Any
    program: Any
    ids: list[int]  # person index -> person id
    paths: dict[int, str]  # person id -> management path


def build(world: World) -> Built:
    organization: Any = OrganizationFactory(minimum_reporting_size=world.k)
    program: Any = ProgramFactory(organization=organization)
    created = Person.all_organizations.bulk_create(
        Person(
            organization=organization,
            employee_id=f"e{someone.index}",
            full_name=f"Person {someone.index}",
            email=f"p{someone.index}@example.com",
            department=someone.department,
            office=someone.office,
            level=someone.level,
        )
        for someone in world.people
    )
    ids = [person.pk for person in created]
    paths: dict[int, str] = {}
    for someone, person in zip(world.people, created, strict=True):
        above = paths[ids[someone.manager]] if someone.manager is not None else ""
        person.manager_id = ids[someone.manager] if someone.manager is not None else None
        person.management_path = management_path.child_path(above, person.pk)
        paths[person.pk] = person.management_path
    Person.all_organizations.bulk_update(created, ["manager", "management_path"])
    contributions = list(contributions_of(world, ids))
    insights_refresh(
        organization=organization,
        contributions_for=lambda program, month: contributions,
        months_for=lambda program: [MONTH],
        now=NOW,
    )
    return Built(organization, program, ids, paths)


def contributions_of(world: World, ids: list[int]) -> Iterable[Contribution]:
    """Participants; the paired among them; raters among the paired, and some raters who are not
    participants at all (the build must leave those out)."""
    for someone in world.people:
        person_id = ids[someone.index]
        if someone.participant:
            yield Contribution(
                person_id,
                Family.PARTICIPANTS,
                {"enrolled": 1, "joined": someone.joined, "in_pairing": someone.paired, "met": 0},
            )
        if someone.participant and someone.paired:
            yield Contribution(
                person_id,
                Family.PAIRED,
                {
                    "held_on_rhythm": someone.held,
                    "expected_sessions": 2,
                    "stalled": someone.stalled,
                    "reciprocal": 0,
                    "new_cross_department_partners": 0,
                },
            )
        if someone.rater and (someone.paired or not someone.participant):
            yield Contribution(
                person_id,
                Family.RATERS,
                {"ratings": someone.ratings, "rating_total": someone.rating_total},
            )


# ---- What the test knows independently of the atoms --------------------------------------------


def true_values(world: World, ids: list[int]) -> dict[Family, dict[int, dict[str, float]]]:
    """Each family's members and their values: only participants count."""
    participants = {ids[someone.index] for someone in world.people if someone.participant}
    values: dict[Family, dict[int, dict[str, float]]] = defaultdict(dict)
    for contribution in contributions_of(world, ids):
        if contribution.person_id not in participants:
            continue
        values[contribution.family][contribution.person_id] = {
            name: float(value) for name, value in contribution.values.items()
        }
    return values


def selected_by_filter(world: World, ids: list[int], department, office, level) -> set[int]:
    return {
        ids[someone.index]
        for someone in world.people
        if (department is None or someone.department == department)
        and (office is None or someone.office == office)
        and (level is None or someone.level == level)
    }


def reporting_to(built: Built, manager_id: int) -> set[int]:
    above = built.paths[manager_id]
    return {
        person_id
        for person_id, path in built.paths.items()
        if management_path.is_above(above, path)
    }


def expected_value(metric, people: set[int], values: Mapping[int, Mapping[str, float]]):
    numerator = (
        sum(values[p][metric.numerator] for p in people) if metric.numerator else len(people)
    )
    if metric.unit == Unit.PEOPLE:
        return numerator
    denominator = (
        sum(values[p][metric.denominator] for p in people) if metric.denominator else len(people)
    )
    return None if denominator == 0 else numerator / denominator


# ---- The class check ----------------------------------------------------------------------------


def smallest_class(released: Iterable[frozenset[int]], viewer: int | None = None) -> int | None:
    """The size of the smallest class of people inside some released population, or None when
    nothing was released. People with the same in/out pattern across every released population
    can never be told apart by any sum or difference of the figures.

    A class that is the viewer alone is no secret from them: a person may see their own activity.
    """
    released = list(released)
    pattern: dict[int, list[int]] = defaultdict(list)
    for index, population in enumerate(released):
        for person in population:
            pattern[person].append(index)
    classes: dict[tuple[int, ...], set[int]] = defaultdict(set)
    for person, signature in pattern.items():
        classes[tuple(signature)].add(person)
    sizes = [len(members) for members in classes.values() if members != {viewer}]
    return min(sizes) if sizes else None


# ---- Playing a viewer's requests ---------------------------------------------------------------


def play(world: World, built: Built, sequence, manager_index: int | None) -> dict[Family, set]:
    """Request every filter of the sequence (and the manager's team); return, per family, the
    participants of each released figure (the filter's participants, not only the family's
    members), after checking each released figure against the true figures."""
    values = true_values(world, built.ids)
    participants = values[Family.PARTICIPANTS].keys()
    released: dict[Family, set[frozenset[int]]] = defaultdict(set)
    requests: list[tuple[Any, set[int], int | None]] = [
        (dims, selected_by_filter(world, built.ids, *dims), None) for dims in sequence
    ]
    if manager_index is not None:
        manager_id = built.ids[manager_index]
        requests.append((None, reporting_to(built, manager_id), manager_id))
    for dims, selected, manager_id in requests:
        department, office, level = dims if dims is not None else (None, None, None)
        dashboard = dashboard_for(
            organization=built.organization,
            filters=DashboardFilters(
                program_id=built.program.pk,
                first_month=MONTH,
                last_month=MONTH,
                department=department,
                office=office,
                level=level,
            ),
            manager=Person.all_organizations.get(pk=manager_id) if manager_id else None,
        )
        (month,) = dashboard.months
        for metric in METRICS:
            figure = month.figures[metric.key]
            if metric.family not in FAMILIES or figure.population is None:
                assert figure.value is None
                continue
            family_values = values[metric.family]
            population = frozenset(selected & family_values.keys())
            assert figure.population == len(population)
            assert len(population) >= world.k, "a figure about fewer than k people was released"
            expected = expected_value(metric, population, family_values)
            if expected is None:
                assert figure.value is None
            else:
                assert figure.value == pytest.approx(expected)
            released[metric.family].add(frozenset(selected & participants))
            if currently_in_test_context():  # statistics: how often each kind is released
                event(f"released: {'a team' if manager_id else 'a filter' if any(dims) else 'all'}")
    return released


def classes_of(rows: Iterable[frozenset[int]]) -> list[set[int]]:
    """Participants grouped by which of the rows they are in (only those in at least one)."""
    pattern: dict[int, list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        for person in row:
            pattern[person].append(index)
    classes: dict[tuple[int, ...], set[int]] = defaultdict(set)
    for person, signature in pattern.items():
        classes[tuple(signature)].add(person)
    return list(classes.values())


def variables(
    world: World, built: Built, released: Mapping[Family, set[frozenset[int]]]
) -> Iterable[tuple[str, list[frozenset[int]], set[int] | None]]:
    """(name, rows involving it, the family whose own values it is or None for a membership).

    A family's membership is involved in each of its figures (their populations) and in every
    figure of a family that carries it as a value; a family's own values only in its figures.
    """
    values = true_values(world, built.ids)
    for family in FAMILIES:
        rows = list(released.get(family, ()))
        for carrier in MEMBERSHIP_CARRIED_BY.get(family, []):
            rows.extend(released.get(carrier, ()))
        yield f"membership of {family}", rows, None
        yield f"values of {family}", list(released.get(family, ())), set(values[family])


def assert_no_small_class(
    world: World, built: Built, released: Mapping[Family, set[frozenset[int]]], viewer: int | None
) -> None:
    for name, rows, members in variables(world, built, released):
        for group in classes_of(rows):
            if group == {viewer}:
                continue  # a person may see their own activity
            assert len(group) >= world.k, (
                f"{name}: released figures single out {len(group)} participants (k={world.k})"
            )
            if members is not None:
                inside = len(group & members)
                assert inside == 0 or inside >= world.k, (
                    f"{name}: released figures single out {inside} members (k={world.k})"
                )


def viewer_id(built: Built, manager_index: int | None) -> int | None:
    return None if manager_index is None else built.ids[manager_index]


def viewers(world: World) -> st.SearchStrategy[int | None]:
    """Someone without a team, or a manager: often one of the first few, whose teams are big."""
    managers = sorted({someone.manager for someone in world.people if someone.manager is not None})
    if not managers:
        return st.none()
    return st.none() | st.sampled_from(managers[:2]) | st.sampled_from(managers)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds(), sequence=filter_sequences, data=st.data())
def test_no_sequence_of_filters_reveals_a_group_smaller_than_k(world, sequence, data):
    manager = data.draw(viewers(world))
    with transaction.atomic():
        built = build(world)
        released = play(world, built, [(None, None, None), *sequence], manager)
        assert_no_small_class(world, built, released, viewer_id(built, manager))
        transaction.set_rollback(True)


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds(max_people=30), data=st.data())
def test_even_every_filter_at_once_reveals_no_group_smaller_than_k(world, data):
    # The widest view anyone can take: every filter there is, plus their own team.
    manager = data.draw(viewers(world))
    with transaction.atomic():
        built = build(world)
        released = play(world, built, EVERY_FILTER, manager)
        assert_no_small_class(world, built, released, viewer_id(built, manager))
        transaction.set_rollback(True)


@settings(max_examples=80, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(world=worlds(max_people=24), data=st.data())
def test_no_manager_can_single_out_anyone_next_to_the_whole(world, data):
    # A manager who also sees the whole organization: their team against each department.
    managers = sorted({someone.manager for someone in world.people if someone.manager is not None})
    if not managers:
        return
    manager = data.draw(st.sampled_from(managers[:1]) | st.sampled_from(managers))
    requests = [(None, None, None), *((department, None, None) for department in DEPARTMENTS[:3])]
    with transaction.atomic():
        built = build(world)
        released = play(world, built, requests, manager)
        assert_no_small_class(world, built, released, viewer_id(built, manager))
        transaction.set_rollback(True)


def test_figures_are_released_when_the_groups_are_large(db):
    # The proof would pass trivially if nothing were ever shown: a roomy world shows figures,
    # the team of the person everyone reports to included.
    people = [
        Someone(i, DEPARTMENTS[i % 2], "Berlin", 1, None if i == 0 else 0, True, 0, 1, True, 1, 4)
        for i in range(20)
    ]
    world = World(k=5, people=people)
    built = build(world)

    released = play(world, built, [(None, None, None), ("Sales", None, None)], manager_index=0)

    assert {len(population) for population in released[Family.PARTICIPANTS]} == {20, 19, 10}
    # The paired and the raters (everyone here) are shown too, on the participants' atoms.
    assert released[Family.PAIRED] == released[Family.PARTICIPANTS]
    assert released[Family.RATERS] == released[Family.PARTICIPANTS]
    assert_no_small_class(world, built, released, viewer_id(built, 0))


def test_a_family_cannot_be_subtracted_from_the_participants_in_pairing(db):
    # The reviewer's case: five in Sales/Berlin at level 2, all paired, and one at level 3, not
    # paired. The participants of Sales/Berlin (6, of whom 5 in a pairing) are shown; their
    # levels are not. Had the paired of Sales/Berlin level 2 (5) been shown on their own
    # atoms, 5 in a pairing minus 5 paired at level 2 would say the level-3 person is unpaired.
    people = [
        Someone(i, "Sales", "Berlin", 2 if i < 5 else 3, None, True, 0, int(i < 5), False, 1, 1)
        for i in range(6)
    ]
    world = World(k=5, people=people)
    built = build(world)

    released = play(world, built, EVERY_FILTER, None)

    assert frozenset(built.ids) in released[Family.PARTICIPANTS]
    assert frozenset(built.ids[:5]) not in released[Family.PAIRED]
    assert_no_small_class(world, built, released, None)


def test_people_who_are_not_participants_count_in_no_family(db):
    people = [Someone(i, "Sales", "Berlin", 2, None, i < 6, 0, 1, True, 1, 4) for i in range(9)]
    world = World(k=5, people=people)
    built = build(world)

    released = play(world, built, [(None, None, None)], None)

    # Three raters are not participants this month: the raters' figure covers the six who are.
    assert released[Family.RATERS] == {frozenset(built.ids[:6])}


# ---- The check can fail: releasers that only hide small cells leak ----------------------------


def naive_release(world: World, ids: list[int], manager_index: int | None) -> dict[Family, set]:
    """Release every filter (and the team) that describes at least k people."""
    values = true_values(world, ids)
    released: dict[Family, set[frozenset[int]]] = defaultdict(set)
    chosen = [selected_by_filter(world, ids, *dims) for dims in EVERY_FILTER]
    if manager_index is not None:
        chosen.append(team_of_index(world, manager_index, ids))
    for family in FAMILIES:
        for selected in chosen:
            population = frozenset(selected & values[family].keys())
            if len(population) >= world.k:
                released[family].add(population)
    return released


def team_of_index(world: World, manager_index: int, ids: list[int]) -> set[int]:
    team: set[int] = set()
    for someone in world.people:
        above = someone.manager
        while above is not None:
            if above == manager_index:
                team.add(ids[someone.index])
                break
            above = world.people[above].manager
    return team


def leaks(world: World, released: Mapping[Family, set[frozenset[int]]]) -> bool:
    return any(
        (smallest := smallest_class(populations)) is not None and smallest < world.k
        for populations in released.values()
    )


def test_the_check_catches_a_department_minus_an_office():
    # Five from Sales in Berlin and one in Lima: "Sales" minus "Sales in Berlin" is one person.
    people = [
        Someone(i, "Sales", "Berlin" if i < 5 else "Lima", 1, None, True, 0, 1, False, 1, 1)
        for i in range(6)
    ]
    world = World(k=5, people=people)

    assert leaks(world, naive_release(world, list(range(6)), None))


def test_the_check_catches_a_team_next_to_the_whole():
    # Ten take part, nine of them report to someone who doesn't: the whole minus the team is
    # the tenth person.
    people = [
        Someone(i, "Sales", "Berlin", 1, None if i in (0, 10) else 0, i != 0, 0, 1, False, 1, 1)
        for i in range(11)
    ]
    world = World(k=5, people=people)
    everyone = frozenset(range(1, 11))

    assert not leaks(world, {Family.PARTICIPANTS: {everyone}})
    assert leaks(world, naive_release(world, list(range(11)), manager_index=0))


def test_the_manager_alone_outside_their_team_is_no_leak_to_them():
    everyone, team = frozenset(range(10)), frozenset(range(1, 10))

    assert smallest_class([everyone, team], viewer=0) == 9
    assert smallest_class([everyone, team], viewer=None) == 1


def test_hypothesis_finds_a_leak_in_the_naive_releaser():
    leaky = find(
        worlds(max_people=20),
        lambda world: leaks(world, naive_release(world, list(range(len(world.people))), None)),
        settings=settings(max_examples=2000, database=None),
    )

    assert leaks(leaky, naive_release(leaky, list(range(len(leaky.people))), None))
