"""CueTuiApp: the shell around the screens: modes for shows (1), jobs (2, the default), hosts (3),
dead-frame triage (4), stuck frames (5) and subscriptions (6); the `:` command line, the command palette, `?` help,
quitting, and the one connection tracker every screen's poll loop feeds and every status bar renders.

Contract for the screens (`ui/services.py`): `app.services`, one `Services` (the FarmClient their farm
views read through, which no screen calls; the UiOptions; FarmActions, read-only enforced there; the
ConnectionTracker; the clock); and `app.open_job(job)`, `app.open_frame_log(job, frame, path)`.
"""

from __future__ import annotations

import gc
import importlib
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.notifications import Notification, Notify, SeverityLevel
from textual.screen import Screen
from textual.timer import Timer

from cuetui.farm.text import clipboard_text, safe
from cuetui.farm.views import FarmClient
from cuetui.farm.views.jobs import JobScope, JobsView
from cuetui.farm.views.lookups import FarmLookups
from cuetui.gateway.errors import GatewayError, NotFound
from cuetui.gateway.models import Frame, Job, Layer
from cuetui.ui.catalogue import APP_ACTIONS, ActionSpec, bindings
from cuetui.ui.hangup import exit_on_hangup, release_dead_writer
from cuetui.ui.options import UiOptions
from cuetui.ui.screens.command_line import COMMANDS, SCREEN_COMMANDS, CommandError, CommandLine, parse_command
from cuetui.ui.screens.jobs import JobsScreen
from cuetui.ui.services import Services
from cuetui.ui.toasts import ToastStack

if TYPE_CHECKING:
    from cuetui.ui.services import AppServices


KNOWN_JOBS_CAP = 20_000
COLLECTOR_PAUSE_MAX = 5.0  # seconds: the collector runs again by then, whatever the first screen shows


class CueTuiCommands(Provider):
    """Palette entries: the `:` commands, the current screen's actions, and every known job by name."""

    def _entries(self) -> list[tuple[str, Callable[[], object], str]]:
        app = self.app
        assert isinstance(app, CueTuiApp)
        entries: list[tuple[str, Callable[[], object], str]] = [
            ("Shows", partial(app.action_goto, "shows"), "the shows screen (1)"),
            ("Jobs", partial(app.action_goto, "jobs"), "the jobs screen (2)"),
            ("Hosts", partial(app.action_goto, "hosts"), "the hosts screen (3)"),
            ("Dead frames", partial(app.action_goto, "dead"), "dead-frame triage across the jobs in view (4)"),
            ("Stuck frames", partial(app.action_goto, "stuck"), "running frames whose log went quiet (5)"),
            ("Subscriptions", partial(app.action_goto, "subs"), "each show's size, burst and use per allocation (6)"),
            ("Help", app.action_help, "keys of this screen (?)"),
        ]
        screen = self.screen
        for spec in getattr(screen, "ACTIONS", ()):
            if spec.palette and not (spec.dangerous and app.services.options.read_only):
                entries.append((spec.long_description.capitalize(), partial(screen.run_action, spec.action), spec.id))
        return entries

    async def discover(self) -> Hits:
        for text, command, help_text in self._entries():
            yield DiscoveryHit(text, command, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, command, help_text in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, matcher.highlight(text), command, help=help_text)
        app = self.app
        assert isinstance(app, CueTuiApp)
        for job in list(app.known_jobs.values()):
            name = safe(job.name, 200)
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), partial(app.open_job, job), text=name, help="open job")


def _lazy_screen(module: str, name: str) -> Callable[[], Screen[None]]:
    """A MODES entry that imports `cuetui.ui.screens.<module>` only when the mode is first entered."""

    def make() -> Screen[None]:
        screen: Screen[None] = getattr(importlib.import_module(f"cuetui.ui.screens.{module}"), name)()
        return screen

    make.__qualname__ = name
    return make


STYLES = Path(__file__).with_name("styles")  # absolute: subclasses elsewhere load the same sheets


class CueTuiApp(App[int]):
    """The cuetui monitor (see the module docstring)."""

    TITLE = "cuetui"
    CSS_PATH: ClassVar[list[str | PurePath]] = [STYLES / "app.tcss", STYLES / "states.tcss"]
    # Only the jobs screen is imported up front: the others load when first shown (start-up time).
    MODES: ClassVar[dict[str, Callable[[], Screen[None]]]] = {  # type: ignore[assignment]
        "shows": _lazy_screen("shows", "ShowsScreen"),
        "jobs": JobsScreen,
        "hosts": _lazy_screen("hosts", "HostsScreen"),
        "dead": _lazy_screen("triage", "TriageScreen"),
        "stuck": _lazy_screen("stuck", "StuckScreen"),
        "subs": _lazy_screen("subscriptions", "SubscriptionsScreen"),
    }
    DEFAULT_MODE = "jobs"
    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = APP_ACTIONS
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [
        *bindings(APP_ACTIONS),
        # ctrl+c quits at once, even from an input (Textual would otherwise offer to copy).
        Binding("ctrl+c", "quit", "quit", show=False, priority=True, id="app.quit_now"),
    ]
    COMMANDS = App.COMMANDS | {CueTuiCommands}
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        client: FarmClient,
        options: UiOptions,
        *,
        clock: Callable[[], float] = time.time,
        collector_paused: bool = False,
    ) -> None:
        """`collector_paused`: the caller disabled the cyclic garbage collector for the start-up; the
        app enables it again once the first table is on screen (`resume_collector`)."""
        super().__init__()
        self._collector_paused = collector_paused
        self._collector_watch: Timer | None = None
        self._mounted_at = 0.0
        from cuetui.ui.themes import register_themes  # here, not above: keeps the theme hook one block

        register_themes(self)  # before on_mount sets options.theme; they also appear in the theme picker
        self.services = Services(client, options, clock=clock)
        self.toasts = ToastStack()
        self.known_jobs: dict[str, Job] = {}
        self.startup_messages: list[str] = []  # config warnings, shown once the app is up
        if options.keymap:
            from cuetui.ui.keymap import keymap_problems

            # An unknown id or a clash a remap made is said at start, never accepted silently.
            self.startup_messages.extend(keymap_problems(options.keymap))
            self.set_keymap(dict(options.keymap))
        # The first GetJobs of the default jobs screen, sent as soon as the event loop runs (see run_async).
        self._first_jobs: JobsView | None = None
        self._first_jobs_sent = False

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Textual's notify, through the bounded stack (`cuetui.ui.toasts`): never more than a few
        toasts on screen, however many notifications a burst brings."""
        notification = Notification(
            message, title, severity, self.NOTIFICATION_TIMEOUT if timeout is None else timeout, markup=markup
        )
        self.post_message(Notify(self.toasts.admit(notification)))

    # --- start-up -----------------------------------------------------------------------------------

    async def run_async(self, *args: Any, **kwargs: Any) -> int | None:
        # The gateway answers while Textual parses the CSS, starts the terminal and composes the screen:
        # the jobs table is then filled at its first paint, one round trip sooner.
        self._send_first_jobs()
        return await super().run_async(*args, **kwargs)

    def on_load(self) -> None:
        self._send_first_jobs()  # the same when the app is not started by run() (tests' run_test)

    def _send_first_jobs(self) -> None:
        if self._first_jobs_sent or self.DEFAULT_MODE != "jobs":
            return
        self._first_jobs_sent = True
        view = JobsView(self.services.client, JobsScreen.first_search(self.services.options))
        view.prefetch()  # a failure is raised by the first poll of whoever takes the view, or dropped
        self._first_jobs = view

    def take_first_jobs(self, search: JobScope) -> JobsView | None:
        """The jobs view that sent the start-up GetJobs, if it asked for `search` and nobody took it yet
        (the jobs screen polls it, and its first poll is that answer instead of a request of its own),
        else None."""
        view = self._first_jobs
        if view is None or view.scope != search:
            return None
        self._first_jobs = None
        return view

    def resume_collector(self) -> None:
        """Start the garbage collector the start-up paused, and freeze what the start-up made (modules,
        the stylesheet, the first screen): it lives as long as the app, and later collections, which
        ran during screen switches, no longer scan it (a full collection of it took ~50 ms)."""
        if self._collector_paused:
            self._collector_paused = False
            gc.freeze()
            gc.enable()

    def _resume_collector_once_shown(self) -> None:
        table = getattr(self.screen, "table", None)
        shown = table is not None and getattr(table, "loaded", False)
        if shown or time.monotonic() - self._mounted_at > COLLECTOR_PAUSE_MAX:
            if self._collector_watch is not None:
                self._collector_watch.stop()
                self._collector_watch = None
            self.call_after_refresh(self.resume_collector)  # after the table's first paint

    def on_mount(self) -> None:
        if self._collector_paused:
            self._mounted_at = time.monotonic()
            self._collector_watch = self.set_interval(0.02, self._resume_collector_once_shown)
        # An SSH drop (SIGHUP) ends the app cleanly instead of killing it mid-frame (or hanging at exit).
        exit_on_hangup(self, 0)
        # After ctrl+z and `fg` Textual re-enters the alternate screen, which the terminal shows blank, but
        # repaints only what changed since: the whole screen must be drawn again.
        self.app_resume_signal.subscribe(self, self._redraw_after_resume)
        for message in self.startup_messages:
            self.notify(safe(message, 300), severity="warning", markup=False, timeout=10)
        if self.services.options.theme:
            if self.services.options.theme in self.available_themes:
                self.theme = self.services.options.theme
            else:
                self.notify(f"unknown theme {safe(self.services.options.theme, 40)}; using the default", markup=False)

    def _redraw_after_resume(self, _app: object) -> None:
        self.refresh(layout=True)

    def on_unmount(self) -> None:
        self.resume_collector()
        # Last thing before Textual restores the terminal: never wait on an output thread that died.
        release_dead_writer(self)

    # --- navigation ---------------------------------------------------------------------------------

    def copy_to_clipboard(self, text: str) -> None:
        """Every copy goes through here: a farm string loses its escape sequences, controls and
        reordering characters first (a path holding OSC 52 must not reach a terminal when pasted)."""
        super().copy_to_clipboard(clipboard_text(text))

    def action_goto(self, mode: str) -> None:
        """Switch to the shows, jobs or hosts screen (each keeps its own stack)."""
        if mode in self.MODES and mode != self.current_mode:
            self.switch_mode(mode)

    def action_help(self) -> None:
        from cuetui.ui.screens.help import HelpScreen

        screen = self.screen
        if isinstance(screen, HelpScreen):
            return
        specs: Sequence[ActionSpec] = getattr(screen, "ACTIONS", ())
        title = type(screen).__name__.removesuffix("Screen")
        self.push_screen(
            HelpScreen(
                title,
                [(title, specs), ("Everywhere", APP_ACTIONS)],
                self.services.options.keymap,
                read_only=self.services.options.read_only,
            )
        )

    def action_command_line(self) -> None:
        self.push_screen(CommandLine(id="command-line"), self._run_command_line)

    def _run_command_line(self, line: str | None) -> None:
        if line is None or not line.strip():
            return
        try:
            command = parse_command(line)
        except CommandError as err:
            self.notify(str(err), severity="warning", markup=False)
            return
        self.run_command(command.name, command.arg)

    def run_command(self, name: str, arg: str = "") -> None:
        """Run one `:` command (also used by the palette)."""
        if name in ("jobs", "shows", "hosts", "dead", "stuck", "subs"):
            self.action_goto(name)
        elif name == "show":
            self.action_goto("shows")
            self.push_screen(JobsScreen(shows=[arg]))
        elif name == "job":
            self.open_job_by_name(arg)
        elif name == "help":
            self.action_help()
        elif name == "quit":
            self.exit(0)
        elif name in SCREEN_COMMANDS:
            self._run_screen_command(name, arg)
        elif name not in COMMANDS:  # pragma: no cover - parse_command refuses these
            self.notify(f"unknown command {name}", markup=False)

    def _run_screen_command(self, name: str, arg: str) -> None:
        """A `:` command on what the current screen shows (the open job's frames, the hosts)."""
        run = getattr(self.screen, "run_screen_command", None)
        if not callable(run) or not run(name, arg):
            where = "the hosts screen (3)" if name == "reboot" else "a job's screen"
            self.notify(f":{name} works on {where}", severity="warning", markup=False)

    # --- jobs and logs (the job/frame-log screens live in their own modules) --------------------------

    def remember_jobs(self, jobs: Iterable[Job]) -> None:
        """Jobs seen by a jobs screen, for the palette's jump-to-job and `:job NAME`."""
        if len(self.known_jobs) > KNOWN_JOBS_CAP:
            self.known_jobs.clear()
        self.known_jobs.update((job.id, job) for job in jobs)

    def open_job(self, job: Job) -> None:
        """Push the job screen for `job`."""
        try:
            from cuetui.ui.screens.job import JobScreen  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            self.notify("the job screen is not part of this build", severity="error")
            return
        self.push_screen(JobScreen(job_id=job.id, job_name=job.name, layer_count=job.stats.total_layers))

    def open_frame_log(self, job: Job, frame: Frame, proc_log_path: str = "") -> None:
        """Push the frame-log screen for one frame of `job`."""
        try:
            from cuetui.ui.screens.frame_log import FrameLogScreen  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            self.notify("the frame log screen is not part of this build", severity="error")
            return
        self.push_screen(FrameLogScreen(job=job, frame=frame, proc_log_path=proc_log_path))

    def open_layer_settings(self, job: Job, layer: Layer, min_memory_kb: int | None = None) -> None:
        """Open the layer settings form of `layer` (of `job`) over the current screen, pre-filled with the
        layer's values, min memory replaced by `min_memory_kb` when given (the out-of-memory remedy)."""
        from cuetui.ui import settings_steer
        from cuetui.ui.screens.job import JobScreen

        screen = self.screen
        if isinstance(screen, JobScreen) and screen.job_id == job.id:
            screen.open_layer_settings(layer, min_memory_kb)
            return
        settings_steer.layer_settings(screen, job, [layer], None, min_memory_kb)

    def open_job_by_name(self, name: str) -> None:
        """Open the job called `name`: exact match first, then the only job whose name contains it,
        then the gateway's FindJob; says so when there is none or several."""
        needle = name.strip().lower()
        jobs = list(self.known_jobs.values())
        exact = [j for j in jobs if j.name.lower() == needle]
        if exact:
            self.open_job(exact[0])
            return
        partial_matches = [j for j in jobs if needle in j.name.lower()]
        if len(partial_matches) == 1:
            self.open_job(partial_matches[0])
            return
        if len(partial_matches) > 1:
            self.notify(
                f"{len(partial_matches)} jobs contain {safe(name, 60)!r}: be more precise, or use ctrl+p",
                severity="warning",
                markup=False,
            )
            return
        self._find_job(name)

    @work(exclusive=True, group="find-job", exit_on_error=False)
    async def _find_job(self, name: str) -> None:
        try:
            job = await FarmLookups(self.services.client).find_job(name)
        except NotFound:
            self.notify(f"no active job named {safe(name, 60)!r}", severity="warning", markup=False)
            return
        except GatewayError as err:
            self.notify(str(err), severity="error", markup=False)
            return
        self.open_job(job)


if TYPE_CHECKING:

    def _provides_services(app: CueTuiApp) -> AppServices:
        """mypy checks here that CueTuiApp gives screens everything `AppServices` promises."""
        return app
