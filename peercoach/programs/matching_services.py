"""Writes for matching runs: start one, run it in the background, move people, publish.

A run is private to program managers until they publish it. Publishing turns each proposal into
a pairing and asks its members for their yes (the pairing services do the asking), so consent is
exactly the same as for any other match.
"""

from __future__ import annotations

import dataclasses
import logging
import random
import time
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone

from peercoach.core.errors import RefusedError
from peercoach.matching_engine import MatchParams, MatchResult, Population, match
from peercoach.organizations.models import Membership
from peercoach.programs import matching_adapter as adapter
from peercoach.programs.matching_models import (
    MatchingPlacement,
    MatchingProposal,
    MatchingRun,
    RunStatus,
)
from peercoach.programs.models import Enrollment, Program, ProgramFormat
from peercoach.programs.pairing_models import PairingSource
from peercoach.programs.pairing_services import PairingError, pairing_invite, pairing_propose
from peercoach.programs.pairing_states import Actor

logger = logging.getLogger(__name__)

LEFT_ALONE = "Their partner was moved to another group by the program manager."
TAKEN_OUT = "Taken out of the proposals by the program manager."
SAVE_BATCH = 2000
PUBLISH_BATCH = 100


class MatchingError(RefusedError):
    """A matching change was refused; `message` is written for the program manager."""


# ---------------------------------------------------------------------------------------------
# Starting and running


def matching_run_start(
    *, program: Program, started_by: Membership | None, seed: int | None = None
) -> MatchingRun:
    """Queue a run; it starts in the background once this transaction commits."""
    from peercoach.programs.tasks import matching_run_task

    with transaction.atomic():
        Program.objects.in_organization(program.organization_id).select_for_update().get(
            pk=program.pk
        )
        busy = MatchingRun.objects.in_organization(program.organization_id).filter(
            program=program, status__in=(RunStatus.QUEUED, RunStatus.RUNNING)
        )
        if busy.exists():
            raise MatchingError("A matching run for this program is already under way.")
        seed = seed if seed is not None else random.randint(1, 1_000_000)
        params = adapter.program_params(program, seed=seed)
        run = MatchingRun.objects.in_organization(program.organization_id).create(
            organization_id=program.organization_id,
            program=program,
            started_by=started_by,
            seed=seed,
            parameters=_parameters_json(params),
        )
        run_id = run.pk
        transaction.on_commit(lambda: matching_run_task.enqueue(run_id))
    return run


def _parameters_json(params: MatchParams) -> dict[str, object]:
    values = dataclasses.asdict(params)
    values["reference_date"] = str(values["reference_date"])
    return {key: value for key, value in values.items() if key != "weights"}


def matching_run_execute(*, run_id: int) -> MatchingRun | None:
    """Do the work of one queued run; None when another worker already claimed it."""
    claimed = MatchingRun.all_organizations.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING,
        started_at=timezone.now(),
        progress_text="Reading who is taking part",
        progress_percent=5,
    )
    if not claimed:
        return None
    run = MatchingRun.all_organizations.select_related("program").get(pk=run_id)
    try:
        _execute(run)
    except Exception:
        # The details go to the log for whoever runs the server; the page gets a plain message.
        logger.exception("Matching run %s failed", run_id)
        MatchingRun.all_organizations.filter(pk=run_id).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            progress_text="Didn't finish",
            error_message=(
                "Something went wrong while matching, so nothing was proposed. Please try "
                "again; if it happens again, let your IT team know the run number."
            ),
        )
    run.refresh_from_db()
    return run


def _progress(run: MatchingRun, text: str, percent: int) -> None:
    MatchingRun.all_organizations.filter(pk=run.pk).update(
        progress_text=text, progress_percent=percent
    )


def _execute(run: MatchingRun) -> None:
    started = time.perf_counter()
    program = run.program
    enrollments = adapter.looking_enrollments(program)
    population = adapter.program_population(program, enrollments)
    _progress(run, f"Matching {len(enrollments)} people", 20)
    params = adapter.program_params(program, seed=run.seed)
    result = match(population, params)
    if not result.verification.passed:
        raise RuntimeError(f"verification failed: {result.verification.violations[:5]}")
    _progress(run, f"Saving {len(result.groups)} proposals", 80)
    with transaction.atomic():
        _save_result(run, enrollments, population, result)
        MatchingRun.all_organizations.filter(pk=run.pk).update(
            status=RunStatus.FINISHED,
            finished_at=timezone.now(),
            progress_text="Ready for review",
            progress_percent=100,
            summary=_summary(result, time.perf_counter() - started),
        )


def _summary(result: MatchResult, seconds: float) -> dict[str, object]:
    return {
        "enrolled": result.enrolled_count,
        "matched": result.matched_count,
        "groups": len(result.groups),
        "unmatched": len(result.unmatched),
        "objective": result.objective,
        "upper_bound": result.upper_bound,
        "bound_note": result.bound_note,
        "gap": result.gap,
        "engine_seconds": result.seconds,
        "seconds": round(seconds, 3),
    }


def _save_result(
    run: MatchingRun,
    enrollments: list[Enrollment],
    population: Population,
    result: MatchResult,
) -> None:
    organization_id = run.organization_id
    people = {person.id: person for person in population.people}
    proposals = MatchingProposal.objects.in_organization(organization_id).bulk_create(
        [
            MatchingProposal(
                organization_id=organization_id,
                run=run,
                number=number,
                score=group.score,
                reason=adapter.manager_reason(group.reason, [people[m] for m in group.members]),
            )
            for number, group in enumerate(result.groups, start=1)
        ],
        batch_size=SAVE_BATCH,
    )
    if any(proposal.pk is None for proposal in proposals):
        # Not every database returns ids from a bulk insert; read them back by number.
        by_number = dict(
            MatchingProposal.objects.in_organization(organization_id)
            .filter(run=run)
            .values_list("number", "pk")
        )
        for proposal in proposals:
            proposal.pk = by_number[proposal.number]
    proposal_of = {
        member: proposals[spot].pk
        for spot, group in enumerate(result.groups)
        for member in group.members
    }
    reasons = {item.person_id: item.reason for item in result.unmatched}
    MatchingPlacement.objects.in_organization(organization_id).bulk_create(
        [
            MatchingPlacement(
                organization_id=organization_id,
                run=run,
                person_id=enrollment.person_id,
                enrollment=enrollment,
                proposal_id=proposal_of.get(adapter.engine_id(enrollment.person_id)),
                unmatched_reason=reasons.get(adapter.engine_id(enrollment.person_id), ""),
            )
            for enrollment in enrollments
        ],
        batch_size=SAVE_BATCH,
    )


# ---------------------------------------------------------------------------------------------
# A program manager's changes


@dataclass(frozen=True)
class MoveResult:
    placement: MatchingPlacement
    target: MatchingProposal | None
    left_alone: list[str]


def matching_move(*, run: MatchingRun, person_id: int, to_number: int | None) -> MoveResult:
    """Move one person into proposal `to_number` (None: out of every group).

    Every hard rule is checked again for the group they join, with the engine's own checker; a
    move that breaks one is refused with the reason. A pair left with one person is undone.
    """
    with transaction.atomic():
        run = _lock_run(run)
        _check_reviewable(run)
        placement = _placement(run, person_id)
        source = placement.proposal
        target = _target(run, to_number)
        if any(group is not None and group.pairing_id for group in (source, target)):
            raise MatchingError("That group was already sent out, so it can't change.")
        if target is not None and source is not None and target.pk == source.pk:
            raise MatchingError(f"{placement.person.full_name} is already in group {to_number}.")
        if target is not None:
            _check_join(run, placement, target)
        placement.proposal = target
        placement.unmatched_reason = "" if target is not None else TAKEN_OUT
        placement.save(update_fields=["proposal", "unmatched_reason"])
        left_alone = _after_leaving(run, source) if source is not None else []
    return MoveResult(placement=placement, target=target, left_alone=left_alone)


def _lock_run(run: MatchingRun) -> MatchingRun:
    return (
        MatchingRun.objects.in_organization(run.organization_id)
        .select_for_update()
        .select_related("program")
        .get(pk=run.pk)
    )


def _check_reviewable(run: MatchingRun) -> None:
    if run.status in (RunStatus.PUBLISHED, RunStatus.PUBLISHING):
        raise MatchingError("This run is already published, so its groups can't change.")
    if run.status != RunStatus.FINISHED:
        raise MatchingError("This run hasn't finished yet.")


def _placement(run: MatchingRun, person_id: int) -> MatchingPlacement:
    placement = (
        MatchingPlacement.objects.in_organization(run.organization_id)
        .filter(run=run, person_id=person_id)
        .select_related("person", "proposal")
        .first()
    )
    if placement is None:
        raise MatchingError("That person isn't part of this matching run.")
    return placement


def _target(run: MatchingRun, number: int | None) -> MatchingProposal | None:
    if number is None:
        return None
    target = (
        MatchingProposal.objects.in_organization(run.organization_id)
        .filter(run=run, number=number)
        .first()
    )
    if target is None:
        raise MatchingError(f"There is no group {number} in this run.")
    return target


def largest_group(program: Program) -> int:
    # A pair may take a third person, for example when numbers are odd; nothing grows further.
    largest = program.group_size_range[1]
    return 3 if program.format == ProgramFormat.RECIPROCAL_PAIRS else largest


def _check_join(run: MatchingRun, placement: MatchingPlacement, target: MatchingProposal) -> None:
    program = run.program
    members = list(
        MatchingPlacement.objects.in_organization(run.organization_id)
        .filter(proposal=target)
        .values_list("person_id", flat=True)
    )
    name = placement.person.full_name
    if len(members) + 1 > largest_group(program):
        raise MatchingError(
            f"{name} can't join group {target.number}: it would have more than "
            f"{largest_group(program)} people."
        )
    check = _group_check(program, run, [*members, placement.person_id])
    if not check.passed:
        raise MatchingError(
            f"{name} can't join group {target.number}: {' and '.join(check.problems)}."
        )
    _rescore(target, check.score, check.reason)


def _group_check(program: Program, run: MatchingRun, person_ids: list[int]) -> adapter.GroupCheck:
    population, params = adapter.population_for(program, person_ids)
    # The rules as they stood when the run was made: the same day and the same settings.
    params = dataclasses.replace(
        params, reference_date=_run_day(run), min_overlap_hours=_run_hours(run, params)
    )
    members = [adapter.engine_id(person_id) for person_id in person_ids]
    return adapter.group_check(population, params, members)


def _run_day(run: MatchingRun) -> date:
    stored = run.parameters.get("reference_date")
    return date.fromisoformat(stored) if stored else timezone.localdate()


def _run_hours(run: MatchingRun, params: MatchParams) -> float:
    return float(run.parameters.get("min_overlap_hours", params.min_overlap_hours))


def _rescore(proposal: MatchingProposal, score: float, reason: str) -> None:
    proposal.score = score
    proposal.reason = reason
    proposal.save(update_fields=["score", "reason"])


def _after_leaving(run: MatchingRun, source: MatchingProposal) -> list[str]:
    """Re-score the group someone left; one person on their own goes back to unmatched."""
    remaining = list(
        MatchingPlacement.objects.in_organization(run.organization_id)
        .filter(proposal=source)
        .select_related("person")
    )
    if len(remaining) >= 2:
        check = _group_check(run.program, run, [p.person_id for p in remaining])
        _rescore(source, check.score, check.reason)
        return []
    for placement in remaining:
        placement.proposal = None
        placement.unmatched_reason = LEFT_ALONE
        placement.save(update_fields=["proposal", "unmatched_reason"])
    # An empty group is no proposal at all; the other groups keep their numbers.
    source.delete()
    return [placement.person.full_name for placement in remaining]


# ---------------------------------------------------------------------------------------------
# Publishing


def matching_run_publish_start(*, run: MatchingRun) -> MatchingRun:
    """Queue publishing: invitations go out in the background, a batch at a time."""
    from peercoach.programs.tasks import matching_publish_task

    with transaction.atomic():
        run = _lock_run(run)
        if run.status == RunStatus.PUBLISHED:
            raise MatchingError("This run is already published: everyone in it has been asked.")
        if run.status == RunStatus.PUBLISHING:
            raise MatchingError("This run is being published right now.")
        _check_reviewable(run)
        run.status = RunStatus.PUBLISHING
        run.progress_text = "Sending invitations"
        run.progress_percent = 0
        run.error_message = ""
        run.save(update_fields=["status", "progress_text", "progress_percent", "error_message"])
        run_id = run.pk
        transaction.on_commit(lambda: matching_publish_task.enqueue(run_id))
    return run


def matching_run_publish(*, run_id: int, now: datetime | None = None) -> int:
    """Turn every proposal into a pairing and ask its members; returns how many were sent.

    Each batch commits on its own, and a proposal remembers its pairing, so publishing that
    stops partway (a server restart) sends only the rest when it is started again. A group that
    can't start any more (someone left the program since the run) is skipped and listed.
    """
    now = now or timezone.now()
    run = MatchingRun.all_organizations.select_related("program").get(pk=run_id)
    if run.status != RunStatus.PUBLISHING:
        return 0
    waiting = [item for item in _proposals_with_members(run) if item[0].pairing_id is None]
    sent, skipped = 0, list(run.summary.get("publish_skipped", []))
    try:
        for start in range(0, len(waiting), PUBLISH_BATCH):
            with transaction.atomic():
                for proposal, enrollments in waiting[start : start + PUBLISH_BATCH]:
                    problem = _publish_one(run, proposal, enrollments, now)
                    if problem:
                        skipped.append(problem)
                    else:
                        sent += 1
            done = min(len(waiting), start + PUBLISH_BATCH)
            _progress(run, f"Sent {done} of {len(waiting)} matches", done * 100 // len(waiting))
    except Exception:
        logger.exception("Publishing matching run %s stopped", run_id)
        MatchingRun.all_organizations.filter(pk=run_id).update(
            status=RunStatus.FINISHED,
            error_message=(
                f"Publishing stopped partway: {sent} matches were sent. Publish again to send "
                "the rest; nobody is asked twice."
            ),
        )
        raise
    summary = {**run.summary, "published": sent, "publish_skipped": skipped}
    MatchingRun.all_organizations.filter(pk=run_id).update(
        status=RunStatus.PUBLISHED,
        published_at=now,
        progress_text="Published",
        progress_percent=100,
        summary=summary,
    )
    return sent


def _publish_one(
    run: MatchingRun, proposal: MatchingProposal, enrollments: list[Enrollment], now: datetime
) -> str:
    """Propose and invite one group; returns why it wasn't sent, or "" when it was."""
    if len(enrollments) < 2:
        return ""
    try:
        with transaction.atomic():
            pairing = pairing_propose(
                program=run.program,
                enrollments=enrollments,
                source=_source_for(run.program),
                actor=Actor.PROGRAM_MANAGER,
                invite=False,
                now=now,
            )
            pairing_invite(pairing=pairing, actor=Actor.PROGRAM_MANAGER, now=now)
            proposal.pairing = pairing
            proposal.save(update_fields=["pairing"])
    except PairingError as error:
        return f"Group {proposal.number} wasn't sent: {error.message}"
    return ""


def _source_for(program: Program) -> PairingSource:
    # A rotation program's pairings last one round: the next round completes them.
    if program.format == ProgramFormat.ROTATION_ROUNDS:
        return PairingSource.ROTATION
    return PairingSource.MANAGER


def _proposals_with_members(
    run: MatchingRun,
) -> list[tuple[MatchingProposal, list[Enrollment]]]:
    placements = (
        MatchingPlacement.objects.in_organization(run.organization_id)
        .filter(run=run, proposal__isnull=False)
        .select_related("enrollment__person", "proposal")
        .order_by("proposal__number", "person_id")
    )
    grouped: dict[int, tuple[MatchingProposal, list[Enrollment]]] = {}
    for placement in placements:
        assert placement.proposal is not None
        _, members = grouped.setdefault(placement.proposal.pk, (placement.proposal, []))
        members.append(placement.enrollment)
    return list(grouped.values())
