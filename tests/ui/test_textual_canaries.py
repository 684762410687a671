"""Canaries for the Textual internals cuetui still relies on, one test each, named after what breaks.

Everything else is built on Textual's public API (the tables on the line API: ScrollView, render_line,
Strip). pyproject pins Textual to the range these pass on; a Textual upgrade that moves one of these
fails here, by name, before it fails a user:

- `ui/hangup.py` empties the queue of a dead output thread after SIGHUP: the Linux driver's
  `_writer_thread` and that thread's `_queue`.
- `ui/widgets/key_footer.py` builds its keys from `textual.widgets._footer.FooterKey` (the public
  Footer shows every binding in focus order and cuts off what does not fit).
"""

from __future__ import annotations

import inspect
import io
import queue

from textual.app import App


async def test_hangup_canary_the_linux_driver_keeps_its_output_thread_and_queue() -> None:
    from textual.drivers._writer_thread import WriterThread
    from textual.drivers.linux_driver import LinuxDriver

    writer = WriterThread(io.StringIO())
    assert isinstance(writer._queue, queue.Queue), "hangup.py drains WriterThread._queue"
    driver = LinuxDriver(App(), debug=False, mouse=False)
    assert hasattr(driver, "_writer_thread"), "hangup.py finds the output thread as driver._writer_thread"
    assert "_writer_thread = WriterThread" in inspect.getsource(LinuxDriver.start_application_mode)


def test_key_footer_canary_footer_key_takes_the_arguments_key_footer_gives() -> None:
    from textual.widgets._footer import FooterKey

    key = FooterKey("q", "q", "quit", "app.quit", disabled=False, tooltip="")
    assert hasattr(key, "compact"), "KeyFooter sets FooterKey.compact"
