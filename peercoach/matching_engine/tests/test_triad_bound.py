"""The triad LP bound for large populations: blocks first, then everyone."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings

from peercoach.matching_engine import group_bounds
from peercoach.matching_engine.group_bounds import triad_bound_by_blocks, triad_upper_bound
from peercoach.matching_engine.rules import build_index
from peercoach.matching_engine.set_bounds import dense_pair_scores
from peercoach.matching_engine.tests.helpers import params
from peercoach.matching_engine.tests.test_formats import sample_population
from peercoach.matching_engine.tests.test_groups import (
    _best_grouping_by_brute_force,
    _best_triads_by_brute_force,
)
from peercoach.matching_engine.tests.test_properties import organizations


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organizations())
def test_the_bound_from_tiny_blocks_never_falls_below_the_best_grouping(org):
    # Blocks of three leave most good triples across blocks: only the search over everyone
    # can cover them.
    index = build_index(org, params(format="triads"))
    if index.size > 12:
        return
    bound, _ = triad_bound_by_blocks(index, block_size=3)
    best = _best_grouping_by_brute_force(index, 3, 4)
    if index.size < 3:
        assert bound is None
        return
    assert bound is not None
    assert bound >= best - 1e-6
    if index.size % 3 == 0 and (exact := _best_triads_by_brute_force(index)) is not None:
        assert bound >= exact - 1e-6


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organizations())
def test_each_persons_worst_triple_is_never_understated_even_with_few_ranked_partners(org):
    # Past one ranked partner the estimate counts: valid, but looser than exact.
    found = _worst_triples_with_k_from_one(org, most_partners=1)
    if found is not None:
        worst, exact = found
        assert (worst >= exact - 1e-9).all()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organizations())
def test_each_persons_worst_triple_is_exact_when_every_partner_may_be_tried(org):
    found = _worst_triples_with_k_from_one(org, most_partners=None)
    if found is not None:
        worst, exact = found
        assert np.allclose(worst, exact, atol=1e-9)


def _worst_triples_with_k_from_one(org, most_partners):
    """The search's worst violations, K starting at 1, with random prices; and brute force's."""
    index = build_index(org, params(format="triads"))
    if index.size < 3:
        return None
    weights = dense_pair_scores(index)
    rng = np.random.default_rng(index.size)
    prices = rng.uniform(0, 3, index.size)
    first, most = group_bounds.FIRST_PARTNERS, group_bounds.MOST_PARTNERS
    group_bounds.FIRST_PARTNERS, group_bounds.MOST_PARTNERS = 1, most_partners
    try:
        worst, _ = group_bounds._worst_triples(weights, prices)
    finally:
        group_bounds.FIRST_PARTNERS, group_bounds.MOST_PARTNERS = first, most
    return worst, _worst_by_brute_force(weights, prices)


def test_blocks_then_everyone_reach_the_triad_lp_of_one_block():
    index = build_index(sample_population(150, seed=4), params(format="triads"))
    whole, _ = triad_upper_bound(index)
    by_blocks, _ = triad_bound_by_blocks(index, block_size=50)
    assert whole is not None
    assert by_blocks is not None
    assert by_blocks <= whole * 1.02


def _worst_by_brute_force(weights, prices):
    half = weights.astype(np.float64) / 2
    worst = np.zeros(len(prices))
    for person in range(len(prices)):
        for first in range(len(prices)):
            for second in range(first + 1, len(prices)):
                if person in (first, second):
                    continue
                value = half[person, first] + half[person, second] + half[first, second]
                value -= prices[person] + prices[first] + prices[second]
                worst[person] = max(worst[person], value)
    return worst
