"""The sweep with a frozen clock: every moment is passed in as `now`."""

from __future__ import annotations

import io
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from peercoach.programs.models import MatchingMode, ProgramStatus
from peercoach.programs.pairing_models import InboxKind, InboxMessage, Pairing
from peercoach.programs.pairing_models import PairingStatus as S
from peercoach.programs.pairing_services import pairing_accept, pairing_pause, pairing_resume
from peercoach.programs.request_services import request_send
from peercoach.programs.sweep import pairings_sweep
from peercoach.programs.tests.conftest import enroll, invited_pair

pytestmark = pytest.mark.django_db

START = timezone.now()


@pytest.fixture(autouse=True)
def clock_starts_with_the_test() -> None:
    # Taken again for every test, not only at import: a run that crosses midnight would
    # otherwise compare yesterday's clock with today's dates.
    global START
    START = timezone.now()


def day(n: int):
    return START + timedelta(days=n)


def kinds(person) -> list[str]:
    messages = InboxMessage.objects.in_organization(person.organization_id).filter(recipient=person)
    return [m.kind for m in messages.order_by("created_at", "pk")]


def reload(pairing: Pairing) -> Pairing:
    return Pairing.objects.in_organization(pairing.organization_id).get(pk=pairing.pk)


def active_pair(personas, program, *, at=START) -> Pairing:
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    pairing_accept(pairing=pairing, by=personas.pia_person, now=at)
    pairing_accept(pairing=pairing, by=personas.colleague, now=at)
    return reload(pairing)


def test_a_quiet_pair_is_nudged_once_then_offered_a_new_match_once(personas, program):
    active_pair(personas, program)
    assert pairings_sweep(now=day(20)).nudges == 0
    assert pairings_sweep(now=day(21)).nudges == 1
    assert pairings_sweep(now=day(22)).nudges == 0  # never twice for the same quiet spell
    offers = pairings_sweep(now=day(42))
    assert (offers.nudges, offers.rematch_offers) == (0, 1)
    assert pairings_sweep(now=day(60)).as_dict() == pairings_sweep(now=day(61)).as_dict()
    assert kinds(personas.colleague)[-2:] == [InboxKind.NUDGE, InboxKind.REMATCH_OFFER]
    assert kinds(personas.pia_person).count(InboxKind.NUDGE) == 1
    assert kinds(personas.pia_person).count(InboxKind.REMATCH_OFFER) == 1


def test_meeting_starts_a_new_quiet_spell(personas, program):
    pairing = active_pair(personas, program)
    pairings_sweep(now=day(21))
    Pairing.all_organizations.filter(pk=pairing.pk).update(last_met_at=day(25))
    assert pairings_sweep(now=day(45)).nudges == 0
    assert pairings_sweep(now=day(46)).nudges == 1
    assert kinds(personas.pia_person).count(InboxKind.NUDGE) == 2


def test_a_paused_pair_is_left_in_peace_and_resuming_restarts_the_clock(personas, program):
    pairing = active_pair(personas, program)
    pairing_pause(pairing=pairing, by=personas.pia_person, now=day(1))
    assert pairings_sweep(now=day(30)).nudges == 0
    pairing_resume(pairing=pairing, by=personas.pia_person, now=day(30))
    assert pairings_sweep(now=day(50)).nudges == 0
    assert pairings_sweep(now=day(51)).nudges == 1


def test_a_pair_quiet_from_the_start_past_the_second_limit_gets_only_the_offer(personas, program):
    active_pair(personas, program)
    result = pairings_sweep(now=day(50))
    assert (result.nudges, result.rematch_offers) == (0, 1)
    assert pairings_sweep(now=day(51)).nudges == 0


def test_the_program_settings_decide_when(personas, program):
    program.nudge_after_days, program.rematch_after_days = 5, 10
    program.save()
    active_pair(personas, program)
    assert pairings_sweep(now=day(5)).nudges == 1
    assert pairings_sweep(now=day(10)).rematch_offers == 1


def test_unanswered_invitations_expire_and_everyone_goes_back_to_the_pool(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    pairing_accept(pairing=pairing, by=personas.pia_person)
    expires = reload(pairing).expires_at
    assert expires is not None
    assert pairings_sweep(now=expires - timedelta(minutes=1)).invitations_expired == 0
    assert pairings_sweep(now=expires).invitations_expired == 1
    assert reload(pairing).status == S.EXPIRED
    assert kinds(personas.colleague)[-1] == InboxKind.DID_NOT_GO_AHEAD
    assert pairings_sweep(now=expires + timedelta(days=1)).invitations_expired == 0


def test_open_requests_expire(personas, program):
    program.matching_mode = MatchingMode.PARTICIPANTS_CHOOSE
    program.save()
    request_send(
        requester=enroll(program, personas.pia_person), recipient=enroll(program), now=START
    )
    assert pairings_sweep(now=day(7) + timedelta(minutes=1)).requests_expired == 1
    assert kinds(personas.pia_person) == [InboxKind.REQUEST_NOT_TAKEN_UP]


def test_pairings_complete_when_the_program_ends(personas, program):
    pairing = active_pair(personas, program)
    waiting = invited_pair(program, enroll(program).person, enroll(program).person)
    after_end = timezone.make_aware(
        timezone.datetime.combine(program.ends_on + timedelta(days=1), timezone.datetime.min.time())
    )
    result = pairings_sweep(now=after_end)
    assert result.pairings_completed == 1
    assert reload(pairing).status == S.COMPLETED
    assert reload(waiting).status == S.EXPIRED
    assert kinds(personas.pia_person)[-1] == InboxKind.PAIRING_COMPLETED
    assert pairings_sweep(now=after_end).pairings_completed == 0


def test_a_program_marked_finished_completes_its_pairings(personas, program):
    pairing = active_pair(personas, program)
    program.status = ProgramStatus.FINISHED
    program.save()
    pairings_sweep(now=day(1))
    assert reload(pairing).status == S.COMPLETED


def test_the_command_runs_the_sweep_and_the_emails_go_out(
    personas, program, django_capture_on_commit_callbacks
):
    active_pair(personas, program)
    mail.outbox.clear()
    output = io.StringIO()
    with (
        mock.patch("django.utils.timezone.now", return_value=day(21)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        call_command("pairings_sweep", stdout=output)
    assert "nudges: 1" in output.getvalue()
    # The program's sponsor may get their weekly summary from the same sweep; that is not a nudge.
    nudges = [m for m in mail.outbox if "catch-up" in m.subject]
    assert sorted(m.to[0] for m in nudges) == sorted(
        [personas.pia_person.email, personas.colleague.email]
    )


def test_a_pairing_that_moved_on_meanwhile_does_not_stop_the_sweep(personas, program):
    pairing = invited_pair(program, personas.pia_person, personas.colleague)
    expires = reload(pairing).expires_at
    assert expires is not None
    later = invited_pair(program, enroll(program).person, enroll(program).person)
    # Another sweep expired the first one between this sweep's query and its lock.
    from peercoach.programs import pairing_services

    real_expire = pairing_services.pairing_expire

    def expire_twice(*, pairing, now):
        real_expire(pairing=pairing, now=now)
        return real_expire(pairing=pairing, now=now)

    with mock.patch("peercoach.programs.sweep.pairing_expire", expire_twice):
        result = pairings_sweep(now=expires + timedelta(minutes=1))
    assert result.invitations_expired == 0  # both were handled by "the other sweep"
    assert reload(pairing).status == reload(later).status == S.EXPIRED
