"""What the monitor's start-up imports: what its first screen needs, not the dead-frame log readers
(loaded with the first dead frame's alert) nor httpx's command-line client."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout.strip()


def test_the_first_screen_does_not_import_the_dead_frame_log_readers() -> None:
    code = (
        "import sys, cuetui.ui.app;"
        "print(sorted(m for m in ('cuetui.farm.dead', 'cuetui.farm.logs', 'cuetui.farm.signatures')"
        " if m in sys.modules))"
    )
    assert _run(code) == "[]"


def test_the_monitor_keeps_httpx_command_line_client_out_and_httpx_still_works() -> None:
    # Canary: httpx imports `httpx._main` (click, pygments) in a try/except ImportError; if it stops
    # doing so, the placeholder module breaks the import and this fails.
    code = (
        "import sys; from cuetui.commands.tui import without_httpx_command_line;"
        "without_httpx_command_line(); import httpx, cuetui.ui.app;"
        "from cuetui.farm.connect import client_from_settings;"
        "print(sorted(m for m in ('click', 'pygments.lexers') if m in sys.modules), callable(httpx.main),"
        " httpx.Request('GET', 'http://gw/x').url.host)"
    )
    assert _run(code) == "[] True gw"
