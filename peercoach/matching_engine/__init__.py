"""Peer matching: plain data in, plain data out. Nothing here imports Django.

    from peercoach.matching_engine import MatchParams, Person, Population, match
    result = match(Population(people=(...)), MatchParams(format="pairs"))
"""

from __future__ import annotations

from peercoach.matching_engine.model import (
    FORMATS,
    Block,
    Group,
    HistoryEntry,
    MatchParams,
    MatchResult,
    Person,
    Population,
    Preference,
    Suggestion,
    Unmatched,
    Verification,
    Weights,
)
from peercoach.matching_engine.pairs import match_pairs

__all__ = [
    "FORMATS",
    "Block",
    "Group",
    "HistoryEntry",
    "MatchParams",
    "MatchResult",
    "Person",
    "Population",
    "Preference",
    "Suggestion",
    "Unmatched",
    "Verification",
    "Weights",
    "match",
    "match_pairs",
]


def match(population: Population, params: MatchParams) -> MatchResult:
    """Run the format named in params.format."""
    if params.format == "pairs":
        return match_pairs(population, params)
    raise ValueError(f"Unknown format {params.format!r}; choose one of {', '.join(FORMATS)}.")
