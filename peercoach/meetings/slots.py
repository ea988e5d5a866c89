"""Which meeting times suit everyone: inside every member's working hours, on their weekdays.

Each member's hours are read in their own time zone, so a Berlin morning and a New York morning
rarely overlap, and the offered slots say so. Plain data in, plain data out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

SLOT_STEP = timedelta(minutes=30)
SATURDAY = 5


@dataclass(frozen=True)
class MemberHours:
    name: str
    timezone: str
    start_hour: int  # local, inclusive
    end_hour: int  # local, exclusive; 24 means midnight


@dataclass(frozen=True)
class LocalTime:
    name: str
    timezone: str
    starts_at: datetime  # in the member's zone


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # UTC
    local_times: tuple[LocalTime, ...]

    @property
    def value(self) -> str:
        return self.starts_at.strftime("%Y-%m-%dT%H:%MZ")


def fits(hours: MemberHours, starts_at: datetime, minutes: int) -> bool:
    """Whether the meeting lies within one working day of this member, start to end."""
    zone = ZoneInfo(hours.timezone)
    local_start = starts_at.astimezone(zone)
    local_end = (starts_at + timedelta(minutes=minutes)).astimezone(zone)
    if local_start.weekday() >= SATURDAY:
        return False
    day_start = local_start.replace(hour=0, minute=0, second=0, microsecond=0)
    opens = day_start.replace(hour=hours.start_hour)
    if local_start < opens:
        return False
    if hours.end_hour >= 24:
        return local_end.date() == local_start.date() or local_end == day_start + timedelta(days=1)
    return local_end.date() == local_start.date() and local_end <= day_start.replace(
        hour=hours.end_hour
    )


def local_times(members: Sequence[MemberHours], starts_at: datetime) -> tuple[LocalTime, ...]:
    return tuple(
        LocalTime(m.name, m.timezone, starts_at.astimezone(ZoneInfo(m.timezone))) for m in members
    )


def slots_for_everyone(
    members: Sequence[MemberHours],
    *,
    after: datetime,
    until: datetime,
    minutes: int,
) -> list[Slot]:
    """Every half-hour start after `after` and before `until` that suits every member."""
    candidate = _next_half_hour(after)
    slots: list[Slot] = []
    while candidate < until:
        if all(fits(member, candidate, minutes) for member in members):
            slots.append(Slot(candidate, local_times(members, candidate)))
        candidate += SLOT_STEP
    return slots


def _next_half_hour(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC).replace(second=0, microsecond=0) + timedelta(minutes=1)
    extra = (30 - moment.minute % 30) % 30
    return moment + timedelta(minutes=extra)


def parse_slot(value: str) -> datetime | None:
    """A slot's form value back to a UTC moment; None when it isn't one."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%MZ").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None
