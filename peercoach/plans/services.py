"""Writing plans and notes. Only the owner changes what they wrote; sharing is their choice.

Every text is sealed by its model field on save; nothing here logs or sends the text itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from peercoach.core.errors import RefusedError
from peercoach.meetings.models import CoachingSession
from peercoach.people.models import Person
from peercoach.plans.models import (
    ACTION_MAX_LENGTH,
    CHECK_IN_MAX_LENGTH,
    GOAL_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    Action,
    ActionPlan,
    ActionStatus,
    CheckIn,
    Note,
    PlanStatus,
)
from peercoach.plans.permissions import can_change, is_pairing_member
from peercoach.programs.pairing_models import Pairing

MAX_ACTIONS_PER_PLAN = 30


class PlanError(RefusedError):
    """A plan or note change was refused; the message says why, in plain words."""


@dataclass(frozen=True)
class ActionDraft:
    text: str
    due_on: date | None = None


def _clean(text: str, *, field: str, max_length: int, what: str, required: bool = True) -> str:
    cleaned = (text or "").strip()
    if required and not cleaned:
        raise PlanError(f"Please write {what}.", field=field)
    if len(cleaned) > max_length:
        raise PlanError(
            f"That is a little long: please keep {what} under {max_length} characters "
            f"(it has {len(cleaned)}).",
            field=field,
        )
    return cleaned


def _require_owner(item: ActionPlan | Note, by: Person) -> None:
    if not can_change(item, by):
        raise PlanError("Only the person who wrote this can change it.")


def _require_member(pairing: Pairing | int, person: Person) -> None:
    if not is_pairing_member(pairing=pairing, person=person):
        raise PlanError("You can only keep plans and notes for a pairing you are part of.")


def _usable_drafts(actions: Sequence[ActionDraft]) -> list[ActionDraft]:
    # Empty rows of a form are skipped; an empty row with a date is a mistake worth naming.
    drafts = []
    for draft in actions:
        if not (draft.text or "").strip():
            if draft.due_on is not None:
                raise PlanError("One action has a date but no words: what will you do?")
            continue
        drafts.append(draft)
    if len(drafts) > MAX_ACTIONS_PER_PLAN:
        raise PlanError(
            f"A plan holds up to {MAX_ACTIONS_PER_PLAN} actions; pick the ones that matter most."
        )
    return drafts


@transaction.atomic
def action_plan_create(
    *,
    owner: Person,
    session: CoachingSession,
    goal: str,
    actions: Sequence[ActionDraft],
    shared_with_pairing: bool = False,
    now: datetime | None = None,
) -> ActionPlan:
    """The client's plan at the end of their turn in `session`."""
    return _plan_create(
        owner=owner,
        pairing_id=session.pairing_id,
        session=session,
        goal=goal,
        actions=actions,
        shared_with_pairing=shared_with_pairing,
        now=now,
    )


@transaction.atomic
def action_plan_start(
    *,
    owner: Person,
    pairing: Pairing,
    goal: str,
    actions: Sequence[ActionDraft] = (),
    shared_with_pairing: bool = False,
    now: datetime | None = None,
) -> ActionPlan:
    """A plan written outside a session, say the evening after."""
    return _plan_create(
        owner=owner,
        pairing_id=pairing.pk,
        session=None,
        goal=goal,
        actions=actions,
        shared_with_pairing=shared_with_pairing,
        now=now,
    )


def _plan_create(
    *,
    owner: Person,
    pairing_id: int,
    session: CoachingSession | None,
    goal: str,
    actions: Sequence[ActionDraft],
    shared_with_pairing: bool,
    now: datetime | None,
) -> ActionPlan:
    now = now or timezone.now()
    _require_member(pairing_id, owner)
    cleaned_goal = _clean(goal, field="goal", max_length=GOAL_MAX_LENGTH, what="the goal")
    drafts = _usable_drafts(actions)
    plan = ActionPlan(
        organization_id=owner.organization_id,
        owner=owner,
        pairing_id=pairing_id,
        session=session,
        goal=cleaned_goal,
        shared_with_pairing=shared_with_pairing,
        created_at=now,
        updated_at=now,
    )
    plan.save(force_insert=True)
    for position, draft in enumerate(drafts):
        _action_insert(plan, draft, position=position, now=now)
    return plan


def _action_insert(plan: ActionPlan, draft: ActionDraft, *, position: int, now: datetime) -> Action:
    text = _clean(draft.text, field="text", max_length=ACTION_MAX_LENGTH, what="the action")
    action = Action(
        organization_id=plan.organization_id,
        plan=plan,
        text=text,
        due_on=draft.due_on,
        position=position,
        created_at=now,
    )
    action.save(force_insert=True)
    return action


def _touch(plan: ActionPlan, now: datetime) -> None:
    plan.updated_at = now
    plan.save(update_fields=["updated_at"])


@transaction.atomic
def action_plan_edit(
    *, plan: ActionPlan, by: Person, goal: str, now: datetime | None = None
) -> ActionPlan:
    _require_owner(plan, by)
    plan.goal = _clean(goal, field="goal", max_length=GOAL_MAX_LENGTH, what="the goal")
    plan.updated_at = now or timezone.now()
    plan.save(update_fields=["goal", "updated_at"])
    return plan


@transaction.atomic
def action_plan_share(
    *, plan: ActionPlan, by: Person, shared: bool, now: datetime | None = None
) -> ActionPlan:
    """Show the plan to the pairing's members, or take it back to private."""
    _require_owner(plan, by)
    plan.shared_with_pairing = shared
    plan.updated_at = now or timezone.now()
    plan.save(update_fields=["shared_with_pairing", "updated_at"])
    return plan


@transaction.atomic
def action_plan_set_status(
    *, plan: ActionPlan, by: Person, status: PlanStatus, now: datetime | None = None
) -> ActionPlan:
    """Close a plan that has run its course (its open actions stay as they are), or reopen it."""
    _require_owner(plan, by)
    plan.status = status
    plan.updated_at = now or timezone.now()
    plan.save(update_fields=["status", "updated_at"])
    return plan


@transaction.atomic
def action_add(
    *, plan: ActionPlan, by: Person, draft: ActionDraft, now: datetime | None = None
) -> Action:
    _require_owner(plan, by)
    now = now or timezone.now()
    count = Action.objects.in_organization(plan.organization_id).filter(plan=plan).count()
    if count >= MAX_ACTIONS_PER_PLAN:
        raise PlanError(
            f"A plan holds up to {MAX_ACTIONS_PER_PLAN} actions; pick the ones that matter most."
        )
    action = _action_insert(plan, draft, position=count, now=now)
    _touch(plan, now)
    return action


@transaction.atomic
def action_edit(
    *, action: Action, by: Person, text: str, due_on: date | None, now: datetime | None = None
) -> Action:
    _require_owner(action.plan, by)
    action.text = _clean(text, field="text", max_length=ACTION_MAX_LENGTH, what="the action")
    action.due_on = due_on
    action.save(update_fields=["text", "due_on"])
    _touch(action.plan, now or timezone.now())
    return action


@transaction.atomic
def action_set_status(
    *, action: Action, by: Person, status: ActionStatus, now: datetime | None = None
) -> Action:
    """Mark an action done or dropped, or open it again."""
    _require_owner(action.plan, by)
    now = now or timezone.now()
    action.status = status
    action.closed_at = None if status == ActionStatus.OPEN else now
    action.save(update_fields=["status", "closed_at"])
    _touch(action.plan, now)
    return action


@transaction.atomic
def check_in_add(*, action: Action, by: Person, text: str, now: datetime | None = None) -> CheckIn:
    """A few words between meetings on how an action is going."""
    _require_owner(action.plan, by)
    now = now or timezone.now()
    check_in = CheckIn(
        organization_id=action.organization_id,
        action=action,
        text=_clean(text, field="text", max_length=CHECK_IN_MAX_LENGTH, what="your check-in"),
        created_at=now,
    )
    check_in.save(force_insert=True)
    _touch(action.plan, now)
    return check_in


@transaction.atomic
def note_create(
    *,
    owner: Person,
    pairing: Pairing,
    body: str,
    session: CoachingSession | None = None,
    shared_with_pairing: bool = False,
    now: datetime | None = None,
) -> Note:
    _require_member(pairing, owner)
    if session is not None and session.pairing_id != pairing.pk:
        raise PlanError("That session belongs to another pairing.")
    now = now or timezone.now()
    note = Note(
        organization_id=owner.organization_id,
        owner=owner,
        pairing=pairing,
        session=session,
        body=_clean(body, field="body", max_length=NOTE_MAX_LENGTH, what="your note"),
        shared_with_pairing=shared_with_pairing,
        created_at=now,
        updated_at=now,
    )
    note.save(force_insert=True)
    return note


@transaction.atomic
def note_edit(*, note: Note, by: Person, body: str, now: datetime | None = None) -> Note:
    _require_owner(note, by)
    note.body = _clean(body, field="body", max_length=NOTE_MAX_LENGTH, what="your note")
    note.updated_at = now or timezone.now()
    note.save(update_fields=["body", "updated_at"])
    return note


@transaction.atomic
def note_share(*, note: Note, by: Person, shared: bool, now: datetime | None = None) -> Note:
    _require_owner(note, by)
    note.shared_with_pairing = shared
    note.updated_at = now or timezone.now()
    note.save(update_fields=["shared_with_pairing", "updated_at"])
    return note


@transaction.atomic
def note_delete(*, note: Note, by: Person) -> None:
    _require_owner(note, by)
    note.delete()
