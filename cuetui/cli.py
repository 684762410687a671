"""Command-line entry point: parse the command line (`cuetui.commands.parser`), run the chosen command, and
return the exit codes scripts rely on (`cuetui.commands.exits`).

Subcommands live in `cuetui/commands/<name>.py`; each module exposes `register(subparsers)` and sets
`func` on its parser. Modules must stay cheap to import (no Textual, no httpx at module level) so that
`cuetui --help` and the non-interactive commands start fast.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from cuetui.commands.exits import EXIT_FAILURE, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE
from cuetui.commands.parser import build_parser, global_parser

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_UNREACHABLE", "EXIT_USAGE", "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen command; returns the process exit status."""
    if argv is None:
        argv = sys.argv[1:]
    if not argv:
        # Plain `cuetui` opens the monitor: only the global flags' defaults are needed, not every
        # command's parser and module (start-up time).
        args = global_parser().parse_args([])
        args.command = None
    else:
        args = build_parser().parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        from cuetui.commands.tui import run_tui

        func = run_tui
    try:
        return int(func(args) or 0)
    except KeyboardInterrupt:
        return 130
