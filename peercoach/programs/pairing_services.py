"""Writes for pairings: proposing, inviting, each member's yes or no, pausing, leaving.

Consent: a pairing becomes active only once every member said yes. A no ends the proposal for
everyone; the others hear only that the match didn't go ahead, exactly as when it expires, so
nobody can tell who said no. Anyone may leave an active pairing at any time, without a reason,
and everyone in it goes back to the pool to be matched again.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from peercoach.core.errors import RefusedError
from peercoach.people.models import Person
from peercoach.programs.inbox import inbox_message_send
from peercoach.programs.models import Enrollment, EnrollmentStatus, Program
from peercoach.programs.pairing_models import (
    CURRENT_STATUSES,
    InboxKind,
    MemberResponse,
    Pairing,
    PairingKind,
    PairingMember,
    PairingSource,
    PairingStatus,
)
from peercoach.programs.pairing_states import Actor, TransitionRefused, check_transition

DID_NOT_GO_AHEAD = "This match didn't go ahead"


class PairingError(RefusedError):
    """A pairing change was refused; `message` is written for the person who asked."""


def pairing_link(pairing: Pairing) -> str:
    return reverse("programs:pairing", args=[pairing.pk])


# ---------------------------------------------------------------------------------------------
# Proposing and inviting


def pairing_propose(
    *,
    program: Program,
    enrollments: Sequence[Enrollment],
    source: PairingSource = PairingSource.MANAGER,
    actor: Actor = Actor.SYSTEM,
    invite: bool = True,
    now: datetime | None = None,
) -> Pairing:
    """Create a pairing of `enrollments`; with `invite`, its members are asked right away."""
    now = now or timezone.now()
    status = PairingStatus.INVITED if invite else PairingStatus.PROPOSED
    _check(None, status, actor)
    _check_members(program, enrollments)
    with transaction.atomic():
        pairing = Pairing.objects.create(
            organization_id=program.organization_id,
            program=program,
            status=status,
            kind=_kind_for(len(enrollments)),
            source=source,
            proposed_at=now,
        )
        PairingMember.objects.in_organization(program.organization_id).bulk_create(
            [_member(pairing, enrollment) for enrollment in enrollments]
        )
        if invite:
            _send_invitations(pairing, now)
    return pairing


def pairing_invite(
    *, pairing: Pairing, actor: Actor = Actor.PROGRAM_MANAGER, now: datetime | None = None
) -> Pairing:
    """Publish a proposed pairing: every member is asked to say yes or no."""
    now = now or timezone.now()
    with transaction.atomic():
        pairing = _lock(pairing)
        _check(pairing.status, PairingStatus.INVITED, actor)
        _send_invitations(pairing, now)
    return pairing


def _send_invitations(pairing: Pairing, now: datetime) -> None:
    pairing.status = PairingStatus.INVITED
    pairing.invited_at = now
    pairing.expires_at = now + timedelta(days=pairing.program.proposal_expiry_days)
    pairing.save(update_fields=["status", "invited_at", "expires_at"])
    for member in _members(pairing):
        others = _other_names(pairing, member.person)
        inbox_message_send(
            recipient=member.person,
            kind=InboxKind.INVITATION,
            subject=f"A peer coaching match for you in {pairing.program.name}",
            body=(
                f"We'd like to match you with {others}. Have a look and say yes or no by "
                f"{pairing.expires_at:%-d %B}. If you say no, nobody is told it was you, and "
                "we'll find you someone else."
            ),
            link=pairing_link(pairing),
            now=now,
        )


def _check_members(program: Program, enrollments: Sequence[Enrollment]) -> None:
    if len(enrollments) < 2:
        raise PairingError("A pairing needs at least two people.")
    if len({e.person_id for e in enrollments}) != len(enrollments):
        raise PairingError("Someone appears twice in this pairing.")
    for enrollment in enrollments:
        if enrollment.program_id != program.pk:
            raise PairingError(f"{enrollment.person.full_name} isn't enrolled in this program.")
        if enrollment.status != EnrollmentStatus.ACTIVE:
            raise PairingError(f"{enrollment.person.full_name} isn't taking part right now.")
    for index, first in enumerate(enrollments):
        for second in enrollments[index + 1 :]:
            if first.person.is_in_management_chain_of(second.person):
                # Peers only: nobody coaches someone above or below them in the reporting line.
                raise PairingError(
                    f"{first.person.full_name} and {second.person.full_name} are in the same "
                    "reporting line, so they can't be peers here."
                )


def _kind_for(size: int) -> PairingKind:
    if size == 2:
        return PairingKind.PAIR
    if size == 3:
        return PairingKind.TRIAD
    return PairingKind.GROUP


def _member(pairing: Pairing, enrollment: Enrollment) -> PairingMember:
    return PairingMember(
        organization_id=pairing.organization_id,
        pairing=pairing,
        enrollment=enrollment,
        program_id=pairing.program_id,
        person_id=enrollment.person_id,
    )


# ---------------------------------------------------------------------------------------------
# Each member's answer


def pairing_accept(*, pairing: Pairing, by: Person, now: datetime | None = None) -> Pairing:
    """Record `by`'s yes; the pairing becomes active when it was the last one missing."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            pairing = _lock(pairing)
            member = _member_of(pairing, by)
            _check(pairing.status, PairingStatus.ACTIVE, Actor.MEMBER)
            if member.response == MemberResponse.ACCEPTED:
                return pairing
            member.response = MemberResponse.ACCEPTED
            member.responded_at = now
            member.save(update_fields=["response", "responded_at"])
            members = _members(pairing)
            if all(m.response == MemberResponse.ACCEPTED for m in members):
                _activate(pairing, members, by=by, now=now)
    except IntegrityError as error:
        # Two matches for the same person became active at the same moment; the database let
        # one through. Nothing of this answer was saved, so the person can simply look again.
        raise PairingError(
            "Someone in this match has just started another pairing in this program, so this "
            "one can't start. Nothing was changed; please have another look."
        ) from error
    return pairing


def pairing_decline(*, pairing: Pairing, by: Person, now: datetime | None = None) -> Pairing:
    """`by` says no: the match is off for everyone, and nobody learns who said no."""
    now = now or timezone.now()
    with transaction.atomic():
        pairing = _lock(pairing)
        member = _member_of(pairing, by)
        _check(pairing.status, PairingStatus.DECLINED, Actor.MEMBER)
        member.response = MemberResponse.DECLINED
        member.responded_at = now
        member.save(update_fields=["response", "responded_at"])
        _did_not_go_ahead(pairing, PairingStatus.DECLINED, now=now, except_for=by)
    return pairing


def _activate(pairing: Pairing, members: list[PairingMember], *, by: Person, now: datetime) -> None:
    program = pairing.program
    if not program.allows_several_pairings:
        _check_nobody_paired_already(pairing, members, by)
    pairing.status = PairingStatus.ACTIVE
    pairing.activated_at = now
    pairing.save(update_fields=["status", "activated_at"])
    _mark_current(pairing, members)
    for member in members:
        if not program.allows_several_pairings:
            other_matches_withdraw(member=member, now=now)
        inbox_message_send(
            recipient=member.person,
            kind=InboxKind.PAIRING_ACTIVE,
            subject=f"You're matched in {program.name}",
            body=(
                f"Everyone said yes: you're now peers with {_other_names(pairing, member.person)}. "
                "Get in touch and agree on your first meeting."
            ),
            link=pairing_link(pairing),
            now=now,
        )


def _mark_current(pairing: Pairing, members: list[PairingMember]) -> None:
    # The flag the database's one-current-pairing index looks at; programs that allow several
    # pairings never set it.
    if pairing.program.allows_several_pairings:
        return
    with transaction.atomic():  # a savepoint: a clash rolls back to here, then up to the caller
        for member in members:
            member.is_current = True
            member.save(update_fields=["is_current"])


def _check_nobody_paired_already(
    pairing: Pairing, members: list[PairingMember], by: Person
) -> None:
    taken = set(
        PairingMember.objects.in_organization(pairing.organization_id)
        .filter(program=pairing.program_id, person__in=[m.person_id for m in members])
        .filter(is_current=True)
        .exclude(pairing=pairing)
        .values_list("person_id", flat=True)
    )
    if by.pk in taken:
        raise PairingError(
            "You already have an active pairing in this program. End it first if you'd like to "
            "start this one instead."
        )
    if taken:
        raise PairingError(
            "Someone in this match is already paired in this program, so it can't start."
        )


def other_matches_withdraw(*, member: PairingMember, now: datetime) -> None:
    """Now that this person has a peer, their other open invitations and requests lapse."""
    # Imported here: request_services builds on this module.
    from peercoach.programs.request_services import requests_close_for

    others = (
        Pairing.objects.in_organization(member.organization_id)
        .filter(program=member.program_id, status=PairingStatus.INVITED)
        .filter(members__person=member.person_id)
        .exclude(pk=member.pairing_id)
    )
    for other in others.select_for_update():
        _did_not_go_ahead(other, PairingStatus.EXPIRED, now=now, except_for=None)
    requests_close_for(enrollment=member.enrollment, now=now)


def _did_not_go_ahead(
    pairing: Pairing, status: PairingStatus, *, now: datetime, except_for: Person | None
) -> None:
    """End an unanswered or refused match; everyone else hears the same words, whatever the
    reason, and is back in the pool."""
    pairing.status = status
    pairing.ended_at = now
    pairing.save(update_fields=["status", "ended_at"])
    for member in _members(pairing):
        if except_for is not None and member.person_id == except_for.pk:
            continue
        inbox_message_send(
            recipient=member.person,
            kind=InboxKind.DID_NOT_GO_AHEAD,
            subject=f"{DID_NOT_GO_AHEAD} ({pairing.program.name})",
            body=(
                "This match didn't go ahead. That happens, and it says nothing about you. "
                "You're back in the pool, and we'll suggest someone new soon."
            ),
            link=reverse("programs:detail", args=[pairing.program_id]),
            now=now,
        )


# ---------------------------------------------------------------------------------------------
# Pausing, resuming, leaving, ending


def pairing_pause(*, pairing: Pairing, by: Person, now: datetime | None = None) -> Pairing:
    return _member_moves(pairing, by, PairingStatus.PAUSED, now or timezone.now())


def pairing_resume(*, pairing: Pairing, by: Person, now: datetime | None = None) -> Pairing:
    return _member_moves(pairing, by, PairingStatus.ACTIVE, now or timezone.now())


def _member_moves(pairing: Pairing, by: Person, to: PairingStatus, now: datetime) -> Pairing:
    with transaction.atomic():
        pairing = _lock(pairing)
        _member_of(pairing, by)
        if to == PairingStatus.ACTIVE and pairing.status != PairingStatus.PAUSED:
            # Becoming active from an invitation is answering it, not resuming.
            raise PairingError("This pairing isn't paused.")
        _check(pairing.status, to, Actor.MEMBER)
        if to == PairingStatus.ACTIVE and _someone_away(pairing):
            raise PairingError(
                "This pairing is paused for a while and picks up again by itself. "
                "We'll let you know when it does."
            )
        pairing.status = to
        if to == PairingStatus.ACTIVE:
            pairing.last_resumed_at = now
        # A member's own choice: from now on it no longer follows anyone's pause of their place.
        pairing.paused_with_enrollment = False
        pairing.save(update_fields=["status", "last_resumed_at", "paused_with_enrollment"])
    return pairing


def _someone_away(pairing: Pairing) -> bool:
    """Whether a member has paused their place in the program (or left it)."""
    return any(m.enrollment.status != EnrollmentStatus.ACTIVE for m in _members(pairing))


def pairings_pause_for_enrollment(*, enrollment: Enrollment, now: datetime | None = None) -> int:
    """The person paused their place in the program: their active pairings there pause too.

    The others hear that the pairing is paused, never why. A pairing the members had already
    paused themselves stays as they left it, and won't resume by itself later. Matches still
    waiting for answers, and requests, lapse as any unanswered one does: nobody learns why.
    """
    # Imported here: request_services builds on this module.
    from peercoach.programs.request_services import requests_close_for

    now = now or timezone.now()
    paused = 0
    pairings = (
        Pairing.objects.in_organization(enrollment.organization_id)
        .filter(members__enrollment=enrollment, status=PairingStatus.ACTIVE)
        .select_related("program")
    )
    with transaction.atomic():
        for pairing in pairings.select_for_update():
            _check(pairing.status, PairingStatus.PAUSED, Actor.MEMBER)
            pairing.status = PairingStatus.PAUSED
            pairing.paused_with_enrollment = True
            pairing.save(update_fields=["status", "paused_with_enrollment"])
            for member in _members(pairing):
                if member.person_id != enrollment.person_id:
                    _tell_paused(pairing, member.person, now)
            paused += 1
        waiting = Pairing.objects.in_organization(enrollment.organization_id).filter(
            members__enrollment=enrollment,
            status__in=[PairingStatus.INVITED, PairingStatus.PROPOSED],
        )
        for pairing in waiting.select_for_update().select_related("program"):
            _lapse(pairing, now=now, except_for=enrollment.person)
        requests_close_for(enrollment=enrollment, now=now)
    return paused


def _tell_paused(pairing: Pairing, person: Person, now: datetime) -> None:
    inbox_message_send(
        recipient=person,
        kind=InboxKind.PAIRING_PAUSED,
        subject=f"Your pairing in {pairing.program.name} is paused for now",
        body=(
            "Your pairing is taking a short break. There's nothing you need to do: it picks up "
            "again by itself, and we'll let you know when it does."
        ),
        link=pairing_link(pairing),
        now=now,
    )


def pairings_resume_for_enrollment(
    *, enrollment: Enrollment, actor: Actor = Actor.MEMBER, now: datetime | None = None
) -> int:
    """The person is back: pairings that paused with their place resume, once nobody is away.

    A pairing resumes only if it paused with someone's place in the program, every member is
    taking part again and nobody has left it; otherwise it stays as it is.
    """
    now = now or timezone.now()
    resumed = 0
    pairings = (
        Pairing.objects.in_organization(enrollment.organization_id)
        .filter(members__enrollment=enrollment, status=PairingStatus.PAUSED)
        .filter(paused_with_enrollment=True)
        .select_related("program")
    )
    with transaction.atomic():
        for pairing in pairings.select_for_update():
            members = _members(pairing)
            if any(m.left_at or m.enrollment.status != EnrollmentStatus.ACTIVE for m in members):
                continue
            _check(pairing.status, PairingStatus.ACTIVE, actor)
            pairing.status = PairingStatus.ACTIVE
            pairing.last_resumed_at = now
            pairing.paused_with_enrollment = False
            pairing.save(update_fields=["status", "last_resumed_at", "paused_with_enrollment"])
            for member in members:
                inbox_message_send(
                    recipient=member.person,
                    kind=InboxKind.PAIRING_RESUMED,
                    subject=f"Your pairing in {pairing.program.name} is active again",
                    body=(
                        "Good news: your pairing has picked up again. A short message to agree "
                        "on your next meeting is a good way back in."
                    ),
                    link=pairing_link(pairing),
                    now=now,
                )
            resumed += 1
    return resumed


def pairing_leave(*, pairing: Pairing, by: Person, now: datetime | None = None) -> Pairing:
    """No-fault exit: any member ends it, no reason asked; everyone may be matched again."""
    now = now or timezone.now()
    with transaction.atomic():
        pairing = _lock(pairing)
        member = _member_of(pairing, by)
        _check(pairing.status, PairingStatus.ENDED, Actor.MEMBER)
        member.left_at = now
        member.save(update_fields=["left_at"])
        _end(pairing, actor=Actor.MEMBER, now=now, except_for=by)
    return pairing


def pairings_end_for_enrollment(*, enrollment: Enrollment, now: datetime | None = None) -> int:
    """Someone left the program: their current pairings end, their invitations and requests
    lapse. The others hear only that the pairing ended or the match didn't go ahead, never why,
    and are back in the pool for a new match."""
    # Imported here: request_services builds on this module.
    from peercoach.programs.request_services import requests_close_for

    now = now or timezone.now()
    ended = 0
    pairings = (
        Pairing.objects.in_organization(enrollment.organization_id)
        .filter(members__enrollment=enrollment)
        .filter(status__in=[*CURRENT_STATUSES, PairingStatus.INVITED, PairingStatus.PROPOSED])
    )
    with transaction.atomic():
        for pairing in pairings.select_for_update().select_related("program"):
            if pairing.status in CURRENT_STATUSES:
                _end(pairing, actor=Actor.SYSTEM, now=now, except_for=enrollment.person)
            else:
                _lapse(pairing, now=now, except_for=enrollment.person)
            ended += 1
        requests_close_for(enrollment=enrollment, now=now)
    return ended


def pairing_complete(
    *, pairing: Pairing, now: datetime | None = None, round_over: bool = False
) -> Pairing:
    """The program ended (or, with `round_over`, its rotation round did): the pairing is
    complete, with thanks."""
    now = now or timezone.now()
    subject, body = (
        (
            f"This round of {pairing.program.name} is complete",
            "This round has come to its end, so your pairing is complete. Thank you for the "
            "time you gave each other. A new match for the next round is on its way.",
        )
        if round_over
        else (
            f"{pairing.program.name} has come to an end",
            "The program has ended, so your pairing is complete. Thank you for taking part.",
        )
    )
    with transaction.atomic():
        pairing = _lock(pairing)
        _check(pairing.status, PairingStatus.COMPLETED, Actor.SYSTEM)
        pairing.status = PairingStatus.COMPLETED
        pairing.completed_at = now
        pairing.save(update_fields=["status", "completed_at"])
        _clear_current(pairing)
        for member in _members(pairing):
            inbox_message_send(
                recipient=member.person,
                kind=InboxKind.PAIRING_COMPLETED,
                subject=subject,
                body=body,
                link=pairing_link(pairing),
                now=now,
            )
    return pairing


def pairing_expire(*, pairing: Pairing, now: datetime | None = None) -> Pairing:
    """Not everyone answered in time (or the program ended first): the match lapses."""
    now = now or timezone.now()
    with transaction.atomic():
        pairing = _lock(pairing)
        _lapse(pairing, now=now, except_for=None)
    return pairing


def _lapse(pairing: Pairing, *, now: datetime, except_for: Person | None) -> None:
    _check(pairing.status, PairingStatus.EXPIRED, Actor.SYSTEM)
    if pairing.status == PairingStatus.INVITED:
        _did_not_go_ahead(pairing, PairingStatus.EXPIRED, now=now, except_for=except_for)
        return
    # Nobody but the program manager ever saw a proposal, so nobody hears of its end.
    pairing.status = PairingStatus.EXPIRED
    pairing.ended_at = now
    pairing.save(update_fields=["status", "ended_at"])


def _end(pairing: Pairing, *, actor: Actor, now: datetime, except_for: Person) -> None:
    _check(pairing.status, PairingStatus.ENDED, actor)
    pairing.status = PairingStatus.ENDED
    pairing.ended_at = now
    pairing.save(update_fields=["status", "ended_at"])
    _clear_current(pairing)
    for member in _members(pairing):
        if member.person_id == except_for.pk:
            continue
        inbox_message_send(
            recipient=member.person,
            kind=InboxKind.PAIRING_ENDED,
            subject=f"Your pairing in {pairing.program.name} has ended",
            body=(
                "Your pairing has come to an end. Pairings end for all sorts of reasons, and "
                "no reason is needed. Thank you for the time you gave each other. You're back "
                "in the pool, and we'll offer you a new match."
            ),
            link=reverse("programs:detail", args=[pairing.program_id]),
            now=now,
        )


def _clear_current(pairing: Pairing) -> None:
    pairing.members.update(is_current=False)


# ---------------------------------------------------------------------------------------------
# Helpers


def _check(current: str | None, to_status: PairingStatus, actor: Actor) -> None:
    try:
        check_transition(current, to_status, actor)
    except TransitionRefused as refused:
        raise PairingError(refused.message) from refused


def _lock(pairing: Pairing) -> Pairing:
    return (
        Pairing.objects.in_organization(pairing.organization_id)
        .select_for_update()
        .select_related("program")
        .get(pk=pairing.pk)
    )


def _members(pairing: Pairing) -> list[PairingMember]:
    return list(
        PairingMember.objects.in_organization(pairing.organization_id)
        .filter(pairing=pairing)
        .select_related("person", "enrollment")
        .order_by("person__full_name", "pk")
    )


def _member_of(pairing: Pairing, person: Person) -> PairingMember:
    member = (
        PairingMember.objects.in_organization(pairing.organization_id)
        .filter(pairing=pairing, person=person)
        .first()
    )
    if member is None:
        raise PairingError("You aren't part of this pairing.")
    return member


def _other_names(pairing: Pairing, person: Person) -> str:
    names = [m.person.full_name for m in _members(pairing) if m.person_id != person.pk]
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]
