"""Which pairs the solver looks at.

Scoring all n² pairs is impossible at 100,000 people, and keeping each person's top-k by
score lets popular people crowd every list. Instead each person draws partners from the
people they *could* be matched with (same language, enough shared working time): some at
random, some among those who offer a topic they want. Every drawn pair is checked against
the hard rules and scored; each person keeps their best few plus a few random feasible ones,
which is what lets almost everyone be matched. Small populations skip all this and use every
feasible pair, so the solver's answer is the exact optimum.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from peercoach.matching_engine.rules import IntArray, RuleIndex
from peercoach.matching_engine.scoring import FloatArray, pair_scores

FULL_GRAPH_LIMIT = 700  # up to this many enrolled people, every feasible pair is used
TOPIC_DRAWS = 12  # partners drawn per wanted topic, and per wanted-and-offered topic pair
RANDOM_KEPT = 3  # random feasible partners kept per person whatever their score
DUMP_CHUNK_PAIRS = 4_000_000  # pairs checked at once when dumping the full graph


@dataclass(frozen=True, slots=True)
class CandidateGraph:
    first: IntArray  # first < second, no duplicates
    second: IntArray
    weight: FloatArray
    complete: bool  # True when it holds every feasible pair


def default_partners(size: int) -> int:
    # Denser graphs are closer to the optimum but the exact solver slows down superlinearly;
    # these limits keep 10,000 people within seconds and 100,000 within a minute.
    if size <= 2_500:
        return 80
    if size <= 5_000:
        return 40
    if size <= 20_000:
        return 12
    return 10


def candidate_graph(index: RuleIndex) -> CandidateGraph:
    if index.size <= FULL_GRAPH_LIMIT:
        return full_graph(index)
    rng = np.random.default_rng(index.params.seed)
    random_first, random_second = _draw_partners(index, rng)
    topic_first, topic_second = _topic_draws(index, rng)
    first = np.concatenate([random_first, topic_first])
    second = np.concatenate([random_second, topic_second])
    return _select(index, first, second, random_first, random_second)


def random_graph(index: RuleIndex, rng: np.random.Generator) -> CandidateGraph:
    """Only random feasible partners, with their real scores (for rotation and baselines)."""
    first, second = _draw_partners(index, rng)
    keys = _unique_feasible(index, first, second)
    low, high = keys // index.size, keys % index.size
    return CandidateGraph(low, high, pair_scores(index, low, high), complete=False)


def full_graph(index: RuleIndex) -> CandidateGraph:
    first, second = np.triu_indices(index.size, 1)
    first, second = first.astype(np.int64), second.astype(np.int64)
    keep = index.feasible(first, second)
    first, second = first[keep], second[keep]
    return CandidateGraph(first, second, pair_scores(index, first, second), complete=True)


def iter_full_graph(index: RuleIndex, rows: int = 0) -> Iterator[CandidateGraph]:
    """Every feasible pair, a block of rows at a time (for --dump-graph).

    Blocks hold about DUMP_CHUNK_PAIRS pairs, so memory stays flat whatever the size; time and
    file size still grow with n² (about 5·10⁹ pairs at 100,000 people), which is why the dump is
    meant for populations up to a few tens of thousands.
    """
    rows = rows or max(1, DUMP_CHUNK_PAIRS // max(1, index.size))
    for start in range(0, index.size, rows):
        block_first = np.arange(start, min(index.size, start + rows), dtype=np.int64)
        first = np.repeat(block_first, index.size)
        second = np.tile(np.arange(index.size, dtype=np.int64), len(block_first))
        keep = first < second
        first, second = first[keep], second[keep]
        keep = index.feasible(first, second)
        first, second = first[keep], second[keep]
        yield CandidateGraph(first, second, pair_scores(index, first, second), True)


def _pools(index: RuleIndex) -> tuple[dict[tuple[int, int], list[int]], list[list[int]]]:
    """People by (working window, language), and each person's language bit numbers."""
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    spoken: list[list[int]] = []
    for person in range(index.size):
        bits = _bits(index.languages[person])
        spoken.append(bits)
        for language in bits:
            buckets[(int(index.window_class[person]), language)].append(person)
    return buckets, spoken


def _bits(row: np.ndarray) -> list[int]:
    return [
        word_index * 64 + bit
        for word_index, word in enumerate(row.tolist())
        for bit in range(64)
        if (word >> bit) & 1
    ]


def _profiles(
    index: RuleIndex, spoken: list[list[int]]
) -> dict[tuple[int, tuple[int, ...]], IntArray]:
    grouped: dict[tuple[int, tuple[int, ...]], list[int]] = defaultdict(list)
    for person in range(index.size):
        grouped[(int(index.window_class[person]), tuple(spoken[person]))].append(person)
    return {key: np.array(members, dtype=np.int64) for key, members in grouped.items()}


def _compatible_classes(index: RuleIndex, window_class: int) -> list[int]:
    minimum = round(index.params.min_overlap_hours * 60)
    return [int(c) for c in np.flatnonzero(index.class_overlap[window_class] >= minimum)]


def _draw_partners(index: RuleIndex, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    """Draws among the people each person shares a language and a working window with.

    A draw picks a (window, language) bucket in proportion to its size, then someone in it;
    someone who speaks two shared languages is simply twice as likely to be drawn.
    """
    buckets, spoken = _pools(index)
    keys = sorted(buckets)
    bucket_number = {key: number for number, key in enumerate(keys)}
    sizes = np.array([len(buckets[key]) for key in keys], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    everyone = np.array([person for key in keys for person in buckets[key]], dtype=np.int64)
    draws = index.params.random_partners
    firsts, seconds = [], []
    for (window_class, languages), members in sorted(_profiles(index, spoken).items()):
        chosen = [
            bucket_number[(c, language)]
            for c in _compatible_classes(index, window_class)
            for language in languages
            if (c, language) in bucket_number
        ]
        if not chosen or draws == 0:
            continue
        weights = sizes[chosen] / sizes[chosen].sum()
        picked = np.array(chosen)[rng.choice(len(chosen), size=len(members) * draws, p=weights)]
        offsets = (rng.random(len(picked)) * sizes[picked]).astype(np.int64)
        firsts.append(np.repeat(members, draws))
        seconds.append(everyone[starts[picked] + offsets])
    return _join(firsts), _join(seconds)


def _topic_draws(index: RuleIndex, rng: np.random.Generator) -> tuple[IntArray, IntArray]:
    """Partners who offer what a person wants, and better still, also want what they offer.

    Each person becomes one "seeker" record per wanted topic (and per (wanted, offered) topic
    pair) and one "target" record per offered topic (and (offered, wanted) pair). Targets are
    sorted by (topics, UTC start of their working window, a random number); each seeker takes
    the targets next to where it would sort, so its draws share the topics, work at similar
    times, and are otherwise random. All of it is array work, fast at 100,000 people.
    """
    wants, offers = _topic_lists(index.wants), _topic_lists(index.offers)
    topics = max(1, len(index.topics))
    # Sort key after the topics: a three-hour band of the working window, then seniority, so
    # neighbours work at similar times and sit at similar levels (both raise the score).
    bands = np.array([window[0] // 180 for window in index.windows], dtype=np.int64)
    levels = index.level - index.level.min(initial=0)
    starts = bands[index.window_class] * (int(levels.max(initial=0)) + 1) + levels
    one_topic = (
        [(person, want) for person, items in enumerate(wants) for want in items],
        [(person, offer) for person, items in enumerate(offers) for offer in items],
    )
    two_topics = (
        [(p, w * topics + o) for p in range(index.size) for w in wants[p] for o in offers[p]],
        [(p, o * topics + w) for p in range(index.size) for o in offers[p] for w in wants[p]],
    )
    both_topics = (
        [(p, a * topics + b) for p in range(index.size) for a, b in combinations(wants[p], 2)],
        [(p, a * topics + b) for p in range(index.size) for a, b in combinations(offers[p], 2)],
    )
    firsts, seconds = [], []
    for seekers, targets in (one_topic, two_topics, both_topics):
        draws = TOPIC_DRAWS * (
            3 if index.size <= 5_000 else 1
        )  # cheap at small sizes, closer to optimal
        first, second = _nearest_targets(seekers, targets, starts, rng, draws)
        firsts.append(first)
        seconds.append(second)
    return _join(firsts), _join(seconds)


def _topic_lists(words: np.ndarray) -> list[list[int]]:
    return [_bits(row) for row in words]


def _nearest_targets(
    seekers: list[tuple[int, int]],
    targets: list[tuple[int, int]],
    starts: IntArray,
    rng: np.random.Generator,
    draws: int,
) -> tuple[IntArray, IntArray]:
    if not seekers or not targets:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    seeker = np.array(seekers, dtype=np.int64)
    target = np.array(targets, dtype=np.int64)
    noise_bits = 20
    target_key = ((target[:, 1] * 4096 + starts[target[:, 0]]) << noise_bits) + rng.integers(
        0, 1 << noise_bits, size=len(target)
    )
    order = np.argsort(target_key, kind="stable")
    target, target_key = target[order], target_key[order]
    seeker_key = ((seeker[:, 1] * 4096 + starts[seeker[:, 0]]) << noise_bits) + rng.integers(
        0, 1 << noise_bits, size=len(seeker)
    )
    spot = np.searchsorted(target_key, seeker_key)
    # Stay inside the run of targets with the same topics.
    group_start = np.searchsorted(target[:, 1], seeker[:, 1], side="left")
    group_end = np.searchsorted(target[:, 1], seeker[:, 1], side="right")
    offsets = np.arange(draws) - draws // 2
    picked = spot[:, None] + offsets[None, :]
    valid = (picked >= group_start[:, None]) & (picked < group_end[:, None])
    first = np.repeat(seeker[:, 0], draws)[valid.ravel()]
    second = target[picked[valid], 0]
    return first, second


def _join(parts: list[IntArray]) -> IntArray:
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def sorted_unique(keys: IntArray) -> IntArray:
    # Sorting is much faster here than np.unique's hashing on millions of int64 keys.
    keys = np.sort(keys)
    if len(keys) == 0:
        return keys
    return np.asarray(keys[np.concatenate(([True], keys[1:] != keys[:-1]))])


def _unique_feasible(index: RuleIndex, first: IntArray, second: IntArray) -> IntArray:
    keys = sorted_unique(index.keys(first, second)[first != second])
    low, high = keys // index.size, keys % index.size
    return np.asarray(keys[index.feasible(low, high)])


def _select(
    index: RuleIndex,
    first: IntArray,
    second: IntArray,
    random_first: IntArray,
    random_second: IntArray,
) -> CandidateGraph:
    pairs = index.preference_pairs
    keys = _unique_feasible(
        index, np.concatenate([first, pairs[:, 0]]), np.concatenate([second, pairs[:, 1]])
    )
    low, high = keys // index.size, keys % index.size
    weight = pair_scores(index, low, high)
    limit = index.params.candidates_per_person or default_partners(index.size)
    keep = _top_per_person(low, high, weight, limit, index.size)
    keep |= np.isin(keys, index.keys(pairs[:, 0], pairs[:, 1]))
    keep |= np.isin(keys, _random_kept(index, random_first, random_second))
    return CandidateGraph(low[keep], high[keep], weight[keep], complete=False)


def _top_per_person(
    low: IntArray, high: IntArray, weight: FloatArray, limit: int, size: int
) -> np.ndarray:
    """Edges in the best `limit` of either endpoint (ties broken by partner number)."""
    node = np.concatenate([low, high])
    partner = np.concatenate([high, low])
    edge = np.concatenate([np.arange(len(low)), np.arange(len(low))])
    order = np.lexsort((partner, -np.concatenate([weight, weight]), node))
    sorted_node = node[order]
    starts = np.searchsorted(sorted_node, sorted_node, side="left")
    rank = np.arange(len(order)) - starts
    keep = np.zeros(len(low), dtype=bool)
    keep[edge[order[rank < limit]]] = True
    return keep


def _random_kept(index: RuleIndex, first: IntArray, second: IntArray) -> IntArray:
    """The first few feasible random draws of each person, kept whatever their score."""
    feasible = index.feasible(first, second)
    first, second = first[feasible], second[feasible]
    order = np.argsort(first, kind="stable")
    sorted_first = first[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_first, sorted_first, side="left")
    chosen = order[rank < RANDOM_KEPT]
    return index.keys(first[chosen], second[chosen])
