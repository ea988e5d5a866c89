"""The triad LP on triples found by a cheap search, and the triads its optimum points to.

The triad LP is the set-packing LP over triples: for each allowed triple T, a share x_T
between 0 and 1, each person in shares adding up to at most 1, maximizing Σ w_T x_T. Its value
bounds every grouping into triads once its prices are checked against every triple
(group_bounds.py does that); here it is also a guide. Growing triads one at a time, the greedy
has to take whatever is left for the hardest people at the end; the LP weighs everyone at once,
and the triples it takes whole or nearly whole are good triads to start the search from.

Triples come from column generation with a cheap search: each person's most underpriced
triple among their best partners joins the LP, and again, until few new ones turn up. It proves
nothing and needs nothing proved: a bound checks its prices exactly, and a start only needs
good triads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from peercoach.matching_engine.packing_masters import set_values
from peercoach.matching_engine.rules import IntArray
from peercoach.matching_engine.scoring import FloatArray
from peercoach.matching_engine.set_bounds import packing_lp

CHEAP_SHORTLIST = 40  # the cheap search looks for triples among each person's 40 best partners
CHEAP_ROUNDS = 40
START_ROUNDS = 9  # for a start: at 5,000 people 9 rounds reach 99.9% of the LP, in 15 CPU s
CHEAP_ENOUGH = 0.01  # cheap rounds stop once they add fewer new triples than 1% of the people
PEOPLE_AT_ONCE = 256
SHARE_FLOOR = 1e-6  # triples the LP does not use at all are left to the search
NO_TRIPLES = np.zeros((0, 3), dtype=np.int64)


def rounded_triads(weights: np.ndarray, holds: Callable[[Sequence[int]], bool]) -> list[list[int]]:
    """Disjoint triads from the triad LP's optimum, its largest shares first (then the highest
    scores), each one kept only when `holds` (the group-wide rules) allows it.

    `weights` holds every pair's score, -inf where the pair is not allowed. People the LP only
    shares out in small pieces are often left over: the caller places them."""
    columns, _, shares = _generate(weights, NO_TRIPLES, None, START_ROUNDS)
    if len(columns) == 0:
        return []
    assert shares is not None  # no prices were given, so the last LP solved holds every triple
    value = set_values(weights, columns)
    free = np.ones(len(weights), dtype=bool)
    triads: list[list[int]] = []
    for number in np.lexsort((-value, -shares)).tolist():
        if shares[number] <= SHARE_FLOOR:
            break
        members = columns[number].tolist()
        if free[members].all() and holds(members):
            free[members] = False
            triads.append(members)
    return triads


def triad_lp_prices(weights: np.ndarray, columns: IntArray) -> FloatArray:
    """Optimal prices of the triad LP on the given triples."""
    return _triad_lp(weights, columns)[0]


def _triad_lp(weights: np.ndarray, columns: IntArray) -> tuple[FloatArray, FloatArray]:
    """The triad LP on the given triples: its prices and each triple's share.

    The interior-point method: on these LPs (thousands of people, tens of thousands of
    triples) HiGHS's dual simplex took 97 s where it took 0.6 s."""
    if len(columns) == 0:
        return np.zeros(len(weights)), np.zeros(0)
    return packing_lp(len(weights), columns, set_values(weights, columns), "highs-ipm")


def cheap_generation(
    weights: np.ndarray,
    columns: IntArray,
    prices: FloatArray | None = None,
    rounds: int = CHEAP_ROUNDS,
) -> tuple[IntArray, FloatArray]:
    """Column generation with a search that only looks at each person's best partners: it
    proves nothing, it only finds triples that lower the LP's prices."""
    columns, prices, _ = _generate(weights, columns, prices, rounds)
    return columns, prices


def _generate(
    weights: np.ndarray, columns: IntArray, prices: FloatArray | None, rounds: int
) -> tuple[IntArray, FloatArray, FloatArray | None]:
    """cheap_generation, also returning the triples' shares in the last LP solved on the
    final triples (None when the prices were given and no triple was added)."""
    shares = None
    if prices is None:
        prices, shares = _triad_lp(weights, columns)
    for _ in range(rounds):
        fresh = _cheap_triples(weights, prices)
        merged = np.unique(np.concatenate([columns, fresh]), axis=0)
        added = len(merged) - len(columns)
        if added == 0:
            break
        columns = merged
        prices, shares = _triad_lp(weights, columns)
        if added < CHEAP_ENOUGH * len(weights):
            break
    return columns, prices, shares


def _cheap_triples(weights: np.ndarray, prices: FloatArray) -> IntArray:
    """Each person's most underpriced triple among their best partners by ½w_va - y_a."""
    size = len(prices)
    length = min(CHEAP_SHORTLIST, size - 1)
    found = [np.zeros((0, 3), dtype=np.int64)]
    if length < 2:
        return found[0]
    for start in range(0, size, PEOPLE_AT_ONCE):
        people = np.arange(start, min(size, start + PEOPLE_AT_ONCE))
        rows = weights[people].astype(np.float64) / 2 - prices[None, :]
        shortlists = np.argpartition(-rows, length - 1, axis=1)[:, :length]
        reduced = np.take_along_axis(rows, shortlists, axis=1)
        table = weights[shortlists[:, :, None], shortlists[:, None, :]].astype(np.float64) / 2
        table += reduced[:, :, None] + reduced[:, None, :]
        spot = np.argmax(table.reshape(len(people), -1), axis=1)
        value = table.reshape(len(people), -1)[np.arange(len(people)), spot]
        first, second = np.divmod(spot, length)
        good = value - prices[people] > 1e-9
        everyone = np.arange(len(people))
        triples = np.stack(
            [people, shortlists[everyone, first], shortlists[everyone, second]], axis=1
        )
        found.append(np.sort(triples[good], axis=1))
    return np.unique(np.concatenate(found), axis=0)
