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
from cuetui.commands.parser import build_parser, global_parser, nonblank

__all__ = ["EXIT_FAILURE", "EXIT_OK", "EXIT_UNREACHABLE", "EXIT_USAGE", "build_parser", "main", "nonblank"]

# Where an unexpected error (a bug) should go; said in the one line that replaces a traceback.
REPORT_TO = "please report it to the cuetui maintainers with `cuetui --version` and the command you ran"
TRACEBACK_ENV = "CUETUI_TRACEBACK"  # set to 1 to see the traceback of an unexpected error (for a bug report)


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line and run the chosen command; returns the process exit status."""
    try:
        return _main(argv)
    except KeyboardInterrupt:  # ctrl+c while the parser or a command module is still loading
        return 130


def _main(argv: Sequence[str] | None) -> int:
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
    except RecursionError:
        print("cuetui: input nested too deeply to read (config, arguments or an answer)", file=sys.stderr)
        return EXIT_USAGE
    except MemoryError:
        print("cuetui: out of memory", file=sys.stderr)
        return EXIT_FAILURE
    except Exception as exc:  # the last line of defence: a bug says so in one line, never a traceback
        return unexpected(exc)


def unexpected(exc: BaseException) -> int:
    """One line for an error nobody planned for: its type and where, never its text or the locals
    (either may hold a farm string or a secret); the traceback only when CUETUI_TRACEBACK=1."""
    import os
    import traceback
    from pathlib import Path

    if os.environ.get(TRACEBACK_ENV) == "1":
        traceback.print_exception(exc)
    # The package's own frames, found by its real location (not by a path containing "cuetui", which
    # every file of a clone in a folder named cuetui has).
    package = Path(__file__).resolve().parent
    where = ""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename).resolve()
        if path.is_relative_to(package):
            where = f" in cuetui/{path.relative_to(package).as_posix()} line {frame.lineno}"
            break
    print(f"cuetui: unexpected error ({type(exc).__name__}{where}); this is a bug: {REPORT_TO}", file=sys.stderr)
    return EXIT_FAILURE
