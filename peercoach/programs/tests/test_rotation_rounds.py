"""Rotation rounds on the cadence, with a frozen clock: every moment is passed in as `now`."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from peercoach.programs.matching_models import MatchingRun, RunStatus
from peercoach.programs.models import Enrollment, ProgramFormat, ProgramStatus
from peercoach.programs.pairing_models import InboxKind, InboxMessage, Pairing, PairingStatus
from peercoach.programs.pairing_services import pairing_accept
from peercoach.programs.rotation_rounds import ROUND_KEY
from peercoach.programs.services import enrollment_pause
from peercoach.programs.sweep import pairings_sweep
from peercoach.programs.tests.conftest import days_from_today, enroll

pytestmark = pytest.mark.django_db

START = timezone.now()


@pytest.fixture(autouse=True)
def clock_starts_with_the_test() -> None:
    # Taken again for every test, not only at import: a run that crosses midnight would
    # otherwise compare yesterday's clock with today's dates.
    global START
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


# ---------------------------------------------------------------------------------------------
# A round ends when the next one starts


@pytest.fixture
def one_at_a_time(rotation):
    """A rotation program where a person has one pairing at a time."""
    rotation.allows_several_pairings = False
    rotation.save()
    return rotation


def everyone_says_yes(program) -> None:
    invited = Pairing.objects.in_organization(program.organization_id).filter(
        program=program, status=PairingStatus.INVITED
    )
    for pairing in invited:
        for member in pairing.members.select_related("person"):
            pairing_accept(pairing=pairing, by=member.person, now=START)


def statuses(program) -> dict[int, str]:
    return dict(
        Pairing.objects.in_organization(program.organization_id)
        .filter(program=program)
        .values_list("pk", "status")
    )


def test_the_next_round_completes_the_last_rounds_pairings_and_pairs_everyone_again(
    one_at_a_time, django_capture_on_commit_callbacks
):
    program = one_at_a_time
    sweep(START, django_capture_on_commit_callbacks)
    sweep(START, django_capture_on_commit_callbacks)
    first_round = set(statuses(program))
    everyone_says_yes(program)
    assert set(statuses(program).values()) == {PairingStatus.ACTIVE}

    next_round = sweep(START + timedelta(weeks=2), django_capture_on_commit_callbacks)
    assert next_round.rotation_rounds_started == 1
    assert {statuses(program)[pk] for pk in first_round} == {PairingStatus.COMPLETED}
    [_, second_run] = runs(program)
    assert second_run.status == RunStatus.FINISHED
    assert second_run.summary["matched"] == 4  # everyone, though nobody may hold two pairings

    sweep(START + timedelta(weeks=2), django_capture_on_commit_callbacks)
    new_pairings = {pk: s for pk, s in statuses(program).items() if pk not in first_round}
    assert len(new_pairings) == 2
    # Consent still applies: the new round's matches wait for everyone's yes.
    assert set(new_pairings.values()) == {PairingStatus.INVITED}


def test_the_members_hear_that_their_round_is_complete(
    one_at_a_time, django_capture_on_commit_callbacks
):
    program = one_at_a_time
    sweep(START, django_capture_on_commit_callbacks)
    sweep(START, django_capture_on_commit_callbacks)
    everyone_says_yes(program)
    sweep(START + timedelta(weeks=2), django_capture_on_commit_callbacks)
    completed = InboxMessage.objects.in_organization(program.organization_id).filter(
        kind=InboxKind.PAIRING_COMPLETED
    )
    assert completed.count() == 4
    assert all("This round" in m.body for m in completed)


def test_a_round_is_not_ended_before_its_time_or_when_no_new_round_can_start(
    one_at_a_time, django_capture_on_commit_callbacks
):
    program = one_at_a_time
    sweep(START, django_capture_on_commit_callbacks)
    sweep(START, django_capture_on_commit_callbacks)
    everyone_says_yes(program)
    sweep(START + timedelta(days=13), django_capture_on_commit_callbacks)
    assert set(statuses(program).values()) == {PairingStatus.ACTIVE}

    enrollments = Enrollment.objects.in_organization(program.organization_id).filter(
        program=program
    )
    for enrollment in list(enrollments)[:3]:
        enrollment_pause(enrollment=enrollment, until=days_from_today(40))
    result = sweep(START + timedelta(weeks=2), django_capture_on_commit_callbacks)
    assert result.rotation_rounds_started == 0  # one person free: no round to start
    assert PairingStatus.COMPLETED not in set(statuses(program).values())


def test_unanswered_invitations_of_the_last_round_lapse_when_the_next_starts(
    one_at_a_time, django_capture_on_commit_callbacks
):
    program = one_at_a_time
    program.proposal_expiry_days = 30  # still open when the next round is due
    program.save()
    sweep(START, django_capture_on_commit_callbacks)
    sweep(START, django_capture_on_commit_callbacks)
    first_round = set(statuses(program))
    sweep(START + timedelta(weeks=2), django_capture_on_commit_callbacks)
    assert {statuses(program)[pk] for pk in first_round} == {PairingStatus.EXPIRED}


def test_the_program_settings_explain_how_rounds_end(personas, rotation):
    page = personas.client_for(personas.pam).get(reverse("programs:edit", args=[rotation.pk]))
    assert "pairings complete when the next round starts" in page.text
