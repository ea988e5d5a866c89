"""Reads for program feedback. Managers and sponsors only ever get a FeedbackSummary.

The summary keeps the organization's minimum reporting size: below it, not even the count is
shown; free text needs at least ten answers, and comes sorted alphabetically, without names or
dates, so the order says nothing about who wrote what or when.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import QuerySet
from django.utils import timezone

from peercoach.organizations.access import PEOPLE_ADMINS
from peercoach.organizations.models import Membership
from peercoach.people.models import Person
from peercoach.programs.models import Enrollment, EnrollmentStatus, Program, ProgramStatus
from peercoach.surveys.models import ProgramFeedback

FREE_TEXT_MINIMUM = 10
# People who took part, including those who have since left: their view matters too.
ANSWERING_STATUSES = (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED, EnrollmentStatus.LEFT)


def may_see_results(*, membership: Membership, program: Program) -> bool:
    """The one gate for results: program managers, organization admins, the program's sponsor."""
    return membership.has_any_role(*PEOPLE_ADMINS) or (
        program.sponsor_id is not None and program.sponsor_id == membership.pk
    )


def answering_enrollments(*, program: Program) -> QuerySet[Enrollment]:
    return Enrollment.objects.in_organization(program.organization_id).filter(
        program=program, status__in=ANSWERING_STATUSES, agreed_to_ground_rules_at__isnull=False
    )


def may_answer(*, program: Program, person: Person | None) -> bool:
    if person is None:
        return False
    return answering_enrollments(program=program).filter(person=person).exists()


def is_open_for_answers(*, program: Program, today: date | None = None) -> bool:
    today = today or timezone.localdate()
    return program.status != ProgramStatus.FINISHED and today <= program.ends_on


def feedback_mine(*, program: Program, person: Person) -> ProgramFeedback | None:
    return (
        ProgramFeedback.objects.in_organization(program.organization_id)
        .filter(program=program, person=person)
        .first()
    )


@dataclass(frozen=True)
class FeedbackSummary:
    minimum_reporting_size: int
    shows_figures: bool
    answered: int | None = None  # None: too few to show even the count
    distribution: dict[int, int] = field(default_factory=dict)
    average: float | None = None
    shows_text: bool = False
    keep: list[str] = field(default_factory=list)
    change: list[str] = field(default_factory=list)

    @property
    def text_minimum(self) -> int:
        return max(FREE_TEXT_MINIMUM, self.minimum_reporting_size)


def program_feedback_summary(*, program: Program) -> FeedbackSummary:
    minimum = program.organization.minimum_reporting_size
    answers = ProgramFeedback.objects.in_organization(program.organization_id).filter(
        program=program
    )
    ratings = list(answers.values_list("rating", flat=True))
    if len(ratings) < minimum:
        return FeedbackSummary(minimum_reporting_size=minimum, shows_figures=False)
    shows_text = len(ratings) >= max(FREE_TEXT_MINIMUM, minimum)
    texts = list(answers.values_list("keep", "change")) if shows_text else []
    return FeedbackSummary(
        minimum_reporting_size=minimum,
        shows_figures=True,
        answered=len(ratings),
        distribution={score: ratings.count(score) for score in range(1, 6)},
        average=round(sum(ratings) / len(ratings), 1),
        shows_text=shows_text,
        keep=_anonymous_order(keep for keep, _ in texts),
        change=_anonymous_order(change for _, change in texts),
    )


def _anonymous_order(texts: Iterable[str]) -> list[str]:
    """Alphabetical, blanks left out: an order that reveals neither author nor time."""
    return sorted((text.strip() for text in texts if text.strip()), key=str.casefold)
