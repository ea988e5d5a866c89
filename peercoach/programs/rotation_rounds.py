"""Rotation rounds on the program's cadence, started and sent out by the periodic sweep.

A running rotation program gets a new round when none has been made yet, or when the last round
is at least one cadence interval old: the sweep starts a matching run, and once the run has
finished, publishes it. Publishing is the same as a program manager's: every member is asked and
may accept or decline, so consent is unchanged.

A round lasts until the next one starts: then its pairings complete (their natural end) and
its unanswered invitations lapse, so everyone can be paired again without the program allowing
several pairings at once.

Each round the sweep starts records the moment it was due for (`ROUND_KEY` in the run's
parameters). The next round is due one interval after the latest round, whether the sweep made it
or a program manager published one by hand. A round whose run failed is not retried before the
next round is due: the program manager sees the failed run and may start one themself. The
check and the start happen under a lock on the program, so two sweeps at once never make two
runs for the same round.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from peercoach.organizations.models import Organization
from peercoach.programs.matching_adapter import looking_enrollments
from peercoach.programs.matching_models import MatchingRun, RunStatus
from peercoach.programs.matching_services import (
    MatchingError,
    matching_run_publish_start,
    matching_run_start,
)
from peercoach.programs.models import CadenceUnit, Program, ProgramFormat, ProgramStatus
from peercoach.programs.pairing_models import (
    CURRENT_STATUSES,
    Pairing,
    PairingSource,
    PairingStatus,
)
from peercoach.programs.pairing_services import pairing_complete, pairing_expire

ROUND_KEY = "rotation_round_at"
# While one of these is around, the round in hand isn't done: wait, or publish it.
UNDER_WAY = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.FINISHED, RunStatus.PUBLISHING)


@dataclass
class RoundsResult:
    started: int = 0
    published: int = 0


def rotation_rounds_sweep(*, organization: Organization, now: datetime) -> RoundsResult:
    """Start the rounds that are due, and publish the rounds whose run has finished."""
    today = timezone.localdate(now)
    programs = Program.objects.in_organization(organization).filter(
        format=ProgramFormat.ROTATION_ROUNDS,
        status=ProgramStatus.RUNNING,
        starts_on__lte=today,
        ends_on__gte=today,
    )
    result = RoundsResult()
    for program in programs.order_by("pk"):
        result.published += _publish_finished_round(program)
        result.started += _start_round_if_due(program, now)
    return result


def cadence(program: Program) -> timedelta:
    days = 7 if program.cadence_unit == CadenceUnit.WEEKS else 1
    return timedelta(days=days * program.cadence_interval)


def round_is_due(program: Program, now: datetime) -> bool:
    runs = MatchingRun.objects.in_organization(program.organization_id).filter(program=program)
    if runs.filter(status__in=UNDER_WAY).exists():
        # A round being made or sent out, or a program manager's run waiting for their review.
        return False
    moments: list[datetime] = []
    for parameters, published_at in runs.values_list("parameters", "published_at"):
        if ROUND_KEY in parameters:
            moments.append(datetime.fromisoformat(parameters[ROUND_KEY]))
        elif published_at is not None:
            moments.append(published_at)
    return not moments or now >= max(moments) + cadence(program)


class _NoRound(Exception):
    """Too few people for a round: the last round carries on as it is."""


def _start_round_if_due(program: Program, now: datetime) -> int:
    with transaction.atomic():
        program = (
            Program.objects.in_organization(program.organization_id)
            .select_for_update()
            .get(pk=program.pk)
        )
        if not round_is_due(program, now):
            return 0
        try:
            # A savepoint: when no round can start, the last one isn't ended either.
            with transaction.atomic():
                last_round_end(program=program, now=now)
                if len(looking_enrollments(program)) < 2:
                    raise _NoRound
                run = matching_run_start(program=program, started_by=None)
        except (MatchingError, _NoRound):
            return 0
        run.parameters = {**run.parameters, ROUND_KEY: now.isoformat()}
        run.save(update_fields=["parameters"])
    return 1


def last_round_end(*, program: Program, now: datetime) -> int:
    """The next round starts: the last round's pairings have reached their natural end.

    Active and paused ones complete, with thanks; invitations still unanswered lapse. Everyone
    is free to be matched again, and each new match asks for everyone's yes once more.
    Returns how many pairings completed.
    """
    pairings = Pairing.objects.in_organization(program.organization_id).filter(
        program=program, source=PairingSource.ROTATION
    )
    completed = 0
    for pairing in pairings.filter(status__in=CURRENT_STATUSES):
        pairing_complete(pairing=pairing, now=now, round_over=True)
        completed += 1
    for pairing in pairings.filter(status__in=[PairingStatus.INVITED, PairingStatus.PROPOSED]):
        pairing_expire(pairing=pairing, now=now)
    return completed


def _publish_finished_round(program: Program) -> int:
    finished = MatchingRun.objects.in_organization(program.organization_id).filter(
        program=program, status=RunStatus.FINISHED, started_by__isnull=True
    )
    published = 0
    for run in finished:
        # Only the sweep's own rounds: a program manager's run waits for them to publish it.
        if ROUND_KEY not in run.parameters:
            continue
        try:
            matching_run_publish_start(run=run)
        except MatchingError:
            continue
        published += 1
    return published
