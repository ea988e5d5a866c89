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
from peercoach.matching_engine.bounds import BRUTE_FORCE_LIMIT
from peercoach.matching_engine.candidates import CandidateGraph, candidate_graph
from peercoach.matching_engine.model import MatchParams, MatchResult, Population
from peercoach.matching_engine.rules import RuleIndex, build_index
from peercoach.matching_engine.scoring import group_score, pair_scores


@dataclass
class Grouping:
    index: RuleIndex
    low: int
    high: int
    members: list[list[int]] = field(default_factory=list)
    group_of: dict[int, int] = field(default_factory=dict)
    scores: list[float] = field(default_factory=list)

    def add_group(self, people: list[int]) -> None:
        for person in people:
            self.group_of[person] = len(self.members)
        self.members.append(people)
        self.scores.append(group_score(self.index, people))

    def set_group(self, number: int, people: list[int]) -> None:
        self.members[number] = people
        for person in people:
            self.group_of[person] = number
        self.scores[number] = group_score(self.index, people) if len(people) >= 2 else 0.0


def match_groups(population: Population, params: MatchParams) -> MatchResult:
    started = time.perf_counter()
    index = build_index(population, params)
    low, high = (3, 3) if params.format == "triads" else (params.group_min, params.group_max)
    graph = candidate_graph(index)
    neighbours = _neighbour_lists(index.size, graph)
    grouping = _construct(index, neighbours, low, high)
    _place_leftovers(grouping, neighbours, allow_extra=params.format == "triads")
    _local_search(grouping, neighbours, started + params.search_seconds, params.seed)
    groups = [group for group in grouping.members if len(group) >= 2]
    bound, note = (None, "not computed")
    if params.compute_bound:
        bound, note = group_upper_bound(index, graph, low)
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


def _construct(index: RuleIndex, neighbours: list[list[int]], low: int, high: int) -> Grouping:
    """Grow one group at a time from the hardest-to-place person, adding the best-fitting peer."""
    grouping = Grouping(index, low, high)
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
            if len(group) >= ceiling or not index.group_feasible([*group, person]):
                continue
            gain = group_score(index, [*group, person]) - grouping.scores[number]
            if best is None or gain > best[0]:
                best = (gain, number)
        if best is not None:
            grouping.set_group(best[1], [*grouping.members[best[1]], person])
    still = [person for person in leftovers if person not in grouping.group_of]
    # Two leftovers who fit together still make a (small) group rather than nothing.
    for person in still:
        if person in grouping.group_of:
            continue
        for peer in neighbours[person]:
            if (
                peer in still
                and peer not in grouping.group_of
                and index.group_feasible([person, peer])
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
    index = grouping.index
    home = grouping.group_of[person]
    home_group = grouping.members[home]
    staying = [member for member in home_group if member != person]
    targets = sorted(
        {grouping.group_of[peer] for peer in neighbours[person][:15] if peer in grouping.group_of}
        - {home}
    )
    for target in targets:
        away = grouping.members[target]
        before = grouping.scores[home] + grouping.scores[target]
        if len(staying) >= grouping.low and len(away) < grouping.high:
            moved = [*away, person]
            after = _score_if_feasible(index, staying) + _score_if_feasible(index, moved)
            if after > before + 1e-9:
                grouping.set_group(home, staying)
                grouping.set_group(target, moved)
                return True
        for other in away:
            new_home = [*staying, other]
            new_away = [member for member in away if member != other] + [person]
            after = _score_if_feasible(index, new_home) + _score_if_feasible(index, new_away)
            if after > before + 1e-9:
                grouping.set_group(home, new_home)
                grouping.set_group(target, new_away)
                return True
    return False


def _score_if_feasible(index: RuleIndex, members: list[int]) -> float:
    if len(members) >= 2 and not index.group_feasible(members):
        return -np.inf
    return group_score(index, members)


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
