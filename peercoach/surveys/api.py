"""Program feedback in the JSON API: my own answer, and group figures for organizers.

No operation returns another person's answer; the summary is the same FeedbackSummary the
results page shows, thresholds included.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from peercoach.organizations.models import Membership, Role
from peercoach.programs.selectors import may_manage_programs, program_get
from peercoach.surveys import selectors, services
from peercoach.surveys.models import TEXT_MAX_LENGTH, ProgramFeedback
from peercoach.surveys.selectors import FeedbackSummary
from peercoach.surveys.services import SurveyError

router = Router(tags=["program feedback"])


class FeedbackIn(Schema):
    rating: int | None = Field(None, description="1 (not useful) to 5 (very useful).")
    keep: str = Field("", description=f"What to keep, up to {TEXT_MAX_LENGTH} characters.")
    change: str = Field("", description=f"What to change, up to {TEXT_MAX_LENGTH} characters.")


class FeedbackOut(Schema):
    rating: int
    keep: str
    change: str
    updated_at: datetime


class MyFeedbackOut(Schema):
    may_answer: bool
    is_open: bool
    answer: FeedbackOut | None


class SummaryOut(Schema):
    minimum_reporting_size: int
    shows_figures: bool
    answered: int | None
    distribution: dict[int, int]
    average: float | None
    shows_text: bool
    keep: list[str]
    change: list[str]


class RequestsOut(Schema):
    asked: int


def _member(request: HttpRequest) -> Membership:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    return membership


def _require_participant(membership: Membership) -> None:
    if membership.person is None or not membership.has_any_role(Role.PARTICIPANT):
        raise HttpError(403, "Program feedback comes from the people taking part.")


@router.get(
    "/programs/{surveyed_program_id}/feedback/mine",
    response=MyFeedbackOut,
    summary="My feedback on a program",
)
def feedback_mine(request: HttpRequest, surveyed_program_id: int) -> MyFeedbackOut:
    membership = _member(request)
    _require_participant(membership)
    program = program_get(membership=membership, program_id=surveyed_program_id)
    assert membership.person is not None
    mine = selectors.feedback_mine(program=program, person=membership.person)
    return MyFeedbackOut(
        may_answer=selectors.may_answer(program=program, person=membership.person),
        is_open=selectors.is_open_for_answers(program=program),
        answer=FeedbackOut.from_orm(mine) if mine else None,
    )


@router.put(
    "/programs/{surveyed_program_id}/feedback/mine",
    response=FeedbackOut,
    summary="Give or change my feedback (until the program ends)",
)
def feedback_save(
    request: HttpRequest, surveyed_program_id: int, payload: FeedbackIn
) -> ProgramFeedback:
    membership = _member(request)
    _require_participant(membership)
    program = program_get(membership=membership, program_id=surveyed_program_id)
    assert membership.person is not None
    if payload.rating is None:
        raise HttpError(400, "Choose a rating from 1 to 5.")
    try:
        return services.program_feedback_save(
            program=program,
            person=membership.person,
            rating=payload.rating,
            keep=payload.keep,
            change=payload.change,
        )
    except SurveyError as error:
        raise HttpError(409, error.message) from error


@router.get(
    "/programs/{surveyed_program_id}/feedback/summary",
    response=SummaryOut,
    summary="Group figures for a program (never individual answers)",
)
def feedback_summary(request: HttpRequest, surveyed_program_id: int) -> FeedbackSummary:
    membership = _member(request)
    program = program_get(membership=membership, program_id=surveyed_program_id)
    if not selectors.may_see_results(membership=membership, program=program):
        raise HttpError(403, "Feedback results are for this program's organizers and sponsor.")
    return selectors.program_feedback_summary(program=program)


@router.post(
    "/programs/{surveyed_program_id}/feedback/requests",
    response=RequestsOut,
    summary="Ask participants who haven't answered yet (once each)",
)
def feedback_request(request: HttpRequest, surveyed_program_id: int) -> RequestsOut:
    membership = _member(request)
    if not may_manage_programs(membership):
        raise HttpError(403, "Asking for feedback is for program managers.")
    program = program_get(membership=membership, program_id=surveyed_program_id)
    try:
        return RequestsOut(asked=services.program_feedback_request(program=program))
    except SurveyError as error:
        raise HttpError(409, error.message) from error
