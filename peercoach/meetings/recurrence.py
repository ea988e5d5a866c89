"""Recurring meetings as RFC 5545 rules, expanded in the proposer's own time zone.

The rule is expanded on local wall-clock time and only then turned into UTC, so a meeting at
10:00 in Berlin stays at 10:00 in Berlin after the clocks change, as a calendar would show it.
Plain data in, plain data out: nothing here touches the database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr  # type: ignore[import-untyped]  # no stubs installed


def recurrence_rule(*, cadence_rule: str, ends_on: date, timezone: str) -> str:
    """The program's cadence, running until the end of its last day in `timezone`.

    RFC 5545 wants UNTIL in UTC when the start carries a time zone, hence the conversion.
    """
    last_moment = datetime.combine(ends_on, time(23, 59, 59), tzinfo=ZoneInfo(timezone))
    until = last_moment.astimezone(UTC)
    return f"{cadence_rule};UNTIL={until:%Y%m%dT%H%M%SZ}"


def occurrences(
    *, starts_at: datetime, timezone: str, rule: str, after: datetime, limit: int
) -> list[datetime]:
    """Up to `limit` starts (in UTC) at or after `after`; a one-off meeting has just its own."""
    if not rule:
        return [starts_at.astimezone(UTC)] if starts_at >= after and limit > 0 else []
    local_start = starts_at.astimezone(ZoneInfo(timezone))
    expanded = rrulestr(rule, dtstart=local_start)
    found: list[datetime] = []
    # Start the search a little before `after`: comparing in local time near a clock change
    # would otherwise skip an occurrence that is, in UTC, just after it.
    search_from = max(local_start, after.astimezone(local_start.tzinfo) - timedelta(days=1))
    for local in expanded.xafter(search_from, inc=True):
        if len(found) >= limit:
            break
        # Re-attach the zone so the offset is the one that applies on that day.
        moment = local.replace(tzinfo=None).replace(tzinfo=ZoneInfo(timezone)).astimezone(UTC)
        if moment >= after:
            found.append(moment)
    return found
