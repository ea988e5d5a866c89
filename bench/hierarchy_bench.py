"""Management-chain queries at 100,000 people: prints timings, asserts nothing.

Seeds a fresh SQLite database (or the one in DATABASE_URL) with a generated organization, then
times the two questions matching and the directory ask all the time:
  - is A anywhere above or below B (two indexed row loads and a prefix test);
  - everyone under X (one index range scan), for managers of every size of team.

    uv run python bench/hierarchy_bench.py [--size 100000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()

    if "DATABASE_URL" not in os.environ:
        os.environ["PEERCOACH_VAR_DIR"] = tempfile.mkdtemp(prefix="peercoach-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peercoach.config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from peercoach.core.demo import _create_people
    from peercoach.organizations.models import Organization
    from peercoach.people import hierarchy, management_path
    from peercoach.people.models import Person
    from peercoach.sample_org import generate_organization

    call_command("migrate", verbosity=0)
    organization = Organization.objects.create(name="Bench", slug=f"bench-{time.time_ns()}")
    started = time.perf_counter()
    with transaction.atomic():
        _create_people(organization, generate_organization(args.size, seed=args.seed))
    print(
        f"{connection.vendor}: seeded {args.size:,} people in {time.perf_counter() - started:.1f} s"
    )

    people = Person.objects.in_organization(organization)
    ids = list(people.values_list("pk", flat=True))
    managers = list(
        people.filter(direct_reports__isnull=False).distinct().values_list("pk", flat=True)
    )
    rng = random.Random(args.seed)

    def timed(label: str, question: object) -> None:
        durations = []
        for _ in range(args.queries):
            started = time.perf_counter()
            question()  # type: ignore[operator]
            durations.append((time.perf_counter() - started) * 1000)
        durations.sort()
        p95 = durations[int(len(durations) * 0.95) - 1]
        print(f"  {label:<44} median {statistics.median(durations):6.2f} ms   p95 {p95:6.2f} ms")

    def related() -> bool:
        a, b = people.filter(pk__in=rng.sample(ids, 2)).values_list("management_path", flat=True)
        return management_path.related(a, b)

    def everyone_under() -> int:
        return hierarchy.people_under(people.get(pk=rng.choice(managers))).count()

    def everyone_under_top() -> int:
        return hierarchy.people_under(people.get(manager__isnull=True)).count()

    print(f"{args.queries:,} queries each, {len(managers):,} managers:")
    timed("is A above or below B", related)
    timed("everyone under a random manager (count)", everyone_under)
    timed("everyone under the top person (count)", everyone_under_top)


if __name__ == "__main__":
    main()
