"""Canaries for the Textual internals cuetui still relies on, one test each, named after what breaks.

Everything else is built on Textual's public API (the tables on the line API: ScrollView, render_line,
Strip). pyproject pins Textual to the range these pass on; a Textual upgrade that moves one of these
fails here, by name, before it fails a user:

- `ui/hangup.py` empties the queue of a dead output thread after SIGHUP: the app's `_driver`, the Linux
  driver's `_writer_thread` and that thread's `_queue` (Textual offers no public way to stop a write
  that can never finish once the terminal is gone).
- `ui/widgets/key_footer.py` builds its keys from `textual.widgets._footer.FooterKey` (the public
  Footer shows every binding in focus order and cuts off what does not fit; FooterKey is not exported,
  and a key widget of our own would restyle every screen's footer), and is told of new bindings by
  Footer's `bindings_changed`, which Footer subscribes to the screen's bindings signal.

No cuetui module uses Textual's DataTable or another private Textual name: the last two tests
look for one in the source, and for a class that reads or shadows a private name of its Textual bases.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import inspect
import io
import pkgutil
import queue
import re
from pathlib import Path

from textual.app import App


async def test_hangup_canary_the_linux_driver_keeps_its_output_thread_and_queue() -> None:
    from textual.drivers._writer_thread import WriterThread
    from textual.drivers.linux_driver import LinuxDriver

    async with App().run_test() as pilot:
        assert pilot.app._driver is not None, "hangup.py finds the running driver as App._driver"
    writer = WriterThread(io.StringIO())
    assert isinstance(writer._queue, queue.Queue), "hangup.py drains WriterThread._queue"
    driver = LinuxDriver(App(), debug=False, mouse=False)
    assert hasattr(driver, "_writer_thread"), "hangup.py finds the output thread as driver._writer_thread"
    assert "_writer_thread = WriterThread" in inspect.getsource(LinuxDriver.start_application_mode)


def test_key_footer_canary_footer_key_takes_the_arguments_key_footer_gives() -> None:
    from textual.widgets._footer import FooterKey

    key = FooterKey("q", "q", "quit", "app.quit", disabled=False, tooltip="")
    assert hasattr(key, "compact"), "KeyFooter sets FooterKey.compact"


def test_key_footer_canary_footer_hears_of_new_bindings_through_bindings_changed() -> None:
    from textual.widgets import Footer

    assert "bindings_changed" in inspect.getsource(Footer.on_mount), "KeyFooter overrides Footer.bindings_changed"
    assert list(inspect.signature(Footer.bindings_changed).parameters) == ["self", "screen"]
    # Before Textual 6.2 it was a coroutine: KeyFooter's plain override then dropped it unawaited and the
    # footer stayed empty, which is why pyproject asks for 6.2 at least.
    assert not inspect.iscoroutinefunction(Footer.bindings_changed), "KeyFooter calls it without awaiting"


PACKAGE = Path(__file__).resolve().parents[2] / "cuetui"
# What the two modules above may name; nothing else in cuetui names a private Textual module or attribute.
ALLOWED = {
    "ui/hangup.py": {"_driver", "_writer_thread", "_queue"},
    "ui/widgets/key_footer.py": {"textual.widgets._footer"},
}


def test_no_other_module_imports_a_private_textual_module_or_data_table() -> None:
    """The tables are on the line API, not DataTable; no private Textual module or driver attribute."""
    found: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = path.read_text()
        names = set(re.findall(r"\btextual(?:\.\w+)*\._\w+", source))
        names |= {
            "DataTable" for _ in re.findall(r"\bDataTable\s*[\[(]|^from textual[^\n]*\bDataTable\b", source, re.M)
        }
        names |= set(re.findall(r"[\"'](_driver|_writer_thread|_queue)[\"']", source))
        where = str(path.relative_to(PACKAGE))
        if names - ALLOWED.get(where, set()):
            found[where] = names
    assert not found, found


def _private_names(source: str) -> set[str]:
    """`_name`s a class's source reads, sets or defines on itself (not dunders)."""
    names = set(re.findall(r"self\.(_[A-Za-z0-9_]+)\b", source)) | set(re.findall(r"def (_[A-Za-z0-9_]+)\(", source))
    return {n for n in names if not n.startswith("__")}


@functools.cache
def _base_private_names(base: type) -> frozenset[str]:
    names = {n for n in vars(base) if n.startswith("_") and not n.startswith("__")}
    with contextlib.suppress(OSError, TypeError):
        names |= _private_names(inspect.getsource(base))
    return frozenset(names)


def test_no_widget_uses_or_shadows_a_private_name_of_its_textual_bases() -> None:
    """A cuetui class that subclasses a Textual one uses none of its bases' private attributes or methods,
    nor defines one of the same name (which would break the base, silently, on an upgrade)."""
    import cuetui.ui

    hits: dict[str, set[str]] = {}
    for info in pkgutil.walk_packages(cuetui.ui.__path__, "cuetui.ui."):
        module = importlib.import_module(info.name)
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__:
                continue
            bases = [b for b in cls.__mro__[1:] if b.__module__.split(".")[0] == "textual"]
            if not bases:
                continue
            theirs = set().union(*(_base_private_names(base) for base in bases))
            shared = _private_names(inspect.getsource(cls)) & theirs
            if shared:
                hits[f"{cls.__module__}.{cls.__qualname__}"] = shared
    assert not hits, hits
