"""Plain data the engine takes in and gives back. No behaviour beyond small conveniences."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

FORMATS = ("pairs", "triads", "groups", "rotation", "suggest")


@dataclass(frozen=True, slots=True)
class Person:
    id: str
    name: str = ""
    manager_id: str | None = None
    department: str = ""
    level: int = 0
    timezone: str = "UTC"
    # Local working hours as whole hours; an end before the start means a night shift.
    hours: tuple[int, int] = (9, 17)
    languages: tuple[str, ...] = ("en",)
    wants: tuple[str, ...] = ()
    offers: tuple[str, ...] = ()
    enrolled: bool = True

    @property
    def display_name(self) -> str:
        return self.name or self.id


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """Two people who were paired, or sat in the same group, on `date`."""

    person_a: str
    person_b: str
    date: dt.date


@dataclass(frozen=True, slots=True)
class Block:
    """A private veto: `person_id` never wants to be matched with `blocked_id` (and vice versa)."""

    person_id: str
    blocked_id: str


@dataclass(frozen=True, slots=True)
class Preference:
    """`person_id` would like to be matched with `preferred_id`; rank 1 is the first choice."""

    person_id: str
    preferred_id: str
    rank: int = 1


@dataclass(frozen=True, slots=True)
class Population:
    """Everyone in the organization (managers too, enrolled or not) plus the optional extras."""

    people: tuple[Person, ...]
    history: tuple[HistoryEntry, ...] = ()
    blocks: tuple[Block, ...] = ()
    preferences: tuple[Preference, ...] = ()


@dataclass(frozen=True, slots=True)
class Weights:
    """How much each part of the objective counts; see docs/matching.md for the formula."""

    complementarity: float = 3.0  # per topic one wants and the other offers, each direction
    seniority: float = 1.5  # full when levels are equal, fading to zero at 3 levels apart
    different_department: float = 1.0
    preference: float = 2.0  # one-sided choice, divided by its rank
    mutual_preference: float = 4.0  # extra when both chose each other
    overlap: float = 1.0  # full at 4 or more hours beyond the minimum shared time
    repeat_penalty: float = 2.0  # per earlier pairing outside the window, halving every year


@dataclass(frozen=True, slots=True)
class MatchParams:
    format: str = "pairs"
    seed: int = 1
    reference_date: dt.date = field(default_factory=lambda: dt.date(2026, 1, 5))
    min_overlap_hours: float = 2.0
    repeat_window_days: int = 180
    weights: Weights = field(default_factory=Weights)
    group_min: int = 5
    group_max: int = 7
    # Candidate graph density; more partners per person means closer to the optimum, slower.
    candidates_per_person: int = 0  # 0 chooses by size
    random_partners: int = 6
    compute_bound: bool = True
    suggest_for: str | None = None
    suggest_top: int = 5


@dataclass(frozen=True, slots=True)
class Group:
    group_id: str
    members: tuple[str, ...]
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class Unmatched:
    person_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    person_id: str
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class Verification:
    """Every hard rule re-checked on the final groups, independently of the solver."""

    groups_checked: int
    people_checked: int
    rules: tuple[str, ...]
    violations: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.violations


@dataclass(frozen=True, slots=True)
class MatchResult:
    format: str
    params: MatchParams
    enrolled_count: int
    groups: tuple[Group, ...]
    unmatched: tuple[Unmatched, ...]
    objective: float
    upper_bound: float | None
    bound_note: str
    seconds: float
    verification: Verification
    suggestions: tuple[Suggestion, ...] = ()

    @property
    def matched_count(self) -> int:
        return sum(len(group.members) for group in self.groups)

    @property
    def gap(self) -> float | None:
        if self.upper_bound is None or self.upper_bound <= 0:
            return None
        return max(0.0, (self.upper_bound - self.objective) / self.upper_bound)
