"""Turning uploaded bytes into a header row and numbered rows of text, for CSV and XLSX alike.

Line numbers are the ones people see: the header is line 1, in a spreadsheet's row numbers or a
text editor's lines. Anything we cannot read becomes a FileProblem with a plain explanation.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook

ENCODINGS = (("utf-8-sig", "UTF-8"), ("cp1252", "Windows-1252"))
_OLD_EXCEL_MAGIC = b"\xd0\xcf\x11\xe0"
_ZIP_MAGIC = b"PK\x03\x04"


class FileProblem(ValueError):
    """The file as a whole cannot be imported; the message says why in plain words."""


@dataclass
class Table:
    format: str  # "CSV" or "XLSX"
    encoding: str  # how the text was read, e.g. "UTF-8"; "" for XLSX
    sheet: str  # the worksheet read, for XLSX; "" for CSV
    headers: list[str]
    header_line: int
    rows: Iterator[tuple[int, list[str]]]  # (line number, cells), blank rows skipped


def read_table(data: bytes, *, filename: str = "") -> Table:
    if not data.strip():
        raise FileProblem("The file is empty.")
    if data.startswith(_OLD_EXCEL_MAGIC):
        raise FileProblem(
            "This looks like an old-style Excel file (.xls). Save it as .xlsx or CSV and upload "
            "it again."
        )
    if data.startswith(_ZIP_MAGIC):
        return _read_xlsx(data)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileProblem("This file is named .xlsx but is not an Excel workbook we can open.")
    return _read_csv(data)


def _decode(data: bytes) -> tuple[str, str]:
    # Excel's "Unicode text" export is UTF-16 with a byte order mark.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in data[:4096]:
        raise FileProblem(
            "This file is not text we can read (it may be UTF-16 or a binary file). "
            "Export it as CSV in UTF-8, or as .xlsx."
        )
    for codec, label in ENCODINGS:
        try:
            return data.decode(codec), label
        except UnicodeDecodeError:
            continue
    raise FileProblem(
        "We could not read the characters in this file: it is neither UTF-8 nor Windows-1252. "
        "Export it as CSV in UTF-8, or as .xlsx."
    )


def _sniff_delimiter(first_line: str) -> str:
    # Some spreadsheet programs write ";" or tabs; the header line tells which one this file uses.
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _read_csv(data: bytes) -> Table:
    text, encoding = _decode(data)
    first_line = text.lstrip("\r\n").partition("\n")[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(first_line))
    numbered = _numbered_csv_rows(reader)
    try:
        header_line, headers = next(numbered)
    except StopIteration:
        raise FileProblem("The file is empty.") from None
    return Table(
        format="CSV",
        encoding=encoding,
        sheet="",
        headers=headers,
        header_line=header_line,
        rows=numbered,
    )


def _numbered_csv_rows(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    line_after_previous = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise FileProblem(f"Line {line_after_previous + 1} cannot be read: {error}.") from None
        # A quoted value may span lines; the row starts where the previous one ended.
        start_line = line_after_previous + 1
        line_after_previous = reader.line_num  # type: ignore[attr-defined]
        if any(cell.strip() for cell in cells):
            yield start_line, cells


def _read_xlsx(data: bytes) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise FileProblem(
            f"This file looks like a spreadsheet but cannot be opened ({error}). Save it again as "
            ".xlsx or CSV."
        ) from None
    sheet = workbook.worksheets[0]
    numbered = (
        (line, [_cell_text(value) for value in values])
        for line, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1)
        if any(value is not None and str(value).strip() for value in values)
    )
    try:
        header_line, headers = next(numbered)
    except StopIteration:
        workbook.close()
        raise FileProblem("The file is empty: its first sheet has no rows.") from None
    return Table(
        format="XLSX",
        encoding="",
        sheet=sheet.title,
        headers=headers,
        header_line=header_line,
        rows=_closing(numbered, workbook),
    )


def _closing(
    rows: Iterator[tuple[int, list[str]]], workbook: object
) -> Iterator[tuple[int, list[str]]]:
    try:
        yield from rows
    finally:
        workbook.close()  # type: ignore[attr-defined]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    # Spreadsheets store ids such as 1001 as numbers; 1001.0 must read back as "1001".
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
