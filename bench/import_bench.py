"""HR import benchmark: a generated 100,000-person file, imported twice into a fresh SQLite DB.

    uv run python bench/import_bench.py [--size 100000] [--seed 42]

Each import runs as its own `manage.py import_people` process, so the figures are what an
operator sees: wall time including start-up, and the peak resident memory of that process.
The second import of the same file must change nothing; the script checks that every person
row is byte-for-byte the same afterwards. Targets: under 60 s and under 2 GB each.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = "bench"
TIME_LIMIT_SECONDS = 60
MEMORY_LIMIT_BYTES = 2 * 1024**3
RESULT_LINE = re.compile(
    r"Imported: (?P<created>\d+) created, (?P<updated>\d+) updated, (?P<reactivated>\d+) "
    r"reactivated, (?P<deactivated>\d+) deactivated; rows skipped: (?P<skipped>\d+)\."
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="peercoach-import-bench-") as scratch:
        os.environ["PEERCOACH_VAR_DIR"] = scratch
        os.environ.pop("DATABASE_URL", None)  # always a fresh SQLite file under the scratch dir
        csv_path = Path(scratch) / "hr.csv"

        started = time.perf_counter()
        written = _write_file(csv_path, size=args.size, seed=args.seed)
        print(
            f"Generated {written:,} people ({csv_path.stat().st_size / 1e6:.1f} MB CSV) "
            f"in {time.perf_counter() - started:.1f} s"
        )
        _prepare_database()

        first = _import(csv_path)
        _check_paths()
        fingerprint = _directory_fingerprint()
        second = _import(csv_path)
        unchanged = _directory_fingerprint() == fingerprint
        # A month later: some people change title, some leave, some join.
        changed_path = Path(scratch) / "hr-changed.csv"
        expected = _write_changed_file(changed_path, size=args.size, seed=args.seed)
        third = _import(changed_path)
        _check_paths()

    print()
    # CPU time shows the import's own cost when other work shares the machine.
    print(f"{'run':<8}{'time':>8}{'cpu':>8}{'peak memory':>14}   created / updated / deactivated")
    for name, run in (("first", first), ("second", second), ("changed", third)):
        print(
            f"{name:<8}{run['seconds']:>7.1f}s{run['cpu_seconds']:>7.1f}s"
            f"{run['peak_bytes'] / 1024**2:>11.0f} MB   "
            f"{run['created']} / {run['updated']} / {run['deactivated']}"
        )
    print(
        f"The changed file had {expected['created']} new people, {expected['updated']} new titles "
        f"and {expected['deactivated']} leavers."
    )
    ok = (
        all(third[key] == value for key, value in expected.items())
        and first["created"] == written
        and second["created"] == second["updated"] == second["deactivated"] == 0
        and unchanged
        and all(
            run["seconds"] < TIME_LIMIT_SECONDS and run["peak_bytes"] < MEMORY_LIMIT_BYTES
            for run in (first, second)
        )
    )
    print(f"Second import left every row unchanged: {'yes' if unchanged else 'NO'}")
    print(
        f"Targets (each run under {TIME_LIMIT_SECONDS} s and 2 GB; second run changes nothing): "
        f"{'met' if ok else 'NOT MET'}"
    )
    return 0 if ok else 1


def _write_file(path: Path, *, size: int, seed: int) -> int:
    from peercoach.people.hr_import.sample_files import write_hr_csv
    from peercoach.sample_org import generate_organization

    return write_hr_csv(generate_organization(size, seed=seed), path)


def _write_changed_file(path: Path, *, size: int, seed: int) -> dict[str, int]:
    """The same organization with 1% new titles, 1% leavers and 1% newcomers."""
    from dataclasses import replace

    from peercoach.people.hr_import.sample_files import write_hr_csv
    from peercoach.sample_org import generate_organization

    people = generate_organization(size, seed=seed)
    share = max(1, size // 100)
    managers = {person.manager_id for person in people}
    without_reports = [person for person in people if person.employee_id not in managers]
    leaving = {person.employee_id for person in without_reports[:share]}
    staying = [person for person in people if person.employee_id not in leaving]
    retitled = [
        replace(person, title=f"{person.title} (acting)") if index % 100 == 0 else person
        for index, person in enumerate(staying)
    ]
    newcomers = [
        replace(person, employee_id=f"NEW{index:06d}", email=f"newcomer{index}@bench.invalid")
        for index, person in enumerate(without_reports[-share:])
    ]
    write_hr_csv([*retitled, *newcomers], path)
    return {
        "created": len(newcomers),
        "updated": sum(1 for index in range(len(staying)) if index % 100 == 0),
        "deactivated": len(leaving),
    }


def _prepare_database() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peercoach.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from peercoach.organizations.models import Organization

    call_command("migrate", verbosity=0)
    Organization.objects.create(name="Bench Inc.", slug=SLUG)


def _import(csv_path: Path) -> dict[str, float]:
    """Run the import command in a child process; its own peak memory comes from wait4."""
    command = [sys.executable, str(ROOT / "manage.py"), "import_people", str(csv_path)]
    command += ["--organization", SLUG]
    started = time.perf_counter()
    child = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    match = RESULT_LINE.search(output)
    if child.returncode != 0 or match is None:
        print(output)
        raise SystemExit(f"The import failed (exit status {child.returncode}).")
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_bytes": usage.ru_maxrss * 1024,  # Linux reports kilobytes
        **{key: int(value) for key, value in match.groupdict().items()},
    }


def _check_paths() -> None:
    from peercoach.organizations.models import Organization
    from peercoach.people.hierarchy import management_paths_rebuild

    organization = Organization.objects.get(slug=SLUG)
    wrong = management_paths_rebuild(organization=organization)
    if wrong:
        raise SystemExit(f"{wrong} management paths were wrong after the import.")


def _directory_fingerprint() -> str:
    from peercoach.people.models import Person

    digest = hashlib.sha256()
    for row in Person.all_organizations.order_by("pk").values_list().iterator(chunk_size=5000):
        digest.update(repr(row).encode())
    return digest.hexdigest()


if __name__ == "__main__":
    sys.exit(main())
