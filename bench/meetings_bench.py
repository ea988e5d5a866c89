"""Meetings: how long the propose page spends finding times that suit everyone. Prints timings.

Pure Python, no database: the slot search over the next two weeks for a pair and for a group
of seven spread over time zones, and expanding a recurrence rule across a year.

    uv run python bench/meetings_bench.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from peercoach.meetings.recurrence import occurrences, recurrence_rule
    from peercoach.meetings.slots import MemberHours, slots_for_everyone

    zones = ["Europe/Berlin", "Europe/London", "America/New_York", "Asia/Kolkata", "UTC"]
    pair = [MemberHours("a", "Europe/Berlin", 9, 17), MemberHours("b", "Europe/London", 8, 16)]
    group = [MemberHours(f"m{i}", zones[i % len(zones)], 7, 19) for i in range(7)]
    now = datetime(2027, 3, 15, 8, 0, tzinfo=UTC)

    for label, members in (("pair, 2 zones", pair), ("group of 7, 5 zones", group)):
        timings, found = [], 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            found = len(
                slots_for_everyone(members, after=now, until=now + timedelta(days=14), minutes=60)
            )
            timings.append(time.perf_counter() - started)
        print(
            f"slots, {label}: {found} slots in 14 days; median "
            f"{statistics.median(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms"
        )

    rule = recurrence_rule(
        cadence_rule="FREQ=WEEKLY;INTERVAL=1", ends_on=date(2028, 3, 15), timezone="Europe/Berlin"
    )
    timings = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        found = len(
            occurrences(starts_at=now, timezone="Europe/Berlin", rule=rule, after=now, limit=60)
        )
        timings.append(time.perf_counter() - started)
    print(
        f"recurrence, weekly for a year: {found} occurrences; median "
        f"{statistics.median(timings) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
