"""The compiled kicks (kick_kernel.py) and the link tables the search reads its gains from."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peercoach.matching_engine import group_search
from peercoach.matching_engine.group_search import (
    BlockPairs,
    GroupRules,
    SearchState,
    compiled_kicks,
    improve,
    kernel_rules,
)
from peercoach.matching_engine.groups import construct, descend, neighbour_count, size_range
from peercoach.matching_engine.kick_kernel import _common_window, _holds
from peercoach.matching_engine.rules import build_index, common_window
from peercoach.matching_engine.scoring import group_score
from peercoach.matching_engine.tests.helpers import params, person, population
from peercoach.matching_engine.tests.test_formats import sample_population
from peercoach.matching_engine.tests.test_properties import organizations


def _local_optimum(people, **options):
    settings_ = params(format="groups", **options)
    index = build_index(people, settings_)
    everyone = np.arange(index.size, dtype=np.int64)
    pairs, rules = BlockPairs.build(index, everyone), GroupRules(index, everyone)
    low, high = size_range(settings_)
    state = SearchState.from_groups(pairs, rules, construct(pairs, rules, low, high), low, high)
    partners = pairs.best_partners(neighbour_count(pairs.size))
    improve(state, partners, 100)
    descend(state, partners)
    return index, state, partners


def _assert_valid(index, state, grouped):
    for group in state.groups():
        assert state.low <= len(group) <= state.high
        assert index.group_feasible(group)
    assert sorted(member for group in state.groups() for member in group) == grouped
    rescored = sum(group_score(index, group) for group in state.groups())
    assert abs(rescored - state.value()) < 1e-6


def test_compiled_kicks_raise_the_score_and_keep_every_rule():
    index, state, partners = _local_optimum(sample_population(300, seed=8))
    grouped = sorted(member for group in state.groups() for member in group)
    start = state.value()
    kept = compiled_kicks(state, partners, seed=3, kicks=3_000, tolerance=0.0)
    # From a local optimum of the numpy search, the kicks still find better groups.
    assert kept > 0
    assert state.value() > start + 1.0
    _assert_valid(index, state, grouped)


def test_compiled_kicks_give_the_same_groups_for_the_same_seed():
    _, state, partners = _local_optimum(sample_population(200, seed=4))
    runs = []
    for seed in (5, 5, 6):
        trial = state.copy()
        compiled_kicks(trial, partners, seed=seed, kicks=800, tolerance=1.0)
        runs.append(trial.groups())
    assert runs[0] == runs[1]
    assert runs[0] != runs[2]


def test_a_wandering_search_ends_on_the_best_groups_it_saw(monkeypatch):
    # No descent after a kick, and an allowance so large that every kick is taken: the walk
    # only goes down from a local optimum, so the best groups it saw are the ones it began with.
    index, state, partners = _local_optimum(sample_population(200, seed=9))
    start = state.groups()
    monkeypatch.setattr(group_search, "MOST_CHANGES", 0)
    compiled_kicks(state, partners, seed=1, kicks=200, tolerance=1e6)
    assert state.groups() == start


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(organizations(), st.integers(0, 2**32 - 1))
def test_compiled_kicks_never_break_a_rule(org, seed):
    index, state, partners = _local_optimum(org, group_min=3, group_max=4)
    grouped = sorted(member for group in state.groups() for member in group)
    compiled_kicks(state, partners, seed=seed, kicks=200, tolerance=5.0)
    _assert_valid(index, state, grouped)


ZONES = ["UTC", "Asia/Tokyo", "America/New_York", "Asia/Kolkata", "Australia/Adelaide"]


@st.composite
def spread_people(draw):
    """People across time zones with long or night-shift hours, speaking two of three
    languages: many trios get on in pairs but share no language or no window as a whole."""
    size = draw(st.integers(3, 12))
    return tuple(
        person(
            f"p{number}",
            timezone=draw(st.sampled_from(ZONES)),
            hours=(draw(st.integers(0, 23)), draw(st.integers(0, 23))),
            languages=tuple(
                draw(
                    st.lists(
                        st.sampled_from(["en", "fr", "de"]), min_size=1, max_size=2, unique=True
                    )
                )
            ),
        )
        for number in range(size)
    )


@settings(max_examples=150, deadline=None)
@given(spread_people(), st.data())
def test_the_compiled_group_rules_are_the_same_as_the_rules_module(people, data):
    index = build_index(population(*people), params(format="groups", min_overlap_hours=2))
    everyone = np.arange(index.size, dtype=np.int64)
    rules = GroupRules(index, everyone)
    members = np.array(
        data.draw(st.lists(st.integers(0, index.size - 1), min_size=2, max_size=7, unique=True)),
        dtype=np.int64,
    )
    compiled = _holds(members, len(members), kernel_rules(rules, everyone, 8))
    assert compiled == rules.hold(members.tolist())


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 1439), st.integers(0, 1440)), min_size=1, max_size=8))
def test_the_compiled_window_rule_is_the_same_as_the_rules_module(windows):
    starts = np.array([start for start, _ in windows], dtype=np.int64)
    lengths = np.array([length for _, length in windows], dtype=np.int64)
    assert _common_window(starts, lengths, len(windows)) == common_window(windows)


def test_the_links_follow_every_change_of_the_groups():
    # Moves, swaps, re-splits and kicks all change the member table; each person's sum and
    # conflicts with each group must still be what the members say.
    _, state, partners = _local_optimum(sample_population(120, seed=2))
    compiled_kicks(state, partners, seed=7, kicks=300, tolerance=2.0)
    members = state.table[1].copy()
    state.place(1, [int(m) for m in members if m >= 0][:-1])  # someone leaves group 1
    people = np.repeat(np.arange(state.pairs.size), len(state.table))
    groups = np.tile(np.arange(len(state.table)), state.pairs.size)
    sums, conflicts = state.to_groups(people, groups)
    for spot in range(len(people)):
        person, group = int(people[spot]), int(groups[spot])
        others = [m for m in state.members(group) if m != person]
        expected = sum(state.pairs.weights[person, m] for m in others)
        barred = sum(not state.pairs.allowed[person, m] for m in others)
        assert abs(sums[spot] - expected) < 1e-9
        assert conflicts[spot] == barred
