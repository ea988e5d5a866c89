"""A matching run for 10,000 enrolled people, through the real background task: prints figures.

Seeds a fresh SQLite database (or the one in DATABASE_URL) with a generated organization and a
program with 10,000 active enrollments, starts a run as a program manager would (the task runs
in a worker thread, as the worker process would run it) while polling the run page the way the
browser does, printing the progress the page showed; then loads the run's proposal page (first
page, 100 groups) 20 times and prints p50/p95 and its query count, and times suggestions and
the requests page's "choose a colleague" search.

    uv run python bench/matching_run_bench.py [--enrolled 10000] [--format reciprocal_pairs]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--enrolled", type=int, default=10_000)
    parser.add_argument("--format", default="reciprocal_pairs")
    parser.add_argument("--loads", type=int, default=20)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--publish", action="store_true", help="also time publishing the run")
    args = parser.parse_args()

    if "DATABASE_URL" not in os.environ:
        os.environ["PEERCOACH_VAR_DIR"] = tempfile.mkdtemp(prefix="peercoach-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peercoach.config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse
    from django.utils import timezone

    from peercoach.accounts.models import User
    from peercoach.core.demo import _create_people
    from peercoach.organizations.models import Membership, Organization
    from peercoach.people.models import Person
    from peercoach.programs import matching_adapter, matching_services
    from peercoach.programs.matching_models import MatchingRun
    from peercoach.programs.models import Enrollment, Program
    from peercoach.sample_org import generate_organization

    call_command("migrate", verbosity=0)
    organization = Organization.objects.create(name="Bench", slug=f"bench-{time.time_ns()}")
    size = int(args.enrolled / 0.7) + 500
    sample = generate_organization(size, seed=args.seed, enrolled_share=0.75)
    started = time.perf_counter()
    with transaction.atomic():
        _create_people(organization, sample)
        program = Program.objects.in_organization(organization).create(
            organization=organization,
            name="Bench program",
            purpose="skill_development",
            format=args.format,
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + timedelta(days=120),
            status="open",
        )
        by_employee = dict(
            Person.objects.in_organization(organization).values_list("employee_id", "pk")
        )
        now = timezone.now()
        enrolled = [row for row in sample if row.enrolled][: args.enrolled]
        Enrollment.objects.in_organization(organization).bulk_create(
            [
                Enrollment(
                    organization=organization,
                    program=program,
                    person_id=by_employee[row.employee_id],
                    status="active",
                    source="open",
                    goals=list(row.wants),
                    offers=list(row.offers),
                    working_hours_start=min(row.hours),
                    working_hours_end=max(row.hours),
                    timezone=row.timezone,
                    languages=list(row.languages),
                    agreed_to_ground_rules_at=now,
                )
                for row in enrolled
            ],
            batch_size=2000,
        )
        user = User.objects.create_user(email="bench-pm@example.com", password="x" * 20)
        membership = Membership.objects.in_organization(organization).create(
            organization=organization, user=user, is_program_manager=True
        )
    print(
        f"{connection.vendor}: seeded {size:,} people and {len(enrolled):,} active enrollments "
        f"in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    looking = matching_adapter.looking_enrollments(program)
    population = matching_adapter.program_population(program, looking)
    managers = sum(1 for person in population.people if not person.enrolled)
    print(
        f"adapter: population of {len(looking):,} enrolled + {managers:,} managers above them "
        f"built in {time.perf_counter() - started:.2f} s"
    )

    # Started from the web UI as a program manager would. The task is left queued (a dummy
    # backend), and a worker thread runs it exactly as the worker process would, while this
    # thread polls the run page the way the browser's htmx does.
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    queued = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    with override_settings(TASKS=queued):
        response = client.post(reverse("programs:matching_start", args=[program.pk]))
    assert response.status_code == 302, response.status_code
    run = MatchingRun.objects.in_organization(organization).filter(program=program).get()
    url = reverse("programs:matching_run", args=[run.pk])
    wall = _run_while_watching(client, url, run.pk)
    run = MatchingRun.objects.in_organization(organization).get(pk=run.pk)
    summary = run.summary
    print(f"run {run.pk}: {run.status}, {wall:.1f} s from start to finish (wall clock)")
    if run.status != "finished":
        print(f"  error: {run.error_message}")
        return
    gap = summary["gap"]
    print(
        f"  matched {summary['matched']:,} of {summary['enrolled']:,} in {summary['groups']:,} "
        f"groups; engine {summary['engine_seconds']} s, whole task {summary['seconds']} s"
    )
    print(
        f"  objective {summary['objective']}, upper bound {summary['upper_bound']}, "
        f"gap {'—' if gap is None else f'{gap * 100:.2f}%'} ({summary['bound_note']})"
    )

    # Counted with a wrapper rather than the query log, which each request starts afresh.
    captured: list[str] = []

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        captured.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    durations = []
    for _ in range(args.loads):
        started = time.perf_counter()
        response = client.get(url)
        durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    durations.sort()
    p95 = durations[max(0, int(len(durations) * 0.95) - 1)]
    print(
        f"proposal page (first 100 groups): {len(captured)} queries, {len(response.content):,} "
        f"bytes; {args.loads} loads: p50 {statistics.median(durations):.0f} ms, "
        f"p95 {p95:.0f} ms, max {durations[-1]:.0f} ms"
    )

    # Participants who choose: ranked suggestions among everyone in the program, per page load.
    from peercoach.programs.suggestions import suggestions_for

    me = Enrollment.objects.in_organization(organization).filter(program=program).first()
    assert me is not None
    durations = []
    for _ in range(5):
        started = time.perf_counter()
        suggestions_for(enrollment=me)
        durations.append((time.perf_counter() - started) * 1000)
    print(
        f"suggestions among {len(enrolled):,} for one participant: "
        f"median {statistics.median(durations):.0f} ms over 5"
    )

    # Choosing a colleague by name on the requests page: the search as you type.
    from peercoach.programs.pairing_selectors import request_candidates_named

    durations = []
    for text in ("a", "an", "mar", "smith", "zz"):
        started = time.perf_counter()
        request_candidates_named(enrollment=me, text=text)
        durations.append((time.perf_counter() - started) * 1000)
    print(
        f"choose a colleague by name among {len(enrolled):,}: median "
        f"{statistics.median(durations):.0f} ms, max {max(durations):.0f} ms over 5 searches"
    )
    program.matching_mode = "participants_choose"
    program.save(update_fields=["matching_mode"])
    Membership.objects.in_organization(organization).filter(pk=membership.pk).update(
        person=me.person
    )
    requests_url = reverse("programs:requests", args=[program.pk])
    durations = []
    for text in ("a", "an", "mar", "smith", "zz"):
        started = time.perf_counter()
        response = client.get(requests_url, {"q": text}, headers={"HX-Request": "true"})
        durations.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    print(
        f"requests page search as you type (htmx partial): median "
        f"{statistics.median(durations):.0f} ms, max {max(durations):.0f} ms over 5"
    )

    if args.publish:
        # The publishing task as a worker runs it, with the configured task backend: each email
        # is queued for the worker (not sent) exactly as in production.
        with transaction.atomic():
            matching_services.matching_run_publish_start(run=run)
        started = time.perf_counter()
        sent = matching_services.matching_run_publish(run_id=run.pk)
        print(f"publish task: {sent:,} matches sent out in {time.perf_counter() - started:.1f} s")


def _run_while_watching(client: Any, url: str, run_id: int) -> float:
    """Run the queued task in a worker thread; poll the run page until it is done.

    Prints whether the page showed its progress indicator while the run was in progress, with
    the percentages seen, and that polling stopped once it was done. Returns the wall clock.
    """
    import re
    import threading

    from django.db import connection

    from peercoach.programs import matching_services

    def work() -> None:
        try:
            matching_services.matching_run_execute(run_id=run_id)
        finally:
            connection.close()

    worker = threading.Thread(target=work)
    started = time.perf_counter()
    worker.start()
    seen: list[int] = []
    polls = 0
    full_page_indicator = False
    stopped_polling = False
    while True:
        response = client.get(url, headers={"HX-Request": "true"})
        polls += 1
        html = response.content.decode()
        if match := re.search(r'<progress max="100" value="(\d+)"', html):
            if not seen or seen[-1] != int(match[1]):
                seen.append(int(match[1]))
            if not full_page_indicator:
                page = client.get(url).content.decode()
                full_page_indicator = "<progress" in page and 'hx-trigger="every 2s"' in page
        if response.get("HX-Refresh") == "true":
            stopped_polling = 'hx-trigger="every 2s"' not in html
            break
        time.sleep(2)  # as often as the page itself polls
    worker.join()
    wall = time.perf_counter() - started
    shown = "shown" if seen and full_page_indicator else "NOT shown"
    print(
        f"run page while the run was in progress: progress indicator {shown} "
        f"({polls} polls; percentages seen: {', '.join(f'{p}%' for p in seen) or 'none'}); "
        f"polling {'stopped' if stopped_polling else 'did NOT stop'} when done"
    )
    return wall


if __name__ == "__main__":
    main()
