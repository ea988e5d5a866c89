"""The hard rules, compiled into arrays so millions of candidate pairs can be checked at once.

People are numbered 0..n-1 in input order (enrolled people only). Each rule becomes a cheap
array test:
- management chain: an Euler tour of the whole reporting forest gives every person an entry
  and exit time; u is above v exactly when v's interval sits inside u's;
- language: languages become bit sets, and a shared language is a non-zero AND;
- working time: each person's hours, placed in UTC on the reference date (so daylight saving
  time is right for that date), fall into a handful of distinct windows; overlaps between
  windows are computed once;
- blocks and recent pairings: sorted arrays of pair keys, searched in bulk.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray

from peercoach.matching_engine.model import MatchParams, Person, Population

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
WordArray = NDArray[np.uint64]
MINUTES_PER_DAY = 24 * 60

RULES = (
    "nobody is matched with someone anywhere in their management chain",
    "everyone in a pair or group shares at least one language",
    "everyone in a pair or group shares the minimum working time",
    "nobody is matched again within the repeat window",
    "no blocked pair is ever matched",
    "only enrolled people are matched",
    "each person is in at most one pair or group",
)


def utc_window(person: Person, reference_date: dt.date) -> tuple[int, int]:
    """Working hours as (start minute in UTC, length in minutes) on the reference date."""
    start_hour, end_hour = person.hours
    length = ((end_hour - start_hour) % 24 or 24) * 60
    local_start = dt.datetime.combine(
        reference_date, dt.time(start_hour), ZoneInfo(person.timezone)
    )
    offset = local_start.utcoffset() or dt.timedelta(0)
    start = (start_hour * 60 - int(offset.total_seconds()) // 60) % MINUTES_PER_DAY
    return start, length


def window_overlap(first: tuple[int, int], second: tuple[int, int]) -> int:
    """Minutes two daily windows share, allowing for windows that cross midnight UTC."""
    best = 0
    for shift in (-MINUTES_PER_DAY, 0, MINUTES_PER_DAY):
        start = max(first[0], second[0] + shift)
        end = min(first[0] + first[1], second[0] + shift + second[1])
        best = max(best, end - start)
    return best


def common_window(windows: Sequence[tuple[int, int]]) -> int:
    """Minutes of the daily window everyone shares (windows are arcs on a 24-hour circle)."""
    best = 0
    for anchor in windows:
        start, end = anchor[0], anchor[0] + anchor[1]
        for other in windows:
            # Place the other arc on the copy of the day that overlaps the running window most.
            shifts = [other[0] + shift for shift in (-MINUTES_PER_DAY, 0, MINUTES_PER_DAY)]
            placed = max(shifts, key=lambda s: min(end, s + other[1]) - max(start, s))
            start, end = max(start, placed), min(end, placed + other[1])
            if end <= start:
                break
        best = max(best, end - start)
    return best


def encode_sets(values: Sequence[Iterable[str]], vocabulary: dict[str, int]) -> WordArray:
    """One row of 64-bit words per person; bit i set when the person has vocabulary item i."""
    for items in values:
        for item in items:
            vocabulary.setdefault(item, len(vocabulary))
    words = max(1, (len(vocabulary) + 63) // 64)
    encoded = np.zeros((len(values), words), dtype=np.uint64)
    for row, items in enumerate(values):
        for item in items:
            bit = vocabulary[item]
            encoded[row, bit // 64] |= np.uint64(1 << (bit % 64))
    return encoded


def count_common(first: WordArray, second: WordArray) -> IntArray:
    return np.bitwise_count(first & second).sum(axis=1, dtype=np.int64)


@dataclass
class RuleIndex:
    people: list[Person]
    position: dict[str, int]
    params: MatchParams
    entry: IntArray
    exit: IntArray
    window_class: IntArray
    windows: list[tuple[int, int]]
    class_overlap: IntArray
    languages: WordArray
    wants: WordArray
    offers: WordArray
    topics: list[str]
    level: IntArray
    department: IntArray
    blocked_keys: IntArray
    recent_keys: IntArray
    older_keys: IntArray
    older_penalty: NDArray[np.float64]
    preference_keys: IntArray
    preference_score: NDArray[np.float64]
    preference_mutual: BoolArray
    # Preference pairs by person, so candidate generation can always include them.
    preference_pairs: IntArray

    @property
    def size(self) -> int:
        return len(self.people)

    def keys(self, first: IntArray, second: IntArray) -> IntArray:
        return np.minimum(first, second) * self.size + np.maximum(first, second)

    def in_chain(self, first: IntArray, second: IntArray) -> BoolArray:
        first_above = (self.entry[first] <= self.entry[second]) & (
            self.exit[second] <= self.exit[first]
        )
        second_above = (self.entry[second] <= self.entry[first]) & (
            self.exit[first] <= self.exit[second]
        )
        return first_above | second_above

    def feasible(self, first: IntArray, second: IntArray) -> BoolArray:
        """True where the pair breaks no hard rule."""
        minimum = round(self.params.min_overlap_hours * 60)
        ok = first != second
        ok &= self.class_overlap[self.window_class[first], self.window_class[second]] >= minimum
        ok &= np.any((self.languages[first] & self.languages[second]) != 0, axis=1)
        ok &= ~self.in_chain(first, second)
        keys = self.keys(first, second)
        ok &= ~_contains(self.blocked_keys, keys)
        ok &= ~_contains(self.recent_keys, keys)
        return np.asarray(ok, dtype=bool)

    def overlap_minutes(self, first: IntArray, second: IntArray) -> IntArray:
        return self.class_overlap[self.window_class[first], self.window_class[second]]

    def group_window(self, members: Sequence[int]) -> int:
        return common_window([self.windows[self.window_class[member]] for member in members])

    def group_shares_language(self, members: Sequence[int]) -> bool:
        shared = self.languages[members[0]].copy()
        for member in members[1:]:
            shared &= self.languages[member]
        return bool(np.any(shared != 0))

    def group_feasible(self, members: Sequence[int]) -> bool:
        if len(members) < 2:
            return False
        indices = np.array(members, dtype=np.int64)
        first, second = np.triu_indices(len(members), 1)
        if not self.feasible(indices[first], indices[second]).all():
            return False
        minimum = round(self.params.min_overlap_hours * 60)
        return self.group_shares_language(members) and self.group_window(members) >= minimum


def _contains(sorted_keys: IntArray, keys: IntArray) -> BoolArray:
    if len(sorted_keys) == 0:
        return np.zeros(len(keys), dtype=bool)
    spots = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    return np.asarray(sorted_keys[spots] == keys)


Tour = tuple[dict[str, int], dict[str, int]]


def build_index(
    population: Population,
    params: MatchParams,
    only: Sequence[str] | None = None,
    tour: Tour | None = None,
) -> RuleIndex:
    """Compile the rules for the enrolled people (or just `only`, a block of them)."""
    if only is None:
        enrolled = [person for person in population.people if person.enrolled]
    else:
        by_id = {person.id: person for person in population.people}
        enrolled = [by_id[person_id] for person_id in only]
    position = {person.id: index for index, person in enumerate(enrolled)}
    entry_of, exit_of = tour or reporting_tour(population.people)
    entry = np.array([entry_of[person.id] for person in enrolled], dtype=np.int64)
    exit_ = np.array([exit_of[person.id] for person in enrolled], dtype=np.int64)
    # Many people share a time zone and hours; place each distinct combination in UTC once.
    placed: dict[tuple[str, tuple[int, int]], tuple[int, int]] = {}
    windows_by_person = []
    for person in enrolled:
        key = (person.timezone, person.hours)
        if key not in placed:
            placed[key] = utc_window(person, params.reference_date)
        windows_by_person.append(placed[key])
    windows = sorted(set(windows_by_person))
    class_of = {window: index for index, window in enumerate(windows)}
    class_overlap = np.array(
        [[window_overlap(first, second) for second in windows] for first in windows],
        dtype=np.int64,
    ).reshape(len(windows), len(windows))
    topic_vocabulary: dict[str, int] = {}
    wants = encode_sets([person.wants for person in enrolled], topic_vocabulary)
    offers = encode_sets([person.offers for person in enrolled], topic_vocabulary)
    departments: dict[str, int] = {}
    index = RuleIndex(
        people=enrolled,
        position=position,
        params=params,
        entry=entry,
        exit=exit_,
        window_class=np.array([class_of[window] for window in windows_by_person], dtype=np.int64),
        windows=windows,
        class_overlap=class_overlap,
        languages=encode_sets([person.languages for person in enrolled], {}),
        wants=wants,
        offers=offers,
        topics=sorted(topic_vocabulary, key=topic_vocabulary.__getitem__),
        level=np.array([person.level for person in enrolled], dtype=np.int64),
        department=np.array(
            [
                departments.setdefault(person.department, len(departments))
                if person.department
                else -1
                for person in enrolled
            ],
            dtype=np.int64,
        ),
        blocked_keys=np.zeros(0, dtype=np.int64),
        recent_keys=np.zeros(0, dtype=np.int64),
        older_keys=np.zeros(0, dtype=np.int64),
        older_penalty=np.zeros(0),
        preference_keys=np.zeros(0, dtype=np.int64),
        preference_score=np.zeros(0),
        preference_mutual=np.zeros(0, dtype=bool),
        preference_pairs=np.zeros((0, 2), dtype=np.int64),
    )
    _add_blocks_and_history(index, population)
    _add_preferences(index, population)
    return index


def reporting_tour(people: Sequence[Person]) -> Tour:
    """Entry and exit times of everyone in a depth-first walk of the reporting forest."""
    children: dict[str | None, list[str]] = defaultdict(list)
    for person in people:
        children[person.manager_id].append(person.id)
    entry: dict[str, int] = {}
    exit_: dict[str, int] = {}
    clock = 0
    stack: list[tuple[str, bool]] = [(root, False) for root in reversed(children[None])]
    while stack:
        person_id, leaving = stack.pop()
        if leaving:
            exit_[person_id] = clock
            clock += 1
            continue
        entry[person_id] = clock
        clock += 1
        stack.append((person_id, True))
        stack.extend((child, False) for child in reversed(children[person_id]))
    return entry, exit_


def _pair_keys(index: RuleIndex, pairs: list[tuple[str, str]]) -> IntArray:
    known = [
        (index.position[first], index.position[second])
        for first, second in pairs
        if first in index.position and second in index.position and first != second
    ]
    if not known:
        return np.zeros(0, dtype=np.int64)
    array = np.array(known, dtype=np.int64)
    return index.keys(array[:, 0], array[:, 1])


def _add_blocks_and_history(index: RuleIndex, population: Population) -> None:
    index.blocked_keys = np.unique(
        _pair_keys(index, [(block.person_id, block.blocked_id) for block in population.blocks])
    )
    params = index.params
    window_start = params.reference_date - dt.timedelta(days=params.repeat_window_days)
    recent = [
        (entry.person_a, entry.person_b)
        for entry in population.history
        if entry.date > window_start  # a date after the reference date counts as recent too
    ]
    index.recent_keys = np.unique(_pair_keys(index, recent))
    penalties: dict[int, float] = defaultdict(float)
    for entry in population.history:
        if entry.date > window_start:
            continue
        keys = _pair_keys(index, [(entry.person_a, entry.person_b)])
        if len(keys):
            # An older repeat still costs something, halving with each year since.
            years = (params.reference_date - entry.date).days / 365.25
            penalties[int(keys[0])] += params.weights.repeat_penalty * 0.5**years
    ordered = sorted(penalties)
    index.older_keys = np.array(ordered, dtype=np.int64)
    index.older_penalty = np.array([penalties[key] for key in ordered], dtype=float)


def _add_preferences(index: RuleIndex, population: Population) -> None:
    weights = index.params.weights
    chosen: dict[tuple[int, int], int] = {}
    for preference in population.preferences:
        first = index.position.get(preference.person_id)
        second = index.position.get(preference.preferred_id)
        if first is None or second is None or first == second:
            continue
        previous = chosen.get((first, second))
        chosen[(first, second)] = min(preference.rank, previous or preference.rank)
    scores: dict[int, float] = defaultdict(float)
    mutual: dict[int, bool] = {}
    for (first, second), rank in chosen.items():
        key = min(first, second) * index.size + max(first, second)
        scores[key] += weights.preference / rank
        if (second, first) in chosen:
            mutual[key] = True
    ordered = sorted(scores)
    index.preference_keys = np.array(ordered, dtype=np.int64)
    index.preference_mutual = np.array([mutual.get(key, False) for key in ordered], dtype=bool)
    index.preference_score = np.array(
        [scores[key] + (weights.mutual_preference if mutual.get(key) else 0.0) for key in ordered],
        dtype=float,
    )
    pairs = sorted({(min(pair), max(pair)) for pair in chosen})
    index.preference_pairs = np.array(pairs, dtype=np.int64).reshape(len(pairs), 2)


def lookup(
    sorted_keys: IntArray, values: NDArray[np.float64], keys: IntArray
) -> NDArray[np.float64]:
    """Values for keys found in sorted_keys, zero elsewhere."""
    result = np.zeros(len(keys))
    if len(sorted_keys) == 0:
        return result
    spots = np.minimum(np.searchsorted(sorted_keys, keys), len(sorted_keys) - 1)
    found = sorted_keys[spots] == keys
    result[found] = values[spots[found]]
    return result
