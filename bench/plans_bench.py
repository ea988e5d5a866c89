"""Sealing and key rotation: prints timings, asserts nothing.

Times sealing and opening one note-sized text, then seeds N sealed notes and times a full key
rotation (re-encrypting every row) and a second run that finds nothing left to do. Uses a fresh
SQLite database and key file in a temporary directory (or the database in DATABASE_URL).

    uv run python bench/plans_bench.py [--notes 20000] [--batch-size 500]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notes", type=int, default=20_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--operations", type=int, default=20_000)
    args = parser.parse_args()

    if "DATABASE_URL" not in os.environ:
        os.environ["PEERCOACH_VAR_DIR"] = tempfile.mkdtemp(prefix="peercoach-bench-")
    os.environ.pop("PEERCOACH_ENCRYPTION_KEYS", None)
    os.environ["PEERCOACH_ENCRYPTION_KEY_FILE"] = str(
        Path(tempfile.mkdtemp(prefix="peercoach-keys-")) / "encryption.keys"
    )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peercoach.config.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from peercoach.plans.models import Note
    from peercoach.plans.rotation import reseal_everything
    from peercoach.plans.sealing import (
        key_file_create,
        key_file_prepend,
        new_key_line,
        seal,
        unseal,
    )
    from peercoach.testing.coaching import active_pairing
    from peercoach.testing.factories import OrganizationFactory, PersonFactory, ProgramFactory

    call_command("migrate", verbosity=0)
    key_file_create()
    text = "Spoke up in the Monday review; next, ask Kim for feedback on the draft. " * 3
    record = "plans.Note:00000000-0000-0000-0000-000000000000:body"

    started = time.perf_counter()
    tokens = [seal(text, organization_id=1, record=record) for _ in range(args.operations)]
    sealed = time.perf_counter() - started
    started = time.perf_counter()
    for token in tokens:
        unseal(token, organization_id=1, record=record)
    opened = time.perf_counter() - started
    print(f"seal a {len(text)}-character text: {sealed / args.operations * 1e6:.1f} µs")
    print(f"open it again: {opened / args.operations * 1e6:.1f} µs")

    organization = OrganizationFactory()
    people = [PersonFactory(organization=organization) for _ in range(2)]
    pairing = active_pairing(ProgramFactory(organization=organization), people)
    now = timezone.now()
    started = time.perf_counter()
    with transaction.atomic():
        Note.all_organizations.bulk_create(
            [
                Note(
                    organization=organization,
                    owner=people[0],
                    pairing=pairing,
                    body=text,
                    created_at=now,
                    updated_at=now,
                )
                for _ in range(args.notes)
            ],
            batch_size=1000,
        )
    print(
        f"{connection.vendor}: wrote {args.notes:,} sealed notes in "
        f"{time.perf_counter() - started:.1f} s"
    )

    key_file_prepend(new_key_line())
    started = time.perf_counter()
    result = reseal_everything(batch_size=args.batch_size)
    took = time.perf_counter() - started
    print(
        f"rotation: re-encrypted {result.total_resealed:,} values in {took:.1f} s "
        f"({result.total_resealed / took:,.0f} a second, batches of {args.batch_size})"
    )
    started = time.perf_counter()
    again = reseal_everything(batch_size=args.batch_size)
    print(
        f"second run: {again.total_resealed} values to do, {time.perf_counter() - started:.2f} s; "
        f"retirable keys: {', '.join(again.retirable) or 'none'}"
    )


if __name__ == "__main__":
    main()
