"""The guided session in the JSON API: where a session is, and moving it on.

Only the shape of the session travels here (step, roles, clock), never what members wrote: the
options and notes stay on the live page, in front of the people in the session.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from peercoach.core.errors import RefusedError
from peercoach.meetings.selectors import session_for_member
from peercoach.organizations.models import Membership, Role
from peercoach.people.models import Person
from peercoach.runner import services
from peercoach.runner.models import SessionRun
from peercoach.runner.selectors import run_for_session, run_view

router = Router(tags=["guided sessions"])


class RunOut(Schema):
    session_id: int
    version: int
    position: int
    step_count: int
    step_kind: str
    step_title: str
    prompt: str
    turn: int | None
    client: str
    coach: str
    observer: str
    step_ends_at: datetime
    turn_ends_at: datetime | None
    finished: bool


class MoveIn(Schema):
    position: int | None = None
    forward: bool = True


def _participant(request: HttpRequest) -> Person:
    membership: Membership = request.auth  # type: ignore[attr-defined]
    if membership.person is None or not membership.has_any_role(Role.PARTICIPANT):
        raise HttpError(403, "Guided sessions are for the people taking part.")
    return membership.person


def _run(person: Person, session_id: int) -> SessionRun:
    session = session_for_member(person=person, session_id=session_id)
    run = run_for_session(session)
    if run is None or person.pk not in run.member_ids:
        raise HttpError(409, "The guided session hasn't started yet. Start it on its page.")
    return run


def _out(run: SessionRun, person: Person) -> RunOut:
    view = run_view(run=run, viewer=person)
    return RunOut(
        session_id=run.session_id,
        version=run.version,
        position=view.slot.position,
        step_count=view.step_count,
        step_kind=view.step.kind,
        step_title=view.step.title,
        prompt=view.prompt,
        turn=view.slot.turn,
        client=view.client_name,
        coach=view.coach_name,
        observer=view.observer_name,
        step_ends_at=view.step_ends_at,
        turn_ends_at=view.turn_ends_at,
        finished=run.is_finished,
    )


@router.get("/sessions/{session_id}/run", response=RunOut, summary="Where a guided session is")
def run_state(request: HttpRequest, session_id: int) -> RunOut:
    person = _participant(request)
    return _out(_run(person, session_id), person)


@router.post("/sessions/{session_id}/run/move", response=RunOut, summary="Move a session on")
def run_move(request: HttpRequest, session_id: int, payload: MoveIn) -> RunOut:
    """Move one step from `position` (the step you saw); a move someone made first wins."""
    person = _participant(request)
    run = _run(person, session_id)
    if payload.position is None:
        raise HttpError(400, "Say which step you are moving from (position).")
    try:
        run = services.run_advance(
            run=run, by=person, from_position=payload.position, forward=payload.forward
        )
    except RefusedError as error:
        raise HttpError(409, error.message) from error
    return _out(run, person)
