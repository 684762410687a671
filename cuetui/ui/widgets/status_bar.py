"""The status bar: farm and URL, connection state, counts and the time of the last refresh.

Each part is its own fixed-size widget, so a change repaints only that part and never causes a
relayout: an idle monitor rewrites the refresh time once per poll (~20 cells) and nothing else. Nothing
here ticks on a timer.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.reactive import reactive
from textual.widget import Widget

from cuetui.farm.connection import LIVE, ConnectionStatus
from cuetui.farm.text import safe


class Segment(Widget):
    """One part of the status bar: a line of plain text, repainted only when it changes."""

    text: reactive[str] = reactive("", layout=False)

    def render(self) -> Text:
        return Text(self.text, no_wrap=True, overflow="ellipsis", end="")


COUNTS_SEPARATOR = " · "


def fit_counts(text: str, width: int) -> str:
    """As many of the " · "-separated parts of `text` as fit in `width` cells, in order, each whole: a
    part cut in the middle would leave a number beside the next segment's word ("· 371" then
    "updated 10:00"), which reads as something else. The first part is shortened only if alone it does
    not fit."""
    if cell_len(text) <= width:
        return text
    parts = text.split(COUNTS_SEPARATOR)
    shown = parts[0]
    if cell_len(shown) > width:
        return set_cell_size(shown, max(0, width - 1)) + "…" if width > 0 else ""
    for part in parts[1:]:
        longer = shown + COUNTS_SEPARATOR + part
        if cell_len(longer) <= width:
            shown = longer
    return shown


class CountsSegment(Segment):
    """The counts part: fixed width (no relayout when they change), showing only whole parts."""

    def render(self) -> Text:
        return Text(fit_counts(self.text, self.size.width), no_wrap=True, end="")


def connection_text(status: ConnectionStatus, now: float) -> str:
    """The connection part, e.g. "live" or "unreachable at http://gw:8448, retrying in 4 s"."""
    return safe(status.text(now), 200)


class StatusBar(Horizontal):
    """Farm │ connection │ counts │ last refresh. Screens call `set_counts` and `set_refreshed`; the
    app pushes connection changes with `set_connection`."""

    def __init__(self, farm: str, url: str, *, read_only: bool, tls_unverified: bool, clock: Callable[[], float]):
        super().__init__(id="status-bar")
        self.clock = clock
        self._farm_text = f" {safe(farm, 40)} "
        self._url_text = f"{safe(url, 80)} "
        flags = []
        if read_only:
            flags.append("READ-ONLY")
        if tls_unverified:
            flags.append("TLS UNVERIFIED")
        self._flags_text = " ".join(flags) + " " if flags else ""
        self._last_refresh: float | None = None
        self._stale = False

    def compose(self) -> ComposeResult:
        for segment_id, text in (
            ("status-farm", self._farm_text),
            ("status-url", self._url_text),
            ("status-flags", self._flags_text),
        ):
            segment = Segment(id=segment_id)
            segment.text = text
            if not text:  # an inline display would override the stylesheet's narrow rules
                segment.display = False
            yield segment
        yield Segment(id="status-conn")
        yield CountsSegment(id="status-counts")
        yield Segment(id="status-time")

    def on_resize(self) -> None:
        # At 80 columns the URL gives way (it is in the connection text when there is a problem).
        self.set_class(self.size.width < 110, "-narrow")

    def set_connection(self, status: ConnectionStatus) -> None:
        """Show the connection state; data on screen becomes stale when it is not live."""
        conn = self.query_one("#status-conn", Segment)
        conn.text = " " + connection_text(status, self.clock())
        problem = status.state != LIVE
        conn.set_class(problem, "-problem")
        self.set_class(problem, "-problem")
        self._stale = status.state != LIVE
        self._render_time()

    def set_counts(self, text: str) -> None:
        """Counts of the current screen, e.g. "42/120 jobs · 3 marked" (most important part first: the
        parts that do not fit are left out whole)."""
        self.query_one("#status-counts", Segment).text = text

    def set_refreshed(self, when: float) -> None:
        """Data arrived at `when` (epoch seconds)."""
        self._last_refresh = when
        self._render_time()

    def _render_time(self) -> None:
        seg = self.query_one("#status-time", Segment)
        if self._last_refresh is None:
            seg.text = ""
            return
        stamp = time.strftime("%H:%M:%S", time.localtime(self._last_refresh))
        seg.text = f"stale {stamp}" if self._stale else f"updated {stamp}"
        seg.set_class(self._stale, "-stale")
