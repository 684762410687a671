"""Dead-frame triage (`4`, `:dead`): every dead frame across the jobs in view, grouped by what went wrong,
with the end of the selected frame's log beside the table (wrapped, its first error line highlighted).

`g` cycles the grouping: by error signature (the first error line of the log, its varying parts replaced:
`cuetui.farm.signatures`; the default), by exit status, by host, or none (newest first). A group is one
row: the raw error line of its newest frame, how many frames, jobs and hosts, first and last death;
`enter` expands it (its frames under it, `enter` on a frame opens its log). `r` / `e` / `R` / `W` on a
group act on all of its frames (confirmed with the counts). Logs are read lazily, a few at a time, newest deaths
first (`cuetui.farm.dead.SignatureReader`, in a worker): the first groups show at once, the rest fill in,
and the heading says how far the reading is ("reading logs 120/9000").

Under the heading, the selected group's hint with its remedy: "killed (OOM?) · raise min memory of render
to 16G" (`cuetui.farm.hints.suggest_min_memory`; `memory_suggestion()` gives the figures), or "host
problem? render07 …  · L lock render07 · r retry these on other hosts"; `R`'s confirmation says when the
failure is not transient (every earlier attempt failed the same way). A host that kills frames of several
jobs far more often than the others is also called out above the table (`suspect_hosts`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, ClassVar, NamedTuple

from rich.text import Text
from textual import work
from textual.events import Resize
from textual.widget import Widget

from cuetui.farm import format as fmt
from cuetui.farm.dead import GROUPINGS, NOT_READ, CacheKey, DeadGroup, SignatureReader, cache_key, group_dead
from cuetui.farm.hints import MemorySuggestion, host_behind, not_transient, suggest_min_memory
from cuetui.farm.log_tail import TailRead, read_log_tail
from cuetui.farm.signatures import Signature
from cuetui.farm.text import safe
from cuetui.farm.triage import DeadFrame, Suspect, exit_meaning, suspect_hosts
from cuetui.farm.views.dead import DeadFramesView
from cuetui.farm.views.lookups import FarmLookups
from cuetui.gateway.errors import GatewayError
from cuetui.gateway.models import Frame, Host, Job
from cuetui.ui import remedies, steering
from cuetui.ui.catalogue import ActionSpec, bindings
from cuetui.ui.screens.across_jobs import (
    AcrossJobsScreen,
    fit_items,
    frame_column,
    shared_actions,
)
from cuetui.ui.screens.base import TABLE_ACTIONS
from cuetui.ui.widgets import cells
from cuetui.ui.widgets.dialogs import ConfirmDialog, name_list
from cuetui.ui.widgets.farm_table import CellContext, Column, FarmTable
from cuetui.ui.widgets.log_tail import LogTail

GROUP_NAMES = {
    "signature": "grouped by error signature",
    "exit": "grouped by exit status",
    "host": "grouped by host",
    "none": "newest first",
}
GROUP_ROW = "group\x00"  # row keys of group rows (frame rows are keyed by frame id)


class TriageRow(NamedTuple):
    """A row: one dead frame, or (`group` set and `is_group`) a whole group, shown by its newest frame
    `dead`. `rank` orders the groups (0 = first); `expanded` says a group row shows its frames."""

    dead: DeadFrame
    rank: int = 0
    suspect: bool = False
    group: DeadGroup | None = None
    is_group: bool = False
    expanded: bool = False

    @property
    def job(self) -> Job:
        return self.dead.job

    @property
    def frame(self) -> Frame:
        return self.dead.frame

    @property
    def frames(self) -> tuple[DeadFrame, ...]:
        """The dead frames this row stands for: the group's, or its own."""
        return self.group.frames if self.is_group and self.group is not None else (self.dead,)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def exit_text(status: int) -> str:
    """`137 killed (OOM?)`."""
    meaning = exit_meaning(status)
    return f"{status} {meaning}" if meaning else str(status)


# A time stamp and a level word at the start of an error line: a group row's line is an error, and its
# time is the Died column's, so they only take room.
_LEVEL = re.compile(r"^\s*(?:\[[^\]]*\d:\d\d[^\]]*\]\s*)?\[?(?:error|fatal|critical)\]?\s*[:!|-]?\s+", re.IGNORECASE)


def group_label(group: DeadGroup) -> str:
    """What a group row says it is: the raw error line of its newest frame whose log was read (the
    normalised signature when none was) without a leading `ERROR:`, else what it shares (an exit
    status, a host)."""
    line = group.example or group.signature
    return _LEVEL.sub("", line, count=1) or line


def death_span(group: DeadGroup, now: float) -> str:
    """`10:02–11:58` (first and last death, today), or the last death alone when that does not fit."""
    first, last = group.first_death, group.last_death
    if not last:
        return "-"
    if first == last:
        return fmt.timestamp(last, now, seconds=True)
    a, b = fmt.timestamp(first, now), fmt.timestamp(last, now)
    span = f"{a}–{b}"
    return span if len(span) <= 12 else b


def _job_cell(row: TriageRow, ctx: CellContext) -> Text:
    if row.is_group and row.group is not None:
        arrow = "▾ " if row.expanded else "▸ "
        return cells.name_cell(arrow + group_label(row.group), ctx, "dim" if row.group.signature == NOT_READ else "")
    indent = "  " if row.group is not None else ""
    return cells.name_cell(indent + row.job.name, ctx)


def _frame_cell(row: TriageRow, ctx: CellContext) -> Text:
    if row.is_group and row.group is not None:
        return cells.number_cell(_plural(row.group.count, "frame"), ctx)
    return cells.name_cell(row.frame.name, ctx)


def _layer_cell(row: TriageRow, ctx: CellContext) -> Text:
    if row.is_group and row.group is not None:
        return cells.number_cell(_plural(len(row.group.jobs), "job"), ctx)
    return cells.name_cell(row.frame.layer_name, ctx)


def _exit_cell(row: TriageRow, ctx: CellContext) -> Text:
    if row.is_group and row.group is not None:
        statuses = {d.frame.exit_status for d in row.group.frames}
        if len(statuses) > 1:
            return cells.name_cell(f"{len(statuses)} exit statuses", ctx, "dead")
        return cells.name_cell(exit_text(next(iter(statuses))), ctx, "dead")
    return cells.name_cell(exit_text(row.frame.exit_status), ctx, "dead")


def _retries_cell(row: TriageRow, ctx: CellContext) -> Text:
    return cells.number_cell("" if row.is_group else str(row.frame.retry_count), ctx)


def _host_cell(row: TriageRow, ctx: CellContext) -> Text:
    if row.is_group and row.group is not None:
        hosts = row.group.hosts
        return cells.name_cell(hosts[0] if len(hosts) == 1 else _plural(len(hosts), "host"), ctx)
    return cells.name_cell(row.dead.host or "-", ctx, "warn" if row.suspect else "")


def _died_cell(row: TriageRow, ctx: CellContext) -> Text:
    """When the frame died: `14:03:22` today, `Nov 25 14:03` before (local time); a group its span."""
    if row.is_group and row.group is not None:
        return cells.number_cell(death_span(row.group, ctx.now), ctx)
    return cells.number_cell(fmt.timestamp(row.dead.died_at, ctx.now, seconds=True), ctx)


def triage_columns(
    order: Callable[[Callable[[TriageRow], Any]], Callable[[TriageRow], Any]],
) -> list[Column[TriageRow]]:
    """Job (a group's error line), frame (its count), layer (its jobs), exit status and meaning, retries,
    host (its hosts), time of death (its first and last). `order` wraps each sort key so that groups
    keep their order and their frames stay under them."""
    return [
        # A job name worth reading beats the layer column (the frame's name ends with its layer); a
        # group's error line is cut in the middle: its start names the tool, its end the reason.
        Column(
            "job",
            "Job",
            _job_cell,
            order(lambda r: r.job.name),
            width=12,
            flex=True,
            max_width=72,
            want=22,
            cut_middle=True,
        ),
        Column("frame", "Frame", _frame_cell, order(frame_column().sort), width=14),
        Column("layer", "Layer", _layer_cell, order(lambda r: r.frame.layer_name), width=8, priority=5),
        # `137 killed (OOM?)` whole
        Column("exit", "Exit", _exit_cell, order(lambda r: r.frame.exit_status), width=17),
        Column(
            "retries",
            "Try",
            _retries_cell,
            order(lambda r: r.frame.retry_count),
            width=3,
            priority=6,  # before the layer column goes: on a group row that column counts its jobs
            reverse_first=True,
        ),
        Column("host", "Host", _host_cell, order(lambda r: r.dead.host), width=10, priority=1),
        # `live`: today's deaths show the time only, so the cell changes when the day does.
        Column(
            "died",
            "Died",
            _died_cell,
            order(lambda r: r.dead.died_at),
            width=12,
            priority=2,
            live=True,
            reverse_first=True,
        ),
    ]


TRIAGE_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "triage.raise_memory",
        "o",
        "raise_memory",
        "raise memory",
        help="the layer settings of the selected group's layer, min memory pre-filled with the OOM hint's figure",
        footer=False,
    ),
    ActionSpec(
        "triage.retry",
        "r",
        "retry_frames",
        "retry",
        dangerous=True,
        help="retry these frames (on a group: all of its frames)",
    ),
    ActionSpec(
        "triage.eat",
        "e",
        "eat_frames",
        "eat",
        dangerous=True,
        help="eat these frames, on a group all of them (they will not render)",
    ),
    ActionSpec(
        "triage.retry_dead",
        "R",
        "retry_dead",
        "retry job",
        dangerous=True,
        help="retry every dead frame of the job (on a group: of its jobs)",
    ),
    ActionSpec(
        "triage.lock_host",
        "L",
        "lock_hosts",
        "lock host",
        dangerous=True,
        help="lock the host behind the group's deaths (or the frame's host)",
        footer=False,  # the hint line says `L lock <host>` when there is one to lock
    ),
    ActionSpec(
        "triage.reboot_host_when_idle",
        "B",
        "reboot_hosts_when_idle",
        "reboot host when idle",
        dangerous=True,
        help="reboot the host behind the group's deaths once its running frames finish",
        footer=False,
    ),
    ActionSpec(
        "triage.group",
        "g",
        "cycle_group",
        "group",
        help="group by error signature, exit status, host, or not (enter expands a group)",
    ),
    *remedies.frame_remedy_actions("triage"),
    *shared_actions("triage"),
)


def suspect_line(suspects: Sequence[Suspect], width: int) -> str:
    """`⚠ host problem? render07: 14 dead frames of 5 jobs (others avg 1.2) · … · +2 more`, in `width`
    cells: an item is never cut in the middle."""
    items = [
        f"{s.host}: {s.group.count} dead frames of {s.group.job_count} jobs (others avg {s.others_mean:.1f})"
        for s in suspects
    ]
    return fit_items(items, width, prefix="⚠ host problem? ")


def group_hints(
    frames: Sequence[DeadFrame], suspects: Sequence[Suspect], suggestions: Sequence[MemorySuggestion]
) -> list[str]:
    """The hints with remedies for these dead frames, most useful first."""
    memory = ["killed (OOM?)", *(s.text for s in suggestions)] if suggestions else []
    host = host_behind(frames, suspects)
    if host is None:
        return memory
    on_host = [
        f"host problem? {host.host}: {host.group.count} dead frames of {host.group.job_count} jobs"
        " · L lock · B reboot when idle · r retry these on other hosts"
    ]
    # The host first when it is behind all of these deaths (a host's group); else a remedy for the job.
    only_host = all(d.host == host.host for d in frames)
    return on_host + memory if only_host else memory + on_host


class TriageScreen(AcrossJobsScreen[TriageRow]):
    """Dead frames across the jobs in view (see the module docstring)."""

    CSS_PATH = "../styles/steer.tcss"
    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = TRIAGE_ACTIONS + TABLE_ACTIONS
    BINDINGS = bindings(TRIAGE_ACTIONS)
    NOUN = "dead frames"

    def __init__(self, *, id: str | None = None, reader: SignatureReader | None = None) -> None:
        super().__init__(id=id)
        self.grouping = GROUPINGS[0]
        self.dead: list[DeadFrame] = []
        self.suspects: list[Suspect] = []
        self.groups: list[DeadGroup] = []
        self.signatures: dict[CacheKey, Signature] = {}
        self.expanded: set[str] = set()
        self.reading: tuple[int, int] = (0, 0)  # logs read, of how many (while reading)
        self.min_memory: dict[tuple[str, str], int] = {}
        self.hosts: dict[str, Host] = {}
        self._reader = reader
        self._log_key: tuple[str, int, int, str, int] | None = None

    def columns(self) -> list[Column[TriageRow]]:
        return triage_columns(self._in_groups)

    def _in_groups(self, inner: Callable[[TriageRow], Any]) -> Callable[[TriageRow], Any]:
        """A sort key that keeps the groups in their order (largest first, whichever way the column is
        sorted) with each group row above its frames, the frames sorted by `inner`."""

        def key(row: TriageRow) -> Any:
            if self.grouping == "none":
                return inner(row)
            sign = -1 if self.table.sort_reverse else 1
            return (sign * row.rank, sign * (0 if row.is_group else 1), 0 if row.is_group else inner(row))

        return key

    def key_of(self, model: TriageRow) -> str:
        if model.is_group and model.group is not None:
            return GROUP_ROW + model.group.signature
        return model.frame.id

    def name_of(self, model: TriageRow) -> str:
        if model.is_group and model.group is not None:
            return group_label(model.group)
        return super().name_of(model)

    def sort_default(self) -> tuple[str, bool]:
        return "died", True

    def counts(self, table: FarmTable[TriageRow]) -> str:
        """`8/8 dead frames · 3 groups` (frames of the groups shown, when grouped)."""
        if self.grouping == "none":
            return super().counts(table)
        shown = [m for m in (table.model(k) for k in table.shown_keys()) if m is not None and m.is_group]
        frames = sum(m.group.count for m in shown if m.group is not None)
        text = f"{frames}/{len(self.dead)} {self.NOUN} · {_plural(len(shown), 'group')}"
        if table.marked:
            text += f" · {len(table.marked)} marked"
        return text

    def heading(self) -> str:
        done, total = self.reading
        reading = f" · reading logs {done:,}/{total:,}" if total and done < total else ""
        return f"Dead frames · {self.scope()} · {GROUP_NAMES[self.grouping]}{reading}"

    def empty_reason(self) -> str:
        return f"no dead frames in {self.jobs_words()}{self.finished_hint()}"

    def _line_width(self) -> int:
        # The lines under the title have one cell of padding each side; before the first layout, no limit.
        return self.size.width - 2 if self.size.width > 2 else 10_000

    def summary(self) -> str:
        return suspect_line(self.suspects, self._line_width())

    def detail(self) -> str:
        """The hints of the selected group (or frame), with their remedies, in one line."""
        row = self.table.cursor_model if self.is_mounted else None
        if row is None:
            return ""
        frames = row.frames
        hints = group_hints(frames, self.suspects, self.memory_suggestions(frames))
        return fit_items(hints, self._line_width(), prefix="hint: ")

    def memory_suggestions(self, frames: Sequence[DeadFrame]) -> list[MemorySuggestion]:
        """Raise-min-memory suggestions for these frames (layers whose frames were killed for memory)."""
        memory = {name: host.memory for name, host in self.hosts.items()}
        return suggest_min_memory(frames, self.min_memory, memory)

    def memory_suggestion(self) -> tuple[Job, str, int] | None:
        """(job, layer, suggested min memory KB) for the selected group or frame, the remedy the layer
        settings form opens with; None when its frames were not killed for memory."""
        row = self.table.cursor_model
        if row is None:
            return None
        found = self.memory_suggestions(row.frames)
        if not found:
            return None
        best = found[0]
        return best.job, best.layer, best.min_memory_kb

    def on_resize(self, event: Resize) -> None:
        super().on_resize(event)
        if self.is_mounted:
            self._retitle()

    def side_panel(self) -> Widget:
        return LogTail(id="log-tail")

    @cached_property
    def view(self) -> DeadFramesView:
        """This screen's data: the dead frames of the jobs in view, their layers' memory, their hosts."""
        # The app's reader, which the new-dead alerts share: a log one of them read is not read again.
        reader = self._reader or self.services.signatures
        return DeadFramesView(self.services.client, on_jobs=self.jobs_seen, details=True, reader=reader)

    async def fetch(self) -> list[TriageRow]:
        view = self.view
        view.scope = self.search()
        snapshot = await view.poll()
        self.dead = list(snapshot.dead)
        self.min_memory = dict(snapshot.min_memory)
        self.hosts = dict(snapshot.hosts)
        keys = {cache_key(d) for d in self.dead}
        self.signatures = {k: v for k, v in view.reader.cache.items() if k in keys}
        return self._rows()

    def _rows(self) -> list[TriageRow]:
        self.suspects = suspect_hosts(self.dead)
        suspect_names = {s.host for s in self.suspects}
        if self.grouping == "none":
            self.groups = []
            return [TriageRow(d, 0, d.host in suspect_names) for d in self.dead]
        self.groups = group_dead(self.dead, self.signatures, self.grouping)
        self.expanded &= {g.signature for g in self.groups}
        rows = []
        for rank, group in enumerate(self.groups):
            expanded = group.signature in self.expanded
            rows.append(TriageRow(group.frames[0], rank, False, group, True, expanded))
            if expanded:
                rows.extend(TriageRow(d, rank, d.host in suspect_names, group) for d in group.frames)
        return rows

    def data_arrived(self, models: Sequence[TriageRow]) -> None:
        super().data_arrived(models)
        self._show_log()
        if any(cache_key(d) not in self.signatures for d in self.dead):
            self._read_signatures(list(self.dead))
        else:
            self.reading = (0, 0)

    def _redraw(self) -> None:
        table = self.table
        before = table.cursor_key
        table.set_data(self._rows(), self.services.clock())
        if before is not None and table.model(before) is None and table.row_count:
            table.move_cursor(row=0)  # its group is gone (its logs were read): back to the first group
        self._retitle()
        self._show_log()

    # --- reading the logs for the signatures ------------------------------------------------------

    @work(exclusive=True, group="triage-signatures", exit_on_error=False)
    async def _read_signatures(self, dead: list[DeadFrame]) -> None:
        """Read the logs of `dead` (a few at a time, newest first), regrouping at each partial result."""
        async for partial in self.view.signatures(dead):
            self.signatures = dict(partial.signatures)
            self.reading = (partial.done, partial.total)
            if self.grouping == "none":
                self._retitle()  # one frame a row: the rows do not depend on the signatures
            else:
                self._redraw()
        self.reading = (0, 0)
        self._retitle()

    # --- grouping ---------------------------------------------------------------------------------

    def action_cycle_group(self) -> None:
        self.grouping = GROUPINGS[(GROUPINGS.index(self.grouping) + 1) % len(GROUPINGS)]
        self.expanded.clear()
        table = self.table
        table.set_data(self._rows(), self.services.clock())
        table.sort_by("died", reverse=True)
        self._retitle()
        if table.row_count:
            table.move_cursor(row=0)

    def toggle_group(self, row: TriageRow) -> None:
        """Expand a group row (its frames under it), or fold it again."""
        if row.group is None:
            return
        signature = row.group.signature
        if signature in self.expanded:
            self.expanded.discard(signature)
        else:
            self.expanded.add(signature)
        self._redraw()
        self.table.move_to_key(GROUP_ROW + signature)

    def on_farm_table_row_selected(self, event: FarmTable.RowSelected) -> None:
        event.stop()
        event.prevent_default()  # not the base class's handler too: it would open the log
        row = self.table.cursor_model
        if row is not None and row.is_group:
            self.toggle_group(row)
        else:
            self.action_open_log()

    # --- actions: a group row stands for all of its frames ----------------------------------------

    def _selected_frames(self) -> list[DeadFrame]:
        seen: dict[str, DeadFrame] = {}
        for row in self.selected():
            for d in row.frames:
                seen.setdefault(d.frame.id, d)
        return list(seen.values())

    def _selected_groups(self) -> list[DeadGroup]:
        return [row.group for row in self.selected() if row.is_group and row.group is not None]

    def steer_frames(self) -> list[tuple[Job, Frame]]:
        """(job, frame) of the marked rows (a group: all of its frames), or of the cursor row."""
        return [(d.job, d.frame) for d in self._selected_frames()]

    def steer_jobs(self) -> list[Job]:
        """The jobs of the selected frames (for `R`), each once."""
        jobs: dict[str, Job] = {}
        for d in self._selected_frames():
            jobs.setdefault(d.job.id, d.job)
        return list(jobs.values())

    def steer_hosts(self) -> list[Host]:
        """For `L`: the suspect host behind the selected frames, else the selected frame's host."""
        frames = self._selected_frames()
        host = host_behind(frames, self.suspects, at_least=0.0)
        names = [host.host] if host is not None else sorted({d.host for d in frames if d.host})[:1]
        return [self.hosts[n] for n in names if n in self.hosts]

    @work(group="triage-remedy", exit_on_error=False)
    async def action_raise_memory(self) -> None:
        """`o`: the out-of-memory remedy, the layer settings form with the suggested min memory."""
        found = self.memory_suggestion()
        if found is None:
            self.notify("no memory hint here: o opens the layer settings of frames killed for memory", timeout=3)
            return
        job, layer_name, kb = found
        try:
            layer = await FarmLookups(self.services.client).layer_named(job, layer_name)
        except GatewayError as err:
            self.notify(safe(str(err), 200), severity="error", markup=False, timeout=5)
            return
        if layer is None:
            self.notify(safe(f"{job.name} has no layer {layer_name} any more", 200), markup=False, timeout=3)
            return
        self.cue_app.open_layer_settings(job, layer, min_memory_kb=kb)

    def action_reboot_hosts_when_idle(self) -> None:
        hosts = self.steer_hosts()
        if not hosts and not self.services.options.read_only:
            self.notify(
                "no host to reboot here (only a host behind many deaths is known)", severity="warning", timeout=3
            )
            return
        remedies.reboot_when_idle(self, hosts, self.steer_refresh())

    def action_lock_hosts(self) -> None:
        hosts = self.steer_hosts()
        if not hosts and not self.services.options.read_only:
            self.notify("no host to lock here (only a host behind many deaths is known)", severity="warning", timeout=3)
            return
        steering.lock_hosts(self, hosts, self.steer_refresh())

    def action_retry_frames(self) -> None:
        if self._selected_groups() and not self.services.options.read_only:
            self._confirm_group("retry")
        else:
            super().action_retry_frames()

    def action_eat_frames(self) -> None:
        if self._selected_groups() and not self.services.options.read_only:
            self._confirm_group("eat")
        else:
            super().action_eat_frames()

    def action_retry_dead(self) -> None:
        if self._selected_groups() and not self.services.options.read_only:
            self._confirm_group("retry_dead")
        else:
            super().action_retry_dead()

    async def group_notes(self, frames: Sequence[DeadFrame]) -> list[str]:
        """What a group action's confirmation adds: the failure is not transient (every earlier attempt
        whose log could be read failed the same way), a host behind the deaths."""
        notes = []
        current = {d.frame.id: self.signatures[cache_key(d)].text for d in frames if cache_key(d) in self.signatures}
        earlier = await self.view.earlier_signatures(frames)
        if not_transient(frames, current, earlier):
            notes.append("not transient: retrying will fail again (every attempt failed the same way)")
        host = host_behind(frames, self.suspects)
        if host is not None:
            behind = sum(1 for d in frames if d.host == host.host)
            notes.append(f"host problem? {host.host} is behind {behind} of them: L locks it, so they retry elsewhere")
        return notes

    @work(group="triage-confirm", exit_on_error=False)
    async def _confirm_group(self, what: str) -> None:
        frames = self._selected_frames()
        groups = self._selected_groups()
        jobs: dict[str, Job] = {}
        for d in frames:
            jobs.setdefault(d.job.id, d.job)
        by_job: dict[str, list[Frame]] = {}
        for d in frames:
            by_job.setdefault(d.job.id, []).append(d.frame)
        which = name_list([group_label(g) for g in groups], limit=2)
        counts = f"{_plural(len(frames), 'frame')} of {_plural(len(jobs), 'job')}"
        actions = self.services.actions
        notes = await self.group_notes(frames) if what != "eat" else []
        if what == "retry":
            question = f"Retry {counts}?\n{which}"

            async def send(_: object) -> Any:
                return steering.combine(
                    "retried", [await actions.retry_frames(jobs[j], fs) for j, fs in by_job.items()]
                )

        elif what == "eat":
            question = f"Eat {counts}?\n{which}\nEaten frames are not rendered."

            async def send(_: object) -> Any:
                return steering.combine("ate", [await actions.eat_frames(jobs[j], fs) for j, fs in by_job.items()])

        else:
            dead = sum(j.stats.dead_frames for j in jobs.values())
            question = (
                f"Retry every dead frame of {_plural(len(jobs), 'job')}: {_plural(dead, 'dead frame')}"
                f" ({_plural(len(frames), 'frame')} in {which})?"
            )

            async def send(_: object) -> Any:
                return await actions.retry_dead(list(jobs.values()))

        dialog = ConfirmDialog(question + "".join(f"\n{n}" for n in notes))
        steering.steer(self, send, dialog=dialog, refresh=self.steer_refresh())

    # --- the log beside the table -----------------------------------------------------------------

    def on_farm_table_row_highlighted(self, event: FarmTable.RowHighlighted) -> None:
        event.stop()
        self._show_log()
        self._retitle()

    def _show_log(self) -> None:
        row = self.table.cursor_model
        panel = self.query_one(LogTail)
        if row is None:
            self._log_key = None
            panel.show_message("Log", "no dead frames in view" if self.table.loaded else "loading…")
            return
        group = (row.group.signature, row.group.count) if row.is_group and row.group is not None else ("", 0)
        key = (row.frame.id, row.frame.retry_count, row.frame.stop_time, *group)
        if key == self._log_key:
            return
        self._log_key = key
        self._load_log(row)

    @work(exclusive=True, group="triage-log")
    async def _load_log(self, row: TriageRow) -> None:
        options = self.services.options
        tail: TailRead = await read_log_tail(
            row.job, row.frame, log_path_map=options.log_path_map, loki_url=options.loki_url
        )
        # The frame first: the title is one line, and the job's name is in the table already.
        title = f"{row.frame.name} · {row.dead.host or 'never ran'} · {row.job.name}"
        if row.is_group and row.group is not None and row.group.count > 1:
            title = f"newest of {row.group.count}: {title}"
        self.query_one(LogTail).show_tail(title, tail)
