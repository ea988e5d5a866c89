"""Rotation rounds on the cadence, with a frozen clock: every moment is passed in as `now`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peercoach.programs.matching_models import MatchingRun, RunStatus
from peercoach.programs.models import ProgramFormat, ProgramStatus
from peercoach.programs.pairing_models import InboxKind, InboxMessage, Pairing, PairingStatus
from peercoach.programs.rotation_rounds import ROUND_KEY
from peercoach.programs.sweep import pairings_sweep
from peercoach.programs.tests.conftest import enroll

pytestmark = pytest.mark.django_db

START = timezone.now()


@pytest.fixture
def rotation(program):
    program.format = ProgramFormat.ROTATION_ROUNDS
    program.status = ProgramStatus.RUNNING
    program.allows_several_pairings = True  # random coffee: everyone meets someone new each round
    program.cadence_interval, program.cadence_unit = 2, "weeks"
    program.save()
    for _ in range(4):
        enroll(program)
    return program


def runs(program) -> list[MatchingRun]:
    return list(
        MatchingRun.objects.in_organization(program.organization_id)
        .filter(program=program)
        .order_by("pk")
    )


def sweep(at, capture):
    # The background tasks run at once, when the sweep's transactions commit.
    with capture(execute=True):
        return pairings_sweep(now=at)


def test_a_round_is_started_then_published_and_never_twice_for_the_same_round(
    rotation, django_capture_on_commit_callbacks
):
    first = sweep(START, django_capture_on_commit_callbacks)
    assert first.rotation_rounds_started == 1
    assert [run.status for run in runs(rotation)] == [RunStatus.FINISHED]

    second = sweep(START, django_capture_on_commit_callbacks)
    assert (second.rotation_rounds_started, second.rotation_rounds_published) == (0, 1)
    [run] = runs(rotation)
    assert run.status == RunStatus.PUBLISHED
    assert run.started_by is None
    assert run.parameters[ROUND_KEY] == START.isoformat()

    third = sweep(START + timedelta(days=13), django_capture_on_commit_callbacks)
    assert (third.rotation_rounds_started, third.rotation_rounds_published) == (0, 0)
    assert len(runs(rotation)) == 1

    next_round = sweep(START + timedelta(weeks=2), django_capture_on_commit_callbacks)
    assert next_round.rotation_rounds_started == 1
    assert len(runs(rotation)) == 2
    again = sweep(START + timedelta(weeks=2), django_capture_on_commit_callbacks)
    assert again.rotation_rounds_started == 0
    assert len(runs(rotation)) == 2


def test_a_published_round_asks_every_member_for_their_yes(
    rotation, django_capture_on_commit_callbacks
):
    sweep(START, django_capture_on_commit_callbacks)
    sweep(START, django_capture_on_commit_callbacks)

    pairings = Pairing.objects.in_organization(rotation.organization_id).filter(program=rotation)
    assert pairings.count() == 2
    assert {p.status for p in pairings} == {PairingStatus.INVITED}
    invitations = InboxMessage.objects.in_organization(rotation.organization_id).filter(
        kind=InboxKind.INVITATION
    )
    assert invitations.count() == 4


@pytest.mark.parametrize(
    "change",
    [
        {"format": ProgramFormat.RECIPROCAL_PAIRS},
        {"status": ProgramStatus.OPEN},
        {"status": ProgramStatus.FINISHED},
    ],
)
def test_only_running_rotation_programs_get_rounds(
    rotation, change, django_capture_on_commit_callbacks
):
    for field, value in change.items():
        setattr(rotation, field, value)
    rotation.save()

    assert sweep(START, django_capture_on_commit_callbacks).rotation_rounds_started == 0
    assert runs(rotation) == []


def test_a_program_managers_run_waiting_for_review_holds_the_round_back(
    personas, rotation, django_capture_on_commit_callbacks
):
    from peercoach.programs.matching_services import matching_run_start
    from peercoach.programs.tests.conftest import membership_of

    with django_capture_on_commit_callbacks(execute=True):
        matching_run_start(program=rotation, started_by=membership_of(personas.pam))

    result = sweep(START, django_capture_on_commit_callbacks)

    assert (result.rotation_rounds_started, result.rotation_rounds_published) == (0, 0)
    assert [run.status for run in runs(rotation)] == [RunStatus.FINISHED]


def test_the_cadence_in_days_is_the_programs(rotation, django_capture_on_commit_callbacks):
    rotation.cadence_interval, rotation.cadence_unit = 3, "days"
    rotation.save()
    sweep(START, django_capture_on_commit_callbacks)
    sweep(START, django_capture_on_commit_callbacks)

    later = START + timedelta(days=2)
    assert sweep(later, django_capture_on_commit_callbacks).rotation_rounds_started == 0
    later = START + timedelta(days=3)
    assert sweep(later, django_capture_on_commit_callbacks).rotation_rounds_started == 1


def test_the_program_manager_sees_the_round_among_the_runs(
    personas, rotation, django_capture_on_commit_callbacks
):
    sweep(START, django_capture_on_commit_callbacks)

    page = personas.client_for(personas.pam).get(reverse("programs:manage", args=[rotation.pk]))

    assert "a new round on the program's rhythm: it goes out on its own" in page.text
