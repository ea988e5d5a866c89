from __future__ import annotations

import csv
import json

import networkx as nx
import numpy as np
import pytest

from peercoach.matching_engine import match
from peercoach.matching_engine.candidates import full_graph
from peercoach.matching_engine.cli import main
from peercoach.matching_engine.pairs import solve_matching
from peercoach.matching_engine.rules import build_index
from peercoach.matching_engine.tests.helpers import (
    params,
    people_csv,
    person,
    population,
    small_company_rows,
)
from peercoach.sample_org import generate_organization


def sample_population(size, seed=1, **options):
    people = tuple(
        person(
            sample.employee_id,
            name=sample.name,
            manager_id=sample.manager_id,
            department=sample.department,
            level=sample.level,
            timezone=sample.timezone,
            hours=sample.hours,
            languages=sample.languages,
            wants=sample.wants,
            offers=sample.offers,
            enrolled=sample.enrolled,
        )
        for sample in generate_organization(size, seed, **options)
    )
    return population(*people)


def test_an_odd_count_forms_one_triad_and_drops_nobody():
    people = population(*(person(name) for name in "abcde"))
    result = match(people, params())
    sizes = sorted(len(group.members) for group in result.groups)
    assert sizes == [2, 3]
    assert result.unmatched == ()


def test_pairs_are_explained_in_plain_words():
    people = population(
        person(
            "ana",
            name="Ana",
            offers=("negotiation",),
            wants=("hiring interviews",),
            department="Sales",
        ),
        person(
            "ben",
            name="Ben",
            offers=("hiring interviews",),
            wants=("negotiation",),
            department="Engineering",
        ),
    )
    reason = match(people, params()).groups[0].reason
    assert reason.startswith(
        "Ana offers negotiation, which Ben wants; Ben offers hiring interviews, which Ana wants"
    )
    assert "different departments" in reason
    assert "8 hours of shared working time" in reason


def test_the_solver_matches_networkx_exactly_on_small_graphs():
    rng = np.random.default_rng(3)
    for _ in range(20):
        size = int(rng.integers(2, 40))
        first, second = np.triu_indices(size, 1)
        keep = rng.random(len(first)) < 0.3
        first, second = first[keep].astype(np.int64), second[keep].astype(np.int64)
        weight = rng.integers(0, 50, len(first)).astype(float)
        ours = solve_matching(size, first, second, weight)
        graph = nx.Graph()
        graph.add_weighted_edges_from(
            zip(first.tolist(), second.tolist(), weight.tolist(), strict=True)
        )
        best = nx.max_weight_matching(graph, maxcardinality=True)
        lookup = {
            (a, b): w
            for a, b, w in zip(first.tolist(), second.tolist(), weight.tolist(), strict=True)
        }
        assert len(ours) == len(best)
        assert sum(lookup[pair] for pair in ours) == sum(
            lookup[(min(a, b), max(a, b))] for a, b in best
        )


def test_pairs_reach_the_exact_optimum_and_the_bound_holds():
    people = sample_population(300, seed=4)
    result = match(people, params())
    index = build_index(people, params())
    graph = full_graph(index)
    exact = solve_matching(index.size, graph.first, graph.second, graph.weight)
    assert result.matched_count >= 2 * len(exact)
    assert result.upper_bound is not None
    assert result.objective <= result.upper_bound + 1e-6
    assert result.verification.passed


def test_the_same_inputs_and_seed_give_the_same_output():
    people = sample_population(200, seed=2)
    for format_name in ("pairs", "triads", "groups", "rotation"):
        first = match(people, params(format=format_name))
        second = match(people, params(format=format_name))
        assert first.groups == second.groups
        assert first.unmatched == second.unmatched


def test_rotation_changes_with_the_seed():
    people = sample_population(200, seed=2)
    assert (
        match(people, params(format="rotation", seed=1)).groups
        != match(people, params(format="rotation", seed=2)).groups
    )


def test_groups_stay_within_the_size_range():
    result = match(
        sample_population(250, seed=5), params(format="groups", group_min=4, group_max=6)
    )
    sizes = [len(group.members) for group in result.groups]
    assert sizes
    assert all(4 <= size <= 6 for size in sizes)
    assert result.verification.passed


def test_triads_are_threes_apart_from_the_remainder():
    result = match(sample_population(200, seed=6), params(format="triads"))
    sizes = [len(group.members) for group in result.groups]
    assert sum(size == 3 for size in sizes) >= len(sizes) - 2
    assert all(2 <= size <= 4 for size in sizes)


def test_suggest_ranks_compatible_peers_best_first():
    people = population(
        person("ana", offers=("negotiation",), wants=("delegation",)),
        person("ben", offers=("delegation",), wants=("negotiation",)),
        person("cai"),
        person("dee", manager_id="ana"),
    )
    result = match(people, params(format="suggest", suggest_for="ana", suggest_top=5))
    assert [item.person_id for item in result.suggestions] == ["ben", "cai"]


@pytest.mark.parametrize("format_name", ["pairs", "triads", "groups", "rotation", "suggest"])
def test_each_format_runs_from_the_command_line(tmp_path, format_name, capsys):
    people = people_csv(tmp_path / "people.csv", small_company_rows())
    out, report, edges = tmp_path / "matches.csv", tmp_path / "report.json", tmp_path / "edges.csv"
    extra = ["--for", "ana"] if format_name == "suggest" else []
    extra += ["--group-size", "2-3"] if format_name == "groups" else []
    status = main(
        [
            format_name,
            str(people),
            "--out",
            str(out),
            "--report",
            str(report),
            "--dump-graph",
            str(edges),
            *extra,
        ]
    )
    assert status == 0, capsys.readouterr().err
    data = json.loads(report.read_text())
    assert data["format"] == format_name
    assert data["verification"]["passed"]
    rows = list(csv.reader(out.open()))
    assert rows[0] == (
        ["rank", "person_id", "score"] if format_name == "suggest" else ["group_id", "person_id"]
    )
    edge_rows = list(csv.reader(edges.open()))
    assert edge_rows[0] == ["person_a", "person_b", "weight"]
    # The boss is not enrolled, and managers never meet their reports.
    pairs = {frozenset((a, b)) for a, b, _ in edge_rows[1:]}
    assert frozenset(("ana", "cai")) not in pairs
    assert frozenset(("ben", "dee")) not in pairs
    if format_name != "suggest":
        assert data["counts"]["enrolled"] == 5
        assert data["counts"]["matched"] + data["counts"]["unmatched"] == 5


def test_the_peercoach_command_dispatches_to_match(tmp_path, capsys):
    from peercoach.cli import main as peercoach_main

    people = people_csv(tmp_path / "people.csv", small_company_rows())
    out = tmp_path / "matches.csv"
    assert peercoach_main(["match", "pairs", str(people), "--out", str(out)]) == 0
    assert "Matched 4 of 5 enrolled people" in capsys.readouterr().out
    assert out.read_text().startswith("group_id,person_id\n")
    assert peercoach_main(["no-such-command"]) == 2
