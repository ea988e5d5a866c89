"""A random-coffee style round: random pairs among feasible partners, never a recent repeat.

Random weights on a graph of random feasible partners, solved with the same exact matcher as
pairs, give a random pairing that still matches as many people as the rules allow. The seed
in the report replays the round exactly.
"""

from __future__ import annotations

import time

import numpy as np

from peercoach.matching_engine.assemble import finish
from peercoach.matching_engine.candidates import FULL_GRAPH_LIMIT, full_graph, random_graph
from peercoach.matching_engine.model import MatchParams, MatchResult, Population
from peercoach.matching_engine.pairs import add_leftovers_to_pairs, solve_matching
from peercoach.matching_engine.rules import build_index


def match_rotation(population: Population, params: MatchParams) -> MatchResult:
    started = time.perf_counter()
    index = build_index(population, params)
    rng = np.random.default_rng(params.seed)
    graph = full_graph(index) if index.size <= FULL_GRAPH_LIMIT else random_graph(index, rng)
    random_weights = rng.random(len(graph.first))
    pairs = solve_matching(index.size, graph.first, graph.second, random_weights)
    groups = add_leftovers_to_pairs(index, pairs)
    return finish(
        population, index, "rotation", groups, None, "not meaningful for a random round", started
    )
