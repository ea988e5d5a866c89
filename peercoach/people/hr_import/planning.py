"""Deciding what an HR file would change: plain data in, a plan out, no database.

The plan compares every row with a snapshot of the directory, finds the rows that cannot be
imported (and why, by line number), and lists who would be created, updated and deactivated.
Applying it is services.py's job.
"""

from __future__ import annotations

import re
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from peercoach.people.hr_import.columns import FIELD_LABELS, ColumnMap, Field

MAX_LEVEL = 99
DEFAULT_TIMEZONE = "UTC"
# The preview keeps this many examples of each kind of change; every count stays exact.
PREVIEW_EXAMPLES = 200
PREVIEW_BAD_ROWS = 1000
# Warn before a file deactivates more than this share of the active directory.
LEAVER_WARNING_SHARE = 0.2

# Person fields an HR file can set, with the longest value each column accepts.
TEXT_LIMITS: dict[Field, int] = {
    Field.EMPLOYEE_ID: 64,
    Field.NAME: 200,
    Field.EMAIL: 254,
    Field.TITLE: 200,
    Field.DEPARTMENT: 200,
    Field.OFFICE: 200,
}
# Optional column -> Person attribute. A column the file lacks leaves that attribute alone.
OPTIONAL_ATTRIBUTES: dict[Field, str] = {
    Field.TITLE: "job_title",
    Field.DEPARTMENT: "department",
    Field.LEVEL: "level",
    Field.OFFICE: "office",
    Field.TIMEZONE: "timezone",
    Field.LANGUAGES: "languages",
}
ATTRIBUTE_LABELS: dict[str, str] = {
    "full_name": "name",
    "email": "email",
    "job_title": "title",
    "department": "department",
    "level": "level",
    "office": "office",
    "timezone": "time zone",
    "languages": "languages",
    "manager_id": "manager",
    "is_active": "active",
}
_LEVEL = re.compile(r"^(?:l|lvl|level|g|grade|band)?\s*[-.]?\s*(\d{1,2})(?:\.0+)?$", re.IGNORECASE)
_LANGUAGE_SEPARATORS = re.compile(r"[;,]")


@dataclass(frozen=True, slots=True)
class ExistingPerson:
    """One directory row as the planner needs it (see selectors.people_import_snapshot)."""

    pk: int
    employee_id: str
    full_name: str
    email: str
    job_title: str
    department: str
    level: int | None
    office: str
    timezone: str
    languages: list[str]
    manager_id: int | None
    management_path: str
    is_active: bool


@dataclass(slots=True)
class Row:
    line: int
    employee_id: str
    full_name: str
    email: str
    manager_reference: str
    attributes: dict[str, Any]  # Person attribute -> cleaned value, for the file's columns
    problems: list[str] = field(default_factory=list)
    manager: Row | None = None

    @property
    def is_bad(self) -> bool:
        return bool(self.problems)

    def describe(self) -> str:
        return f"{self.full_name or self.employee_id or 'someone'} (line {self.line})"


@dataclass(slots=True)
class Update:
    row: Row
    person: ExistingPerson
    changes: dict[str, tuple[Any, Any]]  # attribute -> (before, after)


@dataclass
class ImportPlan:
    columns: ColumnMap
    file_format: str
    encoding: str
    sheet: str = ""
    rows_read: int = 0
    creates: list[Row] = field(default_factory=list)
    updates: list[Update] = field(default_factory=list)
    deactivations: list[ExistingPerson] = field(default_factory=list)
    bad_rows: list[Row] = field(default_factory=list)
    unchanged: int = 0
    existing: dict[str, ExistingPerson] = field(default_factory=dict)
    active_before: int = 0

    @property
    def reactivations(self) -> list[Update]:
        return [update for update in self.updates if "is_active" in update.changes]

    @property
    def changes_anything(self) -> bool:
        return bool(self.creates or self.updates or self.deactivations)

    def bad_rows_phrase(self) -> str:
        """ "1 row has" or "3 rows have", to start a sentence about the rows with problems."""
        count = len(self.bad_rows)
        return f"{count} row has" if count == 1 else f"{count} rows have"


# ---------------------------------------------------------------------------------------------
# Cleaning one row


def _cells_by_field(cells: list[str], columns: ColumnMap) -> dict[Field, str]:
    """The row's value for every recognised column, stripped; short rows read as blanks."""
    width = len(cells)
    return {
        column: cells[position].strip() if position < width else ""
        for column, position in columns.positions.items()
    }


@cache
def _timezones_by_folded_name() -> dict[str, str]:
    return {name.casefold(): name for name in zoneinfo.available_timezones()}


def clean_timezone(value: str) -> str:
    """The IANA name for `value` ("europe/berlin" -> "Europe/Berlin"); raises ValueError."""
    if not value:
        return DEFAULT_TIMEZONE
    name = _timezones_by_folded_name().get(value.casefold())
    if name is None:
        raise ValueError(f"Time zone “{value}” is not an IANA time zone name such as Europe/Paris.")
    return name


def clean_level(value: str) -> int | None:
    if not value:
        return None
    match = _LEVEL.match(value)
    if match is None or int(match.group(1)) > MAX_LEVEL:
        raise ValueError(
            f"Level “{value}” is not a whole number from 0 to {MAX_LEVEL} "
            "(L5 or Grade 5 also work)."
        )
    return int(match.group(1))


def clean_languages(value: str) -> list[str]:
    languages: list[str] = []
    for language in _LANGUAGE_SEPARATORS.split(value):
        language = language.strip()
        if language and language not in languages:
            languages.append(language)
    return languages


_CLEANERS: dict[Field, Callable[[str], Any]] = {
    Field.LEVEL: clean_level,
    Field.TIMEZONE: clean_timezone,
    Field.LANGUAGES: clean_languages,
}


def clean_row(line: int, cells: list[str], columns: ColumnMap) -> Row:
    values = _cells_by_field(cells, columns)
    full_name = values.get(Field.NAME, "")
    if Field.NAME not in values:
        parts = (values.get(Field.FIRST_NAME, ""), values.get(Field.LAST_NAME, ""))
        full_name = " ".join(part for part in parts if part)
        values[Field.NAME] = full_name
    row = Row(
        line=line,
        employee_id=values[Field.EMPLOYEE_ID],
        full_name=full_name,
        email=values[Field.EMAIL],
        manager_reference=values.get(Field.MANAGER_ID) or values.get(Field.MANAGER_EMAIL, ""),
        attributes={},
    )
    for required in (Field.EMPLOYEE_ID, Field.NAME, Field.EMAIL):
        if not values[required]:
            row.problems.append(f"Missing required value: {FIELD_LABELS[required]}.")
    if row.email:
        try:
            validate_email(row.email)
        except ValidationError:
            row.problems.append(f"Email “{row.email}” is not a valid email address.")
    for column, attribute in OPTIONAL_ATTRIBUTES.items():
        if column in values:
            _clean_optional(row, attribute, column, values[column])
    for column, limit in TEXT_LIMITS.items():
        if len(values.get(column, "")) > limit:
            row.problems.append(f"The {FIELD_LABELS[column]} is longer than {limit} characters.")
    return row


def _clean_optional(row: Row, attribute: str, column: Field, value: str) -> None:
    cleaner = _CLEANERS.get(column)
    if cleaner is None:
        row.attributes[attribute] = value
        return
    try:
        row.attributes[attribute] = cleaner(value)
    except ValueError as error:
        row.problems.append(str(error))


# ---------------------------------------------------------------------------------------------
# Checks across rows


def _lines(rows: Iterable[Row], besides: Row) -> str:
    others = [str(other.line) for other in rows if other is not besides]
    return f"line{'s' if len(others) > 1 else ''} {', '.join(others)}"


def _flag_duplicates(rows: list[Row]) -> tuple[dict[str, list[Row]], dict[str, list[Row]]]:
    by_id: dict[str, list[Row]] = defaultdict(list)
    by_email: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.employee_id:
            by_id[row.employee_id].append(row)
        if row.email:
            by_email[row.email.casefold()].append(row)
    # Every copy is flagged: we cannot know which of two rows with one id is the right one.
    for employee_id, same in by_id.items():
        if len(same) > 1:
            for row in same:
                row.problems.append(
                    f"Duplicate employee id “{employee_id}”: also on {_lines(same, row)}."
                )
    for same in by_email.values():
        if len(same) > 1:
            for row in same:
                row.problems.append(f"Duplicate email “{row.email}”: also on {_lines(same, row)}.")
    return by_id, by_email


def _resolve_managers(
    rows: list[Row],
    by_id: dict[str, list[Row]],
    by_email: dict[str, list[Row]],
    existing: dict[str, ExistingPerson],
) -> None:
    for row in rows:
        reference = row.manager_reference
        if not reference:
            continue
        candidates = by_id.get(reference) or by_email.get(reference.casefold())
        if not candidates:
            known = existing.get(reference)
            row.problems.append(
                f"Unknown manager “{reference}”: "
                + (
                    f"{known.full_name} is in the directory but not in this file, so they "
                    "would be marked as left."
                    if known
                    else "nobody in this file has that employee id or email."
                )
            )
        elif candidates[0] is row:
            row.problems.append(
                f"Reporting lines form a cycle: {row.describe()} is their own manager."
            )
        else:
            # With duplicates the first copy stands in; it is flagged, so this row will be too.
            row.manager = candidates[0]


def _flag_cycles(rows: list[Row]) -> None:
    done: set[int] = set()
    for start in rows:
        chain: list[Row] = []
        on_chain: dict[int, int] = {}
        current: Row | None = start
        while current is not None and id(current) not in done:
            if id(current) in on_chain:
                cycle = chain[on_chain[id(current)] :]
                names = ", who reports to ".join(member.describe() for member in [*cycle, current])
                names = names.replace(", who reports to ", " reports to ", 1)
                for member in cycle:
                    member.problems.append(f"Reporting lines form a cycle: {names}.")
                break
            on_chain[id(current)] = len(chain)
            chain.append(current)
            current = current.manager
        done.update(id(member) for member in chain)


def _flag_reports_of_bad_rows(rows: list[Row]) -> None:
    """Someone whose manager's row cannot be imported is not silently attached to nobody."""
    settled: set[int] = set()
    for start in rows:
        chain: list[Row] = []
        current: Row | None = start
        while current is not None and id(current) not in settled and not current.is_bad:
            chain.append(current)
            current = current.manager
        blocked_by = current if current is not None and current.is_bad else None
        for member in reversed(chain):
            if blocked_by is not None:
                member.problems.append(
                    f"Their manager {blocked_by.describe()} cannot be imported, so their "
                    "reporting line cannot be set."
                )
            settled.add(id(member))
            blocked_by = member if member.is_bad else None
        if current is not None:
            settled.add(id(current))


def _flag_emails_taken(
    rows: list[Row], existing: dict[str, ExistingPerson], seen_ids: set[str]
) -> bool:
    """Flag rows whose email another person of the directory keeps; True when it flagged any."""
    valid_by_id = {row.employee_id: row for row in rows if not row.is_bad}
    holders = {person.email.casefold(): person for person in existing.values()}
    flagged = False
    for row in valid_by_id.values():
        holder = holders.get(row.email.casefold())
        if holder is None or holder.employee_id == row.employee_id:
            continue
        if holder.employee_id in valid_by_id:
            continue  # the holder's own row gives them another email, freeing this one
        where = (
            "whose own row cannot be imported"
            if holder.employee_id in seen_ids
            else "who is not in this file (people who leave keep their email on record)"
        )
        row.problems.append(
            f"Duplicate email “{row.email}”: it already belongs to {holder.full_name} "
            f"(employee id {holder.employee_id}), {where}."
        )
        flagged = True
    return flagged


# ---------------------------------------------------------------------------------------------
# The plan


def plan_import(
    *,
    columns: ColumnMap,
    numbered_rows: Iterator[tuple[int, list[str]]],
    existing: Iterable[ExistingPerson],
    file_format: str = "CSV",
    encoding: str = "",
    sheet: str = "",
    on_row: Callable[[], None] | None = None,
) -> ImportPlan:
    plan = ImportPlan(columns=columns, file_format=file_format, encoding=encoding, sheet=sheet)
    plan.existing = {person.employee_id: person for person in existing}
    plan.active_before = sum(person.is_active for person in plan.existing.values())
    rows: list[Row] = []
    for line, cells in numbered_rows:
        rows.append(clean_row(line, cells, columns))
        if on_row is not None:
            on_row()
    plan.rows_read = len(rows)
    by_id, by_email = _flag_duplicates(rows)
    _resolve_managers(rows, by_id, by_email, plan.existing)
    _flag_cycles(rows)
    _flag_reports_of_bad_rows(rows)
    # Each row turned away keeps its old email, which may in turn block another row.
    while _flag_emails_taken(rows, plan.existing, set(by_id)):
        _flag_reports_of_bad_rows(rows)
    _sort_rows(plan, rows, seen_ids=set(by_id))
    return plan


def _sort_rows(plan: ImportPlan, rows: list[Row], *, seen_ids: set[str]) -> None:
    pk_by_employee_id = {person.employee_id: person.pk for person in plan.existing.values()}
    for row in rows:
        if row.is_bad:
            plan.bad_rows.append(row)
            continue
        person = plan.existing.get(row.employee_id)
        if person is None:
            plan.creates.append(row)
            continue
        manager_pk = pk_by_employee_id.get(row.manager.employee_id) if row.manager else None
        changes = _changes(person, row, manager_pk)
        if changes:
            plan.updates.append(Update(row=row, person=person, changes=changes))
        else:
            plan.unchanged += 1
    # People absent from the file have left; a row that cannot be imported still says they stay.
    plan.deactivations = [
        person
        for employee_id, person in plan.existing.items()
        if person.is_active and employee_id not in seen_ids
    ]


def _changes(
    person: ExistingPerson, row: Row, manager_pk: int | None
) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    if person.full_name != row.full_name:
        changes["full_name"] = (person.full_name, row.full_name)
    if person.email != row.email:
        changes["email"] = (person.email, row.email)
    for attribute, value in row.attributes.items():
        before = getattr(person, attribute)
        if before != value:
            changes[attribute] = (before, value)
    # A manager who is new in this file has no pk yet: that is a change too.
    if row.manager is None and person.manager_id is not None:
        changes["manager_id"] = (person.manager_id, None)
    elif row.manager is not None and (manager_pk is None or manager_pk != person.manager_id):
        changes["manager_id"] = (person.manager_id, row.manager.employee_id)
    if not person.is_active:
        changes["is_active"] = (False, True)
    return changes


# ---------------------------------------------------------------------------------------------
# The summary kept with the upload and shown on the preview page


def summarize(plan: ImportPlan) -> dict[str, Any]:
    names_by_pk = {person.pk: person for person in plan.existing.values()}
    reactivated = len(plan.reactivations)
    summary: dict[str, Any] = {
        "format": plan.file_format,
        "encoding": plan.encoding,
        "sheet": plan.sheet,
        "columns": [
            {"header": header, "field": FIELD_LABELS[column]}
            for header, column in plan.columns.recognised
        ],
        "ignored_headers": plan.columns.ignored,
        "rows": plan.rows_read,
        "counts": {
            "create": len(plan.creates),
            "update": len(plan.updates) - reactivated,
            "reactivate": reactivated,
            "deactivate": len(plan.deactivations),
            "unchanged": plan.unchanged,
            "bad": len(plan.bad_rows),
        },
        "creates": [_row_summary(row) for row in plan.creates[:PREVIEW_EXAMPLES]],
        "updates": [
            {
                **_row_summary(update.row),
                "changes": [
                    {
                        "field": ATTRIBUTE_LABELS[attribute],
                        "before": _shown(attribute, before, names_by_pk),
                        "after": _shown_after(update, attribute, after),
                    }
                    for attribute, (before, after) in update.changes.items()
                ],
            }
            for update in plan.updates[:PREVIEW_EXAMPLES]
        ],
        "deactivations": [
            {"employee_id": person.employee_id, "name": person.full_name, "email": person.email}
            for person in plan.deactivations[:PREVIEW_EXAMPLES]
        ],
        "bad_rows": [
            {**_row_summary(row), "reasons": row.problems}
            for row in plan.bad_rows[:PREVIEW_BAD_ROWS]
        ],
        "warnings": _warnings(plan),
    }
    return summary


def _row_summary(row: Row) -> dict[str, Any]:
    return {
        "line": row.line,
        "employee_id": row.employee_id,
        "name": row.full_name,
        "email": row.email,
        "manager": row.manager.full_name if row.manager else "",
    }


def _shown(attribute: str, value: Any, people: dict[Any, ExistingPerson]) -> str:
    """A before/after value as a person reads it: managers by name, lists joined."""
    if attribute == "manager_id":
        if value is None:
            return "nobody"
        person = people.get(value)
        return person.full_name if person else str(value)
    if attribute == "is_active":
        return "yes" if value else "no (had left)"
    if isinstance(value, list):
        return ", ".join(value) or "none"
    return "" if value is None else str(value)


def _shown_after(update: Update, attribute: str, value: Any) -> str:
    if attribute == "manager_id":
        manager = update.row.manager
        return manager.full_name if manager else "nobody"
    return _shown(attribute, value, {})


def _warnings(plan: ImportPlan) -> list[str]:
    warnings: list[str] = []
    leaving = len(plan.deactivations)
    if plan.active_before and leaving > LEAVER_WARNING_SHARE * plan.active_before:
        warnings.append(
            f"This file would mark {leaving} of {plan.active_before} people as having left. "
            "Please check it is the full export, not part of it."
        )
    return warnings
