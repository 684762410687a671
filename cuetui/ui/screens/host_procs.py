"""The procs of one host: which frames run there, with cores, memory and run time; from a proc, `j`
(or enter) opens its job and `l` its frame log."""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar

from textual import work

from cuetui.farm import format as fmt
from cuetui.farm.text import safe
from cuetui.farm.views.hosts import HostProcsView
from cuetui.farm.views.lookups import FarmLookups
from cuetui.gateway.errors import GatewayError
from cuetui.gateway.models import Host, Proc
from cuetui.ui import remedies
from cuetui.ui.catalogue import ActionSpec, bindings
from cuetui.ui.screens.base import TABLE_ACTIONS, FarmScreen
from cuetui.ui.steer_keys import SteersFarm
from cuetui.ui.widgets import cells
from cuetui.ui.widgets.farm_table import Column, FarmTable


def proc_columns() -> list[Column[Proc]]:
    """The procs table's columns."""
    return [
        Column(
            "job",
            "Job",
            lambda p, c: cells.name_cell(p.job_name, c),
            lambda p: p.job_name,
            width=24,
            flex=True,
            max_width=64,
            cut_middle=True,
        ),
        Column(
            "frame",
            "Frame",
            lambda p, c: cells.name_cell(p.frame_name, c),
            lambda p: p.frame_name,
            width=13,
        ),
        Column(
            "cores",
            "Cores",
            lambda p, c: cells.number_cell(fmt.cores(p.reserved_cores), c),
            lambda p: p.reserved_cores,
            width=5,
            reverse_first=True,
        ),
        Column(
            "memory",
            "Mem used/rsvd",
            lambda p, c: cells.number_cell(
                f"{fmt.memory_kb(p.used_memory) or '0'}/{fmt.memory_kb(p.reserved_memory) or '0'}", c
            ),
            lambda p: p.used_memory,
            width=13,
            priority=1,
            reverse_first=True,
        ),
        Column(
            "runtime",
            "Run time",
            lambda p, c: cells.number_cell(
                cells.coarse_duration(c.now - p.dispatch_time if p.dispatch_time else None), c
            ),
            lambda p: -p.dispatch_time,
            width=8,
            live=True,
            reverse_first=True,
        ),
        Column(
            "services",
            "Services",
            lambda p, c: cells.name_cell(",".join(p.services), c, "dim"),
            lambda p: p.services,
            width=10,
            priority=3,
        ),
        Column(
            "show", "Show", lambda p, c: cells.name_cell(p.show_name, c), lambda p: p.show_name, width=8, priority=2
        ),
    ]


PROC_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("procs.open", "enter", "open_job", "open job", footer=False),
    ActionSpec("procs.job", "j", "open_job", "open job"),
    ActionSpec("procs.log", "l", "open_log", "frame log"),
)


# `x` kill and `b` unbook the marked procs, else the cursor's.
PROC_REMEDY_ACTIONS = remedies.proc_actions("procs")


class HostProcsScreen(SteersFarm, FarmScreen[Proc]):
    """Procs running on one host."""

    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = PROC_ACTIONS + PROC_REMEDY_ACTIONS + TABLE_ACTIONS
    BINDINGS = bindings(PROC_ACTIONS + PROC_REMEDY_ACTIONS)
    NOUN = "procs"

    def __init__(self, host: Host) -> None:
        super().__init__()
        self.host = host

    def columns(self) -> list[Column[Proc]]:
        return proc_columns()

    def sort_default(self) -> tuple[str, bool]:
        return "job", False

    def heading(self) -> str:
        h = self.host
        return (
            f"Procs on {safe(h.name, 60)} · {fmt.cores(h.idle_cores)}/{fmt.cores(h.cores)} cores idle · "
            f"{fmt.memory_kb(h.free_memory) or '0'} free · escape: back"
        )

    def empty_reason(self) -> str:
        return f"nothing is running on {safe(self.host.name, 60)}"

    def name_of(self, model: Proc) -> str:
        return (model.frame_name and f"{model.job_name}.{model.frame_name}") or model.job_name

    @cached_property
    def view(self) -> HostProcsView:
        """This screen's data."""
        return HostProcsView(self.services.client, self.host.id)

    async def fetch(self) -> list[Proc]:
        return list((await self.view.poll()).procs)

    def on_farm_table_row_selected(self, event: FarmTable.RowSelected) -> None:
        event.stop()
        self.action_open_job()

    def action_open_job(self) -> None:
        proc = self.table.cursor_model
        if proc is not None:
            self._open(proc, log=False)

    def action_open_log(self) -> None:
        proc = self.table.cursor_model
        if proc is not None:
            self._open(proc, log=True)

    @work(exclusive=True, group="open", exit_on_error=False)
    async def _open(self, proc: Proc, *, log: bool) -> None:
        lookups = FarmLookups(self.services.client)
        try:
            job = await lookups.find_job(proc.job_name)
            if not log:
                self.cue_app.open_job(job)
                return
            frame = await lookups.frame_named(job, proc.frame_name)
        except GatewayError as err:
            self.notify(f"cannot open {safe(proc.job_name, 80)}: {err}", severity="error", markup=False)
            return
        if frame is None:
            self.notify(f"frame {safe(proc.frame_name, 40)} not found in its job", severity="warning", markup=False)
            return
        self.cue_app.open_frame_log(job, frame, proc.log_path)

    # --- remedies -----------------------------------------------------------------------------------

    def action_kill_procs(self) -> None:
        remedies.kill_procs(self, self.table.selected_models(), self.refresh_now)

    def action_unbook_procs(self) -> None:
        remedies.unbook_procs(self, self.table.selected_models(), self.refresh_now)
