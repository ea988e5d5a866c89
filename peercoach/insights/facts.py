"""What each person contributed to a program in one month, read from the coaching data.

`monthly_contributions` turns a month of programs, meetings, plans, runner and survey rows into
one `Contribution` per person and family (contract.py). The values are only ever summed over
groups of at least k people by the insights build; nothing here is shown as it is.

It reads with a fixed number of set-based queries (ten) whatever the size of the program:
every query fetches the month's rows for the whole program as plain tuples, and the rest is
arithmetic in Python. It never reads sealed text (goals, actions, notes) or survey free text:
only ids, times, statuses and ratings.

Definitions, where the data leaves room for a choice:
- A session is *held* when it wasn't cancelled and either a member said "we met" or the guided
  session was finished.
- An action is *due for review* at its owner's next held session of the same pairing after the
  action was written, if the action was still open when that session began. It was *reviewed*
  when its owner marked it done, still going or dropped during that session's guided run
  (`SessionRun.reviewed`, written by runner.services.review_mark).
- A pairing has *stalled* when it was active at the end of the month (or now, for the month under
  way) and had not held a session, started or resumed within the six weeks before. Pauses are not
  remembered with dates, so a pairing paused for a while counts by its last resumption only.
- Coaching given and received: in a pair every held session counts both ways (the two swap
  halves). In triads and groups the guided run records whose turn it was, so the turns it
  reached say who was coached and who coached; a held session without a run counts both ways.
- Match acceptance counts answers to invitations to a proposed match (the program manager's,
  rotation rounds); a colleague's request the recipient accepts is a choice, not an invitation.
- Sessions expected by the cadence: the days of the month a person was in an active pairing
  (up to now for the month under way), divided by the cadence in days, per pairing. Held
  sessions count toward the rhythm only up to that number, so the figure never passes 100%.
- A new cross-department connection: a partner from another department in a pairing that
  started this month, with whom the person had never been paired before in any program.
- Months run from midnight on the first, in the site's time zone (settings.TIME_ZONE).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Case, Exists, F, JSONField, Max, OuterRef, Q, QuerySet, When
from django.utils import timezone

from peercoach.insights import metrics as keys
from peercoach.insights.contract import Contribution, Family
from peercoach.meetings.models import (
    AttendanceOutcome,
    CoachingSession,
    SessionAttendance,
    SessionStatus,
)
from peercoach.organizations.models import Organization
from peercoach.plans.models import Action
from peercoach.programs.models import CadenceUnit, Enrollment, EnrollmentStatus, Program
from peercoach.programs.pairing_models import (
    MemberResponse,
    Pairing,
    PairingKind,
    PairingMember,
    PairingSource,
)
from peercoach.runner import scripts
from peercoach.runner.models import SessionRun
from peercoach.surveys.models import ProgramFeedback

# A pairing with no session for this long has stalled (the "not met in six weeks").
STALL_AFTER = timedelta(weeks=6)
SECONDS_PER_DAY = 86400.0

PAIR = PairingKind.PAIR.value

TAKING_PART_OR_LEFT = (EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED, EnrollmentStatus.LEFT)


@dataclass(frozen=True)
class Month:
    """The month's bounds, and `cut`: its end, or now for the month under way."""

    start: datetime
    end: datetime
    cut: datetime

    @classmethod
    def of(cls, month: date, now: datetime) -> Month:
        zone = timezone.get_current_timezone()
        first = month.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        start = timezone.make_aware(datetime.combine(first, time()), zone)
        end = timezone.make_aware(datetime.combine(following, time()), zone)
        return cls(start=start, end=end, cut=max(start, min(end, now)))

    def holds(self, moment: datetime | None) -> bool:
        return moment is not None and self.start <= moment < self.end


@dataclass(frozen=True)
class PairingTerm:
    """One person's place in one pairing that was active during the month."""

    person_id: int
    pairing_id: int
    kind: str
    activated_at: datetime
    ended_at: datetime | None  # when the pairing ended or the person left it, whichever first
    resumed_at: datetime | None
    department: str

    def covers(self, moment: datetime) -> bool:
        return self.activated_at <= moment and (self.ended_at is None or moment < self.ended_at)


@dataclass(frozen=True)
class HeldSession:
    session_id: int
    pairing_id: int
    starts_at: datetime


@dataclass(frozen=True)
class Run:
    """The guided run of a session held this month: what it recorded about turns and reviews."""

    member_ids: list[int]
    with_observer: bool
    position: int
    finished: bool
    steps: list[dict[str, Any]] | None  # read only for unfinished runs of triads and groups
    reviewed: frozenset[str]  # ids of actions reviewed at the start

    def turns(self) -> list[scripts.Roles]:
        """The turns the run reached: all of them once it finished."""
        if self.finished:
            reached = list(range(len(self.member_ids)))
        else:
            try:
                steps = scripts.steps_from_data(self.steps or [])
                slots = scripts.timeline(steps, turns=len(self.member_ids))
            except scripts.ScriptError:
                slots = []  # a script that no longer parses says nothing about turns
            reached = sorted({s.turn for s in slots[: self.position + 1] if s.turn is not None})
        return [
            scripts.roles_for_turn(self.member_ids, turn, with_observer=self.with_observer)
            for turn in reached
        ]


class Tally:
    """Values per (family, person), every family's keys present, zero until added to."""

    def __init__(self) -> None:
        self._values: dict[Family, dict[int, dict[str, float]]] = defaultdict(dict)

    def add(self, family: Family, person_id: int, key: str, amount: float = 1.0) -> None:
        self.join(family, person_id)[key] += amount

    def join(self, family: Family, person_id: int) -> dict[str, float]:
        members = self._values[family]
        if person_id not in members:
            members[person_id] = dict.fromkeys(keys.FAMILY_VALUE_KEYS[family], 0.0)
        return members[person_id]

    def contributions(self) -> list[Contribution]:
        return [
            Contribution(person_id=person_id, family=family, values=values)
            for family in Family
            for person_id, values in sorted(self._values.get(family, {}).items())
        ]


# A month is published this many days after it ends: late marks and ratings have a week to
# arrive, and after that the month's figures never change (refresh.py says why).
PUBLISH_AFTER_DAYS = 7


def latest_publishable_month(today: date) -> date:
    """The first day of the latest month that ended at least PUBLISH_AFTER_DAYS days ago."""
    day_after_grace = today - timedelta(days=PUBLISH_AFTER_DAYS - 1)
    return (day_after_grace.replace(day=1) - timedelta(days=1)).replace(day=1)


def months_with_activity(*, program: Program, today: date | None = None) -> list[date]:
    """First days of the months from the program's start through its end that ended at least
    PUBLISH_AFTER_DAYS ago: the month under way and the grace week are never built."""
    today = today or timezone.localdate()
    last = min(latest_publishable_month(today), program.ends_on.replace(day=1))
    month = program.starts_on.replace(day=1)
    months: list[date] = []
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def monthly_contributions(
    *, organization: Organization, program: Program, month: date, now: datetime | None = None
) -> list[Contribution]:
    """Every person's values for `program` in `month`, one contribution per family they are in."""
    span = Month.of(month, now or timezone.now())
    reader = _Reader(organization=organization, program=program, span=span)
    terms = reader.terms()
    held = reader.held_sessions()
    earlier_held = reader.last_held_before_month()
    runs = reader.runs()
    tally = Tally()
    held_by_pairing = _by_pairing(held)
    term_sessions = _sessions_by_term(terms, held_by_pairing, span)
    _participants(tally, reader.enrollments(), terms, term_sessions, span)
    _paired(tally, terms, term_sessions, held_by_pairing, earlier_held, runs, program, span)
    _first_meetings(tally, terms, held_by_pairing, earlier_held, span)
    _new_partners(tally, terms, reader.earlier_partners(), span)
    _actions(tally, reader.actions(), held_by_pairing, earlier_held, runs, span)
    for person_id, response in reader.answers():
        tally.add(Family.RESPONDERS, person_id, keys.ANSWERS)
        if response == MemberResponse.ACCEPTED:
            tally.add(Family.RESPONDERS, person_id, keys.ACCEPTED)
    for person_id, rating in reader.ratings():
        tally.add(Family.RATERS, person_id, keys.RATINGS)
        tally.add(Family.RATERS, person_id, keys.RATING_TOTAL, rating)
    for person_id, rating in reader.survey_ratings():
        tally.add(Family.SURVEY_RESPONDENTS, person_id, keys.SURVEY_ANSWERS)
        tally.add(Family.SURVEY_RESPONDENTS, person_id, keys.SURVEY_RATING_TOTAL, rating)
    return tally.contributions()


# ---------------------------------------------------------------------------------------------
# Reading: one query each, whole program, plain tuples.


class _Reader:
    def __init__(self, *, organization: Organization, program: Program, span: Month) -> None:
        self.organization = organization
        self.program = program
        self.span = span

    def _pairings_active(self) -> QuerySet[Pairing]:
        pairings = Pairing.objects.in_organization(self.organization).filter(
            program=self.program, activated_at__lt=self.span.end
        )
        return pairings.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gte=self.span.start),
            Q(completed_at__isnull=True) | Q(completed_at__gte=self.span.start),
        )

    def _held(self) -> QuerySet[CoachingSession]:
        said_we_met = SessionAttendance.objects.in_organization(self.organization).filter(
            session=OuterRef("pk"), outcome=AttendanceOutcome.HELD
        )
        sessions = CoachingSession.objects.in_organization(self.organization)
        return (
            sessions.filter(pairing__program=self.program)
            .exclude(status=SessionStatus.CANCELLED)
            .filter(Q(status=SessionStatus.FINISHED) | Exists(said_we_met))
        )

    def _in_month(self, field: str) -> dict[str, datetime]:
        return {f"{field}__gte": self.span.start, f"{field}__lt": self.span.end}

    def enrollments(self) -> list[tuple[int, datetime | None]]:
        """(person, joined at) for everyone taking part at some point in the month."""
        rows = Enrollment.objects.in_organization(self.organization).filter(
            Q(left_at__isnull=True) | Q(left_at__gte=self.span.start),
            program=self.program,
            status__in=TAKING_PART_OR_LEFT,
            agreed_to_ground_rules_at__lt=self.span.end,
        )
        return list(rows.order_by().values_list("person_id", "agreed_to_ground_rules_at"))

    def terms(self) -> list[PairingTerm]:
        rows = (
            PairingMember.objects.in_organization(self.organization)
            .filter(
                Q(left_at__isnull=True) | Q(left_at__gte=self.span.start),
                pairing__in=self._pairings_active(),
                response=MemberResponse.ACCEPTED,
            )
            .values_list(
                "person_id",
                "pairing_id",
                "pairing__kind",
                "pairing__activated_at",
                "pairing__ended_at",
                "pairing__completed_at",
                "left_at",
                "pairing__last_resumed_at",
                "person__department",
            )
        )
        return [_term(row) for row in rows]

    def held_sessions(self) -> list[HeldSession]:
        rows = self._held().filter(**self._in_month("starts_at"))
        return [
            HeldSession(session_id=pk, pairing_id=pairing_id, starts_at=starts_at)
            for pk, pairing_id, starts_at in rows.order_by().values_list(
                "pk", "pairing_id", "starts_at"
            )
        ]

    def last_held_before_month(self) -> dict[int, datetime]:
        """Per pairing active this month, its last session held before the month began (all
        that "stalled", "first meeting" and "next session" need to know of earlier months)."""
        rows = (
            self._held()
            .filter(pairing__in=self._pairings_active(), starts_at__lt=self.span.start)
            .values("pairing_id")
            .annotate(last=Max("starts_at"))
            .values_list("pairing_id", "last")
        )
        return dict(rows)

    def runs(self) -> dict[int, Run]:
        # The script is only needed to tell which turns an unfinished run of three or more
        # reached; the other runs leave it in the database.
        turns_unknown = Q(finished_at__isnull=True) & ~Q(session__pairing__kind=PairingKind.PAIR)
        rows = (
            SessionRun.objects.in_organization(self.organization)
            .filter(session__pairing__program=self.program, **self._in_month("session__starts_at"))
            .annotate(script=Case(When(turns_unknown, then=F("steps")), output_field=JSONField()))
        )
        fields = ("session_id", "member_ids", "with_observer", "position", "finished_at")
        return {
            session_id: Run(
                member_ids=member_ids,
                with_observer=with_observer,
                position=position,
                finished=finished_at is not None,
                steps=script,
                reviewed=frozenset(reviewed),
            )
            for session_id, member_ids, with_observer, position, finished_at, script, reviewed in (
                rows.order_by().values_list(*fields, "script", "reviewed")
            )
        }

    def earlier_partners(self) -> list[tuple[int, int]]:
        """(pairing, person) for every pairing, in any program and activated before this month,
        of people whose pairing in this program started this month."""
        started = self._pairings_active().filter(**self._in_month("activated_at"))
        newcomers = PairingMember.objects.in_organization(self.organization).filter(
            pairing__in=started, response=MemberResponse.ACCEPTED
        )
        rows = PairingMember.objects.in_organization(self.organization).filter(
            person_id__in=newcomers.values("person_id"),
            response=MemberResponse.ACCEPTED,
            pairing__activated_at__lt=self.span.start,
        )
        return list(rows.order_by().values_list("pairing_id", "person_id"))

    def actions(self) -> list[tuple[str, int, int, datetime, datetime | None]]:
        """(action, owner, pairing, written at, closed at) for actions that may have been open
        at a session held this month. Only ids and times: never the action's words."""
        rows = Action.objects.in_organization(self.organization).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=self.span.start),
            plan__pairing__in=self._pairings_active(),
            created_at__lt=self.span.end,
        )
        fields = ("pk", "plan__owner_id", "plan__pairing_id", "created_at", "closed_at")
        return [(str(pk), *rest) for pk, *rest in rows.order_by().values_list(*fields)]

    def answers(self) -> list[tuple[int, str]]:
        rows = (
            PairingMember.objects.in_organization(self.organization)
            .filter(
                program=self.program,
                response__in=(MemberResponse.ACCEPTED, MemberResponse.DECLINED),
                **self._in_month("responded_at"),
            )
            .exclude(pairing__source=PairingSource.REQUEST)
        )
        return list(rows.order_by().values_list("person_id", "response"))

    def ratings(self) -> list[tuple[int, int]]:
        rows = (
            SessionAttendance.objects.in_organization(self.organization)
            .filter(
                session__pairing__program=self.program,
                rating__isnull=False,
                **self._in_month("session__starts_at"),
            )
            .exclude(session__status=SessionStatus.CANCELLED)
        )
        return [
            (pk, rating)
            for pk, rating in rows.order_by().values_list("person_id", "rating")
            if rating
        ]

    def survey_ratings(self) -> list[tuple[int, int]]:
        rows = ProgramFeedback.objects.in_organization(self.organization).filter(
            program=self.program, **self._in_month("created_at")
        )
        return list(rows.order_by().values_list("person_id", "rating"))


def _term(row: tuple[Any, ...]) -> PairingTerm:
    person_id, pairing_id, kind, activated_at, ended_at, completed_at, left_at, resumed, dept = row
    endings = [moment for moment in (ended_at, completed_at, left_at) if moment is not None]
    return PairingTerm(
        person_id=person_id,
        pairing_id=pairing_id,
        kind=kind,
        activated_at=activated_at,
        ended_at=min(endings) if endings else None,
        resumed_at=resumed,
        department=dept,
    )


def _by_pairing(held: Iterable[HeldSession]) -> dict[int, list[HeldSession]]:
    by_pairing: dict[int, list[HeldSession]] = defaultdict(list)
    for session in sorted(held, key=lambda s: (s.starts_at, s.session_id)):
        by_pairing[session.pairing_id].append(session)
    return by_pairing


type TermSessions = dict[tuple[int, int], list[HeldSession]]


def _sessions_by_term(
    terms: list[PairingTerm], held_by_pairing: dict[int, list[HeldSession]], span: Month
) -> TermSessions:
    """Per (person, pairing): the pairing's sessions held this month while the person was in it."""
    in_month = {
        pairing_id: [session for session in sessions if span.holds(session.starts_at)]
        for pairing_id, sessions in held_by_pairing.items()
    }
    return {
        (term.person_id, term.pairing_id): [
            session
            for session in in_month.get(term.pairing_id, ())
            if term.covers(session.starts_at)
        ]
        for term in terms
    }


# ---------------------------------------------------------------------------------------------
# Families


def _participants(
    tally: Tally,
    enrollments: list[tuple[int, datetime | None]],
    terms: list[PairingTerm],
    term_sessions: TermSessions,
    span: Month,
) -> None:
    paired = {term.person_id for term in terms}
    met = {person_id for (person_id, _), sessions in term_sessions.items() if sessions}
    for person_id, joined_at in enrollments:
        tally.add(Family.PARTICIPANTS, person_id, keys.ENROLLED)
        if span.holds(joined_at):
            tally.add(Family.PARTICIPANTS, person_id, keys.JOINED)
        if person_id in paired:
            tally.add(Family.PARTICIPANTS, person_id, keys.IN_PAIRING)
        if person_id in met:
            tally.add(Family.PARTICIPANTS, person_id, keys.MET)


def _cadence_days(program: Program) -> int:
    per_unit = 7 if program.cadence_unit == CadenceUnit.WEEKS else 1
    return program.cadence_interval * per_unit


def _paired(
    tally: Tally,
    terms: list[PairingTerm],
    term_sessions: TermSessions,
    held_by_pairing: dict[int, list[HeldSession]],
    earlier_held: dict[int, datetime],
    runs: dict[int, Run],
    program: Program,
    span: Month,
) -> None:
    cadence_days = _cadence_days(program)
    coached: set[int] = set()
    was_coached: set[int] = set()
    for term in terms:
        person_id = term.person_id
        tally.join(Family.PAIRED, person_id)
        sessions = term_sessions[(person_id, term.pairing_id)]
        tally.add(Family.PAIRED, person_id, keys.HELD_SESSIONS, len(sessions))
        expected = _days_paired(term, span) / cadence_days
        tally.add(Family.PAIRED, person_id, keys.EXPECTED_SESSIONS, expected)
        tally.add(Family.PAIRED, person_id, keys.HELD_ON_RHYTHM, min(len(sessions), expected))
        if _has_stalled(term, held_by_pairing, earlier_held, span):
            tally.join(Family.PAIRED, person_id)[keys.STALLED] = 1.0
        for session in sessions:
            run = runs.get(session.session_id)
            if term.kind == PAIR or run is None:
                coached.add(person_id)
                was_coached.add(person_id)
                continue
            for roles in run.turns():
                if roles.client == person_id:
                    was_coached.add(person_id)
                if person_id in roles.coaches:
                    coached.add(person_id)
    for person_id in coached & was_coached:
        tally.join(Family.PAIRED, person_id)[keys.RECIPROCAL] = 1.0


def _days_paired(term: PairingTerm, span: Month) -> float:
    """Days of the month (up to its cut) the person was in the pairing while it was active."""
    begins = max(term.activated_at, span.start)
    ends = min(term.ended_at or span.cut, span.cut)
    return max(0.0, (ends - begins).total_seconds() / SECONDS_PER_DAY)


def _has_stalled(
    term: PairingTerm,
    held_by_pairing: dict[int, list[HeldSession]],
    earlier_held: dict[int, datetime],
    span: Month,
) -> bool:
    cut = span.cut
    if not term.covers(cut):
        return False  # it ended (or the person left) by then: over, not stalled
    moments = [term.activated_at]
    if term.resumed_at is not None and term.resumed_at <= cut:
        moments.append(term.resumed_at)
    moments.extend(
        s.starts_at for s in held_by_pairing.get(term.pairing_id, []) if s.starts_at <= cut
    )
    if (earlier := earlier_held.get(term.pairing_id)) is not None:
        moments.append(earlier)
    return cut - max(moments) >= STALL_AFTER


def _first_meetings(
    tally: Tally,
    terms: list[PairingTerm],
    held_by_pairing: dict[int, list[HeldSession]],
    earlier_held: dict[int, datetime],
    span: Month,
) -> None:
    for term in terms:
        if term.pairing_id in earlier_held:
            continue
        sessions = held_by_pairing.get(term.pairing_id, [])
        if not sessions or not span.holds(sessions[0].starts_at):
            continue  # no first meeting yet, or it was held before this month
        first = sessions[0].starts_at
        if not term.covers(first):
            continue
        days = max(0.0, (first - term.activated_at).total_seconds() / SECONDS_PER_DAY)
        tally.add(Family.FIRST_MEETINGS, term.person_id, keys.FIRST_MEETINGS)
        tally.add(Family.FIRST_MEETINGS, term.person_id, keys.DAYS_TO_FIRST_MEETING, days)


def _new_partners(
    tally: Tally,
    terms: list[PairingTerm],
    earlier_partners: list[tuple[int, int]],
    span: Month,
) -> None:
    """Count, for each pairing started this month, partners from another department whom the
    person had never been paired with before (in any program)."""
    known: set[frozenset[int]] = set()
    earlier_by_pairing: dict[int, list[int]] = defaultdict(list)
    for pairing_id, person_id in earlier_partners:
        earlier_by_pairing[pairing_id].append(person_id)
    for people in earlier_by_pairing.values():
        known.update(_pairs_of(people))
    started: dict[int, list[PairingTerm]] = defaultdict(list)
    for term in terms:
        if span.holds(term.activated_at):
            started[term.pairing_id].append(term)
    for members in sorted(started.values(), key=lambda ms: (ms[0].activated_at, ms[0].pairing_id)):
        for member in members:
            for partner in members:
                pair = frozenset((member.person_id, partner.person_id))
                if len(pair) == 2 and pair not in known and member.department != partner.department:
                    tally.add(Family.PAIRED, member.person_id, keys.NEW_CROSS_DEPARTMENT_PARTNERS)
        known.update(_pairs_of([member.person_id for member in members]))


def _pairs_of(people: list[int]) -> set[frozenset[int]]:
    return {frozenset((a, b)) for a in people for b in people if a != b}


def _actions(
    tally: Tally,
    actions: list[tuple[str, int, int, datetime, datetime | None]],
    held_by_pairing: dict[int, list[HeldSession]],
    earlier_held: dict[int, datetime],
    runs: dict[int, Run],
    span: Month,
) -> None:
    starts_by_pairing = {
        pairing_id: [session.starts_at for session in sessions]
        for pairing_id, sessions in held_by_pairing.items()
    }
    for action_id, owner_id, pairing_id, written_at, closed_at in actions:
        earlier = earlier_held.get(pairing_id)
        if earlier is not None and earlier > written_at:
            continue  # its next session was held in an earlier month
        starts = starts_by_pairing.get(pairing_id, [])
        index = bisect.bisect_right(starts, written_at)
        if index == len(starts) or not span.holds(starts[index]):
            continue
        session = held_by_pairing[pairing_id][index]
        run = runs.get(session.session_id)
        reviewed = run is not None and action_id in run.reviewed
        if closed_at is not None and closed_at < session.starts_at and not reviewed:
            continue  # closed before the session began: nothing left to review
        tally.add(Family.ACTION_OWNERS, owner_id, keys.ACTIONS_DUE)
        if reviewed:
            tally.add(Family.ACTION_OWNERS, owner_id, keys.ACTIONS_REVIEWED)
