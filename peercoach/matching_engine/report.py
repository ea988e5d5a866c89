"""Write results to disk: matches.csv, report.json and the feasible-graph dump.

Everything is written to a temporary file next to its target and renamed into place only
once all outputs are ready, so a failed run never leaves half-written or stale-looking files.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from peercoach.matching_engine.model import MatchResult


def result_as_dict(result: MatchResult) -> dict[str, Any]:
    params = dataclasses.asdict(result.params)
    params["reference_date"] = result.params.reference_date.isoformat()
    return {
        "format": result.format,
        "parameters": params,
        "seed": result.params.seed,
        "counts": {
            "enrolled": result.enrolled_count,
            "matched": result.matched_count,
            "unmatched": len(result.unmatched),
            "groups": len(result.groups),
        },
        "objective": result.objective,
        "upper_bound": result.upper_bound,
        "gap": None if result.gap is None else round(result.gap, 6),
        "bound_method": result.bound_note,
        "seconds": result.seconds,
        "verification": {
            "passed": result.verification.passed,
            "groups_checked": result.verification.groups_checked,
            "people_checked": result.verification.people_checked,
            "rules": list(result.verification.rules),
            "violations": list(result.verification.violations),
        },
        "unmatched": [
            {"person_id": person.person_id, "reason": person.reason} for person in result.unmatched
        ],
        "groups": [
            {
                "group_id": group.group_id,
                "members": list(group.members),
                "score": group.score,
                "reason": group.reason,
            }
            for group in result.groups
        ],
        "suggestions": [
            {"person_id": item.person_id, "score": item.score, "reason": item.reason}
            for item in result.suggestions
        ],
    }


def matches_csv(result: MatchResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if result.format == "suggest":
        writer.writerow(["rank", "person_id", "score"])
        for rank, item in enumerate(result.suggestions, start=1):
            writer.writerow([rank, item.person_id, item.score])
        return buffer.getvalue()
    writer.writerow(["group_id", "person_id"])
    for group in result.groups:
        for member in group.members:
            writer.writerow([group.group_id, member])
    return buffer.getvalue()


def report_json(result: MatchResult) -> str:
    return json.dumps(result_as_dict(result), indent=2, ensure_ascii=False) + "\n"


def edges_csv_chunks(edges: Iterable[tuple[list[str], list[str], list[float]]]) -> Iterable[str]:
    yield "person_a,person_b,weight\n"
    for first, second, weight in edges:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerows(zip(first, second, (round(value, 6) for value in weight), strict=True))
        yield buffer.getvalue()


def write_atomically(outputs: dict[Path, Iterable[str]]) -> None:
    """Write every output to a temporary file first; rename them all only when all succeeded."""
    staged: list[tuple[Path, Path]] = []
    try:
        for target, chunks in outputs.items():
            handle, temporary = tempfile.mkstemp(
                dir=target.parent or Path("."), prefix=f".{target.name}."
            )
            staged.append((Path(temporary), target))
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
                for chunk in chunks:
                    stream.write(chunk)
        for staged_file, target in staged:
            os.replace(staged_file, target)
    finally:
        for staged_file, _ in staged:
            staged_file.unlink(missing_ok=True)
