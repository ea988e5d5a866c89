"""Every pairing status change, for every actor: the allowed ones pass, all others are refused.

The list below is the specification, written out by hand; the table in pairing_states.py must
agree with it exactly, so a change to either shows up here.
"""

from __future__ import annotations

import itertools

import pytest

from peercoach.programs.pairing_models import PairingStatus as S
from peercoach.programs.pairing_states import (
    TRANSITIONS,
    Actor,
    TransitionRefused,
    check_transition,
    is_allowed,
)

M, PM, SYS = Actor.MEMBER, Actor.PROGRAM_MANAGER, Actor.SYSTEM

ALLOWED = {
    (None, S.PROPOSED, PM),
    (None, S.PROPOSED, SYS),
    (None, S.INVITED, PM),
    (None, S.INVITED, SYS),
    (None, S.ACTIVE, M),
    (S.PROPOSED, S.INVITED, PM),
    (S.PROPOSED, S.INVITED, SYS),
    (S.PROPOSED, S.EXPIRED, SYS),
    (S.INVITED, S.ACTIVE, M),
    (S.INVITED, S.DECLINED, M),
    (S.INVITED, S.EXPIRED, SYS),
    (S.ACTIVE, S.PAUSED, M),
    (S.ACTIVE, S.ENDED, M),
    (S.ACTIVE, S.ENDED, SYS),
    (S.ACTIVE, S.COMPLETED, SYS),
    (S.PAUSED, S.ACTIVE, M),
    (S.PAUSED, S.ACTIVE, SYS),  # a member's pause of their place in the program is over
    (S.PAUSED, S.ENDED, M),
    (S.PAUSED, S.ENDED, SYS),
    (S.PAUSED, S.COMPLETED, SYS),
}

EVERY_CHANGE = list(itertools.product([None, *S], list(S), list(Actor)))


@pytest.mark.parametrize(("current", "target", "actor"), EVERY_CHANGE)
def test_each_change_is_allowed_exactly_when_the_specification_says(current, target, actor):
    expected = (current, target, actor) in ALLOWED
    assert is_allowed(current, target, actor) is expected
    if expected:
        check_transition(current, target, actor)
    else:
        with pytest.raises(TransitionRefused) as refused:
            check_transition(current, target, actor)
        assert refused.value.message  # always a sentence for the person who asked


def test_the_table_has_a_row_for_every_status_and_nothing_else():
    assert set(TRANSITIONS) == {None, *S}
    listed = {
        (current, target, actor)
        for current, targets in TRANSITIONS.items()
        for target, actors in targets.items()
        for actor in actors
    }
    assert listed == ALLOWED


def test_a_program_manager_can_never_end_or_activate_anyones_pairing():
    for current in [None, *S]:
        for target in (S.ACTIVE, S.ENDED, S.PAUSED, S.DECLINED):
            assert not is_allowed(current, target, PM)


def test_ended_completed_declined_and_expired_are_final():
    for final in (S.ENDED, S.COMPLETED, S.DECLINED, S.EXPIRED):
        assert not any(is_allowed(final, target, actor) for target in S for actor in Actor)


def test_a_refusal_to_someone_else_explains_that_only_members_decide():
    with pytest.raises(TransitionRefused) as refused:
        check_transition(S.ACTIVE, S.ENDED, PM)
    assert refused.value.message == "Only the members of this pairing can make this change."
    with pytest.raises(TransitionRefused) as refused:
        check_transition(S.DECLINED, S.ACTIVE, M)
    assert refused.value.message == "This match didn't go ahead."


def test_statuses_given_as_plain_strings_are_understood():
    check_transition("invited", S.ACTIVE, M)
