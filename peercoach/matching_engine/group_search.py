"""Local search for triads and groups: batched moves and swaps, all gains computed at once.

The search works on one block of people at a time, numbered 0..m-1, with every pair's score
and rule check in two dense m-by-m tables, so asking about a pair is a table look-up.

Every round scores, in a few numpy calls, each "dirty" person's move into the group of one of
their best partners and their swap with each member of such a group. The improving changes are
taken best first, at most one per group per round, so every gain stays exact. Only people near
a group that changed are looked at again, so late rounds are cheap.

When no move or swap helps, the search kicks: it swaps a few people between neighbouring
groups at random and searches again from there, keeping the result only when the total
improved (an iterated local search). The budget is a number of rounds and kicks that grows
with the population, never the clock, so the same inputs and seed always give the same groups.
Groups larger than triads kick in compiled code instead (kick_kernel.py, via compiled_kicks),
reading their gains from the same link tables.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from peercoach.matching_engine.rules import BoolArray, IntArray, RuleIndex, common_window
from peercoach.matching_engine.scoring import FloatArray, pair_scores

NEIGHBOURS = 8  # a person looks at the groups of this many of their best partners
GAIN_EPSILON = 1e-9
ROW_CHUNK = 400
Int8Array = NDArray[np.int8]
LINK_CHUNK = 200  # groups whose links are computed together (200 x 5,000 floats: 8 MB)


@dataclass(frozen=True)
class BlockPairs:
    """Every pair's score and rule check inside one block, as dense tables (local numbers)."""

    people: IntArray  # local number -> person number in the index
    weights: FloatArray
    allowed: BoolArray

    @classmethod
    def build(cls, index: RuleIndex, people: IntArray) -> BlockPairs:
        size = len(people)
        weights = np.zeros((size, size))
        allowed = np.zeros((size, size), dtype=bool)
        for start in range(0, size, ROW_CHUNK):
            rows = people[start : start + ROW_CHUNK]
            first, second = np.repeat(rows, size), np.tile(people, len(rows))
            weights[start : start + len(rows)] = pair_scores(index, first, second).reshape(
                len(rows), size
            )
            allowed[start : start + len(rows)] = index.feasible(first, second).reshape(
                len(rows), size
            )
        return cls(people, weights, allowed)

    @property
    def size(self) -> int:
        return len(self.people)

    def lookup(self, first: IntArray, second: IntArray) -> tuple[FloatArray, BoolArray]:
        return self.weights[first, second], self.allowed[first, second]

    def best_partners(self, count: int) -> IntArray:
        """Each person's best allowed partners, best first; -1 fills the empty places."""
        masked = np.where(self.allowed, self.weights, -np.inf)
        order = np.argsort(-masked, axis=1, kind="stable")[:, :count]
        chosen = np.take_along_axis(masked, order, axis=1)
        return np.where(np.isfinite(chosen), order, -1).astype(np.int64)


class GroupRules:
    """The group-wide rules (one language all share, one common working window), remembered.

    Pair rules are looked up in the tables; these two only hold for a whole group.
    """

    def __init__(self, index: RuleIndex, people: IntArray) -> None:
        self.index = index
        self.languages = [
            sum(int(word) << (64 * spot) for spot, word in enumerate(row.tolist()))
            for row in index.languages[people]
        ]
        self.window_class = index.window_class[people].tolist()
        self.minimum = round(index.params.min_overlap_hours * 60)
        self.windows_ok: dict[tuple[int, ...], bool] = {}

    def hold(self, members: Sequence[int]) -> bool:
        shared = self.languages[members[0]]
        for member in members[1:]:
            shared &= self.languages[member]
        if not shared:
            return False
        # Only the distinct working windows matter, and there are few of them.
        classes = tuple(sorted({self.window_class[member] for member in members}))
        if classes not in self.windows_ok:
            windows = [self.index.windows[number] for number in classes]
            self.windows_ok[classes] = common_window(windows) >= self.minimum
        return self.windows_ok[classes]


@dataclass
class SearchState:
    """Groups as arrays: a padded member table, sizes and each group's sum of pair scores.

    links[g, p] is the sum of p's scores with the members of group g, and bars[g, p] how many
    of them p may not be grouped with: every gain of a move or swap is then a look-up instead
    of gathering each member's row from the m-by-m tables. They follow the member table
    lazily: rows whose members differ from those they were computed for (`linked`) are
    computed again before use, so any change of the table (a move, a re-split, a kick undone)
    keeps them right, and each row is always the same sum whatever happened before.
    """

    pairs: BlockPairs
    rules: GroupRules
    low: int  # a move may not shrink a group below this
    high: int  # nor grow one above this
    group_of: IntArray
    table: IntArray
    sizes: IntArray
    sums: FloatArray
    links: FloatArray
    bars: Int8Array
    linked: IntArray

    @classmethod
    def from_groups(
        cls,
        pairs: BlockPairs,
        rules: GroupRules,
        groups: Sequence[Sequence[int]],
        low: int,
        high: int,
    ) -> SearchState:
        width = max([high, *(len(group) for group in groups)])
        table = np.full((max(1, len(groups)), width), -1, dtype=np.int64)
        group_of = np.full(pairs.size, -1, dtype=np.int64)
        for number, group in enumerate(groups):
            table[number, : len(group)] = group
            group_of[list(group)] = number
        sizes = (table >= 0).sum(axis=1).astype(np.int64)
        links = np.zeros((len(table), pairs.size))
        bars = np.zeros((len(table), pairs.size), dtype=np.int8)
        linked = np.full_like(table, -2)  # matches no row, so every row is computed
        state = cls(
            pairs,
            rules,
            low,
            high,
            group_of,
            table,
            sizes,
            np.zeros(len(table)),
            links,
            bars,
            linked,
        )
        state.sums = state.exact_sums(np.arange(len(table)))
        return state

    def groups(self) -> list[list[int]]:
        return [[int(m) for m in row if m >= 0] for row in self.table if (row >= 0).sum() >= 2]

    def copy(self) -> SearchState:
        """The same groups in arrays of their own (the tables of pairs and rules are shared)."""
        return replace(
            self,
            group_of=self.group_of.copy(),
            table=self.table.copy(),
            sizes=self.sizes.copy(),
            sums=self.sums.copy(),
            links=self.links.copy(),
            bars=self.bars.copy(),
            linked=self.linked.copy(),
        )

    def exact_sums(self, numbers: IntArray) -> FloatArray:
        """Sum of pair scores inside each of the given groups, from scratch."""
        width = self.table.shape[1]
        first_slot, second_slot = np.triu_indices(width, 1)
        first = self.table[numbers][:, first_slot]
        second = self.table[numbers][:, second_slot]
        present = (first >= 0) & (second >= 0)
        values = np.where(present, self.pairs.weights[first, second], 0.0)
        return np.asarray(values.sum(axis=1), dtype=float)

    def value(self) -> float:
        return float(normalized(self.sums, self.sizes).sum())

    def to_groups(self, people: IntArray, groups: IntArray) -> tuple[FloatArray, IntArray]:
        """For each (person, group): the sum of their scores with its members other than
        themselves, and how many of those members they may not be grouped with."""
        self._sync_links()
        member = (self.table[groups] == people[:, None]).any(axis=1)
        own_weight = self.pairs.weights[people, people]
        own_bar = ~self.pairs.allowed[people, people]
        sums = self.links[groups, people] - np.where(member, own_weight, 0.0)
        conflicts = self.bars[groups, people].astype(np.int64) - (member & own_bar)
        return sums, conflicts

    def _sync_links(self) -> None:
        stale = np.flatnonzero((self.table != self.linked).any(axis=1))
        for start in range(0, len(stale), LINK_CHUNK):
            numbers = stale[start : start + LINK_CHUNK]
            members = self.table[numbers]
            links = np.zeros((len(numbers), self.pairs.size))
            bars = np.zeros((len(numbers), self.pairs.size), dtype=np.int8)
            for slot in range(members.shape[1]):
                present = members[:, slot] >= 0
                rows = members[present, slot]
                links[present] += self.pairs.weights[rows]
                bars[present] += ~self.pairs.allowed[rows]
            self.links[numbers], self.bars[numbers] = links, bars
            self.linked[numbers] = members

    def place(self, number: int, members: list[int]) -> None:
        self.table[number] = -1
        self.table[number, : len(members)] = members
        self.group_of[members] = number
        self.sizes[number] = len(members)

    def members(self, number: int) -> list[int]:
        return [int(member) for member in self.table[number] if member >= 0]


def normalized(sums: FloatArray, sizes: IntArray) -> FloatArray:
    """Group scores: the pair sum over (size - 1), zero for anything smaller than a pair."""
    return np.where(sizes >= 2, sums / np.maximum(sizes - 1, 1), 0.0)


@dataclass(frozen=True, slots=True)
class Change:
    gain: float
    person: int
    target: int  # the group the person goes to
    partner: int  # the person who comes back in a swap, -1 for a move


def partner_groups(state: SearchState, partners: IntArray) -> IntArray:
    """The group of each listed partner, -1 for an empty slot or someone in no group."""
    return np.where(partners >= 0, state.group_of[partners], -1)


def improve(
    state: SearchState,
    partners: IntArray,
    max_rounds: int,
    dirty: BoolArray | None = None,
    widely: bool = True,
) -> int:
    """Take improving moves and swaps until none is left or the rounds run out.

    With widely=False only members of changed groups look again (quicker, after a kick).
    """
    dirty = np.ones(len(state.group_of), dtype=bool) if dirty is None else dirty
    rounds = 0
    while rounds < max_rounds and dirty.any():
        rounds += 1
        touched = _apply(state, _candidate_changes(state, partners, dirty))
        if not touched:
            break
        dirty = _refresh(state, partners, touched, widely)
    return rounds


def _refresh(state: SearchState, partners: IntArray, touched: set[int], widely: bool) -> BoolArray:
    """Recompute the touched groups' sums; return who is worth another look."""
    touched_array = np.array(sorted(touched), dtype=np.int64)
    state.sums[touched_array] = state.exact_sums(touched_array)
    if not widely:
        members = state.table[touched_array]
        dirty = np.zeros(len(state.group_of), dtype=bool)
        dirty[members[members >= 0]] = True
        return dirty
    changed = np.zeros(len(state.table) + 1, dtype=bool)
    changed[touched_array] = True
    # Someone is worth another look when their group, or a partner's group, changed.
    dirty = changed[state.group_of] | changed[partner_groups(state, partners)].any(axis=1)
    return np.asarray(dirty)


def iterated_search(
    state: SearchState,
    partners: IntArray,
    rng: np.random.Generator,
    kicks: int,
    rounds_per_kick: int,
    polish: Callable[..., object] | None = None,
    tolerance: float = 0.0,
) -> int:
    """Kick the groups out of a local optimum and search again; end on the best groups seen.

    polish, when given, gets one more go at the kicked groups after the moves and swaps.
    With tolerance > 0, a kick that loses up to that much is still taken early on (the
    allowance shrinks to nothing over the budget), so the search can cross a ridge to a
    better optimum; the best groups seen are restored at the end. Returns how many kicks
    found a new best total.
    """
    best = current = state.value()
    best_saved: tuple[IntArray, IntArray, IntArray, FloatArray] | None = None
    kept = 0
    for number in range(kicks):
        saved = (state.group_of.copy(), state.table.copy(), state.sizes.copy(), state.sums.copy())
        touched = _kick(state, partners, rng)
        if not touched:
            continue
        dirty = _refresh(state, partners, touched, widely=False)
        improve(state, partners, rounds_per_kick, dirty, widely=False)
        if polish is not None:
            polish(state, focus=np.array(sorted(touched), dtype=np.int64))
        value = state.value()
        allowance = tolerance * (1 - number / kicks)
        if value > best + GAIN_EPSILON:
            best, current, best_saved = value, value, None
            kept += 1
        elif value > current + GAIN_EPSILON or (allowance > 0 and value >= current - allowance):
            if best_saved is None:  # the groups before this kick are the best so far
                best_saved = saved
            current = value
        else:
            state.group_of, state.table, state.sizes, state.sums = saved
    if best_saved is not None and state.value() < best - GAIN_EPSILON:
        state.group_of, state.table, state.sizes, state.sums = best_saved
    return kept


def kernel_rules(
    rules: GroupRules, people: IntArray, width: int
) -> tuple[NDArray[np.uint64], IntArray, IntArray, int, IntArray, IntArray]:
    """The group-wide rules as kick_kernel._holds reads them, for a block's people: language
    bit words, window starts and lengths, the minutes to share, and scratch for `width`."""
    index = rules.index
    windows = np.array(index.windows, dtype=np.int64).reshape(-1, 2)[index.window_class[people]]
    return (
        np.ascontiguousarray(index.languages[people]),
        np.ascontiguousarray(windows[:, 0]),
        np.ascontiguousarray(windows[:, 1]),
        rules.minimum,
        np.empty(width, dtype=np.int64),
        np.empty(width, dtype=np.int64),
    )


MOST_CHANGES = 50  # moves and swaps after one compiled kick, at most


def compiled_kicks(
    state: SearchState, partners: IntArray, seed: int, kicks: int, tolerance: float
) -> int:
    """iterated_search's kicks in compiled code (kick_kernel.py), without the re-splits after
    each kick; returns how many kicks found a new best total."""
    # Imported here: numba takes about a second to load, and only the group search needs it.
    from peercoach.matching_engine import kick_kernel

    state._sync_links()
    rules = kernel_rules(state.rules, state.pairs.people, state.table.shape[1] + 1)
    arrays = (
        state.table,
        state.sizes,
        state.sums,
        state.group_of,
        state.links,
        state.bars,
        state.pairs.weights,
        state.pairs.allowed,
        (~state.pairs.allowed).view(np.int8),
    )
    weak = WEAK_GROUP_KICKS if state.high > 3 else 0.0
    kept = kick_kernel.kick_search(
        arrays,
        partners,
        state.low,
        state.high,
        rules,
        kicks,
        tolerance,
        seed,
        weak,
        WEAK_SHARE,
        MOST_CHANGES,
    )
    state.linked[:] = -2  # the kernel added and subtracted rows: compute them exactly again
    return int(kept)


KICK_SWAPS = 3


def _kick(state: SearchState, partners: IntArray, rng: np.random.Generator) -> set[int]:
    """Swap a few people between neighbouring groups, whatever it does to the score."""
    grouped = np.flatnonzero(state.group_of >= 0)
    if len(grouped) == 0:
        return set()
    touched: set[int] = set()
    person = int(grouped[rng.integers(len(grouped))])
    if state.high > 3 and rng.random() < WEAK_GROUP_KICKS:
        # Groups larger than triads: half the kicks start in one of the weakest groups,
        # where a better place for someone is most likely (triads keep their plain kicks).
        person = _from_a_weak_group(state, rng)
    for _ in range(KICK_SWAPS):
        home = int(state.group_of[person])
        options = [int(g) for g in partner_groups(state, partners[person]) if g >= 0 and g != home]
        if not options:
            break
        target = options[int(rng.integers(len(options)))]
        arriving_from = state.members(target)
        partner = arriving_from[int(rng.integers(len(arriving_from)))]
        staying = [member for member in state.members(home) if member != person] + [partner]
        arriving = [member for member in arriving_from if member != partner] + [person]
        if not (_pairs_allowed(state, staying) and _pairs_allowed(state, arriving)):
            break
        if not (state.rules.hold(staying) and state.rules.hold(arriving)):
            break
        state.place(home, staying)
        state.place(target, arriving)
        touched.update((home, target))
        person = partner
    return touched


WEAK_GROUP_KICKS = 0.5  # share of the kicks that start in a weak group (not for triads)
WEAK_SHARE = 0.25  # the weakest quarter of the groups, by score per member


def _from_a_weak_group(state: SearchState, rng: np.random.Generator) -> int:
    """A member of one of the groups with the lowest score per member."""
    numbers = np.flatnonzero(state.sizes >= 2)
    per_member = normalized(state.sums[numbers], state.sizes[numbers]) / state.sizes[numbers]
    count = max(1, round(WEAK_SHARE * len(numbers)))
    weakest = numbers[np.argsort(per_member, kind="stable")[:count]]
    members = state.members(int(weakest[rng.integers(len(weakest))]))
    return members[int(rng.integers(len(members)))]


def _pairs_allowed(state: SearchState, members: list[int]) -> bool:
    group = np.array(members, dtype=np.int64)
    return bool(state.pairs.allowed[np.ix_(group, group)].sum() == len(group) * (len(group) - 1))


def _candidate_changes(state: SearchState, partners: IntArray, dirty: BoolArray) -> list[Change]:
    people = np.flatnonzero(dirty)
    home = state.group_of[people]
    home_sum = state.to_groups(people, home)[0]
    groups_count = len(state.table)
    targets = partner_groups(state, partners[people])
    row = np.repeat(np.arange(len(people)), partners.shape[1])
    target = targets.ravel()
    keep = (target >= 0) & (target != home[row])
    keys = np.unique(row[keep] * groups_count + target[keep])
    row, target = keys // groups_count, keys % groups_count
    person = people[row]
    to_target, conflicts = state.to_groups(person, target)
    inside = home[row] >= 0
    changes = _outsider_changes(
        state, person[~inside], target[~inside], to_target[~inside], conflicts[~inside]
    )
    row, person, target = row[inside], person[inside], target[inside]
    to_target, conflicts = to_target[inside], conflicts[inside]
    changes += _moves(state, person, home[row], target, home_sum[row], to_target, conflicts)
    changes += _swaps(state, person, home[row], target, home_sum[row], to_target, conflicts)
    changes.sort(key=lambda change: (-change.gain, change.person, change.target, change.partner))
    return changes


JOIN_BONUS = 1e6  # matching one more person beats any gain in score


def _outsider_changes(
    state: SearchState,
    person: IntArray,
    target: IntArray,
    to_target: FloatArray,
    conflicts: IntArray,
) -> list[Change]:
    """Someone in no group joins a group with room, or takes a member's place."""
    size = state.sizes[target]
    joins = (conflicts == 0) & (size + 1 <= state.high)
    join_gain = (
        JOIN_BONUS
        + normalized(state.sums[target] + to_target, size + 1)
        - normalized(state.sums[target], size)
    )
    changes = [
        Change(float(join_gain[spot]), int(person[spot]), int(target[spot]), -1)
        for spot in np.flatnonzero(joins)
    ]
    members = state.table[target]
    present = members >= 0
    row = np.broadcast_to(np.arange(len(person))[:, None], present.shape)[present]
    p, q, b = person[row], members[present], target[row]
    q_home_sum = state.to_groups(q, b)[0]
    pair, allowed_pair = state.pairs.lookup(p, q)
    allowed = conflicts[row] - ~allowed_pair == 0
    new_sum = state.sums[b] - q_home_sum + to_target[row] - pair
    gain = normalized(new_sum, state.sizes[b]) - normalized(state.sums[b], state.sizes[b])
    good = np.flatnonzero(allowed & (gain > GAIN_EPSILON))
    changes += [
        Change(float(gain[spot]), int(p[spot]), int(b[spot]), int(q[spot])) for spot in good
    ]
    return changes


def _moves(
    state: SearchState,
    person: IntArray,
    home: IntArray,
    target: IntArray,
    home_sum: FloatArray,
    to_target: FloatArray,
    conflicts: IntArray,
) -> list[Change]:
    home_size, target_size = state.sizes[home], state.sizes[target]
    allowed = (conflicts == 0) & (home_size - 1 >= state.low) & (target_size + 1 <= state.high)
    gain = (
        normalized(state.sums[home] - home_sum, home_size - 1)
        + normalized(state.sums[target] + to_target, target_size + 1)
        - normalized(state.sums[home], home_size)
        - normalized(state.sums[target], target_size)
    )
    good = np.flatnonzero(allowed & (gain > GAIN_EPSILON))
    return [Change(float(gain[spot]), int(person[spot]), int(target[spot]), -1) for spot in good]


def _swaps(
    state: SearchState,
    person: IntArray,
    home: IntArray,
    target: IntArray,
    home_sum: FloatArray,
    to_target: FloatArray,
    conflicts: IntArray,
) -> list[Change]:
    """Person p (home a) trades places with each member q of target group b."""
    members = state.table[target]
    present = members >= 0
    row = np.broadcast_to(np.arange(len(person))[:, None], present.shape)[present]
    partner = members[present]
    p, q, a, b = person[row], partner, home[row], target[row]
    q_to_home, q_conflicts = state.to_groups(q, a)
    partners, spot = np.unique(q, return_inverse=True)
    q_home_sum = state.to_groups(partners, state.group_of[partners])[0][spot]
    pair, allowed_pair = state.pairs.lookup(p, q)
    # p and q no longer share a group, so their own pair drops out of both counts.
    allowed = (q_conflicts - ~allowed_pair == 0) & (conflicts[row] - ~allowed_pair == 0)
    new_home = state.sums[a] - home_sum[row] + q_to_home - pair
    new_target = state.sums[b] - q_home_sum + to_target[row] - pair
    gain = (
        normalized(new_home, state.sizes[a])
        + normalized(new_target, state.sizes[b])
        - normalized(state.sums[a], state.sizes[a])
        - normalized(state.sums[b], state.sizes[b])
    )
    good = np.flatnonzero(allowed & (gain > GAIN_EPSILON))
    return [Change(float(gain[spot]), int(p[spot]), int(b[spot]), int(q[spot])) for spot in good]


def _apply(state: SearchState, changes: list[Change]) -> set[int]:
    """Take the changes best first, at most one per group, when the group-wide rules hold."""
    touched: set[int] = set()
    for change in changes:
        home = int(state.group_of[change.person])
        if home in touched or change.target in touched:
            continue
        arriving = [member for member in state.members(change.target) if member != change.partner]
        arriving.append(change.person)
        if not state.rules.hold(arriving):
            continue
        if home < 0:  # someone in no group joins, or takes the partner's place
            state.place(change.target, arriving)
            if change.partner >= 0:
                state.group_of[change.partner] = -1
            touched.add(change.target)
            continue
        staying = [member for member in state.members(home) if member != change.person]
        if change.partner >= 0:
            staying.append(change.partner)
        if len(staying) > 1 and not state.rules.hold(staying):
            continue
        state.place(home, staying)
        state.place(change.target, arriving)
        touched.update((home, change.target))
    return touched
