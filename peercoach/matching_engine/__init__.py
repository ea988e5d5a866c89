"""Peer matching: plain data in, plain data out. Nothing here imports Django.

from peercoach.matching_engine import MatchParams, Person, Population, match
result = match(Population(people=(...)), MatchParams(format="pairs"))
"""

from __future__ import annotations

from peercoach.matching_engine.groups import match_groups
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
from peercoach.matching_engine.rotation import match_rotation
from peercoach.matching_engine.suggest import suggest_peers

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
    "match_groups",
    "match_pairs",
    "match_rotation",
    "suggest_peers",
]


def match(population: Population, params: MatchParams) -> MatchResult:
    """Run the format named in params.format."""
    if params.format == "pairs":
        return match_pairs(population, params)
    if params.format in ("triads", "groups"):
        return match_groups(population, params)
    if params.format == "rotation":
        return match_rotation(population, params)
    if params.format == "suggest":
        return suggest_peers(population, params)
    raise ValueError(f"Unknown format {params.format!r}; choose one of {', '.join(FORMATS)}.")
