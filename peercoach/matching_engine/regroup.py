"""Regrouping: the best split of a few neighbouring groups' members, tried for many at once.

A move or a swap changes one or two people. Here two groups (three for triads) that are
close to each other pool their members, and every way of splitting the pool again into the
same number of groups, each of an allowed size, is scored; the best replaces the old split
when it is better. Two groups of six can trade three members each, which no chain of
improving swaps may reach.

All the pools of a round are scored together with numpy: each subset of a pool that may
become a group gets its pair sum (and its count of pairs the rules forbid) from one matrix
product, and each split adds up its subsets. The old split is one of the splits, so the
chosen one is never worse. Group-wide rules (one shared language and working window) are
checked for the chosen split only, as the search does for its moves.
"""

from __future__ import annotations

from functools import cache
from itertools import combinations

import numpy as np

from peercoach.matching_engine.group_search import (
    GAIN_EPSILON,
    SearchState,
    normalized,
    partner_groups,
)
from peercoach.matching_engine.rules import IntArray
from peercoach.matching_engine.scoring import FloatArray

CLOSE_GROUPS = 4  # each group pools with this many of its closest groups
BATCH_CELLS = 4_000_000  # pools x slots x subsets scored per numpy batch (32 MB of floats)
LARGEST_POOL = 11  # two groups of five and six: 924 possible groups, 462 splits
SPLITS_TRIED = 4  # best splits whose group-wide rules are checked before giving up on a pool


@cache
def splits(pool_size: int, parts: int, low: int, high: int) -> tuple[FloatArray, IntArray]:
    """Every way to cut slots 0..pool_size-1 into `parts` unordered groups of low..high.

    Returns the distinct groups as slot masks (subsets x pool_size) and, for each split, the
    numbers of its groups (splits x parts).
    """
    subsets: dict[tuple[int, ...], int] = {}
    found: list[list[int]] = []

    def cut(left: tuple[int, ...], chosen: list[int]) -> None:
        if len(chosen) == parts:
            if not left:
                found.append(list(chosen))
            return
        first, rest = left[0], left[1:]
        for size in range(low, min(high, len(left)) + 1):
            for others in combinations(rest, size - 1):
                group = (first, *others)
                number = subsets.setdefault(group, len(subsets))
                cut(tuple(slot for slot in rest if slot not in others), [*chosen, number])

    cut(tuple(range(pool_size)), [])
    # Keep only the groups some whole split uses (a group of seven may leave four behind).
    split_parts = np.array(found, dtype=np.int64).reshape(-1, parts)
    used, renumbered = np.unique(split_parts, return_inverse=True)
    groups = list(subsets)
    masks = np.zeros((len(used), pool_size), dtype=np.float64)
    for number, subset in enumerate(used.tolist()):
        masks[number, list(groups[subset])] = 1.0
    return masks, renumbered.reshape(split_parts.shape)


def close_groups(state: SearchState, partners: IntArray, anchors: IntArray, count: int) -> IntArray:
    """For each anchor group, the groups its members' best partners are in, strongest ties
    first (-1 fills the empty places)."""
    groups = len(state.table)
    people = state.table[anchors]
    people = people[people >= 0]
    mates = partners[people]
    owner = np.repeat(state.group_of[people], mates.shape[1])
    other = partner_groups(state, mates).ravel()
    keep = (other >= 0) & (other != owner)
    ties = state.pairs.weights[np.repeat(people, mates.shape[1])[keep], mates.ravel()[keep]]
    unique, inverse = np.unique(owner[keep] * groups + other[keep], return_inverse=True)
    strength = np.bincount(inverse, weights=ties)
    first, second = unique // groups, unique % groups
    order = np.lexsort((second, -strength, first))
    first, second = first[order], second[order]
    rank = np.arange(len(first)) - np.searchsorted(first, first)
    spot = np.searchsorted(anchors, first)
    result = np.full((len(anchors), count), -1, dtype=np.int64)
    keep_rank = rank < count
    result[spot[keep_rank], rank[keep_rank]] = second[keep_rank]
    return result


def neighbouring_pools(
    state: SearchState, partners: IntArray, parts: int, focus: IntArray | None
) -> IntArray:
    """Sets of `parts` groups (sorted rows, no repeats) that pool well: a group with one or
    two of its closest groups. With focus (sorted group numbers), only sets around those."""
    anchors = np.arange(len(state.table)) if focus is None else focus
    anchors = anchors[state.sizes[anchors] > 0]
    close = close_groups(state, partners, anchors, CLOSE_GROUPS)
    rows = [
        np.column_stack([anchors, close[:, list(chosen)]])
        for chosen in combinations(range(CLOSE_GROUPS), parts - 1)
    ]
    pools = np.concatenate(rows) if rows else np.zeros((0, parts), dtype=np.int64)
    pools = np.sort(pools[(pools >= 0).all(axis=1)], axis=1)
    pools = pools[np.all(pools[:, 1:] != pools[:, :-1], axis=1)]
    return np.unique(pools, axis=0) if len(pools) else pools


def regroup(
    state: SearchState,
    partners: IntArray,
    parts: int,
    max_rounds: int,
    focus: IntArray | None = None,
) -> set[int]:
    """Re-split neighbouring groups best first until no pool improves (only pools around the
    focus groups, and then around what changed); returns the groups that changed."""
    changed_all: set[int] = set()
    for _ in range(max_rounds):
        pools = neighbouring_pools(state, partners, parts, focus)
        touched = _improve_pools(state, pools)
        if not touched:
            break
        changed_all |= touched
        focus = np.array(sorted(touched), dtype=np.int64)
        state.sums[focus] = state.exact_sums(focus)
    return changed_all


def _improve_pools(state: SearchState, pools: IntArray) -> set[int]:
    """Take the improving re-splits best first, each group in at most one per round."""
    sizes = state.sizes[pools]
    fits = ((sizes >= state.low) & (sizes <= state.high)).all(axis=1)
    pools, sizes = pools[fits], sizes[fits]
    offers: list[tuple[float, list[int], list[list[int]]]] = []
    totals = sizes.sum(axis=1)
    for pool_size in np.unique(totals[totals <= LARGEST_POOL]).tolist():
        same = pools[totals == pool_size]
        masks, _ = splits(pool_size, pools.shape[1], state.low, state.high)
        chunk = max(1, BATCH_CELLS // (pool_size * len(masks)))
        for start in range(0, len(same), chunk):
            offers += _best_splits(state, same[start : start + chunk], pool_size)
    offers.sort(key=lambda offer: (-offer[0], offer[1]))
    touched: set[int] = set()
    for _, old, new_groups in offers:
        if touched.intersection(old):
            continue
        for number, members in zip(old, new_groups, strict=True):
            state.place(number, members)
        touched.update(old)
    return touched


def _best_splits(
    state: SearchState, pools: IntArray, pool_size: int
) -> list[tuple[float, list[int], list[list[int]]]]:
    """For each pool whose best split beats today's: (gain, its groups, the new groups)."""
    parts = pools.shape[1]
    masks, split_parts = splits(pool_size, parts, state.low, state.high)
    members = np.concatenate([state.table[pools[:, part]] for part in range(parts)], axis=1)
    members = members[members >= 0].reshape(len(pools), pool_size)
    weights = state.pairs.weights[members[:, :, None], members[:, None, :]]
    forbidden = (~state.pairs.allowed[members[:, :, None], members[:, None, :]]).astype(float)
    diagonal = np.arange(pool_size)
    weights[:, diagonal, diagonal] = 0.0  # a person's "pair" with themselves counts nothing
    forbidden[:, diagonal, diagonal] = 0.0
    pair_sum = _subset_sums(weights, masks) / 2
    clashes = _subset_sums(forbidden, masks)
    value = np.where(clashes < 0.5, pair_sum / (masks.sum(axis=1) - 1), -np.inf)
    split_value = value[:, split_parts].sum(axis=2)
    current = normalized(state.sums[pools], state.sizes[pools]).sum(axis=1)
    offers = []
    for number in np.flatnonzero(split_value.max(axis=1) > current + GAIN_EPSILON).tolist():
        ranked = np.argsort(-split_value[number], kind="stable")[:SPLITS_TRIED]
        for split in ranked.tolist():
            gain = float(split_value[number, split] - current[number])
            if gain <= GAIN_EPSILON:
                break
            groups = [
                [int(member) for member in members[number][masks[subset] > 0]]
                for subset in split_parts[split].tolist()
            ]
            if all(state.rules.hold(group) for group in groups):
                offers.append((gain, pools[number].tolist(), groups))
                break
    return offers


def _subset_sums(table: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """For each pool c and subset u: the sum of table[c, i, j] over slots i, j both in u."""
    through = table @ masks.T  # pools x slots x subsets
    return np.asarray((through * masks.T[None]).sum(axis=1))
