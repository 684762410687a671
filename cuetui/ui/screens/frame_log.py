"""The frame-log screen: a frame's `.rqlog` (or its Loki stream), tail first, followed while the frame
runs, searchable, with the older attempts a key away.

The gateway has no log endpoint (protocol §5): logs are files on the farm's shared storage, read here
from this machine's mount of it (`log_path_map` rewrites the farm's prefix), or lines in Loki when the
job has a `lokiUrl` (or the farm's `loki_url` is configured). File reads run in a thread so a hung NFS
mount cannot freeze the UI. A log this machine cannot read is a clear message with the path and the
`log_path_map` hint, not an error.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cuetui.farm import format as fmt
from cuetui.farm.logs import (
    AttemptFacts,
    LogAttempt,
    LogFile,
    LogUnreadable,
    LokiAttempt,
    LokiClient,
    LokiError,
    attempt_facts,
    find_line,
    frame_log_path,
    list_attempts,
    map_log_path,
    match_position,
)
from cuetui.farm.text import safe
from cuetui.farm.views.lookups import FarmLookups
from cuetui.gateway.errors import GatewayError
from cuetui.gateway.models import Frame, Job
from cuetui.ui.catalogue import ActionSpec, bindings
from cuetui.ui.services import services_of
from cuetui.ui.widgets.key_footer import KeyFooter
from cuetui.ui.widgets.log_view import LogView
from cuetui.ui.widgets.states import STATE_CLASSES, state_style

if TYPE_CHECKING:
    from cuetui.ui.options import UiOptions
    from cuetui.ui.services import Services

FOLLOW_INTERVAL = 1.0  # seconds between reads of a running frame's log
FRAME_CHECK_EVERY = 2  # follow ticks between checks of the frame's state
START_LOAD_LIMIT = 32 * 1024 * 1024  # "jump to start" reads at most this much in one go
RUNNING_STATES = ("RUNNING", "SETUP", "CHECKPOINT")

LOG_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("log.search", "slash", "start_search", "search"),
    ActionSpec("log.next", "n", "next_match", "next match"),
    ActionSpec("log.previous", "N", "previous_match", "previous match", footer=False),
    ActionSpec("log.follow", "f", "toggle_follow", "follow"),
    ActionSpec("log.end", "G", "jump_end", "end"),
    ActionSpec("log.start", "g", "jump_start", "start"),
    ActionSpec("log.attempts", "a", "pick_attempt", "attempts"),
    ActionSpec("log.copy", "c", "copy_path", "copy path"),
    ActionSpec("log.reload", "ctrl+r", "reload", "reload", footer=False),
    ActionSpec("screen.back", "escape", "back", "back", footer=False, palette=False),
)


class AttemptPicker(ModalScreen[int | None]):
    """Choose one of a frame's log attempts (newest first)."""

    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        Binding("escape", "dismiss_none", "close", show=False),
    ]

    def __init__(self, labels: list[str], current: int) -> None:
        super().__init__()
        self.labels = labels
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="attempt-box"):
            yield Static(Text("log attempts, newest first", style="bold", end=""), id="attempt-title")
            options = OptionList(
                *(Option(Text(label, end=""), id=str(n)) for n, label in enumerate(self.labels)), id="attempt-list"
            )
            yield options

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.highlighted = self.current
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option_index)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class FrameLogScreen(Screen[None]):
    """The log of one frame (see the module docstring)."""

    CSS_PATH = "../styles/frame_log.tcss"
    COMPONENT_CLASSES: ClassVar[set[str]] = set(STATE_CLASSES)
    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = LOG_ACTIONS
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [*bindings(LOG_ACTIONS)]

    def __init__(self, job: Job, frame: Frame, proc_log_path: str | None = None) -> None:
        super().__init__()
        self.job = job
        self.frame = frame
        self.proc_log_path = proc_log_path or None
        self.farm_path = frame_log_path(job, frame, self.proc_log_path)
        self.path = self.farm_path
        self.attempts: list[LogAttempt] = []
        self.loki_attempts: list[LokiAttempt] = []
        self.attempt_index = 0
        self.log_file: LogFile | None = None
        self.loki: LokiClient | None = None
        self.following = False
        self.unreadable: str = ""
        self.search_text = ""
        self._ticks = 0
        self._follow_timer: Any = None
        self._busy = False
        self._earlier_lock = asyncio.Lock()

    # --- the app's contract ------------------------------------------------------------------------

    @property
    def services(self) -> Services:
        """The app's services: client (for look-ups), options, clock."""
        return services_of(self.app)

    @property
    def options(self) -> UiOptions:
        """The UI options (log path map, Loki)."""
        return self.services.options

    def _clock(self) -> float:
        return self.services.clock()

    @property
    def loki_url(self) -> str:
        """Where to read this frame's log from Loki ("" to read the file)."""
        return self.job.loki_url or self.options.loki_url

    # --- composition -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Static(self._header_text(), id="log-header")
        search = Input(placeholder="search: enter to find, n / N next / previous, escape to close", id="search")
        search.display = False
        yield search
        yield LogView(id="log")
        yield Static("", id="log-status")
        yield KeyFooter()

    @property
    def view(self) -> LogView:
        """The log lines."""
        return self.query_one("#log", LogView)

    def on_mount(self) -> None:
        self.view.focus()
        self.following = self.frame.state in RUNNING_STATES
        self._open()

    def on_unmount(self) -> None:
        self._stop_timer()
        if self.loki is not None:
            loki, self.loki = self.loki, None
            asyncio.get_running_loop().create_task(loki.aclose())

    def on_screen_suspend(self) -> None:
        self._stop_timer()

    def on_screen_resume(self) -> None:
        if self.following and self._follow_timer is None and (self.log_file is not None or self.loki is not None):
            self._start_timer()

    # --- header and status ---------------------------------------------------------------------------

    def _header_text(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append(f"{safe(self.job.name, 120)}.{safe(self.frame.name, 60)}", style="bold")
        if self.showing_older_attempt:
            self._older_attempt_words(text)
        else:
            state = safe(self.frame.state, 20)
            text.append("  ")
            text.append(f" {state} " if state == "DEAD" else state, style=state_style(self, state.lower()))
            if self.frame.exit_status not in (0, -1) or self.frame.state == "DEAD":
                text.append(f"  exit {self.frame.exit_status}")
            if self.frame.host:
                text.append(f"  on {safe(self.frame.host, 40)}")
            text.append(f"  try {self.frame.retry_count}")
        text.append("\n")
        if self.loki_url:
            attempt = self._loki_attempt()
            text.append(f"Loki {safe(self.loki_url, 100)}  frame_id={safe(self.frame.id, 60)}", style="dim")
            if attempt is not None:
                text.append(f"  attempt {attempt.label} UTC", style="dim")
        else:
            label = self.attempts[self.attempt_index].label if self.attempts else "current"
            # The farm's name for the file (what RQD and CueGUI show); "mapped" when read elsewhere.
            path = safe(
                self.farm_path
                if self.attempt_index == 0 or not self.attempts
                else self.attempts[self.attempt_index].path,
                400,
            )
            room = max(20, (self.app.size.width or 80) - 16)
            if len(path) > room:
                # The end of the path (job and frame) says more than its start.
                path = "…" + path[-(room - 1) :]
            text.append(path, style="dim")
            text.append(f"  [{label}]" if len(self.attempts) > 1 else "", style="dim")
            if self.path != self.farm_path:
                text.append("  (log_path_map)", style="dim")
        return text

    @property
    def showing_older_attempt(self) -> bool:
        """True when the log shown is an earlier attempt, not the frame's latest."""
        attempts = self.loki_attempts if self.loki_url else self.attempts
        return self.attempt_index > 0 and self.attempt_index < len(attempts)

    def _older_attempt_words(self, text: Text) -> None:
        """`  earlier attempt .1  exit 1  on render012  (now DEAD, try 3)`: the frame's state, host and
        exit status belong to its latest attempt, so what is said of this one comes from its own log."""
        if self.loki_url:
            label = f"started {self.loki_attempts[self.attempt_index].label} UTC"
        else:
            label = f".{self.attempts[self.attempt_index].number}"
        text.append(f"  earlier attempt {label}", style="bold")
        facts = attempt_facts(self.view.lines) if self.is_mounted else AttemptFacts()
        if facts.exit_status is not None:
            text.append(f"  exit {facts.exit_status}")
        text.append(f"  on {safe(facts.host, 40)}" if facts.host else "  host not known")
        text.append(f"  (the frame now: {safe(self.frame.state, 20)}, try {self.frame.retry_count})", style="dim")

    def _show_header(self) -> None:
        if not self.is_attached:  # a worker finishing after the screen closed
            return
        self.query_one("#log-header", Static).update(self._header_text())

    def _show_status(self, extra: str = "") -> None:
        if not self.is_attached:  # a worker finishing after the screen closed
            return
        parts = []
        view = self.view
        if self.unreadable:
            parts.append("log not readable from this machine")
        else:
            parts.append(f"{len(view.lines):,} lines")
            if self.log_file is not None and not self.log_file.at_start:
                parts.append(f"tail of {fmt.memory_kb(self.log_file.size / 1024) or '0K'} (g: from the start)")
            if self.following:
                parts.append("following")
            elif self.frame.state not in RUNNING_STATES:
                parts.append(f"frame {safe(self.frame.state, 20)}")
            n = len(self.attempts) if not self.loki_url else len(self.loki_attempts)
            if n > 1:
                parts.append(f"{n} attempts (a)")
            if self.search_text:
                parts.append(f"search “{safe(self.search_text, 40)}”")
        if extra:
            parts.append(extra)
        self.query_one("#log-status", Static).update(Text("  ·  ".join(parts), end="", no_wrap=True))

    # --- opening -------------------------------------------------------------------------------------

    @work(exclusive=True, group="log-open", exit_on_error=False)
    async def _open(self) -> None:
        """Find the log and read its tail (file), or its lines (Loki)."""
        if self.loki_url:
            await self._open_loki()
        else:
            await self._open_file()
        self._show_header()
        self._show_status()
        if self.following and not self.unreadable:
            self._start_timer()

    async def _resolve_path(self) -> None:
        """A running frame writes where its proc says; ask for it when we were not told."""
        if self.proc_log_path is None and self.frame.state in RUNNING_STATES:
            proc_log_path = await FarmLookups(self.services.client).proc_log_path(self.job, self.frame)
            if proc_log_path:
                self.proc_log_path = proc_log_path
                self.farm_path = proc_log_path
        path_map = self.options.log_path_map
        self.path = map_log_path(self.farm_path, path_map)

    async def _open_file(self, attempt_index: int | None = None) -> None:
        if attempt_index is None:
            await self._resolve_path()
            self.attempts = await asyncio.to_thread(list_attempts, self.path)
            self.attempt_index = 0
        else:
            self.attempt_index = attempt_index
        path = self.attempts[self.attempt_index].path if self.attempts else self.path
        log_file = LogFile(path)
        try:
            lines = await asyncio.to_thread(log_file.open_tail)
        except LogUnreadable as error:
            mapped_from = self.farm_path if self.path != self.farm_path else ""
            self._show_unreadable(str(LogUnreadable(error.path, error.reason, mapped_from=mapped_from)))
            return
        self.unreadable = ""
        self.log_file = log_file
        view = self.view
        view.more_above = not log_file.at_start
        view.set_lines(lines)
        if self.search_text:
            view.set_search(self.search_text)

    def _show_unreadable(self, message: str) -> None:
        self.unreadable = message
        self.log_file = None
        self.following = False
        view = self.view
        view.more_above = False
        view.set_lines(message.split("\n"), notice=True, at_end=False)

    async def _open_loki(self, attempt_index: int | None = None) -> None:
        if self.loki is None:
            self.loki = LokiClient(self.loki_url)
        try:
            if attempt_index is None:
                self.loki_attempts = await self.loki.attempts(self.frame.id)
                self.attempt_index = 0
            else:
                self.attempt_index = attempt_index
            lines, cut = await self.loki.lines(self.frame.id, self._loki_attempt())
        except LokiError as error:
            self._show_unreadable(f"cannot read the frame log from Loki: {error}")
            return
        self.unreadable = ""
        if not self.loki_attempts and not lines:
            self._show_unreadable(f"Loki at {self.loki_url} has no log lines for frame_id={self.frame.id} (yet)")
            self.unreadable = ""
            self.following = self.frame.state in RUNNING_STATES
            return
        view = self.view
        view.more_above = False
        note = [f"(older lines left out: Loki returned its limit of {self.loki.limit})"] if cut else []
        view.set_lines(note + lines)

    def _loki_attempt(self) -> LokiAttempt | None:
        if 0 <= self.attempt_index < len(self.loki_attempts):
            return self.loki_attempts[self.attempt_index]
        return None

    # --- follow --------------------------------------------------------------------------------------

    def _start_timer(self) -> None:
        if self._follow_timer is None:
            self._follow_timer = self.set_interval(FOLLOW_INTERVAL, self._follow_tick)

    def _stop_timer(self) -> None:
        if self._follow_timer is not None:
            self._follow_timer.stop()
            self._follow_timer = None

    def _follow_tick(self) -> None:
        if not self._busy:
            self._busy = True
            self._follow_once()

    @work(exclusive=True, group="log-follow", exit_on_error=False)
    async def _follow_once(self) -> None:
        if not self.is_attached:
            self._busy = False
            return
        try:
            self._ticks += 1
            finished = False
            if self._ticks % FRAME_CHECK_EVERY == 0:
                finished = await self._check_frame()
            await self._read_new()
            if finished:
                self.following = False
                self._stop_timer()
                await self._read_new()
                self._show_header()
            self._show_status()
        finally:
            self._busy = False

    async def _check_frame(self) -> bool:
        """Refresh the frame; True when it is no longer running."""
        try:
            self.frame = await FarmLookups(self.services.client).frame(self.frame.id)
        except GatewayError:
            return False
        return self.frame.state not in RUNNING_STATES

    async def _read_new(self) -> None:
        if self.loki_url:
            if self.loki is None:
                return
            try:
                if not self.loki_attempts:
                    self.loki_attempts = await self.loki.attempts(self.frame.id)
                lines, _cut = await self.loki.lines(self.frame.id, self._loki_attempt())
            except LokiError:
                return
            view = self.view
            if len(lines) > len(view.lines) and lines[: len(view.lines)] == view.lines:
                view.append(lines[len(view.lines) :])
            elif lines != view.lines:
                view.set_lines(lines, at_end=view.at_end)
            return
        log_file = self.log_file
        if log_file is None or self.attempt_index != 0:
            return
        try:
            new = await asyncio.to_thread(log_file.read_new)
        except LogUnreadable:
            return
        if log_file is not self.log_file:
            return  # another attempt was opened meanwhile
        if new is None:
            # A new attempt started: the file was rotated. Show the new one from its start.
            await self._open_file()
            self._show_header()
            return
        lines, replace_last = new
        self.view.append(lines, replace_last=replace_last)

    def action_toggle_follow(self) -> None:
        if self.unreadable:
            return
        self.following = not self.following
        if self.following:
            self._start_timer()
            self.view.scroll_end(animate=False, x_axis=False)
        else:
            self._stop_timer()
        self._show_status()

    # --- moving around ---------------------------------------------------------------------------------

    def action_jump_end(self) -> None:
        self.view.scroll_end(animate=False, x_axis=False)

    def action_jump_start(self) -> None:
        self._load_start()

    @work(group="log-earlier", exit_on_error=False)
    async def _load_start(self) -> None:
        async with self._earlier_lock:
            await self._load_start_locked()

    async def _load_start_locked(self) -> None:
        log_file = self.log_file
        view = self.view
        if log_file is not None and not log_file.at_start:
            if log_file.start > START_LOAD_LIMIT:
                # A huge file: step back a bounded amount rather than read it all.
                lines: list[str] = []
                for _ in range(8):
                    lines[:0] = await asyncio.to_thread(log_file.read_earlier)
                    if log_file.at_start:
                        break
            else:
                lines = await asyncio.to_thread(log_file.read_all_earlier)
            view.more_above = not log_file.at_start
            view.prepend(lines)
        view.scroll_home(animate=False, x_axis=False)
        self._show_status()

    def on_log_view_need_earlier(self, event: LogView.NeedEarlier) -> None:
        event.stop()
        self._load_earlier()

    @work(group="log-earlier", exit_on_error=False)
    async def _load_earlier(self) -> None:
        # Never cancelled (not exclusive): a read that finished in its thread has already moved the
        # file's offsets, so dropping its lines would leave a hole. The lock keeps reads in order.
        async with self._earlier_lock:
            log_file = self.log_file
            if log_file is None or log_file.at_start:
                return
            lines = await asyncio.to_thread(log_file.read_earlier)
            if log_file is not self.log_file:
                return
            view = self.view
            view.more_above = not log_file.at_start
            view.prepend(lines)
            self._show_status()

    # --- search -----------------------------------------------------------------------------------------

    def action_start_search(self) -> None:
        search = self.query_one("#search", Input)
        search.display = True
        search.value = self.search_text
        search.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "search":
            return
        event.stop()
        self.search_text = event.value
        event.input.display = False
        view = self.view
        view.set_search(self.search_text)
        view.focus()
        self._find(forward=True, start=view.middle_line - 1 if view.current is None else view.current)

    def action_next_match(self) -> None:
        self._find(forward=True)

    def action_previous_match(self) -> None:
        self._find(forward=False)

    def _find(self, *, forward: bool, start: int | None = None) -> None:
        view = self.view
        if not self.search_text:
            self.notify("no search yet: press / to search", timeout=3)
            return
        origin = start if start is not None else (view.current if view.current is not None else view.middle_line)
        index = find_line(view.lines, self.search_text, origin, forward=forward)
        if index is None:
            self.notify(f"“{safe(self.search_text, 40)}” not found", markup=False, severity="warning", timeout=3)
            return
        view.show_line(index)
        n, total = match_position(view.lines, self.search_text, index)
        self._show_status(f"match {n:,} of {total:,}, line {index + 1:,}")

    # --- attempts, copy, back ------------------------------------------------------------------------------

    def action_pick_attempt(self) -> None:
        if self.loki_url:
            labels = [f"{a.label} UTC" + ("  (latest)" if n == 0 else "") for n, a in enumerate(self.loki_attempts)]
        else:
            labels = [
                f"{a.label:<14} {fmt.memory_kb(a.size / 1024) or '0K':>7}  {fmt.timestamp(a.mtime, self._clock())}"
                for a in self.attempts
            ]
        if len(labels) < 2:
            self.notify("this frame has one log attempt", timeout=3)
            return
        self.app.push_screen(AttemptPicker(labels, self.attempt_index), self._attempt_chosen)

    def _attempt_chosen(self, index: int | None) -> None:
        if index is None or index == self.attempt_index:
            return
        self._switch_attempt(index)

    @work(exclusive=True, group="log-open", exit_on_error=False)
    async def _switch_attempt(self, index: int) -> None:
        self._stop_timer()
        if self.loki_url:
            await self._open_loki(index)
        else:
            await self._open_file(index)
        # Only the newest attempt can still grow.
        self.following = index == 0 and self.frame.state in RUNNING_STATES and not self.unreadable
        if self.following:
            self._start_timer()
        self._show_header()
        self._show_status()

    def action_copy_path(self) -> None:
        if self.loki_url:
            what = f'{{frame_id="{self.frame.id}"}}'
        else:
            what = self.attempts[self.attempt_index].path if self.attempts else self.path
        self.app.copy_to_clipboard(what)
        self.notify(f"copied {safe(what, 200)}", markup=False, timeout=3)

    def action_reload(self) -> None:
        self._stop_timer()
        self.following = self.frame.state in RUNNING_STATES
        self._open()

    def action_back(self) -> None:
        search = self.query_one("#search", Input)
        if search.display:
            search.display = False
            self.view.focus()
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
