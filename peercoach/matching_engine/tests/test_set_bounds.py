"""The generated set-packing bound: its search never misses a set, nor undercuts a grouping."""

from __future__ import annotations

from itertools import combinations, pairwise

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peercoach.matching_engine import match, set_bounds
from peercoach.matching_engine.group_bounds import smallest_groups_bound, triad_upper_bound
from peercoach.matching_engine.packing_masters import (
    FirstOrderMaster,
    SimplexMaster,
    set_values,
)
from peercoach.matching_engine.rules import build_index
from peercoach.matching_engine.set_bounds import (
    best_set_for,
    columns_from_blocks,
    dense_pair_scores,
    half_best_pairs,
    packing_bound,
    reduced_halves_for,
    worst_violations,
)
from peercoach.matching_engine.tests.helpers import params
from peercoach.matching_engine.tests.test_formats import sample_population
from peercoach.matching_engine.tests.test_groups import _best_grouping_by_brute_force
from peercoach.matching_engine.tests.test_pairs_bound import organizations


def _worst_violation_by_brute_force(table, prices, person, size):
    """The max over every set of `size` people holding `person`, all pairs allowed."""
    others = [other for other in range(len(prices)) if other != person]
    first, second = np.triu_indices(size, 1)
    best = -np.inf
    for rest in combinations(others, size - 1):
        members = np.array([person, *rest])
        if np.isfinite(table[members[first], members[second]]).all():
            value = set_values(table, members[None, :])[0] - prices[members].sum()
            best = max(best, float(value))
    return best


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organizations(most=11), st.integers(3, 5), st.integers(0, 2**31), st.booleans())
def test_the_search_for_a_persons_worst_set_returns_exactly_what_brute_force_finds(
    org, size, seed, share_the_pruning_table
):
    index = build_index(org, params(format="groups"))
    table = dense_pair_scores(index)
    prices = np.random.default_rng(seed).uniform(0, 4, index.size)
    reduced = reduced_halves_for(table, prices, size) if share_the_pruning_table else None
    for person in range(index.size):
        estimate, sets = best_set_for(table, prices, person, size, reduced=reduced)
        exact = _worst_violation_by_brute_force(table, prices, person, size)
        # Only the violation above zero counts for the bound.
        assert max(estimate, 0.0) == pytest.approx(max(exact, 0.0), abs=1e-9)
        for members in sets:
            assert person in members
            assert len(set(members)) == size
            found = set_values(table, np.array([members]))[0] - prices[members].sum()
            assert found > 0
        if sets:  # the best set comes last
            best = set_values(table, np.array([sets[-1]]))[0] - prices[sets[-1]].sum()
            assert best == pytest.approx(estimate, abs=1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    organizations(most=11),
    st.integers(3, 5),
    st.integers(0, 2**31),
    st.sampled_from([0.01, 0.1, 0.5]),
)
def test_with_a_slack_each_persons_estimate_is_at_most_the_slack_above_the_worst_violation(
    org, size, seed, slack
):
    index = build_index(org, params(format="groups"))
    table = dense_pair_scores(index)
    prices = np.random.default_rng(seed).uniform(0, 4, index.size)
    for person in range(index.size):
        estimate, sets = best_set_for(table, prices, person, size, slack=slack)
        exact = _worst_violation_by_brute_force(table, prices, person, size)
        # Never below the worst violation (the bound stays a bound), never far above it; only
        # the violation above zero counts.
        assert max(estimate, 0.0) >= max(exact, 0.0) - 1e-9
        assert estimate <= max(exact, 0.0) + slack + 1e-9
        for members in sets:
            assert set_values(table, np.array([members]))[0] - prices[members].sum() > 0


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organizations(most=11), st.integers(3, 5), st.integers(0, 2**31))
def test_the_deep_search_finds_real_violated_sets_and_more_with_more_leading_partners(
    org, size, seed
):
    index = build_index(org, params(format="groups"))
    table = dense_pair_scores(index)
    prices = np.random.default_rng(seed).uniform(0, 4, index.size)
    for person in range(index.size):
        exact = max(_worst_violation_by_brute_force(table, prices, person, size), 0.0)
        found = []
        for leading in range(1, index.size + 1):
            value, sets = best_set_for(table, prices, person, size, leading=leading)
            found.append(max(value, 0.0))
            for members in sets:
                assert person in members
                assert len(set(members)) == size
                violation = set_values(table, np.array([members]))[0] - prices[members].sum()
                assert violation > 0
            if sets:  # the value is the best set's, which comes last
                best = set_values(table, np.array([sets[-1]]))[0] - prices[sets[-1]].sum()
                assert best == pytest.approx(value, abs=1e-9)
        # A wider lead never finds less, never more than there is, and everyone leading is
        # the exact search.
        assert all(later >= earlier - 1e-9 for earlier, later in pairwise(found))
        assert all(value <= exact + 1e-9 for value in found)
        assert found[-1] == pytest.approx(exact, abs=1e-9)


def test_the_deep_search_only_tries_sets_led_by_the_most_promising_partners():
    # Person 1 suits person 0 far better than anyone (so leads the search) and meets 2-4 at
    # no gain; 5-8 never meet 1 but go well with 0 and together: the best set is 0 and 5-8.
    table = np.full((9, 9), -np.inf, dtype=np.float32)
    for first, second in combinations(range(5), 2):
        table[first, second] = table[second, first] = 2.0
    table[0, 1] = table[1, 0] = 40.0
    for first, second in combinations([0, 5, 6, 7, 8], 2):
        table[first, second] = table[second, first] = 10.0
    prices = np.ones(9)
    # Over 4, less five prices of 1: (40 + 9 * 2) / 4 - 5 and 10 * 10 / 4 - 5.
    assert best_set_for(table, prices, 0, 5, leading=1) == (9.5, [[0, 1, 2, 3, 4]])
    value, sets = best_set_for(table, prices, 0, 5, leading=2)
    assert (value, sets[-1]) == (20.0, [0, 5, 6, 7, 8])
    assert best_set_for(table, prices, 0, 5)[0] == 20.0


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 12), st.integers(1, 4), st.integers(0, 2**31))
def test_the_pruning_table_holds_half_of_each_persons_best_reduced_pair_values(size, most, seed):
    rng = np.random.default_rng(seed)
    table = rng.uniform(0, 6, (size, size)).astype(np.float32)
    table = np.minimum(table, table.T)
    table[rng.random((size, size)) < 0.3] = -np.inf
    table = np.where(np.isinf(table.T), -np.inf, table)
    np.fill_diagonal(table, -np.inf)
    prices = rng.uniform(0, 3, size)
    low = most + 2
    halves = reduced_halves_for(table, prices, low)
    for person in range(size):
        values = [
            (float(table[person, other]) - prices[person] - prices[other]) / (low - 1)
            for other in range(size)
            if np.isfinite(table[person, other])
        ]
        positive = sorted((value for value in values if value > 0), reverse=True)
        for count in range(most + 1):
            assert halves[count, person] == pytest.approx(0.5 * sum(positive[:count]))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    organizations(most=11),
    st.integers(3, 5),
    st.integers(0, 2**31),
    st.integers(3, 6),
    st.booleans(),
)
def test_the_shortlist_search_only_returns_sets_that_are_really_violated(
    org, size, seed, shortlist, rank_by_best_pairs
):
    index = build_index(org, params(format="groups"))
    table = dense_pair_scores(index)
    prices = np.random.default_rng(seed).uniform(0, 4, index.size)
    halves = half_best_pairs(table, 1 / (size - 1), size - 2) if rank_by_best_pairs else None
    for person in range(index.size):
        _, sets = best_set_for(table, prices, person, size, shortlist, halves)
        for members in sets:
            assert person in members
            assert np.isfinite(table[np.ix_(members, members)][~np.eye(size, dtype=bool)]).all()
            value = set_values(table, np.array([members]))[0] - prices[members].sum()
            assert value > 0


def test_the_shortlist_ranks_partners_by_what_they_add_with_their_best_pairs():
    # Person 0 scores best with 1-4 on their own, but no two of them may meet; 5-8 score less
    # with person 0 and very well together, so the only underpriced set is 0 and 5-8.
    table = np.full((9, 9), -np.inf, dtype=np.float32)
    for partner in range(1, 9):
        table[0, partner] = table[partner, 0] = 8.0 if partner <= 4 else 2.0
    for first, second in combinations(range(5, 9), 2):
        table[first, second] = table[second, first] = 10.0
    prices = np.ones(9)
    halves = half_best_pairs(table, 1 / 4, 3)
    # 4 pairs of 2 and 6 pairs of 10, over 4, less five prices of 1.
    value, sets = best_set_for(table, prices, 0, 5, shortlist=4, halves=halves)
    assert value == pytest.approx(12.0)
    assert sets[-1] == [0, 5, 6, 7, 8]
    # Ranked by their scores with person 0 alone, the shortlist holds 1-4 and finds nothing.
    assert best_set_for(table, prices, 0, 5, shortlist=4)[1] == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organizations(most=10), st.integers(3, 4), st.integers(0, 2**31))
def test_any_prices_with_the_worst_violations_bound_the_best_grouping(org, low, seed):
    # The proof does not depend on the LP: prices far from its optimum still give a bound.
    index = build_index(org, params(format="groups", group_min=low, group_max=low + 1))
    best = _best_grouping_by_brute_force(index, low, low + 1)
    table = dense_pair_scores(index)
    prices = np.random.default_rng(seed).uniform(0, 3, index.size)
    worst, _ = worst_violations(table, prices, low)
    assert prices.sum() + np.maximum(worst, 0.0).sum() / low >= best - 1e-6


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organizations(most=10), st.integers(3, 4))
def test_the_generated_bound_never_falls_below_the_brute_force_optimum(org, low):
    index = build_index(org, params(format="groups", group_min=low, group_max=low + 1))
    best = _best_grouping_by_brute_force(index, low, low + 1)
    bound, _ = packing_bound(index, low)
    assert bound is not None
    assert bound >= best - 1e-6


@pytest.mark.parametrize(("large_lp_path", "within"), [(False, 1.001), (True, 1.003)])
def test_the_generated_bound_matches_the_bound_that_lists_every_set(
    monkeypatch, large_lp_path, within
):
    # Thirty people: few enough to list every set of five, so both reach the same LP optimum.
    # The large-LP path (first sets from blocks, PDLP's nearly optimal prices, as from 2,000
    # people) must hold too, and come nearly as close.
    if large_lp_path:
        monkeypatch.setattr(set_bounds, "LARGE_PACKING", 10)
        monkeypatch.setattr(set_bounds, "START_BLOCK", 10)
    index = build_index(sample_population(30, seed=4), params(format="groups"))
    listed, _ = smallest_groups_bound(index, 5)
    generated, _ = packing_bound(index, 5, exact_rounds=40)
    assert listed is not None
    assert generated is not None
    assert generated >= listed - 1e-6
    assert generated <= listed * within


def test_cheap_rounds_of_a_large_lp_stop_only_when_several_rounds_barely_moved_it():
    # One round that loses a little (PDLP's tolerance) is no stall; three that add little are.
    assert not set_bounds._stalled([39_000.0, 39_020.0, 39_010.0])
    assert not set_bounds._stalled([39_000.0, 39_020.0, 39_010.0, 39_100.0])
    assert set_bounds._stalled([40_000.0, 40_005.0, 40_010.0, 40_012.0])
    assert not set_bounds._stalled([40_000.0, 40_005.0, 40_010.0, 40_030.0])


def test_the_first_sets_of_a_large_lp_stay_inside_their_blocks_and_are_allowed():
    index = build_index(sample_population(60, seed=7), params(format="groups"))
    table = dense_pair_scores(index)
    half = index.size // 2
    blocks = [list(range(half)), list(range(half, index.size))]
    seeds = {(0, 1, 2, 3, index.size - 1)}
    found = columns_from_blocks(table, 5, blocks, seeds)
    assert found
    for members in found:
        assert len(set(members)) == 5
        assert all(member < half for member in members) or min(members) >= half
        assert np.isfinite(table[np.ix_(members, members)][~np.eye(5, dtype=bool)]).all()
    # A seed split across two blocks is no block's: it does not come back.
    assert (0, 1, 2, 3, index.size - 1) not in found


def test_both_masters_find_the_same_lp_value():
    index = build_index(sample_population(40, seed=9), params(format="groups"))
    table = dense_pair_scores(index)
    prices = np.zeros(index.size)
    halves = half_best_pairs(table, 1 / 4, 3)
    sets = worst_violations(table, prices, 5, 12, halves)[1]
    simplex, first_order = SimplexMaster(index.size), FirstOrderMaster(index.size)
    simplex.add(table, sets)
    first_order.add(table, sets)
    exact = simplex.prices().sum()
    assert exact > 0
    # PDLP stops at a relative tolerance: its prices are nearly, not exactly, optimal.
    assert first_order.prices().sum() == pytest.approx(exact, rel=1e-3)


def test_groups_of_five_know_more_than_triads_and_stay_above_what_we_found():
    people = sample_population(90, seed=6)
    settings_ = params(format="groups")
    result = match(people, settings_)
    index = build_index(people, settings_)
    generated, _ = packing_bound(index, 5)
    triads, _ = triad_upper_bound(index)
    assert generated is not None
    assert triads is not None
    assert result.objective - 1e-6 <= generated < triads
    assert result.upper_bound is not None
    assert result.upper_bound < triads


def test_pair_scores_in_the_table_are_never_rounded_down():
    index = build_index(sample_population(40, seed=2), params(format="groups"))
    table = dense_pair_scores(index)
    first, second = np.triu_indices(index.size, 1)
    allowed = index.feasible(first, second)
    from peercoach.matching_engine.scoring import pair_scores

    exact = pair_scores(index, first[allowed], second[allowed])
    assert (table[first[allowed], second[allowed]].astype(np.float64) >= exact).all()
    assert np.isneginf(table[first[~allowed], second[~allowed]]).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organizations(most=12))
def test_the_triad_bound_holds_when_its_search_counts_the_estimate_after_one_partner(org):
    from peercoach.matching_engine import group_bounds
    from peercoach.matching_engine.tests.test_groups import _best_triads_by_brute_force

    index = build_index(org, params(format="triads"))
    first, most = group_bounds.FIRST_PARTNERS, group_bounds.MOST_PARTNERS
    group_bounds.FIRST_PARTNERS = group_bounds.MOST_PARTNERS = 1
    try:
        bound, _ = triad_upper_bound(index)
    finally:
        group_bounds.FIRST_PARTNERS, group_bounds.MOST_PARTNERS = first, most
    best = _best_grouping_by_brute_force(index, 3, 4)
    if bound is not None:
        assert bound >= best - 1e-6
    if index.size % 3 == 0 and (exact := _best_triads_by_brute_force(index)) is not None:
        assert bound is not None
        assert bound >= exact - 1e-6


def test_a_large_round_searched_in_parts_side_by_side_finds_what_one_piece_finds(monkeypatch):
    index = build_index(sample_population(160, seed=3), params(format="groups"))
    table = dense_pair_scores(index)
    prices = np.random.default_rng(5).uniform(0.5, 3.0, index.size)
    halves = half_best_pairs(table, 1 / 4, 3)
    whole = worst_violations(table, prices, 5, 20, halves)
    monkeypatch.setattr(set_bounds, "PARALLEL_SEARCH", 100)
    monkeypatch.setattr(set_bounds, "SEARCH_PART", 30)
    parts = worst_violations(table, prices, 5, 20, halves)
    assert np.array_equal(whole[0], parts[0])
    assert whole[1] == parts[1]
    # Not a vacuous comparison: many people have an underpriced set at these prices.
    assert (whole[0] > 0).sum() > 50
