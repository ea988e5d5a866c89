"""Matching runs in the JSON API (program managers and organization admins), and ranked
suggestions for participants who choose their own peers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Schema, Status
from ninja.errors import HttpError
from ninja.router import Router

from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person
from peercoach.programs import matching_selectors as selectors
from peercoach.programs import matching_services as services
from peercoach.programs.matching_models import MatchingRun
from peercoach.programs.request_services import CHOOSING_MODES
from peercoach.programs.selectors import enrollment_of, may_manage_programs, program_get
from peercoach.programs.suggestions import suggestions_for

router = Router(tags=["matching"])


class RunOut(Schema):
    id: int
    program_id: int
    status: str
    status_label: str
    progress_text: str
    progress_percent: int
    seed: int
    summary: dict[str, Any]
    error_message: str
    created_at: datetime
    finished_at: datetime | None
    published_at: datetime | None

    @staticmethod
    def resolve_status_label(run: MatchingRun) -> str:
        return run.get_status_display()


class MemberOut(Schema):
    person_id: int
    name: str


class ProposalOut(Schema):
    number: int
    members: list[MemberOut]
    score: float
    reason: str


class UnmatchedOut(Schema):
    person_id: int
    name: str
    reason: str


class ProposalsOut(Schema):
    page: int
    pages: int
    proposals: list[ProposalOut]
    unmatched_count: int


class MoveIn(Schema):
    # Optional here so that the role check answers first; a missing person is a 400 below.
    person_id: int | None = None
    to_group: int | None = None


class MoveOut(Schema):
    message: str


class SuggestionOut(Schema):
    person_id: int
    name: str
    reason: str


def _manager(request: HttpRequest) -> Membership:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    if not may_manage_programs(membership):
        raise HttpError(403, "Matching is for program managers and organization admins.")
    return membership


@router.post(
    "/programs/{program_id}/matching-runs",
    response={202: RunOut},
    summary="Start a matching run (it works in the background)",
)
def run_start(request: HttpRequest, program_id: int) -> Status[MatchingRun]:
    membership = _manager(request)
    program = program_get(membership=membership, program_id=program_id)
    try:
        run = services.matching_run_start(program=program, started_by=membership)
    except services.MatchingError as error:
        raise HttpError(409, error.message) from error
    run.refresh_from_db()
    return Status(202, run)


@router.get("/matching-runs/{run_id}", response=RunOut, summary="A matching run's progress")
def run_status(request: HttpRequest, run_id: int) -> MatchingRun:
    return selectors.matching_run_get(membership=_manager(request), run_id=run_id)


@router.get(
    "/matching-runs/{run_id}/proposals",
    response=ProposalsOut,
    summary="A run's proposed groups, 100 a page",
)
def run_proposals(request: HttpRequest, run_id: int, page: int = 1) -> dict[str, Any]:
    run = selectors.matching_run_get(membership=_manager(request), run_id=run_id)
    proposals = selectors.proposals_page(run=run, page=page)
    unmatched = selectors.unmatched_page(run=run, page=1)
    return {
        "page": proposals.number,
        "pages": proposals.paginator.num_pages,
        "proposals": [
            {
                "number": proposal.number,
                "members": [
                    {"person_id": p.person_id, "name": p.person.full_name}
                    for p in proposal.placements.all()
                ],
                "score": proposal.score,
                "reason": proposal.reason,
            }
            for proposal in proposals
        ],
        "unmatched_count": unmatched.paginator.count,
    }


@router.post(
    "/matching-runs/{run_id}/moves",
    response=MoveOut,
    summary="Move one person to another proposed group (every rule is checked again)",
)
def run_move(request: HttpRequest, run_id: int, payload: MoveIn) -> dict[str, str]:
    run = selectors.matching_run_get(membership=_manager(request), run_id=run_id)
    if payload.person_id is None:
        raise HttpError(400, "Say whom to move (person_id).")
    try:
        result = services.matching_move(
            run=run, person_id=payload.person_id, to_number=payload.to_group
        )
    except services.MatchingError as error:
        raise HttpError(409, error.message) from error
    where = f"group {result.target.number}" if result.target else "no group"
    return {"message": f"{result.placement.person.full_name} is now in {where}."}


@router.post(
    "/matching-runs/{run_id}/publish",
    response={202: RunOut},
    summary="Publish a run: every member of every group is asked for their yes (in the background)",
)
def run_publish(request: HttpRequest, run_id: int) -> Status[MatchingRun]:
    run = selectors.matching_run_get(membership=_manager(request), run_id=run_id)
    try:
        services.matching_run_publish_start(run=run)
    except services.MatchingError as error:
        raise HttpError(409, error.message) from error
    run.refresh_from_db()
    return Status(202, run)


@router.get(
    "/programs/{program_id}/suggestions",
    response=list[SuggestionOut],
    summary="Colleagues I might ask, best first, with reasons",
)
def suggestions(request: HttpRequest, program_id: int) -> list[dict[str, Any]]:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    person: Person | None = membership.person
    if person is None or not membership.has_any_role(Role.PARTICIPANT):
        raise HttpError(403, "Taking part needs a link to your entry in the directory.")
    program = program_get(membership=membership, program_id=program_id)
    enrollment = enrollment_of(program=program, person=person)
    if enrollment is None or program.matching_mode not in CHOOSING_MODES:
        return []
    return [
        {"person_id": e.person_id, "name": e.person.full_name, "reason": reason}
        for e, reason in suggestions_for(enrollment=enrollment)
    ]
