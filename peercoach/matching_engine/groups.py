"""Triads and groups: a start (the triad LP's rounded optimum for triads, a greedy for larger
groups), then a batched move-and-swap search with kicks.

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
from dataclasses import replace
from functools import partial

import numpy as np
import scipy.sparse as sparse
from scipy.optimize import Bounds, LinearConstraint, milp

from peercoach.matching_engine.assemble import finish
from peercoach.matching_engine.blocks import map_in_block_order, partition_blocks
from peercoach.matching_engine.candidates import candidate_graph
from peercoach.matching_engine.group_bounds import (
    allowed_sets,
    group_upper_bound,
    smallest_groups_bound,
    triad_upper_bound,
)
from peercoach.matching_engine.group_search import (
    GAIN_EPSILON,
    NEIGHBOURS,
    BlockPairs,
    GroupRules,
    SearchState,
    compiled_kicks,
    improve,
    iterated_search,
)
from peercoach.matching_engine.model import MatchParams, MatchResult, Population
from peercoach.matching_engine.regroup import regroup
from peercoach.matching_engine.rules import IntArray, RuleIndex, build_index
from peercoach.matching_engine.scoring import FloatArray, group_score, pair_scores
from peercoach.matching_engine.set_bounds import packing_bound
from peercoach.matching_engine.triad_lp import rounded_triads

BLOCK_SIZE = 5_000  # people per block; dense tables cost 9·size² bytes, triads' LP start 8·size²
MAX_ROUNDS = 200  # rounds of the first descent; it usually stops long before
# Groups larger than triads (compiled kicks): 300,000 kicks in a run, shared among the blocks
# by size, at most 1,000 and at least one per person.
GROUP_KICKS_PER_PERSON = 1_000
GROUP_KICK_TOTAL = 300_000
# Triads start from the LP (triad_lp.py) and need fewer kicks: a fifth of one per person, or
# their share of 2,000 (at 1,000 enrolled 10,000 kicks gained 0.05% over 2,000), at most 50.
TRIAD_KICKS_PER_PERSON = 0.2
TRIAD_KICK_TOTAL = 2_000
TRIAD_MOST_KICKS_PER_PERSON = 50
ROUNDS_PER_KICK = 6
# Groups of 5-7 look at the groups of their 12 best partners instead of 8: at 10,000 enrolled
# 37,719 against 37,497 for 20% more time; from 300 to 1,000 enrolled +0.1 to +0.4%.
GROUP_NEIGHBOURS = 12
# In blocks of more than 500 people, where each person has hundreds or thousands of allowed
# partners, 20: at 10,000 enrolled 37,976 against 37,719 (48 s of wall time against 36), at
# 1,000 +0.3 to +0.7%; at 300 and 60 it moved groups by -0.3 to +0.1%, for more time.
LARGE_BLOCK_NEIGHBOURS = 20
LARGE_BLOCK = 500
GROUP_TRIAD_LIMIT = 400  # the triad LP as a bound for larger groups: seconds up to here
GROUP_PACKING_LIMIT = 400  # the generated set-packing LP: 10-20 CPU s at 300


def match_groups(population: Population, params: MatchParams) -> MatchResult:
    started = time.perf_counter()
    index = build_index(population, params)
    low, high = size_range(params)
    allow_extra = params.format == "triads"
    groups: list[list[int]] = []
    leftovers: list[int] = []
    for found, missed in solve_blocks(index, params):
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
            if index.size <= GROUP_PACKING_LIMIT:
                # The same LP with the useful sets generated (set_bounds.py): it converges
                # where listing has too many sets, or too many rounds to go (balanced, 308
                # people: 973.0 against the listed LP's 1,129.2 after its rounds).
                more.append(packing_bound(index, least, seed_groups=groups))
        for other_bound, other_note in more:
            if other_bound is not None and (bound is None or other_bound < bound):
                bound, note = other_bound, other_note
        if leftover_pairs:
            note += f" (allowing for {leftover_pairs} leftover pairs)"
    return finish(population, index, params.format, groups, bound, note, started)


EXACT_FOURS_LIMIT = 20_000  # groups of four considered whole; more are placed afterwards
EXACT_TRIADS_LIMIT = 20  # enrolled people: every allowed group in small integer programs


def exact_triads(index: RuleIndex) -> list[list[int]] | None:
    """Small organizations: the best split into triads, by an integer program over every group.

    Each allowed triad, pair and group of four (every rule checked for the whole group) is a
    yes/no choice, each person in at most one. In this order: match as many people as possible,
    then use as few pairs and fours as possible (the format is triads; they are the fallback
    that keeps people from being left out), then the highest score. Choosing triads first and
    placing the leftovers afterwards can miss the best split: at 18 people across time zones it
    matched 16 (34.5) where this matches all 18 (41.25). None above EXACT_TRIADS_LIMIT enrolled.
    """
    if index.size > EXACT_TRIADS_LIMIT or index.size < 2:
        return None
    triads = _listed_groups(index, 3)
    columns = [triads, _listed_groups(index, 2)]
    fours = _allowed_groups(index, 4, most=EXACT_FOURS_LIMIT)
    if fours is not None:
        columns.append(fours)
    sets = [members for found, _ in columns for members in found]
    if not sets:
        return []
    value = np.concatenate([found_value for _, found_value in columns])
    fallback = np.arange(len(sets)) >= len(triads[0])
    people = np.array([len(members) for members in sets], dtype=float)
    rows = np.concatenate([np.asarray(members) for members in sets])
    owner = np.repeat(np.arange(len(sets)), [len(members) for members in sets])
    incidence = sparse.csr_matrix(
        (np.ones(len(rows)), (rows, owner)), shape=(index.size, len(sets))
    )
    # One integer program per criterion, each keeping the ones before at their best: big
    # weights folding all three into one objective made HiGHS take 20 s at 19 people.
    constraints = [LinearConstraint(incidence, 0, 1)]
    most_people = _best_choice(people, constraints)
    if most_people is None:
        return None
    constraints.append(LinearConstraint(people, most_people - 0.5, np.inf))
    fewest_fallbacks = _best_choice(-fallback.astype(float), constraints)
    if fewest_fallbacks is None:
        return None
    constraints.append(LinearConstraint(fallback.astype(float), -np.inf, -fewest_fallbacks + 0.5))
    result = _solve_choice(value, constraints)
    if result is None:
        return None
    chosen = np.flatnonzero(result > 0.5)
    groups = [list(sets[number]) for number in chosen.tolist()]
    if fours is None:
        # Too many fours to list: leftovers join triads as before.
        placed = {member for group in groups for member in group}
        place_leftovers(index, groups, [p for p in range(index.size) if p not in placed], 4)
    return groups


def _solve_choice(gain: FloatArray, constraints: list[LinearConstraint]) -> FloatArray | None:
    """The yes/no choices with the largest total gain under the constraints, or None."""
    result = milp(
        -gain,
        constraints=constraints,
        integrality=np.ones(len(gain)),
        bounds=Bounds(0, 1),
        options={"mip_rel_gap": 0.0},  # exact: the default stops within 0.01%
    )
    if result.status != 0 or result.x is None:
        return None
    return np.asarray(result.x)


def _best_choice(gain: FloatArray, constraints: list[LinearConstraint]) -> float | None:
    """The largest total of a whole-number gain under the constraints."""
    chosen = _solve_choice(gain, constraints)
    return None if chosen is None else float(np.rint(gain @ np.rint(chosen)))


def _listed_groups(index: RuleIndex, size: int) -> tuple[list[list[int]], FloatArray]:
    listed = _allowed_groups(index, size)
    assert listed is not None  # no limit asked
    return listed


def _allowed_groups(
    index: RuleIndex, size: int, most: int | None = None
) -> tuple[list[list[int]], FloatArray] | None:
    """Every group of `size` people that every rule allows as a whole, with its score.

    None when more than `most` groups pass the pairwise rules (checking each whole group is
    the slow part: about 70 µs a group).
    """
    sets, value = allowed_sets(index, size)
    if most is not None and len(sets) > most:
        return None
    feasible = np.array([index.group_feasible(members) for members in sets.tolist()], dtype=bool)
    return [list(members) for members in sets[feasible].tolist()], value[feasible]


def _ranking(index: RuleIndex, groups: list[list[int]]) -> tuple[int, float]:
    """More people matched first, then the objective."""
    return (
        sum(len(group) for group in groups),
        sum(group_score(index, group) for group in groups),
    )


WORKERS = 2  # blocks solved side by side; the machines we run on have two cores

# Set just before the worker processes start, so forked workers inherit the whole population
# instead of receiving it through a pipe for every block.
_BLOCK_INPUT: tuple[RuleIndex, MatchParams] | None = None


def solve_blocks(index: RuleIndex, params: MatchParams) -> list[tuple[list[list[int]], list[int]]]:
    """Every block's groups and leftovers, in block order whichever block finishes first.

    Blocks depend on nothing but their own people and the seed, so solving them in two
    worker processes gives the same groups as solving them one after another.
    """
    global _BLOCK_INPUT
    numbered = list(enumerate(partition_blocks(index, BLOCK_SIZE)))
    _BLOCK_INPUT = (index, params)
    try:
        return map_in_block_order(_solve_numbered_block, numbered, WORKERS)
    finally:
        _BLOCK_INPUT = None


def _solve_numbered_block(numbered: tuple[int, list[int]]) -> tuple[list[list[int]], list[int]]:
    assert _BLOCK_INPUT is not None
    index, params = _BLOCK_INPUT
    number, block = numbered
    return solve_block(index, np.array(block, dtype=np.int64), params, number)


def size_range(params: MatchParams) -> tuple[int, int]:
    return (3, 3) if params.format == "triads" else (params.group_min, params.group_max)


def solve_block(
    index: RuleIndex, people: IntArray, params: MatchParams, number: int
) -> tuple[list[list[int]], list[int]]:
    """Groups for one block (as person numbers of the index) and who it could not place."""
    low, high = size_range(params)
    pairs = BlockPairs.build(index, people)
    rules = GroupRules(index, people)
    partners = pairs.best_partners(neighbour_count(pairs.size, triads=high <= 3))
    starts = []
    for groups in start_groups(pairs, rules, low, high):
        start = SearchState.from_groups(pairs, rules, groups, low, high)
        improve(start, partners, MAX_ROUNDS)
        descend(start, partners)
        starts.append(start)
    kicks = kick_budget(pairs.size, index.size, triads=high <= 3)
    state = kicked_from_several_seeds(starts, partners, kicks, params.seed, number)
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


def kicked_from_several_seeds(
    starts: Sequence[SearchState], partners: IntArray, kicks: int, seed: int, number: int
) -> SearchState:
    """The iterated search from the local optima `starts`, once per restart; the best result.

    Small blocks search again with other seeds, taking the starts in turn: one run there costs
    a few CPU seconds at most, and kicks from a single seed can stall in a poorer optimum. The
    first run starts from the first start with the block's own seed, so more runs can only
    keep or raise the total, never lower it.
    """
    best: SearchState | None = None
    for restart in range(max(len(starts), restarts(starts[0].pairs.size))):
        trial = starts[restart % len(starts)].copy()
        # Each block draws its own kicks from the seed, so blocks do not depend on each other.
        rng = np.random.default_rng([seed, number] if restart == 0 else [seed, number, restart])
        kick_from(trial, partners, rng, kicks)
        if best is None or _better(trial, best):
            best = trial
    assert best is not None
    return best


def kick_from(state: SearchState, partners: IntArray, rng: np.random.Generator, kicks: int) -> None:
    """One run of kicks from a local optimum, ending on the best groups seen.

    Groups larger than triads use the compiled kicks (kick_kernel.py), re-split once at the
    end: a kick there costs 25-110 µs instead of about 2.5 ms, so a run affords 30 to 1,000
    kicks per person instead of 3 to 50 (at 10,000 enrolled 38,957 against 37,976, in 33 s of
    wall time instead of 49; at 1,000 balanced 3,420 against 3,353). Triads, which start from
    the LP and need few kicks, keep the numpy search with a re-split after every kick.
    """
    if state.high > 3:
        compiled_kicks(state, partners, int(rng.integers(2**32)), kicks, kick_tolerance(state))
        descend(state, partners)
        return
    iterated_search(
        state,
        partners,
        rng,
        kicks,
        ROUNDS_PER_KICK,
        partial(
            regroup,
            partners=partners,
            parts=_pooled_groups(state.high),
            max_rounds=ROUNDS_PER_KICK,
        ),
        kick_tolerance(state),
    )


RESTART_LIMIT = 100  # blocks of at most this many people search from several seeds
RESTARTS = 4


def restarts(people: int) -> int:
    return RESTARTS if people <= RESTART_LIMIT else 1


def _better(trial: SearchState, best: SearchState) -> bool:
    """More people placed first, then a higher total (by more than rounding noise)."""
    placed, best_placed = int((trial.group_of >= 0).sum()), int((best.group_of >= 0).sum())
    if placed != best_placed:
        return placed > best_placed
    return trial.value() > best.value() + GAIN_EPSILON


REGROUP_PASSES = 10  # regroup, then move and swap again, at most this often


def descend(state: SearchState, partners: IntArray) -> None:
    """Alternate re-splitting neighbouring groups with moves and swaps until neither helps."""
    for _ in range(REGROUP_PASSES):
        if not regroup(state, partners, _pooled_groups(state.high), MAX_ROUNDS):
            return
        improve(state, partners, MAX_ROUNDS)


def _pooled_groups(high: int) -> int:
    """Triads pool three groups (nine people, 280 splits); larger groups pool two."""
    return 3 if high <= 3 else 2


KICK_TOLERANCE = 0.1  # groups: a kick may first lose this share of a mean group's score


def kick_tolerance(state: SearchState) -> float:
    """How much worse a kick may leave the groups early in the search (none for triads)."""
    groups = int((state.sizes > 0).sum())
    if state.high <= 3 or groups == 0:
        return 0.0
    return KICK_TOLERANCE * state.value() / groups


def neighbour_count(people: int, triads: bool = False) -> int:
    """How many best partners' groups each person of a block of `people` looks at."""
    if triads:
        return NEIGHBOURS
    return LARGE_BLOCK_NEIGHBOURS if people > LARGE_BLOCK else GROUP_NEIGHBOURS


def kick_budget(people: int, everyone: int, triads: bool = False) -> int:
    """Kicks for a block of `people` out of `everyone` enrolled: its share of the run's total,
    but at least a floor per person and at most a ceiling.

    Groups larger than triads share 300,000 compiled kicks, at most 1,000 per person: 1,000 up
    to 300 enrolled (flat, 291 people: 1,022.8 against 1,020.0 with 200), 300 at 1,000, 30 at
    10,000 (38,957 in 33 s of wall time: a kick in a block of 5,000 costs about 110 µs), and
    from 300,000 enrolled on one per person. Triads start from the LP's optimum, where kicks
    find little: a fifth of one per person, or their share of 2,000.
    """
    everyone = max(1, everyone)
    if triads:
        share = round(TRIAD_KICK_TOTAL * people / everyone)
        share = min(TRIAD_MOST_KICKS_PER_PERSON * people, share)
        return max(round(TRIAD_KICKS_PER_PERSON * people), share)
    share = min(GROUP_KICKS_PER_PERSON * people, round(GROUP_KICK_TOTAL * people / everyone))
    return max(people, share)


def start_groups(
    pairs: BlockPairs, rules: GroupRules, low: int, high: int
) -> list[list[list[int]]]:
    """Where the search starts: one or two groupings of the block.

    Triads start from the triad LP's rounded optimum (triad_lp.py), the people it leaves over
    grouped greedily. On a block of 3,320 people (balanced, many time zones) the search reached
    13,520 from the greedy start and 14,294 from this one, for 9 CPU s more; the block's LP is
    14,446. Small blocks, which search from several seeds anyway, also start from the greedy
    alone: at 61 people across time zones it led to 169.5 where the LP start led to 165.0.
    Larger groups start from the greedy.
    """
    if high > 3:
        return [construct(pairs, rules, low, high)]
    table = np.where(pairs.allowed, pairs.weights, -np.inf)
    np.fill_diagonal(table, -np.inf)
    try:
        triads = rounded_triads(table, rules.hold)
    except RuntimeError:
        # HiGHS gave up on the LP (numerical trouble): the greedy alone still starts well.
        triads = []
    free = np.ones(pairs.size, dtype=bool)
    free[[member for triad in triads for member in triad]] = False
    rest = replace(pairs, allowed=pairs.allowed & free[:, None] & free[None, :])
    from_lp = triads + construct(rest, rules, low, high)
    if pairs.size > RESTART_LIMIT:
        return [from_lp]
    return [from_lp, construct(pairs, rules, low, high)]


def construct(pairs: BlockPairs, rules: GroupRules, low: int, high: int) -> list[list[int]]:
    """Grow one group at a time from the hardest-to-place person, adding the best-fitting peer.

    Groups start at the smallest size allowed: a small group can be choosier (every pair
    in it must be good), and people left over then join the group where they add the most.
    """
    target = low
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
