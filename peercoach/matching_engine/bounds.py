"""Upper bounds: how good could any matching possibly be?

The fractional matching LP (maximize Σ w·x with each person's x summing to at most 1) is
solved on the candidate graph. Its dual gives each person a price y with y_u + y_v >= w_uv on
every candidate edge. To cover pairs the candidate graph left out, each price is raised by
half the worst violation over *all* feasible partners:

    y'_v = y_v + ½ · max_u (w_uv - y_u - y_v)⁺

Then y'_u + y'_v >= w_uv for every feasible pair, so Σ y' bounds the best matching of the full
graph (triads inside pairs count too: a triad's score is an LP point with x = ½ on its edges).

Finding that maximum over all u exactly costs n² pair scores. Up to BRUTE_FORCE_LIMIT people
we do exactly that (and add the most violated pairs to the LP and re-solve, which tightens the
bound). Above it, we bound w_uv - y_u from above by grouping partners by seniority level and
working window and using the cheapest price among those who offer (or want) each subset of
v's topics. That drops the language, chain, block and repeat rules and splits a partner's price
between the two directions of complementarity, so the bound is valid but looser.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

import numpy as np
import scipy.sparse as sparse
from scipy.optimize import linprog

from peercoach.matching_engine.candidates import CandidateGraph
from peercoach.matching_engine.rules import IntArray, RuleIndex
from peercoach.matching_engine.scoring import (
    OVERLAP_BONUS_MINUTES,
    SENIORITY_FADE_LEVELS,
    FloatArray,
    pair_scores,
)

BRUTE_FORCE_LIMIT = 12_000
PRICING_ROUNDS = 3
ROW_BLOCK = 400


def lp_prices(
    size: int, first: IntArray, second: IntArray, weight: FloatArray
) -> tuple[float, FloatArray]:
    """Optimal value and dual prices of the fractional matching LP on the given edges."""
    useful = weight > 0
    first, second, weight = first[useful], second[useful], weight[useful]
    if len(first) == 0:
        return 0.0, np.zeros(size)
    edges = np.arange(len(first))
    incidence = sparse.csr_matrix(
        (
            np.ones(2 * len(first)),
            (np.concatenate([first, second]), np.concatenate([edges, edges])),
        ),
        shape=(size, len(first)),
    )
    result = linprog(-weight, A_ub=incidence, b_ub=np.ones(size), bounds=(0, None), method="highs")
    if result.status != 0:
        raise RuntimeError(f"the bound LP did not solve: {result.message}")
    prices = np.maximum(0.0, -np.asarray(result.ineqlin.marginals, dtype=float))
    return float(-result.fun), prices


def descent_prices(
    size: int, first: IntArray, second: IntArray, weight: FloatArray, rounds: int = 200
) -> FloatArray:
    """Feasible dual prices without an LP solver, for graphs too large for HiGHS in our budget.

    Start from half each person's best edge (feasible), then repeatedly move every price
    halfway down to the least it could be given its neighbours' prices, t_v = max_u (w - y_u)⁺.
    Moving both ends halfway keeps y_u + y_v >= w_uv on every edge, so each step stays valid.
    """
    best = np.zeros(size)
    np.maximum.at(best, first, weight)
    np.maximum.at(best, second, weight)
    prices = best / 2
    for _ in range(rounds):
        least = np.zeros(size)
        np.maximum.at(least, first, weight - prices[second])
        np.maximum.at(least, second, weight - prices[first])
        step = (prices + least) / 2
        if np.abs(step - prices).sum() <= 1e-6 * max(1.0, prices.sum()):
            break
        prices = step
    return prices


LP_EDGE_LIMIT = 80_000


def matching_upper_bound(index: RuleIndex, graph: CandidateGraph) -> tuple[float, str]:
    if index.size < 2:
        return 0.0, "nobody to match"
    first, second, weight = graph.first, graph.second, graph.weight
    if len(first) > LP_EDGE_LIMIT:
        prices = descent_prices(index.size, first, second, weight)
        violation, _ = (
            _violations(index, prices) if index.size <= BRUTE_FORCE_LIMIT else (None, None)
        )
        if violation is None:
            return _structured_bound(index, prices), (
                "dual prices from the candidate graph, raised to cover every pair by a grouped "
                "estimate (valid for the full graph, looser than exact)"
            )
        return float(prices.sum() + violation.sum() / 2), (
            "dual prices from the candidate graph, checked against every feasible pair"
        )
    value, prices = lp_prices(index.size, first, second, weight)
    if graph.complete:
        return value, "fractional matching LP on every feasible pair"
    if index.size > BRUTE_FORCE_LIMIT:
        return _structured_bound(index, prices), (
            "fractional matching LP on the candidate graph, duals raised to cover every pair "
            "by a grouped estimate (valid for the full graph, looser than exact)"
        )
    for _ in range(PRICING_ROUNDS):
        violation, worst_partner = _violations(index, prices)
        bound = float(prices.sum() + violation.sum() / 2)
        if violation.sum() <= 1e-4 * max(bound, 1.0):
            break
        add = np.flatnonzero(violation > 0)
        low = np.minimum(add, worst_partner[add])
        high = np.maximum(add, worst_partner[add])
        keys = np.unique(np.concatenate([first * index.size + second, low * index.size + high]))
        first, second = keys // index.size, keys % index.size
        weight = pair_scores(index, first, second)
        value, prices = lp_prices(index.size, first, second, weight)
    violation, _ = _violations(index, prices)
    return float(prices.sum() + violation.sum() / 2), (
        "fractional matching LP with pricing, duals checked against every feasible pair"
    )


def _violations(index: RuleIndex, prices: FloatArray) -> tuple[FloatArray, IntArray]:
    """For each person, the largest w_uv - y_u - y_v over all feasible u, and that u."""
    size = index.size
    worst = np.zeros(size)
    partner = np.zeros(size, dtype=np.int64)
    everyone = np.arange(size, dtype=np.int64)
    for start in range(0, size, ROW_BLOCK):
        rows = everyone[start : start + ROW_BLOCK]
        first = np.repeat(rows, size)
        second = np.tile(everyone, len(rows))
        feasible = index.feasible(first, second)
        slack = np.full(len(first), -np.inf)
        slack[feasible] = (
            pair_scores(index, first[feasible], second[feasible])
            - prices[first[feasible]]
            - prices[second[feasible]]
        )
        table = slack.reshape(len(rows), size)
        best = table.argmax(axis=1)
        worst[rows] = np.maximum(0.0, table[np.arange(len(rows)), best])
        partner[rows] = best
    return worst, partner


def _structured_bound(index: RuleIndex, prices: FloatArray) -> float:
    """Σ y' with max_u (w_uv - y_u) bounded by groups of (level, working window)."""
    weights = index.params.weights
    levels = np.unique(index.level)
    level_of = np.searchsorted(levels, index.level)
    classes = len(index.windows)
    group_of = level_of * classes + index.window_class
    groups = len(levels) * classes
    offers = [_bit_list(row) for row in index.offers]
    wants = [_bit_list(row) for row in index.wants]
    most_offered = max((len(items) for items in offers), default=0)
    most_wanted = max((len(items) for items in wants), default=0)
    offer_table = _cheapest_by_subset(offers, group_of, prices, groups)
    want_table = _cheapest_by_subset(wants, group_of, prices, groups)
    cheapest = np.full(groups, np.inf)
    np.minimum.at(cheapest, group_of, prices)
    # A: best c·j - ½y over partners offering j of v's wanted topics; B the same the other way.
    want_sets = sorted({tuple(items) for items in wants})
    offer_sets = sorted({tuple(items) for items in offers})
    side_a = np.array(
        [
            _side(items, offer_table, cheapest, weights.complementarity, most_offered)
            for items in want_sets
        ]
    )
    side_b = np.array(
        [
            _side(items, want_table, cheapest, weights.complementarity, most_wanted)
            for items in offer_sets
        ]
    )
    want_row = {items: row for row, items in enumerate(want_sets)}
    offer_row = {items: row for row, items in enumerate(offer_sets)}
    person_a = np.array([want_row[tuple(items)] for items in wants], dtype=np.int64)
    person_b = np.array([offer_row[tuple(items)] for items in offers], dtype=np.int64)
    group_level = levels[np.arange(groups) // classes]
    group_class = np.arange(groups) % classes
    seniority = weights.seniority * np.maximum(
        0.0, 1.0 - np.abs(levels[:, None] - group_level[None, :]) / SENIORITY_FADE_LEVELS
    )
    minimum = index.params.min_overlap_hours * 60
    overlap = index.class_overlap[:, group_class]
    window_term = np.where(
        overlap >= minimum,
        weights.overlap * np.clip((overlap - minimum) / OVERLAP_BONUS_MINUTES, 0, 1),
        -np.inf,
    )
    combos, inverse = np.unique(
        np.stack([person_a, person_b, level_of, index.window_class], axis=1),
        axis=0,
        return_inverse=True,
    )
    best = np.empty(len(combos))
    for start in range(0, len(combos), 2_000):
        chunk = combos[start : start + 2_000]
        total = (
            side_a[chunk[:, 0]]
            + side_b[chunk[:, 1]]
            + seniority[chunk[:, 2]]
            + window_term[chunk[:, 3]]
        )
        best[start : start + 2_000] = total.max(axis=1)
    most = best[inverse.ravel()] + max(0.0, weights.different_department)
    violation = np.maximum(0.0, most - prices)
    return float(prices.sum() + violation.sum() / 2)


def _bit_list(row: np.ndarray) -> list[int]:
    return [
        word * 64 + bit
        for word, value in enumerate(row.tolist())
        for bit in range(64)
        if (value >> bit) & 1
    ]


def _cheapest_by_subset(
    topics: list[list[int]], group_of: IntArray, prices: FloatArray, groups: int
) -> dict[tuple[int, ...], FloatArray]:
    """For each set of up to 3 topics, the lowest price per group among people holding all."""
    table: dict[tuple[int, ...], FloatArray] = defaultdict(lambda: np.full(groups, np.inf))
    for person, items in enumerate(topics):
        group, price = int(group_of[person]), float(prices[person])
        for size in range(1, min(3, len(items)) + 1):
            for subset in combinations(items, size):
                row = table[subset]
                if price < row[group]:
                    row[group] = price
    return dict(table)


def _side(
    items: tuple[int, ...],
    table: dict[tuple[int, ...], FloatArray],
    cheapest: FloatArray,
    per_topic: float,
    most_held: int,
) -> FloatArray:
    best = -0.5 * cheapest
    for size in range(1, min(3, len(items)) + 1):
        # With three or more topics in common, a partner may match up to min(len, most_held).
        matches = size if size < 3 else min(len(items), most_held)
        for subset in combinations(items, size):
            row = table.get(subset)
            if row is not None:
                best = np.maximum(best, per_topic * matches - 0.5 * row)
    return best
