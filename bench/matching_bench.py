"""Benchmark the matching engine against the baselines people actually use.

    uv run python bench/matching_bench.py --quick      # about a minute
    uv run python bench/matching_bench.py              # adds 10,000 and 100,000 enrolled

For each organization shape it prints, for pairs: our engine, random pairing with repeat
avoidance (what coffee-pairing bots do), greedy by weight, and an exact maximum-weight
matching of the full feasible graph where that finishes (rustworkx up to --rustworkx-limit
enrolled, our exact solver on the full graph up to --exact-limit). Figures: % of the exact
optimum, % of the proven upper bound, matched people against a maximum-cardinality matching,
seconds and peak memory (each method runs in a fresh process). Then triads and groups.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import multiprocessing
import os
import resource
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from peercoach.matching_engine import MatchParams, Person, Population, match
from peercoach.matching_engine.candidates import candidate_graph, full_graph
from peercoach.matching_engine.pairs import solve_matching
from peercoach.matching_engine.rules import build_index
from peercoach.sample_org import generate_organization


@dataclass(frozen=True)
class Shape:
    label: str
    enrolled: int
    shape: str
    time_zones: str
    share: float


def population_for(case: Shape, seed: int = 1) -> Population:
    size = max(2, round(case.enrolled / case.share))
    people = generate_organization(
        size, seed, shape=case.shape, time_zones=case.time_zones, enrolled_share=case.share
    )
    return Population(
        people=tuple(
            Person(
                id=p.employee_id,
                name=p.name,
                manager_id=p.manager_id,
                department=p.department,
                level=p.level,
                timezone=p.timezone,
                hours=p.hours,
                languages=p.languages,
                wants=p.wants,
                offers=p.offers,
                enrolled=p.enrolled,
            )
            for p in people
        )
    )


def _peak_mb() -> float:
    """This process's peak plus two workers at their peak: a ceiling on memory in use at once."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return (own + 2 * workers) / 1024


def _cpu_seconds() -> float:
    """CPU time of this process and of the worker processes it waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def run_method(case: Shape, method: str, with_bound: bool) -> dict[str, Any]:
    """Runs in a fresh process so peak memory belongs to this method alone."""
    population = population_for(case)
    params = MatchParams(compute_bound=with_bound)
    started = time.perf_counter()
    cpu_started = _cpu_seconds()
    row: dict[str, Any] = {"method": method}
    if method == "ours":
        result = match(population, params)
        row.update(
            objective=result.objective, matched=result.matched_count, bound=result.upper_bound
        )
        row["enrolled"] = result.enrolled_count
        row["passed"] = result.verification.passed
        row["bound_method"] = result.bound_note
    else:
        index = build_index(population, params)
        row["enrolled"] = index.size
        pairs, objective = BASELINES[method](index)
        row.update(objective=objective, matched=2 * len(pairs))
    row["seconds"] = time.perf_counter() - started
    row["cpu_seconds"] = _cpu_seconds() - cpu_started
    if method == "ours" and with_bound:
        started = time.perf_counter()
        row["seconds_without_bound"] = match(population, MatchParams(compute_bound=False)).seconds
    row["peak_mb"] = _peak_mb()
    return row


def _value(index: Any, pairs: list[tuple[int, int]]) -> float:
    from peercoach.matching_engine.scoring import pair_scores

    if not pairs:
        return 0.0
    array = np.array(pairs, dtype=np.int64)
    return float(pair_scores(index, array[:, 0], array[:, 1]).sum())


def random_with_repeat_avoidance(index: Any) -> tuple[list[tuple[int, int]], float]:
    """Shuffle, then pair each person with the next free person the rules allow."""
    rng = np.random.default_rng(1)
    order = rng.permutation(index.size)
    free = np.ones(index.size, dtype=bool)
    pairs = []
    for position, person in enumerate(order.tolist()):
        if not free[person]:
            continue
        later = order[position + 1 : position + 200]
        later = later[free[later]]
        if len(later) == 0:
            continue
        fits = later[index.feasible(np.full(len(later), person), later)]
        if len(fits):
            partner = int(fits[0])
            free[[person, partner]] = False
            pairs.append((min(person, partner), max(person, partner)))
    return pairs, _value(index, pairs)


def greedy(index: Any) -> tuple[list[tuple[int, int]], float]:
    """Heaviest feasible pair first, on the full graph where it fits, else the candidate graph."""
    graph = full_graph(index) if index.size <= 5_000 else candidate_graph(index)
    free = np.ones(index.size, dtype=bool)
    pairs = []
    for spot in np.argsort(-graph.weight, kind="stable").tolist():
        first, second = int(graph.first[spot]), int(graph.second[spot])
        if free[first] and free[second]:
            free[[first, second]] = False
            pairs.append((first, second))
    return pairs, _value(index, pairs)


def exact_full_graph(index: Any) -> tuple[list[tuple[int, int]], float]:
    graph = full_graph(index)
    pairs = solve_matching(index.size, graph.first, graph.second, graph.weight, strict=True)
    return pairs, _value(index, pairs)


def exact_rustworkx(index: Any) -> tuple[list[tuple[int, int]], float]:
    import rustworkx

    graph = full_graph(index)
    network = rustworkx.PyGraph()
    network.add_nodes_from(range(index.size))
    scaled = np.rint(graph.weight * 1000).astype(np.int64).tolist()
    network.add_edges_from(
        list(zip(graph.first.tolist(), graph.second.tolist(), scaled, strict=True))
    )
    found = rustworkx.max_weight_matching(network, max_cardinality=True, weight_fn=int)
    pairs = [(min(a, b), max(a, b)) for a, b in found]
    return pairs, _value(index, pairs)


def maximum_cardinality(index: Any) -> tuple[list[tuple[int, int]], float]:
    """All weights equal: the exact solver then just matches as many people as possible."""
    graph = full_graph(index)
    zero = np.zeros(len(graph.first))
    pairs = solve_matching(index.size, graph.first, graph.second, zero, strict=True)
    return pairs, 0.0


BASELINES = {
    "random (repeat-avoiding)": random_with_repeat_avoidance,
    "greedy": greedy,
    "exact, full graph (pymatching)": exact_full_graph,
    "exact, full graph (rustworkx)": exact_rustworkx,
    "max cardinality": maximum_cardinality,
}


def in_fresh_process(case: Shape, method: str, with_bound: bool) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        return pool.submit(run_method, case, method, with_bound).result()


def _print_row(*cells: object) -> None:
    print("| " + " | ".join(str(cell) for cell in cells) + " |", flush=True)


def pairs_table(cases: list[Shape], exact_limit: int, rustworkx_limit: int) -> None:
    print("\n## Pairs\n")
    _print_row(
        "organization",
        "enrolled",
        "method",
        "objective",
        "% of exact",
        "% of bound",
        "matched / max",
        "seconds",
        "CPU s",
        "peak MB",
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    methods_seen: list[str] = []
    for case in cases:
        ours = in_fresh_process(case, "ours", True)
        if ours.get("bound_method") and ours["bound_method"] not in methods_seen:
            methods_seen.append(ours["bound_method"])
        rows = [ours]
        for method in ("random (repeat-avoiding)", "greedy"):
            rows.append(in_fresh_process(case, method, False))
        exact = None
        if case.enrolled <= rustworkx_limit:
            rows.append(in_fresh_process(case, "exact, full graph (rustworkx)", False))
            exact = rows[-1]["objective"]
        if case.enrolled <= exact_limit:
            rows.append(in_fresh_process(case, "exact, full graph (pymatching)", False))
            exact = rows[-1]["objective"]
            most = in_fresh_process(case, "max cardinality", False)["matched"]
        else:
            most = None
        bound = ours.get("bound")
        for row in rows:
            percent_exact = f"{100 * row['objective'] / exact:.2f}" if exact else "-"
            percent_bound = f"{100 * row['objective'] / bound:.2f}" if bound else "-"
            seconds = f"{row['seconds']:.2f}"
            if row["method"] == "ours" and "seconds_without_bound" in row:
                bound_seconds = row["seconds"] - row["seconds_without_bound"]
                seconds = f"{row['seconds_without_bound']:.2f} (+bound {bound_seconds:.1f})"
            cardinality = (
                f"{row['matched']} / {most if most is not None else '≤' + str(row['enrolled'])}"
            )
            _print_row(
                case.label,
                row["enrolled"],
                row["method"],
                f"{row['objective']:.1f}",
                percent_exact,
                percent_bound,
                cardinality,
                seconds,
                f"{row['cpu_seconds']:.1f}",
                f"{row['peak_mb']:.0f}",
            )
    for note in methods_seen:
        print(f"\nBound method: {note}")
    # Wall seconds depend on what else the machine runs; CPU seconds much less so.
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nLoad average at the end (1, 5, 15 min): {load}")


def run_groups(case: Shape, format_name: str) -> dict[str, Any]:
    population = population_for(case)
    started = time.perf_counter()
    result = match(population, MatchParams(format=format_name))
    return {
        "enrolled": result.enrolled_count,
        "objective": result.objective,
        "bound": result.upper_bound,
        "matched": result.matched_count,
        "seconds": time.perf_counter() - started,
        "passed": result.verification.passed,
        "peak_mb": _peak_mb(),
    }


def groups_table(cases: list[Shape]) -> None:
    print("\n## Triads and groups (5-7)\n")
    _print_row(
        "organization",
        "enrolled",
        "format",
        "objective",
        "bound",
        "% of bound",
        "matched",
        "seconds",
        "peak MB",
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for case in cases:
        for format_name in ("triads", "groups"):
            context = multiprocessing.get_context("spawn")
            with concurrent.futures.ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                row = pool.submit(run_groups, case, format_name).result()
            bound = row["bound"]
            percent = f"{100 * row['objective'] / bound:.1f}" if bound else "-"
            _print_row(
                case.label,
                row["enrolled"],
                format_name,
                f"{row['objective']:.1f}",
                "-" if bound is None else f"{bound:.1f}",
                percent,
                row["matched"],
                f"{row['seconds']:.1f}",
                f"{row['peak_mb']:.0f}",
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes only (about a minute)")
    parser.add_argument(
        "--sizes", default="", help="comma-separated enrolled counts, e.g. 500,2000"
    )
    parser.add_argument("--exact-limit", type=int, default=2_000)
    parser.add_argument("--rustworkx-limit", type=int, default=600)
    parser.add_argument(
        "--group-sizes", default="", help="enrolled counts for triads and groups (0: none)"
    )
    arguments = parser.parse_args()
    if arguments.sizes:
        sizes = [int(size) for size in arguments.sizes.split(",")]
    else:
        sizes = [400, 1_500] if arguments.quick else [400, 1_900, 10_000, 100_000]
    group_sizes = (
        [int(size) for size in arguments.group_sizes.split(",")]
        if arguments.group_sizes
        else ([400] if arguments.quick else [1_000, 10_000])
    )
    variants = [
        ("balanced, many zones, 60%", "balanced", "many", 0.6),
        ("deep, one office, 30%", "deep", "one", 0.3),
        ("flat, many zones, 90%", "flat", "many", 0.9),
    ]
    cases = [
        Shape(f"{label}", size, shape, zones, share)
        for size in sizes
        for label, shape, zones, share in variants
    ]
    if arguments.quick:
        cases = cases[:4]
    elif len(sizes) > 2:
        # One shape at the largest sizes keeps the full run under half an hour.
        cases = [case for case in cases if case.enrolled <= 2_000 or case.shape == "balanced"]
    pairs_table(cases, arguments.exact_limit, arguments.rustworkx_limit)
    if group_sizes == [0]:  # --group-sizes 0: pairs only
        return
    groups_table(
        [Shape("balanced, many zones, 60%", size, "balanced", "many", 0.6) for size in group_sizes]
    )


if __name__ == "__main__":
    main()
