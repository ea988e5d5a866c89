"""Previewing and applying an HR file.

Applying happens in one transaction that re-reads the directory, re-plans and writes in bulk, so
a confirmation is checked against the directory as it is now, and a failure changes nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, Protocol

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from peercoach.accounts.models import User
from peercoach.organizations.models import Organization
from peercoach.organizations.services import accounts_close_for_leavers
from peercoach.people.hierarchy import compute_paths, management_paths_write
from peercoach.people.hr_import.columns import MissingColumnError, map_columns
from peercoach.people.hr_import.models import HrImport
from peercoach.people.hr_import.planning import ImportPlan, Row, plan_import, summarize
from peercoach.people.hr_import.reading import FileProblem, read_table
from peercoach.people.hr_import.selectors import people_import_snapshot
from peercoach.people.models import Person
from peercoach.programs.services import enrollments_end_for_leavers

WRITE_BATCH = 1000
logger = logging.getLogger(__name__)

type ManagerLookup = Callable[[Row], int | None]


class Progress(Protocol):
    """How long-running imports report progress (the command draws it as a bar)."""

    def stage(self, name: str, total: int | None) -> None: ...

    def advance(self, count: int) -> None: ...


class _Silent:
    def stage(self, name: str, total: int | None) -> None:
        pass

    def advance(self, count: int) -> None:
        pass


class ImportRejected(Exception):
    """The file as a whole cannot be imported (unreadable, empty, a required column missing)."""


class ImportHasProblems(Exception):
    """Some rows cannot be imported and the import was not limited to the valid rows."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(f"{plan.bad_rows_phrase()} problems; nothing was changed.")
        self.plan = plan


@dataclass(frozen=True)
class AppliedCounts:
    created: int
    updated: int
    reactivated: int
    deactivated: int
    skipped: int


def people_import_preview(
    *, organization: Organization, data: bytes, filename: str, progress: Progress | None = None
) -> ImportPlan:
    """What importing the file would do now; changes nothing. Raises ImportRejected."""
    return _plan(organization=organization, data=data, filename=filename, progress=progress)


@transaction.atomic
def people_import_apply(
    *,
    organization: Organization,
    data: bytes,
    filename: str,
    only_valid_rows: bool = False,
    progress: Progress | None = None,
) -> tuple[ImportPlan, AppliedCounts]:
    """Import the file: all of it, or with `only_valid_rows` every row that has no problem.

    Raises ImportRejected or ImportHasProblems, leaving the directory exactly as it was.
    """
    plan = _plan(organization=organization, data=data, filename=filename, progress=progress)
    if plan.bad_rows and not only_valid_rows:
        raise ImportHasProblems(plan)
    _write(plan, organization=organization, progress=progress or _Silent())
    counts = AppliedCounts(
        created=len(plan.creates),
        updated=len(plan.updates) - len(plan.reactivations),
        reactivated=len(plan.reactivations),
        deactivated=len(plan.deactivations),
        skipped=len(plan.bad_rows),
    )
    return plan, counts


def _plan(
    *, organization: Organization, data: bytes, filename: str, progress: Progress | None
) -> ImportPlan:
    progress = progress or _Silent()
    try:
        table = read_table(data, filename=filename)
        columns = map_columns(table.headers)
        progress.stage("Loading the directory", None)
        existing = people_import_snapshot(organization=organization)
        progress.stage("Checking rows", None)
        plan = plan_import(
            columns=columns,
            numbered_rows=table.rows,
            existing=existing,
            file_format=table.format,
            encoding=table.encoding,
            sheet=table.sheet,
            on_row=lambda: progress.advance(1),
        )
    except (FileProblem, MissingColumnError) as problem:
        raise ImportRejected(str(problem)) from None
    if plan.rows_read == 0:
        # Importing it would mark everyone as having left: surely not what anyone means.
        raise ImportRejected("The file has a header row but nobody in it.")
    return plan


# ---------------------------------------------------------------------------------------------
# Writing a plan


def _write(plan: ImportPlan, *, organization: Organization, progress: Progress) -> None:
    if not plan.changes_anything:
        return  # re-importing the same file touches no row at all
    now = timezone.now()
    pk_by_employee_id = {person.employee_id: person.pk for person in plan.existing.values()}
    pk_by_employee_id.update(
        zip(
            (row.employee_id for row in plan.creates),
            _reserve_person_ids(len(plan.creates)),
            strict=True,
        )
    )

    def manager_pk(row: Row) -> int | None:
        return pk_by_employee_id[row.manager.employee_id] if row.manager else None

    managers = {person.pk: person.manager_id for person in plan.existing.values()}
    managers.update({update.person.pk: manager_pk(update.row) for update in plan.updates})
    managers.update({pk_by_employee_id[row.employee_id]: manager_pk(row) for row in plan.creates})
    paths = compute_paths(managers)

    progress.stage("Writing", len(plan.creates) + len(plan.updates) + len(plan.deactivations))
    _free_emails_being_swapped(plan)
    _create(plan, organization, pk_by_employee_id, manager_pk, paths, progress)
    _update(plan, manager_pk, now, progress)
    _move_paths(plan, paths)
    _deactivate(plan, now, progress)
    # Leavers leave their programs in this same transaction: their peers are free for a new
    # match at once, and an import that fails leaves every pairing as it was.
    enrollments_end_for_leavers(
        organization=organization,
        person_ids=[person.pk for person in plan.deactivations],
        now=now,
    )


def _reserve_person_ids(count: int) -> list[int]:
    """Primary keys for new people, taken before inserting so managers and paths go in at once.

    Inserting with the ids already known saves a second pass over every new row, which is most of
    the cost of a first import. The write transaction is already open, so on SQLite nobody else
    can take these ids; on PostgreSQL the sequence hands them out.
    """
    if count == 0:
        return []
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        if connection.vendor == "sqlite":
            cursor.execute(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"')
            (highest,) = cursor.fetchone()
            cursor.execute(
                "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table]
            )
            (sequence,) = cursor.fetchone()
            first = max(highest, sequence) + 1
            return list(range(first, first + count))
    raise NotImplementedError(f"HR import supports SQLite and PostgreSQL, not {connection.vendor}.")


def _free_emails_being_swapped(plan: ImportPlan) -> None:
    """Park emails that change hands within this file, so no moment has two people share one."""
    final_owner = {row.email.casefold(): row.employee_id for row in plan.creates}
    final_owner.update(
        (update.row.email.casefold(), update.row.employee_id)
        for update in plan.updates
        if "email" in update.changes
    )
    parked = [
        Person(pk=update.person.pk, email=f"hr-import-{update.person.pk}@renaming.invalid")
        for update in plan.updates
        if "email" in update.changes
        and final_owner.get(update.person.email.casefold(), update.person.employee_id)
        != update.person.employee_id
    ]
    Person.all_organizations.bulk_update(parked, ["email"], batch_size=WRITE_BATCH)


def _create(
    plan: ImportPlan,
    organization: Organization,
    pk_by_employee_id: dict[str, int],
    manager_pk: ManagerLookup,
    paths: dict[int, str],
    progress: Progress,
) -> None:
    attributes = sorted({attribute for row in plan.creates for attribute in row.attributes})
    columns = ["id", "employee_id", "full_name", "email", "manager_id", "management_path"]
    columns += attributes
    # Managers before their reports, so every row's manager already exists when it goes in.
    ordered = sorted(plan.creates, key=lambda row: len(paths[pk_by_employee_id[row.employee_id]]))
    rows = (
        [
            pk_by_employee_id[row.employee_id],
            row.employee_id,
            row.full_name,
            row.email,
            manager_pk(row),
            paths[pk_by_employee_id[row.employee_id]],
            *(row.attributes[attribute] for attribute in attributes),
        ]
        for row in ordered
    )
    _insert_people(organization, columns, rows, progress)


def _insert_people(
    organization: Organization,
    columns: list[str],
    rows: Iterator[list[Any]],
    progress: Progress,
) -> None:
    """Insert people with one prepared statement per batch.

    bulk_create spends most of a 100,000-person import building SQL value by value; the values here
    are already clean, so only what the database needs converting is converted (JSON), and every
    column the file does not set takes the model's default from one prototype person.
    """
    fields = {field.attname: field for field in Person._meta.concrete_fields}
    fields["id"] = Person._meta.pk
    prototype = Person(organization=organization)
    constants = {
        name: field.get_db_prep_save(field.pre_save(prototype, add=True), connection)
        for name, field in fields.items()
        if name not in columns
    }
    converters = [
        (lambda value, field=fields[name]: field.get_db_prep_save(value, connection))
        if fields[name].get_internal_type() == "JSONField"
        else None
        for name in columns
    ]
    names = [*columns, *constants]
    quote = connection.ops.quote_name
    sql = (
        f"INSERT INTO {quote(Person._meta.db_table)} ({', '.join(quote(name) for name in names)}) "
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    constant_values = list(constants.values())
    with connection.cursor() as cursor:
        while batch := list(islice(rows, WRITE_BATCH)):
            cursor.executemany(
                sql,
                [
                    [
                        *(
                            convert(value) if convert else value
                            for convert, value in zip(converters, row, strict=True)
                        ),
                        *constant_values,
                    ]
                    for row in batch
                ],
            )
            progress.advance(len(batch))


def _update(plan: ImportPlan, manager_pk: ManagerLookup, now: datetime, progress: Progress) -> None:
    # bulk_update writes every named field of every object, so group people by what changed.
    groups: dict[frozenset[str], list[Person]] = defaultdict(list)
    for update in plan.updates:
        values: dict[str, Any] = {
            attribute: after for attribute, (_, after) in update.changes.items()
        }
        if "manager_id" in values:
            values["manager_id"] = manager_pk(update.row)
        if "is_active" in values:
            values["deactivated_at"] = None
        values["updated_at"] = now
        groups[frozenset(values)].append(Person(pk=update.person.pk, **values))
    for fields, people in groups.items():
        for start in range(0, len(people), WRITE_BATCH):
            batch = people[start : start + WRITE_BATCH]
            Person.all_organizations.bulk_update(batch, sorted(fields))
            progress.advance(len(batch))


def _move_paths(plan: ImportPlan, paths: dict[int, str]) -> None:
    management_paths_write(
        [
            (paths[person.pk], person.pk)
            for person in plan.existing.values()
            if paths[person.pk] != person.management_path
        ]
    )


def _deactivate(plan: ImportPlan, now: datetime, progress: Progress) -> None:
    pks = [person.pk for person in plan.deactivations]
    for start in range(0, len(pks), WRITE_BATCH):
        batch = pks[start : start + WRITE_BATCH]
        Person.all_organizations.filter(pk__in=batch).update(
            is_active=False, deactivated_at=now, updated_at=now
        )
        accounts_close_for_leavers(person_ids=batch)
        progress.advance(len(batch))


# ---------------------------------------------------------------------------------------------
# Uploads kept for the web flow


def hr_import_upload(
    *, organization: Organization, uploaded_by: User | None, filename: str, data: bytes
) -> HrImport:
    """Keep the uploaded file and what its preview found."""
    hr_import = HrImport(
        organization=organization,
        uploaded_by=uploaded_by,
        filename=filename[:255],
        file_bytes=data,
        file_size=len(data),
    )
    try:
        plan = people_import_preview(organization=organization, data=data, filename=filename)
    except ImportRejected as rejected:
        hr_import.status = HrImport.Status.REJECTED
        hr_import.summary = {"file_problem": str(rejected)}
    else:
        hr_import.summary = summarize(plan)
    hr_import.save()
    return hr_import


class AlreadyApplied(Exception):
    pass


def hr_import_confirm(
    *, hr_import: HrImport, confirmed_by: User | None, only_valid_rows: bool
) -> HrImport:
    """Apply a previewed upload, re-checked against the directory as it is now.

    Raises ImportHasProblems (the summary is refreshed so the preview shows what is wrong now),
    ImportRejected or AlreadyApplied; in every one of those cases no person changed.
    """
    if hr_import.status == HrImport.Status.REJECTED:
        raise ImportRejected("This file could not be read, so there is nothing to import.")
    if hr_import.status != HrImport.Status.PREVIEWED:
        raise AlreadyApplied("This upload has already been imported.")
    try:
        with transaction.atomic():
            # Claim the upload first, so a double-clicked confirm imports once.
            claimed = HrImport.all_organizations.filter(
                pk=hr_import.pk, status=HrImport.Status.PREVIEWED
            ).update(status=HrImport.Status.APPLIED, updated_at=timezone.now())
            if not claimed:
                raise AlreadyApplied("This upload has already been imported.")
            plan, counts = people_import_apply(
                organization=hr_import.organization,
                data=bytes(hr_import.file_bytes),
                filename=hr_import.filename,
                only_valid_rows=only_valid_rows,
            )
            _record_applied(hr_import, plan, counts, confirmed_by, only_valid_rows)
    except ImportHasProblems as problems:
        hr_import.status = HrImport.Status.PREVIEWED
        hr_import.summary = summarize(problems.plan)
        hr_import.save(update_fields=["summary", "updated_at"])
        raise
    except DatabaseError as error:
        logger.exception("HR import %s could not be written", hr_import.pk)
        hr_import.status = HrImport.Status.PREVIEWED
        raise ImportRejected(
            "Something went wrong while saving the import, so nothing was changed. "
            "Please try again in a moment."
        ) from error
    return hr_import


@transaction.atomic
def hr_import_run(
    *,
    organization: Organization,
    filename: str,
    data: bytes,
    only_valid_rows: bool = False,
    by: User | None = None,
    progress: Progress | None = None,
) -> HrImport:
    """Import a file in one step (the command line), keeping the usual upload record."""
    plan, counts = people_import_apply(
        organization=organization,
        data=data,
        filename=filename,
        only_valid_rows=only_valid_rows,
        progress=progress,
    )
    hr_import = HrImport(
        organization=organization,
        uploaded_by=by,
        filename=filename[:255],
        file_bytes=data,
        file_size=len(data),
    )
    _record_applied(hr_import, plan, counts, by, only_valid_rows)
    return hr_import


def _record_applied(
    hr_import: HrImport,
    plan: ImportPlan,
    counts: AppliedCounts,
    confirmed_by: User | None,
    only_valid_rows: bool,
) -> None:
    hr_import.status = HrImport.Status.APPLIED
    hr_import.summary = summarize(plan)
    hr_import.only_valid_rows = only_valid_rows
    hr_import.applied_by = confirmed_by
    hr_import.applied_at = timezone.now()
    hr_import.created_count = counts.created
    hr_import.updated_count = counts.updated
    hr_import.reactivated_count = counts.reactivated
    hr_import.deactivated_count = counts.deactivated
    hr_import.skipped_count = counts.skipped
    if hr_import._state.adding:
        hr_import.save()
    else:  # the stored file is unchanged: do not write megabytes again
        hr_import.save(update_fields=[*APPLIED_FIELDS, "updated_at"])


APPLIED_FIELDS = (
    "status",
    "summary",
    "only_valid_rows",
    "applied_by",
    "applied_at",
    "created_count",
    "updated_count",
    "reactivated_count",
    "deactivated_count",
    "skipped_count",
)
