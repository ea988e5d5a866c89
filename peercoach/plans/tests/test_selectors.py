from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.http import Http404

from peercoach.plans.models import ActionStatus
from peercoach.plans.selectors import (
    actions_to_review,
    note_for_viewer,
    notes_for_pairing,
    plan_for_viewer,
)
from peercoach.plans.services import (
    ActionDraft,
    action_plan_create,
    action_plan_share,
    action_set_status,
    note_create,
)
from peercoach.testing.coaching import confirmed_session
from peercoach.testing.factories import PersonFactory


def _next_session(coaching: Any) -> Any:
    return confirmed_session(
        coaching.pairing, starts_at=coaching.session.starts_at + timedelta(days=14)
    )


def _plan(
    coaching: Any, owner: Any, *, shared: bool = False, texts: tuple[str, ...] = ("call Sam",)
) -> Any:
    return action_plan_create(
        owner=owner,
        session=coaching.session,
        goal=f"{owner.full_name}'s goal",
        actions=[ActionDraft(text) for text in texts],
        shared_with_pairing=shared,
    )


def test_the_next_session_reviews_my_open_actions(coaching: Any) -> None:
    _plan(coaching, coaching.pia, texts=("call Sam", "write the memo"))
    review = actions_to_review(session=_next_session(coaching), viewer=coaching.pia)
    assert [group.owner for group in review] == [coaching.pia]
    assert review[0].is_viewer
    assert [a.text for a in review[0].plans[0].open_actions] == ["call Sam", "write the memo"]


def test_the_session_where_the_plan_was_made_does_not_review_it(coaching: Any) -> None:
    _plan(coaching, coaching.pia)
    assert actions_to_review(session=coaching.session, viewer=coaching.pia) == []


def test_done_and_dropped_actions_are_not_reviewed(coaching: Any) -> None:
    plan = _plan(coaching, coaching.pia, texts=("done one", "dropped one", "still open"))
    done, dropped, _ = plan.actions.order_by("position")
    action_set_status(action=done, by=coaching.pia, status=ActionStatus.DONE)
    action_set_status(action=dropped, by=coaching.pia, status=ActionStatus.DROPPED)
    review = actions_to_review(session=_next_session(coaching), viewer=coaching.pia)
    assert [a.text for a in review[0].plans[0].open_actions] == ["still open"]


def test_my_partner_sees_my_plan_only_once_i_share_it(coaching: Any) -> None:
    plan = _plan(coaching, coaching.pia)
    following = _next_session(coaching)
    assert actions_to_review(session=following, viewer=coaching.cole) == []
    action_plan_share(plan=plan, by=coaching.pia, shared=True)
    review = actions_to_review(session=following, viewer=coaching.cole)
    assert [(g.owner, g.is_viewer) for g in review] == [(coaching.pia, False)]


def test_each_client_is_a_group_and_the_viewer_comes_first(coaching: Any) -> None:
    _plan(coaching, coaching.pia, shared=True)
    _plan(coaching, coaching.cole, shared=True)
    review = actions_to_review(session=_next_session(coaching), viewer=coaching.cole)
    assert [g.owner for g in review] == [coaching.cole, coaching.pia]


def test_someone_outside_the_pairing_sees_nothing(coaching: Any) -> None:
    _plan(coaching, coaching.pia, shared=True)
    outsider = PersonFactory(organization=coaching.program.organization)
    assert actions_to_review(session=_next_session(coaching), viewer=outsider) == []
    plan = _plan(coaching, coaching.cole, shared=True)
    with pytest.raises(Http404):
        plan_for_viewer(viewer=outsider, plan_id=plan.pk)


def test_a_private_note_is_for_its_owner_and_a_shared_one_for_the_pairing(coaching: Any) -> None:
    private = note_create(owner=coaching.pia, pairing=coaching.pairing, body="mine")
    shared = note_create(
        owner=coaching.pia, pairing=coaching.pairing, body="ours", shared_with_pairing=True
    )
    assert list(notes_for_pairing(viewer=coaching.cole, pairing=coaching.pairing)) == [shared]
    with pytest.raises(Http404):
        note_for_viewer(viewer=coaching.cole, note_id=private.pk)
    assert note_for_viewer(viewer=coaching.pia, note_id=private.pk) == private


def test_a_malformed_id_answers_404_not_an_error(coaching: Any) -> None:
    with pytest.raises(Http404):
        plan_for_viewer(viewer=coaching.pia, plan_id="not-a-uuid")
