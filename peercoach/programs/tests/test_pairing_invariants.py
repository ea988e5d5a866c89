"""Whatever people do, in whatever order, the pairing rules hold.

Hypothesis plays random sequences of proposals, answers, pauses, exits and sweeps over a small
program; after every step we check the invariants:
- nobody has more than one current (active or paused) pairing in the program;
- a current pairing is one that every member said yes to;
- the database flag behind the unique index agrees with the pairing's status;
- nobody is ever paired with someone above or below them in the reporting line.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peercoach.programs.pairing_models import (
    CURRENT_STATUSES,
    MemberResponse,
    Pairing,
    PairingMember,
)
from peercoach.programs.pairing_services import (
    PairingError,
    pairing_accept,
    pairing_decline,
    pairing_leave,
    pairing_pause,
    pairing_propose,
    pairing_resume,
)
from peercoach.programs.sweep import pairings_sweep
from peercoach.programs.tests.conftest import enroll
from peercoach.testing.factories import PersonFactory, ProgramFactory

pytestmark = pytest.mark.django_db

PEOPLE = 5
MEMBER_ACTIONS = [pairing_accept, pairing_decline, pairing_leave, pairing_pause, pairing_resume]

propose = st.tuples(st.just("propose"), st.sets(st.integers(0, PEOPLE - 1), min_size=2, max_size=3))
act = st.tuples(
    st.sampled_from(range(len(MEMBER_ACTIONS))), st.integers(0, 20), st.integers(0, PEOPLE - 1)
)
sweep = st.tuples(st.just("sweep"), st.integers(1, 60))
steps = st.lists(st.one_of(propose, act, sweep), min_size=1, max_size=25)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=steps)
def test_the_pairing_rules_hold_after_any_sequence_of_steps(personas, steps):
    with transaction.atomic():
        program = ProgramFactory(organization=personas.acme)
        boss = PersonFactory(organization=personas.acme, full_name="Boss")
        people = [boss] + [
            PersonFactory(organization=personas.acme, manager=boss if i == 1 else None)
            for i in range(1, PEOPLE)
        ]
        enrollments = [enroll(program, person) for person in people]
        pairings: list[Pairing] = []
        now = timezone.now()
        for step in steps:
            try:
                if step[0] == "propose":
                    chosen = [enrollments[i] for i in sorted(step[1])]
                    pairings.append(pairing_propose(program=program, enrollments=chosen, now=now))
                elif step[0] == "sweep":
                    now += timedelta(days=step[1])
                    pairings_sweep(now=now)
                elif pairings:
                    action = MEMBER_ACTIONS[step[0]]
                    pairing = pairings[step[1] % len(pairings)]
                    action(pairing=pairing, by=people[step[2]], now=now)
            except PairingError:
                pass  # refused with a message: the rules said no, which is fine
            check_invariants(program, people)
        transaction.set_rollback(True)


def check_invariants(program, people) -> None:
    members = list(
        PairingMember.objects.in_organization(program.organization_id)
        .filter(program=program)
        .select_related("pairing", "person")
    )
    current_by_person: dict[int, int] = {}
    for member in members:
        is_current = member.pairing.status in CURRENT_STATUSES
        assert member.is_current == is_current
        if is_current:
            current_by_person[member.person_id] = current_by_person.get(member.person_id, 0) + 1
            assert member.response == MemberResponse.ACCEPTED
    assert all(count <= 1 for count in current_by_person.values())
    by_pairing: dict[int, list[PairingMember]] = {}
    for member in members:
        by_pairing.setdefault(member.pairing_id, []).append(member)
    for group in by_pairing.values():
        for index, first in enumerate(group):
            for second in group[index + 1 :]:
                assert not first.person.is_in_management_chain_of(second.person)
