"""Regrouping neighbouring groups, and blocks solved side by side."""

from __future__ import annotations

from itertools import combinations
from math import comb, factorial

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peercoach.matching_engine import groups as groups_module
from peercoach.matching_engine import match
from peercoach.matching_engine.group_search import NEIGHBOURS, BlockPairs, GroupRules, SearchState
from peercoach.matching_engine.regroup import regroup, splits
from peercoach.matching_engine.rules import build_index
from peercoach.matching_engine.scoring import group_score
from peercoach.matching_engine.tests.helpers import params, person, population
from peercoach.matching_engine.tests.test_formats import sample_population
from peercoach.matching_engine.tests.test_pairs_bound import organizations as small_organizations

TOPICS = ["negotiation", "hiring", "feedback", "delegation", "budgets"]


def _state(people, low, high, start):
    index = build_index(people, params(format="groups", group_min=low, group_max=high))
    everyone = np.arange(index.size, dtype=np.int64)
    pairs, rules = BlockPairs.build(index, everyone), GroupRules(index, everyone)
    return index, SearchState.from_groups(pairs, rules, start, low, high)


@pytest.mark.parametrize(("pool_size", "parts", "low", "high"), [(9, 3, 3, 3), (10, 2, 5, 5)])
def test_every_split_into_equal_groups_is_listed_once(pool_size, parts, low, high):
    masks, split_parts = splits(pool_size, parts, low, high)
    size = pool_size // parts
    ways = factorial(pool_size) // (factorial(size) ** parts * factorial(parts))
    assert len(split_parts) == ways
    assert len({tuple(sorted(row)) for row in split_parts.tolist()}) == ways
    # Each split covers every slot exactly once.
    assert (masks[split_parts].sum(axis=1) == 1).all()


def test_splits_of_two_groups_of_five_to_seven_take_every_size_that_fits():
    masks, split_parts = splits(11, 2, 5, 7)
    # Eleven people: a group of five and one of six, whichever holds the first person.
    assert len(split_parts) == comb(10, 4) + comb(10, 5)
    assert set(masks.sum(axis=1).tolist()) == {5.0, 6.0}


def _random_people(count, rng, **fields):
    return population(
        *(
            person(
                f"p{number}",
                department=str(rng.integers(3)),
                level=int(rng.integers(1, 6)),
                wants=tuple(rng.choice(TOPICS, size=2, replace=False).tolist()),
                offers=tuple(rng.choice(TOPICS, size=2, replace=False).tolist()),
                **fields,
            )
            for number in range(count)
        )
    )


def _best_split_into_triads(index, people):
    """Brute force over every split of the given people into triads."""

    def walk(left):
        if not left:
            yield []
            return
        first, rest = left[0], left[1:]
        for second, third in combinations(rest, 2):
            remaining = [p for p in rest if p not in (second, third)]
            for tail in walk(remaining):
                yield [[first, second, third], *tail]

    return max(
        sum(group_score(index, group) for group in split)
        for split in walk(people)
        if all(index.group_feasible(group) for group in split)
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_three_triads_pooled_together_reach_their_best_split(seed):
    rng = np.random.default_rng(seed)
    people = _random_people(9, rng)
    index, state = _state(people, 3, 3, [[0, 1, 2], [3, 4, 5], [6, 7, 8]])
    regroup(state, state.pairs.best_partners(NEIGHBOURS), 3, 10)
    assert abs(state.value() - _best_split_into_triads(index, list(range(9)))) < 1e-9


def test_two_groups_of_five_are_split_again_at_their_best():
    # a1, a2 offer what b1, b2 want and the other way round: all four belong together,
    # which takes two members of each group changing places at once.
    people = population(
        person("a1", offers=("hiring",), wants=("budgets",)),
        person("a2", offers=("hiring",), wants=("budgets",)),
        person("b1", offers=("budgets",), wants=("hiring",)),
        person("b2", offers=("budgets",), wants=("hiring",)),
        *(person(f"x{number}") for number in range(6)),
    )
    index, state = _state(people, 5, 5, [[0, 1, 4, 5, 6], [2, 3, 7, 8, 9]])
    before = state.value()
    regroup(state, state.pairs.best_partners(NEIGHBOURS), 2, 10)
    assert state.value() > before
    together = [{index.people[m].id for m in group} for group in state.groups()]
    assert any({"a1", "a2", "b1", "b2"} <= group for group in together)
    assert abs(state.value() - sum(group_score(index, g) for g in state.groups())) < 1e-9


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_organizations(most=12), st.sampled_from([(3, 3), (3, 4)]))
def test_regrouping_never_lowers_the_score_nor_breaks_a_rule(org, size_range):
    low, high = size_range
    index = build_index(org, params(format="groups", group_min=low, group_max=high))
    everyone = np.arange(index.size, dtype=np.int64)
    pairs, rules = BlockPairs.build(index, everyone), GroupRules(index, everyone)
    start = groups_module.construct(pairs, rules, low, high)
    state = SearchState.from_groups(pairs, rules, start, low, high)
    before = state.value()
    regroup(state, pairs.best_partners(NEIGHBOURS), 3 if high == 3 else 2, 20)
    assert state.value() >= before - 1e-9
    assert sorted(m for g in state.groups() for m in g) == sorted(m for g in start for m in g)
    for group in state.groups():
        assert low <= len(group) <= high
        assert index.group_feasible(group)
    assert abs(state.value() - sum(group_score(index, g) for g in state.groups())) < 1e-6


@pytest.mark.parametrize("format_name", ["triads", "groups"])
def test_blocks_solved_side_by_side_give_the_same_groups_as_one_after_another(
    monkeypatch, format_name
):
    people = sample_population(420, seed=5)
    monkeypatch.setattr(groups_module, "BLOCK_SIZE", 140)
    monkeypatch.setattr(groups_module, "GROUP_KICK_TOTAL", 150)
    monkeypatch.setattr(groups_module, "TRIAD_KICK_TOTAL", 150)
    side_by_side = match(people, params(format=format_name, seed=2))
    monkeypatch.setattr(groups_module, "WORKERS", 1)
    one_by_one = match(people, params(format=format_name, seed=2))
    assert side_by_side.groups == one_by_one.groups
    assert side_by_side.verification.passed
