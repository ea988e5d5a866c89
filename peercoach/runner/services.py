"""Changes to a guided session and to program scripts. Views and tests call only these.

Any member may move the session on. Two members pressing "Next" at the same moment must not skip
a step, so a move names the step it starts from and only the first one lands (a conditional
UPDATE); the other simply finds the session already there.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from peercoach.core.errors import RefusedError
from peercoach.meetings.models import CoachingSession, SessionStatus
from peercoach.organizations.models import Membership
from peercoach.people.models import Person
from peercoach.plans.models import Action, ActionPlan, ActionStatus
from peercoach.plans.services import ActionDraft, action_plan_create, action_set_status
from peercoach.programs.models import Program
from peercoach.programs.pairing_models import MemberResponse, PairingMember
from peercoach.runner import scripts
from peercoach.runner.models import ObserverNote, SessionOption, SessionRun, SessionScript
from peercoach.runner.scripts import Slot, Step, StepKind

OPTION_MAX_LENGTH = 500
PROS_CONS_MAX_LENGTH = 1000
OBSERVER_NOTE_MAX_LENGTH = 2000


class RunnerError(RefusedError):
    """A change to a guided session that cannot be made; the message says why."""


# ---------------------------------------------------------------------------------------------
# Scripts


def program_steps(program: Program) -> list[Step]:
    """The program's own script if a manager edited it, the standard one for its format if not."""
    own = SessionScript.objects.in_organization(program.organization_id).filter(program=program)
    script = own.first()
    if script is None:
        return scripts.template_steps(program.format)
    return scripts.steps_from_data(script.steps)


@transaction.atomic
def script_save(*, program: Program, steps: Sequence[Step], by: Membership) -> SessionScript:
    """Store the program's own copy of its script (the standard one is never changed)."""
    try:
        checked = scripts.steps_from_data(step.as_data() for step in steps)
    except scripts.ScriptError as error:
        raise RunnerError(str(error)) from None
    script, _ = SessionScript.objects.in_organization(program.organization_id).update_or_create(
        program=program,
        defaults={
            "organization_id": program.organization_id,
            "steps": [step.as_data() for step in checked],
            "updated_at": timezone.now(),
            "updated_by": by,
        },
    )
    return script


@transaction.atomic
def script_reset(*, program: Program) -> None:
    """Go back to the standard script for the program's format."""
    SessionScript.objects.in_organization(program.organization_id).filter(program=program).delete()


# ---------------------------------------------------------------------------------------------
# The run


def run_slots(run: SessionRun) -> list[Slot]:
    steps = scripts.steps_from_data(run.steps)
    return scripts.timeline(steps, turns=len(run.member_ids))


def current_slot(run: SessionRun) -> Slot:
    slots = run_slots(run)
    return slots[min(run.position, len(slots) - 1)]


def current_roles(run: SessionRun) -> scripts.Roles | None:
    turn = current_slot(run).turn
    if turn is None:
        return None
    return scripts.roles_for_turn(run.member_ids, turn, with_observer=run.with_observer)


def _member_ids(session: CoachingSession) -> list[int]:
    members = (
        PairingMember.objects.in_organization(session.organization_id)
        .filter(pairing_id=session.pairing_id, left_at__isnull=True)
        .exclude(response=MemberResponse.DECLINED)
        .order_by("pk")
    )
    return list(members.values_list("person_id", flat=True))


@transaction.atomic
def run_start(*, session: CoachingSession, by: Person) -> SessionRun:
    """Open the guided session (once: whoever starts second joins the same run)."""
    existing = SessionRun.objects.in_organization(session.organization_id).filter(session=session)
    if run := existing.first():
        return run
    if session.status == SessionStatus.CANCELLED:
        raise RunnerError("This session was cancelled, so there is nothing to run.")
    if session.status == SessionStatus.FINISHED:
        raise RunnerError("This session is already finished.")
    member_ids = _member_ids(session)
    if by.pk not in member_ids:
        raise RunnerError("Only the members of this pairing can run its session.")
    if len(member_ids) < 2:
        raise RunnerError("A session needs at least two people. Invite your peers back first.")
    steps = program_steps(session.pairing.program)
    # Three people observe in turn only when the script gives the observer something to do.
    with_observer = len(member_ids) == 3 and any(
        step.kind == StepKind.OBSERVER_CHECKLIST for step in steps
    )
    now = timezone.now()
    try:
        with transaction.atomic():
            run = SessionRun.objects.in_organization(session.organization_id).create(
                organization_id=session.organization_id,
                session=session,
                steps=[step.as_data() for step in steps],
                member_ids=member_ids,
                with_observer=with_observer,
                started_by=by,
                started_at=now,
                step_started_at=now,
                turn_started_at=now,
            )
    except IntegrityError:
        return existing.get()  # both pressed Start at once: join the run that won
    CoachingSession.objects.in_organization(session.organization_id).filter(
        pk=session.pk, status=SessionStatus.SCHEDULED
    ).update(status=SessionStatus.IN_PROGRESS)
    return run


def _locked(run: SessionRun, by: Person) -> SessionRun:
    """The run, locked for this change, after checking the person may change it at all."""
    locked = (
        SessionRun.objects.in_organization(run.organization_id).select_for_update().get(pk=run.pk)
    )
    if by.pk not in locked.member_ids:
        raise RunnerError("Only the members of this session can change it.")
    if locked.is_finished:
        raise RunnerError("This session is finished. Thank you both!")
    return locked


def _bump(run: SessionRun, **changes: Any) -> SessionRun:
    changes["version"] = F("version") + 1
    SessionRun.objects.in_organization(run.organization_id).filter(pk=run.pk).update(**changes)
    run.refresh_from_db()
    return run


@transaction.atomic
def run_advance(
    *, run: SessionRun, by: Person, from_position: int, forward: bool = True
) -> SessionRun:
    """Move one step on (or back) from `from_position`; a move someone else made first wins."""
    run = _locked(run, by)
    slots = run_slots(run)
    if from_position != run.position:
        return run  # the other member moved first: stay where everyone now is
    target = run.position + (1 if forward else -1)
    if not 0 <= target < len(slots):
        return run
    here = slots[run.position]
    if forward and here.step.kind == StepKind.AGREEMENT:
        waiting = [pk for pk in run.member_ids if pk not in run.agreed_ids]
        if waiting:
            raise RunnerError("Let's wait until everyone has ticked the promise.")
    now = timezone.now()
    changes: dict[str, Any] = {"position": target, "step_started_at": now, "thanks_given": 0}
    if slots[target].turn != here.turn:
        changes["turn_started_at"] = now
    # Zero rows updated means another member's move landed first; either way all see the same.
    SessionRun.objects.in_organization(run.organization_id).filter(
        pk=run.pk, position=from_position
    ).update(version=F("version") + 1, **changes)
    run.refresh_from_db()
    return run


@transaction.atomic
def run_agree(*, run: SessionRun, by: Person) -> SessionRun:
    run = _locked(run, by)
    if by.pk in run.agreed_ids:
        return run
    return _bump(run, agreed_ids=[*run.agreed_ids, by.pk])


@transaction.atomic
def run_thank(*, run: SessionRun, by: Person) -> SessionRun:
    """The FeedForward client's only answer to an idea."""
    run = _locked(run, by)
    slot = current_slot(run)
    roles = current_roles(run)
    if slot.step.kind != StepKind.FEEDFORWARD or roles is None or roles.client != by.pk:
        raise RunnerError("Saying thank you is for the person receiving ideas, during their turn.")
    return _bump(run, thanks_given=run.thanks_given + 1)


@transaction.atomic
def run_timekeeper_claim(*, run: SessionRun, by: Person) -> SessionRun:
    run = _locked(run, by)
    return _bump(run, timekeeper=by)


@transaction.atomic
def run_finish(*, run: SessionRun, by: Person) -> SessionRun:
    """End the guided session; the session itself counts as finished from now on."""
    run = _locked(run, by)
    now = timezone.now()
    CoachingSession.objects.in_organization(run.organization_id).filter(pk=run.session_id).exclude(
        status=SessionStatus.CANCELLED
    ).update(status=SessionStatus.FINISHED)
    return _bump(run, finished_at=now)


# ---------------------------------------------------------------------------------------------
# What people write during the session


def _required(value: str, *, limit: int, what: str, field: str) -> str:
    value = value.strip()
    if not value:
        raise RunnerError(f"Please write {what}.", field=field)
    if len(value) > limit:
        raise RunnerError(
            f"Please keep {what} under {limit} characters (it has {len(value)}).", field=field
        )
    return value


def _optional(value: str, *, limit: int, what: str, field: str) -> str:
    value = value.strip()
    if len(value) > limit:
        raise RunnerError(
            f"Please keep {what} under {limit} characters (it has {len(value)}).", field=field
        )
    return value


@transaction.atomic
def option_add(
    *, run: SessionRun, by: Person, text: str, pros: str = "", cons: str = ""
) -> SessionOption:
    """Write down one option for the current client, with what speaks for and against it."""
    run = _locked(run, by)
    slot = current_slot(run)
    roles = current_roles(run)
    if slot.turn is None or roles is None or slot.step.kind != StepKind.OPTIONS:
        raise RunnerError("Options are collected during the options step of someone's turn.")
    option = SessionOption(
        organization_id=run.organization_id,
        run=run,
        turn=slot.turn,
        client_id=roles.client,
        added_by=by,
        text=_required(text, limit=OPTION_MAX_LENGTH, what="the option", field="text"),
        pros=_optional(pros, limit=PROS_CONS_MAX_LENGTH, what="the pros", field="pros"),
        cons=_optional(cons, limit=PROS_CONS_MAX_LENGTH, what="the cons", field="cons"),
        created_at=timezone.now(),
    )
    option.save()
    _bump(run)
    return option


@transaction.atomic
def observer_note_add(*, run: SessionRun, by: Person, text: str) -> ObserverNote:
    """The observer's note for this turn's coach."""
    run = _locked(run, by)
    slot = current_slot(run)
    roles = current_roles(run)
    if slot.turn is None or roles is None or roles.observer != by.pk or roles.coach is None:
        raise RunnerError("Notes for the coach are written by this turn's observer.")
    note = ObserverNote(
        organization_id=run.organization_id,
        run=run,
        turn=slot.turn,
        observer=by,
        coach_id=roles.coach,
        text=_required(text, limit=OBSERVER_NOTE_MAX_LENGTH, what="your note", field="text"),
        created_at=timezone.now(),
    )
    note.save()
    _bump(run)
    return note


@transaction.atomic
def run_plan_save(
    *,
    run: SessionRun,
    by: Person,
    goal: str,
    actions: Sequence[tuple[str, date | None]],
    shared_with_pairing: bool = False,
) -> ActionPlan:
    """The client's action plan at the end of their turn, kept by the plans app."""
    run = _locked(run, by)
    slot = current_slot(run)
    roles = current_roles(run)
    if slot.turn is None or roles is None or slot.step.kind != StepKind.ACTION_PLAN:
        raise RunnerError("The action plan is written at the end of your turn.")
    if roles.client != by.pk:
        raise RunnerError("The action plan belongs to this turn's client; they write it.")
    if slot.turn in run.planned_turns:
        raise RunnerError("Your plan for this turn is already saved.")
    drafts = [ActionDraft(text=text, due_on=due_on) for text, due_on in actions]
    plan = action_plan_create(
        owner=by,
        session=run.session,
        goal=goal,
        actions=drafts,
        shared_with_pairing=shared_with_pairing,
    )
    _bump(run, planned_turns=[*run.planned_turns, slot.turn])
    return plan


class ReviewOutcome:
    DONE = "done"
    GOING = "going"
    DROPPED = "dropped"
    CHOICES = (DONE, GOING, DROPPED)


@transaction.atomic
def review_mark(*, run: SessionRun, by: Person, action: Action, outcome: str) -> SessionRun:
    """The owner says how one of their earlier actions went: done, still going, or dropped."""
    run = _locked(run, by)
    if outcome not in ReviewOutcome.CHOICES:
        raise RunnerError("Choose done, still going or dropped.")
    if action.plan.owner_id != by.pk:
        raise RunnerError("Only the person who planned an action can say how it went.")
    if outcome != ReviewOutcome.GOING:
        action_set_status(action=action, by=by, status=ActionStatus(outcome))
    return _bump(run, reviewed={**run.reviewed, str(action.pk): outcome})
