"""Small HR files for the import tests, written the way HR systems write them."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from openpyxl import Workbook

HEADERS = (
    "Employee ID",
    "Name",
    "Email",
    "Manager ID",
    "Department",
    "Job Title",
    "Level",
    "Time zone",
    "Languages",
    "Office",
)

# ceo E1 -> (vp E2 -> dev E3), ops E4
PEOPLE: tuple[tuple[str, ...], ...] = (
    (
        "E1",
        "Carla Chief",
        "carla@acme.test",
        "",
        "Exec",
        "CEO",
        "9",
        "Europe/Berlin",
        "en; de",
        "Berlin",
    ),
    (
        "E2",
        "Vic Vice",
        "vic@acme.test",
        "E1",
        "Sales",
        "VP Sales",
        "7",
        "America/New_York",
        "en",
        "New York",
    ),
    (
        "E3",
        "Dev Seller",
        "dev@acme.test",
        "E2",
        "Sales",
        "Account executive",
        "4",
        "America/New_York",
        "en, es",
        "New York",
    ),
    (
        "E4",
        "Ann Ops",
        "ann@acme.test",
        "E1",
        "Operations",
        "Ops lead",
        "6",
        "Asia/Tokyo",
        "ja",
        "Tokyo",
    ),
)


def csv_bytes(
    rows: Sequence[Sequence[str]] = PEOPLE,
    headers: Sequence[str] = HEADERS,
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(
    rows: Sequence[Sequence[object]] = PEOPLE, headers: Sequence[str] = HEADERS
) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(headers))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def replace(person: Sequence[str], **changes: str) -> tuple[str, ...]:
    """A copy of one row with some columns changed, named as in HEADERS (snake_case)."""
    keys = [header.lower().replace(" ", "_") for header in HEADERS]
    values = dict(zip(keys, person, strict=True))
    unknown = set(changes) - set(keys)
    assert not unknown, unknown
    values.update(changes)
    return tuple(values[key] for key in keys)
