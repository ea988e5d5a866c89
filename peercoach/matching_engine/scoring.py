"""The objective: how good a feasible pair is, and how good a group is.

pair score = c·(topics u wants that v offers + topics v wants that u offers)
           + s·max(0, 1 - |level difference| / 3)
           + d·[different departments]
           + p·(1/rank of u's choice of v + 1/rank of v's choice of u) + m·[both chose each other]
           + o·min(1, minutes beyond the minimum shared time / 240)
           - r·Σ over earlier pairings outside the repeat window of 0.5^(years since)

group score = (sum of its pair scores) / (size - 1), i.e. each member's average affinity with
the others, summed over members and halved. For a pair this is the pair score; dividing by
size keeps large groups from looking better just because they contain more pairs.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from peercoach.matching_engine.rules import IntArray, RuleIndex, count_common, lookup

FloatArray = NDArray[np.float64]
OVERLAP_BONUS_MINUTES = 240
SENIORITY_FADE_LEVELS = 3.0


def pair_scores(index: RuleIndex, first: IntArray, second: IntArray) -> FloatArray:
    weights = index.params.weights
    complementarity = count_common(index.wants[first], index.offers[second]) + count_common(
        index.wants[second], index.offers[first]
    )
    level_gap = np.abs(index.level[first] - index.level[second])
    seniority = np.maximum(0.0, 1.0 - level_gap / SENIORITY_FADE_LEVELS)
    departments = index.department[first], index.department[second]
    different = (departments[0] != departments[1]) & (departments[0] >= 0) & (departments[1] >= 0)
    minimum = index.params.min_overlap_hours * 60
    extra = np.clip((index.overlap_minutes(first, second) - minimum) / OVERLAP_BONUS_MINUTES, 0, 1)
    keys = index.keys(first, second)
    return np.asarray(
        weights.complementarity * complementarity
        + weights.seniority * seniority
        + weights.different_department * different
        + weights.overlap * extra
        + lookup(index.preference_keys, index.preference_score, keys)
        - lookup(index.older_keys, index.older_penalty, keys),
        dtype=float,
    )


def max_pair_score(index: RuleIndex) -> float:
    """An upper limit on any pair score, used to scale weights to integers."""
    weights = index.params.weights
    topics = int(np.bitwise_count(index.wants).sum(axis=1).max(initial=0)) + int(
        np.bitwise_count(index.offers).sum(axis=1).max(initial=0)
    )
    preference = float(index.preference_score.max(initial=0.0))
    return (
        weights.complementarity * topics
        + weights.seniority
        + weights.different_department
        + weights.overlap
        + preference
    )


def group_score(index: RuleIndex, members: Sequence[int]) -> float:
    if len(members) < 2:
        return 0.0
    if len(members) == 2:
        pair = np.array(members[:1], dtype=np.int64), np.array(members[1:], dtype=np.int64)
        return float(pair_scores(index, *pair)[0])
    indices = np.array(members, dtype=np.int64)
    first, second = np.triu_indices(len(members), 1)
    total = float(pair_scores(index, indices[first], indices[second]).sum())
    return total / (len(members) - 1)
