"""Read the CSV inputs into plain data, refusing anything doubtful with a precise message."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peercoach.matching_engine.model import Block, HistoryEntry, Person, Population, Preference

LIST_SEPARATOR = ";"
HOURS_PATTERN = re.compile(r"^\s*(\d{1,2})(?::00)?\s*-\s*(\d{1,2})(?::00)?\s*$")
TRUE_WORDS = {"true", "yes", "1", "y"}
FALSE_WORDS = {"false", "no", "0", "n"}


class InputError(Exception):
    """Bad input, located precisely enough that a person can fix the file."""

    def __init__(self, file: str, line: int | None, column: str | None, reason: str) -> None:
        self.file, self.line, self.column, self.reason = file, line, column, reason
        where = file
        if line is not None:
            where += f", line {line}"
        if column is not None:
            where += f", column '{column}'"
        super().__init__(f"{where}: {reason}")


def load_population(
    people_path: Path,
    history_path: Path | None = None,
    blocks_path: Path | None = None,
    preferences_path: Path | None = None,
) -> Population:
    people = load_people(people_path)
    known = {person.id for person in people}
    return Population(
        people=people,
        history=load_history(history_path, known) if history_path else (),
        blocks=load_blocks(blocks_path, known) if blocks_path else (),
        preferences=load_preferences(preferences_path, known) if preferences_path else (),
    )


def _rows(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row) with stripped values; check the header first."""
    name = str(path)
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise InputError(name, None, None, f"cannot open the file ({error.strerror})") from error
    with handle:
        reader = csv.DictReader(handle)
        try:
            header = [column.strip() for column in (reader.fieldnames or [])]
        except UnicodeDecodeError as error:
            raise InputError(name, 1, None, "the file is not UTF-8 text") from error
        reader.fieldnames = header
        for column in required:
            if column not in header:
                raise InputError(name, 1, column, "this required column is missing")
        try:
            for row in reader:
                if None in row:
                    raise InputError(name, reader.line_num, None, "this row has too many values")
                values = {key: (value or "").strip() for key, value in row.items()}
                if any(values.values()):
                    yield reader.line_num, values
        except UnicodeDecodeError as error:
            raise InputError(
                name, reader.line_num + 1, None, "the file is not UTF-8 text"
            ) from error


def _split(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(LIST_SEPARATOR) if item.strip())


def load_people(path: Path) -> tuple[Person, ...]:
    name = str(path)
    people: list[Person] = []
    lines: dict[str, int] = {}
    for line, row in _rows(path, ("id",)):
        person = _person_from_row(name, line, row)
        if person.id in lines:
            reason = f"duplicate id '{person.id}' (first seen on line {lines[person.id]})"
            raise InputError(name, line, "id", reason)
        lines[person.id] = line
        people.append(person)
    _check_reporting_lines(name, people, lines)
    return tuple(people)


def _person_from_row(name: str, line: int, row: dict[str, str]) -> Person:
    def fail(column: str, reason: str) -> InputError:
        return InputError(name, line, column, reason)

    person_id = row.get("id", "")
    if not person_id:
        raise fail("id", "every person needs an id")
    level_text = row.get("level", "")
    try:
        level = int(level_text) if level_text else 0
    except ValueError:
        raise fail("level", f"'{level_text}' is not a whole number") from None
    timezone = row.get("timezone", "") or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail("timezone", f"unknown time zone '{timezone}'") from None
    enrolled_text = row.get("enrolled", "").lower()
    if enrolled_text and enrolled_text not in TRUE_WORDS | FALSE_WORDS:
        raise fail("enrolled", f"'{row['enrolled']}' should be true or false")
    languages = tuple(code.lower() for code in _split(row.get("languages", "")))
    return Person(
        id=person_id,
        name=row.get("name", ""),
        manager_id=row.get("manager_id") or None,
        department=row.get("department", ""),
        level=level,
        timezone=timezone,
        hours=parse_hours(row.get("hours", ""), fail),
        languages=languages or ("en",),
        wants=tuple(topic.lower() for topic in _split(row.get("wants", ""))),
        offers=tuple(topic.lower() for topic in _split(row.get("offers", ""))),
        enrolled=enrolled_text not in FALSE_WORDS,
    )


def parse_hours(text: str, fail: Callable[[str, str], InputError]) -> tuple[int, int]:
    if not text:
        return (9, 17)
    found = HOURS_PATTERN.match(text)
    if not found:
        raise fail("hours", f"'{text}' should look like 09-17")
    start, end = int(found.group(1)), int(found.group(2))
    if start > 23 or end > 24 or start == end % 24:
        raise fail("hours", f"'{text}' is not a working day (hours run from 0 to 24)")
    return (start, end)


def _check_reporting_lines(name: str, people: list[Person], lines: dict[str, int]) -> None:
    managers = {person.id: person.manager_id for person in people}
    for person in people:
        if person.manager_id is not None and person.manager_id not in managers:
            reason = f"unknown manager '{person.manager_id}' (managers must be in the file too)"
            raise InputError(name, lines[person.id], "manager_id", reason)
    # Walk up from everyone; colouring makes the whole check linear in the number of people.
    settled: set[str] = set()
    for person in people:
        path: list[str] = []
        on_path: set[str] = set()
        current: str | None = person.id
        while current is not None and current not in settled:
            if current in on_path:
                cycle = " → ".join([*path[path.index(current) :], current])
                reason = f"reporting lines form a cycle: {cycle}"
                raise InputError(name, lines[current], "manager_id", reason)
            path.append(current)
            on_path.add(current)
            current = managers[current]
        settled.update(path)


def _check_known(name: str, line: int, column: str, person_id: str, known: set[str]) -> str:
    if not person_id:
        raise InputError(name, line, column, "a person id is needed here")
    if person_id not in known:
        raise InputError(name, line, column, f"unknown person '{person_id}' (not in people.csv)")
    return person_id


def load_history(path: Path, known: set[str]) -> tuple[HistoryEntry, ...]:
    name = str(path)
    entries = []
    for line, row in _rows(path, ("person_a", "person_b", "date")):
        person_a = _check_known(name, line, "person_a", row["person_a"], known)
        person_b = _check_known(name, line, "person_b", row["person_b"], known)
        try:
            date = dt.date.fromisoformat(row["date"])
        except ValueError:
            raise InputError(
                name, line, "date", f"'{row['date']}' is not a date like 2025-03-31"
            ) from None
        entries.append(HistoryEntry(person_a, person_b, date))
    return tuple(entries)


def load_blocks(path: Path, known: set[str]) -> tuple[Block, ...]:
    name = str(path)
    return tuple(
        Block(
            _check_known(name, line, "person_id", row["person_id"], known),
            _check_known(name, line, "blocked_id", row["blocked_id"], known),
        )
        for line, row in _rows(path, ("person_id", "blocked_id"))
    )


def load_preferences(path: Path, known: set[str]) -> tuple[Preference, ...]:
    name = str(path)
    preferences = []
    for line, row in _rows(path, ("person_id", "preferred_id")):
        rank_text = row.get("rank", "") or "1"
        if not rank_text.isdigit() or int(rank_text) < 1:
            raise InputError(name, line, "rank", f"'{rank_text}' should be 1 or more")
        preferences.append(
            Preference(
                _check_known(name, line, "person_id", row["person_id"], known),
                _check_known(name, line, "preferred_id", row["preferred_id"], known),
                int(rank_text),
            )
        )
    return tuple(preferences)
