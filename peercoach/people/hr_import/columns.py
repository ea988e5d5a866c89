"""Which HR export headers we understand, and what each one means.

HR systems spell the same column many ways ("Employee ID", "employee_id", "Emp No"), so headers
are compared after folding case and dropping spaces, dashes, underscores and dots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Field(StrEnum):
    EMPLOYEE_ID = "employee_id"
    NAME = "name"
    FIRST_NAME = "first_name"
    LAST_NAME = "last_name"
    EMAIL = "email"
    MANAGER_ID = "manager_id"
    MANAGER_EMAIL = "manager_email"
    DEPARTMENT = "department"
    TITLE = "title"
    LEVEL = "level"
    OFFICE = "office"
    TIMEZONE = "timezone"
    LANGUAGES = "languages"


# How each field is named when we talk to people about it.
FIELD_LABELS: dict[Field, str] = {
    Field.EMPLOYEE_ID: "employee id",
    Field.NAME: "name",
    Field.FIRST_NAME: "first name",
    Field.LAST_NAME: "last name",
    Field.EMAIL: "email",
    Field.MANAGER_ID: "manager id",
    Field.MANAGER_EMAIL: "manager email",
    Field.DEPARTMENT: "department",
    Field.TITLE: "title",
    Field.LEVEL: "level",
    Field.OFFICE: "office",
    Field.TIMEZONE: "time zone",
    Field.LANGUAGES: "languages",
}

_ALIASES: dict[Field, tuple[str, ...]] = {
    Field.EMPLOYEE_ID: (
        "employee id",
        "employee number",
        "employee no",
        "employee",
        "emp id",
        "emp no",
        "staff id",
        "staff number",
        "worker id",
        "person id",
        "personnel number",
        "id",
    ),
    Field.NAME: ("name", "full name", "employee name", "display name", "preferred name"),
    Field.FIRST_NAME: ("first name", "given name", "forename"),
    Field.LAST_NAME: ("last name", "surname", "family name"),
    Field.EMAIL: (
        "email",
        "e-mail",
        "email address",
        "work email",
        "business email",
        "mail",
    ),
    Field.MANAGER_ID: (
        "manager id",
        "manager employee id",
        "manager number",
        "supervisor id",
        "reports to id",
        "line manager id",
        "manager",
    ),
    Field.MANAGER_EMAIL: (
        "manager email",
        "manager e-mail",
        "manager email address",
        "supervisor email",
        "reports to email",
        "line manager email",
    ),
    Field.DEPARTMENT: ("department", "dept", "team", "division", "business unit", "org unit"),
    Field.TITLE: ("title", "job title", "position", "role", "job", "job name"),
    Field.LEVEL: ("level", "grade", "job level", "seniority", "seniority level", "band"),
    Field.OFFICE: ("office", "location", "site", "work location", "office location"),
    Field.TIMEZONE: ("time zone", "timezone", "tz", "time zone name"),
    Field.LANGUAGES: ("languages", "language", "spoken languages"),
}


def fold(header: str) -> str:
    """ "Employee_ID", "employee-id" and " EMPLOYEE ID " all fold to "employeeid"."""
    return re.sub(r"[\s_\-.]+", "", header).casefold()


_FIELD_BY_FOLDED: dict[str, Field] = {
    fold(alias): field for field, aliases in _ALIASES.items() for alias in aliases
}


class MissingColumnError(ValueError):
    pass


@dataclass(frozen=True)
class ColumnMap:
    """Where each recognised field sits in a row, and what we made of every header."""

    positions: dict[Field, int]
    recognised: list[tuple[str, Field]]  # (header as written, field)
    ignored: list[str]

    def has(self, field: Field) -> bool:
        return field in self.positions


def map_columns(headers: list[str]) -> ColumnMap:
    """Recognise the header row; raises MissingColumnError naming what is missing or repeated."""
    positions: dict[Field, int] = {}
    recognised: list[tuple[str, Field]] = []
    ignored: list[str] = []
    for index, raw in enumerate(headers):
        header = raw.strip()
        if not header:
            continue
        field = _FIELD_BY_FOLDED.get(fold(header))
        if field is None:
            ignored.append(header)
            continue
        if field in positions:
            first = headers[positions[field]].strip()
            raise MissingColumnError(
                f"Two columns mean {FIELD_LABELS[field]}: “{first}” and “{header}”. "
                "Keep one of them."
            )
        positions[field] = index
        recognised.append((header, field))
    missing = [
        FIELD_LABELS[field]
        for field in (Field.EMPLOYEE_ID, Field.NAME, Field.EMAIL)
        if field not in positions
        and not (field is Field.NAME and {Field.FIRST_NAME, Field.LAST_NAME} <= positions.keys())
    ]
    if missing:
        raise MissingColumnError(
            f"Missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
            "Every file needs employee id, name and email columns."
        )
    return ColumnMap(positions=positions, recognised=recognised, ignored=ignored)
