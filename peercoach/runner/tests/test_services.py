from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.models import QuerySet

from peercoach.meetings.models import CoachingSession, SessionStatus
from peercoach.plans.models import ActionPlan, ActionStatus
from peercoach.plans.selectors import actions_to_review
from peercoach.runner import services
from peercoach.runner.models import SessionOption, SessionRun
from peercoach.runner.scripts import StepKind
from peercoach.runner.selectors import run_view
from peercoach.runner.services import RunnerError
from peercoach.testing.coaching import confirmed_session


def _go_to(run: SessionRun, kind: str, *, turn: int | None = None) -> SessionRun:
    """Move the run to the first step of `kind` (in `turn`), as members pressing Next would."""
    for slot in services.run_slots(run):
        if slot.step.kind == kind and (turn is None or slot.turn == turn):
            SessionRun.all_organizations.filter(pk=run.pk).update(position=slot.position)
            run.refresh_from_db()
            return run
    raise AssertionError(f"no {kind} step")


def _start(group) -> SessionRun:
    return services.run_start(session=group.session, by=group.people[0])


def test_starting_opens_one_shared_run_in_member_order(pair) -> None:
    run = _start(pair)
    again = services.run_start(session=pair.session, by=pair.people[1])
    assert again.pk == run.pk
    assert run.member_ids == [person.pk for person in pair.people]
    pair.session.refresh_from_db()
    assert pair.session.status == SessionStatus.IN_PROGRESS


def test_a_cancelled_session_cannot_be_run(pair) -> None:
    CoachingSession.all_organizations.filter(pk=pair.session.pk).update(status="cancelled")
    pair.session.refresh_from_db()
    with pytest.raises(RunnerError, match="cancelled"):
        _start(pair)


def test_the_run_keeps_the_script_it_started_with(pair, personas) -> None:
    run = _start(pair)
    steps = services.program_steps(pair.program)
    services.script_save(
        program=pair.program,
        steps=[steps[0].__class__(**{**steps[0].as_data(), "title": "Changed"}), *steps[1:]],
        by=personas.pam.memberships.get(),
    )
    run.refresh_from_db()
    assert services.run_slots(run)[0].step.title != "Changed"
    assert services.program_steps(pair.program)[0].title == "Changed"


def test_moving_on_needs_everyone_to_have_agreed(pair) -> None:
    pia, cole = pair.people
    run = _go_to(_start(pair), StepKind.AGREEMENT)
    with pytest.raises(RunnerError, match="everyone has ticked"):
        services.run_advance(run=run, by=pia, from_position=run.position)
    services.run_agree(run=run, by=pia)
    services.run_agree(run=run, by=cole)
    moved = services.run_advance(run=run, by=cole, from_position=run.position)
    assert moved.position == run.position + 1


def test_two_members_pressing_next_at_once_move_one_step(pair) -> None:
    pia, cole = pair.people
    run = _start(pair)
    start = run.position
    services.run_advance(run=run, by=pia, from_position=start)
    after = services.run_advance(run=run, by=cole, from_position=start)
    assert after.position == start + 1


def test_entering_the_second_half_restarts_the_turn_clock(pair) -> None:
    run = _go_to(_start(pair), StepKind.ACTION_PLAN, turn=0)
    SessionRun.all_organizations.filter(pk=run.pk).update(
        turn_started_at=run.turn_started_at - timedelta(minutes=40)
    )
    run.refresh_from_db()
    before = run.turn_started_at
    moved = services.run_advance(run=run, by=pair.people[0], from_position=run.position)
    assert services.current_slot(moved).turn == 1
    assert moved.turn_started_at > before
    roles = services.current_roles(moved)
    assert roles is not None
    assert roles.client == pair.people[1].pk


def test_options_are_sealed_at_rest_and_read_back_for_members(pair) -> None:
    pia, cole = pair.people
    run = _go_to(_start(pair), StepKind.OPTIONS, turn=0)
    services.option_add(
        run=run, by=cole, text="Ask MARKER-OPT for help", pros="MARKER-PRO", cons="MARKER-CON"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT text, pros, cons FROM runner_sessionoption")
        raw = " ".join(cursor.fetchone())
    assert "MARKER" not in raw
    view = run_view(run=run, viewer=pia)
    assert [(o.text, o.pros, o.cons, o.added_by) for o in view.options] == [
        ("Ask MARKER-OPT for help", "MARKER-PRO", "MARKER-CON", "Cole")
    ]


def test_options_are_refused_outside_the_options_step_and_without_words(pair) -> None:
    run = _start(pair)
    with pytest.raises(RunnerError, match="options step"):
        services.option_add(run=run, by=pair.people[0], text="Something")
    run = _go_to(run, StepKind.OPTIONS, turn=0)
    with pytest.raises(RunnerError, match="write the option") as error:
        services.option_add(run=run, by=pair.people[0], text="   ")
    assert error.value.field == "text"
    assert SessionOption.all_organizations.count() == 0


def test_only_the_client_writes_the_plan_once_and_the_next_session_reviews_it(pair) -> None:
    pia, cole = pair.people
    run = _go_to(_start(pair), StepKind.ACTION_PLAN, turn=0)
    with pytest.raises(RunnerError, match="client"):
        services.run_plan_save(run=run, by=cole, goal="Not mine", actions=[])
    plan = services.run_plan_save(
        run=run,
        by=pia,
        goal="Speak up in planning",
        actions=[("Bring one idea on Monday", date.today() + timedelta(days=5)), ("", None)],
    )
    assert plan.owner_id == pia.pk
    assert plan.session_id == pair.session.pk
    with pytest.raises(RunnerError, match="already saved"):
        services.run_plan_save(run=run, by=pia, goal="Again", actions=[])

    later = confirmed_session(pair.pairing, starts_at=pair.session.starts_at + timedelta(days=14))
    review = actions_to_review(session=later, viewer=pia)
    assert [a.text for group in review for p in group.plans for a in p.open_actions] == [
        "Bring one idea on Monday"
    ]


def test_reviewing_marks_an_action_done_or_keeps_it_going(pair) -> None:
    pia, cole = pair.people
    run = _go_to(_start(pair), StepKind.ACTION_PLAN, turn=0)
    services.run_plan_save(
        run=run, by=pia, goal="Goal", actions=[("First", None), ("Second", None)]
    )
    later = confirmed_session(pair.pairing, starts_at=pair.session.starts_at + timedelta(days=14))
    next_run = services.run_start(session=later, by=cole)
    first, second = ActionPlan.all_organizations.get().actions.order_by("position")
    with pytest.raises(RunnerError, match="Only the person who planned"):
        services.review_mark(run=next_run, by=cole, action=first, outcome="done")
    services.review_mark(run=next_run, by=pia, action=first, outcome="done")
    next_run = services.review_mark(run=next_run, by=pia, action=second, outcome="going")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == (ActionStatus.DONE, ActionStatus.OPEN)
    view = run_view(run=next_run, viewer=pia)
    outcomes = [a.outcome for group in view.review for p in group.plans for a in p.actions]
    assert outcomes == ["going"]


def test_the_observer_writes_notes_only_the_coach_and_observer_read(triad) -> None:
    pia, cole, tess = triad.people
    run = _go_to(_start(triad), StepKind.OPTIONS, turn=0)
    assert run.with_observer
    with pytest.raises(RunnerError, match="observer"):
        services.observer_note_add(run=run, by=cole, text="Self praise")
    services.observer_note_add(run=run, by=tess, text="You summed up well")
    assert [n.text for n in run_view(run=run, viewer=cole).notes] == ["You summed up well"]
    assert [n.text for n in run_view(run=run, viewer=tess).notes] == ["You summed up well"]
    assert run_view(run=run, viewer=pia).notes == []


def test_in_a_circle_only_the_client_says_thank_you(circle) -> None:
    pia, cole = circle.people[:2]
    run = _go_to(_start(circle), StepKind.FEEDFORWARD, turn=0)
    with pytest.raises(RunnerError, match="thank you"):
        services.run_thank(run=run, by=cole)
    assert services.run_thank(run=run, by=pia).thanks_given == 1
    assert run_view(run=run, viewer=cole).is_group


def test_finishing_marks_the_session_finished_and_freezes_the_run(pair) -> None:
    pia, cole = pair.people
    run = services.run_finish(run=_start(pair), by=cole)
    pair.session.refresh_from_db()
    assert pair.session.status == SessionStatus.FINISHED
    with pytest.raises(RunnerError, match="finished"):
        services.run_advance(run=run, by=pia, from_position=run.position)


def test_someone_outside_the_pairing_cannot_change_the_run(pair, triad) -> None:
    run = _start(pair)
    outsider = triad.people[2]
    with pytest.raises(RunnerError, match="Only the members"):
        services.run_agree(run=run, by=outsider)


def test_a_program_script_can_be_reset_to_the_standard_one(pair, personas) -> None:
    steps = services.program_steps(pair.program)
    services.script_save(program=pair.program, steps=steps[1:], by=personas.pam.memberships.get())
    assert len(services.program_steps(pair.program)) == len(steps) - 1
    services.script_reset(program=pair.program)
    assert services.program_steps(pair.program) == steps


def test_a_script_without_turns_is_refused_and_nothing_is_saved(pair, personas) -> None:
    steps = [s for s in services.program_steps(pair.program) if s.part != "turn"]
    with pytest.raises(RunnerError, match="each person's turn"):
        services.script_save(program=pair.program, steps=steps, by=personas.pam.memberships.get())
    assert not hasattr(pair.program, "session_script")


def test_two_members_pressing_start_at_once_share_one_run(pair, monkeypatch) -> None:
    pia, cole = pair.people
    first = services.run_start(session=pair.session, by=pia)
    real_first = QuerySet.first
    missed: list[bool] = []

    def first_not_seen_yet(queryset: QuerySet) -> object:
        # As if Cole's check ran just before Pia's run was written.
        if queryset.model is SessionRun and not missed:
            missed.append(True)
            return None
        return real_first(queryset)

    monkeypatch.setattr(QuerySet, "first", first_not_seen_yet)
    second = services.run_start(session=pair.session, by=cole)
    assert missed == [True]
    assert second.pk == first.pk
