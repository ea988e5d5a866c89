"""The triad LP as a start for the triad search: its rounded optimum, then the greedy."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from peercoach.matching_engine import groups as groups_module
from peercoach.matching_engine import match
from peercoach.matching_engine.group_search import BlockPairs, GroupRules
from peercoach.matching_engine.packing_masters import set_values
from peercoach.matching_engine.rules import build_index
from peercoach.matching_engine.tests.helpers import params
from peercoach.matching_engine.tests.test_formats import sample_population
from peercoach.matching_engine.triad_lp import rounded_triads


def _table(size: int, triples: dict[tuple[int, int, int], float]) -> np.ndarray:
    """Pair scores where only the pairs inside the given triples are allowed, each triple
    scoring the given value (its three pairs share it: value = sum of pairs / 2)."""
    table = np.full((size, size), -np.inf)
    for members, value in triples.items():
        for first, second in ((0, 1), (0, 2), (1, 2)):
            table[members[first], members[second]] = table[members[second], members[first]] = (
                2 * value / 3
            )
    return table


def test_the_lp_start_takes_three_good_triads_over_the_one_best_that_blocks_them():
    # Taking the best triad first (0, 1, 2) leaves nothing else: each of the others needs one
    # of its members. The LP sees that the three others together score 27 against 10.
    table = _table(9, {(0, 1, 2): 10.0, (0, 3, 4): 9.0, (1, 5, 6): 9.0, (2, 7, 8): 9.0})
    chosen = rounded_triads(table, lambda members: True)
    assert sorted(sorted(triad) for triad in chosen) == [[0, 3, 4], [1, 5, 6], [2, 7, 8]]


def test_the_lp_start_leaves_out_triads_the_group_rules_forbid():
    table = _table(9, {(0, 1, 2): 10.0, (0, 3, 4): 9.0, (1, 5, 6): 9.0, (2, 7, 8): 9.0})
    chosen = rounded_triads(table, lambda members: sorted(members) != [1, 5, 6])
    assert [1, 5, 6] not in [sorted(triad) for triad in chosen]
    assert sorted(sorted(triad) for triad in chosen) == [[0, 3, 4], [2, 7, 8]]


@settings(max_examples=40, deadline=None)
@given(
    size=st.integers(min_value=3, max_value=12),
    seed=st.integers(min_value=0, max_value=10_000),
    density=st.floats(min_value=0.2, max_value=1.0),
)
def test_the_lp_start_gives_disjoint_triads_of_allowed_pairs(size, seed, density):
    rng = np.random.default_rng(seed)
    scores = rng.uniform(0, 5, (size, size))
    scores = np.triu(scores, 1) + np.triu(scores, 1).T
    allowed = np.triu(rng.random((size, size)) < density, 1)
    allowed = allowed | allowed.T
    table = np.where(allowed, scores, -np.inf)
    chosen = rounded_triads(table, lambda members: True)
    members = [member for triad in chosen for member in triad]
    assert len(members) == len(set(members))
    for triad in chosen:
        assert len(triad) == 3
        assert all(allowed[a, b] for a in triad for b in triad if a != b)
    assert np.all(set_values(table, np.array(chosen, dtype=np.int64).reshape(-1, 3)) > 0)


def test_the_block_start_places_everyone_the_greedy_places_and_scores_more():
    index = build_index(sample_population(300, seed=3), params(format="triads"))
    everyone = np.arange(index.size, dtype=np.int64)
    pairs, rules = BlockPairs.build(index, everyone), GroupRules(index, everyone)
    greedy = groups_module.construct(pairs, rules, 3, 3)
    start = groups_module.start_groups(pairs, rules, 3, 3)[0]

    def value(groups: list[list[int]]) -> float:
        return float(set_values(pairs.weights, np.array(groups)).sum())

    placed = [member for group in start for member in group]
    assert len(placed) == len(set(placed))
    assert len(placed) >= sum(len(group) for group in greedy)
    assert all(len(group) == 3 and rules.hold(group) for group in start)
    assert all(pairs.allowed[a, b] for group in start for a in group for b in group if a != b)
    assert value(start) > value(greedy)


def test_triads_still_start_from_the_greedy_when_the_lp_does_not_solve(monkeypatch):
    people = sample_population(120, seed=7)
    expected = match(people, params(format="triads", seed=1))

    def fails(*arguments, **keywords):
        raise RuntimeError("the group bound LP did not solve: numerical trouble")

    # Only the start's LP fails; the report's bound still solves its own LPs.
    monkeypatch.setattr(groups_module, "rounded_triads", fails)
    fallback = match(people, params(format="triads", seed=1))
    assert fallback.verification.passed
    assert fallback.matched_count == expected.matched_count
