"""Seeding for the insights bench: a year of coaching in an organization of 100,000 people.

Import after `django.setup()`. People come from the sample organization generator (departments,
offices, levels, a manager tree); programs, enrollments, pairings, meetings, about a million
sessions, their attendances and ratings, action plans reviewed in guided runs and survey answers
are generated with one seeded random generator and written with bulk inserts: `bulk_create` for
the smaller tables, multi-row `executemany` with explicit ids for sessions and attendances, the
sequences reset afterwards so that PostgreSQL keeps counting from the right place.

The shape of the year, per pairing: it starts in the program's first three months, meets on the
program's cadence from a few days to three weeks after starting; most sessions are held and
marked by every member (half of them with a rating), some missed, some cancelled; about one
pairing in eight goes quiet at some point and stops meeting (stalled), one in seven ends early.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from peercoach.accounts.models import User
from peercoach.core.demo import _create_people
from peercoach.meetings.models import CoachingSession, Meeting, SessionAttendance
from peercoach.organizations.models import Membership, Organization
from peercoach.people import management_path
from peercoach.people.models import Person
from peercoach.plans.models import Action, ActionPlan
from peercoach.programs.models import Enrollment, Program
from peercoach.programs.pairing_models import Pairing, PairingMember
from peercoach.runner import scripts
from peercoach.runner.models import SessionRun
from peercoach.sample_org import generate_organization
from peercoach.surveys.models import ProgramFeedback

WRITE_BATCH = 5000
PASSWORD = "bench-password-not-secret"


@dataclass
class ProgramPlan:
    name: str
    format: str
    group_size: int
    groups: int
    months_running: int
    cadence_weeks: int


@dataclass
class Seeded:
    organization: Organization
    programs: list[Program]
    sponsor: User
    manager: User
    manager_team_size: int
    people: int = 0
    enrollments: int = 0
    pairings: int = 0
    meetings: int = 0
    sessions: int = 0
    attendances: int = 0
    plans: int = 0
    actions: int = 0
    runs: int = 0
    survey_answers: int = 0
    seconds: dict[str, float] = field(default_factory=dict)


def default_plans(pairs: int, triads: int) -> list[ProgramPlan]:
    return [
        ProgramPlan("Peer coaching pairs", "reciprocal_pairs", 2, pairs, 12, 2),
        ProgramPlan("Leadership triads", "triads", 3, triads, 10, 1),
    ]


class _Ids:
    """Explicit ids for the rows written with executemany, continuing from what exists."""

    def __init__(self, model: Any) -> None:
        latest = model.all_organizations.order_by("-pk").values_list("pk", flat=True).first()
        self.next = (latest or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


class _Writer:
    """Buffers rows per table and writes them in multi-row batches."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {}
        self.columns: dict[str, Sequence[str]] = {}
        self.written: dict[str, int] = {}

    def add(self, table: str, columns: Sequence[str], row: tuple[Any, ...]) -> None:
        self.columns[table] = columns
        buffered = self.rows.setdefault(table, [])
        buffered.append(row)
        if len(buffered) >= WRITE_BATCH * 4:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.rows):
            rows = self.rows.get(name) or []
            if not rows:
                continue
            quote = connection.ops.quote_name
            columns = ", ".join(quote(column) for column in self.columns[name])
            placeholders = ", ".join(["%s"] * len(self.columns[name]))
            sql = f"INSERT INTO {quote(name)} ({columns}) VALUES ({placeholders})"
            with connection.cursor() as cursor:
                cursor.executemany(sql, rows)
            self.written[name] = self.written.get(name, 0) + len(rows)
            self.rows[name] = []


def _when(value: datetime | None) -> Any:
    """A datetime as the database takes it in raw SQL: SQLite keeps naive UTC text (what
    Django's adapter makes, without its per-call cost), PostgreSQL the aware value."""
    if value is None or connection.vendor != "sqlite":
        return value
    return str(value.astimezone(UTC).replace(tzinfo=None))


SESSION_COLUMNS = (
    "id",
    "organization_id",
    "pairing_id",
    "meeting_id",
    "starts_at",
    "ends_at",
    "status",
    "reminded_at",
)
ATTENDANCE_COLUMNS = (
    "id",
    "organization_id",
    "session_id",
    "person_id",
    "outcome",
    "rating",
    "recorded_at",
)
RUN_COLUMNS = (
    "id",
    "organization_id",
    "session_id",
    "steps",
    "member_ids",
    "with_observer",
    "position",
    "version",
    "agreed_ids",
    "planned_turns",
    "thanks_given",
    "reviewed",
    "timekeeper_id",
    "started_by_id",
    "started_at",
    "step_started_at",
    "turn_started_at",
    "finished_at",
)
FEEDBACK_COLUMNS = (
    "id",
    "organization_id",
    "program_id",
    "person_id",
    "rating",
    "keep",
    "change",
    "created_at",
    "updated_at",
)


def seed(
    *,
    people: int,
    plans: list[ProgramPlan],
    random_seed: int,
    now: datetime,
    report: Any = print,
) -> Seeded:
    rng = random.Random(random_seed)
    timer = _Timer()
    if connection.vendor == "sqlite":
        # A bigger page cache for this connection only: the indexes of a million sessions no
        # longer fit SQLite's default 2 MB, and every insert would go back to the disk.
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")
    organization = Organization.objects.create(
        name="Bench organization", slug=f"bench-{uuid.uuid4().hex[:10]}"
    )
    with transaction.atomic():
        _create_people(organization, generate_organization(people, seed=random_seed))
    timer.lap("people")
    person_ids = list(Person.objects.in_organization(organization).values_list("pk", flat=True))
    manager_person, team_size = _a_manager_with_a_big_team(organization)
    sponsor, manager = _logins(organization, manager_person)
    seeded = Seeded(
        organization=organization,
        programs=[],
        sponsor=sponsor,
        manager=manager,
        manager_team_size=team_size,
        people=len(person_ids),
    )
    sponsor_membership = Membership.objects.in_organization(organization).get(user=sponsor)
    writer = _Writer()
    ids = {
        "session": _Ids(CoachingSession),
        "attendance": _Ids(SessionAttendance),
        "feedback": _Ids(ProgramFeedback),
        "run": _Ids(SessionRun),
    }
    for plan in plans:
        with transaction.atomic():
            program = _program(organization, plan, sponsor_membership, now)
            seeded.programs.append(program)
            _seed_program(seeded, program, plan, person_ids, rng, writer, ids, now)
            writer.flush()
        timer.lap(f"program {program.name}")
        sessions = writer.written.get(CoachingSession._meta.db_table, 0)
        report(
            f"  seeded {program.name}: {sessions:,} sessions so far "
            f"({timer.seconds[f'program {program.name}']:.1f} s)"
        )
    seeded.sessions = writer.written.get(CoachingSession._meta.db_table, 0)
    seeded.attendances = writer.written.get(SessionAttendance._meta.db_table, 0)
    seeded.survey_answers = writer.written.get(ProgramFeedback._meta.db_table, 0)
    seeded.runs = writer.written.get(SessionRun._meta.db_table, 0)
    _reset_sequences()
    _analyze()
    timer.lap("indexes and statistics")
    seeded.seconds = timer.seconds
    return seeded


class _Timer:
    def __init__(self) -> None:
        import time

        self._clock = time.perf_counter
        self._last = self._clock()
        self.seconds: dict[str, float] = {}

    def lap(self, label: str) -> None:
        moment = self._clock()
        self.seconds[label] = moment - self._last
        self._last = moment


def _a_manager_with_a_big_team(organization: Organization) -> tuple[Person, int]:
    """Someone with a few thousand people reporting to them at any depth."""
    rows = Person.objects.in_organization(organization).values_list("pk", "management_path")
    team: dict[int, int] = {}
    for _, path in rows.iterator(chunk_size=10_000):
        for ancestor in management_path.ancestor_ids(path):
            team[ancestor] = team.get(ancestor, 0) + 1
    fitting = [(size, pk) for pk, size in team.items() if 2_000 <= size <= 8_000]
    size, pk = max(fitting) if fitting else max((size, pk) for pk, size in team.items())
    return Person.objects.in_organization(organization).get(pk=pk), size


def _logins(organization: Organization, manager_person: Person) -> tuple[User, User]:
    stamp = organization.slug
    sponsor = User.objects.create_user(email=f"sponsor-{stamp}@example.com", password=PASSWORD)
    Membership.objects.in_organization(organization).create(
        organization=organization, user=sponsor, is_sponsor=True
    )
    manager = User.objects.create_user(email=f"manager-{stamp}@example.com", password=PASSWORD)
    Membership.objects.in_organization(organization).create(
        organization=organization, user=manager, person=manager_person
    )
    return sponsor, manager


def _program(
    organization: Organization, plan: ProgramPlan, sponsor: Membership, now: datetime
) -> Program:
    today = timezone.localdate(now)
    starts_on = (today.replace(day=1) - timedelta(days=30 * (plan.months_running - 1))).replace(
        day=1
    )
    return Program.objects.in_organization(organization).create(
        organization=organization,
        name=plan.name,
        purpose="skill_development",
        format=plan.format,
        starts_on=starts_on,
        ends_on=today + timedelta(days=60),
        cadence_interval=plan.cadence_weeks,
        cadence_unit="weeks",
        status="running",
        sponsor=sponsor,
    )


def _seed_program(
    seeded: Seeded,
    program: Program,
    plan: ProgramPlan,
    person_ids: list[int],
    rng: random.Random,
    writer: _Writer,
    ids: dict[str, _Ids],
    now: datetime,
) -> None:
    organization = seeded.organization
    start = timezone.make_aware(datetime.combine(program.starts_on, datetime.min.time()))
    paired_count = plan.groups * plan.group_size
    declined_count = plan.groups // 8 * plan.group_size
    chosen = rng.sample(person_ids, min(len(person_ids), paired_count + declined_count + 2000))
    joined = {pk: start + timedelta(days=rng.uniform(0, 80)) for pk in chosen}
    enrollments = Enrollment.objects.in_organization(organization).bulk_create(
        [
            Enrollment(
                organization=organization,
                program=program,
                person_id=pk,
                status="active",
                source="open",
                agreed_to_ground_rules_at=joined[pk],
            )
            for pk in chosen
        ],
        batch_size=WRITE_BATCH,
    )
    seeded.enrollments += len(enrollments)
    enrollment_of = {e.person_id: e.pk for e in enrollments}
    groups = [chosen[i : i + plan.group_size] for i in range(0, paired_count, plan.group_size)]
    declined = [
        chosen[paired_count + i : paired_count + i + plan.group_size]
        for i in range(0, declined_count, plan.group_size)
    ]
    pairings = _pairings(seeded, program, plan, groups, declined, joined, rng, now)
    _members(seeded, program, pairings, enrollment_of, rng)
    _meetings_and_sessions(seeded, program, plan, pairings, rng, writer, ids, now)
    _survey(seeded, program, chosen, rng, writer, ids, start, now)


@dataclass
class _PairingDraft:
    pairing: Pairing
    people: list[int]
    declined: bool
    activated_at: datetime  # when everyone said yes (for a declined match: when it was asked)
    stops_at: datetime | None = None  # goes quiet from then on


def _pairings(
    seeded: Seeded,
    program: Program,
    plan: ProgramPlan,
    groups: list[list[int]],
    declined: list[list[int]],
    joined: dict[int, datetime],
    rng: random.Random,
    now: datetime,
) -> list[_PairingDraft]:
    kind = {2: "pair", 3: "triad"}.get(plan.group_size, "group")
    drafts: list[_PairingDraft] = []
    for people, did_decline in [(g, False) for g in groups] + [(g, True) for g in declined]:
        ready = max(joined[pk] for pk in people)
        proposed = ready + timedelta(days=rng.uniform(0, 10))
        activated = proposed + timedelta(days=rng.uniform(0.2, 5))
        if activated >= now:
            activated = now - timedelta(days=1)
        ended = None
        if not did_decline and rng.random() < 0.14:
            candidate = activated + timedelta(days=rng.uniform(40, 300))
            ended = candidate if candidate < now else None
        status = "declined" if did_decline else ("ended" if ended else "active")
        pairing = Pairing(
            organization=seeded.organization,
            program=program,
            status=status,
            kind=kind,
            source="manager",
            proposed_at=proposed,
            invited_at=proposed,
            activated_at=None if did_decline else activated,
            ended_at=ended,
        )
        stops_at = None
        if not did_decline and rng.random() < 0.12:
            stops_at = activated + timedelta(days=rng.uniform(20, 250))
        drafts.append(_PairingDraft(pairing, people, did_decline, activated, stops_at))
    Pairing.objects.in_organization(seeded.organization).bulk_create(
        [d.pairing for d in drafts], batch_size=WRITE_BATCH
    )
    seeded.pairings += len(drafts)
    return drafts


def _members(
    seeded: Seeded,
    program: Program,
    drafts: list[_PairingDraft],
    enrollment_of: dict[int, int],
    rng: random.Random,
) -> None:
    rows = []
    for draft in drafts:
        pairing = draft.pairing
        decliner = rng.randrange(len(draft.people)) if draft.declined else -1
        for index, pk in enumerate(draft.people):
            answered = pairing.proposed_at + timedelta(hours=rng.uniform(1, 72))
            rows.append(
                PairingMember(
                    organization=seeded.organization,
                    pairing=pairing,
                    enrollment_id=enrollment_of[pk],
                    program=program,
                    person_id=pk,
                    response="declined" if index == decliner else "accepted",
                    responded_at=answered,
                    left_at=pairing.ended_at if pairing.status == "ended" and index == 0 else None,
                    is_current=pairing.status == "active",
                )
            )
    PairingMember.objects.in_organization(seeded.organization).bulk_create(
        rows, batch_size=WRITE_BATCH
    )


def _meetings_and_sessions(
    seeded: Seeded,
    program: Program,
    plan: ProgramPlan,
    drafts: list[_PairingDraft],
    rng: random.Random,
    writer: _Writer,
    ids: dict[str, _Ids],
    now: datetime,
) -> None:
    active = [d for d in drafts if not d.declined]
    meetings = Meeting.objects.in_organization(seeded.organization).bulk_create(
        [
            Meeting(
                organization=seeded.organization,
                pairing=d.pairing,
                proposed_by_id=d.people[0],
                status="confirmed",
                starts_at=d.activated_at + timedelta(days=rng.uniform(2, 21)),
                duration_minutes=60,
                recurrence_rule=f"FREQ=WEEKLY;INTERVAL={plan.cadence_weeks}",
                confirmed_at=d.pairing.activated_at,
            )
            for d in active
        ],
        batch_size=WRITE_BATCH,
    )
    seeded.meetings += len(meetings)
    steps = json.dumps([step.as_data() for step in scripts.template_steps(program.format)])
    pending = _Pending(seeded)
    for draft, meeting in zip(active, meetings, strict=True):
        _sessions_of(seeded, draft, meeting, plan, steps, rng, writer, ids, pending, now)
        pending.maybe_flush()
    pending.flush()


def _sessions_of(
    seeded: Seeded,
    draft: _PairingDraft,
    meeting: Meeting,
    plan: ProgramPlan,
    steps: str,
    rng: random.Random,
    writer: _Writer,
    ids: dict[str, _Ids],
    pending: _Pending,
    now: datetime,
) -> None:
    organization_id = seeded.organization.pk
    last = min(m for m in (draft.pairing.ended_at, draft.stops_at, now + timedelta(days=14)) if m)
    cadence = timedelta(weeks=plan.cadence_weeks)
    starts_at = meeting.starts_at
    waiting_review: list[uuid.UUID] = []
    while starts_at < last:
        session_id = ids["session"].take()
        past = starts_at < now
        roll = rng.random()
        status = "scheduled" if not past else ("cancelled" if roll > 0.95 else "scheduled")
        writer.add(
            CoachingSession._meta.db_table,
            SESSION_COLUMNS,
            (
                session_id,
                organization_id,
                draft.pairing.pk,
                meeting.pk,
                _when(starts_at),
                _when(starts_at + timedelta(minutes=60)),
                status,
                None,
            ),
        )
        if past and status != "cancelled":
            if roll < 0.84:
                _held(draft, session_id, starts_at, rng, writer, ids, organization_id)
                # Guided runs: where actions wait for review, and for a fifth of triad sessions.
                if waiting_review or (len(draft.people) > 2 and rng.random() < 0.2):
                    writer.add(
                        SessionRun._meta.db_table,
                        RUN_COLUMNS,
                        _run(
                            draft, ids["run"].take(), session_id, starts_at, steps, waiting_review
                        ),
                    )
                waiting_review = []
                if rng.random() < 0.06:
                    waiting_review = _plan(seeded, draft, session_id, starts_at, rng, pending)
            else:
                writer.add(
                    SessionAttendance._meta.db_table,
                    ATTENDANCE_COLUMNS,
                    (
                        ids["attendance"].take(),
                        organization_id,
                        session_id,
                        draft.people[0],
                        "missed",
                        None,
                        _when(starts_at + timedelta(hours=2)),
                    ),
                )
        starts_at += cadence + timedelta(hours=rng.choice((0, 0, 0, 24, -24)))


def _held(
    draft: _PairingDraft,
    session_id: int,
    starts_at: datetime,
    rng: random.Random,
    writer: _Writer,
    ids: dict[str, _Ids],
    organization_id: int,
) -> None:
    for pk in draft.people:
        rating = rng.choice((2, 3, 4, 4, 5, 5)) if rng.random() < 0.5 else None
        writer.add(
            SessionAttendance._meta.db_table,
            ATTENDANCE_COLUMNS,
            (
                ids["attendance"].take(),
                organization_id,
                session_id,
                pk,
                "held",
                rating,
                _when(starts_at + timedelta(hours=2)),
            ),
        )


def _plan(
    seeded: Seeded,
    draft: _PairingDraft,
    session_id: int,
    starts_at: datetime,
    rng: random.Random,
    pending: _Pending,
) -> list[uuid.UUID]:
    """An action plan with two actions, written by the first member after the session."""
    written = starts_at + timedelta(hours=1)
    plan = ActionPlan(
        organization=seeded.organization,
        owner_id=draft.people[0],
        pairing=draft.pairing,
        session_id=session_id,
        goal="Bench goal",
        created_at=written,
        updated_at=written,
    )
    actions = [
        Action(
            organization=seeded.organization,
            plan=plan,
            text=f"Bench action {index}",
            position=index,
            created_at=written,
        )
        for index in range(2)
    ]
    pending.plans.append(plan)
    pending.actions.extend(actions)
    return [action.pk for action in actions if rng.random() < 0.8]


def _run(
    draft: _PairingDraft,
    run_id: int,
    session_id: int,
    starts_at: datetime,
    steps: str,
    waiting_review: list[uuid.UUID],
) -> tuple[Any, ...]:
    """A finished guided run (every turn reached) that reviewed the actions waiting for it."""
    return (
        run_id,
        draft.pairing.organization_id,
        session_id,
        steps,
        json.dumps(draft.people),
        len(draft.people) == 3,
        10_000,  # past the last step: every turn was reached
        1,
        "[]",
        "[]",
        0,
        json.dumps({str(pk): "done" for pk in waiting_review}),
        None,
        draft.people[0],
        _when(starts_at),
        _when(starts_at),
        _when(starts_at),
        _when(starts_at + timedelta(minutes=60)),
    )


class _Pending:
    """Plans and actions waiting to be written in batches. Foreign keys are checked at commit
    (Django declares them deferrable), so a plan may be written before its session."""

    def __init__(self, seeded: Seeded) -> None:
        self.seeded = seeded
        self.plans: list[ActionPlan] = []
        self.actions: list[Action] = []

    def maybe_flush(self) -> None:
        if len(self.actions) >= WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        organization = self.seeded.organization
        ActionPlan.objects.in_organization(organization).bulk_create(
            self.plans, batch_size=WRITE_BATCH
        )
        Action.objects.in_organization(organization).bulk_create(
            self.actions, batch_size=WRITE_BATCH
        )
        self.seeded.plans += len(self.plans)
        self.seeded.actions += len(self.actions)
        self.plans, self.actions = [], []


def _survey(
    seeded: Seeded,
    program: Program,
    chosen: list[int],
    rng: random.Random,
    writer: _Writer,
    ids: dict[str, _Ids],
    start: datetime,
    now: datetime,
) -> None:
    span = (now - start).total_seconds()
    for pk in chosen:
        if rng.random() >= 0.3:
            continue
        answered = start + timedelta(seconds=rng.uniform(span * 0.2, span))
        writer.add(
            ProgramFeedback._meta.db_table,
            FEEDBACK_COLUMNS,
            (
                ids["feedback"].take(),
                seeded.organization.pk,
                program.pk,
                pk,
                rng.choice((2, 3, 4, 4, 5)),
                "",
                "",
                _when(answered),
                _when(answered),
            ),
        )


def _reset_sequences() -> None:
    statements = connection.ops.sequence_reset_sql(
        no_style(), [CoachingSession, SessionAttendance, ProgramFeedback, SessionRun]
    )
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
