"""Reciprocal coaching pairs: an exact maximum-weight matching on the candidate graph.

The exact solver is PyMatching's minimum-weight perfect matching (Blossom V style, in C++).
It matches "detection events" through shortest paths and lets any of them go to a shared
boundary, so the maximum-weight matching is encoded as:

    edge cost     = C - w         (w scaled to integers 0..W_MAX)
    boundary cost = C - W_MAX - 1 per unmatched person

Minimizing total cost then maximizes Σ (w + 2·B - C) over pairs: the weight plus a bonus for
every pair. Up to STRICT_LIMIT people the bonus (C near 2^23) exceeds any weight an augmenting
path could lose, so the solver provably matches as many people as possible first, then
maximizes weight. Beyond that we measured PyMatching slowing down by orders of magnitude with
such costs, so C sits just above 2·W_MAX: every pair still earns a bonus, and the benchmark
checks the matched count against a maximum-cardinality matching. A path through two or
more edges costs at least 2·(C - W_MAX), more than sending both ends to the boundary, so every
pair it returns is a real edge (and we check that anyway). Integer costs stay far below 2^24,
where PyMatching's arithmetic is exact.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pymatching
import scipy.sparse as sparse

from peercoach.matching_engine.assemble import finish
from peercoach.matching_engine.bounds import matching_upper_bound
from peercoach.matching_engine.candidates import CandidateGraph, candidate_graph
from peercoach.matching_engine.model import MatchParams, MatchResult, Population
from peercoach.matching_engine.rules import IntArray, RuleIndex, build_index, reporting_tour
from peercoach.matching_engine.scoring import FloatArray, pair_scores

WEIGHT_STEPS = 1_000
STRICT_LIMIT = 2_000
STRICT_CEILING = 1 << 23
FAST_CEILING = 2 * WEIGHT_STEPS + 4
BLOCK_SIZE = 5_000
BLOCK_PARTNERS = 12  # sparser graphs per block keep the exact solver fast


def match_pairs(population: Population, params: MatchParams) -> MatchResult:
    started = time.perf_counter()
    index = build_index(population, params)
    if index.size > BLOCK_SIZE:
        pairs, graph = _solve_in_blocks(population, params, index)
    else:
        graph = candidate_graph(index)
        pairs = solve_matching(index.size, graph.first, graph.second, graph.weight)
    groups = add_leftovers_to_pairs(index, pairs)
    bound, note = (None, "not computed")
    if params.compute_bound:
        bound, note = matching_upper_bound(index, graph)
    return finish(population, index, "pairs", groups, bound, note, started)


def _solve_in_blocks(
    population: Population, params: MatchParams, index: RuleIndex
) -> tuple[list[tuple[int, int]], CandidateGraph]:
    """Large populations: solve blocks of people who work at similar times and share a language.

    The exact solver slows down sharply beyond a few thousand people, while people far apart
    in time zones or languages could rarely be matched anyway. Blocks are cut from everyone
    sorted by working window and first language, so each block holds compatible people.
    """
    tour = reporting_tour(population.people)
    blocks = partition_blocks(index, BLOCK_SIZE)
    if not params.candidates_per_person:
        params = dataclasses.replace(params, candidates_per_person=BLOCK_PARTNERS)
    pairs: list[tuple[int, int]] = []
    firsts, seconds, weights = [], [], []
    for block in blocks:
        block_index = build_index(population, params, [index.people[p].id for p in block], tour)
        graph = candidate_graph(block_index)
        mapping = np.array(block, dtype=np.int64)
        for local_one, local_other in solve_matching(
            block_index.size, graph.first, graph.second, graph.weight
        ):
            one, other = int(mapping[local_one]), int(mapping[local_other])
            pairs.append((min(one, other), max(one, other)))
        firsts.append(mapping[graph.first])
        seconds.append(mapping[graph.second])
        weights.append(graph.weight)
    first, second = np.concatenate(firsts), np.concatenate(seconds)
    low, high = np.minimum(first, second), np.maximum(first, second)
    union = CandidateGraph(low, high, np.concatenate(weights), complete=False)
    return sorted(pairs), union


def partition_blocks(index: RuleIndex, block_size: int) -> list[list[int]]:
    starts = np.array([window[0] for window in index.windows], dtype=np.int64)[index.window_class]
    first_language = np.argmax(index.languages != 0, axis=1)
    order = np.lexsort((np.arange(index.size), first_language, starts))
    count = max(1, round(index.size / block_size))
    return [chunk.tolist() for chunk in np.array_split(order, count)]


def integer_weights(weight: FloatArray) -> IntArray:
    """Scale weights to 0..WEIGHT_STEPS; a constant shift changes no maximum-cardinality choice."""
    if len(weight) == 0:
        return np.zeros(0, dtype=np.int64)
    low = min(0.0, float(weight.min()))
    span = max(float(weight.max()) - low, 1e-9)
    return np.rint((weight - low) / span * WEIGHT_STEPS).astype(np.int64)


def solve_matching(
    size: int, first: IntArray, second: IntArray, weight: FloatArray, strict: bool | None = None
) -> list[tuple[int, int]]:
    """A maximum-cardinality, then maximum-weight matching of the graph, as (low, high) pairs."""
    if size < 2 or len(first) == 0:
        return []
    scaled = integer_weights(weight)
    edges = len(first)
    rows = np.concatenate([first, second, np.arange(size)])
    columns = np.concatenate([np.arange(edges), np.arange(edges), edges + np.arange(size)])
    check = sparse.csc_matrix(
        (np.ones(len(rows), dtype=np.uint8), (rows, columns)), shape=(size, edges + size)
    )
    if strict is None:
        strict = size <= STRICT_LIMIT
    ceiling = STRICT_CEILING if strict else FAST_CEILING
    costs = np.concatenate(
        [(ceiling - scaled).astype(float), np.full(size, ceiling - WEIGHT_STEPS - 1.0)]
    )
    matching = pymatching.Matching.from_check_matrix(check, weights=costs)
    matched = matching.decode_to_matched_dets_array(np.ones(size, dtype=np.uint8))
    matched = matched[(matched[:, 0] >= 0) & (matched[:, 1] >= 0)]
    low = np.minimum(matched[:, 0], matched[:, 1]).astype(np.int64)
    high = np.maximum(matched[:, 0], matched[:, 1]).astype(np.int64)
    real = np.isin(low * size + high, first * size + second)
    # Never trust a pair that is not an edge of the graph: those people stay unmatched here.
    return sorted(zip(low[real].tolist(), high[real].tolist(), strict=True))


def add_leftovers_to_pairs(index: RuleIndex, pairs: list[tuple[int, int]]) -> list[list[int]]:
    """Let each person left over join a pair as a third member, where every rule allows it.

    With an odd number of people one person is always left; rules can leave a few more. Joining
    a pair (the best-scoring one they fit into) means nobody is silently dropped.
    """
    groups = [list(pair) for pair in pairs]
    matched = {member for pair in pairs for member in pair}
    if not pairs:
        return groups
    ones = np.array([pair[0] for pair in pairs], dtype=np.int64)
    others = np.array([pair[1] for pair in pairs], dtype=np.int64)
    open_to_join = np.ones(len(pairs), dtype=bool)
    for person in range(index.size):
        if person in matched:
            continue
        me = np.full(len(pairs), person, dtype=np.int64)
        fits = open_to_join & index.feasible(me, ones) & index.feasible(me, others)
        hosts = np.flatnonzero(fits)
        # The triad's score gain over the pair it joins: (w_ab + w_ax + w_bx)/2 - w_ab.
        gain = (
            pair_scores(index, me[hosts], ones[hosts])
            + pair_scores(index, me[hosts], others[hosts])
            - pair_scores(index, ones[hosts], others[hosts])
        ) / 2
        for host in hosts[np.argsort(-gain, kind="stable")].tolist():
            if index.group_feasible([*groups[host], person]):
                groups[host].append(person)
                open_to_join[host] = False
                break
    return groups
