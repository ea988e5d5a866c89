"""Writing people as the HR export our import reads: for demo data, tests and benchmarks."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Protocol

HR_CSV_HEADERS = (
    "Employee ID",
    "Name",
    "Email",
    "Manager ID",
    "Department",
    "Job Title",
    "Level",
    "Office",
    "Time zone",
    "Languages",
)


class HrRecord(Protocol):
    """What a person needs to become an HR row; `peercoach.sample_org.SamplePerson` fits."""

    @property
    def employee_id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def manager_id(self) -> str | None: ...
    @property
    def department(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def level(self) -> int | str | None: ...
    @property
    def office(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def languages(self) -> Iterable[str]: ...


def hr_row(person: HrRecord) -> list[str]:
    return [
        person.employee_id,
        person.name,
        person.email,
        person.manager_id or "",
        person.department,
        person.title,
        "" if person.level is None else str(person.level),
        person.office,
        person.timezone,
        "; ".join(person.languages),
    ]


def write_hr_csv(people: Iterable[HrRecord], path_or_file: str | Path | IO[str]) -> int:
    """Write `people` as a UTF-8 HR CSV (managers should come first, as in a real export).

    Accepts a path or an open text file; returns how many people were written.
    """
    if isinstance(path_or_file, str | Path):
        with open(path_or_file, "w", encoding="utf-8", newline="") as file:
            return _write(people, file)
    return _write(people, path_or_file)


def hr_csv_bytes(people: Iterable[HrRecord]) -> bytes:
    buffer = io.StringIO(newline="")
    _write(people, buffer)
    return buffer.getvalue().encode("utf-8")


def _write(people: Iterable[HrRecord], file: IO[str]) -> int:
    writer = csv.writer(file, lineterminator="\n")
    writer.writerow(HR_CSV_HEADERS)
    written = 0
    for person in people:
        writer.writerow(hr_row(person))
        written += 1
    return written
