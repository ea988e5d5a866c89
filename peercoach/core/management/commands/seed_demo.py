from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from peercoach.core.demo import DEMO_NAME, DEMO_PASSWORD, demo_organization_create


class Command(BaseCommand):
    help = "Create the demo organization (idempotent) and print its logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", type=int, default=300, help="How many people (default 300).")
        parser.add_argument("--seed", type=int, default=7, help="Random seed (default 7).")

    def handle(self, *args: Any, size: int, seed: int, **options: Any) -> None:
        if size < 20:
            raise CommandError("The demo organization needs at least 20 people.")
        logins = demo_organization_create(size=size, seed=seed)
        self.stdout.write(self.style.SUCCESS(f"{DEMO_NAME} is ready. Demo logins:"))
        width = max(len(login.email) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.email.ljust(width)}  {login.role} ({login.person})")
        self.stdout.write(f"  Password for all of them: {DEMO_PASSWORD}")
