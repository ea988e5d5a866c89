"""Changes to program feedback. Refusals are SurveyErrors written for the participant."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.urls import reverse

from peercoach.core.errors import RefusedError
from peercoach.people.models import Person
from peercoach.programs.inbox import inbox_message_send
from peercoach.programs.models import Program
from peercoach.programs.pairing_models import InboxKind
from peercoach.surveys import selectors
from peercoach.surveys.models import TEXT_MAX_LENGTH, FeedbackRequest, ProgramFeedback


class SurveyError(RefusedError):
    pass


@transaction.atomic
def program_feedback_save(
    *,
    program: Program,
    person: Person,
    rating: int,
    keep: str = "",
    change: str = "",
    today: date | None = None,
) -> ProgramFeedback:
    """Save the person's answer, or update it: one answer per person, until the program ends."""
    if not selectors.may_answer(program=program, person=person):
        raise SurveyError("Feedback on a program comes from the people taking part in it.")
    if not selectors.is_open_for_answers(program=program, today=today):
        raise SurveyError("This program has ended, so its feedback is closed. Thank you!")
    if rating not in range(1, 6):
        raise SurveyError("Choose a rating from 1 to 5.", field="rating")
    keep, change = keep.strip(), change.strip()
    for name, text in (("keep", keep), ("change", change)):
        if len(text) > TEXT_MAX_LENGTH:
            raise SurveyError(f"Keep it under {TEXT_MAX_LENGTH} characters, please.", field=name)
    values = {"rating": rating, "keep": keep, "change": change}
    try:
        with transaction.atomic():
            answer, _ = ProgramFeedback.all_organizations.update_or_create(
                organization_id=program.organization_id,
                program=program,
                person=person,
                defaults=values,
            )
    except IntegrityError:
        # Two tabs saving at once: the other one created it first; this one updates it.
        answer = ProgramFeedback.all_organizations.get(program=program, person=person)
        for name, value in values.items():
            setattr(answer, name, value)
        answer.save()
    return answer


@transaction.atomic
def program_feedback_request(*, program: Program) -> int:
    """Ask everyone who took part and hasn't answered yet, once each; returns how many."""
    if not selectors.is_open_for_answers(program=program):
        raise SurveyError("This program has ended, so its feedback is closed.")
    answered = ProgramFeedback.objects.in_organization(program.organization_id).filter(
        program=program
    )
    asked = FeedbackRequest.objects.in_organization(program.organization_id).filter(program=program)
    to_ask = (
        selectors.answering_enrollments(program=program)
        .exclude(person_id__in=answered.values("person_id"))
        .exclude(person_id__in=asked.values("person_id"))
        .select_related("person")
    )
    count = 0
    for enrollment in to_ask:
        FeedbackRequest.objects.create(
            organization_id=program.organization_id, program=program, person=enrollment.person
        )
        inbox_message_send(
            recipient=enrollment.person,
            kind=InboxKind.SURVEY_REQUESTED,
            subject=f"How is {program.name} going for you?",
            body=(
                "Two minutes: rate the program and say what to keep and what to change. "
                "Nobody sees your answer on its own; organizers only see figures for the group."
            ),
            link=reverse("surveys:answer", args=[program.pk]),
        )
        count += 1
    return count
