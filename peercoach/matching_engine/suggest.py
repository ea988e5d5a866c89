"""Ranked peers for one person, for programs where people choose their own coach."""

from __future__ import annotations

import dataclasses
import time

import numpy as np

from peercoach.matching_engine.assemble import finish
from peercoach.matching_engine.explain import group_reason
from peercoach.matching_engine.model import MatchParams, MatchResult, Population, Suggestion
from peercoach.matching_engine.rules import build_index
from peercoach.matching_engine.scoring import pair_scores


def suggest_peers(population: Population, params: MatchParams) -> MatchResult:
    started = time.perf_counter()
    target = params.suggest_for
    if target is None:
        raise ValueError("suggest needs the id of the person to suggest peers for")
    # Someone browsing for a coach may not be enrolled yet; suggest as if they were.
    people = tuple(
        dataclasses.replace(person, enrolled=True) if person.id == target else person
        for person in population.people
    )
    if target not in {person.id for person in people}:
        raise ValueError(f"nobody has the id {target!r}")
    index = build_index(dataclasses.replace(population, people=people), params)
    me = index.position[target]
    others = np.array([other for other in range(index.size) if other != me], dtype=np.int64)
    mine = np.full(len(others), me, dtype=np.int64)
    feasible = index.feasible(mine, others)
    others, mine = others[feasible], mine[feasible]
    scores = pair_scores(index, mine, others)
    # Best score first; ties go to the earlier person in the file, so the list is stable.
    order = np.lexsort((others, -scores))[: max(0, params.suggest_top)]
    suggestions = tuple(
        Suggestion(
            person_id=index.people[int(others[spot])].id,
            score=round(float(scores[spot]), 6),
            reason=group_reason(index, [me, int(others[spot])]),
        )
        for spot in order.tolist()
    )
    return finish(population, index, "suggest", [], None, "not applicable", started, suggestions)
