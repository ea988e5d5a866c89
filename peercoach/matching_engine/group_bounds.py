"""Upper bounds for triads and groups: no grouping can score more than these.

Put x_uv = 1/(k - 1) on every pair inside a group of k. Each member then has exactly 1 in
total, and the group's score, Σ pairs / (k - 1), is Σ w_uv · x_uv. Every x is at most
c = 1/(low - 1), where low is the smallest group allowed. So any grouping is a point of

    maximize Σ w_uv x_uv   subject to   Σ_v x_uv <= 1 for every u,   0 <= x_uv <= c,

a "capped" fractional matching LP. The cap is what makes it tighter than the pairs bound: a
person cannot put all their weight on their single best partner. Its dual says: for any prices
y >= 0,

    bound(y) = Σ_u y_u + c · Σ over every feasible pair (w_uv - y_u - y_v)⁺

is an upper bound. We solve the LP on the candidate graph to get good prices, then evaluate
bound(y) over every feasible pair of the whole population (so pairs the candidate graph left
out are covered), and add the most violated pairs to the LP and solve again (pricing).

Triads may end with a leftover pair (x = 1 > c on one pair); each such pair can add at most
half the best pair score beyond the cap, and the bound says so by adding that much per pair.

Each member of a group of k also contributes at most half the mean of their k - 1 best
partners; the sum of those "star" values is a second bound. We report the smaller.
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sparse
from scipy.optimize import linprog

from peercoach.matching_engine.blocks import partition_blocks
from peercoach.matching_engine.candidates import CandidateGraph
from peercoach.matching_engine.packing_masters import set_values
from peercoach.matching_engine.rules import IntArray, RuleIndex
from peercoach.matching_engine.scoring import FloatArray, pair_scores
from peercoach.matching_engine.set_bounds import dense_pair_scores, packing_lp_prices
from peercoach.matching_engine.triad_lp import (
    NO_TRIPLES,
    PEOPLE_AT_ONCE,
    cheap_generation,
    triad_lp_prices,
)

BRUTE_FORCE_LIMIT = 12_000  # every pair is checked up to this many enrolled people
PRICING_ROUNDS = 2
PRICING_LIMIT = 4_000
ADDED_PER_PERSON = 5
ROW_BLOCK = 400


def capped_lp(
    size: int, first: IntArray, second: IntArray, weight: FloatArray, cap: float
) -> FloatArray:
    """Dual prices y of the capped fractional matching LP on the given pairs."""
    useful = weight > 0
    first, second, weight = first[useful], second[useful], weight[useful]
    if len(first) == 0:
        return np.zeros(size)
    edges = np.arange(len(first))
    incidence = sparse.csr_matrix(
        (
            np.ones(2 * len(first)),
            (np.concatenate([first, second]), np.concatenate([edges, edges])),
        ),
        shape=(size, len(first)),
    )
    result = linprog(-weight, A_ub=incidence, b_ub=np.ones(size), bounds=(0, cap), method="highs")
    if result.status != 0:
        raise RuntimeError(f"the group bound LP did not solve: {result.message}")
    return np.maximum(0.0, -np.asarray(result.ineqlin.marginals, dtype=float))


def all_pairs_pass(
    index: RuleIndex, prices: FloatArray, low: int
) -> tuple[float, float, float, IntArray, IntArray]:
    """One pass over every feasible pair: Σ (w - y_u - y_v)⁺, the star bound, the best pair
    score, and each person's most violated partners (for pricing)."""
    size = index.size
    partners = max(1, low - 1)
    everyone = np.arange(size, dtype=np.int64)
    excess = 0.0
    star = 0.0
    best_pair = 0.0
    add_first: list[IntArray] = []
    add_second: list[IntArray] = []
    for start in range(0, size, ROW_BLOCK):
        rows = everyone[start : start + ROW_BLOCK]
        first, second = np.repeat(rows, size), np.tile(everyone, len(rows))
        allowed = index.feasible(first, second)
        scores = np.where(allowed, pair_scores(index, first, second), -np.inf)
        table = scores.reshape(len(rows), size)
        slack = table - prices[rows][:, None] - prices[None, :]
        best_pair = max(best_pair, float(table.max(initial=0.0)))
        positive = np.maximum(slack, 0.0)
        excess += float(positive.sum()) / 2  # every pair appears twice, once from each end
        kept = min(partners, size)
        best = -np.partition(-np.maximum(table, 0.0), kept - 1, axis=1)[:, :kept]
        star += float(best.mean(axis=1).sum()) / 2
        added = min(ADDED_PER_PERSON, size)
        worst = np.argpartition(-slack, added - 1, axis=1)[:, :added]
        violated = np.take_along_axis(slack, worst, axis=1) > 1e-9
        add_first.append(np.broadcast_to(rows[:, None], worst.shape)[violated])
        add_second.append(worst[violated])
    return excess, star, best_pair, np.concatenate(add_first), np.concatenate(add_second)


def group_upper_bound(
    index: RuleIndex, graph: CandidateGraph, low: int, leftover_pairs: int = 0
) -> tuple[float | None, str]:
    if index.size < 2:
        return 0.0, "nobody to match"
    if index.size > BRUTE_FORCE_LIMIT and not graph.complete:
        return None, f"not computed above {BRUTE_FORCE_LIMIT:,} enrolled people"
    cap = 1.0 / max(1, low - 1)
    first, second, weight = graph.first, graph.second, graph.weight
    best_bound = np.inf
    star = best_pair = np.inf
    # Each pricing round is another pass over every pair; large populations get one pass.
    rounds = PRICING_ROUNDS if index.size <= PRICING_LIMIT else 0
    for _ in range(rounds + 1):
        prices = capped_lp(index.size, first, second, weight, cap)
        excess, star, best_pair, add_first, add_second = all_pairs_pass(index, prices, low)
        best_bound = min(best_bound, float(prices.sum()) + cap * excess)
        if len(add_first) == 0:
            break
        keys = np.unique(
            np.concatenate([index.keys(first, second), index.keys(add_first, add_second)])
        )
        first, second = keys // index.size, keys % index.size
        weight = pair_scores(index, first, second)
    # A leftover pair puts 1 on its pair instead of at most c; each adds at most this much.
    best_bound += leftover_pairs * (1 - cap) * best_pair
    star += leftover_pairs * best_pair
    if star <= best_bound:
        return star, "each member's best possible average with their top partners"
    return best_bound, (
        "capped fractional matching LP with pricing, duals checked against every feasible pair"
    )


TRIAD_LP_LIMIT = 1_500  # enrolled people: above this the triad LP takes minutes (bench only)
TRIAD_LP_MOST = 12_000  # its table of pair scores holds 4·n² bytes
TRIAD_GAP = 0.001  # stop once the LP's value is this close (relatively) to the bound


def triad_upper_bound(
    index: RuleIndex, leftover_pairs: int = 0, limit: int = TRIAD_LP_LIMIT
) -> tuple[float | None, str]:
    """The set-partitioning LP over triads, by column generation.

    Any split into triads is a point of: maximize Σ w_T x_T with Σ_{T ∋ v} x_T <= 1, where T
    runs over every triple whose three pairs are allowed (the group-wide rules are relaxed, so
    the bound stays valid). For any prices y >= 0, Σ y_v + Σ_v max(0, max_{T ∋ v} (w_T - Σ_T y))/3
    bounds it: raising each member's price by a third of the worst violation covers every
    triple. A group of k >= 3 is covered too: put 2 / ((k-1)(k-2)) on each of its triples; each
    member is then covered exactly once, and since each pair lies in k - 2 triples, the
    triples' scores add up to the group's (for four: a third of the sum over its four
    triples).
    """
    size = index.size
    if size < 3 or size > min(limit, TRIAD_LP_MOST):
        return None, "not computed"
    # Up to the limit everyone is one block: cheap pricing, then exact searches
    # (triad_bound_by_blocks). At 1,000 enrolled this took 2.5-4 CPU s where column generation
    # with an exact search from zero prices took 20-56, and it ended 0.03-0.08% lower.
    return triad_bound_by_blocks(index, leftover_pairs, block_size=max(size, TRIAD_BLOCK))


def _pair_excess(weights: np.ndarray, prices: FloatArray) -> float:
    """The most a leftover pair can score beyond its members' prices."""
    most = 0.0
    for start in range(0, len(prices), ROW_BLOCK):
        rows = weights[start : start + ROW_BLOCK].astype(np.float64)
        slack = rows - prices[start : start + ROW_BLOCK, None] - prices[None, :]
        most = max(most, float(np.max(slack, initial=0.0)))
    return most


def _best_halves(weights: np.ndarray) -> FloatArray:
    """Half of each person's best pair score (-inf for someone with no allowed partner)."""
    best = np.full(len(weights), -np.inf)
    for start in range(0, len(weights), ROW_BLOCK):
        rows = weights[start : start + ROW_BLOCK]
        best[start : start + len(rows)] = rows.max(axis=1, initial=-np.inf) / 2
    return best


def _best_reduced_halves(weights: np.ndarray, prices: FloatArray) -> FloatArray:
    """For each person a, the most ½w_ab - y_b over their allowed partners b."""
    best = np.full(len(weights), -np.inf)
    for start in range(0, len(weights), ROW_BLOCK):
        rows = weights[start : start + ROW_BLOCK].astype(np.float64) / 2 - prices[None, :]
        best[start : start + len(rows)] = rows.max(axis=1, initial=-np.inf)
    return best


TRIAD_BLOCK = 3_000  # people per block for the first prices (any will do: the prices are checked)
PROVEN_ROUNDS = 2
FIRST_PARTNERS = 8
# No cap: at 10,000 enrolled a cap of 512 counted the estimate for most people, and the sum
# of worst violations came out about ten times the exact one (sampled at 5,000 people).
MOST_PARTNERS: int | None = None


def triad_bound_by_blocks(
    index: RuleIndex,
    leftover_pairs: int = 0,
    block_size: int = TRIAD_BLOCK,
    proven_rounds: int = PROVEN_ROUNDS,
) -> tuple[float | None, str]:
    """The triad LP bound: the report's up to TRIAD_LP_LIMIT people (one block), the
    benchmark's up to TRIAD_LP_MOST (at 10,000 about 25 CPU minutes).

    The bound Σ y + Σ_v (worst violation of v)/3 holds for ANY prices y >= 0, so the prices
    only decide how low it gets. We find good ones cheaply: the LP inside each block first,
    then the LP for everyone on the triples found so far plus those a cheap search finds
    underpriced (a triple may cross blocks). Only the worst violations must be exact, and they
    are: `_worst_triples` searches every triple of every person.
    """
    size = index.size
    if size < 3 or size > TRIAD_LP_MOST:
        return None, "not computed"
    weights = dense_pair_scores(index)
    found = [NO_TRIPLES]
    prices = np.zeros(size)
    for block in _bound_blocks(index, block_size):
        inside = np.ascontiguousarray(weights[np.ix_(block, block)])
        columns, block_prices = cheap_generation(inside, NO_TRIPLES)
        found.append(block[columns])
        prices[block] = block_prices
    columns = np.unique(np.sort(np.concatenate(found), axis=1), axis=0)
    best = np.inf
    for _ in range(proven_rounds):
        columns, prices = cheap_generation(weights, columns, prices)
        worst, underpriced = _worst_triples(weights, prices)
        pair_excess = _pair_excess(weights, prices)
        best = min(best, float(prices.sum() + worst.sum() / 3 + leftover_pairs * pair_excess))
        if len(underpriced) == 0 or best - prices.sum() <= TRIAD_GAP * best:
            break
        columns = np.unique(np.concatenate([columns, underpriced]), axis=0)
        prices = triad_lp_prices(weights, columns)
    return best, (
        "set-partitioning LP over triads (blocks first, then everyone), "
        "duals checked against every feasible triple"
    )


def _bound_blocks(index: RuleIndex, block_size: int) -> list[IntArray]:
    """Blocks cut as the engine cuts them: people who work at similar times and share a
    language."""
    return [np.array(block, dtype=np.int64) for block in partition_blocks(index, block_size)]


def _worst_triples(weights: np.ndarray, prices: FloatArray) -> tuple[FloatArray, IntArray]:
    """For each person v: at least max(0, max over allowed triples {v, a, b} of
    w_T - y_v - y_a - y_b), and the underpriced triples found.

    Rank v's partners by ½w_va - y_a and call a the better ranked of the two. For a among the
    first K, every b is tried (one row of the table per a). If both sit beyond K, the triple
    reaches at most ½w_va - y_a + min(best half-score of a + the K-th reduced half-score,
    a's best ½w_ab - y_b + v's best half-score with anyone beyond K); K doubles until that
    estimate cannot beat what was found (or the price), or until every partner is tried: then
    the value is exact. With a cap (MOST_PARTNERS), the estimate counts past it instead, which
    keeps the bound valid but looser."""
    size = len(prices)
    best_half = _best_halves(weights)
    best_reduced = _best_reduced_halves(weights, prices)
    worst = np.zeros(size)
    found = [NO_TRIPLES]
    for start in range(0, size, PEOPLE_AT_ONCE):
        people = np.arange(start, min(size, start + PEOPLE_AT_ONCE))
        ranked = _RankedPartners(weights, prices, people, best_half, best_reduced)
        value, partners = ranked.search(prices[people])
        worst[people] = np.maximum(0.0, value - prices[people])
        found.append(ranked.underpriced(weights, prices, partners))
    return worst, np.unique(np.concatenate(found), axis=0)


class _RankedPartners:
    """A few people's partners ranked by ½w_va - y_a, with what the estimate needs."""

    def __init__(
        self,
        weights: np.ndarray,
        prices: FloatArray,
        people: IntArray,
        best_half: FloatArray,
        best_reduced: FloatArray,
    ) -> None:
        halves = weights[people].astype(np.float64) / 2
        rows = halves - prices[None, :]
        self.weights, self.people, self.rows = weights, people, rows
        self.allowed = np.isfinite(rows).sum(axis=1)
        self.order = np.argsort(-rows, axis=1, kind="stable")
        self.sorted_rows = np.take_along_axis(rows, self.order, axis=1)
        sorted_halves = np.take_along_axis(halves, self.order, axis=1)
        # The best half-score with anyone at position K or beyond.
        self.halves_beyond = np.maximum.accumulate(sorted_halves[:, ::-1], axis=1)[:, ::-1]
        self.best_half, self.best_reduced = best_half[self.order], best_reduced[self.order]

    def estimate(self, chosen: IntArray, ranked: int) -> FloatArray:
        """The most any triple with both partners at position `ranked` or beyond can reach."""
        if ranked >= self.rows.shape[1]:
            return np.full(len(chosen), -np.inf)
        kth = self.sorted_rows[chosen, ranked]
        partner = np.minimum(
            self.best_half[chosen, ranked:] + kth[:, None],
            self.best_reduced[chosen, ranked:] + self.halves_beyond[chosen, ranked][:, None],
        )
        return np.max(self.sorted_rows[chosen, ranked:] + partner, axis=1, initial=-np.inf)

    def search(self, own_prices: FloatArray) -> tuple[FloatArray, IntArray]:
        count = len(self.people)
        value = np.full(count, -np.inf)
        partners = np.full((count, 2), -1, dtype=np.int64)
        chosen = np.arange(count)
        chosen = chosen[(self.estimate(chosen, 0) > own_prices) & (self.allowed >= 2)]
        searched, ranked = 0, FIRST_PARTNERS
        while len(chosen):
            self._try_every_b(chosen, searched, ranked, value, partners)
            searched = ranked
            beyond = self.estimate(chosen, ranked)
            still = (beyond > np.maximum(value[chosen], own_prices[chosen])) & (
                ranked < self.allowed[chosen]
            )
            if MOST_PARTNERS is not None and ranked >= MOST_PARTNERS:
                # Triples beyond the ranked partners reach at most this; counting it is safe.
                value[chosen[still]] = np.maximum(value[chosen[still]], beyond[still])
                break
            chosen, ranked = chosen[still], ranked * 2
        return value, partners

    def _try_every_b(
        self, chosen: IntArray, searched: int, ranked: int, value: FloatArray, partners: IntArray
    ) -> None:
        """Every triple {v, a, b} with a at positions searched..ranked of v's list."""
        size = self.rows.shape[1]
        step = max(1, 8_000_000 // ((ranked - searched) * size))
        for start in range(0, len(chosen), step):
            some = chosen[start : start + step]
            first = self.order[some, searched:ranked]
            with_b = self.weights[first].astype(np.float64) / 2 + self.rows[some][:, None, :]
            second = np.argmax(with_b, axis=2)
            reach = np.take_along_axis(with_b, second[:, :, None], axis=2)[:, :, 0]
            reach += np.take_along_axis(self.rows[some], first, axis=1)
            top = np.argmax(reach, axis=1)
            everyone = np.arange(len(some))
            better = reach[everyone, top] > value[some]
            value[some[better]] = reach[everyone, top][better]
            partners[some[better], 0] = first[everyone, top][better]
            partners[some[better], 1] = second[everyone, top][better]

    def underpriced(self, weights: np.ndarray, prices: FloatArray, partners: IntArray) -> IntArray:
        """The triples the search found whose score exceeds their members' prices."""
        known = partners[:, 0] >= 0
        triples = np.stack([self.people[known], partners[known, 0], partners[known, 1]], axis=1)
        excess = set_values(weights, triples) - prices[triples].sum(axis=1)
        return np.sort(triples[excess > 1e-9], axis=1)


SUBSET_LIMIT = 6_000_000  # allowed groups of the smallest size enumerated at most
SUBSET_ROUNDS = 40
SUBSET_ADDED = 2_000  # most underpriced groups added to the LP per round


def smallest_groups_bound(index: RuleIndex, low: int) -> tuple[float | None, str]:
    """The set-packing LP over every allowed group of the smallest size, for small organizations.

    A group G of k >= low people is a fractional packing of its subsets of size low: put
    1 / C(k-1, low-1) on each. Each member is then covered exactly once, and since each pair of
    G lies in C(k-2, low-2) of the subsets, the subsets' scores add up to exactly G's score
    (Σ pairs / (k - 1)). Every subset of an allowed group is allowed (pairs, one shared
    language). So any grouping is a point of: maximize Σ w_S x_S, Σ_{S ∋ v} x_S <= 1, x >= 0, over
    every allowed set S of `low` people, and for any prices y >= 0 this is at most
    Σ y + Σ_v max_{S ∋ v} (w_S - y(S))⁺ / low. We enumerate every allowed S, so that maximum is
    exact, and improve y by column generation (HiGHS on the most underpriced sets).
    """
    size = index.size
    if low < 3 or size < low or math.comb(size, low) > SUBSET_LIMIT:
        return None, "not computed"
    sets, value = allowed_sets(index, low)
    if len(sets) == 0:
        return 0.0, "no group of the smallest size is allowed"
    prices = np.zeros(size)
    chosen = np.zeros(0, dtype=np.int64)
    best = math.inf
    for _ in range(SUBSET_ROUNDS):
        reduced = value - prices[sets].sum(axis=1)
        # Any grouping covers at most `size` people, each group `low` or more of them.
        best = min(best, float(prices.sum() + size * max(0.0, float(reduced.max())) / low))
        fresh = np.setdiff1d(np.flatnonzero(reduced > 1e-7), chosen)
        if len(fresh) == 0:
            break
        top = fresh[np.argsort(-reduced[fresh], kind="stable")[:SUBSET_ADDED]]
        chosen = np.union1d(chosen, top)
        prices = packing_lp_prices(size, sets[chosen], value[chosen])
    reduced = value - prices[sets].sum(axis=1)
    worst = np.zeros(size)
    np.maximum.at(worst, sets.ravel(), np.repeat(np.maximum(reduced, 0.0), low))
    best = min(best, float(prices.sum() + worst.sum() / low))
    return best, f"set-packing LP over every allowed group of {low}, checked against all of them"


def allowed_sets(index: RuleIndex, low: int) -> tuple[IntArray, FloatArray]:
    """Every set of `low` people whose pairs are all allowed, who share a language and whose
    working windows may leave enough common time (an over-estimate, never an under-estimate)."""
    from peercoach.matching_engine.candidates import full_graph

    size = index.size
    graph = full_graph(index)
    weights = np.zeros((size, size))
    allowed = np.zeros((size, size), dtype=bool)
    weights[graph.first, graph.second] = weights[graph.second, graph.first] = graph.weight
    allowed[graph.first, graph.second] = allowed[graph.second, graph.first] = True
    sets = np.stack([graph.first, graph.second], axis=1)
    sums = graph.weight.copy()
    languages = index.languages[sets[:, 0]] & index.languages[sets[:, 1]]
    slots = _window_slots(index)
    common = slots[sets[:, 0]] & slots[sets[:, 1]]
    least_slots = index.params.min_overlap_hours * 60 / SLOT_MINUTES
    everyone = np.arange(size)
    while sets.shape[1] < low and len(sets):
        room = allowed[sets[:, 0]].copy()
        for column in range(1, sets.shape[1]):
            room &= allowed[sets[:, column]]
        room &= everyone[None, :] > sets[:, -1:]
        row, person = np.nonzero(room)
        shared = languages[row] & index.languages[person]
        overlap = common[row] & slots[person]
        keep = np.any(shared != 0, axis=1)
        keep &= np.bitwise_count(overlap).sum(axis=1) >= least_slots
        row, person, shared, overlap = row[keep], person[keep], shared[keep], overlap[keep]
        sums = sums[row] + weights[sets[row], person[:, None]].sum(axis=1)
        sets = np.concatenate([sets[row], person[:, None]], axis=1)
        languages, common = shared, overlap
    return sets.astype(np.int64), sums / (low - 1)


SLOT_MINUTES = 15


def _window_slots(index: RuleIndex) -> np.ndarray:
    """Each person's working window as the 15-minute slots of the day it touches (96 bits).

    A slot counts when the window touches it at all, so the slots all members share hold at
    least the minutes they really share: filtering on them never drops an allowed group.
    """
    per_class = np.zeros((len(index.windows), 2), dtype=np.uint64)
    day = 24 * 60 // SLOT_MINUTES
    for number, (start, length) in enumerate(index.windows):
        first = start // SLOT_MINUTES
        last = (start + length - 1) // SLOT_MINUTES
        for slot in range(first, max(first, last) + 1):
            spot = slot % day
            per_class[number, spot // 64] |= np.uint64(1) << np.uint64(spot % 64)
    return per_class[index.window_class]
