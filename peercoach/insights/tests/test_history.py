"""A person's own history: their pairings, sessions, plans and coaching, and nobody else's."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peercoach.feedback.tests import samples as feedback_samples
from peercoach.insights.history import history_for
from peercoach.meetings.models import AttendanceOutcome, CoachingSession, SessionStatus
from peercoach.meetings.services import attendance_record
from peercoach.people.models import Person
from peercoach.plans.models import ActionStatus
from peercoach.plans.services import (
    ActionDraft,
    action_plan_start,
    action_set_status,
    note_create,
)
from peercoach.programs.models import Pairing, Program
from peercoach.runner import services as runner
from peercoach.testing.coaching import active_pairing, confirmed_session
from peercoach.testing.factories import (
    MembershipFactory,
    PersonFactory,
    ProgramFactory,
    UserFactory,
)

URL = reverse("history:mine")


def new_person(personas: Any, **fields: Any) -> Person:
    person: Person = PersonFactory(organization=personas.acme, **fields)
    return person


def past_session(pairing: Pairing, *, days_ago: int = 3) -> CoachingSession:
    starts_at = timezone.now().replace(microsecond=0) - timedelta(days=days_ago)
    return confirmed_session(pairing, starts_at=starts_at)


@pytest.fixture
def program(personas: Any) -> Program:
    program: Program = ProgramFactory(organization=personas.acme, name="Listening Lab")
    return program


@pytest.fixture
def pairing(personas: Any, program: Program) -> Pairing:
    return active_pairing(program, [personas.pia_person, personas.colleague])


def test_a_participant_sees_their_pairings_sessions_ratings_and_plans(
    personas: Any, pairing: Pairing
) -> None:
    session = past_session(pairing)
    attendance_record(
        session=session, by=personas.pia_person, outcome=AttendanceOutcome.HELD, rating=4
    )
    plan = action_plan_start(
        owner=personas.pia_person,
        pairing=pairing,
        goal="Say no to one meeting a week",
        actions=[ActionDraft("Decline the Thursday sync"), ActionDraft("Block focus time")],
    )
    action_set_status(
        action=plan.actions.order_by("position")[0],
        by=personas.pia_person,
        status=ActionStatus.DONE,
    )

    page = personas.client_for(personas.pia).get(URL).content.decode()

    assert "Listening Lab" in page
    assert "Cole League" in page
    assert "We met" in page
    assert "4 of 5" in page
    assert "Say no to one meeting a week" in page
    assert "Decline the Thursday sync" in page
    assert "1 of 2 actions done" in page
    assert reverse("meetings:session", args=[session.pk]) in page
    assert reverse("plans:detail", args=[plan.pk]) in page


def test_another_persons_plans_notes_and_marks_never_appear(
    personas: Any, pairing: Pairing
) -> None:
    session = past_session(pairing)
    attendance_record(
        session=session, by=personas.colleague, outcome=AttendanceOutcome.MISSED, rating=1
    )
    # Shared with the pairing, so pia may read it on the plans pages; still not her history.
    action_plan_start(
        owner=personas.colleague,
        pairing=pairing,
        goal="Colleague goal kept off pia's history",
        actions=[ActionDraft("Colleague action kept off pia's history")],
        shared_with_pairing=True,
    )
    note_create(
        owner=personas.colleague,
        pairing=pairing,
        body="Colleague note kept off pia's history",
        shared_with_pairing=True,
    )

    history = history_for(person=personas.pia_person)
    page = personas.client_for(personas.pia).get(URL).content.decode()

    assert history.plans == []
    assert "kept off pia" not in page
    assert "We didn&#x27;t meet" not in page
    assert "We didn't meet" not in page
    assert "1 of 5" not in page
    assert "Not marked yet" in page  # pia's own mark is missing, whatever cole said


def test_admins_managers_and_sponsors_see_only_their_own_history(
    personas: Any, pairing: Pairing
) -> None:
    past_session(pairing)
    action_plan_start(owner=personas.pia_person, pairing=pairing, goal="Pia's private goal")

    for user in (personas.ada, personas.pam, personas.sid):
        response = personas.client_for(user).get(URL)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Pia's private goal" not in page
        assert "Listening Lab" not in page
        assert "no coaching history" in page


def test_an_admin_who_also_takes_part_sees_their_own_history_not_others(
    personas: Any, program: Program, pairing: Pairing
) -> None:
    admin_person = new_person(personas, full_name="Adele Admin")
    admin = UserFactory(email="adele@acme.test")
    MembershipFactory(
        organization=personas.acme, user=admin, person=admin_person, is_organization_admin=True
    )
    own = active_pairing(
        ProgramFactory(organization=personas.acme, name="Own Program"),
        [
            admin_person,
            new_person(personas, full_name="Otis Other"),
        ],
    )
    action_plan_start(owner=admin_person, pairing=own, goal="Adele's own goal")
    action_plan_start(owner=personas.pia_person, pairing=pairing, goal="Pia's private goal")

    page = personas.client_for(admin).get(URL).content.decode()

    assert "Adele&#x27;s own goal" in page or "Adele's own goal" in page
    assert "Otis Other" in page
    assert "Pia's private goal" not in page
    assert "Pia&#x27;s private goal" not in page
    assert "Listening Lab" not in page


def test_another_organization_sees_nothing_of_acme(personas: Any, pairing: Pairing) -> None:
    action_plan_start(owner=personas.pia_person, pairing=pairing, goal="Pia's private goal")

    page = personas.client_for(personas.otto).get(URL).content.decode()

    assert "Listening Lab" not in page
    assert "Pia" not in page


def test_a_held_session_without_the_runner_counts_as_coaching_given_and_received(
    personas: Any, pairing: Pairing
) -> None:
    held = past_session(pairing, days_ago=10)
    missed = past_session(pairing, days_ago=3)
    attendance_record(session=held, by=personas.pia_person, outcome=AttendanceOutcome.HELD)
    attendance_record(session=missed, by=personas.pia_person, outcome=AttendanceOutcome.MISSED)

    history = history_for(person=personas.pia_person)

    assert history.session_count == 2
    assert (history.coaching.given, history.coaching.received) == (1, 1)
    assert history.coaching.from_guided_sessions == 0


def test_the_runner_says_who_coached_whom_in_a_triad(personas: Any) -> None:
    program = ProgramFactory(organization=personas.acme, format="triads")
    third = new_person(personas, full_name="Theo Third")
    triad = active_pairing(program, [personas.pia_person, personas.colleague, third])
    session = past_session(triad)
    run = runner.run_start(session=session, by=personas.pia_person)
    # Stop at the end of the first turn: its client was coached, its coach coached.
    first_turn = [slot.position for slot in runner.run_slots(run) if slot.turn == 0]
    run.position = first_turn[-1]
    run.save(update_fields=["position"])
    client_id, coach_id = run.member_ids[0], run.member_ids[1]
    people = {
        p.pk: p for p in Person.objects.in_organization(personas.acme).filter(pk__in=run.member_ids)
    }

    client = history_for(person=people[client_id]).coaching
    coach = history_for(person=people[coach_id]).coaching

    assert (client.given, client.received, client.from_guided_sessions) == (0, 1, 1)
    assert (coach.given, coach.received) == (1, 0)


def test_a_finished_guided_session_counts_both_ways_for_everyone(
    personas: Any, pairing: Pairing
) -> None:
    session = past_session(pairing)
    run = runner.run_start(session=session, by=personas.pia_person)
    runner.run_finish(run=run, by=personas.pia_person)

    coaching = history_for(person=personas.colleague).coaching

    assert (coaching.given, coaching.received, coaching.from_guided_sessions) == (1, 1, 1)


def test_feedback_given_and_received_are_counted(personas: Any) -> None:
    feedback_samples.feedback_to_pia(personas)

    assert history_for(person=personas.pia_person).feedback.received == 1
    assert history_for(person=personas.colleague).feedback.given == 1
    assert history_for(person=personas.colleague).feedback.received == 0


def test_sessions_after_leaving_a_pairing_are_not_in_the_history(
    personas: Any, pairing: Pairing
) -> None:
    before = past_session(pairing, days_ago=20)
    after = past_session(pairing, days_ago=2)
    pairing.members.filter(person=personas.pia_person).update(
        left_at=timezone.now() - timedelta(days=10)
    )

    sessions = [entry.session.pk for entry in history_for(person=personas.pia_person).sessions]

    assert sessions == [before.pk]
    assert after.pk not in sessions


def test_cancelled_and_future_sessions_are_left_out(personas: Any, pairing: Pairing) -> None:
    cancelled = past_session(pairing, days_ago=4)
    CoachingSession.objects.in_organization(personas.acme).filter(pk=cancelled.pk).update(
        status=SessionStatus.CANCELLED
    )
    confirmed_session(pairing)  # tomorrow

    assert history_for(person=personas.pia_person).session_count == 0


def _grow_history(personas: Any, times: int) -> None:
    for number in range(times):
        program = ProgramFactory(organization=personas.acme, allows_several_pairings=True)
        peer = new_person(personas)
        pairing = active_pairing(program, [personas.pia_person, peer])
        session = past_session(pairing, days_ago=number + 1)
        attendance_record(
            session=session, by=personas.pia_person, outcome=AttendanceOutcome.HELD, rating=5
        )
        if number % 2:
            runner.run_start(session=session, by=peer)
        action_plan_start(
            owner=personas.pia_person,
            pairing=pairing,
            goal=f"Goal {number}",
            actions=[ActionDraft(f"Step {number}a"), ActionDraft(f"Step {number}b")],
        )
        feedback_samples.feedback_to_pia(personas)


def _queries_for_page(personas: Any) -> int:
    client = personas.client_for(personas.pia)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_however_long_the_history(personas: Any) -> None:
    _grow_history(personas, 1)
    small = _queries_for_page(personas)
    _grow_history(personas, 6)
    large = _queries_for_page(personas)

    assert large == small


def test_the_history_is_read_in_eight_queries(
    personas: Any, django_assert_num_queries: Any
) -> None:
    _grow_history(personas, 3)
    person = Person.objects.in_organization(personas.acme).get(pk=personas.pia_person.pk)

    # Pairings and their members; sessions and own marks; plans, actions, check-ins; feedback.
    with django_assert_num_queries(8):
        history = history_for(person=person)
        [entry.plan.goal for entry in history.plans]

    assert len(history.plans) == 3
    assert history.session_count == 3


def test_a_guided_session_stopped_before_any_turn_counts_as_held(
    personas: Any, pairing: Pairing
) -> None:
    session = past_session(pairing)
    runner.run_start(session=session, by=personas.colleague)  # still on the opening step
    attendance_record(session=session, by=personas.pia_person, outcome=AttendanceOutcome.HELD)

    coaching = history_for(person=personas.pia_person).coaching

    assert (coaching.given, coaching.received, coaching.from_guided_sessions) == (1, 1, 0)
