"""The insights build: from each month's contributions to the cells a dashboard may read.

For every program and month, the participants are split into base atoms (atoms.py), and each
family's members into super-atoms: unions of whole base atoms holding at least k members each.
Every filter that selects somebody gets a cell: released with its population and sums when it is
a union of whole super-atoms, withheld with no numbers otherwise. Managers get one cell per family
for the people reporting to them at any depth, stored only when it may be released.

A month is published once, after it has closed (facts.PUBLISH_AFTER_DAYS), in one transaction,
and never built again: two versions of one month could be subtracted to describe one person.
The build runs daily (the sweep queues it) or on demand (`manage.py insights_refresh`, or the
refresh button for program managers); each run publishes the months that became due.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from peercoach.insights import atoms as atoms_module
from peercoach.insights.atoms import Cell, FilterKey, PersonDims
from peercoach.insights.contract import Contribution, Family
from peercoach.insights.models import InsightsBuild, PublishedMonth, ReleasedCell
from peercoach.organizations.models import SMALLEST_REPORTING_SIZE, Organization
from peercoach.people import management_path
from peercoach.people.models import Person
from peercoach.programs.models import Program

type ContributionsFor = Callable[[Program, date], Iterable[Contribution]]
type MonthsFor = Callable[[Program], Sequence[date]]

# A day-old build is fresh enough for monthly figures; the sweep rebuilds older ones.
REBUILD_AFTER = timedelta(hours=24)
# A queued rebuild that never ran (worker down) is queued again after this long.
REQUEST_EXPIRES_AFTER = timedelta(hours=6)
WRITE_BATCH_SIZE = 2000


def reporting_size(organization: Organization) -> int:
    """The organization's k, never below the floor whatever the database says."""
    return max(organization.minimum_reporting_size, SMALLEST_REPORTING_SIZE)


def org_cell_key(key: FilterKey) -> str:
    return json.dumps([key.department, key.office, key.level], ensure_ascii=False)


def team_cell_key(manager_id: int) -> str:
    return f"team:{manager_id}"


@dataclass(frozen=True)
class CellAnswer:
    """One cell as computed, before it is stored (plain data, so tests can read it directly)."""

    family: Family
    cell_key: str
    key: FilterKey | None  # None for a team cell
    manager_id: int | None
    is_released: bool
    population: int | None
    sums: dict[str, float] | None


@dataclass
class RefreshResult:
    programs: int = 0
    months: int = 0
    cells_written: int = 0
    seconds: float = 0.0
    filter_choices: dict[str, dict[str, list[Any]]] = field(default_factory=dict)


@dataclass
class FilterChoices:
    """The filter values that appear in at least one released cell of a program."""

    departments: set[str] = field(default_factory=set)
    offices: set[str] = field(default_factory=set)
    levels: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, list[Any]]:
        return {
            "departments": sorted(self.departments, key=str.casefold),
            "offices": sorted(self.offices, key=str.casefold),
            "levels": sorted(self.levels),
        }


@dataclass(frozen=True)
class Directory:
    """What the build needs to know about each person: dims for atoms, paths for teams."""

    dims: Mapping[int, PersonDims]
    paths: Mapping[int, str]

    @cached_property
    def managers_above(self) -> dict[int, tuple[int, ...]]:
        """Person id -> the ids of everyone above them (computed once per build)."""
        return {
            person_id: tuple(management_path.ancestor_ids(path))
            for person_id, path in self.paths.items()
        }


def directory_load(*, organization: Organization) -> Directory:
    rows = Person.objects.in_organization(organization).values_list(
        "pk", "department", "office", "level", "management_path"
    )
    dims: dict[int, PersonDims] = {}
    paths: dict[int, str] = {}
    for pk, department, office, level, path in rows.iterator(chunk_size=5000):
        dims[pk] = PersonDims(pk, department or "", office or "", level)
        paths[pk] = path
    return Directory(dims=dims, paths=paths)


@dataclass(frozen=True)
class BaseAtoms:
    """A program-month's participants split into atoms, and what every family is built on."""

    participants: frozenset[int]
    atoms: atoms_module.Atoms
    answers: Mapping[FilterKey, frozenset[int] | None]
    # Manager id -> whether their team's participants may be counted next to the
    # organization's figures (the team rule against the base atoms).
    teams_released: Mapping[int, bool]

    @classmethod
    def build(cls, participants: Iterable[Contribution], directory: Directory, k: int) -> BaseAtoms:
        members = _merge(participants, directory.dims)
        people = [directory.dims[person_id] for person_id in members.person_ids]
        atoms = atoms_module.atoms_build(people, k)
        answers = atoms_module.answer_all(atoms)
        teams = _teams(members, directory, answers, atoms)
        released = (
            {}
            if teams is None
            else {
                int(manager): bool(ok)
                for manager, ok in zip(teams.manager_ids, teams.released, strict=True)
            }
        )
        return cls(frozenset(members.person_ids), atoms, answers, released)

    def cells_of(
        self, family: Family, contributions: Iterable[Contribution], directory: Directory
    ) -> list[CellAnswer]:
        """The family's cells: its members are the participants among its contributors; its
        super-atoms are unions of whole base atoms holding at least k members each."""
        members = _merge(
            (c for c in contributions if c.person_id in self.participants), directory.dims
        )
        people = [directory.dims[person_id] for person_id in members.person_ids]
        k = self.atoms.k
        if not self.atoms.sizes:  # fewer than k participants: nothing about the month
            return _organization_cells(family, people, members, {})
        weights = [0] * len(self.atoms.sizes)
        for person_id in members.person_ids:
            weights[self.atoms.atom_of[person_id]] += 1
        if family == Family.PARTICIPANTS:
            super_of: tuple[int, ...] | None = tuple(range(len(self.atoms.sizes)))
        else:
            super_of = atoms_module.super_atoms_build(self.atoms, weights, k)
        if super_of is None or not people:
            return _organization_cells(family, people, members, {})
        answers = atoms_module.super_answers(self.answers, super_of)
        atoms = atoms_module.atoms_of_family(self.atoms, super_of, people, k)
        cells = _organization_cells(family, people, members, answers)
        team_cells = _team_cells(family, members, directory, answers, atoms)
        cells.extend(c for c in team_cells if self.teams_released.get(c.manager_id or 0, False))
        return cells


@dataclass(frozen=True)
class Members:
    """A family's people and their values: row i of `values` belongs to `person_ids[i]`."""

    person_ids: list[int]
    names: list[str]
    values: npt.NDArray[np.float64]

    def sums(self, row: npt.NDArray[np.float64]) -> dict[str, float]:
        return {name: float(row[column]) for column, name in enumerate(self.names)}


def _merge(contributions: Iterable[Contribution], dims: Mapping[int, PersonDims]) -> Members:
    """One row of values per person (a person's several contributions add up); people who are
    not in this organization's directory are no part of its figures."""
    by_person: dict[int, dict[str, float]] = {}
    for contribution in contributions:
        if contribution.person_id not in dims:
            continue
        mine = by_person.get(contribution.person_id)
        if mine is None:
            by_person[contribution.person_id] = dict(contribution.values)
            continue
        for name, value in contribution.values.items():
            mine[name] = mine.get(name, 0.0) + value
    names = sorted({name for mine in by_person.values() for name in mine})
    matrix = np.array(
        [[mine.get(name, 0.0) for name in names] for mine in by_person.values()],
        dtype=np.float64,
    ).reshape(len(by_person), len(names))
    return Members(person_ids=list(by_person), names=names, values=matrix)


def _organization_cells(
    family: Family,
    people: Sequence[PersonDims],
    members: Members,
    answers: Mapping[FilterKey, frozenset[int] | None],
) -> list[CellAnswer]:
    # Sum per (department, office, level) cell first, then each cell into its (at most 8) filters.
    cell_index: dict[Cell, int] = {}
    person_cells = np.array(
        [cell_index.setdefault(person.cell, len(cell_index)) for person in people], dtype=np.int64
    )
    cell_counts = np.bincount(person_cells, minlength=len(cell_index))
    cell_sums = np.zeros((len(cell_index), len(members.names)))
    np.add.at(cell_sums, person_cells, members.values)
    key_count: Counter[FilterKey] = Counter()
    key_sums: dict[FilterKey, npt.NDArray[np.float64]] = {}
    for cell, index in cell_index.items():
        for key in atoms_module.filter_keys_of(cell):
            key_count[key] += int(cell_counts[index])
            if key in key_sums:
                key_sums[key] = key_sums[key] + cell_sums[index]
            else:
                key_sums[key] = cell_sums[index].copy()
    cells = []
    for key, count in key_count.items():
        released = answers.get(key) is not None
        cells.append(
            CellAnswer(
                family=family,
                cell_key=org_cell_key(key),
                key=key,
                manager_id=None,
                is_released=released,
                population=count if released else None,
                sums=members.sums(key_sums[key]) if released else None,
            )
        )
    return cells


def _team_cells(
    family: Family,
    members: Members,
    directory: Directory,
    answers: Mapping[FilterKey, frozenset[int] | None],
    atoms: atoms_module.Atoms,
) -> list[CellAnswer]:
    """A cell per manager whose people (at any depth, not the manager) may be shown.

    Only released team cells are stored: with thousands of managers, withheld rows would be most
    of the table and say nothing.
    """
    teams = _teams(members, directory, answers, atoms)
    if teams is None:
        return []
    return [
        CellAnswer(
            family=family,
            cell_key=team_cell_key(int(teams.manager_ids[row])),
            key=None,
            manager_id=int(teams.manager_ids[row]),
            is_released=True,
            population=int(teams.sizes[row]),
            sums=members.sums(teams.sums[row]),
        )
        for row in np.flatnonzero(teams.released)
    ]


def _teams(
    members: Members,
    directory: Directory,
    answers: Mapping[FilterKey, frozenset[int] | None],
    atoms: atoms_module.Atoms,
) -> atoms_module.TeamAnswers | None:
    """The team rule for every manager against the classes of `atoms` (None: no teams)."""
    if not atoms.sizes:
        return None
    classes = atoms_module.release_classes(atoms, answers)
    class_sizes = atoms_module.class_sizes(atoms, classes)
    pair_managers: list[int] = []
    pair_members: list[int] = []
    managers_above = directory.managers_above
    for index, person_id in enumerate(members.person_ids):
        above = managers_above.get(person_id, ())
        pair_managers.extend(above)
        pair_members.extend([index] * len(above))
    if not pair_managers:
        return None
    atom_of = atoms.atom_of
    return atoms_module.teams_answer(
        k=atoms.k,
        member_classes=np.array(
            [classes[atom_of[person_id]] for person_id in members.person_ids], dtype=np.int64
        ),
        class_sizes=np.array([class_sizes[c] for c in range(len(class_sizes))], dtype=np.int64),
        pair_managers=np.array(pair_managers, dtype=np.int64),
        pair_members=np.array(pair_members, dtype=np.int64),
        manager_classes={
            manager_id: classes[atom]
            for manager_id in set(pair_managers)
            if (atom := atom_of.get(manager_id)) is not None
        },
        values=members.values,
    )


def month_cells(
    *, contributions: Iterable[Contribution], directory: Directory, k: int
) -> list[CellAnswer]:
    """Every cell of one program-month, all families, all built on the participants' atoms.

    A contribution from someone who is not a participant that month is no part of any figure.
    """
    by_family: dict[Family, list[Contribution]] = defaultdict(list)
    for contribution in contributions:
        by_family[contribution.family].append(contribution)
    base = BaseAtoms.build(by_family.get(Family.PARTICIPANTS, []), directory, k)
    cells: list[CellAnswer] = []
    for family in Family:
        if family in by_family:
            cells.extend(base.cells_of(family, by_family[family], directory))
    return cells


def insights_refresh(
    *,
    organization: Organization,
    contributions_for: ContributionsFor | None = None,
    months_for: MonthsFor | None = None,
    now: datetime | None = None,
) -> RefreshResult:
    """Publish every program's months that are due and not yet published; returns what it did.

    A published month is never built again, whatever changed since (a late rating, someone
    moving department, a new k): two versions of one month could be subtracted. By default only
    months that ended at least `facts.PUBLISH_AFTER_DAYS` days ago are due. `contributions_for`
    and `months_for` default to facts.py; tests pass their own data.
    """
    started = time.perf_counter()
    now = now or timezone.now()
    contributions_for = contributions_for or _facts_contributions(organization, now)
    months_for = months_for or _facts_months(now)
    k = reporting_size(organization)
    directory: Directory | None = None
    result = RefreshResult()
    programs = Program.objects.in_organization(organization).order_by("pk")
    for program in programs:
        months = list(months_for(program))
        published = set(
            PublishedMonth.objects.in_organization(organization)
            .filter(program=program)
            .values_list("month", flat=True)
        )
        for month in months:
            if month in published:
                continue
            directory = directory or directory_load(organization=organization)
            cells = month_cells(
                contributions=contributions_for(program, month), directory=directory, k=k
            )
            result.cells_written += _month_publish(organization, program, month, cells, k, now)
            result.months += 1
        _months_outside_program_delete(organization, program, months)
        result.programs += 1
        result.filter_choices[str(program.pk)] = _filter_choices(organization, program, k)
    result.seconds = time.perf_counter() - started
    _build_record(organization, now, k, result)
    return result


def _months_outside_program_delete(
    organization: Organization, program: Program, months: Sequence[date]
) -> None:
    """Forget months before the program's start or after its end (its dates changed): deleting
    says nothing about anyone. Months being built stay, whatever their dates."""
    outside = Q(month__lt=program.starts_on.replace(day=1)) | Q(month__gt=program.ends_on)
    for model in (ReleasedCell, PublishedMonth):
        model.objects.in_organization(organization).filter(program=program).filter(outside).exclude(
            month__in=months
        ).delete()


def _filter_choices(organization: Organization, program: Program, k: int) -> dict[str, list[Any]]:
    """The departments, offices and levels of the program's released cells that can be shown."""
    choices = FilterChoices()
    rows = (
        ReleasedCell.objects.in_organization(organization)
        .filter(
            program=program,
            is_released=True,
            manager__isnull=True,
            minimum_reporting_size__gte=k,
        )
        .values_list("department", "office", "level")
        .distinct()
    )
    for department, office, level in rows:
        if department:
            choices.departments.add(department)
        if office:
            choices.offices.add(office)
        if level is not None:
            choices.levels.add(level)
    return choices.as_dict()


def _facts_contributions(organization: Organization, now: datetime) -> ContributionsFor:
    from peercoach.insights.facts import monthly_contributions

    def contributions(program: Program, month: date) -> list[Contribution]:
        return monthly_contributions(
            organization=organization, program=program, month=month, now=now
        )

    return contributions


def _facts_months(now: datetime) -> MonthsFor:
    from peercoach.insights.facts import months_with_activity

    def months(program: Program) -> list[date]:
        return months_with_activity(program=program, today=timezone.localdate(now))

    return months


def _month_publish(
    organization: Organization,
    program: Program,
    month: date,
    cells: Sequence[CellAnswer],
    k: int,
    now: datetime,
) -> int:
    """Write a month's cells and mark it published, in one transaction; a month another build
    published meanwhile is left as it is."""
    rows = [
        ReleasedCell(
            organization=organization,
            program=program,
            month=month,
            family=cell.family.value,
            cell_key=cell.cell_key,
            department=(cell.key.department or "") if cell.key else "",
            office=(cell.key.office or "") if cell.key else "",
            level=cell.key.level if cell.key else None,
            manager_id=cell.manager_id,
            is_released=cell.is_released,
            population=cell.population,
            sums=cell.sums,
            minimum_reporting_size=k,
            built_at=now,
        )
        for cell in cells
    ]
    with transaction.atomic():
        # Two builds of one organization at once take turns month by month, so neither
        # publishes a month the other has just published.
        InsightsBuild.objects.in_organization(organization).get_or_create(organization=organization)
        InsightsBuild.objects.in_organization(organization).select_for_update().get()
        months = PublishedMonth.objects.in_organization(organization)
        if months.filter(program=program, month=month).exists():
            return 0
        # Stray cells without a published mark (a build stopped halfway cannot leave any, as
        # this is one transaction; only builds from before months were published once).
        ReleasedCell.objects.in_organization(organization).filter(
            program=program, month=month
        ).delete()
        ReleasedCell.objects.in_organization(organization).bulk_create(
            rows, batch_size=WRITE_BATCH_SIZE
        )
        months.create(
            organization=organization,
            program=program,
            month=month,
            minimum_reporting_size=k,
            published_at=now,
        )
    return len(rows)


def _build_record(organization: Organization, now: datetime, k: int, result: RefreshResult) -> None:
    InsightsBuild.objects.in_organization(organization).update_or_create(
        organization=organization,
        defaults={
            "refreshed_at": now,
            "minimum_reporting_size": k,
            "requested_at": None,
            "filter_choices": result.filter_choices,
            "cells_written": result.cells_written,
            "seconds_taken": result.seconds,
        },
    )


def insights_refresh_due(*, organization: Organization, now: datetime) -> bool:
    """True when the organization's figures are a day old (a month may have closed since), were
    never built, or their filter choices were gathered under another k (one indexed read).
    A new k rebuilds nothing: published months keep the k they were built with."""
    build = InsightsBuild.objects.in_organization(organization).first()
    if build is None or build.refreshed_at is None:
        return True
    if build.minimum_reporting_size != reporting_size(organization):
        return True
    return now - build.refreshed_at >= REBUILD_AFTER


def insights_refresh_request(*, organization: Organization, now: datetime) -> bool:
    """Queue a rebuild unless one is already queued; True when this call queued it.

    Claimed with a conditional update, so the hourly sweep (or two at once) queues one rebuild.
    """
    from peercoach.insights.tasks import insights_refresh_task

    InsightsBuild.objects.in_organization(organization).get_or_create(organization=organization)
    claimed = (
        InsightsBuild.objects.in_organization(organization)
        .filter(Q(requested_at__isnull=True) | Q(requested_at__lt=now - REQUEST_EXPIRES_AFTER))
        .update(requested_at=now)
    )
    if not claimed:
        return False
    organization_id = organization.pk
    transaction.on_commit(lambda: insights_refresh_task.enqueue(organization_id))
    return True


def insights_refresh_if_due(*, organization: Organization, now: datetime) -> bool:
    """The sweep's hook: queue a rebuild when the figures are due one."""
    if not insights_refresh_due(organization=organization, now=now):
        return False
    return insights_refresh_request(organization=organization, now=now)
