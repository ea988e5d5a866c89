from __future__ import annotations

import datetime as dt

from peercoach.matching_engine import Block, HistoryEntry, match
from peercoach.matching_engine.rules import utc_window, window_overlap
from peercoach.matching_engine.tests.helpers import REFERENCE_DATE, params, person, population
from peercoach.matching_engine.verify import verify_groups


def matched_pairs(result):
    return {frozenset(group.members) for group in result.groups}


def test_it_never_pairs_someone_with_their_manager_at_any_depth():
    people = population(
        person("top", enrolled=True),
        person("middle", manager_id="top", enrolled=False),
        person("bottom", manager_id="middle"),
    )
    result = match(people, params())
    assert result.groups == ()
    assert {item.person_id for item in result.unmatched} == {"top", "bottom"}
    assert "management chain" in result.unmatched[0].reason


def test_it_needs_a_shared_language():
    result = match(
        population(person("a", languages=("en",)), person("b", languages=("ja",))), params()
    )
    assert result.groups == ()
    assert result.unmatched[0].reason == "no enrolled peer shares a language"


def test_it_needs_enough_shared_working_time():
    far_apart = population(
        person("a", timezone="America/Los_Angeles"), person("b", timezone="Asia/Kolkata")
    )
    result = match(far_apart, params())
    assert result.groups == ()
    assert "working time" in result.unmatched[0].reason


def test_daylight_saving_time_follows_the_reference_date():
    # On 16 March New York is on summer time (UTC-4) and London is not (UTC+0): 09-17 in New
    # York is 13-21 UTC, so the two share 4 hours; in January (UTC-5) they share only 3.
    new_york = person("a", timezone="America/New_York")
    london = person("b", timezone="Europe/London")
    march = window_overlap(utc_window(new_york, REFERENCE_DATE), utc_window(london, REFERENCE_DATE))
    january = dt.date(2026, 1, 15)
    winter = window_overlap(utc_window(new_york, january), utc_window(london, january))
    assert (march, winter) == (240, 180)
    result = match(population(new_york, london), params(min_overlap_hours=3.5))
    assert len(result.groups) == 1
    result = match(
        population(new_york, london), params(min_overlap_hours=3.5, reference_date=january)
    )
    assert result.groups == ()


def test_it_respects_the_repeat_window_but_allows_older_repeats():
    people = (person("a"), person("b"))
    recent = HistoryEntry("a", "b", REFERENCE_DATE - dt.timedelta(days=30))
    old = HistoryEntry("a", "b", REFERENCE_DATE - dt.timedelta(days=400))
    assert match(population(*people, history=(recent,)), params()).groups == ()
    again = match(population(*people, history=(old,)), params())
    assert len(again.groups) == 1
    fresh = match(population(*people), params())
    assert again.groups[0].score < fresh.groups[0].score  # older repeats still cost a little


def test_a_block_works_in_either_direction():
    for block in (Block("a", "b"), Block("b", "a")):
        result = match(population(person("a"), person("b"), blocks=(block,)), params())
        assert result.groups == ()
        assert "blocked" in result.unmatched[0].reason


def test_only_enrolled_people_are_matched():
    result = match(population(person("a"), person("b", enrolled=False), person("c")), params())
    assert matched_pairs(result) == {frozenset({"a", "c"})}


def test_the_verification_catches_every_kind_of_violation():
    people = population(
        person("boss"),
        person("a", manager_id="boss", languages=("en",)),
        person("b", languages=("ja",), timezone="Asia/Tokyo"),
        person("c", enrolled=False),
        blocks=(Block("boss", "c"),),
    )
    verification = verify_groups(people, params(), [("boss", "a"), ("a", "b"), ("boss", "c")])
    text = "\n".join(verification.violations)
    assert not verification.passed
    for expected in (
        "management chain",
        "no language",
        "shared working time",
        "not enrolled",
        "more than one group",
        "blocked",
    ):
        assert expected in text
