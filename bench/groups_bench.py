"""Benchmark triads and groups: our objective beside the best upper bound we can prove.

    uv run python bench/groups_bench.py --quick        # small sizes with CP-SAT, and 1,000
    uv run python bench/groups_bench.py                # adds 10,000 enrolled
    uv run python bench/groups_bench.py --sizes 10000 --formats groups --packing-rounds 1
                                  # the set-of-five bound there: about 1.5 hours on two cores,
                                  # its rounds printed on standard error as they end

Small organizations (up to --cpsat-limit enrolled) are also solved by CP-SAT (OR-Tools) on an
exact model, given --cpsat-seconds: it proves its own upper bound and often finds the optimum.
"best bound" is the smallest proven bound (ours or CP-SAT's); "% of bound" is ours against it.
The CP-SAT model is a relaxation in one respect: it checks the group-wide language and window
rules for every three members rather than for the whole group, so its bound stays valid.

Seconds are wall-clock and CPU for the match without the bound (the machine is shared), then
the time the bound took. Each case runs in a fresh process so peak memory is its own.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import math
import multiprocessing
import resource
import sys
import time
from itertools import combinations
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from matching_bench import Shape, population_for

from peercoach.matching_engine import MatchParams, match
from peercoach.matching_engine.candidates import full_graph
from peercoach.matching_engine.group_bounds import (
    TRIAD_LP_LIMIT,
    triad_bound_by_blocks,
    triad_upper_bound,
)
from peercoach.matching_engine.groups import GROUP_PACKING_LIMIT, GROUP_TRIAD_LIMIT
from peercoach.matching_engine.rules import RuleIndex, build_index
from peercoach.matching_engine.scoring import group_score
from peercoach.matching_engine.set_bounds import packing_bound


def cpsat_reference(
    index: RuleIndex,
    sizes: list[int],
    least_matched: int,
    most_of_size: dict[int, int],
    seconds: float,
    hint: list[list[int]],
) -> dict[str, Any]:
    """Clique-partition model: t_uv = 1 when u and v share a group.

    Transitivity makes the t's a partition; each matched person's degree is (k - 1) for the
    size k they pick; the objective gives each pair w/(k - 1), rounded up so the bound holds.
    """
    from ortools.sat.python import cp_model

    graph = full_graph(index)
    edges = list(zip(graph.first.tolist(), graph.second.tolist(), strict=True))
    weight = dict(zip(edges, graph.weight.tolist(), strict=True))
    model = cp_model.CpModel()
    together = {edge: model.new_bool_var(f"t{edge}") for edge in edges}
    neighbours: list[set[int]] = [set() for _ in range(index.size)]
    for first, second in edges:
        neighbours[first].add(second)
        neighbours[second].add(first)

    def pair(first: int, second: int) -> Any:
        return together.get((min(first, second), max(first, second)))

    for person in range(index.size):
        for first, second in combinations(sorted(neighbours[person]), 2):
            across = pair(first, second)
            if across is None:
                model.add(pair(person, first) + pair(person, second) <= 1)
            elif person < first:
                one, two = pair(person, first), pair(person, second)
                model.add(one + two - across <= 1)
                model.add(one + across - two <= 1)
                model.add(two + across - one <= 1)
                if not index.group_feasible([person, first, second]):
                    model.add(one + two + across <= 1)
    size_of: dict[int, dict[int, Any]] = {}
    matched = []
    for person in range(index.size):
        choice = {size: model.new_bool_var(f"s{person},{size}") for size in sizes}
        size_of[person] = choice
        is_matched = model.new_bool_var(f"m{person}")
        matched.append(is_matched)
        model.add(sum(choice.values()) == is_matched)
        model.add(
            sum(pair(person, other) for other in neighbours[person])
            == sum((size - 1) * chosen for size, chosen in choice.items())
        )
    model.add(sum(matched) >= least_matched)
    for size, most in most_of_size.items():
        model.add(sum(size_of[person][size] for person in range(index.size)) <= most * size)
    scale = 1000
    terms = []
    for (first, second), value in weight.items():
        for size in sizes:
            counted = model.new_bool_var("")
            model.add_implication(counted, together[(first, second)])
            model.add_implication(counted, size_of[first][size])
            terms.append(math.ceil(value * scale / (size - 1)) * counted)
    model.maximize(sum(terms))
    group_of = {member: number for number, group in enumerate(hint) for member in group}
    for (first, second), variable in together.items():
        same = first in group_of and group_of.get(first) == group_of.get(second)
        model.add_hint(variable, int(same))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return {"status": solver.status_name(status), "bound": None, "best": None}
    groups: dict[int, list[int]] = {}
    root = list(range(index.size))

    def find(person: int) -> int:
        while root[person] != person:
            root[person] = root[root[person]]
            person = root[person]
        return person

    for (first, second), variable in together.items():
        if solver.value(variable):
            root[find(first)] = find(second)
    for person in range(index.size):
        if solver.value(matched[person]):
            groups.setdefault(find(person), []).append(person)
    best = sum(group_score(index, group) for group in groups.values())
    return {
        "status": solver.status_name(status),
        "bound": solver.best_objective_bound / scale,
        "best": best,
    }


def _cpu_seconds() -> float:
    """CPU seconds of this process and of its finished children (the block workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def deeper_bound(
    population: Any, format_name: str, groups: Any, packing_rounds: int
) -> float | None:
    """Bounds too slow for the engine's own report: the triad LP above the engine's limits
    (for triads, and for groups as a packing of triads); for groups, when `packing_rounds` asks
    for it, the set-packing LP over sets of the smallest size instead, generated (set_bounds.py)
    with that many exact rounds: it is the tighter of the two (at 10,000 enrolled, 40,924
    against 45,712), and the triad LP would add 25 minutes there."""
    index = build_index(population, MatchParams(format=format_name))
    members = [[index.position[member] for member in group.members] for group in groups]
    if format_name == "triads" and index.size > TRIAD_LP_LIMIT:
        leftover_pairs = sum(len(group) == 2 for group in members)
        return triad_bound_by_blocks(index, leftover_pairs)[0]
    if format_name != "groups":
        return None
    if index.size > GROUP_PACKING_LIMIT and packing_rounds > 0:
        least = min([5, *(len(group) for group in members)])
        packing = packing_bound(
            index, least, seed_groups=members, exact_rounds=packing_rounds, report=_progress
        )[0]
        if packing is not None:
            return packing
    if index.size > GROUP_TRIAD_LIMIT:
        large = index.size > TRIAD_LP_LIMIT  # the triad LP from blocks, then everyone
        return (triad_bound_by_blocks(index) if large else triad_upper_bound(index))[0]
    return None


def _progress(line: str) -> None:
    """The set-of-five bound's rounds, on standard error: at 10,000 people they take hours."""
    print(f"    {time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)


def run_case(
    case: Shape, format_name: str, cpsat_seconds: float, cpsat: bool, packing_rounds: int = 0
) -> dict[str, Any]:
    population = population_for(case)
    wall, cpu = time.perf_counter(), _cpu_seconds()
    plain = match(population, MatchParams(format=format_name, compute_bound=False))
    row: dict[str, Any] = {
        "enrolled": plain.enrolled_count,
        "objective": plain.objective,
        "matched": plain.matched_count,
        "passed": plain.verification.passed,
        "wall": time.perf_counter() - wall,
        "cpu": _cpu_seconds() - cpu,
    }
    started = time.perf_counter()
    bounded = match(population, MatchParams(format=format_name))
    row["bound"] = bounded.upper_bound
    # The same match again, now with the bound: the difference is the bound's time.
    row["bound_seconds"] = max(0.0, time.perf_counter() - started - row["wall"])
    row["deterministic"] = bounded.groups == plain.groups
    started = time.perf_counter()
    deeper = deeper_bound(population, format_name, plain.groups, packing_rounds)
    row["deeper_seconds"] = time.perf_counter() - started
    if deeper is not None and (row["bound"] is None or deeper < row["bound"]):
        row["bound"] = deeper
    if cpsat:
        params = MatchParams(format=format_name)
        index = build_index(population, params)
        ours = [[index.position[member] for member in group.members] for group in plain.groups]
        used = [len(group) for group in ours]
        if format_name == "triads":
            sizes, most = [2, 3, 4], {2: used.count(2), 4: used.count(4)}
        else:
            sizes, most = list(range(params.group_min, params.group_max + 1)), {}
        row["cpsat"] = cpsat_reference(index, sizes, plain.matched_count, most, cpsat_seconds, ours)
    row["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return row


def _print_row(*cells: object) -> None:
    print("| " + " | ".join(str(cell) for cell in cells) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", default="", help="enrolled counts, e.g. 30,60,1000,10000")
    parser.add_argument("--cpsat-limit", type=int, default=60)
    parser.add_argument("--cpsat-seconds", type=float, default=60.0)
    parser.add_argument(
        "--packing-rounds",
        type=int,
        default=0,
        help="groups above the engine's limit: rounds of the generated set-packing bound",
    )
    parser.add_argument("--formats", default="triads,groups", help="e.g. groups alone")
    arguments = parser.parse_args()
    if arguments.sizes:
        sizes = [int(size) for size in arguments.sizes.split(",")]
    else:
        sizes = [30, 60, 1_000] if arguments.quick else [30, 60, 1_000, 10_000]
    shapes = [
        ("flat, one office, 90%", "flat", "one", 0.9),
        ("balanced, many zones, 60%", "balanced", "many", 0.6),
        ("deep, one office, 30%", "deep", "one", 0.3),
    ]
    _print_row(
        "organization",
        "enrolled",
        "format",
        "ours",
        "our bound",
        "CP-SAT best / bound",
        "best bound",
        "% of bound",
        "matched",
        "seconds (wall / CPU)",
        "bound s (engine + deeper)",
        "peak MB",
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size in sizes:
        for label, shape, zones, share in shapes if size <= 1_000 else shapes[1:2]:
            case = Shape(label, size, shape, zones, share)
            for format_name in arguments.formats.split(","):
                cpsat = size <= arguments.cpsat_limit
                context = multiprocessing.get_context("spawn")
                with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
                    row = pool.submit(
                        run_case,
                        case,
                        format_name,
                        arguments.cpsat_seconds,
                        cpsat,
                        arguments.packing_rounds,
                    ).result()
                bounds = [row["bound"]]
                reference = "-"
                if "cpsat" in row:
                    found = row["cpsat"]
                    bounds.append(found["bound"])
                    best = "-" if found["best"] is None else f"{found['best']:.1f}"
                    proven = "-" if found["bound"] is None else f"{found['bound']:.1f}"
                    reference = f"{best} / {proven} ({found['status'].lower()})"
                best_bound = min(bound for bound in bounds if bound is not None)
                _print_row(
                    label,
                    row["enrolled"],
                    format_name,
                    f"{row['objective']:.1f}",
                    f"{row['bound']:.1f}",
                    reference,
                    f"{best_bound:.1f}",
                    f"{100 * row['objective'] / best_bound:.1f}",
                    f"{row['matched']}{'' if row['passed'] else ' RULE BROKEN'}"
                    f"{'' if row['deterministic'] else ' NOT REPEATABLE'}",
                    f"{row['wall']:.1f} / {row['cpu']:.1f}",
                    f"{row['bound_seconds']:.1f} + {row['deeper_seconds']:.1f}",
                    f"{row['peak_mb']:.0f}",
                )


if __name__ == "__main__":
    main()
