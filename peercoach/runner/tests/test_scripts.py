from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peercoach.programs.models import ProgramFormat
from peercoach.runner import scripts
from peercoach.runner.scripts import Part, ScriptError, StepKind


@pytest.mark.parametrize("program_format", ProgramFormat.values)
def test_every_format_has_a_script_that_parses(program_format: str) -> None:
    steps = scripts.template_steps(program_format)
    assert any(step.part == Part.TURN for step in steps)
    assert all(step.title and step.prompt for step in steps)


def test_the_pairs_script_follows_the_practice_in_order() -> None:
    kinds = [step.kind for step in scripts.template_steps(ProgramFormat.RECIPROCAL_PAIRS)]
    assert kinds.index(StepKind.REVIEW) < kinds.index(StepKind.AGREEMENT)
    assert kinds.index(StepKind.AGREEMENT) < kinds.index(StepKind.CLIENT_TURN)
    assert kinds.index(StepKind.CLIENT_TURN) < kinds.index(StepKind.OPTIONS)
    assert kinds.index(StepKind.OPTIONS) < kinds.index(StepKind.ACTION_PLAN)
    assert kinds[-1] == StepKind.THANKS


def test_triads_give_the_observer_a_step_and_circles_a_thank_you() -> None:
    triad_kinds = {step.kind for step in scripts.template_steps(ProgramFormat.TRIADS)}
    circle_kinds = {step.kind for step in scripts.template_steps(ProgramFormat.FEEDFORWARD_CIRCLES)}
    assert StepKind.OBSERVER_CHECKLIST in triad_kinds
    assert StepKind.FEEDFORWARD in circle_kinds
    assert StepKind.OPTIONS not in circle_kinds


def test_rotation_rounds_borrow_the_pairs_script() -> None:
    assert scripts.template_steps(ProgramFormat.ROTATION_ROUNDS) == scripts.template_steps(
        ProgramFormat.RECIPROCAL_PAIRS
    )


def test_the_timeline_repeats_the_turn_once_per_member() -> None:
    steps = scripts.template_steps(ProgramFormat.RECIPROCAL_PAIRS)
    per_turn = sum(1 for step in steps if step.part == Part.TURN)
    slots = scripts.timeline(steps, turns=2)
    assert len(slots) == len(steps) + per_turn
    assert [slot.position for slot in slots] == list(range(len(slots)))
    assert [slot.turn for slot in slots if slot.step.kind == StepKind.ACTION_PLAN] == [0, 1]
    assert slots[0].turn is None
    assert slots[-1].turn is None


def test_steps_are_put_in_running_order_whatever_order_they_were_listed_in() -> None:
    steps = scripts.steps_from_data(
        [
            {"part": "closing", "kind": "thanks", "title": "Bye", "minutes": 1},
            {"part": "turn", "kind": "prompt", "title": "Ask", "minutes": 3},
            {"part": "opening", "kind": "agreement", "title": "Promise", "minutes": 1},
        ]
    )
    assert [step.title for step in steps] == ["Promise", "Ask", "Bye"]


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ({"part": "turn", "kind": "dance", "title": "x"}, "unknown kind"),
        ({"part": "middle", "kind": "prompt", "title": "x"}, "unknown part"),
        ({"part": "turn", "kind": "prompt", "title": ""}, "needs a title"),
        ({"part": "turn", "kind": "prompt", "title": "x", "minutes": 500}, "minutes"),
        ({"part": "turn", "kind": "prompt"}, "incomplete"),
    ],
)
def test_a_broken_step_is_refused_with_a_message_naming_it(broken: dict, message: str) -> None:
    with pytest.raises(ScriptError, match=message):
        scripts.steps_from_data([broken])


def test_a_script_without_turn_steps_is_refused() -> None:
    with pytest.raises(ScriptError, match="each person's turn"):
        scripts.steps_from_data([{"part": "opening", "kind": "agreement", "title": "Promise"}])


def test_in_a_pair_the_roles_switch_for_the_second_half() -> None:
    first = scripts.roles_for_turn([10, 20], 0, with_observer=False)
    second = scripts.roles_for_turn([10, 20], 1, with_observer=False)
    assert (first.client, first.coach) == (10, 20)
    assert (second.client, second.coach) == (20, 10)


def test_in_a_triad_client_coach_and_observer_rotate_each_round() -> None:
    rounds = [scripts.roles_for_turn([1, 2, 3], turn, with_observer=True) for turn in range(3)]
    assert [(r.client, r.coach, r.observer) for r in rounds] == [(1, 2, 3), (2, 3, 1), (3, 1, 2)]


@given(size=st.integers(min_value=2, max_value=7), with_observer=st.booleans())
def test_everyone_is_the_client_exactly_once_and_never_coaches_themselves(
    size: int, with_observer: bool
) -> None:
    members = list(range(100, 100 + size))
    turns = [scripts.roles_for_turn(members, t, with_observer=with_observer) for t in range(size)]
    assert sorted(roles.client for roles in turns) == members
    for roles in turns:
        helpers = {*roles.coaches, roles.coach, roles.observer} - {None}
        assert roles.client not in helpers
        assert helpers <= set(members)


def test_prompts_name_people_by_role_and_read_plainly_without_them() -> None:
    prompt = "{coach}, ask {client} what they tried. {observer}, watch."
    named = scripts.fill_prompt(prompt, {"client": "Pia", "coach": "Cole", "observer": ""})
    assert named == "Cole, ask Pia what they tried. the observer, watch."
