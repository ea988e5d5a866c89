"""The large-scale pairs machinery: the cycle-cover solver, the keyed violation search and the
bound it proves. Each claim is checked against brute force on small organizations."""

from __future__ import annotations

import datetime as dt

import networkx as nx
import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import peercoach.matching_engine.pairs as pairs
from peercoach.matching_engine import Block, HistoryEntry, Preference, match
from peercoach.matching_engine.bounds import _violations, lp_prices, matching_upper_bound
from peercoach.matching_engine.candidates import CandidateGraph, full_graph
from peercoach.matching_engine.cover import cycle_cover, round_cover
from peercoach.matching_engine.rules import build_index
from peercoach.matching_engine.scoring import pair_scores
from peercoach.matching_engine.tests.helpers import REFERENCE_DATE, params, person, population
from peercoach.matching_engine.violation import structured_violations

ZONES = ["Europe/London", "America/New_York", "Asia/Kolkata", "Europe/Berlin"]
TOPICS = ["negotiation", "feedback", "delegation", "hiring", "speaking", "budgets"]
DEPARTMENTS = ["", "Sales", "Legal", "Data"]


@st.composite
def organizations(draw, most: int = 18):
    size = draw(st.integers(min_value=2, max_value=most))
    people = []
    for number in range(size):
        manager = draw(st.one_of(st.none(), st.integers(0, number - 1))) if number else None
        people.append(
            person(
                f"p{number}",
                manager_id=None if manager is None else f"p{manager}",
                department=draw(st.sampled_from(DEPARTMENTS)),
                timezone=draw(st.sampled_from(ZONES)),
                hours=draw(st.sampled_from([(9, 17), (8, 16), (12, 20)])),
                languages=tuple(draw(st.sets(st.sampled_from(["en", "de", "hi"]), min_size=1))),
                wants=tuple(draw(st.sets(st.sampled_from(TOPICS), max_size=5))),
                offers=tuple(draw(st.sets(st.sampled_from(TOPICS), max_size=5))),
                level=draw(st.integers(1, 6)),
                enrolled=draw(st.booleans()) or number % 4 != 0,
            )
        )
    ids = [item.id for item in people]
    pair = st.tuples(st.sampled_from(ids), st.sampled_from(ids))
    blocks = tuple(Block(a, b) for a, b in draw(st.lists(pair, max_size=3)))
    history = tuple(
        HistoryEntry(a, b, REFERENCE_DATE - dt.timedelta(days=days))
        for (a, b), days in draw(st.lists(st.tuples(pair, st.integers(0, 900)), max_size=4))
    )
    preferences = tuple(
        Preference(a, b, rank)
        for (a, b), rank in draw(st.lists(st.tuples(pair, st.integers(1, 3)), max_size=5))
    )
    return population(*people, blocks=blocks, history=history, preferences=preferences)


def exact_optimum(index) -> float:
    """The maximum-weight matching of every feasible pair, by networkx."""
    graph = full_graph(index)
    network = nx.Graph()
    for one, other, weight in zip(graph.first, graph.second, graph.weight, strict=True):
        network.add_edge(int(one), int(other), weight=float(weight))
    chosen = nx.max_weight_matching(network)
    return sum(network[one][other]["weight"] for one, other in chosen)


def sparse_part(index, seed: int) -> CandidateGraph:
    """A random half of the feasible pairs: a candidate graph that misses things."""
    graph = full_graph(index)
    keep = np.random.default_rng(seed).random(len(graph.first)) < 0.5
    return CandidateGraph(graph.first[keep], graph.second[keep], graph.weight[keep], False)


SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(organizations(), st.integers(0, 2**32 - 1), st.sampled_from([1.0, 2.0]))
def test_the_keyed_search_never_finds_less_than_brute_force(org, seed, overlap_hours):
    index = build_index(org, params(min_overlap_hours=overlap_hours))
    prices = np.random.default_rng(seed).random(index.size) * 6
    found = structured_violations(index, prices)
    brute, _ = _violations(index, prices)  # max over feasible u of (w - y_u - y_v), floored at 0
    keyed = np.maximum(0.0, found.best - prices)
    assert np.all(keyed >= brute - 1e-9)


@SLOW
@given(organizations(), st.integers(0, 2**32 - 1))
def test_the_keyed_search_is_exact_when_no_rule_beyond_language_and_time_applies(org, seed):
    # Without chains, blocks, history or preferences, only language and time limit partners,
    # and those the index handles exactly: the keyed maximum equals the brute-force one.
    flat = population(
        *[
            person(
                p.id,
                department=p.department,
                timezone=p.timezone,
                hours=p.hours,
                languages=p.languages,
                wants=p.wants,
                offers=p.offers,
                level=p.level,
            )
            for p in org.people
        ]
    )
    index = build_index(flat, params())
    prices = np.random.default_rng(seed).random(index.size) * 6
    found = structured_violations(index, prices)
    everyone = np.arange(index.size)
    for v in range(index.size):
        others = everyone[everyone != v]
        ok = index.feasible(np.full(len(others), v), others)
        if not ok.any():
            continue
        truth = float(
            (pair_scores(index, np.full(ok.sum(), v), others[ok]) - prices[others[ok]]).max()
        )
        # The index may also see v itself (a pair of one), which only ever raises the value.
        assert found.best[v] >= truth - 1e-9


@SLOW
@given(organizations(), st.integers(0, 2**32 - 1), st.booleans())
def test_the_bound_is_never_below_the_exact_optimum(org, seed, given_prices):
    index = build_index(org, params())
    if index.size < 2:
        return
    graph = sparse_part(index, seed)
    prices = np.random.default_rng(seed).random(index.size) * 4 if given_prices else None
    bound, _ = matching_upper_bound(index, graph, prices)
    assert bound >= exact_optimum(index) - 1e-6


@SLOW
@given(organizations(), st.integers(0, 2**32 - 1))
def test_the_cover_gives_a_true_matching_and_prices_that_cover_every_edge(org, seed):
    index = build_index(org, params())
    graph = sparse_part(index, seed)
    if len(graph.first) == 0:
        return
    cover = cycle_cover(index.size, graph.first, graph.second, graph.weight)
    chosen = round_cover(index.size, graph.first, graph.second, graph.weight, cover.successor)
    members = [member for pair in chosen for member in pair]
    assert len(members) == len(set(members))
    edges = set(zip(graph.first.tolist(), graph.second.tolist(), strict=True))
    assert all(pair in edges for pair in chosen)
    # The prices cover every edge, so they add up to at least the LP optimum. (They are the
    # duals of "as many people as possible, then the most weight", so on tiny graphs they can
    # sit above the pure-weight optimum; on real blocks the gap measured 0.001%.)
    slack = cover.prices[graph.first] + cover.prices[graph.second] - graph.weight
    assert slack.min() >= -1e-6
    assert (cover.prices >= 0).all()
    value, _ = lp_prices(index.size, graph.first, graph.second, graph.weight)
    assert cover.prices.sum() >= value - 1e-6


def test_blocks_give_the_same_pairs_in_parallel_and_one_by_one(monkeypatch):
    rng = np.random.default_rng(7)
    people = [
        person(
            f"p{number}",
            manager_id=None if number < 3 else f"p{int(rng.integers(0, number))}",
            department=str(rng.choice(DEPARTMENTS[1:])),
            timezone=str(rng.choice(ZONES[:2])),
            languages=("en",),
            wants=tuple(rng.choice(TOPICS, size=2, replace=False).tolist()),
            offers=tuple(rng.choice(TOPICS, size=2, replace=False).tolist()),
            level=int(rng.integers(1, 5)),
        )
        for number in range(900)
    ]
    org = population(*people)
    monkeypatch.setattr(pairs, "BLOCK_SIZE", 300)
    monkeypatch.setattr(pairs, "STRICT_LIMIT", 50)
    parallel = match(org, params())
    monkeypatch.setattr(pairs, "WORKERS", 1)
    one_by_one = match(org, params())
    assert [g.members for g in parallel.groups] == [g.members for g in one_by_one.groups]
    assert parallel.upper_bound == one_by_one.upper_bound
    assert parallel.upper_bound is not None
    assert parallel.objective <= parallel.upper_bound
    assert parallel.verification.passed


def test_pricing_brings_a_sparse_candidate_graph_close_to_the_exact_optimum(monkeypatch):
    import peercoach.matching_engine.bounds as bounds

    rng = np.random.default_rng(3)
    people = [
        person(
            f"p{number}",
            manager_id=None if number < 5 else f"p{int(rng.integers(0, number))}",
            department=str(rng.choice(DEPARTMENTS[1:])),
            timezone=str(rng.choice(ZONES)),
            languages=("en",) if number % 3 else ("en", "de"),
            wants=tuple(rng.choice(TOPICS, size=int(rng.integers(1, 4)), replace=False).tolist()),
            offers=tuple(rng.choice(TOPICS, size=int(rng.integers(1, 4)), replace=False).tolist()),
            level=int(rng.integers(1, 6)),
        )
        for number in range(800)
    ]
    org = population(*people)
    # The keyed search, not brute force, finds the missing pairs here.
    monkeypatch.setattr(bounds, "STRUCTURED_FROM", 0)
    result = match(org, params())
    index = build_index(org, params())
    graph = full_graph(index)
    exact = pairs.solve_matching(index.size, graph.first, graph.second, graph.weight, strict=True)
    chosen = np.array(exact, dtype=np.int64)
    optimum = float(pair_scores(index, chosen[:, 0], chosen[:, 1]).sum())
    assert result.upper_bound is not None
    assert result.upper_bound >= optimum - 1e-6
    assert result.objective >= 0.995 * optimum
    assert "index of topics" in result.bound_note


def test_pairs_across_blocks_are_won_back_without_matching_fewer_people():
    from peercoach.matching_engine.refine import pairs_value, refine_across_blocks

    # Two blocks that each hold one side of a complementary pairing: the blocks can only pair
    # people who want the same thing, the refinement finds the pairs across them.
    people = population(
        *(
            person(
                f"p{number}",
                wants=("hiring",) if number % 2 else ("budgets",),
                offers=("budgets",) if number % 2 else ("hiring",),
                department=str(number % 3),
            )
            for number in range(40)
        )
    )
    index = build_index(people, params())
    graph = full_graph(index)
    same_side = (graph.first % 2) == (graph.second % 2)
    inside = CandidateGraph(
        graph.first[same_side], graph.second[same_side], graph.weight[same_side], complete=False
    )
    blocks = pairs.solve_matching(index.size, inside.first, inside.second, inside.weight)
    prices = cycle_cover(index.size, inside.first, inside.second, inside.weight).prices
    refined = refine_across_blocks(index, blocks, inside, prices).pairs
    chosen = np.array(refined, dtype=np.int64)
    assert len(refined) >= len(blocks)
    assert pairs_value(index, refined) > pairs_value(index, blocks)
    assert index.feasible(chosen[:, 0], chosen[:, 1]).all()
    # Each round adds each person's most underpriced partner; here everyone on one side ties,
    # so it takes several rounds of new prices to reach the exact optimum.
    exact = pairs.solve_matching(index.size, graph.first, graph.second, graph.weight)
    more = refine_across_blocks(index, blocks, inside, prices, rounds=12).pairs
    assert pairs_value(index, more) >= pairs_value(index, exact) - 1e-6


@SLOW
@given(organizations(), st.integers(0, 2**32 - 1), st.booleans())
def test_halving_over_everyone_keeps_every_feasible_pair_covered(org, seed, keyed):
    from peercoach.matching_engine.bounds import all_violations, descend_over_everyone

    index = build_index(org, params())
    if index.size < 2:
        return
    prices = np.random.default_rng(seed).random(index.size) * 4
    violation, _ = all_violations(index, prices, keyed)
    covering = prices + violation / 2
    lowered = descend_over_everyone(index, covering, keyed, steps=3)
    graph = full_graph(index)
    assert np.all(lowered[graph.first] + lowered[graph.second] >= graph.weight - 1e-9)
    assert np.all(lowered <= covering + 1e-12)
    assert lowered.sum() >= exact_optimum(index) - 1e-6


@SLOW
@given(organizations(), st.integers(0, 2**32 - 1))
def test_the_bound_from_block_and_lean_prices_through_the_keyed_search_holds(org, seed):
    from unittest import mock

    import peercoach.matching_engine.bounds as bounds

    index = build_index(org, params())
    if index.size < 2:
        return
    graph = sparse_part(index, seed)
    rng = np.random.default_rng(seed)
    block_prices, lean_prices = rng.random(index.size) * 4, rng.random(index.size) * 4
    # Small organizations normally check every pair; force the keyed search used at scale.
    with mock.patch.object(bounds, "STRUCTURED_FROM", 0):
        bound, note = matching_upper_bound(index, graph, block_prices, lean_prices=lean_prices)
    assert "index of topics" in note
    assert bound >= exact_optimum(index) - 1e-6


@SLOW
@given(organizations(), st.integers(0, 2**32 - 1))
def test_the_integer_cover_gives_a_true_matching_and_prices_that_cover_up_to_rounding(org, seed):
    from peercoach.matching_engine.cover import INTEGER_STEPS, integer_cycle_cover

    index = build_index(org, params())
    graph = sparse_part(index, seed)
    if len(graph.first) == 0:
        return
    cover = integer_cycle_cover(index.size, graph.first, graph.second, graph.weight)
    assert sorted(cover.successor.tolist()) == list(range(index.size))
    chosen = pairs.solve_by_cover(index.size, graph.first, graph.second, graph.weight, cover)
    members = [member for pair in chosen for member in pair]
    assert len(members) == len(set(members))
    edges = set(zip(graph.first.tolist(), graph.second.tolist(), strict=True))
    assert all(pair in edges for pair in chosen)
    moved = np.flatnonzero(cover.successor != np.arange(index.size))
    steps = zip(moved.tolist(), cover.successor[moved].tolist(), strict=True)
    assert all((min(one, other), max(one, other)) in edges for one, other in steps)
    # The solver sees weights rounded to 1/INTEGER_STEPS: each pair's two prices may fall
    # short of its real weight by that rounding, never more.
    slack = cover.prices[graph.first] + cover.prices[graph.second] - graph.weight
    assert slack.min() >= -1 / INTEGER_STEPS
    assert (cover.prices >= 0).all()
