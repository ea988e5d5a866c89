from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from peercoach.meetings.slots import MemberHours, fits, parse_slot, slots_for_everyone

BERLIN = MemberHours("Pia", "Europe/Berlin", 9, 17)
NEW_YORK = MemberHours("Nate", "America/New_York", 8, 16)
MONDAY = datetime(2027, 1, 11, 0, 0, tzinfo=UTC)


def test_a_meeting_must_start_and_end_within_working_hours() -> None:
    assert fits(BERLIN, datetime(2027, 1, 11, 8, 0, tzinfo=UTC), 60)  # 9:00-10:00 Berlin
    assert fits(BERLIN, datetime(2027, 1, 11, 15, 0, tzinfo=UTC), 60)  # 16:00-17:00
    assert not fits(BERLIN, datetime(2027, 1, 11, 15, 30, tzinfo=UTC), 60)  # ends 17:30
    assert not fits(BERLIN, datetime(2027, 1, 11, 7, 30, tzinfo=UTC), 60)  # starts 8:30


def test_weekends_are_never_offered() -> None:
    saturday = datetime(2027, 1, 16, 10, 0, tzinfo=UTC)
    assert not fits(BERLIN, saturday, 30)


def test_a_working_day_until_midnight_allows_a_meeting_ending_at_midnight() -> None:
    late = MemberHours("Owl", "UTC", 20, 24)
    assert fits(late, datetime(2027, 1, 11, 23, 0, tzinfo=UTC), 60)
    assert not fits(late, datetime(2027, 1, 11, 23, 30, tzinfo=UTC), 60)


def test_berlin_and_new_york_share_only_the_american_morning() -> None:
    slots = slots_for_everyone(
        [BERLIN, NEW_YORK], after=MONDAY, until=MONDAY + timedelta(days=1), minutes=60
    )
    # New York opens at 8:00 (13:00 UTC), Berlin closes at 17:00 (16:00 UTC): 13:00-15:00 starts.
    assert [f"{s.starts_at:%H:%M}" for s in slots] == ["13:00", "13:30", "14:00", "14:30", "15:00"]
    first = slots[0].local_times
    assert [(t.name, t.timezone, f"{t.starts_at:%H:%M}") for t in first] == [
        ("Pia", "Europe/Berlin", "14:00"),
        ("Nate", "America/New_York", "08:00"),
    ]


def test_slots_start_on_the_next_half_hour_after_now() -> None:
    now = datetime(2027, 1, 11, 9, 10, tzinfo=UTC)
    slots = slots_for_everyone([BERLIN], after=now, until=now + timedelta(hours=3), minutes=30)
    assert slots[0].starts_at == datetime(2027, 1, 11, 9, 30, tzinfo=UTC)


def test_a_slot_survives_the_round_trip_through_a_form() -> None:
    after = MONDAY + timedelta(hours=7, minutes=50)
    [slot] = slots_for_everyone(
        [BERLIN], after=after, until=after + timedelta(minutes=11), minutes=30
    )
    assert parse_slot(slot.value) == slot.starts_at
    assert parse_slot("next tuesday") is None


zones = st.sampled_from(
    ["Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]
)
hours = st.tuples(st.integers(0, 23), st.integers(1, 24)).filter(lambda h: h[0] < h[1])
members = st.lists(
    st.builds(lambda zone, h: MemberHours("m", zone, h[0], h[1]), zones, hours),
    min_size=2,
    max_size=5,
)


@given(members=members, start_day=st.integers(0, 365), minutes=st.sampled_from([30, 45, 60, 90]))
def test_every_offered_slot_lies_in_everyones_working_hours(members, start_day, minutes) -> None:
    after = datetime(2027, 1, 1, tzinfo=UTC) + timedelta(days=start_day)
    for slot in slots_for_everyone(
        members, after=after, until=after + timedelta(days=7), minutes=minutes
    ):
        assert slot.starts_at > after
        for member in members:
            local_start = slot.starts_at.astimezone(ZoneInfo(member.timezone))
            local_end = (slot.starts_at + timedelta(minutes=minutes)).astimezone(
                ZoneInfo(member.timezone)
            )
            assert local_start.weekday() < 5
            assert local_start.hour >= member.start_hour
            end_in_hours = local_end.hour + local_end.minute / 60
            if local_end.date() != local_start.date():
                end_in_hours += 24
            assert end_in_hours <= member.end_hour
