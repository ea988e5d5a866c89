"""Triads and groups: greedy construction, then a batched move-and-swap search with kicks.

The objective is the per-member normalized group score from scoring.py, so a group of seven
does not beat two groups of three just by holding more pairs. Every group always satisfies
every hard rule: a change is only taken when the groups it touches stay feasible, and the
final groups are checked again by verify.py.

Large populations are cut into blocks of people who work at similar times and share a first
language (as for pairs); each block gets dense tables of pair scores and rule checks, so the
search looks pairs up instead of scoring them again. People a block cannot place get one more
chance in any group of the whole population before they are reported with a reason.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from peercoach.matching_engine.assemble import finish
from peercoach.matching_engine.candidates import candidate_graph
from peercoach.matching_engine.group_bounds import (
    allowed_sets,
    group_upper_bound,
    smallest_groups_bound,
    triad_upper_bound,
)
from peercoach.matching_engine.group_search import (
    NEIGHBOURS,
    BlockPairs,
    GroupRules,
    SearchState,
    improve,
    iterated_search,
)
from peercoach.matching_engine.model import MatchParams, MatchResult, Population
from peercoach.matching_engine.rules import IntArray, RuleIndex, build_index
from peercoach.matching_engine.scoring import group_score, pair_scores

BLOCK_SIZE = 3_000  # people per block; dense tables cost 9·size² bytes
MAX_ROUNDS = 200  # rounds of the first descent; it usually stops long before
KICKS_PER_PERSON = 1.0  # the kick budget: this many kicks per person in the block
LEAST_KICKS = 400  # small blocks are cheap; give them a real search
ROUNDS_PER_KICK = 6
GROUP_TRIAD_LIMIT = 400  # the triad LP as a bound for larger groups: seconds up to here


def match_groups(population: Population, params: MatchParams) -> MatchResult:
    started = time.perf_counter()
    index = build_index(population, params)
    low, high = size_range(params)
    allow_extra = params.format == "triads"
    groups: list[list[int]] = []
    leftovers: list[int] = []
    for number, block in enumerate(partition_blocks(index, BLOCK_SIZE)):
        found, missed = solve_block(index, np.array(block, dtype=np.int64), params, number)
        groups.extend(found)
        leftovers.extend(missed)
    place_leftovers(index, groups, sorted(leftovers), high + (1 if allow_extra else 0))
    if allow_extra:
        pair_leftovers(index, groups)
        exact = exact_triads(index)
        if exact is not None and _ranking(index, exact) > _ranking(index, groups):
            groups = exact
    bound, note = (None, "not computed")
    if params.compute_bound:
        leftover_pairs = sum(len(group) == 2 for group in groups)
        bound, note = group_upper_bound(index, candidate_graph(index), low, leftover_pairs)
        more = [triad_upper_bound(index, leftover_pairs)] if params.format == "triads" else []
        least = min([low, *(len(group) for group in groups)])
        if params.format == "groups" and least >= 3 and index.size <= GROUP_TRIAD_LIMIT:
            # A group of k >= least people is a packing of its subsets of `least` people, and
            # of its triads: both set-packing LPs know that a group is a clique.
            more += [smallest_groups_bound(index, least), triad_upper_bound(index)]
        for other_bound, other_note in more:
            if other_bound is not None and (bound is None or other_bound < bound):
                bound, note = other_bound, other_note
        if leftover_pairs:
            note += f" (allowing for {leftover_pairs} leftover pairs)"
    return finish(population, index, params.format, groups, bound, note, started)


EXACT_TRIADS_LIMIT = 40  # enrolled people: every allowed triad fits one small integer program


def exact_triads(index: RuleIndex) -> list[list[int]] | None:
    """Small organizations: the best split into triads, by an integer program over every triad.

    Each allowed triad (every rule checked for the whole triad) is a yes/no choice, each person
    in at most one; matching more people comes first, then the score. People left over then join
    groups or pair up as usual. None above EXACT_TRIADS_LIMIT enrolled.
    """
    if index.size > EXACT_TRIADS_LIMIT or index.size < 3:
        return None
    sets, value = allowed_sets(index, 3)
    feasible = np.array([index.group_feasible(members) for members in sets.tolist()], dtype=bool)
    sets, value = sets[feasible], value[feasible]
    groups: list[list[int]] = []
    if len(sets):
        # Three more people matched is worth more than any difference in score: no split
        # holds more than size/3 triads, each worth at most the largest |value|.
        bonus = 1.0 + 2.0 * (index.size / 3) * float(np.abs(value).max())
        columns = np.repeat(np.arange(len(sets)), 3)
        incidence = sparse.csr_matrix(
            (np.ones(sets.size), (sets.ravel(), columns)), shape=(index.size, len(sets))
        )
        result = milp(
            -(value + bonus),
            constraints=LinearConstraint(incidence, 0, 1),
            integrality=np.ones(len(sets)),
            bounds=Bounds(0, 1),
            options={"mip_rel_gap": 0.0},  # exact: the default stops within 0.01%
        )
        if result.status != 0 or result.x is None:
            return None
        groups = [list(members) for members in sets[np.asarray(result.x) > 0.5].tolist()]
    placed = {member for group in groups for member in group}
    place_leftovers(index, groups, [p for p in range(index.size) if p not in placed], 4)
    pair_leftovers(index, groups)
    return groups


def _ranking(index: RuleIndex, groups: list[list[int]]) -> tuple[int, float]:
    """More people matched first, then the objective."""
    return (
        sum(len(group) for group in groups),
        sum(group_score(index, group) for group in groups),
    )


def partition_blocks(index: RuleIndex, block_size: int) -> list[list[int]]:
    """Blocks of about block_size people, cut from everyone sorted by the UTC start of their
    working window and their first language, so each block holds people who can meet."""
    starts = np.array([window[0] for window in index.windows], dtype=np.int64)[index.window_class]
    first_language = np.argmax(index.languages != 0, axis=1)
    order = np.lexsort((np.arange(index.size), first_language, starts))
    count = max(1, round(index.size / block_size))
    return [chunk.tolist() for chunk in np.array_split(order, count)]


def size_range(params: MatchParams) -> tuple[int, int]:
    return (3, 3) if params.format == "triads" else (params.group_min, params.group_max)


def solve_block(
    index: RuleIndex, people: IntArray, params: MatchParams, number: int
) -> tuple[list[list[int]], list[int]]:
    """Groups for one block (as person numbers of the index) and who it could not place."""
    low, high = size_range(params)
    pairs = BlockPairs.build(index, people)
    rules = GroupRules(index, people)
    groups = construct(pairs, rules, low, high)
    state = SearchState.from_groups(pairs, rules, groups, low, high)
    partners = pairs.best_partners(NEIGHBOURS)
    improve(state, partners, MAX_ROUNDS)
    # Each block draws its own kicks from the seed, so blocks do not depend on each other.
    rng = np.random.default_rng([params.seed, number])
    iterated_search(
        state,
        partners,
        rng,
        max(LEAST_KICKS, round(KICKS_PER_PERSON * pairs.size)),
        ROUNDS_PER_KICK,
    )
    found = [[int(people[member]) for member in group] for group in state.groups()]
    placed = {member for group in found for member in group}
    missed = [int(person) for person in people if int(person) not in placed]
    if params.format == "triads" and missed:
        # A fourth member or a leftover pair, placed here so the search can still improve
        # on them: someone may leave a group of four for a pair, making two triads.
        place_leftovers(index, found, missed, high + 1)
        pair_leftovers(index, found, missed)
        local = {int(person): spot for spot, person in enumerate(people.tolist())}
        groups = [[local[member] for member in group] for group in found]
        state = SearchState.from_groups(pairs, rules, groups, low, high)
        improve(state, partners, MAX_ROUNDS)
        found = [[int(people[member]) for member in group] for group in state.groups()]
        placed = {member for group in found for member in group}
        missed = [int(person) for person in people if int(person) not in placed]
    return found, missed


def construct(pairs: BlockPairs, rules: GroupRules, low: int, high: int) -> list[list[int]]:
    """Grow one group at a time from the hardest-to-place person, adding the best-fitting peer.

    Groups aim for the middle of the size range, which leaves room for moves both ways.
    """
    target = (low + high + 1) // 2
    free = np.ones(pairs.size, dtype=bool)
    options = pairs.allowed.sum(axis=1)
    groups: list[list[int]] = []
    for seed in np.lexsort((np.arange(pairs.size), options)).tolist():
        if not free[seed]:
            continue
        group = [seed]
        possible = pairs.allowed[seed] & free
        total = pairs.weights[seed].copy()
        while len(group) < target:
            chosen = _best_addition(rules, group, possible, total)
            if chosen is None:
                break
            group.append(chosen)
            possible &= pairs.allowed[chosen]
            total += pairs.weights[chosen]
        if len(group) >= low:
            free[group] = False
            groups.append(group)
    return groups


ADDITION_TRIES = 12


def _best_addition(
    rules: GroupRules, group: list[int], possible: np.ndarray, total: np.ndarray
) -> int | None:
    candidates = np.flatnonzero(possible)
    if len(candidates) == 0:
        return None
    ranked = candidates[np.argsort(-total[candidates], kind="stable")]
    for candidate in ranked[:ADDITION_TRIES].tolist():
        if rules.hold([*group, candidate]):
            return int(candidate)
    return None


def place_leftovers(
    index: RuleIndex, groups: list[list[int]], leftovers: Sequence[int], ceiling: int
) -> None:
    """Put each person no block could place into the group, anywhere, where they add the most."""
    for person in leftovers:
        best: tuple[float, int] | None = None
        roomy = [number for number, group in enumerate(groups) if len(group) < ceiling]
        if not roomy:
            return
        members = np.array([member for number in roomy for member in groups[number]])
        owner = np.array([number for number in roomy for _ in groups[number]])
        me = np.full(len(members), person, dtype=np.int64)
        allowed = index.feasible(me, members)
        scores = pair_scores(index, me, members)
        for number in roomy:
            mine = owner == number
            if not allowed[mine].all():
                continue
            group = groups[number]
            gain = (_sum(index, group) + scores[mine].sum()) / len(group) - _sum(index, group) / (
                len(group) - 1
            )
            if (best is None or gain > best[0]) and index.group_feasible([*group, person]):
                best = (float(gain), number)
        if best is not None:
            groups[best[1]].append(person)


def pair_leftovers(
    index: RuleIndex, groups: list[list[int]], candidates: Sequence[int] | None = None
) -> None:
    """For triads: two people still left who fit together make a pair rather than nothing."""
    placed = {member for group in groups for member in group}
    pool = range(index.size) if candidates is None else candidates
    still = [person for person in pool if person not in placed]
    for person in still:
        if person in placed:
            continue
        others = np.array([other for other in still if other not in placed and other != person])
        if len(others) == 0:
            continue
        me = np.full(len(others), person, dtype=np.int64)
        allowed = index.feasible(me, others)
        if not allowed.any():
            continue
        scores = np.where(allowed, pair_scores(index, me, others), -np.inf)
        partner = int(others[int(np.argmax(scores))])
        groups.append([person, partner])
        placed.update((person, partner))


def _sum(index: RuleIndex, group: Sequence[int]) -> float:
    members = np.array(group, dtype=np.int64)
    first, second = np.triu_indices(len(members), 1)
    return float(pair_scores(index, members[first], members[second]).sum())
