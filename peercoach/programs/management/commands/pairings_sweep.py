"""Run the pairings sweep: lapse unanswered invitations and requests, complete pairings of
finished programs, nudge quiet pairs and offer new matches, and start and send out the rounds of
rotation programs that are due.

Once by default (e.g. hourly from cron), or with `--every SECONDS` as a long-running process next
to the task worker, stopping cleanly on SIGTERM or Ctrl+C. It is idempotent, so running it often,
or twice at once, never sends anything twice.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from peercoach.programs.sweep import pairings_sweep


class Command(BaseCommand):
    help = (
        "Expire, complete, nudge and offer new matches for pairings in every organization, and "
        "run the rotation rounds that are due."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, sweeping every SECONDS seconds, until stopped.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        every: int = options["every"]
        stop = threading.Event()
        if every > 0:
            for signal_number in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signal_number, lambda *_: stop.set())
        while True:
            self._sweep_once()
            if every <= 0 or stop.wait(every):
                return

    def _sweep_once(self) -> None:
        counts = pairings_sweep().as_dict().items()
        summary = ", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in counts)
        self.stdout.write(f"Pairings sweep done. {summary}")
