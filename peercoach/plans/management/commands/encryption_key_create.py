"""Create the key file that seals notes and plans, unless keys are already configured.

Safe to run on every start (bin/start does): an existing key file is never touched.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from peercoach.plans.sealing import key_file_create, key_file_path, keys_come_from_file


class Command(BaseCommand):
    help = "Write var/encryption.keys (mode 0600) with a new key if no key is configured yet."
    # The checks would warn that no key is configured: the very thing this command puts right.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        if not keys_come_from_file():
            self.stdout.write("Encryption keys come from PEERCOACH_ENCRYPTION_KEYS; nothing to do.")
            return
        path = key_file_path()
        if key_file_create(path):
            self.stdout.write(
                f"Created {path} (readable by this user only). Back it up somewhere safe and "
                "apart from the database: without it, notes and action plans cannot be read."
            )
        else:
            self.stdout.write(f"{path} already exists; left as it is.")
