"""FeedForward at 100,000 people: prints timings, asserts nothing.

Seeds a fresh SQLite database (or the one in DATABASE_URL) with a generated organization where
everyone can sign in, then times what a person triggers when starting a round:
  - drawing colleagues at random from everyone outside their management chain;
  - the search-as-you-type behind "invite by name".

    uv run python bench/feedforward_bench.py [--size 100000] [--queries 200]
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
    parser.add_argument("--queries", type=int, default=200)
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

    from peercoach.accounts.models import User
    from peercoach.core.demo import _create_people
    from peercoach.feedforward import selectors, services
    from peercoach.organizations.models import Membership, Organization
    from peercoach.people.models import Person
    from peercoach.sample_org import generate_organization

    call_command("migrate", verbosity=0)
    organization = Organization.objects.create(name="Bench", slug=f"bench-{time.time_ns()}")
    started = time.perf_counter()
    with transaction.atomic():
        _create_people(organization, generate_organization(args.size, seed=args.seed))
        people = list(Person.objects.in_organization(organization).only("pk", "email"))
        users = User.objects.bulk_create(
            [User(email=f"{p.pk}-{p.email}", password="!") for p in people], batch_size=5000
        )
        Membership.all_organizations.bulk_create(
            [
                Membership(organization=organization, user=user, person=person)
                for user, person in zip(users, people, strict=True)
            ],
            batch_size=5000,
        )
    print(
        f"{connection.vendor}: seeded {args.size:,} people with accounts in "
        f"{time.perf_counter() - started:.1f} s"
    )

    rng = random.Random(args.seed)
    ids = [p.pk for p in people]
    everyone = Person.objects.in_organization(organization)
    names = list(everyone.values_list("full_name", flat=True)[:2000])

    def timed(label: str, question: object) -> None:
        durations = []
        for _ in range(args.queries):
            started = time.perf_counter()
            question()  # type: ignore[operator]
            durations.append((time.perf_counter() - started) * 1000)
        durations.sort()
        p95 = durations[int(len(durations) * 0.95) - 1]
        print(f"  {label:<48} median {statistics.median(durations):7.2f} ms   p95 {p95:7.2f} ms")

    def start_round_with_three_drawn() -> None:
        person = everyone.get(pk=rng.choice(ids))
        with transaction.atomic():
            services.feedforward_round_start(person=person, topic="Bench", random_count=3)
            transaction.set_rollback(True)

    def search_by_name() -> int:
        person = everyone.get(pk=rng.choice(ids))
        prefix = rng.choice(names)[: rng.choice([2, 3, 5])]
        return len(selectors.colleague_search(person=person, text=prefix))

    print(f"{args.queries:,} requests each:")
    timed("start a round, three colleagues drawn at random", start_round_with_three_drawn)
    timed("search colleagues by name (2-5 letters, top 10)", search_by_name)


if __name__ == "__main__":
    main()
