"""`peercoach match FORMAT people.csv ...`: the command-line face of the engine."""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from peercoach.matching_engine.candidates import iter_full_graph
from peercoach.matching_engine.loading import InputError, load_population
from peercoach.matching_engine.model import FORMATS, MatchParams, MatchResult, Population, Weights
from peercoach.matching_engine.report import (
    edges_csv_chunks,
    matches_csv,
    report_json,
    write_atomically,
)
from peercoach.matching_engine.rules import build_index

WEIGHT_NAMES = tuple(field.name for field in dataclasses.fields(Weights))


def build_parser(prog: str = "peercoach match") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Match enrolled people into coaching pairs or groups, never breaking a rule.",
    )
    parser.add_argument("format", choices=FORMATS)
    parser.add_argument("people", type=Path, help="people.csv")
    parser.add_argument("--history", type=Path, help="history.csv: person_a,person_b,date")
    parser.add_argument("--blocks", type=Path, help="blocks.csv: person_id,blocked_id")
    parser.add_argument(
        "--preferences", type=Path, help="preferences.csv: person_id,preferred_id,rank"
    )
    parser.add_argument("--out", type=Path, help="write matches here (group_id,person_id)")
    parser.add_argument("--report", type=Path, help="write the JSON report here")
    parser.add_argument(
        "--dump-graph", type=Path, help="write every feasible pair with its weight here"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--date",
        type=dt.date.fromisoformat,
        default=None,
        help="reference date for time zones and the repeat window (default 2026-01-05)",
    )
    parser.add_argument(
        "--min-overlap", type=float, default=2.0, help="hours of shared working time"
    )
    parser.add_argument(
        "--repeat-window", type=int, default=180, help="days before people may meet again"
    )
    parser.add_argument(
        "--group-size", default="5-7", help="for groups: smallest-largest, e.g. 5-7"
    )
    parser.add_argument(
        "--for", dest="for_person", help="for suggest: the person to suggest peers for"
    )
    parser.add_argument("--top", type=int, default=5, help="for suggest: how many peers")
    parser.add_argument("--no-bound", action="store_true", help="skip the upper bound (faster)")
    parser.add_argument(
        "--weight",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help=f"objective weight, e.g. complementarity=3 ({', '.join(WEIGHT_NAMES)})",
    )
    return parser


def _params(arguments: argparse.Namespace, parser: argparse.ArgumentParser) -> MatchParams:
    found = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", arguments.group_size)
    if not found or not 2 <= int(found.group(1)) <= int(found.group(2)):
        parser.error("--group-size should look like 5-7, with the smaller number first (2 or more)")
    weights = Weights()
    names = {field.name for field in dataclasses.fields(Weights)}
    for item in arguments.weight:
        name, _, value = item.partition("=")
        if name not in names:
            parser.error(f"unknown weight '{name}'; choose from {', '.join(sorted(names))}")
        try:
            weights = dataclasses.replace(weights, **{name: float(value)})
        except ValueError:
            parser.error(f"the weight '{name}' needs a number, not '{value}'")
    if arguments.format == "suggest" and not arguments.for_person:
        parser.error("suggest needs --for PERSON_ID")
    extra = {"reference_date": arguments.date} if arguments.date else {}
    return MatchParams(
        format=arguments.format,
        seed=arguments.seed,
        min_overlap_hours=arguments.min_overlap,
        repeat_window_days=arguments.repeat_window,
        weights=weights,
        group_min=int(found.group(1)),
        group_max=int(found.group(2)),
        compute_bound=not arguments.no_bound,
        suggest_for=arguments.for_person,
        suggest_top=arguments.top,
        **extra,
    )


def main(argv: Sequence[str] | None = None, prog: str = "peercoach match") -> int:
    # Imported here so `--help` stays quick.
    from peercoach.matching_engine import match

    parser = build_parser(prog)
    arguments = parser.parse_args(argv)
    params = _params(arguments, parser)
    try:
        population = load_population(
            arguments.people, arguments.history, arguments.blocks, arguments.preferences
        )
        if params.suggest_for and params.suggest_for not in {p.id for p in population.people}:
            raise InputError(
                str(arguments.people), None, "id", f"nobody has the id '{params.suggest_for}'"
            )
        result = match(population, params)
    except InputError as error:
        print(f"Sorry, the input needs fixing: {error}", file=sys.stderr)
        return 2
    if not result.verification.passed:
        # Should never happen; refusing to write is safer than writing a rule-breaking match.
        print("A hard rule check failed, so nothing was written:", file=sys.stderr)
        for violation in result.verification.violations[:20]:
            print(f"  {violation}", file=sys.stderr)
        return 3
    outputs: dict[Path, Iterable[str]] = {}
    if arguments.out:
        outputs[arguments.out] = [matches_csv(result)]
    if arguments.report:
        outputs[arguments.report] = [report_json(result)]
    if arguments.dump_graph:
        outputs[arguments.dump_graph] = edges_csv_chunks(_graph_rows(population, params))
    write_atomically(outputs)
    print(_summary(result))
    return 0


def _graph_rows(
    population: Population, params: MatchParams
) -> Iterator[tuple[list[str], list[str], list[float]]]:
    index = build_index(population, params)
    ids = [person.id for person in index.people]
    for block in iter_full_graph(index):
        yield (
            [ids[person] for person in block.first.tolist()],
            [ids[person] for person in block.second.tolist()],
            block.weight.tolist(),
        )


def _summary(result: MatchResult) -> str:
    if result.format == "suggest":
        lines = [f"Suggested peers for {result.params.suggest_for}:"]
        lines += [
            f"  {item.person_id} ({item.score:g}): {item.reason}" for item in result.suggestions
        ]
        if not result.suggestions:
            lines.append("  nobody fits every rule right now.")
        return "\n".join(lines)
    lines = [
        f"Matched {result.matched_count} of {result.enrolled_count} enrolled people "
        f"into {len(result.groups)} {result.format if result.format != 'rotation' else 'groups'} "
        f"in {result.seconds:g} s.",
        f"Objective {result.objective:g}"
        + (
            f", upper bound {result.upper_bound:g} (gap {result.gap:.2%})."
            if result.gap is not None
            else "."
        ),
        f"All {len(result.verification.rules)} hard rules re-checked on every group: passed.",
    ]
    if result.unmatched:
        lines.append(f"{len(result.unmatched)} could not be matched; the report says why for each.")
    return "\n".join(lines)
