"""The state table, checked exhaustively: each (from, to, actor) is allowed or refused as listed."""

from __future__ import annotations

import itertools

import pytest

from peercoach.programs.enrollment_states import (
    TRANSITIONS,
    Actor,
    TransitionRefused,
    check_transition,
    is_allowed,
)
from peercoach.programs.models import EnrollmentStatus as S

A = Actor

# Written out independently of the table, one line per allowed change.
ALLOWED = {
    (None, S.ACTIVE, A.PERSON),
    (None, S.NOMINATED, A.COLLEAGUE),
    (None, S.INVITED, A.PROGRAM_MANAGER),
    (S.NOMINATED, S.ACTIVE, A.PERSON),
    (S.NOMINATED, S.DECLINED, A.PERSON),
    (S.NOMINATED, S.LEFT, A.SYSTEM),  # left the organization (HR import)
    (S.INVITED, S.ACTIVE, A.PERSON),
    (S.INVITED, S.LEFT, A.PERSON),
    (S.INVITED, S.LEFT, A.SYSTEM),
    (S.ACTIVE, S.PAUSED, A.PERSON),
    (S.ACTIVE, S.LEFT, A.PERSON),
    (S.ACTIVE, S.LEFT, A.SYSTEM),
    (S.PAUSED, S.ACTIVE, A.PERSON),
    (S.PAUSED, S.ACTIVE, A.SYSTEM),
    (S.PAUSED, S.LEFT, A.PERSON),
    (S.PAUSED, S.LEFT, A.SYSTEM),
    (S.LEFT, S.ACTIVE, A.PERSON),
    (S.DECLINED, S.ACTIVE, A.PERSON),
}

EVERY_CHANGE = list(itertools.product([None, *S], list(S), list(A)))


@pytest.mark.parametrize(("from_status", "to_status", "actor"), EVERY_CHANGE)
def test_each_change_is_allowed_exactly_when_listed(from_status, to_status, actor):
    expected = (from_status, to_status, actor) in ALLOWED
    assert is_allowed(from_status, to_status, actor) is expected
    if expected:
        check_transition(from_status, to_status, actor)
    else:
        with pytest.raises(TransitionRefused) as refused:
            check_transition(from_status, to_status, actor)
        assert refused.value.message  # always a sentence for the person who asked


def test_the_table_lists_nothing_beyond_the_allowed_changes():
    listed = {
        (from_status, to_status, actor)
        for from_status, targets in TRANSITIONS.items()
        for to_status, actors in targets.items()
        for actor in actors
    }
    assert listed == ALLOWED


def test_only_the_person_can_make_anyone_take_part():
    makes_active = {actor for (_, to_status, actor) in ALLOWED if to_status == S.ACTIVE}
    assert makes_active == {A.PERSON, A.SYSTEM}  # the system only ends a pause the person chose
    assert {f for (f, t, a) in ALLOWED if t == S.ACTIVE and a == A.SYSTEM} == {S.PAUSED}


def test_anyone_taking_part_can_always_leave():
    for status in (S.INVITED, S.ACTIVE, S.PAUSED):
        assert is_allowed(status, S.LEFT, A.PERSON)


def test_a_refusal_to_a_person_says_where_they_stand():
    with pytest.raises(TransitionRefused, match="already taking part"):
        check_transition(S.ACTIVE, S.ACTIVE, A.PERSON)


def test_a_manager_is_told_only_the_person_can_decide():
    with pytest.raises(TransitionRefused, match="Only the person"):
        check_transition(S.INVITED, S.ACTIVE, A.PROGRAM_MANAGER)


def test_the_system_only_ends_a_pause_or_closes_the_place_of_someone_who_left_the_organization():
    by_system = {(f, t) for (f, t, a) in ALLOWED if a == A.SYSTEM}
    assert by_system == {
        (S.PAUSED, S.ACTIVE),
        (S.NOMINATED, S.LEFT),
        (S.INVITED, S.LEFT),
        (S.ACTIVE, S.LEFT),
        (S.PAUSED, S.LEFT),
    }
