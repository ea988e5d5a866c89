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
violated set are dismissed after one pass over their partners. Near the LP's optimum nearly
everyone still has a set underpriced by a hair, and proving each of those exactly may be
much of the cost (not measured yet); so an exact round may stop a branch once it cannot
beat the best set by more than a slack, and counts every person's estimate that much higher
(SLACK: a fixed small share of the bound).

Only pairwise rules are checked (every pair allowed); the one-shared-language and one-shared-
window rules of a whole group are left out, which only lets more sets in: still a bound.
Prices come from column generation on the LP restricted to the sets found so far
(packing_masters.py: a GLOP model that keeps its basis; PDLP from LARGE_PACKING people on,
after cheap rounds inside blocks of people who can meet supply the first sets). Cheap rounds
search each person's best set among their most promising partners only (no proof), until
that finds nothing new. A partner is promising by their own reduced pair score with the person
plus half their best pair scores with anyone: a set is often underpriced because its other
members go well together, not because each suits the person (at 1,000 enrolled, two exact
rounds then prove 3,461.6 where ranking by the person's own scores proved 3,477.5; the LP is
3,459.5). From LARGE_PACKING people on, deep rounds follow: each person's best set whose
leading partner is among their few most promising, the others from anyone (still no proof,
but most of what an exact round would find, for a fraction of its time). Then an exact round
proves a bound and adds the sets it found; and again. We keep the smallest bound and stop
once the LP has converged.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from itertools import combinations

import numpy as np
import scipy.sparse as sparse
from scipy.optimize import linprog

from peercoach.matching_engine.blocks import map_in_block_order, partition_blocks
from peercoach.matching_engine.packing_masters import (
    FirstOrderMaster,
    Master,
    SimplexMaster,
)
from peercoach.matching_engine.rules import IntArray, RuleIndex
from peercoach.matching_engine.scoring import FloatArray, pair_scores

PACKING_LIMIT = 12_000  # enrolled people: a dense float32 table of n² pair scores
SEARCH_ROUNDS = 300  # rounds that search only each person's most promising partners
SEARCH_SHORTLIST = 100
EXACT_ROUNDS = 30
CONVERGED = 1e-4  # stop once the proven bound is this close (relatively) to the LP's value
SLACK = 2e-4  # the share of the bound an exact round may give up to cut its search short
LARGE_PACKING = 2_000  # enrolled people: from here the large-LP path below
START_BLOCK = 1_000  # large LPs: people per block of the first columns
LARGE_SHORTLIST = 200
LEADING_PARTNERS = 10  # large LPs, deep rounds: see _search_until_none_found
PROGRESS = 2e-4  # large LPs: cheap and deep rounds stop once rounds raise the LP by less than this
PROGRESS_ROUNDS = 3
FOUND_PER_PERSON = 4  # violated sets each person's search adds to the LP
ROW_BLOCK = 400

Report = Callable[[str], None]


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


def packing_bound(
    index: RuleIndex,
    low: int,
    weights: np.ndarray | None = None,
    seed_groups: Sequence[Sequence[int]] = (),
    exact_rounds: int = EXACT_ROUNDS,
    report: Report = lambda line: None,
) -> tuple[float | None, str]:
    """The set-packing LP over allowed groups of `low` people, by column generation.

    The subsets of `seed_groups` (a grouping already found) give the LP a good start. Cheap
    rounds search each person's best set among their most promising partners, until they find
    nothing new; then an exact round proves a bound and adds the sets it found, and again.
    We keep the smallest bound. From LARGE_PACKING people on, the first sets also come from
    blocks of people who can meet, each generated to the end on its own, PDLP solves the LP,
    and deep rounds run before each exact round. `report` hears of each round (the benchmark
    prints them: at 10,000 people an exact round takes 30-40 minutes on two cores).
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
    large = size >= LARGE_PACKING
    master: Master = FirstOrderMaster(size) if large else SimplexMaster(size)
    if large:
        columns |= columns_from_blocks(table, low, partition_blocks(index, START_BLOCK), columns)
        report(f"{len(columns):,} sets from blocks of about {START_BLOCK:,}")
    master.add(table, columns)
    halves = half_best_pairs(table, 1.0 / (low - 1), low - 2)
    best = generate_and_prove(table, low, master, columns, halves, large, exact_rounds, report)
    return best, f"set-packing LP over allowed groups of {low}, by column generation"


def generate_and_prove(
    table: np.ndarray,
    low: int,
    master: Master,
    columns: set[tuple[int, ...]],
    halves: list[FloatArray],
    large: bool,
    exact_rounds: int,
    report: Report,
) -> float:
    """Cheap rounds, then an exact round that proves a bound and adds the sets it found, and
    again; the smallest bound proven. `columns` are the sets already in the master."""
    size = len(table)
    prices = master.prices()
    best = np.inf
    for number in range(1, exact_rounds + 1):
        prices = _search_until_none_found(
            table, low, master, columns, prices, halves, large, report
        )
        prices = master.prices(precise=True) if large else prices
        # Each person's estimate may exceed their worst violation by the slack, so the slack
        # costs at most SLACK of the bound.
        slack = SLACK * low * float(prices.sum()) / size
        started = time.perf_counter()
        worst, found = worst_violations(table, prices, low, halves=halves, slack=slack)
        excess = float(np.maximum(worst, 0.0).sum() / low)
        best = min(best, float(prices.sum()) + excess)
        added = found - columns
        report(
            f"exact round {number}: prices {prices.sum():,.1f} prove {prices.sum() + excess:,.1f}"
            f" in {time.perf_counter() - started:,.0f} s, {len(added):,} new sets"
        )
        if not added or excess <= CONVERGED * best + slack * size / low:
            break
        columns |= added
        master.add(table, added)
        prices = master.prices()
    return best


def columns_from_blocks(
    table: np.ndarray, low: int, blocks: list[list[int]], seeds: set[tuple[int, ...]]
) -> set[tuple[int, ...]]:
    """The sets that cheap rounds find inside each block on its own (in everyone's numbering),
    starting from the seeds that lie inside it.

    At 10,000 people, column generation over everyone from a grouping's subsets stalls (the
    grouping stays optimal for the sets found while the prices jump between degenerate
    optima); inside blocks of 1,000 it runs to the end in about a minute each, and their sets
    together start the whole LP far higher.
    """
    found: set[tuple[int, ...]] = set()
    for block in blocks:
        people = np.array(sorted(block), dtype=np.int64)
        if len(people) < low:
            continue
        inside = np.full(len(table), -1, dtype=np.int64)
        inside[people] = np.arange(len(people))
        part = np.ascontiguousarray(table[np.ix_(people, people)])
        columns = {
            tuple(int(inside[member]) for member in seed)
            for seed in seeds
            if (inside[list(seed)] >= 0).all()
        }
        master = SimplexMaster(len(people))
        master.add(part, columns)
        halves = half_best_pairs(part, 1.0 / (low - 1), low - 2)
        _search_until_none_found(part, low, master, columns, master.prices(), halves, False)
        found |= {tuple(int(people[member]) for member in column) for column in columns}
    return found


def _search_until_none_found(
    table: np.ndarray,
    low: int,
    master: Master,
    columns: set[tuple[int, ...]],
    prices: FloatArray,
    halves: list[FloatArray],
    large: bool,
    report: Report = lambda line: None,
) -> FloatArray:
    """Cheap rounds: each person's best set among their most promising partners joins the LP,
    until none is new (large LPs: or until the last PROGRESS_ROUNDS rounds together raised the
    LP by less than PROGRESS each, since PDLP's nearly optimal prices keep finding new sets
    long after they stop mattering). Large LPs then run deep rounds the same way, where the
    set's leading partner comes from the person's LEADING_PARTNERS most promising but the
    others from anyone: at 10,000 people the shortlist's sets hold 8% of what an exact round
    finds, the deep ones 87%, for an eighth of its time. Between two exact rounds this moves
    the prices most of the way."""
    searches: list[tuple[int | None, int | None]] = [(SEARCH_SHORTLIST, None)]
    if large:
        searches = [(LARGE_SHORTLIST, None), (None, LEADING_PARTNERS)]
    for shortlist, leading in searches:
        kind = "cheap" if leading is None else "deep"
        values = [float(prices.sum())]
        for _ in range(SEARCH_ROUNDS):
            found = worst_violations(table, prices, low, shortlist, halves, leading=leading)[1]
            added = found - columns
            if not added:
                break
            columns |= added
            master.add(table, added)
            prices = master.prices()
            values.append(float(prices.sum()))
            report(f"{kind} round: {len(columns):,} sets, LP {values[-1]:,.1f}")
            if large and _stalled(values):
                break
    return prices


def _stalled(values: list[float]) -> bool:
    """Whether the LP rose by less than PROGRESS a round over the last PROGRESS_ROUNDS rounds.

    Over several rounds, because one is not enough: PDLP's values move by about 0.02% from
    one solve to the next on their own, and at 10,000 people the first rounds from the blocks'
    sets raise the LP by only 0.1% before later ones raise it by 0.5%."""
    if len(values) <= PROGRESS_ROUNDS:
        return False
    rise = values[-1] - values[-1 - PROGRESS_ROUNDS]
    return rise < PROGRESS * PROGRESS_ROUNDS * values[-1]


def worst_violations(
    table: np.ndarray,
    prices: FloatArray,
    low: int,
    shortlist: int | None = None,
    halves: list[FloatArray] | None = None,
    slack: float = 0.0,
    leading: int | None = None,
) -> tuple[FloatArray, set[tuple[int, ...]]]:
    """For each person, their worst violation, raised to 0 (-inf when no allowed set holds
    them), and violated sets found on the way. With a shortlist, only a search: no proof.
    `halves` (from `half_best_pairs` on the whole table) ranks partners for the shortlist.
    With a slack, each value is an upper estimate, at most the slack above the exact one.
    With `leading` (see best_set_for), again only a search."""
    global _SEARCH_INPUT
    size = len(prices)
    reduced = reduced_halves_for(table, prices, low)
    # Large tables are searched in parts, two at a time; each part is searched exactly as
    # it would be in one piece, so the result does not depend on how it was cut.
    length = SEARCH_PART if size >= PARALLEL_SEARCH else max(1, size)
    parts = [(start, min(size, start + length)) for start in range(0, size, length)]
    _SEARCH_INPUT = (table, prices, low, shortlist, halves, reduced, slack, leading)
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
    tuple[
        np.ndarray,
        FloatArray,
        int,
        int | None,
        list[FloatArray] | None,
        FloatArray,
        float,
        int | None,
    ]
    | None
) = None


def _search_part(part: tuple[int, int]) -> tuple[FloatArray, set[tuple[int, ...]]]:
    assert _SEARCH_INPUT is not None
    table, prices, low, shortlist, halves, reduced, slack, leading = _SEARCH_INPUT
    start, end = part
    worst = np.full(end - start, -np.inf)
    found: set[tuple[int, ...]] = set()
    for person in range(start, end):
        worst[person - start], sets = best_set_for(
            table, prices, person, low, shortlist, halves, reduced, slack, leading
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
    slack: float = 0.0,
    leading: int | None = None,
) -> tuple[float, list[list[int]]]:
    """max(0, max over allowed sets S ∋ person of w_S - y(S)) (-inf when no allowed set holds
    the person), and the violated sets found on the way (the best last).

    With a shortlist, only the most promising partners are searched (by their reduced pair
    score, plus half their best pair scores when `halves` is given): a cheap way to find
    violated sets, but the value is then no bound. `reduced` (reduced_halves_for these prices)
    saves computing it again for each person. With a slack the value is an upper estimate,
    at most the slack above the exact one, and the search cuts more. With `leading`, only sets
    whose most promising partner is among the person's `leading` most promising ones (by the
    search's own estimate): a deeper search than a shortlist, and again no bound.
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
    lead = len(partners) if leading is None else leading
    value, count = worst_set(table, prices, person, partners, low, reduced, found, slack, lead)
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
