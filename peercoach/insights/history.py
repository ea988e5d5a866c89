"""A participant's own history: only ever the signed-in person's data, read for themselves.

Everything here starts from one `Person` and filters on it, so nobody can ask for someone else's
history: there is no parameter to ask with. Partners appear by name only (as on the pairing
page); what partners wrote, rated or marked never does. Action plans are the owner's own and are
opened (unsealed) only because the reader is their owner, checked with the plans app's gate.

The page costs a fixed number of queries however long the history is: each list is one query
(plus one per prefetched relation), never one per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from peercoach.feedback.models import Feedback
from peercoach.meetings.models import (
    AttendanceOutcome,
    CoachingSession,
    SessionAttendance,
    SessionStatus,
)
from peercoach.people.models import Person
from peercoach.plans.models import Action, ActionPlan, ActionStatus
from peercoach.plans.permissions import can_read
from peercoach.plans.selectors import plans_mine
from peercoach.programs.pairing_models import Pairing, PairingMember, PairingStatus
from peercoach.programs.pairing_selectors import PairingView, pairing_view
from peercoach.runner import scripts
from peercoach.runner.models import SessionRun

# The page lists the latest sessions; the counts above it cover all of them.
SESSIONS_SHOWN = 60


@dataclass(frozen=True)
class PairingEntry:
    view: PairingView
    started_at: datetime | None  # when everyone said yes; None for one that didn't go ahead
    ended_at: datetime | None


@dataclass(frozen=True)
class SessionEntry:
    session: CoachingSession
    program_name: str
    peers: list[str]
    my_outcome: str  # the person's own mark, "" when they haven't said
    my_outcome_label: str
    my_rating: int | None
    coached: bool  # the person coached someone in this session
    was_coached: bool  # the person was the client in this session
    from_runner: bool  # the guided runner's turns said so (else: a held session counts both)


@dataclass(frozen=True)
class PlanEntry:
    plan: ActionPlan
    actions: list[Action]

    @property
    def done_count(self) -> int:
        return sum(1 for action in self.actions if action.status == ActionStatus.DONE)

    @property
    def open_count(self) -> int:
        return sum(1 for action in self.actions if action.status == ActionStatus.OPEN)


@dataclass(frozen=True)
class CoachingCounts:
    given: int  # sessions in which the person coached
    received: int  # sessions in which the person was coached
    from_guided_sessions: int  # sessions whose turns the guided runner recorded


@dataclass(frozen=True)
class FeedbackCounts:
    given: int
    received: int


@dataclass
class History:
    person: Person | None
    pairings: list[PairingEntry] = field(default_factory=list)
    sessions: list[SessionEntry] = field(default_factory=list)
    session_count: int = 0
    plans: list[PlanEntry] = field(default_factory=list)
    coaching: CoachingCounts = field(default_factory=lambda: CoachingCounts(0, 0, 0))
    feedback: FeedbackCounts = field(default_factory=lambda: FeedbackCounts(0, 0))

    @property
    def is_empty(self) -> bool:
        feedback = self.feedback.given + self.feedback.received
        return not (self.pairings or self.sessions or self.plans or feedback)


def history_for(*, person: Person | None, now: datetime | None = None) -> History:
    """The person's own history. Someone without a directory link has none (and sees nobody's)."""
    if person is None:
        return History(person=None)
    now = now or timezone.now()
    pairings = list(_pairings_of(person))
    names = {p.pk: _peer_names(p, person) for p in pairings}
    sessions = [_session_entry(s, person, names) for s in _past_sessions(person, now)]
    return History(
        person=person,
        pairings=[_pairing_entry(p, person) for p in pairings],
        sessions=sessions[:SESSIONS_SHOWN],
        session_count=len(sessions),
        plans=_own_plans(person),
        coaching=_coaching_counts(sessions),
        feedback=_feedback_counts(person),
    )


def _pairings_of(person: Person) -> QuerySet[Pairing]:
    """Every pairing the person was invited to, whatever became of it (never a manager's draft)."""
    members = PairingMember.objects.in_organization(person.organization_id).select_related("person")
    return (
        Pairing.objects.in_organization(person.organization_id)
        .filter(members__person=person)
        .exclude(status=PairingStatus.PROPOSED)
        .select_related("program")
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("-proposed_at", "pk")
    )


def _peer_names(pairing: Pairing, person: Person) -> list[str]:
    return sorted(m.person.full_name for m in pairing.members.all() if m.person_id != person.pk)


def _pairing_entry(pairing: Pairing, person: Person) -> PairingEntry:
    ended = pairing.completed_at or pairing.ended_at
    mine = next(m for m in pairing.members.all() if m.person_id == person.pk)
    if mine.left_at is not None and (ended is None or mine.left_at < ended):
        ended = mine.left_at
    return PairingEntry(
        view=pairing_view(pairing, person), started_at=pairing.activated_at, ended_at=ended
    )


def _past_sessions(person: Person, now: datetime) -> QuerySet[CoachingSession]:
    """Sessions of the person's pairings that have begun, while the person was in the pairing.

    The person, the left-at test and the session are matched on the same member row: a single
    `filter()` call over a multi-valued relation joins it once.
    """
    own_marks = SessionAttendance.objects.in_organization(person.organization_id).filter(
        person=person
    )
    return (
        CoachingSession.objects.in_organization(person.organization_id)
        .filter(
            Q(pairing__members__left_at__isnull=True)
            | Q(pairing__members__left_at__gt=F("starts_at")),
            pairing__members__person=person,
            starts_at__lte=now,
        )
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("pairing__program", "run")
        .prefetch_related(Prefetch("attendances", queryset=own_marks, to_attr="own_marks"))
        .order_by("-starts_at", "-pk")
    )


def _session_entry(
    session: CoachingSession, person: Person, names: dict[int, list[str]]
) -> SessionEntry:
    mark: SessionAttendance | None = session.own_marks[0] if session.own_marks else None  # type: ignore[attr-defined]
    coached, was_coached, from_runner = _roles_in(session, person, mark)
    return SessionEntry(
        session=session,
        program_name=session.pairing.program.name,
        peers=names.get(session.pairing_id, []),
        my_outcome=mark.outcome if mark else "",
        my_outcome_label=mark.get_outcome_display() if mark else "",
        my_rating=mark.rating if mark else None,
        coached=coached,
        was_coached=was_coached,
        from_runner=from_runner,
    )


def _run_of(session: CoachingSession) -> SessionRun | None:
    try:
        return session.run
    except SessionRun.DoesNotExist:
        return None


def _roles_in(
    session: CoachingSession, person: Person, mark: SessionAttendance | None
) -> tuple[bool, bool, bool]:
    """(coached, was coached, from the runner) in one session.

    When the guided runner recorded turns of the session, they say who coached whom: each turn's
    client was coached, and whoever helped them coached. Otherwise a session the person says was
    held counts both ways, as peer coaching is reciprocal.
    """
    run = _run_of(session)
    if run is not None and person.pk in run.member_ids:
        turns = _turns_reached(run)
        if turns:
            coached, was_coached = _roles_from_run(run, turns, person.pk)
            return coached, was_coached, True
    held = (mark is not None and mark.outcome == AttendanceOutcome.HELD) or (
        mark is None and session.status == SessionStatus.FINISHED
    )
    return held, held, False


def _roles_from_run(run: SessionRun, turns: set[int], person_id: int) -> tuple[bool, bool]:
    coached = was_coached = False
    for turn in turns:
        roles = scripts.roles_for_turn(run.member_ids, turn, with_observer=run.with_observer)
        was_coached = was_coached or roles.client == person_id
        coached = coached or person_id in roles.coaches
    return coached, was_coached


def _turns_reached(run: SessionRun) -> set[int]:
    """The turns the members got to: all of them once the run finished."""
    if run.is_finished:
        return set(range(len(run.member_ids)))
    try:
        steps = scripts.steps_from_data(run.steps)
    except scripts.ScriptError:
        return set()
    slots = scripts.timeline(steps, turns=len(run.member_ids))
    return {slot.turn for slot in slots[: run.position + 1] if slot.turn is not None}


def _coaching_counts(sessions: list[SessionEntry]) -> CoachingCounts:
    guided = sum(1 for entry in sessions if entry.from_runner)
    return CoachingCounts(
        given=sum(1 for entry in sessions if entry.coached),
        received=sum(1 for entry in sessions if entry.was_coached),
        from_guided_sessions=guided,
    )


def _own_plans(person: Person) -> list[PlanEntry]:
    # `plans_mine` reads only plans the person owns; the gate is asked anyway, so that a change
    # there can never put someone else's words on this page.
    return [
        PlanEntry(plan=plan, actions=list(plan.actions.all()))
        for plan in plans_mine(owner=person)
        if plan.owner_id == person.pk and can_read(plan, person)
    ]


def _feedback_counts(person: Person) -> FeedbackCounts:
    counts = (
        Feedback.objects.in_organization(person.organization_id)
        .filter(Q(author=person) | Q(recipient=person))
        .aggregate(
            given=Count("pk", filter=Q(author=person)),
            received=Count("pk", filter=Q(recipient=person)),
        )
    )
    return FeedbackCounts(given=counts["given"], received=counts["received"])
