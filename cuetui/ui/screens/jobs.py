"""The jobs screen (the default): every job of the configured shows and users, live, with progress,
frame counts by state, cores, memory, times and ETA. Dead frames stand out; paused jobs say so."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

from rich.text import Text

from cuetui.farm import format as fmt
from cuetui.farm.text import safe
from cuetui.farm.views.depends import ExternalWaits, WaitsOnJobs
from cuetui.farm.views.jobs import CountedJobs, JobScope, JobsView, JobTallies
from cuetui.gateway.models import Job
from cuetui.ui.catalogue import ActionSpec, bindings
from cuetui.ui.options import UiOptions
from cuetui.ui.screens.base import TABLE_ACTIONS, FarmScreen
from cuetui.ui.settings_keys import ConfiguresFarm, job_settings_actions
from cuetui.ui.steer_keys import SteersFarm, job_actions
from cuetui.ui.steering import watch_jobs
from cuetui.ui.widgets import cells
from cuetui.ui.widgets.farm_table import CellContext, Column, FarmTable

PROGRESS_WIDTH = 15


def _state_cell(job: Job, ctx: CellContext) -> Text:
    word, style = cells.job_state(job)
    return ctx.text(word, style)


def _state_order(job: Job) -> tuple[int, str]:
    word, _ = cells.job_state(job)
    order = {"DEAD": 0, "RUNNING": 1, "PAUSED": 2, "WAITING": 3, "DEPEND": 4, "FINISHED": 5}
    return order.get(word, 6), word


COMMENT_MARK = "✎ "
WAITS_MARK = "◷ "


def _name_cell(job: Job, ctx: CellContext) -> Text:
    # Only the Dead count is loud: colouring every name with a dead frame would paint most of the table.
    # A job with comments says so before its name (`C` reads them); one waiting on another job too
    # (the Waits on column, when there is room, names that job).
    name = COMMENT_MARK + job.name if job.has_comment else job.name
    return cells.name_cell(WAITS_MARK + name if isinstance(job, WaitsOnJobs) else name, ctx)


def _waits_on(job: Job) -> tuple[str, ...]:
    return job.waits_on if isinstance(job, WaitsOnJobs) else ()


def _waits_cell(job: Job, ctx: CellContext) -> Text:
    # The other job it waits on (and how many more), beside the Dep count (which counts inner ones too).
    names = _waits_on(job)
    more = f" +{len(names) - 1}" if len(names) > 1 else ""
    return cells.name_cell(f"{WAITS_MARK}{names[0]}{more}" if names else "", ctx, "depend")


def _progress_cell(job: Job, ctx: CellContext) -> Text:
    stats = job.stats
    return cells.progress_cell(stats.succeeded_frames, stats.total_frames, PROGRESS_WIDTH, ctx)


def _done_fraction(job: Job) -> float:
    total = job.stats.total_frames
    return job.stats.succeeded_frames / total if total else 0.0


def _eta_cell(job: Job, ctx: CellContext) -> Text:
    if cells.waits_on_dead(job):
        return ctx.text("dead", "dim", justify="right")  # only dead frames left: nothing will finish
    eta = cells.job_eta(job)
    if eta == 0 and job.is_finished:
        return ctx.text("", justify="right")
    return cells.number_cell(cells.coarse_duration(eta) if eta is not None else "", ctx)


def _eta_sort(job: Job) -> float:
    eta = cells.job_eta(job)
    return float("inf") if eta is None else eta


def job_columns() -> list[Column[Job]]:
    """The jobs table's columns, in display order; priority 0 is always shown."""
    return [
        Column("name", "Job", _name_cell, lambda j: j.name, width=28, flex=True, max_width=64, cut_middle=True),
        Column("show", "Show", lambda j, c: cells.name_cell(j.show, c), lambda j: j.show, width=8, priority=6),
        Column("user", "User", lambda j, c: cells.name_cell(j.user, c), lambda j: j.user, width=8, priority=4),
        Column("state", "State", _state_cell, _state_order, width=8),
        Column(
            "priority",
            "Pri",
            lambda j, c: cells.number_cell(str(j.priority), c),
            lambda j: j.priority,
            width=4,
            priority=5,
            reverse_first=True,
        ),
        Column("progress", "Progress", _progress_cell, _done_fraction, width=PROGRESS_WIDTH, priority=1),
        cells.count_column("running", "Run", lambda j: j.stats.running_frames, 4, priority=2, style="running"),
        cells.count_column("waiting", "Wait", lambda j: j.stats.waiting_frames, 5, priority=3),
        cells.count_column("dead", "Dead", lambda j: j.stats.dead_frames, 4, style="dead"),
        cells.count_column("eaten", "Eaten", lambda j: j.stats.eaten_frames, 5, priority=8),
        cells.count_column("depend", "Dep", lambda j: j.stats.depend_frames, 4, priority=8),
        Column("waits_on", "Waits on", _waits_cell, _waits_on, width=12, priority=8),
        cells.amount_column("cores", "Cores", lambda j: j.stats.reserved_cores, fmt.cores, 5, priority=4),
        cells.amount_column("max_rss", "MaxRSS", lambda j: j.stats.max_rss, fmt.memory_kb, 6, priority=7),
        Column(
            "started",
            "Started",
            lambda j, c: cells.number_cell(fmt.timestamp(j.start_time, c.now), c),
            lambda j: j.start_time,
            width=12,
            priority=9,
            live=True,
        ),
        Column(
            "elapsed",
            "Elapsed",
            lambda j, c: cells.number_cell(cells.elapsed_duration(cells.job_elapsed(j, c.now)), c),
            lambda j: -j.start_time,
            width=7,
            priority=6,
            live=True,
            reverse_first=True,
        ),
        Column("eta", "ETA", _eta_cell, _eta_sort, width=6, priority=3),
    ]


JOB_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("jobs.open", "enter", "open_job", "open job", footer=False),
    ActionSpec("jobs.finished", "f", "toggle_finished", "finished"),
    ActionSpec("jobs.mine", "m", "toggle_mine", "mine"),
    ActionSpec(
        "jobs.mark_all", "a", "mark_all", "mark all", footer=False, help="mark every visible job (again: unmark)"
    ),
    ActionSpec("jobs.refresh", "ctrl+r", "refresh", "refresh now", footer=False),
)


# The footer keeps the everyday steering keys; the rest are in `?` help and the palette.
FOOTER_STEER_KEYS = {"p", "u", "R", "k"}
STEER_JOB_ACTIONS = tuple(
    spec if spec.key in FOOTER_STEER_KEYS else replace(spec, footer=False)
    for spec in job_actions("jobs") + job_settings_actions("jobs")
)


class JobsScreen(SteersFarm, ConfiguresFarm, FarmScreen[Job]):
    """Jobs of the configured shows/users (or of one show when opened from the shows screen). The
    steering keys act on the marked jobs, else the cursor job."""

    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = JOB_ACTIONS + STEER_JOB_ACTIONS + TABLE_ACTIONS
    BINDINGS = bindings(JOB_ACTIONS + STEER_JOB_ACTIONS)
    NOUN = "jobs"

    def __init__(self, *, shows: Sequence[str] | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.pinned_shows = tuple(shows) if shows is not None else None
        self.include_finished = False
        self.only_mine = False
        self._view: JobsView | None = None
        self._waits: ExternalWaits | None = None  # which jobs wait on another job (the Waits on column)
        self.waits_rounds = 0  # rounds of those reads finished (tests wait on it)
        # The status line's counts, kept from poll to poll (only the jobs that changed are counted);
        # `_counted` is the last poll's, worked out in the fetch and made current with its table update.
        self._tallies = JobTallies()
        self._counted: CountedJobs | None = None

    def columns(self) -> list[Column[Job]]:
        return job_columns()

    def sort_default(self) -> tuple[str, bool]:
        return "name", False

    @staticmethod
    def first_search(options: UiOptions) -> JobScope:
        """What a new jobs screen of the configured farm asks first (the app sends it before the screen
        exists, to save a round trip at start-up)."""
        return JobScope(shows=tuple(options.shows), users=tuple(options.users), include_finished=False)

    def search(self) -> JobScope:
        """What to ask the gateway for: the show and user filters, finished jobs or not."""
        options = self.services.options
        shows = self.pinned_shows if self.pinned_shows is not None else tuple(options.shows)
        users: tuple[str, ...] = tuple(options.users)
        if self.only_mine and options.user:
            users = (options.user,)
        return JobScope(shows=shows, users=users, include_finished=self.include_finished)

    def heading(self) -> str:
        search = self.search()
        parts = ["Jobs"]
        parts.append("show " + ", ".join(search.shows) if search.shows else "all shows")
        if search.users:
            parts.append("user " + ", ".join(search.users))
        parts.append("finished included" if search.include_finished else "active only")
        return " · ".join(parts)

    def empty_reason(self) -> str:
        search = self.search()
        words = ["no jobs" if search.include_finished else "no active jobs"]
        if search.users:
            words.append("for " + ", ".join(safe(u, 40) for u in search.users))
        if search.shows:
            words.append("in show " + ", ".join(safe(s, 40) for s in search.shows))
        hints = []
        if self.only_mine:
            hints.append("m: everyone's")
        if not search.include_finished:
            hints.append("f: finished ones too")
        return " ".join(words) + (f" ({', '.join(hints)})" if hints else "")

    async def fetch(self) -> list[Job]:
        search = self.search()
        view = self._view
        if view is None:
            # The view that sent the app's start-up GetJobs, when it asked for this: its answer is the first poll.
            view = self._view = self.cue_app.take_first_jobs(search) or JobsView(self.services.client)
        view.scope = search
        jobs = (await view.poll()).jobs
        if self._waits is None:
            self._waits = ExternalWaits(self.services.client)
        marked = self._waits.known(jobs)  # the last answers; data_arrived asks again, after the table is shown
        # What the poll changed and the counts, in slices here, so that the callback that shows the poll
        # (the table's update) is left with the table's own work.
        self._counted = await self._tallies.count(marked)
        await asyncio.sleep(0)
        return marked

    async def _read_waits(self, models: Sequence[Job]) -> None:
        waits = self._waits
        if waits is None:
            return
        try:
            await waits.poll(models)
        finally:
            self.waits_rounds += 1
        marked = waits.known(models)
        if any(a is not b for a, b in zip(marked, models, strict=True)):
            self.table.set_data(marked, self.services.clock())

    def data_arrived(self, models: Sequence[Job]) -> None:
        counted, self._counted = self._counted, None
        if counted is not None:
            # The counts of the list just shown, in the callback that showed it (nothing is drawn between).
            self._tallies.commit(counted)
            self.status_bar.set_counts(self.counts(self.table))
        self.run_worker(self._read_waits(models), group="job-waits", exclusive=True, exit_on_error=False)
        # Every job (the app forgets them all past its cap, so not only the changed ones), in a callback
        # of its own: a dict update of 20 000 jobs is milliseconds the table's update need not wait for.
        self.call_later(self.cue_app.remember_jobs, models)
        # New dead frames and finished jobs among these: a toast (and the bell), never repeated.
        source = f"jobs:{self.search()!r}"
        self.run_worker(watch_jobs(self.app, models, source=source), group="alerts", exit_on_error=False)

    def counts(self, table: object) -> str:
        table_ = self.table
        tally = self._tallies.tally
        dead, paused = tally.with_dead, tally.paused
        text = f"{table_.shown_count}/{table_.total_count} jobs"
        # Marked first: what the next action will act on (parts that do not fit are left out).
        if table_.marked:
            text += f" · {len(table_.marked)} marked"
        if dead:
            text += f" · {dead} with dead"
        if paused:
            text += f" · {paused} paused"
        return text

    def selected_jobs(self) -> list[Job]:
        """The marked jobs still shown, or the job under the cursor (for the steering actions)."""
        return self.table.selected_models()

    def steer_jobs(self) -> list[Job]:
        return self.selected_jobs()

    def _retitle(self) -> None:
        self.query_one("#title").update(self.heading())  # type: ignore[attr-defined]

    def action_toggle_finished(self) -> None:
        self.include_finished = not self.include_finished
        self._retitle()
        self.notify("showing finished jobs too" if self.include_finished else "showing active jobs only", timeout=3)
        self.refresh_now()

    def action_toggle_mine(self) -> None:
        if not self.services.options.user:
            self.notify("no user name known: set `user` in the config", severity="warning")
            return
        self.only_mine = not self.only_mine
        self._retitle()
        self.refresh_now()

    def action_refresh(self) -> None:
        self.refresh_now()

    def action_open_job(self) -> None:
        job = self.table.cursor_model
        if job is not None:
            self.cue_app.open_job(job)

    def on_farm_table_row_selected(self, event: FarmTable.RowSelected) -> None:
        event.stop()
        self.action_open_job()
