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
3. Solve it (the cycle cover) and keep the new pairs when they match more people, or as many
   for more weight. More rounds (search again with the new prices) are possible but each costs
   another search over everyone; one round gave most of the gain in our measurements.

The bound does not depend on this step: it comes from the blocks' prices (bounds.py), which
stay valid for any pairs we choose.
"""

from __future__ import annotations

import numpy as np

from peercoach.matching_engine.bounds import STRUCTURED_FROM, all_violations
from peercoach.matching_engine.candidates import CandidateGraph, sorted_unique
from peercoach.matching_engine.cover import cycle_cover
from peercoach.matching_engine.rules import IntArray, RuleIndex
from peercoach.matching_engine.scoring import FloatArray, pair_scores

REFINE_ROUNDS = 1  # each round is one more search over everyone (about 6 CPU s at 100,000)
TIGHT_SLACK = 0.3  # pairs within this much of their two people's prices join the lean graph
TIGHT_PER_PERSON = 2  # at most this many of them per person (the tightest)


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
) -> list[tuple[int, int]]:
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
            violation, partner = all_violations(index, prices, structured)
        lean = sorted_unique(
            np.concatenate(
                [lean, _pair_keys(size, best_pairs), _underpriced_keys(index, violation, partner)]
            )
        )
        first, second = lean // size, lean % size
        weight = pair_scores(index, first, second)
        cover = cycle_cover(size, first, second, weight)
        found = solve_by_cover(size, first, second, weight, cover)
        value = pairs_value(index, found)
        # Matching more people comes first, then more weight.
        if (len(found), value) > (len(best_pairs), best_value):
            best_pairs, best_value = found, value
        prices = cover.prices
    return best_pairs


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
