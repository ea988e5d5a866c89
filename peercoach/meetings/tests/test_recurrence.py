from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from peercoach.meetings.recurrence import occurrences, recurrence_rule

BERLIN = ZoneInfo("Europe/Berlin")


def _local(moments: list[datetime], zone: ZoneInfo = BERLIN) -> list[str]:
    return [f"{m.astimezone(zone):%Y-%m-%d %H:%M %Z}" for m in moments]


def test_the_rule_runs_until_the_last_day_of_the_program_in_utc() -> None:
    rule = recurrence_rule(
        cadence_rule="FREQ=WEEKLY;INTERVAL=2", ends_on=date(2027, 6, 30), timezone="Europe/Berlin"
    )
    # 23:59:59 in Berlin summer time is 21:59:59 UTC.
    assert rule == "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270630T215959Z"


def test_a_weekly_meeting_keeps_its_local_time_across_the_spring_clock_change() -> None:
    rule = recurrence_rule(
        cadence_rule="FREQ=WEEKLY;INTERVAL=1", ends_on=date(2027, 4, 10), timezone="Europe/Berlin"
    )
    first = datetime(2027, 3, 16, 10, 0, tzinfo=BERLIN)
    found = occurrences(
        starts_at=first.astimezone(UTC), timezone="Europe/Berlin", rule=rule, after=first, limit=10
    )
    # Clocks go forward on 28 March 2027: still 10:00 in Berlin, one hour earlier in UTC.
    assert _local(found) == [
        "2027-03-16 10:00 CET",
        "2027-03-23 10:00 CET",
        "2027-03-30 10:00 CEST",
        "2027-04-06 10:00 CEST",
    ]
    assert [m.hour for m in found] == [9, 9, 8, 8]
    assert all(m.tzinfo == UTC for m in found)


def test_a_fortnightly_meeting_keeps_its_local_time_across_the_autumn_clock_change() -> None:
    rule = recurrence_rule(
        cadence_rule="FREQ=WEEKLY;INTERVAL=2", ends_on=date(2027, 11, 30), timezone="Europe/Berlin"
    )
    first = datetime(2027, 10, 19, 16, 30, tzinfo=BERLIN)
    found = occurrences(
        starts_at=first.astimezone(UTC), timezone="Europe/Berlin", rule=rule, after=first, limit=3
    )
    # Clocks go back on 31 October 2027.
    assert _local(found) == [
        "2027-10-19 16:30 CEST",
        "2027-11-02 16:30 CET",
        "2027-11-16 16:30 CET",
    ]


def test_expansion_starts_at_the_first_occurrence_not_yet_begun() -> None:
    rule = "FREQ=DAILY;INTERVAL=3;UNTIL=20270401T000000Z"
    first = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    after = datetime(2027, 3, 7, 9, 0, 1, tzinfo=UTC)
    found = occurrences(starts_at=first, timezone="UTC", rule=rule, after=after, limit=2)
    assert found == [
        datetime(2027, 3, 10, 9, 0, tzinfo=UTC),
        datetime(2027, 3, 13, 9, 0, tzinfo=UTC),
    ]


def test_nothing_is_expanded_past_the_end_of_the_program() -> None:
    rule = recurrence_rule(
        cadence_rule="FREQ=WEEKLY;INTERVAL=1", ends_on=date(2027, 3, 20), timezone="UTC"
    )
    first = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    found = occurrences(starts_at=first, timezone="UTC", rule=rule, after=first, limit=10)
    assert [m.day for m in found] == [1, 8, 15]


def test_a_one_off_meeting_has_a_single_occurrence_until_it_has_passed() -> None:
    moment = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
    assert occurrences(starts_at=moment, timezone="UTC", rule="", after=moment, limit=4) == [moment]
    later = datetime(2027, 3, 1, 9, 1, tzinfo=UTC)
    assert occurrences(starts_at=moment, timezone="UTC", rule="", after=later, limit=4) == []
