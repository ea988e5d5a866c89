"""Small builders so tests read like the situation they describe."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from peercoach.matching_engine import MatchParams, Person, Population

REFERENCE_DATE = dt.date(2026, 3, 16)  # the US is on summer time, Europe is not yet


def person(person_id: str, **fields: Any) -> Person:
    fields.setdefault("name", person_id.capitalize())
    return Person(id=person_id, **fields)


def params(**fields: Any) -> MatchParams:
    fields.setdefault("reference_date", REFERENCE_DATE)
    return MatchParams(**fields)


def population(*people: Person, **extras: Any) -> Population:
    return Population(people=tuple(people), **extras)


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


PEOPLE_HEADER = [
    "id",
    "name",
    "manager_id",
    "department",
    "level",
    "timezone",
    "hours",
    "languages",
    "wants",
    "offers",
    "enrolled",
]


def people_csv(path: Path, rows: list[list[str]]) -> Path:
    return write_csv(path, PEOPLE_HEADER, rows)


def small_company_rows() -> list[list[str]]:
    return [
        [
            "boss",
            "Bea Boss",
            "",
            "Executive",
            "9",
            "Europe/London",
            "09-17",
            "en",
            "delegation",
            "negotiation",
            "false",
        ],
        [
            "ana",
            "Ana Lima",
            "boss",
            "Sales",
            "4",
            "Europe/Lisbon",
            "09-17",
            "en;pt",
            "hiring interviews",
            "negotiation",
            "true",
        ],
        [
            "ben",
            "Ben Okafor",
            "boss",
            "Engineering",
            "4",
            "Europe/London",
            "09-17",
            "en",
            "negotiation",
            "hiring interviews",
            "true",
        ],
        [
            "cai",
            "Cai Chen",
            "ana",
            "Sales",
            "3",
            "Europe/Berlin",
            "09-17",
            "en;de",
            "public speaking",
            "giving feedback",
            "true",
        ],
        [
            "dee",
            "Dee Das",
            "ben",
            "Engineering",
            "3",
            "Europe/Paris",
            "08-16",
            "en;fr",
            "giving feedback",
            "public speaking",
            "true",
        ],
        [
            "eli",
            "Eli Cohen",
            "ben",
            "Finance",
            "3",
            "America/New_York",
            "09-17",
            "en",
            "prioritizing",
            "delegation",
            "true",
        ],
    ]
