"""The job screen: the job's stats, its layers (with a progress bar each), a strip of every frame's
state, and the frames table, kept live with GetUpdatedFrames through `FrameSync`.

Polling runs only while the screen is visible, never stacks calls, and stops once the job is
FINISHED. A 50 000-frame job opens without freezing: frames arrive page by page (the table shows the
first pages at once and says how many are loaded), the table is virtual (only the lines on screen are
rendered), and each poll redraws only the rows of frames that changed.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Static

from cuetui.farm import format as fmt
from cuetui.farm.frames import FrameSync, SyncResult
from cuetui.farm.text import safe
from cuetui.farm.views.job import JobDetail, JobDetailView
from cuetui.gateway.models import Frame, Job, Layer
from cuetui.ui import remedies, settings_steer
from cuetui.ui.catalogue import ActionSpec, bindings
from cuetui.ui.screens.base import FarmScreen, FilterInput
from cuetui.ui.services import AppServices
from cuetui.ui.settings_keys import LAYER_ACTIONS, ConfiguresFarm, job_settings_actions
from cuetui.ui.steer_keys import SteersFarm, frame_actions, job_actions
from cuetui.ui.steering import watch_jobs
from cuetui.ui.widgets import cells
from cuetui.ui.widgets.farm_table import FarmTable
from cuetui.ui.widgets.frame_strip import FrameStrip
from cuetui.ui.widgets.frame_table import FRAME_COLUMNS, FrameTable
from cuetui.ui.widgets.key_footer import KeyFooter
from cuetui.ui.widgets.layer_table import LayerTable
from cuetui.ui.widgets.states import on_background, state_style
from cuetui.ui.widgets.status_bar import StatusBar
from cuetui.ui.widgets.steady import SteadyStatic

if TYPE_CHECKING:
    from cuetui.farm.connection import ConnectionTracker

# While a big job loads, the pages that arrived are handed to the table and strip at most this often (s):
# each hand-over lays the screen out again (the table's height grows), which cost more than the page
# (4 a second: the load's CPU fell by a quarter against 10 a second in bench_frames).
LOAD_SHOW_EVERY = 0.25
GC_FREEZE_FROM = 5000  # frames expected at which a load first moves what the app holds out of the collector's sight

JOB_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("job.log", "enter,l", "open_log", "log"),
    ActionSpec("job.dead_only", "d", "toggle_dead", "dead only"),
    ActionSpec("job.filter", "slash", "start_filter", "filter"),
    ActionSpec("job.sort", "s", "cycle_sort", "sort"),
    ActionSpec("job.reverse", "S", "reverse_sort", "reverse sort", footer=False),
    ActionSpec("job.mark", "space", "toggle_mark", "mark", footer=False),
    ActionSpec("job.mark_all", "a", "mark_all", "mark all", footer=False),
    ActionSpec("job.copy", "c", "copy_name", "copy frame name", footer=False),
    ActionSpec(
        "job.why",
        "w",
        "why",
        "why",
        help="why the job (or the layer or frame under the cursor) is not running, with remedies",
    ),
    ActionSpec(
        "job.depends",
        "v",
        "depends",
        "deps",
        footer=False,  # at 80 columns it would push resume out; `w` names it as the dependency's remedy
        help="what the job (or the layer or frame under the cursor) waits on and what waits on it; drop them",
    ),
    ActionSpec("job.refresh", "ctrl+r", "refresh", "refresh now", footer=False),
    ActionSpec("screen.back", "escape", "back", "back", footer=False, palette=False),
)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def job_summary(job: Job, now: float, style: Callable[[str], Style] = lambda _name: Style()) -> Text:
    """Two lines about the job: who, what, state; then frame counts, cores, memory and times. `style`
    gives a state's look (`states.state_style`), so the header reads like the tables."""
    stats = job.stats
    text = Text(no_wrap=True, overflow="ellipsis", end="")
    text.append(safe(job.name, 200), style="bold")
    if job.is_paused:
        text.append(" ")
        text.append(" PAUSED ", style=style("paused"))
    # The same word as the jobs table (Cuebot calls an active job PENDING, whether it runs or not).
    word, look = cells.job_state(job)
    if word != "PAUSED":
        text.append("  ")
        text.append(word, style=style(look))
    text.append(f"  pri {job.priority}  {safe(job.user, 40)}  {safe(job.show, 40)}/{safe(job.shot, 40)}")
    text.append("\n")
    bar = fmt.bar(stats.succeeded_frames, stats.total_frames, 16)
    done = len(bar.rstrip("░"))
    text.append(bar[:done], style=style("bar-done"))
    text.append(bar[done:], style=style("bar-todo"))
    text.append(f" {fmt.percent(stats.succeeded_frames, stats.total_frames):3d}%  ")
    text.append(f"{stats.succeeded_frames:,}/{stats.total_frames:,} done  ")
    text.append(f"run {stats.running_frames:,}", style=style("running") if stats.running_frames else "")
    text.append(f"  wait {stats.waiting_frames:,}  dep {stats.depend_frames:,}  ")
    text.append(f"dead {stats.dead_frames:,}", style=style("dead") if stats.dead_frames else "")
    text.append(f"  eaten {stats.eaten_frames:,}  cores {fmt.cores(stats.reserved_cores)}")
    if stats.max_rss:
        text.append(f"  max rss {fmt.memory_kb(stats.max_rss)}")
    if job.start_time:
        end = job.stop_time if job.stop_time else now
        text.append(f"  elapsed {fmt.duration(end - job.start_time)}")
    if not job.is_finished:
        remaining = stats.waiting_frames + stats.running_frames + stats.depend_frames
        eta = fmt.eta_seconds(remaining, stats.running_frames, stats.avg_frame_sec)
        if eta:
            text.append(f"  eta {fmt.duration(eta)}")
    return text


# The steering keys: the job keys act on this job, the frame keys on the marked frames or the cursor's.
STEER_ACTIONS: tuple[ActionSpec, ...] = (
    job_actions("job")
    + frame_actions("frames")
    + tuple(replace(spec, footer=False) for spec in job_settings_actions("job"))
    + LAYER_ACTIONS
)
# The remedies on frames beyond the steering keys (`W`; the `:` frame-range commands need no key).
REMEDY_ACTIONS: tuple[ActionSpec, ...] = remedies.frame_remedy_actions("frames") + remedies.proc_actions(
    "frames.procs", footer=False
)


class JobScreen(SteersFarm, ConfiguresFarm, FarmScreen[Frame], inherit_bindings=False):
    """One job: header, layers, frame-state strip and frames (see the module docstring). A FarmScreen
    of its own layout: the filter, sort, mark, copy and back keys act on the frames table (`table`),
    the mark key on the layers table when it has focus; its poll is the job-detail view's."""

    CSS_PATH = "../styles/job.tcss"
    AUTO_FOCUS = "#frames"  # the frames table, the one on_mount focuses (not the layers table above it)
    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = JOB_ACTIONS + STEER_ACTIONS + REMEDY_ACTIONS
    # Not the table screens' keys (their own `?` would move the footer's): a Screen's and this catalogue's.
    BINDINGS: ClassVar[list[BindingType]] = [
        *Screen.BINDINGS,
        *bindings(JOB_ACTIONS + STEER_ACTIONS + REMEDY_ACTIONS),
    ]

    def __init__(self, job_id: str, job_name: str = "", layer_count: int = 0) -> None:
        """`layer_count`: the job's layers as the jobs table knows them (JobStats.total_layers; 0: not
        known), so the layers table has its height before the first answer and the screen is laid out
        once, not again when the layers arrive."""
        super().__init__()
        self.job_id = job_id
        self.job_name = job_name
        self.layer_count = layer_count
        self.job: Job | None = None
        self.job_layers: list[Layer] = []
        self.layer_filter: str | None = None  # layer name
        self.dead_only = False
        self.text_filter = ""
        self.view: JobDetailView | None = None
        self.sync: FrameSync | None = None  # the view's frames, for the table, the strip and tests
        self.polls = 0
        self.last_result: SyncResult | None = None
        self._layer_rows: dict[str, tuple[Text, ...]] = {}
        self._load_progress: tuple[int, int | None] = (0, None)
        self._loading_shown = 0  # frames of a first load already handed to the table and strip
        self._shown_at = 0.0  # time.monotonic() when pages were last handed over
        self.warnings_shown: list[str] = []  # what FrameSync warned about (once each)
        self._status_width = 0  # the cells of the text #job-status shows

    # --- the app's contract ----------------------------------------------------------------------

    def _clock(self) -> float:
        return self.services.clock()

    @property
    def connection(self) -> ConnectionTracker:
        """The app's connection state, which this screen's polls feed."""
        return self.services.connection

    # --- composition -----------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield SteadyStatic(Text(safe(self.job_name or self.job_id, 200), style="bold"), id="job-header")
        layers = LayerTable(id="layers")
        if self.layer_count:
            layers.styles.height = self._layers_height(self.layer_count + 1)  # the whole-job row too
        yield layers
        with Horizontal(id="strip-bar"):
            yield SteadyStatic("", id="frames-title")
            yield SteadyStatic("", id="job-status")
        yield FrameStrip(id="strip")
        filter_input = FilterInput(
            placeholder="filter frames: type to narrow, enter to keep, escape to clear", id="filter"
        )
        filter_input.display = False
        yield filter_input
        yield FrameTable(FRAME_COLUMNS, clock=self._clock, tie=self._frame_position, id="frames")
        options = self.services.options
        yield StatusBar(
            options.farm_name,
            options.url,
            read_only=options.read_only,
            tls_unverified=options.tls_unverified,
            clock=self._clock,
        )
        yield KeyFooter()

    def _status_bar(self) -> StatusBar | None:
        try:
            return self.query_one(StatusBar)
        except NoMatches:  # the screen is closing
            return None

    @property
    def frames_table(self) -> FrameTable:
        """The frames table."""
        return self.query_one("#frames", FrameTable)

    @property
    def table(self) -> FrameTable:
        """The table the shared keys act on: the frames."""
        return self.frames_table

    def focused_table(self) -> FarmTable[Any]:
        """The mark key marks layers when the layers table has focus, else frames."""
        return self.layers_table if self.focused is self.layers_table else self.frames_table

    @property
    def layers_table(self) -> LayerTable:
        """The layers table."""
        return self.query_one("#layers", LayerTable)

    def _frame_position(self, frame_id: str) -> int:
        # Frames whose sort values are equal stay in frame order (the sync's), also reversed.
        sync = self.sync
        return sync.index_of(frame_id) if sync is not None else -1

    @property
    def sort_column(self) -> str:
        """The frames' sort column ("" in frame order)."""
        return self.frames_table.sort_column

    @property
    def sort_reverse(self) -> bool:
        """True when the frames' sort is reversed."""
        return self.frames_table.sort_reverse

    @property
    def strip(self) -> FrameStrip:
        """The frame-state strip."""
        return self.query_one("#strip", FrameStrip)

    def on_mount(self) -> None:
        self.frames_table.set_empty_text("loading frames…")
        self.view = JobDetailView(
            self.services.client,
            self.job_id,
            clock=self._clock,
            on_progress=self._progress,
            on_header=self._show_header_early,
        )
        self.sync = self.view.sync
        # (FarmScreen's on_mount runs next, as Textual calls each class's handler: the status bar, the
        # poll loop over the view, the frames focused)

    def poll_interval(self) -> float:
        """Seconds between polls of the job (its frames' refresh)."""
        return self.services.options.frame_refresh or 2.0

    def empty_text(self) -> str:
        """What the empty frames table says (set as the frames arrive, or do not)."""
        return self.frames_table.empty_text

    def resumes_poll(self) -> bool:
        """A finished job is not polled again when the screen comes back (ctrl+r still refreshes)."""
        return not (self.sync is not None and self.sync.finished)

    # --- polling -----------------------------------------------------------------------------------

    async def poll_once(self) -> tuple[Job, Sequence[Layer] | None, SyncResult]:
        """One round: the job-detail view's (the job, its layers when due, the frames that changed)."""
        view = self.view
        assert view is not None
        detail: JobDetail = await view.poll()
        self.polls = view.polls
        return detail.job, detail.layers, detail.frames

    def _show_header_early(self, job: Job, layers: Sequence[Layer]) -> None:
        """The first poll's header and layers, shown while the frames load."""
        if self.is_attached:
            self._show_job(job)
            self._show_layers(layers)

    def _progress(self, loaded: int, expected: int | None) -> None:
        """Called by FrameSync while a full load is under way."""
        self._load_progress = (loaded, expected)
        if not self.is_attached:
            return
        if (expected or 0) >= GC_FREEZE_FROM:
            # A big load is under way. Frames have no GC header, but what the app already holds (a
            # jobs table of 20 000 rows is a million tracked objects) and the load's own growing
            # lists and dicts of 200 000 entries are scanned by every full collection, which the
            # load's garbage brings about: 1.4 s each at 200 000 frames in bench/bench_frames.py.
            # Freezing at each page moves what exists now out of the collector's sight (it is
            # still freed by reference counting); the young generations are collected first so
            # little garbage is frozen with it (and answers keep no body once read).
            gc.collect(1)
            gc.freeze()
        sync = self.sync
        if sync is None or sync.loaded:
            return
        now = time.monotonic()
        if self._loading_shown and now - self._shown_at < LOAD_SHOW_EVERY:
            return  # shown with the next pages, or when the load is done
        self._shown_at = now
        total = f" / {expected:,}" if expected else ""
        self.frames_table.set_empty_text(f"loading frames… {loaded:,}{total}")
        self._set_frames_title(f"loading {loaded:,}{total} frames")
        self._show_arrived()

    def _show_arrived(self) -> None:
        """Hand the table and the strip the frames of a first load that arrived since the last time."""
        sync = self.sync
        assert sync is not None
        shown = self._loading_shown
        if len(sync.order) > shown:
            # Show the pages that arrived (in Cuebot's order while loading): append only the new
            # ones, so loading 50 000 frames costs the same per page from the first to the last.
            frames = sync.frames
            new_ids = sync.order[shown:]
            self._loading_shown = len(sync.order)
            self.strip.append_states(frames[i].state for i in new_ids)
            table = self.frames_table
            if self.sort_column:
                return  # sorted: shown once the load is done
            table.append_data([frames[i] for i in new_ids], self._clock())

    def show_result(self, result: tuple[Job, Sequence[Layer] | None, SyncResult]) -> None:
        if not self.is_attached:  # the answer came back after the screen closed
            return
        job, layers, sync_result = result
        self.connection.success()
        self._set_stale(False)
        self.last_result = sync_result
        self._show_job(job)
        if layers is not None:
            self._show_layers(layers)
        self._apply(sync_result)
        if sync_result.warning:
            self.warnings_shown.append(sync_result.warning)
            self.notify(sync_result.warning, severity="warning", markup=False, timeout=10)
        sync = self.sync
        if sync is not None and sync.finished and self.poll is not None:
            self.poll.pause()
        self._show_status()
        # A new dead frame or the job finishing: a toast (and the bell), never repeated.
        self.run_worker(watch_jobs(self.app, [job]), group="alerts", exit_on_error=False)

    def show_error(self, error: Exception, retry_in: float) -> None:
        if not self.is_attached:
            return
        self.connection.failure(error, retry_in)
        self._set_stale(True)
        self.query_one("#job-status", Static).update(
            Text(f"{safe(str(error), 200)} (retrying in {retry_in:.0f} s)", style="bold", end="")
        )

    def refresh_now(self) -> None:
        """Poll at once: the header and layers too."""
        self.action_refresh()

    def action_refresh(self) -> None:
        if self.view is not None:
            self.view.refresh_all()  # the header and layers too, not only the frames
        if self.poll is not None:
            if self.poll.paused:
                self.poll.resume()
            else:
                self.poll.poke()

    # --- applying data -----------------------------------------------------------------------------

    def _show_job(self, job: Job) -> None:
        self.job = job
        self.job_name = job.name
        # Two lines in a header of fixed height and the screen's width: a new summary (at each poll, its
        # elapsed time) never changes its size, so no layout of the screen.
        self.query_one("#job-header", Static).update(job_summary(job, self._clock(), self.state_style), layout=False)

    def state_style(self, name: str) -> Style:
        """A state's look from states.tcss, readable on the header's background. Resolved on the frame
        strip, which lists the state component classes and draws on the screen's own background (no
        background of its own): the screen listing them too would restyle 13 more component classes
        at every style pass of the job screen."""
        return on_background(state_style(self.strip, name), self.query_one("#job-header", Static))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        # A new theme: the header is Text with the old theme's colours in it, so draw it again (after the
        # refresh, once the new stylesheet is in place). A watcher on the app's theme would keep a closed
        # screen alive.
        self.call_after_refresh(self._restyle_header)

    def _restyle_header(self) -> None:
        if self.job is not None and self.is_mounted:
            self._show_job(self.job)

    def _show_layers(self, layers: Sequence[Layer]) -> None:
        self.job_layers = sorted(layers, key=lambda layer: layer.dispatch_order)
        table = self.layers_table
        table.set_layers(self.job_layers, self.job, self._clock())
        table.styles.height = self._layers_height(table.total_count)

    def _layers_height(self, rows: int) -> int:
        """The layers table's height for `rows` rows: up to 6 (10 on a tall terminal), and its header."""
        return min(rows, 6 if self.app.size.height < 40 else 10) + 1

    def _apply(self, result: SyncResult) -> None:
        sync = self.sync
        assert sync is not None
        table = self.frames_table
        if result.first_load and not result.reordered:
            self._show_arrived()  # the pages that came after the last ones shown
        if (
            result.first_load
            and not result.reordered
            and not self.sort_column
            and self._loading_shown == len(sync.order)
        ):
            pass  # the pages were shown as they arrived, in this very order: nothing left to apply
        elif result.reordered or result.removed:
            self.strip.set_states(sync.frames[i].state for i in sync.order)
            self._apply_rows()
        elif result.changed:
            changed = result.changed
            frames = sync.frames
            self.strip.update_states([(sync.index_of(i), frames[i].state) for i in changed if i in frames])
            # The table puts each changed frame where it belongs (in or out of the filter, its place in
            # the sort) and redraws only the lines in view.
            self.frames_table.append_data([frames[i] for i in changed if i in frames], self._clock())
        if not sync.frames:
            table.set_empty_text("this job has no frames")
        elif not table.row_count:
            table.set_empty_text(self._no_frames_text())
        self._set_frames_title()

    def _where(self) -> Callable[[Frame], bool] | None:
        """What the layer and dead-only filters let through (None: every frame)."""
        layer = self.layer_filter
        if self.dead_only and layer is not None:
            return lambda frame: frame.state == "DEAD" and frame.layer_name == layer
        if self.dead_only:
            return lambda frame: frame.state == "DEAD"
        if layer is not None:
            return lambda frame: frame.layer_name == layer
        return None

    def _apply_filters(self) -> None:
        """The layer or dead-only filter changed: the table shows what they let through."""
        table = self.frames_table
        table.set_where(self._where())
        if not table.row_count and self.sync is not None and self.sync.loaded and self.sync.frames:
            table.set_empty_text(self._no_frames_text())

    def _apply_rows(self) -> None:
        """Hand the table every frame in frame order (after a reload reordered or removed some)."""
        sync = self.sync
        assert sync is not None
        table = self.frames_table
        table.set_data(sync.ordered(), self._clock())
        if not table.row_count and sync.loaded:
            table.set_empty_text(self._no_frames_text())

    def _no_frames_text(self) -> str:
        """Why the frames table is empty although the job has frames."""
        if self.dead_only and self.layer_filter is None and not self.text_filter:
            return "no dead frames in this job (d: every frame)"
        return "no frames match" + self._filter_words()

    def _filter_words(self) -> str:
        words = []
        if self.layer_filter is not None:
            words.append(f"layer {safe(self.layer_filter, 40)}")
        if self.dead_only:
            words.append("dead only")
        if self.text_filter:
            words.append(f"“{safe(self.text_filter, 40)}”")
        return f" ({', '.join(words)})" if words else ""

    def _set_frames_title(self, text: str | None = None) -> None:
        sync = self.sync
        if text is None:
            shown = self.frames_table.row_count
            total = len(sync.frames) if sync else 0
            text = f"frames {shown:,}" + (f" of {total:,}" if shown != total else "") + self._filter_words()
            marked = len(self.frames_table.marked)
            if marked:
                text += f" · {marked:,} marked"
        # One unwrapped line in its fixed cell of the one-line bar: its size never changes, so no
        # layout of the screen (this runs at each page while a big job loads).
        self.query_one("#frames-title", Static).update(Text(text, end="", no_wrap=True), layout=False)

    def _show_status(self) -> None:
        sync = self.sync
        parts = []
        if sync is not None:
            if sync.finished:
                parts.append("job finished: not polling (ctrl+r refreshes)")
            elif sync.fallback:
                parts.append("frames: GetFrames with changeDate (GetUpdatedFrames unusable)")
            else:
                parts.append(f"live every {self.poll.interval if self.poll else 0:g} s")
        text = Text("  ·  ".join(parts), end="", no_wrap=True)
        status = self.query_one("#job-status", Static)
        # Its width is its text's (`width: auto`): the screen is laid out again only when that changes.
        status.update(text, layout=text.cell_len != self._status_width)
        self._status_width = text.cell_len
        bar = self._status_bar()
        if bar is not None:
            bar.set_refreshed(self._clock())
            sync_frames = len(sync.frames) if sync else 0
            bar.set_counts(f"{self.frames_table.row_count:,}/{sync_frames:,} frames")

    # --- user actions --------------------------------------------------------------------------------

    def on_farm_table_row_highlighted(self, event: FarmTable.RowHighlighted) -> None:
        event.stop()
        if event.table.id != "layers":
            return  # the frames' cursor: nothing else follows it
        key = event.key
        layer = next((layer for layer in self.job_layers if layer.id == key), None)
        name = layer.name if layer is not None else None
        if name != self.layer_filter:
            self.layer_filter = name
            if self.sync is not None and self.sync.frames:
                self._apply_filters()
                self._set_frames_title()

    def on_farm_table_row_selected(self, event: FarmTable.RowSelected) -> None:
        event.stop()
        if event.table.id == "layers":
            self.frames_table.focus()
        elif event.key is not None:  # a double click on a frame
            self._open_log(event.key)

    def on_frame_strip_clicked(self, event: FrameStrip.Clicked) -> None:
        event.stop()
        sync = self.sync
        if sync is not None and 0 <= event.index < len(sync.order):
            table = self.frames_table
            if not table.move_to(sync.order[event.index]):
                self.notify("that frame is filtered out", timeout=3)
            table.focus()

    def action_open_log(self) -> None:
        if self.focused is self.layers_table:
            self.frames_table.focus()
            return
        frame_id = self.frames_table.cursor_id
        if frame_id is not None:
            self._open_log(frame_id)

    def _open_log(self, frame_id: str) -> None:
        sync = self.sync
        frame = sync.frames.get(frame_id) if sync else None
        if frame is None or self.job is None:
            return
        app = self.app
        if isinstance(app, AppServices):
            app.open_frame_log(self.job, frame, "")
        else:  # a test app showing this screen alone
            from cuetui.ui.screens.frame_log import FrameLogScreen

            self.app.push_screen(FrameLogScreen(self.job, frame))

    def _cursor_part(self) -> tuple[str | None, str | None]:
        """(layer name, frame name) under the cursor of the focused table; (None, None): the job."""
        layer_name = frame_name = None
        if self.focused is self.layers_table:
            key = self.layers_table.cursor_key
            layer = next((la for la in self.job_layers if key in (la.id, la.name)), None)
            layer_name = layer.name if layer is not None else None
        elif self.focused is self.frames_table and self.sync is not None:
            frame_id = self.frames_table.cursor_id
            frame = self.sync.frames.get(frame_id) if frame_id else None
            frame_name = frame.name if frame is not None else None
        return layer_name, frame_name

    def action_why(self) -> None:
        """Open the why panel for the frame or layer under the cursor (the table focused), else the job."""
        if self.job is None:
            return
        layer_name, frame_name = self._cursor_part()
        self.run_worker(self._why(self.job, layer_name, frame_name), group="why", exit_on_error=False)

    def action_depends(self) -> None:
        """Open the dependencies panel for the frame or layer under the cursor (the table focused), else
        the job; a drop there refreshes the frames at once."""
        if self.job is None:
            return
        from cuetui.ui.screens.deps_panel import DepsPanel

        layer_name, frame_name = self._cursor_part()
        # A frame name alone identifies it; its layer is given only for a layer's own panel.
        self.app.push_screen(DepsPanel(self.job, layer_name, frame_name, on_change=self.steer_refresh()))

    async def _why(self, job: Job, layer_name: str | None, frame_name: str | None) -> None:
        from cuetui.farm.views.why import gather_why
        from cuetui.farm.why import explain
        from cuetui.gateway.errors import GatewayError
        from cuetui.ui.catalogue import APP_ACTIONS
        from cuetui.ui.remedy_keys import remedy_keys
        from cuetui.ui.screens.hosts import HostsScreen
        from cuetui.ui.screens.subscriptions import SubscriptionsScreen
        from cuetui.ui.widgets.why_panel import WhyPanel

        try:
            picture = await gather_why(self.services.client, job, layer_name, frame_name)
        except (GatewayError, LookupError) as exc:
            self.notify(f"why: {exc}", severity="error", timeout=6)
            return
        what = job.name + (f"/{frame_name}" if frame_name else f"/{layer_name}" if layer_name else "")
        reasons = explain(picture)
        if frame_name and not reasons:
            # Nothing holds the frame under the cursor (it runs or is done): what holds the job's other
            # frames is the question then, and the title says whose reasons these are.
            try:
                whole = explain(await gather_why(self.services.client, job, None, None))
            except (GatewayError, LookupError):
                whole = []
            if whole:
                what, reasons = f"{job.name} ({frame_name} is not waiting; the job's other frames)", whole
        catalogues = (*APP_ACTIONS, *self.ACTIONS, *SubscriptionsScreen.ACTIONS, *HostsScreen.ACTIONS)
        keys = remedy_keys(catalogues, self.services.options.keymap)
        await self.app.push_screen(WhyPanel(what, reasons, keys))

    def action_toggle_dead(self) -> None:
        self.dead_only = not self.dead_only
        if self.sync is not None:
            self._apply_filters()
            self._set_frames_title()

    def set_filter_text(self, text: str) -> None:
        """The `/` line changed: the frames it matches (name, layer, state or host)."""
        text = text.strip().lower()
        if text == self.text_filter:
            return
        self.text_filter = text
        table = self.frames_table
        table.set_filter(text)
        if self.sync is not None:
            if not table.row_count and self.sync.loaded and self.sync.frames:
                table.set_empty_text(self._no_frames_text())
            self._set_frames_title()

    def sort_cycled(self) -> None:
        label = self.frames_table.sort_column or "frame order"
        self.notify(f"sorted by {label}", timeout=2)

    def table_refreshed(self, table: FarmTable[Any]) -> None:
        """The frames shown or marked changed (a mark, the marks cleared): the title says so."""
        sync = self.sync
        if table is self.frames_table and sync is not None and sync.loaded:
            self._set_frames_title()

    # --- steering: what the keys act on -------------------------------------------------------------------

    def steer_jobs(self) -> list[Job]:
        """The job keys act on this job."""
        return [self.job] if self.job is not None else []

    def steer_frames(self) -> list[tuple[Job, Frame]]:
        """The frame keys act on the marked frames, else the cursor's."""
        job = self.job
        return [(job, frame) for frame in self.selected_frames()] if job is not None else []

    def steer_refresh(self) -> Any:
        """After an action: poll now (the changed frames come back through GetUpdatedFrames)."""
        return self.action_refresh

    # --- remedies: `W` and the `:` frame-range commands on this job ---------------------------------------

    def action_mark_waiting(self) -> None:
        remedies.mark_waiting(self, self.steer_frames(), self.steer_refresh())

    def action_kill_procs(self) -> None:
        remedies.procs_of_frames(self, self.job, self.selected_frames(), True, self.steer_refresh())

    def action_unbook_procs(self) -> None:
        remedies.procs_of_frames(self, self.job, self.selected_frames(), False, self.steer_refresh())

    def run_screen_command(self, name: str, arg: str) -> bool:
        """`:retry RANGE`, `:eat RANGE`, `:kill RANGE`, `:reorder RANGE ORDER`, `:stagger RANGE N`."""
        if name not in ("retry", "eat", "kill", "reorder", "stagger"):
            return False
        frames = list(self.sync.frames.values()) if self.sync is not None else []
        remedies.run_frames_command(self, self.job, frames, name, arg, self.steer_refresh())
        return True

    # --- the layers table's keys: `o`, `R`, `E`, `K`, `D` act on the layers when it has focus ------------

    def layers_focused(self) -> bool:
        """True when the layers table has focus (the shared keys then act on layers)."""
        return self.focused is self.layers_table

    def selected_layers(self) -> list[Layer]:
        """The marked layers, else the cursor's (the whole-job row: every layer)."""
        rows = self.layers_table.selected_models()
        layers = [row.layer for row in rows if row.layer is not None]
        if not layers and rows:
            return list(self.job_layers)
        return layers

    def _refresh_layers(self) -> None:
        # A layer setting changes no frame: ask for the layers on this very poll.
        if self.view is not None:
            self.view.refresh_all()
        self.action_refresh()

    def open_layer_settings(self, layer: Layer, min_memory_kb: int | None = None) -> None:
        """The layer settings form for one layer of this job (`min_memory_kb` pre-fills min memory)."""
        settings_steer.layer_settings(self, self.job, [layer], self._refresh_layers, min_memory_kb)

    def action_job_settings(self) -> None:
        if self.layers_focused():
            layers = self.selected_layers()
            if len(layers) == len(self.job_layers) and not self.layers_table.marked and len(layers) > 1:
                self.notify("choose a layer (or mark some) for its settings", severity="warning", timeout=3)
                return
            settings_steer.layer_settings(self, self.job, layers, self._refresh_layers)
            return
        super().action_job_settings()

    def action_retry_dead(self) -> None:
        if self.layers_focused():
            settings_steer.retry_layers(self, self.job, self.selected_layers(), self._refresh_layers)
            return
        super().action_retry_dead()

    def action_eat_dead(self) -> None:
        if self.layers_focused():
            settings_steer.eat_layers(self, self.job, self.selected_layers(), self._refresh_layers)
            return
        super().action_eat_dead()

    def action_kill_frames(self) -> None:
        if self.layers_focused():
            settings_steer.kill_layers(self, self.job, self.selected_layers(), self._refresh_layers)
            return
        super().action_kill_frames()

    def action_mark_layers_done(self) -> None:
        if not self.layers_focused():
            self.notify("D marks layers done: focus the layers table first (tab)", severity="warning", timeout=3)
            return
        settings_steer.mark_done(self, self.job, self.selected_layers(), self._refresh_layers)

    # --- for tests and benches ------------------------------------------------------------------------

    def selected_frames(self) -> list[Frame]:
        """Marked frames still shown, in table order, or else the cursor frame."""
        sync = self.sync
        if sync is None:
            return []
        return self.frames_table.selected_models()
