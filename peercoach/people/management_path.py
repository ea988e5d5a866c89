"""Materialized management paths: pure functions, no database.

A path is the concatenation of fixed-width, zero-padded decimal person ids from the top of the
organization down to the person. Digits only, so every database collation sorts paths exactly as
bytes; that lets "everyone under X" be the index range [path, next_path) on SQLite and PostgreSQL
alike, with no LIKE and no collation-dependent operator classes.
"""

from __future__ import annotations

SEGMENT_WIDTH = 12  # room for a trillion people ids


def segment(person_id: int) -> str:
    if person_id < 0 or person_id >= 10**SEGMENT_WIDTH:
        raise ValueError(f"Person id {person_id} does not fit a management path segment.")
    return str(person_id).zfill(SEGMENT_WIDTH)


def child_path(manager_path: str, person_id: int) -> str:
    return manager_path + segment(person_id)


def depth(path: str) -> int:
    return len(path) // SEGMENT_WIDTH


def ancestor_ids(path: str) -> list[int]:
    """Ids of every manager above the person, top first (the person excluded)."""
    return [
        int(path[i : i + SEGMENT_WIDTH]) for i in range(0, len(path) - SEGMENT_WIDTH, SEGMENT_WIDTH)
    ]


def subtree_upper_bound(path: str) -> str:
    """The smallest path greater than every path starting with `path`."""
    return str(int(path) + 1).zfill(len(path))


def is_above(upper: str, lower: str) -> bool:
    """True when `upper` manages `lower` directly or at any depth."""
    return len(upper) < len(lower) and lower.startswith(upper)


def related(a: str, b: str) -> bool:
    return is_above(a, b) or is_above(b, a)
