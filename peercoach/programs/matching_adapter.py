"""Between a program and the matching engine: the engine's plain data in, its result back.

The engine imports nothing from Django; this module is the only place that knows both sides.
It builds a `Population` from a program (everyone looking for a match, enrolled, plus every
manager above them, not enrolled, so that the engine can keep people out of their own
management chain at any depth), `MatchParams` from the program's settings, and re-checks a
manager's change to a proposal with the engine's own rule checker.

Goals are personal: only the person reads them. They go into the engine, because matching needs
them, but every reason shown to a program manager or to a colleague is rewritten here so that it
never names what somebody else wants to get better at.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from django.utils import timezone

from peercoach.matching_engine import (
    HistoryEntry,
    MatchParams,
    MatchResult,
    Person,
    Population,
    match,
    suggest_peers,
)
from peercoach.matching_engine.explain import group_reason
from peercoach.matching_engine.rules import build_index
from peercoach.matching_engine.scoring import group_score
from peercoach.matching_engine.verify import verify_groups
from peercoach.people import management_path
from peercoach.people.models import Person as DirectoryPerson
from peercoach.programs.models import Enrollment, EnrollmentStatus, Program, ProgramFormat
from peercoach.programs.pairing_models import PairingMember
from peercoach.programs.pairing_selectors import enrollments_looking

ENGINE_FORMATS: dict[str, str] = {
    ProgramFormat.RECIPROCAL_PAIRS: "pairs",
    ProgramFormat.TRIADS: "triads",
    ProgramFormat.GROUPS: "groups",
    ProgramFormat.ROTATION_ROUNDS: "rotation",
    ProgramFormat.FEEDFORWARD_CIRCLES: "groups",
}
# Ancestor lookups go to the database in slices, to stay under SQLite's parameter limit.
LOOKUP_SLICE = 900


def engine_id(person_id: int) -> str:
    return str(person_id)


# ---------------------------------------------------------------------------------------------
# Program -> engine


def program_params(program: Program, *, seed: int = 1, today: date | None = None) -> MatchParams:
    """The program's settings as engine parameters."""
    format_name = ENGINE_FORMATS[program.format]
    low, high = program.group_size_range
    return MatchParams(
        format=format_name,
        seed=seed,
        reference_date=today or timezone.localdate(),
        min_overlap_hours=float(program.minimum_shared_hours),
        repeat_window_days=program.repeat_window_days,
        group_min=low,
        group_max=high,
    )


def looking_enrollments(program: Program) -> list[Enrollment]:
    """Whom a run matches: taking part and, unless several pairings are allowed, not paired."""
    if program.allows_several_pairings:
        enrollments = Enrollment.objects.in_organization(program.organization_id).filter(
            program=program, status=EnrollmentStatus.ACTIVE
        )
    else:
        enrollments = enrollments_looking(program=program)
    return list(enrollments.select_related("person").order_by("person_id"))


def engine_person(enrollment: Enrollment) -> Person:
    person = enrollment.person
    return Person(
        id=engine_id(person.pk),
        name=person.full_name,
        manager_id=engine_id(person.manager_id) if person.manager_id else None,
        department=person.department,
        level=person.level or 0,
        timezone=enrollment.timezone or person.timezone or "UTC",
        hours=(enrollment.working_hours_start, enrollment.working_hours_end),
        languages=tuple(_normalized(enrollment.languages or person.languages or ["English"])),
        wants=tuple(_normalized(enrollment.goals)),
        offers=tuple(_normalized(enrollment.offers)),
        enrolled=True,
    )


def _normalized(items: Iterable[str]) -> list[str]:
    # "Public speaking" and "public speaking " are the same topic to people, so to the engine.
    return sorted({" ".join(str(item).split()).casefold() for item in items if str(item).strip()})


def program_population(program: Program, enrollments: Sequence[Enrollment]) -> Population:
    """The enrolled people, every manager above them (not enrolled), and who met whom before."""
    enrolled = [engine_person(enrollment) for enrollment in enrollments]
    ancestors = _ancestors(program.organization_id, [e.person for e in enrollments])
    return Population(
        people=(*enrolled, *ancestors),
        history=tuple(_history(program.organization_id, {int(p.id) for p in enrolled})),
    )


def _ancestors(organization_id: int, people: Sequence[DirectoryPerson]) -> list[Person]:
    enrolled_ids = {person.pk for person in people}
    wanted = sorted(
        {
            ancestor
            for person in people
            for ancestor in management_path.ancestor_ids(person.management_path)
        }
        - enrolled_ids
    )
    found: list[Person] = []
    for start in range(0, len(wanted), LOOKUP_SLICE):
        rows = (
            DirectoryPerson.objects.in_organization(organization_id)
            .filter(pk__in=wanted[start : start + LOOKUP_SLICE])
            .values_list("pk", "full_name", "manager_id")
        )
        found.extend(
            Person(
                id=engine_id(pk),
                name=name,
                manager_id=engine_id(manager_id) if manager_id else None,
                enrolled=False,
            )
            for pk, name, manager_id in rows
        )
    return found


def _history(organization_id: int, person_ids: set[int]) -> list[HistoryEntry]:
    """Everyone who was in an active pairing together in this organization, any program."""
    # The whole organization's past pairings: far fewer rows than people, and no giant IN list.
    rows = (
        PairingMember.objects.in_organization(organization_id)
        .filter(pairing__activated_at__isnull=False)
        .values_list("pairing_id", "person_id", "pairing__activated_at")
        .order_by("pairing_id")
    )
    by_pairing: dict[int, list[int]] = {}
    started: dict[int, date] = {}
    for pairing_id, person_id, activated_at in rows:
        by_pairing.setdefault(pairing_id, []).append(person_id)
        started[pairing_id] = timezone.localdate(activated_at)
    return [
        HistoryEntry(engine_id(first), engine_id(second), started[pairing_id])
        for pairing_id, members in by_pairing.items()
        for first, second in combinations(sorted(members), 2)
        if first in person_ids or second in person_ids
    ]


def program_match(program: Program, *, seed: int = 1) -> tuple[MatchResult, Population]:
    """Run the engine on everyone in the program who is looking for a match."""
    enrollments = looking_enrollments(program)
    population = program_population(program, enrollments)
    return match(population, program_params(program, seed=seed)), population


# ---------------------------------------------------------------------------------------------
# Reasons a program manager or a colleague may read


def manager_reason(engine_reason: str, members: Sequence[Person]) -> str:
    """The engine's reason without the topics people want help with (those are personal)."""
    kept = [note for note in engine_reason.split("; ") if not _is_topic_note(note)]
    helping = _helping_links(members)
    if helping:
        links = "one way" if helping == 1 else f"{helping} ways"
        kept.insert(0, f"they can help each other ({links} someone offers what another wants)")
    return "; ".join(kept)


def suggestion_reason(engine_reason: str, me: Person, them: Person) -> str:
    """For the person choosing: what the colleague offers that they want, never the reverse."""
    kept = [
        note
        for note in engine_reason.split("; ")
        if not _is_topic_note(note) or note.startswith(f"{them.display_name} offers ")
    ]
    return "; ".join(
        note.replace(f", which {me.display_name} wants", ", which you want") for note in kept
    )


def _is_topic_note(note: str) -> bool:
    return " offers " in note and note.endswith(" wants")


def _helping_links(members: Sequence[Person]) -> int:
    return sum(
        1
        for giver in members
        for taker in members
        if giver is not taker and set(giver.offers) & set(taker.wants)
    )


# ---------------------------------------------------------------------------------------------
# Checking a manager's change with the engine's rule checker


@dataclass(frozen=True)
class GroupCheck:
    problems: tuple[str, ...]
    score: float
    reason: str

    @property
    def passed(self) -> bool:
        return not self.problems


# The engine's checker speaks in ids; a program manager reads these instead.
_PLAIN_PROBLEMS = (
    ("share a management chain", "they are in the same management chain"),
    ("are blocked", "one of them asked not to be matched with the other"),
    ("met within the repeat window", "they were matched with each other recently"),
    ("no language everyone shares", "they don't share a language"),
    ("minutes of shared working time", "they don't share enough working hours"),
    ("is not enrolled", "someone isn't taking part in the program"),
    ("more than one group", "someone would be in two groups"),
)


def group_check(population: Population, params: MatchParams, members: Sequence[str]) -> GroupCheck:
    """Every hard rule for one changed group, in plain words, with its new score and reason.

    `population` needs only the members and the managers above them; `members` are engine ids.
    """
    problems: list[str] = []
    verification = verify_groups(population, params, [members])
    for violation in verification.violations:
        plain = next((text for key, text in _PLAIN_PROBLEMS if key in violation), violation)
        if plain not in problems:
            problems.append(plain)
    if len(members) < 2:
        return GroupCheck(tuple(problems), 0.0, "")
    index = build_index(population, params, only=list(members))
    positions = list(range(len(members)))
    people = [index.people[position] for position in positions]
    reason = manager_reason(group_reason(index, positions), people)
    return GroupCheck(tuple(problems), round(group_score(index, positions), 6), reason)


def population_for(
    program: Program, person_ids: Sequence[int], *, today: date | None = None
) -> tuple[Population, MatchParams]:
    """A small population (these people, their managers, their history) to re-check a change."""
    enrollments = list(
        Enrollment.objects.in_organization(program.organization_id)
        .filter(program=program, person_id__in=person_ids)
        .select_related("person")
    )
    population = program_population(program, enrollments)
    return population, program_params(program, today=today)


def program_suggestions(
    program: Program, enrollment: Enrollment, candidates: Sequence[Enrollment], *, top: int = 5
) -> list[tuple[Enrollment, str]]:
    """Ranked colleagues for `enrollment` among `candidates`, with reasons for them to read."""
    if not candidates:
        return []
    everyone = [enrollment, *candidates]
    population = program_population(program, everyone)
    params = dataclasses.replace(
        program_params(program),
        format="suggest",
        suggest_for=engine_id(enrollment.person_id),
        suggest_top=top,
    )
    result = suggest_peers(population, params)
    by_id = {engine_id(e.person_id): e for e in candidates}
    people = {person.id: person for person in population.people}
    me = people[engine_id(enrollment.person_id)]
    return [
        (by_id[s.person_id], suggestion_reason(s.reason, me, people[s.person_id]))
        for s in result.suggestions
        if s.person_id in by_id
    ]
