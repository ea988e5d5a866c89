"""Whatever the organization, no output ever breaks a hard rule."""

from __future__ import annotations

import datetime as dt
from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peercoach.matching_engine import Block, HistoryEntry, match
from peercoach.matching_engine.tests.helpers import REFERENCE_DATE, params, person, population

ZONES = [
    "Europe/London",
    "America/New_York",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "America/Los_Angeles",
    "Australia/Sydney",
]
LANGUAGES = ["en", "es", "ja", "de"]
TOPICS = ["negotiation", "feedback", "delegation", "hiring"]


@st.composite
def organizations(draw):
    size = draw(st.integers(min_value=2, max_value=24))
    people = []
    for number in range(size):
        manager = draw(st.one_of(st.none(), st.integers(0, number - 1))) if number else None
        people.append(
            person(
                f"p{number}",
                manager_id=None if manager is None else f"p{manager}",
                timezone=draw(st.sampled_from(ZONES)),
                hours=draw(st.sampled_from([(9, 17), (8, 16), (22, 6), (12, 20)])),
                languages=tuple(draw(st.sets(st.sampled_from(LANGUAGES), min_size=1, max_size=2))),
                wants=tuple(draw(st.sets(st.sampled_from(TOPICS), max_size=2))),
                offers=tuple(draw(st.sets(st.sampled_from(TOPICS), max_size=2))),
                level=draw(st.integers(1, 5)),
                enrolled=draw(st.booleans()) or number % 3 != 0,
            )
        )
    ids = [item.id for item in people]
    pair = st.tuples(st.sampled_from(ids), st.sampled_from(ids))
    blocks = tuple(Block(a, b) for a, b in draw(st.lists(pair, max_size=4)))
    history = tuple(
        HistoryEntry(a, b, REFERENCE_DATE - dt.timedelta(days=days))
        for (a, b), days in draw(st.lists(st.tuples(pair, st.integers(0, 500)), max_size=4))
    )
    return population(*people, blocks=blocks, history=history)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    organizations(), st.sampled_from(["pairs", "triads", "groups", "rotation"]), st.integers(1, 2)
)
def test_no_hard_rule_is_ever_broken(org, format_name, overlap_hours):
    result = match(
        org,
        params(
            format=format_name,
            min_overlap_hours=overlap_hours,
            group_min=3,
            group_max=4,
        ),
    )
    assert result.verification.passed, result.verification.violations
    people = {item.id: item for item in org.people}
    seen = [member for group in result.groups for member in group.members]
    assert len(seen) == len(set(seen))
    assert all(people[member].enrolled for member in seen)
    for group in result.groups:
        for first, second in combinations(group.members, 2):
            assert {first, second} not in [
                {block.person_id, block.blocked_id} for block in org.blocks
            ]
    enrolled = sum(item.enrolled for item in org.people)
    assert len(seen) + len(result.unmatched) == enrolled
