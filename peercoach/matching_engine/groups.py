"""Triads and groups: greedy construction, then a move-and-swap local search.

The objective is the per-member normalized group score from scoring.py, so a group of seven
does not beat two groups of three just by holding more pairs. Every group always satisfies
every hard rule: a move or swap is only taken when both groups it touches stay feasible.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from peercoach.matching_engine.assemble import finish
from peercoach.matching_engine.bounds import BRUTE_FORCE_LIMIT, matching_upper_bound
from peercoach.matching_engine.candidates import CandidateGraph, candidate_graph
from peercoach.matching_engine.model import MatchParams, MatchResult, Population
from peercoach.matching_engine.rules import RuleIndex, build_index, common_window
from peercoach.matching_engine.scoring import pair_scores


class PairMemory:
    """Pair feasibility and scores, remembered: the local search asks about the same pairs a lot.

    Answers come from the same compiled rules and scores as everywhere else; this only avoids
    paying for a numpy call per question.
    """

    def __init__(self, index: RuleIndex, graph: CandidateGraph) -> None:
        self.index = index
        self.known: dict[tuple[int, int], float | None] = {
            (first, second): weight
            for first, second, weight in zip(
                graph.first.tolist(), graph.second.tolist(), graph.weight.tolist(), strict=True
            )
        }
        self.languages = [
            sum(int(word) << (64 * spot) for spot, word in enumerate(row.tolist()))
            for row in index.languages
        ]
        self.minimum = round(index.params.min_overlap_hours * 60)
        self.windows_ok: dict[tuple[int, ...], bool] = {}

    def score(self, first: int, second: int) -> float | None:
        """The pair's score, or None when a hard rule forbids the pair."""
        key = (first, second) if first < second else (second, first)
        if key not in self.known:
            one, other = np.array([key[0]]), np.array([key[1]])
            feasible = bool(self.index.feasible(one, other)[0])
            self.known[key] = float(pair_scores(self.index, one, other)[0]) if feasible else None
        return self.known[key]

    def group_value(self, members: Sequence[int]) -> float | None:
        """The group's score, or None when the group breaks a hard rule."""
        if len(members) < 2:
            return 0.0
        total = 0.0
        for spot, first in enumerate(members):
            for second in members[spot + 1 :]:
                value = self.score(first, second)
                if value is None:
                    return None
                total += value
        shared = self.languages[members[0]]
        for member in members[1:]:
            shared &= self.languages[member]
        if not shared or not self._window_ok(members):
            return None
        return total / (len(members) - 1)

    def _window_ok(self, members: Sequence[int]) -> bool:
        # Only the distinct working windows matter, and there are few of them.
        classes = tuple(sorted({int(self.index.window_class[member]) for member in members}))
        if classes not in self.windows_ok:
            windows = [self.index.windows[window_class] for window_class in classes]
            self.windows_ok[classes] = common_window(windows) >= self.minimum
        return self.windows_ok[classes]


SEARCH_PARTNERS = 8  # moves and swaps look at the groups of each person's best partners


@dataclass
class Grouping:
    index: RuleIndex
    low: int
    high: int
    memory: PairMemory
    members: list[list[int]] = field(default_factory=list)
    group_of: dict[int, int] = field(default_factory=dict)
    scores: list[float] = field(default_factory=list)

    def value(self, people: Sequence[int]) -> float:
        """Score of a feasible group; minus infinity for one that breaks a rule."""
        found = self.memory.group_value(people)
        return -np.inf if found is None else found

    def add_group(self, people: list[int]) -> None:
        for person in people:
            self.group_of[person] = len(self.members)
        self.members.append(people)
        self.scores.append(self.value(people))

    def set_group(self, number: int, people: list[int]) -> None:
        self.members[number] = people
        for person in people:
            self.group_of[person] = number
        self.scores[number] = self.value(people)


def match_groups(population: Population, params: MatchParams) -> MatchResult:
    started = time.perf_counter()
    index = build_index(population, params)
    low, high = (3, 3) if params.format == "triads" else (params.group_min, params.group_max)
    graph = candidate_graph(index)
    neighbours = _neighbour_lists(index.size, graph)
    grouping = _construct(index, neighbours, low, high, PairMemory(index, graph))
    _place_leftovers(grouping, neighbours, allow_extra=params.format == "triads")
    _local_search(grouping, neighbours, started + params.search_seconds, params.seed)
    groups = [group for group in grouping.members if len(group) >= 2]
    bound, note = (None, "not computed")
    if params.compute_bound:
        bound, note = group_upper_bound(index, graph, low)
        # A group of k is also a fractional matching (1/(k-1) on each of its pairs), so the
        # pairs bound holds too; keep whichever is tighter.
        pairs_bound, pairs_note = matching_upper_bound(index, graph)
        if bound is None or pairs_bound < bound:
            bound, note = pairs_bound, pairs_note
    return finish(population, index, params.format, groups, bound, note, started)


def _neighbour_lists(size: int, graph: CandidateGraph) -> list[list[int]]:
    """Candidate partners of each person, best first."""
    order = np.argsort(-graph.weight, kind="stable")
    lists: list[list[int]] = [[] for _ in range(size)]
    for first, second in zip(
        graph.first[order].tolist(), graph.second[order].tolist(), strict=True
    ):
        lists[first].append(second)
        lists[second].append(first)
    return lists


def _construct(
    index: RuleIndex, neighbours: list[list[int]], low: int, high: int, memory: PairMemory
) -> Grouping:
    """Grow one group at a time from the hardest-to-place person, adding the best-fitting peer."""
    grouping = Grouping(index, low, high, memory)
    target = (low + high + 1) // 2
    free = set(range(index.size))
    for seed in sorted(range(index.size), key=lambda person: (len(neighbours[person]), person)):
        if seed not in free:
            continue
        group = [seed]
        while len(group) < target:
            pool = {
                peer
                for member in group
                for peer in neighbours[member]
                if peer in free and peer not in group
            }
            best = _best_addition(index, group, sorted(pool))
            if best is None:
                break
            group.append(best)
        if len(group) >= low:
            free.difference_update(group)
            grouping.add_group(group)
    return grouping


def _best_addition(index: RuleIndex, group: list[int], pool: Sequence[int]) -> int | None:
    if not pool:
        return None
    peers = np.array(pool, dtype=np.int64)
    total = np.zeros(len(peers))
    ok = np.ones(len(peers), dtype=bool)
    for member in group:
        mine = np.full(len(peers), member, dtype=np.int64)
        ok &= index.feasible(mine, peers)
        total += pair_scores(index, mine, peers)
    for position in np.argsort(-np.where(ok, total, -np.inf), kind="stable").tolist():
        if not ok[position]:
            return None
        candidate = int(peers[position])
        if index.group_feasible([*group, candidate]):
            return candidate
    return None


def _place_leftovers(grouping: Grouping, neighbours: list[list[int]], allow_extra: bool) -> None:
    """Put each person still outside a group into a group with room, or pair leftovers up."""
    index = grouping.index
    ceiling = grouping.high + (1 if allow_extra else 0)
    leftovers = [person for person in range(index.size) if person not in grouping.group_of]
    for person in leftovers:
        options = sorted(
            {grouping.group_of[peer] for peer in neighbours[person] if peer in grouping.group_of}
        )
        best: tuple[float, int] | None = None
        for number in options:
            group = grouping.members[number]
            if len(group) >= ceiling:
                continue
            gain = grouping.value([*group, person]) - grouping.scores[number]
            if gain == -np.inf:
                continue
            if best is None or gain > best[0]:
                best = (gain, number)
        if best is not None:
            grouping.set_group(best[1], [*grouping.members[best[1]], person])
    still = [person for person in leftovers if person not in grouping.group_of]
    if not allow_extra:
        return  # groups keep to the size range asked for
    # Two leftover people who fit together make a pair rather than nothing.
    for person in still:
        if person in grouping.group_of:
            continue
        for peer in neighbours[person]:
            if (
                peer in still
                and peer not in grouping.group_of
                and grouping.memory.group_value([person, peer]) is not None
            ):
                grouping.add_group([person, peer])
                break


def _local_search(
    grouping: Grouping, neighbours: list[list[int]], deadline: float, seed: int
) -> None:
    """Moves and swaps toward the groups of each person's candidate partners, first improvement."""
    index = grouping.index
    # Only strict improvements are taken, so the search cannot cycle; it stops at a local
    # optimum (a full pass with no improving move) or at the deadline.
    rng = np.random.default_rng(seed)
    turn = 0
    improved = True
    while improved and time.perf_counter() < deadline:
        improved = False
        for person in rng.permutation(index.size).tolist():
            turn += 1
            if person in grouping.group_of and _try_improve(grouping, neighbours, person):
                improved = True
            if turn % 256 == 0 and time.perf_counter() >= deadline:
                return


def _try_improve(grouping: Grouping, neighbours: list[list[int]], person: int) -> bool:
    home = grouping.group_of[person]
    home_group = grouping.members[home]
    staying = [member for member in home_group if member != person]
    partners = neighbours[person][:SEARCH_PARTNERS]
    nearby = {grouping.group_of[peer] for peer in partners if peer in grouping.group_of}
    targets = sorted(nearby - {home})
    for target in targets:
        away = grouping.members[target]
        before = grouping.scores[home] + grouping.scores[target]
        if len(staying) >= grouping.low and len(away) < grouping.high:
            moved = [*away, person]
            after = grouping.value(staying) + grouping.value(moved)
            if after > before + 1e-9:
                grouping.set_group(home, staying)
                grouping.set_group(target, moved)
                return True
        for other in away:
            new_home = [*staying, other]
            new_away = [member for member in away if member != other] + [person]
            after = grouping.value(new_home) + grouping.value(new_away)
            if after > before + 1e-9:
                grouping.set_group(home, new_home)
                grouping.set_group(target, new_away)
                return True
    return False


def group_upper_bound(
    index: RuleIndex, graph: CandidateGraph, low: int
) -> tuple[float | None, str]:
    """Each member's share is at most half the mean of their best (low - 1) feasible partners.

    A member of a group of k contributes (Σ of their k - 1 pair scores)/(2·(k - 1)), which is at
    most half the mean of their k - 1 best partners, and that mean only falls as k grows.
    """
    partners = max(1, low - 1)
    best = np.zeros(index.size)
    if graph.complete or index.size <= BRUTE_FORCE_LIMIT:
        everyone = np.arange(index.size, dtype=np.int64)
        for start in range(0, index.size, 400):
            rows = everyone[start : start + 400]
            first, second = np.repeat(rows, index.size), np.tile(everyone, len(rows))
            scores = np.where(index.feasible(first, second), pair_scores(index, first, second), 0.0)
            scores = np.maximum(scores, 0.0).reshape(len(rows), index.size)
            top = -np.sort(-scores, axis=1)[:, :partners]
            best[rows] = top.mean(axis=1)
        return float(
            best.sum() / 2
        ), "each member's best possible average with their top partners (all pairs)"
    return None, f"not computed above {BRUTE_FORCE_LIMIT} enrolled people"
