"""Figures built through the real insights build from made-up contributions, for page tests.

The people are real directory entries (departments, offices, levels, managers), so the atoms and
released cells are exactly what production would store; only the activity is invented.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from peercoach.insights.contract import Contribution, Family
from peercoach.insights.refresh import insights_refresh
from peercoach.organizations.models import Organization
from peercoach.people.models import Person
from peercoach.programs.models import Program
from peercoach.testing.factories import PersonFactory

MONTHS = [dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]


@dataclass
class Built:
    program: Program
    people: list[Person]
    months: list[dt.date]


def people_in(
    organization: Organization,
    groups: Sequence[tuple[str, str, int, int]],
    *,
    manager: Person | None = None,
) -> list[Person]:
    """`groups`: (department, office, level, how many people)."""
    people = []
    for department, office, level, count in groups:
        for _ in range(count):
            person: Person = PersonFactory(
                organization=organization,
                department=department,
                office=office,
                level=level,
                manager=manager,
            )
            people.append(person)
    return people


def contributions(people: Sequence[Person], month: dt.date) -> list[Contribution]:
    """Everyone enrolled; every second person paired; the first ten rate a session 4 each month
    (and 5 in March, so months differ)."""
    rating = 5.0 if month.month == 3 else 4.0
    made = []
    for index, person in enumerate(people):
        made.append(
            Contribution(
                person_id=person.pk,
                family=Family.PARTICIPANTS,
                values={"enrolled": 1, "joined": 0, "in_pairing": index % 2, "met": index % 2},
            )
        )
        if index < 10:
            made.append(
                Contribution(
                    person_id=person.pk,
                    family=Family.RATERS,
                    values={"ratings": 1, "rating_total": rating},
                )
            )
    return made


def build(program: Program, people: Sequence[Person], months: Sequence[dt.date] = MONTHS) -> Built:
    def contributions_for(built_program: Program, month: dt.date) -> list[Contribution]:
        return contributions(people, month) if built_program.pk == program.pk else []

    def months_for(built_program: Program) -> list[dt.date]:
        return list(months) if built_program.pk == program.pk else []

    insights_refresh(
        organization=program.organization,
        contributions_for=contributions_for,
        months_for=months_for,
        now=timezone.now(),
    )
    return Built(program=program, people=list(people), months=list(months))


def period(**extra: Any) -> dict[str, Any]:
    return {"first_month": "2026-01", "last_month": "2026-03", **extra}
