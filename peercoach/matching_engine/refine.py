"""Across blocks: win back the pairs that large populations lose by being solved in blocks.

Above BLOCK_SIZE people, pairs are solved block by block, and nobody can be paired with someone
in another block. At 100,000 people, the single candidate graph for everyone would be worth
about 2% more, but solving it in one piece takes a minute. So we solve a lean graph for the
whole population instead, and price it:

1. Each person's most underpriced partner among *everyone* (the keyed search in
   violation.py): pairs across blocks that the blocks' prices say are worth having.
2. The lean graph: the current pairs, those underpriced pairs, and each person's few pairs the
   prices call nearly tight (reduced cost y_u + y_v - w_uv at most TIGHT_SLACK). The pairs the
   LP could use are almost all among these, and the graph is small enough to solve in seconds.
3. Solve it (the cycle cover, by OR-Tools' integer assignment: a third of SciPy's time on
   these graphs) and keep the new pairs when they match more people, or as many
   for more weight. More rounds (search again with the new prices) are possible: at 100,000 a
   second one (9 CPU s more) lowered the bound by 0.3%, but its pairs matched fewer people, so
   they were not kept; the time goes to the bound's halving steps instead (bounds.py).

The bound starts from the larger of the blocks' prices and the lean graph's (bounds.py); any
prices give a valid bound there, since it checks every pair against them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from peercoach.matching_engine.bounds import STRUCTURED_FROM, all_violations
from peercoach.matching_engine.candidates import CandidateGraph, sorted_unique
from peercoach.matching_engine.cover import integer_cycle_cover
from peercoach.matching_engine.rules import IntArray, RuleIndex
from peercoach.matching_engine.scoring import FloatArray, pair_scores
from peercoach.matching_engine.violation import KeyedSearch

REFINE_ROUNDS = 1  # each round is one more search (2.5 CPU s) and lean solve (6.5) at 100,000
TIGHT_SLACK = 1.0  # pairs within this much of their two people's prices join the lean graph
# At most this many of them per person (the tightest). At 100,000 people, 6 instead of 2 lifts
# the pairs by 0.6% (570,700 against 567,400) for 360,000 pairs to solve instead of 210,000.
TIGHT_PER_PERSON = 6


@dataclass(frozen=True, slots=True)
class AcrossBlocks:
    pairs: list[tuple[int, int]]
    prices: FloatArray  # duals of the last lean graph solved (the blocks' if none was)


def pairs_value(index: RuleIndex, pairs: list[tuple[int, int]]) -> float:
    if not pairs:
        return 0.0
    chosen = np.array(pairs, dtype=np.int64)
    return float(pair_scores(index, chosen[:, 0], chosen[:, 1]).sum())


def refine_across_blocks(
    index: RuleIndex,
    pairs: list[tuple[int, int]],
    graph: CandidateGraph,
    prices: FloatArray,
    first_search: tuple[FloatArray, IntArray] | None = None,
    rounds: int = REFINE_ROUNDS,
    search: KeyedSearch | None = None,
) -> AcrossBlocks:
    """Block-solved pairs improved with pairs across blocks (never fewer people matched).

    `graph` is the union of the blocks' candidate graphs, `prices` the blocks' duals and
    `first_search` the underpriced search for those prices, when the caller already has it.
    """
    from peercoach.matching_engine.pairs import solve_by_cover

    size = index.size
    structured = size > STRUCTURED_FROM
    pool = graph.first * size + graph.second
    best_pairs, best_value = sorted(pairs), pairs_value(index, pairs)
    lean = _tightest(index, pool, prices)
    for round_number in range(rounds):
        if round_number == 0 and first_search is not None:
            violation, partner = first_search
        else:
            violation, partner = all_violations(index, prices, structured, search)
        lean = sorted_unique(
            np.concatenate(
                [lean, _pair_keys(size, best_pairs), _underpriced_keys(index, violation, partner)]
            )
        )
        first, second = lean // size, lean % size
        weight = pair_scores(index, first, second)
        cover = integer_cycle_cover(size, first, second, weight)
        found = solve_by_cover(size, first, second, weight, cover)
        value = pairs_value(index, found)
        # Matching more people comes first, then more weight.
        if (len(found), value) > (len(best_pairs), best_value):
            best_pairs, best_value = found, value
        prices = cover.prices
    return AcrossBlocks(best_pairs, prices)


def _pair_keys(size: int, pairs: list[tuple[int, int]]) -> IntArray:
    if not pairs:
        return np.zeros(0, dtype=np.int64)
    chosen = np.array(pairs, dtype=np.int64)
    return np.asarray(
        np.minimum(chosen[:, 0], chosen[:, 1]) * size + np.maximum(chosen[:, 0], chosen[:, 1])
    )


def _underpriced_keys(index: RuleIndex, violation: FloatArray, partner: IntArray) -> IntArray:
    """Each person's most underpriced partner, where every hard rule allows the pair."""
    people = np.flatnonzero((violation > 0) & (partner >= 0))
    people = people[index.feasible(people, partner[people])]
    low = np.minimum(people, partner[people])
    high = np.maximum(people, partner[people])
    return np.asarray(low * index.size + high)


def _tightest(index: RuleIndex, keys: IntArray, prices: FloatArray) -> IntArray:
    """Each person's few pairs with the smallest reduced cost, within TIGHT_SLACK."""
    size = index.size
    first, second = keys // size, keys % size
    weight = pair_scores(index, first, second)
    reduced = prices[first] + prices[second] - weight
    near = reduced <= TIGHT_SLACK
    first, second, reduced = first[near], second[near], reduced[near]
    node = np.concatenate([first, second])
    edge = np.concatenate([np.arange(len(first)), np.arange(len(first))])
    order = np.lexsort((edge, np.concatenate([reduced, reduced]), node))
    sorted_node = node[order]
    rank = np.arange(len(order)) - np.searchsorted(sorted_node, sorted_node, side="left")
    chosen = np.unique(edge[order[rank < TIGHT_PER_PERSON]])
    return np.asarray(first[chosen] * size + second[chosen])
