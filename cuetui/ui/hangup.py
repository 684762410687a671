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
import threading
import time
from typing import Any

from textual.app import App

# After a hang-up, how long the normal shutdown may take before the process ends itself: nobody can see
# a process whose terminal is gone, so one that is stuck must not linger.
HANGUP_GRACE = 10.0


def exit_on_hangup(app: App[Any], code: int = 0) -> None:
    """Make SIGHUP (and SIGTERM, which leaves the terminal usable) end `app` with `code` through its normal
    shutdown, so the terminal is restored and `cuetui demo` stops its gateway child (call from on_mount).

    SIGHUP gets a plain signal handler, not the event loop's: the loop's handlers only run when the loop
    gets a turn, and after a hang-up the main thread can be blocked putting output on the queue of an
    output thread that already died on a failed write. A plain handler runs even then."""
    with contextlib.suppress(NotImplementedError, RuntimeError, AttributeError, ValueError):
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, app.exit, code)
        signal.signal(signal.SIGHUP, lambda _sig, _frame: _hang_up(app, loop, code))


def _hang_up(app: App[Any], loop: asyncio.AbstractEventLoop, code: int) -> None:
    _discard_terminal_output()
    threading.Thread(target=_drain_dead_writer, args=(app,), name="cuetui-hangup", daemon=True).start()
    with contextlib.suppress(RuntimeError):  # a loop already closed: shutdown is under way
        loop.call_soon_threadsafe(app.exit, code)


def _drain_dead_writer(app: App[Any]) -> None:
    """Stand in for a dead output thread (empty its queue, so no put blocks), and end the process if the
    shutdown has not finished within HANGUP_GRACE."""
    deadline = time.monotonic() + HANGUP_GRACE
    while time.monotonic() < deadline:
        writer = getattr(getattr(app, "_driver", None), "_writer_thread", None)
        pending = getattr(writer, "_queue", None)
        if writer is not None and not writer.is_alive() and isinstance(pending, queue.Queue):
            with contextlib.suppress(queue.Empty):
                while True:
                    pending.get_nowait()
        time.sleep(0.05)
    os._exit(0)


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
