"""The terminal going away (an SSH drop, a closed tmux pane): SIGHUP ends the app cleanly, exit status 0;
so does SIGTERM.

After a hang-up every write to the terminal fails (EIO). Textual's output thread dies on the first failed
write; its bounded queue then fills up, and Textual's shutdown, which queues the sequences that restore
the terminal and waits for that thread, blocks for ever: an orphaned process nobody can see. So on SIGHUP
the output goes to /dev/null first, and a dead output thread gets an empty queue before shutdown.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import queue
import signal
import sys
from typing import Any

from textual.app import App


def exit_on_hangup(app: App[Any], code: int = 0) -> None:
    """Make SIGHUP (and SIGTERM, which leaves the terminal usable) end `app` with `code` through its normal
    shutdown, so the terminal is restored and `cuetui demo` stops its gateway child (call from on_mount)."""
    with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError, ValueError):
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGHUP, _hang_up, app, code)
        loop.add_signal_handler(signal.SIGTERM, app.exit, code)


def _hang_up(app: App[Any], code: int) -> None:
    _discard_terminal_output()
    release_dead_writer(app)
    app.exit(code)


def _discard_terminal_output() -> None:
    """Point stdout and stderr (where Textual draws) at /dev/null: the terminal is gone."""
    with contextlib.suppress(OSError):
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            for stream in (sys.__stdout__, sys.__stderr__):
                if stream is not None:
                    with contextlib.suppress(OSError, ValueError):
                        os.dup2(null, stream.fileno())
        finally:
            os.close(null)


def release_dead_writer(app: App[Any]) -> None:
    """If Textual's output thread has died (a write failed), give it an empty queue, so that shutdown's
    final writes and its "stop" marker do not wait for ever on a full one. Harmless otherwise."""
    writer = getattr(getattr(app, "_driver", None), "_writer_thread", None)
    if writer is None or writer.is_alive():
        return
    if isinstance(getattr(writer, "_queue", None), queue.Queue):
        writer._queue = queue.Queue()
