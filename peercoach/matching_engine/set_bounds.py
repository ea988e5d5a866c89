"""The set-packing LP over allowed groups of the smallest size, without listing every group.

Any grouping into groups of at least s people is a point of the set-packing LP over allowed sets
of s people (see `smallest_groups_bound` in group_bounds.py for why), and for any prices y >= 0

    Σ_v y_v + Σ_v viol_v⁺ / s,   viol_v >= max over allowed S ∋ v of (w_S - y(S)),

bounds that LP: raising each person's price by a share of their worst violation covers every
set. So a valid upper estimate of each person's worst violation is all the bound needs.

We find it exactly, by branch and bound over each person's compatible partners, in compiled
code (clique_kernel.py). The value of a set is written as a sum over its pairs of reduced pair
values r_ab = (w_ab - y_a - y_b) / (s-1); with k partners still to choose, a candidate adds at
most its exact gain so far plus half its k-1 best positive reduced values, so hopeless branches
are cut early. The search starts at zero (only violated sets matter), so people with no
violated set are dismissed after one pass over their partners.

Only pairwise rules are checked (every pair allowed); the one-shared-language and one-shared-
window rules of a whole group are left out, which only lets more sets in: still a bound.
Prices come from column generation on one GLOP model that keeps its basis, so adding sets and
solving again is cheap. Cheap rounds search each person's best set among their most promising
partners only (no proof), until that finds nothing new. A partner is promising by their own
reduced pair score with the person plus half their best pair scores with anyone: a set is often
underpriced because its other members go well together, not because each suits the person
(at 1,000 enrolled, two exact rounds then prove 3,461.6 where ranking by the person's own
scores proved 3,477.5; the LP is 3,459.5). Then an exact round proves a bound and adds the sets
it found; and again. We keep the smallest bound and stop once the LP has converged.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

import numpy as np
import scipy.sparse as sparse
from ortools.linear_solver import pywraplp
from scipy.optimize import linprog

from peercoach.matching_engine.blocks import map_in_block_order
from peercoach.matching_engine.rules import IntArray, RuleIndex
from peercoach.matching_engine.scoring import FloatArray, pair_scores

PACKING_LIMIT = 12_000  # enrolled people: a dense float32 table of n² pair scores
SEARCH_ROUNDS = 300  # rounds that search only each person's most promising partners
SEARCH_SHORTLIST = 100
EXACT_ROUNDS = 30
CONVERGED = 1e-4  # stop once the proven bound is this close (relatively) to the LP's value
FOUND_PER_PERSON = 4  # violated sets each person's search adds to the LP
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


def packing_lp_prices(
    size: int, sets: IntArray, value: FloatArray, method: str = "highs"
) -> FloatArray:
    """Optimal dual prices of the set-packing LP restricted to the given sets (HiGHS; `method`
    may ask for its interior-point solver, much faster on large degenerate LPs)."""
    return packing_lp(size, sets, value, method)[0]


def packing_lp(
    size: int, sets: IntArray, value: FloatArray, method: str = "highs"
) -> tuple[FloatArray, FloatArray]:
    """The set-packing LP restricted to the given sets: its dual prices and how much of each
    set the optimum takes (between 0 and 1)."""
    columns = np.repeat(np.arange(len(sets)), sets.shape[1])
    incidence = sparse.csr_matrix(
        (np.ones(sets.size), (sets.ravel(), columns)), shape=(size, len(sets))
    )
    result = linprog(-value, A_ub=incidence, b_ub=np.ones(size), bounds=(0, None), method=method)
    if result.status != 0:
        raise RuntimeError(f"the group bound LP did not solve: {result.message}")
    prices = np.maximum(0.0, -np.asarray(result.ineqlin.marginals, dtype=float))
    return prices, np.clip(np.asarray(result.x, dtype=float), 0.0, 1.0)


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

    The subsets of `seed_groups` (a grouping already found) give the LP a good start. Cheap
    rounds search each person's best set among their most promising partners, until they find
    nothing new; then an exact round proves a bound and adds the sets it found, and again.
    We keep the smallest bound.
    """
    size = index.size
    if low < 3 or size > PACKING_LIMIT or exact_rounds < 1:
        return None, "not computed"
    if size < low:
        return 0.0, f"fewer enrolled people than a group of {low}"
    table = dense_pair_scores(index) if weights is None else weights
    columns = {
        subset
        for group in seed_groups
        if len(group) >= low
        for subset in combinations(sorted(group), low)
    }
    master = PackingMaster(size)
    master.add(table, columns)
    prices = master.prices()
    halves = half_best_pairs(table, 1.0 / (low - 1), low - 2)
    best = np.inf
    for _ in range(exact_rounds):
        prices = _search_until_none_found(table, low, master, columns, prices, halves)
        worst, found = worst_violations(table, prices, low, halves=halves)
        excess = float(np.maximum(worst, 0.0).sum() / low)
        best = min(best, float(prices.sum()) + excess)
        added = found - columns
        if not added or excess <= CONVERGED * best:
            break
        columns |= added
        master.add(table, added)
        prices = master.prices()
    return best, f"set-packing LP over allowed groups of {low}, by column generation"


def _search_until_none_found(
    table: np.ndarray,
    low: int,
    master: PackingMaster,
    columns: set[tuple[int, ...]],
    prices: FloatArray,
    halves: list[FloatArray],
) -> FloatArray:
    """Cheap rounds: each person's best set among their most promising partners joins the LP,
    until none is new. Between two exact rounds this moves the prices most of the way."""
    for _ in range(SEARCH_ROUNDS):
        added = worst_violations(table, prices, low, SEARCH_SHORTLIST, halves)[1] - columns
        if not added:
            break
        columns |= added
        master.add(table, added)
        prices = master.prices()
    return prices


class PackingMaster:
    """The set-packing LP restricted to the sets found so far, in one GLOP model.

    New sets become new columns; the last basis stays feasible for the larger LP, so GLOP
    starts from it. Solving again from scratch each round (HiGHS through linprog) took 10-20 s
    per round at 1,000 people on a degenerate LP; this takes about a second.
    """

    def __init__(self, size: int) -> None:
        self.solver = pywraplp.Solver.CreateSolver("GLOP")
        self.rows = [self.solver.Constraint(-self.solver.infinity(), 1.0) for _ in range(size)]
        self.objective = self.solver.Objective()
        self.objective.SetMaximization()

    def add(self, table: np.ndarray, sets: set[tuple[int, ...]]) -> None:
        """Add the sets as columns, in sorted order so the model is the same on every run."""
        if not sets:
            return
        members = np.array(sorted(sets), dtype=np.int64)
        for group, value in zip(members.tolist(), set_values(table, members).tolist(), strict=True):
            column = self.solver.NumVar(0.0, self.solver.infinity(), "")
            self.objective.SetCoefficient(column, value)
            for person in group:
                self.rows[person].SetCoefficient(column, 1.0)

    def prices(self) -> FloatArray:
        """The LP's optimal dual prices (all zero while it has no column)."""
        if self.solver.NumVariables() == 0:
            return np.zeros(len(self.rows))
        status = self.solver.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            raise RuntimeError(f"the group bound LP did not solve (GLOP status {status})")
        duals = np.array([row.dual_value() for row in self.rows], dtype=np.float64)
        return np.asarray(np.maximum(0.0, duals), dtype=np.float64)


def worst_violations(
    table: np.ndarray,
    prices: FloatArray,
    low: int,
    shortlist: int | None = None,
    halves: list[FloatArray] | None = None,
) -> tuple[FloatArray, set[tuple[int, ...]]]:
    """For each person, their worst violation, raised to 0 (-inf when no allowed set holds
    them), and violated sets found on the way. With a shortlist, only a search: no proof.
    `halves` (from `half_best_pairs` on the whole table) ranks partners for the shortlist."""
    global _SEARCH_INPUT
    size = len(prices)
    reduced = reduced_halves_for(table, prices, low)
    # Large tables are searched in parts, two at a time; each part is searched exactly as
    # it would be in one piece, so the result does not depend on how it was cut.
    length = SEARCH_PART if size >= PARALLEL_SEARCH else max(1, size)
    parts = [(start, min(size, start + length)) for start in range(0, size, length)]
    _SEARCH_INPUT = (table, prices, low, shortlist, halves, reduced)
    try:
        results = map_in_block_order(_search_part, parts, WORKERS)
    finally:
        _SEARCH_INPUT = None
    worst = np.concatenate([part_worst for part_worst, _ in results]) if results else np.zeros(0)
    found: set[tuple[int, ...]] = set()
    for _, part_found in results:
        found |= part_found
    return worst, found


PARALLEL_SEARCH = 1_000  # people: from here each round is searched in parts, side by side
SEARCH_PART = 250
WORKERS = 2
_SEARCH_INPUT: (
    tuple[np.ndarray, FloatArray, int, int | None, list[FloatArray] | None, FloatArray] | None
) = None


def _search_part(part: tuple[int, int]) -> tuple[FloatArray, set[tuple[int, ...]]]:
    assert _SEARCH_INPUT is not None
    table, prices, low, shortlist, halves, reduced = _SEARCH_INPUT
    start, end = part
    worst = np.full(end - start, -np.inf)
    found: set[tuple[int, ...]] = set()
    for person in range(start, end):
        worst[person - start], sets = best_set_for(
            table, prices, person, low, shortlist, halves, reduced
        )
        found.update(tuple(sorted(members)) for members in sets)
    return worst, found


def reduced_halves_for(table: np.ndarray, prices: FloatArray, low: int) -> FloatArray:
    """clique_kernel.reduced_halves for sets of `low` people: it prunes every person's search."""
    from peercoach.matching_engine.clique_kernel import reduced_halves

    prices = np.ascontiguousarray(prices, dtype=np.float64)
    return np.asarray(reduced_halves(table, prices, 1.0 / (low - 1), low - 2))


def best_set_for(
    table: np.ndarray,
    prices: FloatArray,
    person: int,
    low: int,
    shortlist: int | None = None,
    halves: list[FloatArray] | None = None,
    reduced: FloatArray | None = None,
) -> tuple[float, list[list[int]]]:
    """max(0, max over allowed sets S ∋ person of w_S - y(S)) (-inf when no allowed set holds
    the person), and the violated sets found on the way (the best last).

    With a shortlist, only the most promising partners are searched (by their reduced pair
    score, plus half their best pair scores when `halves` is given): a cheap way to find
    violated sets, but the value is then no bound. `reduced` (reduced_halves_for these prices)
    saves computing it again for each person.
    """
    # Imported here: numba takes about a second to load, and only the bounds need it.
    from peercoach.matching_engine.clique_kernel import worst_set

    prices = np.ascontiguousarray(prices, dtype=np.float64)
    row = table[person].astype(np.float64)
    partners = np.flatnonzero(np.isfinite(row))
    partners = partners[partners != person]
    if len(partners) < low - 1:
        return -np.inf, []
    if shortlist is not None and len(partners) > shortlist:
        # A set is often underpriced because its other members go well together, not because
        # each suits the person: rank partners by what they could add with their best pairs.
        gain = row[partners] / (low - 1) - prices[partners]
        promise = gain if halves is None else gain + halves[low - 2][partners]
        partners = np.sort(partners[np.argpartition(-promise, shortlist - 1)[:shortlist]])
    if reduced is None:
        reduced = reduced_halves_for(table, prices, low)
    found = np.zeros((FOUND_PER_PERSON, low), dtype=np.int64)
    value, count = worst_set(table, prices, person, partners, low, reduced, found)
    # The ring holds the latest improving sets; oldest first, so the best comes last.
    rows = [
        (count - back) % FOUND_PER_PERSON for back in range(min(count, FOUND_PER_PERSON), 0, -1)
    ]
    return float(value), [found[row].tolist() for row in rows]


def half_best_pairs(table: np.ndarray, share: float, most: int) -> list[FloatArray]:
    """[j] = half of each person's j best positive pair scores times `share`, j = 0..most,
    a block of rows at a time."""
    blocks = [
        _half_best_pairs(
            np.asarray(table[start : start + ROW_BLOCK], dtype=np.float64) * share, most
        )
        for start in range(0, len(table), ROW_BLOCK)
    ]
    return [np.concatenate([block[count] for block in blocks]) for count in range(most + 1)]


def _half_best_pairs(pair: FloatArray, most: int) -> list[FloatArray]:
    """[j] = half the sum of each partner's j best positive pair scores, for j = 0..most."""
    positive = np.where(np.isfinite(pair), np.maximum(pair, 0.0), 0.0)
    halves = [np.zeros(len(pair))]
    kept = min(most, pair.shape[1])
    if kept > 0:
        best = -np.sort(np.partition(-positive, kept - 1, axis=1)[:, :kept], axis=1)
        halves += [0.5 * best[:, :count].sum(axis=1) for count in range(1, kept + 1)]
    while len(halves) <= most:
        halves.append(halves[-1])
    return halves
