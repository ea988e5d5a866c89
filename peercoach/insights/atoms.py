"""Atoms: the groups of at least k people that every released figure is built from.

Plain data in, plain data out; nothing here touches Django. For one program, month and family,
`atoms_build` splits the population into atoms of at least k people using only their department,
office and level. A filter (any combination of department, office and level) is answered only
when every atom lies entirely inside it or entirely outside it, so every figure we release is a
sum over whole atoms, and no sum or difference of released figures can single out fewer than k
people (docs/decisions/0004-insights-privacy.md gives the argument).

How atoms are formed, finest first:
1. people with the same (department, office, level) form an atom when there are at least k;
2. the rest are pooled per (department, office), pools of at least k become atoms;
3. the rest are pooled per department, likewise;
4. the rest together form one atom when there are at least k; otherwise they join the smallest
   atom formed at the coarsest step that formed any (their figures are then combined there).
A population of fewer than k people has no atoms, and nothing about it is released.

Atoms are built once per program-month, from the participants (the *base atoms*). Every other
family gets super-atoms (`super_atoms_build`): unions of whole base atoms holding at least k of
its members each, so figures of different families cannot be subtracted from each other to
describe part of an atom.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import product

import numpy as np
import numpy.typing as npt

# Each person's cell: (department, office, level). Blank department or office is a value like
# any other for pooling, but nobody can filter on it (see `filter_keys_of`).
type Cell = tuple[str, str, int | None]


@dataclass(frozen=True, slots=True)
class PersonDims:
    person_id: int
    department: str
    office: str
    level: int | None

    @property
    def cell(self) -> Cell:
        return (self.department, self.office, self.level)


@dataclass(frozen=True, slots=True)
class FilterKey:
    """A dashboard filter: None means "any" for that dimension."""

    department: str | None = None
    office: str | None = None
    level: int | None = None

    def matches(self, cell: Cell) -> bool:
        department, office, level = cell
        return (
            (self.department is None or self.department == department)
            and (self.office is None or self.office == office)
            and (self.level is None or self.level == level)
        )

    @property
    def is_everyone(self) -> bool:
        return self.department is None and self.office is None and self.level is None


EVERYONE = FilterKey()


@dataclass(frozen=True)
class Atoms:
    k: int
    sizes: tuple[int, ...]  # atom id -> number of people
    atom_of: Mapping[int, int]  # person id -> atom id
    # cell -> atom id -> how many people of that cell are in that atom. Usually one atom per cell;
    # a cell split across atoms happens only when a small remainder joined another atom.
    cell_atoms: Mapping[Cell, Mapping[int, int]]

    @property
    def population(self) -> int:
        return sum(self.sizes)


def _sort_key(cell: tuple[object, ...]) -> tuple[object, ...]:
    # Levels may be None; order them last so the build is deterministic.
    return tuple((value is None, value if value is not None else 0) for value in cell)


def atoms_build(people: Sequence[PersonDims], k: int) -> Atoms:
    """Partition `people` into atoms of at least k (deterministic: same input, same atoms)."""
    if k < 1:
        raise ValueError("The minimum reporting size must be at least 1.")
    by_cell: dict[Cell, list[int]] = defaultdict(list)
    for person in people:
        by_cell[person.cell].append(person.person_id)
    atoms: list[list[int]] = []
    remaining: list[tuple[Cell, list[int]]] = sorted(
        by_cell.items(), key=lambda item: _sort_key(item[0])
    )
    last_level_atoms: list[int] = []
    # Coarsen step by step: the finest cell, then (department, office), department, everyone.
    for width in (3, 2, 1, 0):
        pools: dict[tuple[object, ...], list[tuple[Cell, list[int]]]] = defaultdict(list)
        for cell, ids in remaining:
            pools[cell[:width]].append((cell, ids))
        formed: list[int] = []
        still: list[tuple[Cell, list[int]]] = []
        for members in pools.values():
            if sum(len(ids) for _, ids in members) >= k:
                formed.append(len(atoms))
                atoms.append([person_id for _, ids in members for person_id in ids])
            else:
                still.extend(members)
        if formed:
            last_level_atoms = formed
        remaining = still
    leftover = [person_id for _, ids in remaining for person_id in ids]
    if leftover:
        if not last_level_atoms:
            return Atoms(k=k, sizes=(), atom_of={}, cell_atoms={})
        smallest = min(last_level_atoms, key=lambda atom: (len(atoms[atom]), atom))
        atoms[smallest].extend(leftover)
    return _index(atoms, people, k)


# A base atom's department, office or level when all its people share it; MIXED otherwise.
MIXED = object()


def uniform_dims(atoms: Atoms) -> list[tuple[object, object, object]]:
    """Per atom: (department, office, level), each MIXED where its people differ."""
    seen: list[list[set[object]]] = [[set(), set(), set()] for _ in atoms.sizes]
    for cell, counts in atoms.cell_atoms.items():
        for atom in counts:
            for dimension, value in enumerate(cell):
                seen[atom][dimension].add(value)
    return [
        tuple(next(iter(values)) if len(values) == 1 else MIXED for values in dims)  # type: ignore[misc]
        for dims in seen
    ]


def super_atoms_build(base: Atoms, weights: Sequence[int], k: int) -> tuple[int, ...] | None:
    """Group whole base atoms into super-atoms holding at least k members of one family each.

    `weights[atom]` is how many of the family's members base atom `atom` holds. Same steps as
    `atoms_build`, with base atoms as the units: atoms sharing department, office and level
    first, then department and office, then department, then everyone left; a remainder under k
    joins the smallest super-atom of the coarsest step that formed any. An atom whose people
    differ in a dimension only joins at a step that ignores that dimension. A base atom with
    none of the family's members is a super-atom of its own: saying a group of at least k
    participants has no members describes nobody, and tying it to others would withhold their
    filters for nothing. Returns base atom id -> super-atom id, or None when the family has fewer
    than k members (nothing released).
    """
    if not base.sizes or sum(weights) < k:
        return None
    dims = uniform_dims(base)
    groups: list[list[int]] = [[atom] for atom, weight in enumerate(weights) if weight == 0]
    last_level: list[int] = []
    remaining = [atom for atom, weight in enumerate(weights) if weight > 0]
    for width in (3, 2, 1, 0):
        pools: dict[tuple[object, ...], list[int]] = defaultdict(list)
        still: list[int] = []
        for atom in remaining:
            key = dims[atom][:width]
            if any(value is MIXED for value in key):
                still.append(atom)
            else:
                pools[key].append(atom)
        formed: list[int] = []
        for members in pools.values():
            if sum(weights[atom] for atom in members) >= k:
                formed.append(len(groups))
                groups.append(members)
            else:
                still.extend(members)
        if formed:
            last_level = formed
        remaining = sorted(still)
    if remaining:
        smallest = min(last_level, key=lambda g: (sum(weights[a] for a in groups[g]), g))
        groups[smallest].extend(remaining)
    super_of = [0] * len(base.sizes)
    for group, members in enumerate(groups):
        for atom in members:
            super_of[atom] = group
    return tuple(super_of)


def super_answers(
    base_answers: Mapping[FilterKey, frozenset[int] | None], super_of: Sequence[int]
) -> dict[FilterKey, frozenset[int] | None]:
    """A filter is answered for the family only when it is a union of whole base atoms (judged
    over all participants) and every super-atom lies wholly inside or wholly outside it."""
    members_of: dict[int, set[int]] = defaultdict(set)
    for atom, group in enumerate(super_of):
        members_of[group].add(atom)
    answers: dict[FilterKey, frozenset[int] | None] = {}
    for key, inside in base_answers.items():
        if inside is None:
            answers[key] = None
            continue
        touched = {super_of[atom] for atom in inside}
        whole = all(members_of[group] <= inside for group in touched)
        answers[key] = frozenset(touched) if whole else None
    return answers


def atoms_of_family(
    base: Atoms, super_of: Sequence[int], members: Sequence[PersonDims], k: int
) -> Atoms:
    """The family's super-atoms as an `Atoms` of its members (sizes count members only)."""
    atom_of = {person.person_id: super_of[base.atom_of[person.person_id]] for person in members}
    sizes = [0] * (max(super_of) + 1)
    cell_atoms: dict[Cell, Counter[int]] = defaultdict(Counter)
    for person in members:
        sizes[atom_of[person.person_id]] += 1
        cell_atoms[person.cell][atom_of[person.person_id]] += 1
    return Atoms(
        k=k,
        sizes=tuple(sizes),
        atom_of=atom_of,
        cell_atoms={cell: dict(counts) for cell, counts in cell_atoms.items()},
    )


def _index(atoms: list[list[int]], people: Sequence[PersonDims], k: int) -> Atoms:
    atom_of = {person_id: atom for atom, ids in enumerate(atoms) for person_id in ids}
    cell_atoms: dict[Cell, Counter[int]] = defaultdict(Counter)
    for person in people:
        cell_atoms[person.cell][atom_of[person.person_id]] += 1
    return Atoms(
        k=k,
        sizes=tuple(len(ids) for ids in atoms),
        atom_of=atom_of,
        cell_atoms={cell: dict(counts) for cell, counts in cell_atoms.items()},
    )


def covers(atoms: Atoms, key: FilterKey) -> frozenset[int] | None:
    """The atoms making up exactly the people `key` selects, or None when the filter cuts
    through an atom (its figures would describe part of an atom, so they are withheld).

    An empty population (no atoms) answers nothing.
    """
    if not atoms.sizes:
        return None
    inside: Counter[int] = Counter()
    for cell, counts in atoms.cell_atoms.items():
        if key.matches(cell):
            inside.update(counts)
    return _whole_atoms(atoms, inside)


def _whole_atoms(atoms: Atoms, inside: Mapping[int, int]) -> frozenset[int] | None:
    if not inside:
        return None
    if any(count != atoms.sizes[atom] for atom, count in inside.items()):
        return None
    return frozenset(inside)


def filter_keys_of(cell: Cell) -> list[FilterKey]:
    """The filters that select a person of this cell: each dimension its value or "any".

    Blank departments and offices and missing levels cannot be filtered on, so they only
    contribute "any".
    """
    department, office, level = cell
    departments = [None, department] if department else [None]
    offices = [None, office] if office else [None]
    levels = [None, level] if level is not None else [None]
    return [FilterKey(d, o, lv) for d, o, lv in product(departments, offices, levels)]


def answer_all(atoms: Atoms) -> dict[FilterKey, frozenset[int] | None]:
    """Every filter that selects somebody, with its atoms (or None when withheld).

    One pass over the cells: each cell adds its per-atom counts to its (at most 8) filters.
    """
    per_key: dict[FilterKey, Counter[int]] = defaultdict(Counter)
    for cell, counts in atoms.cell_atoms.items():
        for key in filter_keys_of(cell):
            per_key[key].update(counts)
    return {key: _whole_atoms(atoms, inside) for key, inside in per_key.items()}


def release_classes(
    atoms: Atoms, answers: Mapping[FilterKey, frozenset[int] | None]
) -> tuple[int, ...]:
    """Group atoms that every released filter treats alike: atom id -> class id.

    Two atoms in the same class are inside exactly the same released filters, so released
    figures can never tell them apart; the classes are what subtraction could isolate at best.
    """
    pattern: dict[int, list[int]] = {atom: [] for atom in range(len(atoms.sizes))}
    for index, inside in enumerate(answers.values()):
        if inside is not None:
            for atom in inside:
                pattern[atom].append(index)
    class_of_pattern: dict[tuple[int, ...], int] = {}
    classes: list[int] = []
    for atom in range(len(atoms.sizes)):
        signature = tuple(pattern[atom])
        classes.append(class_of_pattern.setdefault(signature, len(class_of_pattern)))
    return tuple(classes)


def class_sizes(atoms: Atoms, classes: Sequence[int]) -> dict[int, int]:
    """How many people each class holds."""
    sizes: Counter[int] = Counter()
    for atom, size in enumerate(atoms.sizes):
        sizes[classes[atom]] += size
    return dict(sizes)


def team_is_releasable(
    *,
    k: int,
    class_sizes: Mapping[int, int],
    team_counts_by_class: Mapping[int, int],
    manager_class: int | None = None,
) -> bool:
    """Whether a manager's team figure can be released next to the organization's figures.

    The team must hold at least k people, and it must cut every class of the organization's
    released figures into parts that are empty or at least k, inside and outside the team:
    otherwise the organization's figure minus the team's could describe fewer than k people.
    One exception: the part outside may be the manager alone (`manager_class` is the class the
    manager is in, if they are in the population at all), because only the manager sees their
    team's figures, and a person may always see their own activity.
    """
    if sum(team_counts_by_class.values()) < k:
        return False
    for class_id, inside in team_counts_by_class.items():
        outside = class_sizes[class_id] - inside
        if 0 < inside < k:
            return False
        if 0 < outside < k and not (outside == 1 and class_id == manager_class):
            return False
    return True


@dataclass(frozen=True)
class TeamAnswers:
    """Every manager's team in one family-month, answered at once (arrays, one row a manager)."""

    manager_ids: npt.NDArray[np.int64]
    sizes: npt.NDArray[np.int64]
    released: npt.NDArray[np.bool_]
    sums: npt.NDArray[np.float64]  # manager row x value column; zero for withheld teams


def teams_answer(
    *,
    k: int,
    member_classes: npt.NDArray[np.int64],
    class_sizes: npt.NDArray[np.int64],
    pair_managers: npt.NDArray[np.int64],
    pair_members: npt.NDArray[np.int64],
    manager_classes: Mapping[int, int],
    values: npt.NDArray[np.float64],
) -> TeamAnswers:
    """`team_is_releasable` for every manager at once, and the released teams' sums.

    The team memberships come as pairs (manager id, member index): one pair for each member and
    each manager above them. Vectorized, because a large organization has a hundred thousand
    members and several managers above each: a loop per pair would take seconds a family-month.
    """
    manager_ids, team_of_pair = np.unique(pair_managers, return_inverse=True)
    sizes = np.bincount(team_of_pair, minlength=len(manager_ids))
    class_count = len(class_sizes)
    keys, inside = np.unique(
        team_of_pair * class_count + member_classes[pair_members], return_counts=True
    )
    key_team, key_class = keys // class_count, keys % class_count
    outside = class_sizes[key_class] - inside
    own_class = np.array([manager_classes.get(int(m), -1) for m in manager_ids], dtype=np.int64)
    only_the_manager = (outside == 1) & (own_class[key_team] == key_class)
    cuts = ((inside > 0) & (inside < k)) | ((outside > 0) & (outside < k) & ~only_the_manager)
    released = sizes >= k
    released[key_team[cuts]] = False
    sums = np.zeros((len(manager_ids), values.shape[1]))
    counted = released[team_of_pair]
    np.add.at(sums, team_of_pair[counted], values[pair_members[counted]])
    return TeamAnswers(manager_ids=manager_ids, sizes=sizes, released=released, sums=sums)


def sums_over(people: Iterable[int], values: Mapping[int, Mapping[str, float]]) -> dict[str, float]:
    """Add up every value key over the given people (a helper for tests and the refresh)."""
    totals: dict[str, float] = defaultdict(float)
    for person_id in people:
        for name, value in values.get(person_id, {}).items():
            totals[name] += value
    return dict(totals)
