"""`cuetui` with no command (or `cuetui tui`): the interactive monitor."""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `cuetui tui`."""
    p = sub.add_parser("tui", help="open the interactive monitor (the default)")
    p.set_defaults(func=run_tui)


def run_tui(args: argparse.Namespace) -> int:
    """Open the interactive monitor against the configured farm."""
    print("cuetui: the interactive monitor is not built yet; try `cuetui demo-gateway`", file=sys.stderr)
    return 1
