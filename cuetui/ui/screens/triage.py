"""Dead-frame triage (`4`, `:dead`): every dead frame across the jobs in view, newest first, with the
end of the selected frame's log beside the table (its first error line highlighted).

`g` groups by exit status or by host (largest group first), and a host that killed frames of several
jobs is called out above the table ("render07: 14 dead frames of 5 jobs — host problem?"): that is a
host problem, not a job problem. `r` / `e` retry or eat the frames under the cursor or marked, `R`
retries every dead frame of the selected frames' jobs, `enter` / `l` opens the full log.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import ClassVar, NamedTuple

from rich.text import Text
from textual import work
from textual.widget import Widget
from textual.widgets import DataTable

from cuetui.farm.triage import DeadFrame, Group, collect_dead, exit_meaning, group_by, suspect_hosts
from cuetui.gateway.models import Frame, Job
from cuetui.gateway.requests import FrameSearch
from cuetui.ui.catalogue import ActionSpec, bindings
from cuetui.ui.screens.across_jobs import AcrossJobsScreen, gather_limited
from cuetui.ui.screens.base import TABLE_ACTIONS
from cuetui.ui.widgets import cells
from cuetui.ui.widgets.farm_table import CellContext, Column
from cuetui.ui.widgets.log_tail import LogTail, TailRead, read_log_tail

GROUP_MODES = ("", "exit_status", "host")
# A job's dead frames are fetched again only when its counters say something changed (a frame died,
# was retried or eaten), and at least every this many polls.
FULL_RELOAD_EVERY = 12


def _dead_key(job: Job) -> tuple[int, int, int]:
    stats = job.stats
    return stats.dead_frames, stats.failed_frame_count, stats.eaten_frames


GROUP_NAMES = {"": "newest first", "exit_status": "grouped by exit status", "host": "grouped by host"}


class TriageRow(NamedTuple):
    """One dead frame as a row: `rank` orders its group (0 = largest) when grouped."""

    dead: DeadFrame
    rank: int = 0
    suspect: bool = False

    @property
    def job(self) -> Job:
        return self.dead.job

    @property
    def frame(self) -> Frame:
        return self.dead.frame


def exit_text(status: int) -> str:
    """`137 killed (memory?)`."""
    meaning = exit_meaning(status)
    return f"{status} {meaning}" if meaning else str(status)


def _host_cell(row: TriageRow, ctx: CellContext) -> Text:
    return cells.name_cell(row.dead.host or "-", ctx, "warn" if row.suspect else "")


def _died_cell(row: TriageRow, ctx: CellContext) -> Text:
    """How long ago the frame died (`4m ago`): what a wrangler reads first, and short."""
    died = row.dead.died_at
    if not died:
        return cells.number_cell("", ctx)
    return cells.number_cell(f"{cells.coarse_duration(max(0.0, ctx.now - died))} ago", ctx)


def triage_columns() -> list[Column[TriageRow]]:
    """Job, frame, layer, exit status and meaning, retries, host, time of death."""
    return [
        Column(
            "job",
            "Job",
            lambda r, c: cells.name_cell(r.job.name, c),
            lambda r: r.job.name,
            width=16,
            flex=True,
            max_width=48,
        ),
        Column(
            "frame",
            "Frame",
            lambda r, c: cells.name_cell(r.frame.name, c),
            lambda r: (r.job.name, r.frame.number),
            width=14,
        ),
        Column(
            "layer",
            "Layer",
            lambda r, c: cells.name_cell(r.frame.layer_name, c),
            lambda r: r.frame.layer_name,
            width=8,
            priority=5,
        ),
        Column(
            "exit",
            "Exit",
            lambda r, c: cells.name_cell(exit_text(r.frame.exit_status), c, "dead"),
            lambda r: r.frame.exit_status,
            width=14,
        ),
        Column(
            "retries",
            "Try",
            lambda r, c: cells.number_cell(str(r.frame.retry_count), c),
            lambda r: r.frame.retry_count,
            width=3,
            priority=3,
            reverse_first=True,
        ),
        Column("host", "Host", _host_cell, lambda r: r.dead.host, width=10, priority=1),
        # Sorting by time of death keeps groups together when grouped (their rank comes first).
        Column(
            "died",
            "Died",
            _died_cell,
            lambda r: (r.rank, -r.dead.died_at),
            width=8,
            priority=2,
            live=True,
        ),
    ]


TRIAGE_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("triage.retry", "r", "retry_frames", "retry", dangerous=True, help="retry these frames"),
    ActionSpec("triage.eat", "e", "eat_frames", "eat", dangerous=True, help="eat these frames (they will not render)"),
    ActionSpec(
        "triage.retry_dead", "R", "retry_dead", "retry job", dangerous=True, help="retry every dead frame of the job"
    ),
    ActionSpec("triage.group", "g", "cycle_group", "group", help="group by exit status, by host, or not"),
    ActionSpec("triage.log", "enter,l", "open_log", "log"),
    ActionSpec("triage.mark_all", "a", "mark_all", "mark all", footer=False),
    ActionSpec("triage.finished", "f", "toggle_finished", "finished jobs", footer=False),
    ActionSpec("triage.refresh", "ctrl+r", "refresh", "refresh now", footer=False),
)


def suspect_line(groups: Sequence[Group]) -> str:
    """`⚠ render07: 14 dead frames of 5 jobs — host problem?` for each suspect host."""
    return "   ".join(f"⚠ {g.key}: {g.count} dead frames of {g.job_count} jobs — host problem?" for g in groups)


def groups_line(mode: str, groups: Sequence[Group]) -> str:
    """`exit 1 failed ×4 · exit 137 killed (memory?) ×2` for the groups shown."""
    if not mode:
        return ""
    parts = []
    for g in groups[:8]:
        label = f"exit {exit_text(int(g.key))}" if mode == "exit_status" and g.key.lstrip("-").isdigit() else g.key
        parts.append(f"{label} ×{g.count}")
    if len(groups) > 8:
        parts.append(f"+{len(groups) - 8} more")
    return " · ".join(parts)


class TriageScreen(AcrossJobsScreen[TriageRow]):
    """Dead frames across the jobs in view (see the module docstring)."""

    CSS_PATH = "../styles/steer.tcss"
    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = TRIAGE_ACTIONS + TABLE_ACTIONS
    BINDINGS = bindings(TRIAGE_ACTIONS)  # type: ignore[assignment]
    NOUN = "dead frames"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.group_mode = ""
        self.dead: list[DeadFrame] = []
        self.suspects: list[Group] = []
        self.groups: list[Group] = []
        self._log_key: tuple[str, int, int] | None = None
        self._dead_cache: dict[str, tuple[tuple[int, int, int], int, list[Frame]]] = {}

    def columns(self) -> list[Column[TriageRow]]:
        return triage_columns()

    def sort_default(self) -> tuple[str, bool]:
        return "died", False

    def heading(self) -> str:
        return f"Dead frames · {self.scope()} · {GROUP_NAMES[self.group_mode]}"

    def summary(self) -> str:
        lines = [suspect_line(self.suspects), groups_line(self.group_mode, self.groups)]
        return "\n".join(line for line in lines if line)

    def side_panel(self) -> Widget:
        return LogTail(id="log-tail")

    async def fetch(self) -> list[TriageRow]:
        jobs = await self.jobs_in_view()
        client = self.cue_app.client
        with_dead = [j for j in jobs if j.stats.dead_frames]
        dead_search = FrameSearch(states=["DEAD"])
        poll = self.poll.polls if self.poll is not None else 0
        cache = self._dead_cache

        def fresh(job: Job) -> bool:
            entry = cache.get(job.id)
            return entry is not None and entry[0] == _dead_key(job) and poll - entry[1] < FULL_RELOAD_EVERY

        def dead_of(job: Job) -> Callable[[], Awaitable[tuple[Job, list[Frame]]]]:
            async def call() -> tuple[Job, list[Frame]]:
                frames = await client.get_all_frames(job.id, dead_search, expected=job.stats.dead_frames)
                cache[job.id] = (_dead_key(job), poll, frames)
                return job, frames

            return call

        stale = [j for j in with_dead if not fresh(j)]
        stale_ids = {j.id for j in stale}
        kept = [(j, cache[j.id][2]) for j in with_dead if j.id not in stale_ids]
        pairs = await gather_limited([dead_of(j) for j in stale]) + kept
        for job_id in cache.keys() - {j.id for j in with_dead}:
            del cache[job_id]
        self.dead = collect_dead(pairs)
        return self._rows()

    def _rows(self) -> list[TriageRow]:
        self.suspects = suspect_hosts(self.dead)
        suspect_names = {g.key for g in self.suspects}
        if self.group_mode:
            self.groups = group_by(self.dead, self.group_mode)
            rank_of = {g.key: i for i, g in enumerate(self.groups)}
            by_exit = self.group_mode == "exit_status"

            def key(d: DeadFrame) -> str:
                return str(d.frame.exit_status) if by_exit else (d.host or "(never ran)")

            return [TriageRow(d, rank_of.get(key(d), 0), d.host in suspect_names) for d in self.dead]
        self.groups = []
        return [TriageRow(d, 0, d.host in suspect_names) for d in self.dead]

    def data_arrived(self, models: Sequence[TriageRow]) -> None:
        super().data_arrived(models)
        self._show_log()

    # --- grouping ---------------------------------------------------------------------------------

    def action_cycle_group(self) -> None:
        self.group_mode = GROUP_MODES[(GROUP_MODES.index(self.group_mode) + 1) % len(GROUP_MODES)]
        table = self.table
        table.set_data(self._rows(), self.cue_app.clock())
        table.sort_by("died", reverse=False)
        self._retitle()
        if table.row_count:
            table.move_cursor(row=0)

    # --- actions ----------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.refresh_now()

    # --- the log beside the table -----------------------------------------------------------------

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._show_log()

    def _show_log(self) -> None:
        row = self.table.cursor_model
        panel = self.query_one(LogTail)
        if row is None:
            self._log_key = None
            panel.show_message("Log", "no dead frames in view" if self.table.loaded else "loading…")
            return
        key = (row.frame.id, row.frame.retry_count, row.frame.stop_time)
        if key == self._log_key:
            return
        self._log_key = key
        self._load_log(row)

    @work(exclusive=True, group="triage-log")
    async def _load_log(self, row: TriageRow) -> None:
        options = self.cue_app.options
        tail: TailRead = await read_log_tail(
            row.job, row.frame, log_path_map=options.log_path_map, loki_url=options.loki_url
        )
        title = f"{row.job.name} · {row.frame.name} · {row.dead.host or 'never ran'}"
        self.query_one(LogTail).show_tail(title, tail)
