"""Upper bounds: how good could any matching possibly be?

The fractional matching LP (maximize Σ w·x with each person's x summing to at most 1) is
solved on the candidate graph. Its dual gives each person a price y with y_u + y_v >= w_uv on
every candidate edge. To cover pairs the candidate graph left out, each price is raised by
half the worst violation over *all* feasible partners:

    y'_v = y_v + ½ · max_u (w_uv - y_u - y_v)⁺

Then y'_u + y'_v >= w_uv for every feasible pair, so Σ y' bounds the best matching of the full
graph (triads inside pairs count too: a triad's score is an LP point with x = ½ on its edges).

Finding that maximum over all u by scoring every pair costs n². Up to STRUCTURED_FROM people
we do exactly that; above it, `violation.structured_violations` finds the same maximum (or a
hair above it, never below) through an index of topics, level, working window and language,
in seconds at 100,000 people. Either way we then add each person's most violated pair to the
candidate graph, solve again and repeat (pricing), which closes most of the gap.

Small candidate graphs get exact LP duals from HiGHS; large ones get feasible duals from a
halving descent, which is quick but a little looser.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sparse
from scipy.optimize import linprog

from peercoach.matching_engine.candidates import CandidateGraph, sorted_unique
from peercoach.matching_engine.cover import Cover, cycle_cover
from peercoach.matching_engine.rules import IntArray, RuleIndex
from peercoach.matching_engine.scoring import FloatArray, pair_scores
from peercoach.matching_engine.violation import (
    KeyedSearch,
    prepare_search,
    structured_violations,
)

BRUTE_FORCE_LIMIT = 12_000  # kept for callers; pairs use STRUCTURED_FROM
PRICING_ROUNDS = 2
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
    size: int,
    first: IntArray,
    second: IntArray,
    weight: FloatArray,
    rounds: int = 200,
    start: FloatArray | None = None,
) -> FloatArray:
    """Feasible dual prices without an LP solver, for graphs too large for HiGHS in our budget.

    Start from feasible prices (half each person's best edge, or given prices raised until
    every edge is covered), then repeatedly move every price halfway down to the least it could
    be given its neighbours' prices, t_v = max_u (w - y_u)⁺. Moving both ends halfway keeps
    y_u + y_v >= w_uv on every edge, so each step stays valid.
    """
    if start is None:
        best = np.zeros(size)
        np.maximum.at(best, first, weight)
        np.maximum.at(best, second, weight)
        prices = best / 2
    else:
        prices = np.maximum(start, 0.0)
        short = np.maximum(0.0, weight - prices[first] - prices[second])
        raise_by = np.zeros(size)
        np.maximum.at(raise_by, first, short)
        np.maximum.at(raise_by, second, short)
        prices = prices + raise_by / 2
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
STRUCTURED_FROM = 2_500  # above this many people, violations come from the keyed index
# Halving steps over everyone after the descent on known pairs (one keyed search each, about
# 2.5 CPU s at 100,000 people): there they lower the bound from 582,300 to 578,600, 577,500
# and 577,100; later steps gain less and less.
SEARCH_DESCENT_STEPS = 3


@dataclass(frozen=True, slots=True)
class Priced:
    """The candidate graph after pricing, its cycle cover and the bound it proves."""

    graph: CandidateGraph
    cover: Cover
    bound: float
    covering: FloatArray  # the last prices raised to cover every feasible pair: Σ is the bound


def priced_graph(index: RuleIndex, graph: CandidateGraph, rounds: int = PRICING_ROUNDS) -> Priced:
    """Column generation: add each person's most violated pair to the graph and solve again.

    The cover's duals price every pair of the whole population; a pair priced above its two
    people's prices is one the candidate graph should have had. Adding those and solving again
    raises the matching and lowers the bound at once. The last round's bound is valid for the
    whole feasible graph whatever happened before.
    """
    first, second, weight = graph.first, graph.second, graph.weight
    structured = index.size > STRUCTURED_FROM
    search = prepare_search(index) if structured else None
    for round_number in range(rounds + 1):
        cover = cycle_cover(index.size, first, second, weight)
        violation, worst_partner = all_violations(index, cover.prices, structured, search)
        bound = float(cover.prices.sum() + violation.sum() / 2)
        add = np.flatnonzero((violation > 0) & (worst_partner >= 0))
        add = add[index.feasible(add, worst_partner[add])]
        if round_number == rounds or len(add) == 0:
            break
        low = np.minimum(add, worst_partner[add])
        high = np.maximum(add, worst_partner[add])
        keys = sorted_unique(np.concatenate([first * index.size + second, low * index.size + high]))
        first, second = keys // index.size, keys % index.size
        weight = pair_scores(index, first, second)
    covering = cover.prices + violation / 2
    return Priced(CandidateGraph(first, second, weight, complete=False), cover, bound, covering)


def bound_note(index: RuleIndex, duals: str) -> str:
    check = (
        "every person's most violated pair found through an index of topics, level, working "
        "window and language"
        if index.size > STRUCTURED_FROM
        else "checked against every feasible pair"
    )
    return f"{duals}, with pricing; {check}"


def matching_upper_bound(
    index: RuleIndex,
    graph: CandidateGraph,
    prices: FloatArray | None = None,
    first_search: tuple[FloatArray, IntArray] | None = None,
    search: KeyedSearch | None = None,
    lean_prices: FloatArray | None = None,
) -> tuple[float, str]:
    """Σ y' over valid prices for the whole feasible graph.

    `prices` (optional) are duals the solver already found for the candidate graph (for large
    populations solved in blocks); descent with pricing then tightens them. `first_search` is
    all_violations for those prices, when the caller already has it, and `lean_prices` the
    duals of the lean graph solved across blocks (refine.py), when there is one.
    """
    if index.size < 2:
        return 0.0, "nobody to match"
    first, second, weight = graph.first, graph.second, graph.weight
    if graph.complete and len(first) <= LP_EDGE_LIMIT:
        value, _ = lp_prices(index.size, first, second, weight)
        return value, "fractional matching LP on every feasible pair"
    if prices is None:
        priced = priced_graph(index, graph)
        return priced.bound, bound_note(index, "optimal duals of the fractional matching LP")
    structured = index.size > STRUCTURED_FROM
    if first_search is None:
        first_search = all_violations(index, prices, structured, search)
    violation, worst_partner = first_search
    bound = float(prices.sum() + violation.sum() / 2)
    add = np.flatnonzero((violation > 0) & (worst_partner >= 0))
    add = add[index.feasible(add, worst_partner[add])]
    low = np.minimum(add, worst_partner[add])
    high = np.maximum(add, worst_partner[add])
    keys = sorted_unique(np.concatenate([first * index.size + second, low * index.size + high]))
    first, second = keys // index.size, keys % index.size
    weight = pair_scores(index, first, second)
    # The blocks' prices cover pairs inside blocks well and those across them badly; the lean
    # graph's duals the other way round. Their larger one, lowered by descent on every pair
    # we know of, beats either start: at 100,000 people 582,300 against 584,600 (blocks' alone)
    # and 593,400 (lean alone), before the descent over everyone below.
    start = prices if lean_prices is None else np.maximum(prices, lean_prices)
    # Too large to solve again in our budget: lower the prices we have, edge by edge.
    lowered = descent_prices(index.size, first, second, weight, start=start)
    violation, _ = all_violations(index, lowered, structured, search)
    bound = min(bound, float(lowered.sum() + violation.sum() / 2))
    covering = lowered + violation / 2
    lowered = descend_over_everyone(index, covering, structured, search=search)
    bound = min(bound, float(lowered.sum()))
    return bound, bound_note(index, "block and lean-graph LP duals, lowered by descent")


def descend_over_everyone(
    index: RuleIndex,
    covering: FloatArray,
    structured: bool,
    steps: int = SEARCH_DESCENT_STEPS,
    search: KeyedSearch | None = None,
) -> FloatArray:
    """Lower prices that already cover every feasible pair, keeping them covering.

    The same halving step as descent_prices, but over every feasible pair instead of the
    candidate graph: each person's least price t_v = max_u (w_uv - y_u)⁺ over everyone comes
    from the keyed search (or brute force), and every price moves halfway down to it. For a
    pair u, v: t_u >= w - y_v and t_v >= w - y_u, so the new y_u + y_v >= w still. The search
    may overstate t (it leaves rules out), which only makes the step smaller; and since the
    prices cover already, t_v can be capped at y_v. Every step gives a valid bound.
    """
    for _ in range(steps):
        least = np.minimum(
            np.maximum(best_partner_values(index, covering, structured, search), 0.0), covering
        )
        covering = (covering + least) / 2
    return covering


def best_partner_values(
    index: RuleIndex, prices: FloatArray, structured: bool, search: KeyedSearch | None = None
) -> FloatArray:
    """For every v, at least max_u (w_uv - y_u) over all feasible u (-inf when there is none)."""
    if structured:
        return structured_violations(index, prices, search).best
    best, _ = _best_partners(index, prices)
    return best


def all_violations(
    index: RuleIndex, prices: FloatArray, structured: bool, search: KeyedSearch | None = None
) -> tuple[FloatArray, IntArray]:
    """max_u (w_uv - y_u - y_v)⁺ for every v over all feasible u (or more), and such a u.

    `search` is violation.prepare_search(index), when the caller keeps it for several prices.
    """
    if not structured:
        return _violations(index, prices)
    found = structured_violations(index, prices, search)
    violation = np.maximum(0.0, np.where(np.isfinite(found.best), found.best - prices, 0.0))
    return violation, found.partner


def _violations(index: RuleIndex, prices: FloatArray) -> tuple[FloatArray, IntArray]:
    """For each person, the largest w_uv - y_u - y_v over all feasible u (at least 0), and u."""
    best, partner = _best_partners(index, prices)
    return np.maximum(0.0, best - prices), partner


def _best_partners(index: RuleIndex, prices: FloatArray) -> tuple[FloatArray, IntArray]:
    """For each person v, the largest w_uv - y_u over all feasible u, and that u."""
    size = index.size
    worst = np.full(size, -np.inf)
    partner = np.zeros(size, dtype=np.int64)
    everyone = np.arange(size, dtype=np.int64)
    for start in range(0, size, ROW_BLOCK):
        rows = everyone[start : start + ROW_BLOCK]
        first = np.repeat(rows, size)
        second = np.tile(everyone, len(rows))
        feasible = index.feasible(first, second)
        slack = np.full(len(first), -np.inf)
        slack[feasible] = (
            pair_scores(index, first[feasible], second[feasible]) - prices[second[feasible]]
        )
        table = slack.reshape(len(rows), size)
        best = table.argmax(axis=1)
        worst[rows] = table[np.arange(len(rows)), best]
        partner[rows] = best
    return worst, partner
