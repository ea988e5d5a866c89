"""The `peercoach` console script. Each subcommand is one line in COMMANDS; keep it Django-free."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

# subcommand -> (module with a `main(argv, prog)` function, one-line description)
COMMANDS: dict[str, tuple[str, str]] = {
    "match": ("peercoach.matching_engine.cli", "match people into pairs or groups from CSV files"),
}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    if not arguments or arguments[0] in ("-h", "--help") or arguments[0] not in COMMANDS:
        known = "\n".join(f"  {name:<10} {about}" for name, (_, about) in sorted(COMMANDS.items()))
        message = f"usage: peercoach COMMAND ...\n\ncommands:\n{known}\n"
        if arguments and arguments[0] not in ("-h", "--help"):
            print(f"peercoach: unknown command '{arguments[0]}'\n\n{message}", file=sys.stderr)
            return 2
        print(message, file=sys.stderr if not arguments else sys.stdout)
        return 0 if arguments else 2
    module_name, _ = COMMANDS[arguments[0]]
    command = importlib.import_module(module_name)
    status: int = command.main(arguments[1:], prog=f"peercoach {arguments[0]}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
