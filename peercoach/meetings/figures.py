"""Group-level figures about sessions, for program managers and insights.

Only counts over a whole program, and only once at least the organization's minimum reporting
size of people have answered: below it, not even the count is shown, so nobody's mark or rating
can be worked out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from peercoach.meetings.models import AttendanceOutcome, SessionAttendance
from peercoach.programs.models import Program


@dataclass(frozen=True)
class AttendanceFigures:
    minimum_reporting_size: int
    shows_figures: bool
    people: int | None = None  # None: too few to show even the count
    outcomes: dict[str, int] = field(default_factory=dict)
    ratings: dict[int, int] = field(default_factory=dict)
    average_rating: float | None = None


def attendance_figures(*, program: Program) -> AttendanceFigures:
    minimum = program.organization.minimum_reporting_size
    marks = SessionAttendance.objects.in_organization(program.organization_id).filter(
        session__pairing__program=program
    )
    people = marks.values("person").distinct().count()
    if people < minimum:
        return AttendanceFigures(minimum_reporting_size=minimum, shows_figures=False)
    outcomes = list(marks.values_list("outcome", flat=True))
    ratings = [r for r in marks.values_list("rating", flat=True) if r is not None]
    # Ratings are held back too when fewer people than the minimum gave one.
    raters = marks.filter(rating__isnull=False).values("person").distinct().count()
    shows_ratings = raters >= minimum
    return AttendanceFigures(
        minimum_reporting_size=minimum,
        shows_figures=True,
        people=people,
        outcomes={o.value: outcomes.count(o.value) for o in AttendanceOutcome},
        ratings={n: ratings.count(n) for n in range(1, 6)} if shows_ratings else {},
        average_rating=round(sum(ratings) / len(ratings), 1) if shows_ratings else None,
    )
