"""Insights at 100,000 people and about a million sessions: prints figures, asserts nothing.

Seeds a fresh SQLite database in a temporary directory (or the database in DATABASE_URL, which
should be a throwaway one) with a year of coaching (bench/insights_seed.py), then:
  - times facts.monthly_contributions for the busiest program-month, with its query count;
  - runs the insights build (refresh.insights_refresh) in a fresh process, printing its time
    and the process's peak memory;
  - requests every dashboard page through Django's test Client, signed in as the sponsor (and
    as a manager for the team page), `--loads` times each, printing p50, p95 and queries.

    uv run python bench/insights_bench.py [--people 100000] [--pairs 30000] [--triads 6000]
    DATABASE_URL=postgres://... uv run python bench/insights_bench.py
"""

from __future__ import annotations

import argparse
import base64
import os
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=38_000, help="pairs in the pairs program")
    parser.add_argument("--triads", type=int, default=9_000, help="triads in the triad program")
    parser.add_argument("--loads", type=int, default=50, help="requests per page")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the temporary SQLite file")
    parser.add_argument("--refresh-only", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    # Progress shows as it happens even when the output goes to a file.
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]

    temporary = None
    if "DATABASE_URL" not in os.environ and "PEERCOACH_VAR_DIR" not in os.environ:
        temporary = tempfile.mkdtemp(prefix="peercoach-insights-bench-")
        os.environ["PEERCOACH_VAR_DIR"] = temporary
    if not os.environ.get("PEERCOACH_ENCRYPTION_KEYS"):
        # A throwaway key for the plans seeded here; the database is thrown away with it.
        key = base64.b64encode(secrets.token_bytes(32)).decode()
        os.environ["PEERCOACH_ENCRYPTION_KEYS"] = f"bench:{key}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peercoach.config.settings")
    sys.path.insert(0, str(BENCH_DIR.parent))
    sys.path.insert(0, str(BENCH_DIR))
    import django

    django.setup()
    if args.refresh_only is not None:
        _refresh_in_this_process(args.refresh_only)
        return
    try:
        _bench(args)
    finally:
        if temporary and not args.keep:
            shutil.rmtree(temporary, ignore_errors=True)
        elif temporary:
            print(f"database kept in {temporary}")


def _bench(args: argparse.Namespace) -> None:
    import insights_seed
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    now = timezone.now()
    started = time.perf_counter()
    seeded = insights_seed.seed(
        people=args.people,
        plans=insights_seed.default_plans(args.pairs, args.triads),
        random_seed=args.seed,
        now=now,
    )
    print(
        f"{connection.vendor}: seeded in {time.perf_counter() - started:.1f} s: "
        f"{seeded.people:,} people, {seeded.enrollments:,} enrollments, "
        f"{seeded.pairings:,} pairings, {seeded.meetings:,} meetings, "
        f"{seeded.sessions:,} sessions, {seeded.attendances:,} attendances, "
        f"{seeded.plans:,} action plans ({seeded.actions:,} actions), {seeded.runs:,} guided "
        f"runs, {seeded.survey_answers:,} survey answers"
    )
    print("  " + ", ".join(f"{label} {sec:.1f} s" for label, sec in seeded.seconds.items()))
    _time_facts(seeded, now)
    _refresh_in_a_fresh_process(seeded.organization.pk)
    _time_pages(seeded, args.loads)


def _time_facts(seeded: Any, now: Any) -> None:
    from django.db import connection

    from peercoach.insights.facts import monthly_contributions, months_with_activity

    program = seeded.programs[0]
    months = months_with_activity(program=program)
    busiest = months[len(months) // 2]
    queries = _Counter()
    with connection.execute_wrapper(queries):
        started = time.perf_counter()
        found = monthly_contributions(
            organization=seeded.organization, program=program, month=busiest, now=now
        )
        seconds = time.perf_counter() - started
    people = len({c.person_id for c in found})
    print(
        f"facts: {program.name}, {busiest:%Y-%m}: {len(found):,} contributions from "
        f"{people:,} people in {seconds:.2f} s, {queries.count} queries"
    )


def _refresh_in_a_fresh_process(organization_id: int) -> None:
    """The build runs in its own process, as the worker runs it, so its peak memory is its own."""
    from django.db import connections

    connections.close_all()
    command = [sys.executable, __file__, "--refresh-only", str(organization_id)]
    subprocess.run(command, check=True, env=os.environ.copy())


def _refresh_in_this_process(organization_id: int) -> None:
    from datetime import date

    from django.utils import timezone

    from peercoach.insights.contract import Contribution
    from peercoach.insights.facts import monthly_contributions
    from peercoach.insights.models import ReleasedCell
    from peercoach.insights.refresh import insights_refresh
    from peercoach.organizations.models import Organization
    from peercoach.programs.models import Program

    baseline = _peak_rss_mb()
    organization = Organization.objects.get(pk=organization_id)
    now = timezone.now()
    in_facts = [0.0]

    def contributions_for(program: Program, month: date) -> list[Contribution]:
        started = time.perf_counter()
        found = monthly_contributions(
            organization=organization, program=program, month=month, now=now
        )
        in_facts[0] += time.perf_counter() - started
        return found

    started = time.perf_counter()
    result = insights_refresh(
        organization=organization, contributions_for=contributions_for, now=now
    )
    seconds = time.perf_counter() - started
    cells = ReleasedCell.objects.in_organization(organization)
    released = cells.filter(is_released=True).count()
    print(
        f"refresh: {result.programs} programs, {result.months} months, "
        f"{result.cells_written:,} cells ({released:,} released) in {seconds:.1f} s "
        f"(reading facts {in_facts[0]:.1f} s, atoms and cells {seconds - in_facts[0]:.1f} s); "
        f"peak memory {_peak_rss_mb():.0f} MB (process after start-up {baseline:.0f} MB)"
    )


def _peak_rss_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM starts afresh with the new program;
    getrusage's maximum would include the parent's, inherited through fork."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Counter:
    """Counts queries with a wrapper: the query log is off outside DEBUG."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def _time_pages(seeded: Any, loads: int) -> None:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from peercoach.people.models import Person

    program = seeded.programs[0]
    people = Person.objects.in_organization(seeded.organization)
    department = _most_common(people, "department")
    office = _most_common(people.filter(department=department), "office")
    level = _most_common(people.filter(department=department, office=office), "level")
    dashboard = reverse("insights:program", args=[program.pk])
    pages = [
        ("organization overview", seeded.sponsor, reverse("insights:overview"), {}),
        ("program dashboard", seeded.sponsor, dashboard, {}),
        ("  filtered by department", seeded.sponsor, dashboard, {"department": department}),
        (
            "  by department, office and level",
            seeded.sponsor,
            dashboard,
            {"department": department, "office": office, "level": level},
        ),
        ("  htmx swap, by department", seeded.sponsor, dashboard, {"department": department}),
        ("CSV export", seeded.sponsor, reverse("insights:export", args=[program.pk]), {}),
        ("team page (manager)", seeded.manager, reverse("insights:team"), {}),
    ]
    print(
        f"pages ({loads} loads each; the manager has {seeded.manager_team_size:,} people "
        "reporting to them):"
    )
    for label, user, url, query in pages:
        client = Client(HTTP_HOST="localhost")
        client.force_login(user)
        headers = {"HX-Request": "true"} if "htmx" in label else {}
        timings: list[float] = []
        counter = _Counter()
        status = 0
        for _ in range(loads):
            counter.count = 0
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                response = client.get(url, query, headers=headers)
                timings.append((time.perf_counter() - started) * 1000)
            status = response.status_code
        timings.sort()
        p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
        print(
            f"  {label:<36} {status}  p50 {statistics.median(timings):6.1f} ms   "
            f"p95 {p95:6.1f} ms   {counter.count} queries"
        )


def _most_common(queryset: Any, field: str) -> Any:
    from django.db.models import Count

    row = queryset.values(field).annotate(n=Count("pk")).order_by("-n").first()
    return row[field]


if __name__ == "__main__":
    main()
