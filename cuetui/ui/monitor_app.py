"""The compact live view of `cuetui monitor` on a terminal: runs inline (under the prompt, so it fits a
tmux split) and leaves its last state on screen when it ends.

Per job: a progress bar, frames by state, rate, ETA, elapsed, and a bar per layer; below, dead frames as
they appear (exit status and host). Keys act on the selected job (up / down): `p` pause, `u` resume,
`R` retry its dead frames (asks y/n), `q` quit. Read-only mode hides p/u/R, and FarmActions refuses them
anyway.

When every job has ended cleanly (or `--until-dead` fired) the view closes by itself with the exit
status of the plain mode; when jobs ended with dead frames it stays open so `R` can retry them (`q`
exits 1). The logic (what changed, rate, ETA, when to stop, exit status) is `cuetui.farm.monitor`,
shared with the plain and JSON output; this file only draws and sends actions.

It runs on the same stack as the full-screen app: one `Services` (client, options, FarmActions,
ConnectionTracker, clock), a `PollLoop` over its farm view (the next poll armed only when the last has
finished, the same back-off), and the connection's state in the words of the app's status bar.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import PurePath
from typing import TYPE_CHECKING, ClassVar

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from cuetui.farm.connection import LIVE, ConnectionStatus
from cuetui.farm.format import bar, clock_duration, duration, iso_utc, timestamp
from cuetui.farm.monitor import DeadFrameEvent, Monitor, Progress
from cuetui.farm.poller import Backoff, DeadlineBackoff, PollLoop
from cuetui.farm.text import safe
from cuetui.ui.catalogue import MONITOR_ACTIONS, bindings
from cuetui.ui.options import options_from_settings
from cuetui.ui.services import Services
from cuetui.ui.widgets import status_bar
from cuetui.ui.widgets.key_footer import KeyFooter
from cuetui.ui.widgets.states import STATE_CLASSES, state_style

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.farm.monitor import JobWatch
    from cuetui.farm.views import FarmClient
    from cuetui.farm.views.monitor import MonitorSnapshot, MonitorView
    from cuetui.gateway.models import Job, Layer

EXIT_UNREACHABLE = 3
StyleOf = Callable[[str], Style]  # a state's name -> its look in the current theme
BAR_WIDTH = 24
LAYER_BAR_WIDTH = 12
DEAD_LINES_SHOWN = 8
MAX_HEIGHT = 40  # the view's tallest (Screen's max-height in monitor_app.tcss)
DEAD_MAX_HEIGHT = 10  # the dead-frames list's tallest, border included

ACTIONS = MONITOR_ACTIONS
DANGEROUS = {spec.action for spec in ACTIONS if spec.dangerous}


def _plain(_state: str) -> Style:
    return Style()


def progress_text(watch: JobWatch, selected: bool, now: float, style: StyleOf = _plain) -> Text:
    """The lines of one job: name and state, the bar and counts, rate/ETA/elapsed. Farm strings as data.
    `style` gives a state's look (`states.state_style`)."""
    job = watch.job
    p = watch.progress or Progress.of(job)
    text = Text()
    text.append("▶ " if selected else "  ", style="bold")
    text.append(safe(job.name), style="bold")
    state = "PAUSED" if p.paused and p.state != "FINISHED" else p.state
    text.append("  ")
    text.append(state, style=style(_state_name(watch)))
    text.append("\n    ")
    text.append(bar(p.succeeded, p.total, BAR_WIDTH), style=style("bar-done"))
    text.append(f" {p.succeeded}/{p.total} ({p.percent}%)")
    text.append("  ")
    text.append(f"running {p.running}", style=style("running") if p.running else "")
    text.append(f"  waiting {p.waiting + p.depend}  ")
    text.append(f"dead {p.dead}", style=style("dead") if p.dead else "")
    if p.eaten:
        text.append(f"  eaten {p.eaten}")
    rate = watch.rate_per_min()
    eta = watch.eta()
    elapsed = watch.elapsed(now)
    text.append("\n    ")
    text.append(f"{rate:.1f} frames/min" if rate is not None else "rate –")
    if p.state != "FINISHED" and p.left == 0 and p.dead:
        text.append("  ETA – (only dead frames left)")  # nothing will finish until they are retried
    else:
        text.append(f"  ETA {clock_duration(eta)}" if eta is not None else "  ETA –")
    text.append(f"  elapsed {duration(elapsed)}" if elapsed is not None else "")
    return text


def layers_text(layers: Sequence[Layer], style: StyleOf = _plain) -> Text:
    """One short bar per layer: `render ███░░ 37/42 dead 5`."""
    text = Text()
    for i, layer in enumerate(layers):
        s = layer.stats
        text.append("\n    " if i == 0 or i % 2 == 0 else "   ")
        text.append(f"{safe(layer.name, 16):<16} ")
        text.append(bar(s.succeeded_frames, s.total_frames, LAYER_BAR_WIDTH), style=style("bar-done"))
        text.append(f" {s.succeeded_frames}/{s.total_frames}")
        if s.dead_frames:
            text.append(" ")
            text.append(f"dead {s.dead_frames}", style=style("dead"))
    return text


def _state_name(watch: JobWatch) -> str:
    """The state whose look the job's state word takes."""
    p = watch.progress
    if p is None:
        return ""
    if p.ended:
        return "succeeded" if p.clean else "dead"
    return "paused" if p.paused else "running"


def dead_line(event: DeadFrameEvent, now: float, style: StyleOf = _plain) -> Text:
    """One dead frame: time of death (`14:03:22` today, `Nov 25 14:03` before), job, frame, exit
    status, host, retries."""
    f = event.frame
    text = Text()
    text.append(timestamp(event.died_at, now, seconds=True) + " ")
    text.append(safe(event.job.name, 40))
    text.append(f"  {safe(f.name)}", style="bold")
    text.append("  ")
    text.append(f"exit {f.exit_status}", style=style("dead"))
    text.append(f"  {safe(f.host) or '-'}  retries {f.retry_count}")
    return text


class StatePanel(Static):
    """A job panel (or the dead-frames list): its text takes the states' looks from states.tcss."""

    COMPONENT_CLASSES: ClassVar[set[str]] = set(STATE_CLASSES)

    def state_style(self, name: str) -> Style:
        """State `name`'s look in the current theme."""
        return state_style(self, name)


class MonitorApp(App[int]):
    """Live progress of a few jobs, inline; closes by itself when they end clean (exit status as the plain
    mode), stays open on dead frames so they can be retried."""

    CSS_PATH: ClassVar[list[str | PurePath]] = ["monitor_app.tcss", "styles/states.tcss"]
    BINDINGS = bindings(ACTIONS)
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        settings: Settings,
        jobs: Sequence[Job],
        *,
        until_dead: bool = False,
        include_existing: bool = False,
        interval: float = 5.0,
        timeout: float | None = None,
        client_factory: Callable[[], FarmClient] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        from cuetui.ui.themes import register_themes

        register_themes(self)
        self.settings = settings
        self.monitor = Monitor(jobs, until_dead=until_dead, include_existing=include_existing)
        self.interval = interval
        self.timeout = timeout
        self.read_only = settings.read_only
        self.selected = 0
        self.confirming: str | None = None
        self.layers: dict[str, Sequence[Layer]] = {}
        self.dead_lines: list[Text] = []
        self.exit_message = ""
        self.message_text = ""
        self.services = Services(
            client_factory() if client_factory is not None else _client_from(settings),
            options_from_settings(settings, settings.url or ""),
            clock=clock,
        )
        self.services.connection.listen(self._connection_changed)
        self.poll: PollLoop[MonitorSnapshot] | None = None
        self.keymap_warnings: list[str] = []
        if settings.keymap:
            from cuetui.ui.keymap import keymap_problems

            self.keymap_warnings = keymap_problems(settings.keymap)
            self.set_keymap(dict(settings.keymap))

    @property
    def clock(self) -> Callable[[], float]:
        """The clock of the services (a fixed one in snapshots)."""
        return self.services.clock

    # --- layout ---------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="jobs"):
            for i in range(len(self.monitor.job_ids)):
                yield StatePanel(id=f"job-{i}", classes="job")
        yield StatePanel(id="dead")
        yield Static(id="status")
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.settings.theme and self.settings.theme in self.available_themes:
            self.theme = self.settings.theme
        for warning in self.keymap_warnings:
            self.notify(safe(warning, 300), severity="warning", markup=False, timeout=10)
        if self.keymap_warnings:  # the status line too: an inline view may be too short for a toast
            self.message_text = safe(self.keymap_warnings[0], 200) + (
                f" (+{len(self.keymap_warnings) - 1} more)" if len(self.keymap_warnings) > 1 else ""
            )
        self._show_status()
        self.render_jobs()
        self.poll = PollLoop(
            self.view.poll,
            interval=self.interval,
            on_result=self._polled,
            on_error=self._failed,
            backoff=DeadlineBackoff(self.timeout, self.clock) if self.timeout is not None else Backoff(),
            name="monitor",
        )
        self.run_worker(self.poll.run(), name="poll-monitor", group="poll")

    async def on_unmount(self) -> None:
        if self.poll is not None:
            self.poll.stop()
        # The poll in flight ends with the client: cancel it first, so it never reports a closed client.
        self.workers.cancel_group(self, "poll")
        await self.services.client.aclose()

    # --- polling --------------------------------------------------------------------------------------

    @cached_property
    def view(self) -> MonitorView:
        """The watched jobs' data, with their layers (made once the client is)."""
        from cuetui.farm.views.monitor import MonitorView

        return MonitorView(self.services.client, self.monitor, clock=self.clock, with_layers=True, recheck_ended=True)

    def _polled(self, snapshot: MonitorSnapshot) -> None:
        """One poll's answer: draw it; end the app once every job has ended (see the module docstring)."""
        self.layers.update(snapshot.layers)
        events = snapshot.events
        self.services.connection.success()
        for event in events:
            if isinstance(event, DeadFrameEvent):
                self.dead_lines.append(dead_line(event, self.clock(), self.query_one("#dead", StatePanel).state_style))
        self.render_jobs()
        if self.monitor.finished:
            status = self.monitor.exit_status()
            if status == 0 or self.monitor.dead_hit:
                self._say(f"{self.monitor.summary()} (exit {status})")
                self._end(status)
                return
            # Ended with dead frames: stay, so they can be retried from here (R); a retry makes the job
            # active again and the monitor carries on. q leaves with the exit status of now.
            self._say(f"{self.monitor.summary()}: R retries them, q quits (exit {status})")

    def _failed(self, error: Exception, delay: float) -> None:
        """A poll failed: retry after the back-off `delay` (never past `--timeout`, where the app ends)."""
        backoff = self.poll.backoff if self.poll is not None else None
        if isinstance(backoff, DeadlineBackoff) and backoff.waited() >= backoff.timeout:
            self.exit_message = f"cuetui monitor: {error}; gave up after {backoff.waited():.0f} s (--timeout)"
            self._end(EXIT_UNREACHABLE)
            return
        self.services.connection.failure(error, delay)

    def _end(self, status: int) -> None:
        if self.poll is not None:
            self.poll.stop()
        self.exit(status, return_code=status)

    # --- drawing --------------------------------------------------------------------------------------

    def render_jobs(self) -> None:
        """Redraw every job panel and the dead-frames list from the monitor's state."""
        now = self.clock()
        for i, job_id in enumerate(self.monitor.job_ids):
            watch = self.monitor.watches[job_id]
            panel = self.query_one(f"#job-{i}", StatePanel)
            text = progress_text(watch, i == self.selected and len(self.monitor.job_ids) > 1, now, panel.state_style)
            if self.layers.get(job_id):
                text.append_text(layers_text(self.layers[job_id], panel.state_style))
            panel.update(text)
        dead = self.query_one("#dead", StatePanel)
        if self.dead_lines:
            shown = Text()
            shown.append("dead frames", style=dead.state_style("dead"))
            for line in self.dead_lines[-DEAD_LINES_SHOWN:]:
                shown.append("\n")
                shown.append_text(line)
            dead.update(shown)
            dead.display = True
        else:
            dead.display = False
        self._fit_height()

    def on_resize(self) -> None:
        self._fit_height()

    def _fit_height(self) -> None:
        """Keep the status line (where `R` asks y/n) and the footer inside a small pane: the dead-frames
        list takes at most a third of the height, and the job panels scroll in what is left."""
        # Inline, Textual gives the screen a border above and below (`Screen:inline`): not ours to fill.
        height = min(self.size.height, MAX_HEIGHT) - self.screen.gutter.height
        dead = self.query_one("#dead", StatePanel)
        dead_max = max(3, min(DEAD_MAX_HEIGHT, height // 3))
        dead.styles.max_height = dead_max
        dead_lines = 2 + min(len(self.dead_lines), DEAD_LINES_SHOWN) if dead.display else 0  # title, border
        fixed = 2 + min(dead_lines, dead_max)  # the status line and the footer
        jobs = self.query_one("#jobs", Vertical)
        jobs.styles.max_height = max(2, height - fixed)
        if len(self.monitor.job_ids) > 1:
            jobs.scroll_to_widget(self.query_one(f"#job-{self.selected}"), animate=False)

    def _connection_changed(self, _status: ConnectionStatus) -> None:
        self._show_status()

    @property
    def connection_text(self) -> str:
        """The connection's state in the status bar's words ("live", "unreachable at URL, retrying in
        4 s"), with what is known to be old marked."""
        status = self.services.connection.status
        text = status_bar.connection_text(status, self.clock())
        if status.state == LIVE:
            return text + (" · read-only" if self.read_only else "")
        if status.last_success is not None:
            text += f" · data from {iso_utc(status.last_success)} (stale)"
        return text

    def _say(self, message: str) -> None:
        """The outcome of the last action, or a question; shown before the connection state."""
        self.message_text = message
        self._show_status()

    def _show_status(self) -> None:
        parts = [self.message_text, self.connection_text] if self.message_text else [self.connection_text]
        self.query_one("#status", Static).update(Text(" · ".join(parts)))

    # --- actions --------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide farm-changing keys in read-only mode; y/n only while a question is open."""
        if action in DANGEROUS and self.read_only:
            return False
        if action == "confirm":
            return self.confirming is not None
        # While a question is open, no other farm action may start.
        return not (action in DANGEROUS and self.confirming is not None)

    def _selected_job(self) -> Job:
        return self.monitor.watches[self.monitor.job_ids[self.selected]].job

    def action_select(self, step: int) -> None:
        """Move the selection to the next or previous job."""
        self.selected = (self.selected + step) % len(self.monitor.job_ids)
        self.render_jobs()

    def action_pause(self) -> None:
        """Pause the selected job."""
        self._send("pause", self._selected_job())

    def action_resume(self) -> None:
        """Resume the selected job."""
        self._send("resume", self._selected_job())

    def action_retry_dead(self) -> None:
        """Ask, then retry the dead frames of the selected job."""
        job = self._selected_job()
        if not job.stats.dead_frames:
            self._say(f"{safe(job.name)} has no dead frames")
            return
        self.confirming = "retry_dead"
        self.refresh_bindings()
        self._say(f"retry {job.stats.dead_frames} dead frames of {safe(job.name)}? y/n")

    def action_confirm(self, yes: bool) -> None:
        """Answer the open question."""
        what, self.confirming = self.confirming, None
        self.refresh_bindings()
        if yes and what is not None:
            self._send(what, self._selected_job())
        else:
            self._say("cancelled")

    @work(group="action")
    async def _send(self, what: str, job: Job) -> None:
        from cuetui.gateway.errors import RefusedRequest

        actions = self.services.actions
        try:
            if what == "pause":
                result = await actions.pause([job])
            elif what == "resume":
                result = await actions.resume([job])
            else:
                result = await actions.retry_dead([job])
        except RefusedRequest as exc:
            self._say(str(exc))
            return
        self._say(f"{safe(job.name)}: {safe(result.message)}")

    async def action_quit(self) -> None:
        """Stop watching: the monitor's exit status once every job has ended, else 0 (still running)."""
        status = self.monitor.exit_status() if self.monitor.finished else 0
        self._end(status)


def _client_from(settings: Settings) -> FarmClient:
    """The gateway connection `settings` name, its reads retried past a passing fault (a quick retry,
    not a back-off step)."""
    from cuetui.farm.connect import client_from_settings
    from cuetui.farm.reads import retry_reads

    client = client_from_settings(settings)
    retry_reads(client)
    return client
