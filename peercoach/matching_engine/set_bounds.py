"""The set-packing LP over allowed groups of the smallest size, without listing every group.

Any grouping into groups of at least s people is a point of the set-packing LP over allowed sets
of s people (see `smallest_groups_bound` in group_bounds.py for why), and for any prices y >= 0

    Σ_v y_v + Σ_v viol_v⁺ / s,   viol_v >= max over allowed S ∋ v of (w_S - y(S)),

bounds that LP: raising each person's price by a share of their worst violation covers every
set. So a valid upper estimate of each person's worst violation is all the bound needs.

We find it by a search over each person's compatible partners. A set S, v with the others T, scores
Σ_{u∈T} (w_vu / (s-1) - y_u) + Σ_{pairs a,b in T} w_ab / (s-1) - y_v. Each partner u can add at
most g_u = w_vu / (s-1) - y_u + (sum of u's s-2 best pair scores) / (2(s-1)), since each pair
inside T is shared by its two ends. The search tries every clique of the partners with the
largest g (a shortlist), pruning any branch whose g's cannot beat the best set found; anyone
beyond the shortlist can only reach the s-2 largest g's plus their own, and when that could beat
the best set, that estimate is used instead (the bound stays valid, just less tight).

Only pairwise rules are checked (every pair allowed); the one-shared-language and one-shared-
window rules of a whole group are left out, which only lets more sets in: still a bound.
Prices come from column generation: HiGHS on the sets found so far, then each person's best set
is added, and again. The figure is proven after every round; we keep the smallest.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import scipy.sparse as sparse
from scipy.optimize import linprog

from peercoach.matching_engine.rules import IntArray, RuleIndex
from peercoach.matching_engine.scoring import FloatArray, pair_scores

PACKING_LIMIT = 12_000  # enrolled people: a dense float32 table of n² pair scores
GREEDY_ROUNDS = 60
GREEDY_STARTS = 3
EXACT_ROUNDS = 4
FOUND_PER_PERSON = 4  # violated sets each person's exact search adds to the LP
SHORTLIST = 24
WIDEST = 96
ROW_BLOCK = 400


def dense_pair_scores(index: RuleIndex) -> np.ndarray:
    """Every pair's score in one float32 table, -inf where the pair is not allowed.

    float32 halves the memory (400 MB at 10,000 people); each score is rounded up, never down,
    so a bound computed from the table still bounds the true scores.
    """
    size = index.size
    table = np.full((size, size), -np.inf, dtype=np.float32)
    everyone = np.arange(size, dtype=np.int64)
    for start in range(0, size, ROW_BLOCK):
        rows = everyone[start : start + ROW_BLOCK]
        first, second = np.repeat(rows, size), np.tile(everyone, len(rows))
        exact = np.where(index.feasible(first, second), pair_scores(index, first, second), -np.inf)
        rounded = exact.astype(np.float32)
        low = rounded < exact
        rounded[low] = np.nextafter(rounded[low], np.float32(np.inf))
        table[start : start + len(rows)] = rounded.reshape(len(rows), size)
    return table


def packing_lp_prices(size: int, sets: IntArray, value: FloatArray) -> FloatArray:
    """Optimal dual prices of the set-packing LP restricted to the given sets."""
    columns = np.repeat(np.arange(len(sets)), sets.shape[1])
    incidence = sparse.csr_matrix(
        (np.ones(sets.size), (sets.ravel(), columns)), shape=(size, len(sets))
    )
    result = linprog(-value, A_ub=incidence, b_ub=np.ones(size), bounds=(0, None), method="highs")
    if result.status != 0:
        raise RuntimeError(f"the group bound LP did not solve: {result.message}")
    return np.maximum(0.0, -np.asarray(result.ineqlin.marginals, dtype=float))


def set_values(weights: np.ndarray, sets: IntArray) -> FloatArray:
    """Each set's score: the sum of its pair scores divided by (size - 1)."""
    first, second = np.triu_indices(sets.shape[1], 1)
    pairs = weights[sets[:, first], sets[:, second]].astype(np.float64)
    return np.asarray(pairs.sum(axis=1) / (sets.shape[1] - 1), dtype=np.float64)


def packing_bound(
    index: RuleIndex,
    low: int,
    weights: np.ndarray | None = None,
    seed_groups: Sequence[Sequence[int]] = (),
    exact_rounds: int = EXACT_ROUNDS,
) -> tuple[float | None, str]:
    """The set-packing LP over allowed groups of `low` people, by column generation.

    Cheap rounds first: the LP's prices and a greedy search for underpriced sets (every
    person at once), until it finds none; the subsets of `seed_groups` (a grouping already
    found) give the LP a good start. Then rounds with the exact search, each of which proves
    a bound; we keep the smallest.
    """
    size = index.size
    if low < 3 or size > PACKING_LIMIT:
        return None, "not computed"
    if size < low:
        return 0.0, f"fewer enrolled people than a group of {low}"
    table = dense_pair_scores(index) if weights is None else weights
    best_partners = _best_partner_sums(table, low - 2)
    columns = {
        subset
        for group in seed_groups
        if len(group) >= low
        for subset in combinations(sorted(group), low)
    }
    prices = np.zeros(size)
    best = np.inf
    for _ in range(GREEDY_ROUNDS):
        prices = _solve_columns(size, columns, table, prices)
        added = greedy_sets(table, prices, low) - columns
        if not added:
            break
        columns |= added
    for _ in range(exact_rounds):
        worst, found = worst_violations(table, prices, low, best_partners)
        best = min(best, float(prices.sum() + np.maximum(worst, 0.0).sum() / low))
        added = (found | greedy_sets(table, prices, low)) - columns
        if not added or worst.max(initial=0.0) <= 1e-7 * max(1.0, best):
            break
        columns |= added
        prices = _solve_columns(size, columns, table, prices)
    if not np.isfinite(best):
        return 0.0, f"no group of {low} is allowed"
    return best, f"set-packing LP over allowed groups of {low}, by column generation"


def _solve_columns(
    size: int, columns: set[tuple[int, ...]], table: np.ndarray, prices: FloatArray
) -> FloatArray:
    if not columns:
        return prices
    sets = np.array(sorted(columns), dtype=np.int64)
    return packing_lp_prices(size, sets, set_values(table, sets))


def greedy_sets(table: np.ndarray, prices: FloatArray, low: int) -> set[tuple[int, ...]]:
    """Underpriced sets found greedily, for every person at once: start from the person and
    one of their GREEDY_STARTS best partners by reduced score, then keep adding whoever
    raises the set's value minus prices the most, among people allowed with every member."""
    size = len(prices)
    share = 1.0 / (low - 1)
    found: set[tuple[int, ...]] = set()
    for begin in range(0, size, ROW_BLOCK):
        people = np.arange(begin, min(size, begin + ROW_BLOCK))
        rows = table[people].astype(np.float64)
        reach = rows * share - prices[None, :]
        firsts = np.argsort(-reach, axis=1, kind="stable")[:, :GREEDY_STARTS]
        for start in range(min(GREEDY_STARTS, size)):
            total = rows.copy()
            chosen = [people, firsts[:, start]]
            total += table[chosen[1]]
            value = reach[np.arange(len(people)), chosen[1]] - prices[people]
            for _ in range(low - 2):
                gain = total * share - prices[None, :]
                for member in chosen:
                    gain[np.arange(len(people)), member] = -np.inf
                pick = np.argmax(gain, axis=1)
                value = value + gain[np.arange(len(people)), pick]
                chosen.append(pick)
                total += table[pick]
            members = np.stack(chosen, axis=1)
            good = np.isfinite(value) & (value > 1e-9)
            found.update(tuple(sorted(group)) for group in members[good].tolist())
    return found


def _best_partner_sums(table: np.ndarray, count: int) -> FloatArray:
    """For each person, the sum of their `count` best positive pair scores."""
    sums = np.zeros(len(table))
    if count <= 0:
        return sums
    for start in range(0, len(table), ROW_BLOCK):
        rows = np.maximum(table[start : start + ROW_BLOCK], 0).astype(np.float64)
        kept = min(count, rows.shape[1])
        top = -np.partition(-rows, kept - 1, axis=1)[:, :kept]
        sums[start : start + len(rows)] = top.sum(axis=1)
    return sums


def worst_violations(
    table: np.ndarray, prices: FloatArray, low: int, best_partners: FloatArray
) -> tuple[FloatArray, set[tuple[int, ...]]]:
    """For each person, an upper estimate of their worst violation (-inf when no allowed set
    holds them), and the best sets found (those that are violated)."""
    size = len(prices)
    worst = np.full(size, -np.inf)
    found: set[tuple[int, ...]] = set()
    for person in range(size):
        worst[person], sets = best_set_for(table, prices, person, low, best_partners)
        found.update(tuple(sorted(members)) for members in sets)
    return worst, found


def best_set_for(
    table: np.ndarray, prices: FloatArray, person: int, low: int, best_partners: FloatArray
) -> tuple[float, list[list[int]]]:
    """At least the max over allowed sets S ∋ person of w_S - y(S), and the violated sets found
    on the way to the best one (the best last)."""
    share = 1.0 / (low - 1)
    need = low - 1
    row = table[person].astype(np.float64)
    partners = np.flatnonzero(np.isfinite(row))
    if len(partners) < need:
        return -np.inf, []
    gain = row[partners] * share - prices[partners]
    optimistic = gain + 0.5 * share * best_partners[partners]
    order = np.argsort(-optimistic, kind="stable")
    partners, gain, optimistic = partners[order], gain[order], optimistic[order]
    head = float(optimistic[: need - 1].sum())
    length = SHORTLIST
    while True:
        shortlist = partners[:length]
        pair = table[np.ix_(shortlist, shortlist)].astype(np.float64) * share
        np.fill_diagonal(pair, -np.inf)
        floor = float(prices[person]) + 1e-9
        search = _CliqueSearch(pair, gain[:length], optimistic[:length], floor)
        value, _ = search.best(need)
        others = search.found[-FOUND_PER_PERSON:]
        if length >= len(partners) or head + optimistic[length] <= value:
            break
        if length >= WIDEST:
            # A set with someone beyond the shortlist reaches at most this much.
            value = max(value, head + float(optimistic[length]))
            break
        length *= 2
    sets = [[person, *shortlist[found].tolist()] for found in others]
    return value - float(prices[person]), sets


class _CliqueSearch:
    """Branch and bound for the best clique of a given size: Σ gain + Σ pairs inside.

    Candidates come sorted by `optimistic` (an upper estimate of what each can add), so once a
    candidate's optimistic sum with the next ones cannot beat the best clique, no later one can.
    """

    def __init__(
        self, pair: FloatArray, gain: FloatArray, optimistic: FloatArray, floor: float
    ) -> None:
        self.pair, self.gain, self.optimistic = pair, gain, optimistic
        self.value = -np.inf
        self.members: IntArray | None = None
        # Every clique found above `floor` on the way to the best: more columns for the LP.
        self.floor = floor
        self.found: list[IntArray] = []

    def best(self, need: int) -> tuple[float, IntArray | None]:
        everyone = np.arange(len(self.gain))
        self._extend(everyone, self.gain.copy(), 0.0, 0.0, [], need)
        return self.value, self.members

    def _extend(
        self,
        candidates: IntArray,
        gain: FloatArray,
        exact: float,
        promised: float,
        chosen: list[int],
        need: int,
    ) -> None:
        if len(candidates) < need:
            return
        if need <= 3:
            self._finish(candidates, gain, exact, chosen, need)
            return
        optimistic = self.optimistic[candidates]
        for spot, candidate in enumerate(candidates.tolist()):
            ahead = optimistic[spot : spot + need]
            if len(ahead) < need or promised + float(ahead.sum()) <= self.value:
                return
            later = np.arange(spot + 1, len(candidates))
            links = self.pair[candidate, candidates[later]]
            keep = np.isfinite(links)
            self._extend(
                candidates[later[keep]],
                gain[later[keep]] + links[keep],
                exact + float(gain[spot]),
                promised + float(optimistic[spot]),
                [*chosen, candidate],
                need - 1,
            )

    def _finish(
        self, candidates: IntArray, gain: FloatArray, exact: float, chosen: list[int], need: int
    ) -> None:
        pair = self.pair[np.ix_(candidates, candidates)]
        if need == 1:
            table = gain
        elif need == 2:
            table = gain[:, None] + gain[None, :] + pair
        else:
            two = gain[:, None] + gain[None, :] + pair
            table = two[:, :, None] + (pair[:, None, :] + pair[None, :, :] + gain[None, None, :])
        spot = int(np.argmax(table))
        value = exact + float(table.flat[spot])
        if value > self.value:
            self.value = value
            picked = np.unravel_index(spot, table.shape)
            self.members = np.array(chosen + [int(candidates[i]) for i in picked], dtype=np.int64)
            if value > self.floor:
                self.found.append(self.members)
