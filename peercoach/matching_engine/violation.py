"""For every person v, an upper limit on max_u (score(u, v) - y_u), without scoring n² pairs.

This is what makes the large-scale bound honest and tight. The score of a pair is

    c·(|wants(v) ∩ offers(u)| + |offers(v) ∩ wants(u)|) + seniority(levels) + overlap(windows)
    + d·[different departments] + preference(u, v) - repeat penalty(u, v)

Every person u is filed under keys (S, R, language) for every subset S of what u offers, every
subset R of what u wants and every language u speaks, together with u's seniority level and
working window. For v, looking up the keys (S ⊆ wants(v), R ⊆ offers(v), a language of v) finds
exactly the people u with S ⊆ offers(u) ∩ wants(v) and R ⊆ wants(u) ∩ offers(v); the key with
S and R equal to those intersections gives u's complementarity exactly, and no key gives more.
So the maximum over keys is exactly the maximum of the complementarity, seniority, overlap and
language part over every u. Under each key only the cheapest y per (level, window) matters,
plus the cheapest two from different departments for the department term, and we keep those.

Left out, which keeps the result an upper limit: the management chain, blocks and recent
pairings (they only remove partners), and repeat penalties (they only lower scores).
Preferences are few, so their pairs are scored directly and taken into the maximum.

People with more than MAX_KEY_TOPICS topics between wants and offers would need too many
keys; they are compared with everyone directly instead (exact, and they are rare).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peercoach.matching_engine.rules import IntArray, RuleIndex
from peercoach.matching_engine.scoring import (
    OVERLAP_BONUS_MINUTES,
    SENIORITY_FADE_LEVELS,
    FloatArray,
    pair_scores,
)

MAX_KEY_TOPICS = 8  # at most 2^8 (S, R) keys per person and language
QUERY_CHUNK = 2_000_000


@dataclass(frozen=True, slots=True)
class Violations:
    best: FloatArray  # max_u (score(u, v) - y_u), an upper limit, per v (-inf: no partner)
    partner: IntArray  # a u reaching it (-1 when none)


def _bits(row: np.ndarray) -> list[int]:
    return [
        word * 64 + bit
        for word, value in enumerate(row.tolist())
        for bit in range(64)
        if (value >> bit) & 1
    ]


def _subsets(items: list[int]) -> list[tuple[int, int]]:
    """Every subset of items as (bit mask over the items' positions in the topic list, size)."""
    subsets = [(0, 0)]
    for item in items:
        subsets += [(mask | (1 << item), size + 1) for mask, size in subsets]
    return subsets


@dataclass(frozen=True, slots=True)
class KeyedSearch:
    """The part of the search that does not depend on prices, built once per population.

    Filing everyone under their keys and grouping the lookups takes about half of a search at
    100,000 people; pricing rounds change only the prices, so they reuse it.
    """

    many: np.ndarray  # people with too many topics for keys: compared with everyone directly
    entry_key: IntArray  # the filed entries, in (key, level, window) cell order
    entry_person: IntArray
    entry_cell: IntArray
    cell_start: IntArray  # where each cell's run of entries starts
    department_order: IntArray  # entries with a department, in (cell, department) order
    department_start: IntArray  # where each (cell, department) run starts in that order
    key_count: int
    group: IntArray  # each person's (level, window) number
    classes: int
    level_score: FloatArray
    window_score: FloatArray
    types: IntArray  # (level, window, department) of each type of person asking
    query_of: IntArray  # for each lookup, its (key, type) question
    query_person: IntArray
    question_key: IntArray
    question_type: IntArray
    question_topics: IntArray


def prepare_search(index: RuleIndex) -> KeyedSearch | None:
    """Everything but the prices; None when nobody can be filed under keys."""
    if index.size < 2:
        return None
    topic_count = np.bitwise_count(index.wants).sum(axis=1) + np.bitwise_count(index.offers).sum(
        axis=1
    )
    many = topic_count > MAX_KEY_TOPICS
    if many.all():
        return None
    filed = _filed_with_arrays(index, ~many) or _filed_with_python(index, ~many)
    entry_key, entry_person, query_key, query_person, query_topics, key_count = filed
    weights = index.params.weights
    levels, level_of = np.unique(index.level, return_inverse=True)
    classes = len(index.windows)
    group = level_of.astype(np.int64) * classes + index.window_class
    cell = entry_key * (len(levels) * classes) + group[entry_person]
    # Within a cell, entries sort by person, so the cheapest is found without sorting prices.
    order = np.lexsort((entry_person, cell))
    entry_key, entry_person, cell = entry_key[order], entry_person[order], cell[order]
    department = index.department[entry_person]
    with_department = np.flatnonzero(department >= 0)
    department_order = with_department[
        np.lexsort((department[with_department], cell[with_department]))
    ]
    level_score = weights.seniority * np.maximum(
        0.0, 1.0 - np.abs(levels[:, None] - levels[None, :]) / SENIORITY_FADE_LEVELS
    )
    minimum = index.params.min_overlap_hours * 60
    overlap = index.class_overlap
    window_score = np.where(
        overlap >= minimum,
        weights.overlap * np.clip((overlap - minimum) / OVERLAP_BONUS_MINUTES, 0.0, 1.0),
        -np.inf,
    )
    # People of one type (level, window, department) asking under one key get the same answer:
    # work it out once per (key, type).
    types, person_type = np.unique(
        np.stack([level_of, index.window_class, index.department], axis=1),
        axis=0,
        return_inverse=True,
    )
    combined = query_key * len(types) + person_type.ravel()[query_person]
    unique_query, query_of = np.unique(combined, return_inverse=True)
    question_topics = np.zeros(len(unique_query), dtype=np.int64)
    question_topics[query_of] = query_topics
    return KeyedSearch(
        many=many,
        entry_key=entry_key,
        entry_person=entry_person,
        entry_cell=cell,
        cell_start=_run_starts(cell),
        department_order=department_order,
        department_start=_run_starts(
            cell[department_order] * (int(department.max(initial=0)) + 1)
            + department[department_order]
        ),
        key_count=key_count,
        group=group,
        classes=classes,
        level_score=level_score,
        window_score=window_score,
        types=types,
        query_of=query_of.ravel(),
        query_person=query_person,
        question_key=unique_query // len(types),
        question_type=unique_query % len(types),
        question_topics=question_topics,
    )


def structured_violations(
    index: RuleIndex, prices: FloatArray, search: KeyedSearch | None = None
) -> Violations:
    """best[v] >= score(u, v) - y_u for every feasible u != v (the maximum itself, mostly).

    `search` is prepare_search(index), when the caller keeps it for several prices.
    """
    size = index.size
    best = np.full(size, -np.inf)
    partner = np.full(size, -1, dtype=np.int64)
    if size < 2:
        return Violations(best, partner)
    if search is None:
        search = prepare_search(index)
    if search is None:  # nobody filed: everyone has many topics
        many = np.ones(size, dtype=bool)
    else:
        many = search.many
        _keyed_part(index, prices, search, best, partner)
    for person in np.flatnonzero(many).tolist():
        _direct(index, prices, person, best, partner)
    _preferences(index, prices, best, partner)
    return Violations(best, partner)


def _run_starts(values: np.ndarray) -> IntArray:
    """Where each run of equal values starts, in an array sorted by them."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(np.concatenate([[True], values[1:] != values[:-1]]))


def _cheapest_in_runs(price: FloatArray, starts: IntArray) -> IntArray:
    """The first position of the lowest price in each run (runs start at `starts`)."""
    if len(price) == 0:
        return np.zeros(0, dtype=np.int64)
    lowest = np.minimum.reduceat(price, starts)
    marker = np.zeros(len(price), dtype=np.int64)
    marker[starts] = 1
    run = np.cumsum(marker) - 1
    hits = np.flatnonzero(price == lowest[run])
    return np.asarray(hits[np.concatenate([[True], run[hits][1:] != run[hits][:-1]])])


def _keyed_part(
    index: RuleIndex,
    prices: FloatArray,
    search: KeyedSearch,
    best: FloatArray,
    partner: IntArray,
) -> None:
    weights = index.params.weights
    people, cell = search.entry_person, search.entry_cell
    price = prices[people]
    department = index.department[people]
    # The cheapest entry per (key, level, window), whatever the department (ties: lowest person).
    cheapest = _cheapest_in_runs(price, search.cell_start)
    # The cheapest per (cell, department), then the two cheapest departments per cell.
    ordered = search.department_order
    per_department = ordered[_cheapest_in_runs(price[ordered], search.department_start)]
    department_cell = cell[per_department]
    cell_runs = _run_starts(department_cell)
    first_spot = _cheapest_in_runs(price[per_department], cell_runs)
    first_choice = per_department[first_spot]
    rest_price = price[per_department].copy()
    rest_price[first_spot] = np.inf
    second_spot = _cheapest_in_runs(rest_price, cell_runs)
    second_spot = second_spot[np.isfinite(rest_price[second_spot])]
    second_choice = per_department[second_spot]
    cells = cell[cheapest]  # sorted, one per cell
    table_key = search.entry_key[cheapest]
    table_group = search.group[people[cheapest]]
    table_price = price[cheapest]
    table_person = people[cheapest]
    first_price = np.full(len(cells), np.inf)
    first_department = np.full(len(cells), -2, dtype=np.int64)
    first_person = np.full(len(cells), -1, dtype=np.int64)
    second_price = np.full(len(cells), np.inf)
    second_department = np.full(len(cells), -2, dtype=np.int64)
    second_person = np.full(len(cells), -1, dtype=np.int64)
    spot = np.searchsorted(cells, cell[first_choice])
    first_price[spot] = price[first_choice]
    first_department[spot] = department[first_choice]
    first_person[spot] = people[first_choice]
    spot = np.searchsorted(cells, cell[second_choice])
    second_price[spot] = price[second_choice]
    second_department[spot] = department[second_choice]
    second_person[spot] = people[second_choice]
    key_start = np.searchsorted(table_key, np.arange(search.key_count + 1))

    classes = search.classes
    level_score, window_score = search.level_score, search.window_score
    bonus = max(0.0, weights.different_department)
    types = search.types
    u_key, u_type, u_topics = search.question_key, search.question_type, search.question_topics
    answer = np.full(len(u_key), -np.inf)
    answer_person = np.full(len(u_key), -1, dtype=np.int64)
    counts = key_start[u_key + 1] - key_start[u_key]
    bounds = np.concatenate([[0], np.cumsum(counts)])
    start_query = 0
    while start_query < len(u_key):
        end_query = int(np.searchsorted(bounds, bounds[start_query] + QUERY_CHUNK, side="right"))
        end_query = max(end_query - 1, start_query + 1)
        chunk = slice(start_query, end_query)
        repeat = counts[chunk]
        owner = np.repeat(np.arange(start_query, end_query), repeat)
        offset = np.arange(len(owner)) - np.repeat(bounds[chunk] - bounds[start_query], repeat)
        row = key_start[u_key[owner]] + offset
        kind = types[u_type[owner]]
        own_department = kind[:, 2]
        row_group = table_group[row]
        base = (
            weights.complementarity * u_topics[owner]
            + level_score[kind[:, 0], row_group // classes]
            + window_score[kind[:, 1], row_group % classes]
        )
        plain = base - table_price[row]
        earns = own_department >= 0
        with_first = (
            base - first_price[row] + bonus * (earns & (first_department[row] != own_department))
        )
        with_second = (
            base - second_price[row] + bonus * (earns & (second_department[row] != own_department))
        )
        value = np.maximum(plain, np.maximum(with_first, with_second))
        who = np.where(
            value == plain,
            table_person[row],
            np.where(value == with_first, first_person[row], second_person[row]),
        )
        top = _best_per_owner(owner, value)
        answer[owner[top]] = value[top]
        answer_person[owner[top]] = who[top]
        start_query = end_query
    # Back to people: each person's best answer over their keys.
    q_person = search.query_person
    value, who = answer[search.query_of], answer_person[search.query_of]
    top = _best_per_owner(q_person, value)
    better = value[top] > best[q_person[top]]
    best[q_person[top][better]] = value[top][better]
    partner[q_person[top][better]] = who[top][better]


def _best_per_owner(owner: IntArray, value: FloatArray) -> IntArray:
    """For each owner, the position of its largest value (ties: the earliest position)."""
    if len(owner) == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.argsort(owner, kind="stable")
    ordered_owner, ordered_value = owner[order], value[order]
    starts = np.flatnonzero(np.concatenate([[True], ordered_owner[1:] != ordered_owner[:-1]]))
    most = np.maximum.reduceat(ordered_value, starts)
    run = np.cumsum(np.concatenate([[True], ordered_owner[1:] != ordered_owner[:-1]])) - 1
    hits = np.flatnonzero(ordered_value == most[run])
    first_hit = hits[np.concatenate([[True], run[hits][1:] != run[hits][:-1]])]
    return np.asarray(order[first_hit])


Filed = tuple[IntArray, IntArray, IntArray, IntArray, IntArray, int]


def _filed_with_python(index: RuleIndex, keyed: np.ndarray) -> Filed:
    """Entries and queries, built one person at a time (any number of topics or languages)."""
    wants = [_bits(row) for row in index.wants]
    offers = [_bits(row) for row in index.offers]
    spoken = [_bits(row) for row in index.languages]
    key_ids: dict[tuple[int, int, int], int] = {}
    by_signature: dict[tuple[tuple[int, ...], tuple[int, ...]], list[tuple[int, int, int]]] = {}

    def filed(giving: list[int], taking: list[int]) -> list[tuple[int, int, int]]:
        signature = (tuple(giving), tuple(taking))
        found = by_signature.get(signature)
        if found is None:
            found = [
                (given, taken, given_count + taken_count)
                for given, given_count in _subsets(giving)
                for taken, taken_count in _subsets(taking)
            ]
            by_signature[signature] = found
        return found

    entry_key, entry_person = [], []
    for person in np.flatnonzero(keyed).tolist():
        for given, taken, _ in filed(offers[person], wants[person]):
            for language in spoken[person]:
                entry_key.append(key_ids.setdefault((given, taken, language), len(key_ids)))
                entry_person.append(person)
    query_key, query_person, query_topics = [], [], []
    for person in np.flatnonzero(keyed).tolist():
        for given, taken, count in filed(wants[person], offers[person]):
            for language in spoken[person]:
                number = key_ids.get((given, taken, language))
                if number is not None:
                    query_key.append(number)
                    query_person.append(person)
                    query_topics.append(count)

    def array(values: list[int]) -> IntArray:
        return np.array(values, dtype=np.int64)

    return (
        array(entry_key),
        array(entry_person),
        array(query_key),
        array(query_person),
        array(query_topics),
        len(key_ids),
    )


def _filed_with_arrays(index: RuleIndex, keyed: np.ndarray) -> Filed | None:
    """The same entries and queries with array operations, when every key fits in 63 bits."""
    topics = len(index.topics)
    language_bits = index.languages.shape[1] * 64
    if topics > 28 or index.wants.shape[1] > 1 or language_bits > 64:
        return None
    people = np.flatnonzero(keyed).astype(np.int64)
    offers = index.offers[people, 0].astype(np.int64)
    wants = index.wants[people, 0].astype(np.int64)
    spoken = index.languages[people, 0]
    speaker, language = np.nonzero(
        (spoken[:, None] >> np.arange(64, dtype=np.uint64)[None, :]) & np.uint64(1)
    )

    def filed(giving: IntArray, taking: IntArray) -> tuple[IntArray, IntArray, IntArray]:
        owner_g, subset_g, size_g = _submasks(giving, topics)
        owner_t, subset_t, size_t = _submasks(taking, topics)
        pick_g, pick_t = _cross(owner_g, owner_t, len(people))
        owner = owner_g[pick_g]
        combined = (subset_g[pick_g] << topics) | subset_t[pick_t]
        count = size_g[pick_g] + size_t[pick_t]
        pick_c, pick_l = _cross(owner, speaker.astype(np.int64), len(people))
        key = combined[pick_c] * 64 + language[pick_l].astype(np.int64)
        return owner[pick_c], key, count[pick_c]

    entry_owner, entry_raw, _ = filed(offers, wants)
    unique_keys, entry_key = np.unique(entry_raw, return_inverse=True)
    query_owner, query_raw, query_count = filed(wants, offers)
    spot = np.minimum(np.searchsorted(unique_keys, query_raw), len(unique_keys) - 1)
    found = unique_keys[spot] == query_raw
    return (
        entry_key.ravel().astype(np.int64),
        people[entry_owner],
        spot[found].astype(np.int64),
        people[query_owner[found]],
        query_count[found],
        len(unique_keys),
    )


def _submasks(masks: IntArray, topics: int) -> tuple[IntArray, IntArray, IntArray]:
    """(owner, submask, size) for every submask of every mask, owners in increasing order."""
    counts = np.bitwise_count(masks).astype(np.int64)
    owners, subsets, sizes = [], [], []
    bits = (masks[:, None] >> np.arange(topics, dtype=np.int64)[None, :]) & 1
    for count in np.unique(counts).tolist():
        rows = np.flatnonzero(counts == count)
        positions = np.nonzero(bits[rows])[1].reshape(len(rows), count)
        choose = (np.arange(1 << count)[:, None] >> np.arange(count)[None, :]) & 1
        values = (np.int64(1) << positions) @ choose.T  # one row per mask, one column per subset
        owners.append(np.repeat(rows, 1 << count))
        subsets.append(values.ravel())
        sizes.append(np.tile(choose.sum(axis=1), len(rows)))
    owner = np.concatenate(owners)
    order = np.argsort(owner, kind="stable")
    return owner[order], np.concatenate(subsets)[order], np.concatenate(sizes)[order]


def _cross(first_owner: IntArray, second_owner: IntArray, owners: int) -> tuple[IntArray, IntArray]:
    """Every (i, j) with first_owner[i] == second_owner[j]; both owner arrays sorted."""
    second_count = np.bincount(second_owner, minlength=owners)
    second_start = np.concatenate([[0], np.cumsum(second_count)[:-1]])
    repeat = second_count[first_owner]
    first = np.repeat(np.arange(len(first_owner)), repeat)
    offset = np.arange(len(first)) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    return first, second_start[first_owner[first]] + offset


def _direct(
    index: RuleIndex, prices: FloatArray, person: int, best: FloatArray, partner: IntArray
) -> None:
    """Someone with many topics: compare with everyone directly, both ways round."""
    everyone = np.arange(index.size, dtype=np.int64)
    others = everyone[everyone != person]
    me = np.full(len(others), person, dtype=np.int64)
    scores = _structural_scores(index, me, others)
    # As v: the best u for this person.
    values = scores - prices[others]
    if len(values):
        spot = int(np.argmax(values))
        if values[spot] > best[person]:
            best[person], partner[person] = values[spot], others[spot]
    # As u: this person as a partner for everyone else.
    values = scores - prices[person]
    improve = values > best[others]
    best[others[improve]] = values[improve]
    partner[others[improve]] = person


def _structural_scores(index: RuleIndex, first: IntArray, second: IntArray) -> FloatArray:
    """Exact pair scores where language and working time allow the pair; -inf elsewhere."""
    minimum = round(index.params.min_overlap_hours * 60)
    usable = np.any((index.languages[first] & index.languages[second]) != 0, axis=1)
    usable &= index.overlap_minutes(first, second) >= minimum
    return np.where(usable, pair_scores(index, first, second), -np.inf)


def _preferences(index: RuleIndex, prices: FloatArray, best: FloatArray, partner: IntArray) -> None:
    """Pairs someone asked for: scored in full (they are few)."""
    pairs = index.preference_pairs
    if len(pairs) == 0:
        return
    first, second = pairs[:, 0], pairs[:, 1]
    feasible = index.feasible(first, second)
    first, second = first[feasible], second[feasible]
    scores = pair_scores(index, first, second)
    for mine, theirs in ((first, second), (second, first)):
        values = scores - prices[theirs]
        top = _best_per_owner(mine, values)
        improve = values[top] > best[mine[top]]
        best[mine[top][improve]] = values[top][improve]
        partner[mine[top][improve]] = theirs[top][improve]
