"""Real released cells for one program, built from hand-made contributions (no activity needed).

Used by the health page and sponsor summary tests: the figures go through the real build
(refresh.py) and the real dashboard reads (selectors.py), so what those tests see is exactly what
a sponsor would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peercoach.insights.contract import Contribution, Family
from peercoach.insights.facts import latest_publishable_month
from peercoach.insights.refresh import insights_refresh
from peercoach.people.models import Person
from peercoach.programs.models import Program
from peercoach.testing.factories import PersonFactory


def figures_month() -> dt.date:
    """The month the figures are built for: the latest one a build would publish today."""
    return latest_publishable_month(timezone.localdate())


def build_figures(
    personas: Any, program: Program, *, paired: int, stalled: int, rated: int = 0
) -> list[Person]:
    """The latest published month's figures: `paired` people in one department, `stalled` of
    them stalled, `rated` of them rating their sessions 4. Returns the people, to check their
    names never appear."""
    people = [
        PersonFactory(organization=personas.acme, department="Sales", office="Leeds", level=2)
        for _ in range(paired)
    ]
    month = figures_month()

    def contributions(for_program: Program, for_month: dt.date) -> list[Contribution]:
        rows = []
        for number, person in enumerate(people):
            rows.append(Contribution(person.pk, Family.PARTICIPANTS, {"enrolled": 1}))
            paired_values = {
                "stalled": 1 if number < stalled else 0,
                "held_sessions": 2,
                "held_on_rhythm": 2,
                "expected_sessions": 2,
            }
            rows.append(Contribution(person.pk, Family.PAIRED, paired_values))
            if number < rated:
                rating = {"ratings": 1, "rating_total": 4}
                rows.append(Contribution(person.pk, Family.RATERS, rating))
        return rows

    insights_refresh(
        organization=personas.acme,
        contributions_for=contributions,
        months_for=lambda for_program: [month] if for_program.pk == program.pk else [],
    )
    return people
