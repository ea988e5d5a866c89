from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from peercoach.plans.models import ActionStatus, PlanStatus
from peercoach.plans.services import (
    MAX_ACTIONS_PER_PLAN,
    ActionDraft,
    PlanError,
    action_add,
    action_plan_create,
    action_plan_edit,
    action_plan_set_status,
    action_plan_share,
    action_set_status,
    check_in_add,
    note_create,
    note_delete,
    note_edit,
)
from peercoach.programs.pairing_services import pairing_leave
from peercoach.testing.factories import PersonFactory


def _plan(coaching: Any, **kwargs: Any) -> Any:
    return action_plan_create(
        owner=coaching.pia,
        session=coaching.session,
        goal=kwargs.pop("goal", "Say no more often"),
        actions=kwargs.pop("actions", [ActionDraft("Decline one meeting", date(2030, 1, 1))]),
        **kwargs,
    )


def test_a_plan_keeps_its_goal_and_actions_in_order(coaching: Any) -> None:
    plan = _plan(coaching, actions=[ActionDraft("first"), ActionDraft(""), ActionDraft("second")])
    assert plan.goal == "Say no more often"
    assert [a.text for a in plan.actions.order_by("position")] == ["first", "second"]
    assert plan.session == coaching.session
    assert plan.status == PlanStatus.OPEN
    assert not plan.shared_with_pairing


def test_an_empty_goal_is_refused_and_names_the_field(coaching: Any) -> None:
    with pytest.raises(PlanError) as error:
        _plan(coaching, goal="   ")
    assert error.value.field == "goal"


def test_an_action_with_a_date_but_no_words_is_refused(coaching: Any) -> None:
    with pytest.raises(PlanError, match="date but no words"):
        _plan(coaching, actions=[ActionDraft("", date(2030, 1, 1))])


def test_too_many_actions_are_refused(coaching: Any) -> None:
    drafts = [ActionDraft(f"step {n}") for n in range(MAX_ACTIONS_PER_PLAN + 1)]
    with pytest.raises(PlanError, match=str(MAX_ACTIONS_PER_PLAN)):
        _plan(coaching, actions=drafts)


def test_a_goal_that_is_too_long_says_how_long_it_is(coaching: Any) -> None:
    with pytest.raises(PlanError, match="1001"):
        _plan(coaching, goal="x" * 1001)


def test_only_members_of_the_pairing_keep_plans_for_it(coaching: Any) -> None:
    outsider = PersonFactory(organization=coaching.program.organization)
    with pytest.raises(PlanError):
        action_plan_create(owner=outsider, session=coaching.session, goal="g", actions=[])
    with pytest.raises(PlanError):
        note_create(owner=outsider, pairing=coaching.pairing, body="b")


def test_someone_who_left_the_pairing_no_longer_sees_what_was_shared(coaching: Any) -> None:
    from peercoach.plans.permissions import can_read

    plan = _plan(coaching, shared_with_pairing=True)
    assert can_read(plan, coaching.cole)
    pairing_leave(pairing=coaching.pairing, by=coaching.cole)
    assert not can_read(plan, coaching.cole)
    assert can_read(plan, coaching.pia)


@pytest.mark.parametrize(
    "change",
    [
        lambda plan, by: action_plan_edit(plan=plan, by=by, goal="new"),
        lambda plan, by: action_plan_share(plan=plan, by=by, shared=True),
        lambda plan, by: action_plan_set_status(plan=plan, by=by, status=PlanStatus.CLOSED),
        lambda plan, by: action_add(plan=plan, by=by, draft=ActionDraft("more")),
        lambda plan, by: action_set_status(
            action=plan.actions.get(), by=by, status=ActionStatus.DONE
        ),
        lambda plan, by: check_in_add(action=plan.actions.get(), by=by, text="hi"),
    ],
)
def test_only_the_owner_changes_a_plan_even_a_shared_one(coaching: Any, change: Any) -> None:
    plan = _plan(coaching, shared_with_pairing=True)
    with pytest.raises(PlanError, match="Only the person who wrote this"):
        change(plan, coaching.cole)
    change(plan, coaching.pia)


def test_marking_an_action_done_and_back_records_when(coaching: Any) -> None:
    action = _plan(coaching).actions.get()
    done = action_set_status(action=action, by=coaching.pia, status=ActionStatus.DONE)
    assert done.closed_at is not None
    reopened = action_set_status(action=action, by=coaching.pia, status=ActionStatus.OPEN)
    assert reopened.closed_at is None


def test_a_check_in_is_kept_with_its_action(coaching: Any) -> None:
    action = _plan(coaching).actions.get()
    check_in_add(action=action, by=coaching.pia, text="  Declined the Friday sync  ")
    assert [c.text for c in action.check_ins.all()] == ["Declined the Friday sync"]
    with pytest.raises(PlanError):
        check_in_add(action=action, by=coaching.pia, text=" ")


def test_notes_are_written_edited_and_deleted_by_their_owner_only(coaching: Any) -> None:
    note = note_create(owner=coaching.pia, pairing=coaching.pairing, body="first")
    with pytest.raises(PlanError):
        note_edit(note=note, by=coaching.cole, body="mine now")
    with pytest.raises(PlanError):
        note_delete(note=note, by=coaching.cole)
    assert note_edit(note=note, by=coaching.pia, body="second").body == "second"
    note_delete(note=note, by=coaching.pia)
    assert not type(note).all_organizations.filter(pk=note.pk).exists()
