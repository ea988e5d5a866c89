"""Re-check every hard rule on the final groups, straight from the input data.

This deliberately shares no code with the solver's compiled rules: it walks reporting lines,
compares language sets and marks working minutes on a 24-hour clock, so a bug in the fast
path cannot hide itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import cache
from itertools import combinations
from zoneinfo import ZoneInfo

from peercoach.matching_engine.model import MatchParams, Person, Population, Verification
from peercoach.matching_engine.rules import RULES

MINUTES_PER_DAY = 24 * 60


def verify_groups(
    population: Population, params: MatchParams, groups: Sequence[Sequence[str]]
) -> Verification:
    people = {person.id: person for person in population.people}
    managers = {person.id: person.manager_id for person in population.people}
    blocked = {frozenset((block.person_id, block.blocked_id)) for block in population.blocks}
    window_start = params.reference_date - dt.timedelta(days=params.repeat_window_days)
    recent = {
        frozenset((entry.person_a, entry.person_b))
        for entry in population.history
        if entry.date > window_start
    }
    violations: list[str] = []
    seen: set[str] = set()
    for group in groups:
        label = ", ".join(group)
        if len(group) < 2:
            violations.append(f"[{label}] is not a pair or group")
        for member in group:
            if member not in people or not people[member].enrolled:
                violations.append(f"[{label}] {member} is not enrolled")
            if member in seen:
                violations.append(f"[{label}] {member} is in more than one group")
            seen.add(member)
        if any(member not in people for member in group):
            continue
        for first, second in combinations(group, 2):
            if _above(managers, first, second) or _above(managers, second, first):
                violations.append(f"[{label}] {first} and {second} share a management chain")
            if frozenset((first, second)) in blocked:
                violations.append(f"[{label}] {first} and {second} are blocked")
            if frozenset((first, second)) in recent:
                violations.append(f"[{label}] {first} and {second} met within the repeat window")
        if not set.intersection(*(set(people[member].languages) for member in group)):
            violations.append(f"[{label}] no language everyone shares")
        shared = _shared_minutes([people[member] for member in group], params.reference_date)
        if shared < params.min_overlap_hours * 60:
            violations.append(f"[{label}] only {shared} minutes of shared working time")
    return Verification(
        groups_checked=len(groups),
        people_checked=len(seen),
        rules=RULES,
        violations=tuple(violations),
    )


def _above(managers: dict[str, str | None], boss: str, person: str) -> bool:
    current = managers.get(person)
    steps = 0
    while current is not None and steps <= len(managers):
        if current == boss:
            return True
        current = managers.get(current)
        steps += 1
    return False


def _shared_minutes(members: Sequence[Person], reference_date: dt.date) -> int:
    """Longest run of minutes (around the clock) in which everyone is working, in UTC."""
    everyone = FULL_DAY
    for member in members:
        everyone &= _working_minutes(member.timezone, member.hours, reference_date)
    return _longest_run(everyone)


FULL_DAY = (1 << MINUTES_PER_DAY) - 1


@cache
def _working_minutes(timezone: str, hours: tuple[int, int], reference_date: dt.date) -> int:
    """Bit m set when the person works during UTC minute m of the reference day."""
    start_hour, end_hour = hours
    local = dt.datetime.combine(reference_date, dt.time(start_hour), ZoneInfo(timezone))
    in_utc = local.astimezone(dt.UTC)
    start = in_utc.hour * 60 + in_utc.minute
    length = ((end_hour - start_hour) % 24 or 24) * 60
    bits = 0
    for minute in range(start, start + length):
        bits |= 1 << (minute % MINUTES_PER_DAY)
    return bits


@cache
def _longest_run(bits: int) -> int:
    if bits == FULL_DAY:
        return MINUTES_PER_DAY
    longest = run = 0
    for minute in range(2 * MINUTES_PER_DAY):  # twice round the clock: runs across midnight count
        run = run + 1 if (bits >> (minute % MINUTES_PER_DAY)) & 1 else 0
        longest = max(longest, run)
    return longest
