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

PyMatching is used up to STRICT_LIMIT people. Above that its running time became erratic on our
graphs, so `cover.py` solves the bipartite double cover instead (near-exact, steady), and
`bounds.priced_graph` adds the pairs the candidate graph missed (pricing) before the final
solve. Above BLOCK_SIZE people, blocks are solved by two worker processes and gathered in order,
then `refine.py` wins back pairs across blocks.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pymatching
import scipy.sparse as sparse

from peercoach.matching_engine.assemble import finish
from peercoach.matching_engine.blocks import map_in_block_order, partition_blocks
from peercoach.matching_engine.bounds import (
    STRUCTURED_FROM,
    all_violations,
    bound_note,
    descend_over_everyone,
    matching_upper_bound,
    priced_graph,
)
from peercoach.matching_engine.candidates import CandidateGraph, candidate_graph
from peercoach.matching_engine.cover import Cover, round_cover
from peercoach.matching_engine.model import MatchParams, MatchResult, Population
from peercoach.matching_engine.refine import refine_across_blocks
from peercoach.matching_engine.rules import (
    IntArray,
    RuleIndex,
    Tour,
    build_index,
    reporting_tour,
)
from peercoach.matching_engine.scoring import FloatArray, pair_scores
from peercoach.matching_engine.violation import prepare_search

WEIGHT_STEPS = 1_000
STRICT_LIMIT = 2_000
STRICT_CEILING = 1 << 23
FAST_CEILING = 2 * WEIGHT_STEPS + 4
BLOCK_SIZE = 12_500  # people per block: the assignment takes about half a CPU second at 10,000
BLOCK_PARTNERS = 12  # sparser graphs per block keep the solver fast
BLOCK_PRICING_ROUNDS = 2
WORKERS = 2  # blocks solved side by side; results are gathered in block order


def match_pairs(population: Population, params: MatchParams) -> MatchResult:
    started = time.perf_counter()
    tour = reporting_tour(population.people)
    index = build_index(population, params, tour=tour)
    bound: float | None = None
    note = "not computed"
    if index.size > BLOCK_SIZE:
        pairs, graph, prices = _solve_in_blocks(population, params, index, tour)
        # Filed once, searched with each new set of prices.
        structured = index.size > STRUCTURED_FROM
        search = prepare_search(index) if structured else None
        # One search over everyone serves both: pairs across blocks, and the bound's first step.
        first_search = all_violations(index, prices, structured, search)
        across = refine_across_blocks(index, pairs, graph, prices, first_search, search=search)
        pairs = across.pairs
        if params.compute_bound:
            bound, note = matching_upper_bound(
                index, graph, prices, first_search, search, across.prices
            )
    else:
        graph = candidate_graph(index)
        cover: Cover | None = None
        if graph.complete:
            if params.compute_bound:
                bound, note = matching_upper_bound(index, graph)
        else:
            # Pricing finds the pairs the candidate graph missed, and proves the bound.
            priced = priced_graph(index, graph)
            graph, cover = priced.graph, priced.cover
            if params.compute_bound:
                bound = priced.bound
                if index.size > STRUCTURED_FROM:
                    # One keyed search more lowers it a little (0.07% at 10,000 people, in
                    # 0.2 CPU s; more steps gain less each).
                    lowered = descend_over_everyone(index, priced.covering, True, steps=1)
                    bound = min(bound, float(lowered.sum()))
                note = bound_note(index, "optimal duals of the fractional matching LP")
        pairs = solve_block_pairs(index.size, graph, cover)
    groups = add_leftovers_to_pairs(index, pairs)
    return finish(population, index, "pairs", groups, bound, note, started)


def solve_block_pairs(
    size: int, graph: CandidateGraph, cover: Cover | None
) -> list[tuple[int, int]]:
    """Exact up to STRICT_LIMIT people; above it, round the cycle cover (near-exact, steady)."""
    if size <= STRICT_LIMIT or cover is None:
        return solve_matching(size, graph.first, graph.second, graph.weight)
    return solve_by_cover(size, graph.first, graph.second, graph.weight, cover)


def solve_by_cover(
    size: int, first: IntArray, second: IntArray, weight: FloatArray, cover: Cover
) -> list[tuple[int, int]]:
    """Round a maximum-weight cycle cover, then match the people left over exactly."""
    if size < 2 or len(first) == 0:
        return []
    pairs = round_cover(size, first, second, weight, cover.successor)
    matched = np.zeros(size, dtype=bool)
    for one, other in pairs:
        matched[one] = matched[other] = True
    rest = np.flatnonzero(~matched)
    among = ~matched[first] & ~matched[second]
    if len(rest) >= 2 and among.any():
        local = np.full(size, -1, dtype=np.int64)
        local[rest] = np.arange(len(rest))
        extra = solve_matching(
            len(rest), local[first[among]], local[second[among]], weight[among], strict=True
        )
        pairs += [(int(rest[one]), int(rest[other])) for one, other in extra]
    return sorted(pairs)


# Set just before the worker processes start, so forked workers inherit it instead of
# receiving 100,000 people through a pipe for every block.
_BLOCK_INPUT: tuple[Population, MatchParams, Tour, list[str]] | None = None


def _solve_block(
    block: list[int],
) -> tuple[list[tuple[int, int]], CandidateGraph, FloatArray]:
    assert _BLOCK_INPUT is not None
    population, params, tour, ids = _BLOCK_INPUT
    block_index = build_index(population, params, [ids[person] for person in block], tour)
    priced = priced_graph(block_index, candidate_graph(block_index), BLOCK_PRICING_ROUNDS)
    graph, prices = priced.graph, priced.cover.prices
    mapping = np.array(block, dtype=np.int64)
    local_pairs = solve_block_pairs(block_index.size, graph, priced.cover)
    pairs = []
    for local_one, local_other in local_pairs:
        one, other = int(mapping[local_one]), int(mapping[local_other])
        pairs.append((min(one, other), max(one, other)))
    first, second = mapping[graph.first], mapping[graph.second]
    union = CandidateGraph(
        np.minimum(first, second), np.maximum(first, second), graph.weight, complete=False
    )
    return pairs, union, prices


def _solve_in_blocks(
    population: Population, params: MatchParams, index: RuleIndex, tour: Tour
) -> tuple[list[tuple[int, int]], CandidateGraph, FloatArray]:
    """Large populations: solve blocks of people who work at similar times and share a language.

    The solvers slow down superlinearly with size, while people far apart in time zones or
    languages could rarely be matched anyway. Blocks are cut from everyone sorted by working
    window and first language, so each block holds compatible people. Blocks are solved in
    parallel (forked workers, where the platform has fork) and gathered in block order, so the
    result does not depend on which block finishes first.
    """
    global _BLOCK_INPUT
    blocks = partition_blocks(index, BLOCK_SIZE)
    if not params.candidates_per_person:
        params = dataclasses.replace(params, candidates_per_person=BLOCK_PARTNERS)
    _BLOCK_INPUT = (population, params, tour, [person.id for person in index.people])
    try:
        solved = map_in_block_order(_solve_block, blocks, WORKERS)
    finally:
        _BLOCK_INPUT = None
    pairs = sorted(pair for block_pairs, _, _ in solved for pair in block_pairs)
    union = CandidateGraph(
        np.concatenate([graph.first for _, graph, _ in solved]),
        np.concatenate([graph.second for _, graph, _ in solved]),
        np.concatenate([graph.weight for _, graph, _ in solved]),
        complete=False,
    )
    # Each block's prices cover its own edges; together they cover the union of the blocks.
    prices = np.zeros(index.size)
    for block, (_, _, block_prices) in zip(blocks, solved, strict=True):
        prices[np.array(block, dtype=np.int64)] = block_prices
    return pairs, union, prices


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
