"""Turn solver output (people as numbers) into the plain result every format returns."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from peercoach.matching_engine.explain import group_reason, unmatched_reason
from peercoach.matching_engine.model import Group, MatchResult, Population, Suggestion, Unmatched
from peercoach.matching_engine.rules import RuleIndex
from peercoach.matching_engine.scoring import pair_scores
from peercoach.matching_engine.verify import verify_groups


def _group_scores(index: RuleIndex, groups: Sequence[Sequence[int]]) -> list[float]:
    """All group scores with one scoring call: every member pair of every group at once."""
    firsts, seconds, owners = [], [], []
    for number, members in enumerate(groups):
        for spot, first in enumerate(members):
            for second in members[spot + 1 :]:
                firsts.append(first)
                seconds.append(second)
                owners.append(number)
    if not owners:
        return [0.0] * len(groups)
    pair_values = pair_scores(
        index, np.array(firsts, dtype=np.int64), np.array(seconds, dtype=np.int64)
    )
    totals = np.bincount(np.array(owners), weights=pair_values, minlength=len(groups))
    sizes = np.array([len(members) for members in groups], dtype=float)
    return [float(value) for value in totals / np.maximum(sizes - 1, 1)]


def finish(
    population: Population,
    index: RuleIndex,
    format_name: str,
    groups: Sequence[Sequence[int]],
    bound: float | None,
    bound_note: str,
    started: float,
    suggestions: tuple[Suggestion, ...] = (),
) -> MatchResult:
    ordered = sorted(
        (sorted(group) for group in groups if len(group) >= 2), key=lambda group: group[0]
    )
    width = max(4, len(str(len(ordered))))
    scores = _group_scores(index, ordered)
    built = tuple(
        Group(
            group_id=f"G{number:0{width}d}",
            members=tuple(index.people[member].id for member in members),
            score=round(score, 6),
            reason=group_reason(index, members),
        )
        for number, (members, score) in enumerate(zip(ordered, scores, strict=True), start=1)
    )
    matched = {member for group in ordered for member in group}
    unmatched = tuple(
        Unmatched(index.people[person].id, unmatched_reason(index, person, matched))
        for person in range(index.size)
        if person not in matched and format_name != "suggest"
    )
    return MatchResult(
        format=format_name,
        params=index.params,
        enrolled_count=index.size,
        groups=built,
        unmatched=unmatched,
        objective=round(sum(group.score for group in built), 6),
        upper_bound=None if bound is None else round(bound, 6),
        bound_note=bound_note,
        seconds=round(time.perf_counter() - started, 3),
        verification=verify_groups(population, index.params, [group.members for group in built]),
        suggestions=suggestions,
    )
