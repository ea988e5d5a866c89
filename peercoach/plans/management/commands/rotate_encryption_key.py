"""Rotate the key that seals notes, action plans and everything else sealed at rest.

    manage.py rotate_encryption_key                  new key into the key file, then re-encrypt
    manage.py rotate_encryption_key --key ID:BASE64  use this key instead of a generated one
    manage.py rotate_encryption_key --reencrypt-only re-encrypt to the current key (resume, or
                                                     after putting a new key first in
                                                     PEERCOACH_ENCRYPTION_KEYS yourself)

Re-encryption goes in batches and skips what is already under the current key, so it can be
stopped and run again. At the end it says which old keys nothing needs any more.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from peercoach.plans.rotation import reseal_everything
from peercoach.plans.sealing import (
    key_file_path,
    key_file_prepend,
    keyring,
    keys_come_from_file,
    new_key_line,
    parse_keys,
)


class Command(BaseCommand):
    help = "Make a new encryption key current and re-encrypt every sealed value with it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--key", help="The new key as ID:BASE64 (default: a generated one).")
        parser.add_argument(
            "--reencrypt-only",
            action="store_true",
            help="Don't add a key; re-encrypt everything to the current one.",
        )
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if not options["reencrypt_only"]:
                self._add_key(options["key"])
            ring = keyring()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Re-encrypting every sealed value with key {ring.current_id}…")
        result = reseal_everything(
            batch_size=max(1, options["batch_size"]),
            ring=ring,
            progress=lambda label, count: self.stdout.write(f"  {label}: {count} re-encrypted"),
        )
        self.stdout.write(f"Done: {result.total_resealed} values now use key {ring.current_id}.")
        for label, count in result.unreadable.items():
            self.stderr.write(f"  {label}: {count} values could not be opened with any key.")
        if result.still_in_use:
            self.stdout.write("Still in use, keep them: " + ", ".join(sorted(result.still_in_use)))
        if result.retirable:
            self.stdout.write(
                "Nothing uses these keys any more; you may retire them once your backups "
                "made before today have expired: " + ", ".join(result.retirable)
            )

    def _add_key(self, key: str | None) -> None:
        line = key.strip() if key else new_key_line()
        new_id = parse_keys(line).current_id
        if new_id in keyring().keys:
            raise CommandError(f"Key {new_id} is already configured; choose another id.")
        if not keys_come_from_file():
            raise CommandError(
                "Your keys come from PEERCOACH_ENCRYPTION_KEYS, which this command cannot "
                "change. Put a new key first in it (keep the old ones after it), restart the "
                "web and worker processes, then run `manage.py rotate_encryption_key "
                "--reencrypt-only`. A key is 'ID:' then 32 random bytes in base64, e.g. from "
                "`openssl rand -base64 32`."
            )
        key_file_prepend(line)
        self.stdout.write(f"Key {new_id} is now current (written to {key_file_path()}).")
