"""Each person's most underpriced set, by branch and bound in compiled code (numba).

For prices y, a set S of s people is worth w_S - y(S), with w_S the sum of its pair scores over
(s - 1). Each member sits in s - 1 of its pairs, so the same value is a sum over its pairs of

    r_ab = (w_ab - y_a - y_b) / (s - 1),

a pair's *reduced* value. With sensible prices most r_ab are below zero, and that is what makes
the search fast: a partner still to choose can add at most its exact gain so far (its reduced
values with the people already chosen) plus half its best *positive* reduced values with anyone
(`reduced_halves`), which is close to its gain. Writing the same value as pair scores minus
whole prices, as we did before, gave every partner half its best pair scores, far above what
it could add, and the search visited two to three times as many nodes.

Candidates are sorted by that estimate; a branch stops once the next ones cannot beat the best
set found, and anyone who cannot beat it even with the best others is dropped before a level is
sorted (sorting thousands of candidates at every node was most of the cost). The search is a
loop over explicit levels rather than recursion, so numba can cache it on disk.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _keep_if_among_best(best, value):
    """best holds the largest values seen, largest first: insert value if it belongs."""
    if value <= best[-1]:
        return
    spot = len(best) - 1
    while spot > 0 and best[spot - 1] < value:
        best[spot] = best[spot - 1]
        spot -= 1
    best[spot] = value


@njit(cache=True)
def reduced_halves(table, prices, share, most):
    """[k, u] = half the sum of u's k best positive reduced pair values, for k = 0..most."""
    size = table.shape[0]
    halves = np.zeros((most + 1, size))
    best = np.empty(most)
    for person in range(size):
        best[:] = 0.0
        for other in range(size):
            score = table[person, other]
            if other == person or not np.isfinite(score):
                continue
            _keep_if_among_best(best, (score - prices[person] - prices[other]) * share)
        total = 0.0
        for count in range(most):
            total += best[count]
            halves[count + 1, person] = 0.5 * total
    return halves


@njit(cache=True)
def _survivors(halves, people, gains, count, exact, need, best, kept, kept_gain, kept_estimate):
    """The candidates that could still beat `best` with `need` to choose, sorted by estimate
    (highest first) into the kept arrays; returns how many."""
    estimates = np.empty(count)
    top = np.full(need - 1, -np.inf)
    for spot in range(count):
        estimates[spot] = gains[spot] + halves[need - 1, people[spot]]
        _keep_if_among_best(top, estimates[spot])
    others = 0.0
    for place in range(need - 1):
        others += top[place]
    chosen = np.flatnonzero(exact + estimates[:count] + others > best)
    order = chosen[np.argsort(-estimates[chosen], kind="mergesort")]
    for spot in range(len(order)):
        kept[spot] = people[order[spot]]
        kept_gain[spot] = gains[order[spot]]
        kept_estimate[spot] = estimates[order[spot]]
    return len(order)


@njit(cache=True)
def _record(found, count, person, chosen, depth, one, other):
    """Keep the set in the ring of the latest improving sets (found has one row per set)."""
    row = count % found.shape[0]
    found[row, 0] = person
    for place in range(depth):
        found[row, place + 1] = chosen[place]
    found[row, depth + 1] = one
    found[row, depth + 2] = other
    return count + 1


@njit(cache=True)
def worst_set(table, prices, person, partners, low, halves, found, slack, leading):
    """max(0, max over sets of `low` people, the person and allowed partners, all pairs
    allowed, of w_S - y(S)); -inf with fewer than low - 1 partners. The improving sets it met
    go into the ring `found` (rows of low people); returns (value, how many were found).

    With slack > 0 a branch is cut once it cannot beat the best set by more than the slack, and
    the value returned is the best set's plus the slack: an upper estimate, off by at most the
    slack (meant to spare nodes when many sets are barely underpriced; at the first exact
    round's prices at 10,000 people it saved nothing measurable).

    `leading` below the number of partners searches only sets whose most promising partner
    (by estimate) is among the `leading` most promising: no proof then, but the best set
    usually has such a partner and most of the search is spent on the others."""
    need = low - 1
    share = 1.0 / need
    size = len(partners)
    if size < need:
        return -np.inf, 0
    people = np.empty((need, size), dtype=np.int64)
    gain = np.empty((need, size))
    estimate = np.empty((need, size))
    count = np.zeros(need, dtype=np.int64)
    position = np.zeros(need, dtype=np.int64)
    exact = np.zeros(need)
    chosen = np.empty(need, dtype=np.int64)
    next_people = np.empty(size, dtype=np.int64)
    next_gain = np.empty(size)
    for spot in range(size):
        partner = partners[spot]
        next_people[spot] = partner
        next_gain[spot] = (table[person, partner] - prices[person] - prices[partner]) * share
    best, recorded = 0.0, 0
    bar = best + slack  # what a branch must be able to beat to be searched
    count[0] = _survivors(
        halves, next_people, next_gain, size, 0.0, need, bar, people[0], gain[0], estimate[0]
    )
    depth = 0
    while depth >= 0:
        left, members = need - depth, count[depth]
        if left == 2:  # the last two partners: every allowed pair of the survivors
            for first in range(members - 1):
                if exact[depth] + estimate[depth, first] + estimate[depth, first + 1] <= bar:
                    break
                if depth == 0 and first >= leading:
                    break
                one = people[depth, first]
                for second in range(first + 1, members):
                    if exact[depth] + estimate[depth, first] + estimate[depth, second] <= bar:
                        break
                    other = people[depth, second]
                    score = table[one, other]
                    if not np.isfinite(score):
                        continue
                    value = exact[depth] + gain[depth, first] + gain[depth, second]
                    value += (score - prices[one] - prices[other]) * share
                    if value > best:
                        best = value
                        bar = best + slack
                        recorded = _record(found, recorded, person, chosen, depth, one, other)
            depth -= 1
            if depth >= 0:
                position[depth] += 1
            continue
        spot = position[depth]
        reach = exact[depth]
        for place in range(spot, min(spot + left, members)):
            reach += estimate[depth, place]
        if spot > members - left or reach <= bar or (depth == 0 and spot >= leading):
            depth -= 1
            if depth >= 0:
                position[depth] += 1
            continue
        one = people[depth, spot]
        kept = 0
        for later in range(spot + 1, members):
            other = people[depth, later]
            score = table[one, other]
            if np.isfinite(score):
                next_people[kept] = other
                next_gain[kept] = gain[depth, later]
                next_gain[kept] += (score - prices[one] - prices[other]) * share
                kept += 1
        chosen[depth] = one
        so_far = exact[depth] + gain[depth, spot]
        survivors = _survivors(
            halves,
            next_people,
            next_gain,
            kept,
            so_far,
            left - 1,
            bar,
            people[depth + 1],
            gain[depth + 1],
            estimate[depth + 1],
        )
        if survivors < left - 1:
            position[depth] += 1
            continue
        count[depth + 1], exact[depth + 1], position[depth + 1] = survivors, so_far, 0
        depth += 1
    return best + slack, recorded
