"""Plain-words reasons: why a group was formed, and why someone could not be matched."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import permutations

import numpy as np

from peercoach.matching_engine.rules import RuleIndex, count_common

MOST_TOPIC_NOTES = 4


def group_reason(index: RuleIndex, members: Sequence[int]) -> str:
    people = [index.people[member] for member in members]
    notes: list[str] = []
    for giver, taker in permutations(people, 2):
        shared = [topic for topic in giver.offers if topic in taker.wants]
        if shared and len(notes) < MOST_TOPIC_NOTES:
            notes.append(
                f"{giver.display_name} offers {_join(shared)}, which {taker.display_name} wants"
            )
    departments = {person.department for person in people if person.department}
    if len(departments) == len(people):
        notes.append("different departments")
    elif len(departments) > 1:
        notes.append(f"{len(departments)} departments")
    levels = [person.level for person in people]
    if max(levels) - min(levels) <= 1 and max(levels) > 0:
        notes.append("similar seniority")
    notes.extend(_preference_notes(index, members))
    hours = index.group_window(members) / 60
    notes.append(f"{_hours(hours)} of shared working time")
    if len(index.older_keys) and np.isin(index.keys(*_pairs(members)), index.older_keys).any():
        notes.append("some have met before, but not recently")
    return "; ".join(notes)


def _pairs(members: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    indices = np.array(members, dtype=np.int64)
    first, second = np.triu_indices(len(members), 1)
    return indices[first], indices[second]


def _preference_notes(index: RuleIndex, members: Sequence[int]) -> list[str]:
    notes: list[str] = []
    if len(index.preference_keys) == 0:
        return notes
    first, second = _pairs(members)
    for low, high, key in zip(first, second, index.keys(first, second), strict=True):
        spot = np.searchsorted(index.preference_keys, key)
        if spot < len(index.preference_keys) and index.preference_keys[spot] == key:
            names = f"{index.people[low].display_name} and {index.people[high].display_name}"
            if index.preference_mutual[spot]:
                notes.append(f"{names} chose each other")
            else:
                notes.append(f"{names}: one asked for the other")
    return notes


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _hours(hours: float) -> str:
    if hours >= 24:
        return "a full day"
    text = f"{hours:g}" if hours == int(hours) else f"{hours:.1f}"
    return f"{text} hour" if hours == 1 else f"{text} hours"


def unmatched_reason(index: RuleIndex, person: int, matched: set[int]) -> str:
    """The first hard rule that rules out every enrolled peer, in the order people think of them."""
    if index.size < 2:
        return "nobody else is enrolled"
    others = np.array([other for other in range(index.size) if other != person], dtype=np.int64)
    me = np.full(len(others), person, dtype=np.int64)
    hours = f"{index.params.min_overlap_hours:g}"
    steps = [
        (
            np.any((index.languages[me] & index.languages[others]) != 0, axis=1),
            "no enrolled peer shares a language",
        ),
        (
            index.overlap_minutes(me, others) >= round(index.params.min_overlap_hours * 60),
            f"no enrolled peer who shares a language also shares {hours} hours of working time",
        ),
        (~index.in_chain(me, others), "every compatible peer is in their management chain"),
        (
            ~np.isin(index.keys(me, others), index.blocked_keys),
            "every compatible peer is blocked, by them or by the peer",
        ),
        (
            ~np.isin(index.keys(me, others), index.recent_keys),
            "every compatible peer was matched with them in the last "
            f"{index.params.repeat_window_days} days",
        ),
    ]
    possible = np.ones(len(others), dtype=bool)
    for allowed, reason in steps:
        possible &= allowed
        if not possible.any():
            return reason
    return (
        "every compatible peer was already matched, and no pair or group had room "
        "for one more under the rules"
    )


def topic_overlap(index: RuleIndex, first: int, second: int) -> int:
    one, two = np.array([first]), np.array([second])
    return int(
        count_common(index.wants[one], index.offers[two])[0]
        + count_common(index.wants[two], index.offers[one])[0]
    )
