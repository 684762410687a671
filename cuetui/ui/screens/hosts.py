"""The hosts screen: every render host with its state, lock, allocation, free cores and memory, load,
GPUs, tags and last ping; `t` and `o` filter by hardware state and allocation; enter lists its procs."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import ClassVar

from rich.text import Text

from cuetui.farm import format as fmt
from cuetui.farm.text import safe
from cuetui.farm.views.hosts import HostsView
from cuetui.gateway.models import HARDWARE_STATES, Host
from cuetui.ui import remedies
from cuetui.ui.catalogue import ActionSpec, bindings
from cuetui.ui.screens.base import TABLE_ACTIONS, FarmScreen
from cuetui.ui.steer_keys import SteersFarm, host_actions
from cuetui.ui.widgets import cells
from cuetui.ui.widgets.farm_table import CellContext, Column, FarmTable

HOST_STATE_STYLES = {"UP": "", "DOWN": "down", "REPAIR": "down", "REBOOTING": "warn", "REBOOT_WHEN_IDLE": "warn"}
LOCK_STYLES = {"OPEN": "", "LOCKED": "locked", "NIMBY_LOCKED": "locked"}


def _ping_cell(host: Host, ctx: CellContext) -> Text:
    if not host.ping_time:
        return ctx.text("never", "dim", justify="right")
    age = max(0.0, ctx.now - host.ping_time)
    return cells.number_cell(cells.coarse_duration(age), ctx, "warn" if age > 300 else "")


def _cores_cell(host: Host, ctx: CellContext) -> Text:
    return cells.number_cell(f"{fmt.cores(host.idle_cores)}/{fmt.cores(host.cores)}", ctx)


def _memory_cell(host: Host, ctx: CellContext) -> Text:
    return cells.number_cell(f"{fmt.memory_kb(host.free_memory) or '0'}/{fmt.memory_kb(host.total_memory) or '0'}", ctx)


def _gpus_cell(host: Host, ctx: CellContext) -> Text:
    if not host.gpus:
        return ctx.text("-", "dim", justify="right")
    return cells.number_cell(f"{fmt.cores(host.idle_gpus)}/{fmt.cores(host.gpus)}", ctx)


def host_columns() -> list[Column[Host]]:
    """The hosts table's columns."""
    return [
        Column(
            "name", "Host", lambda h, c: cells.name_cell(h.name, c), lambda h: h.name, width=14, flex=True, max_width=32
        ),
        Column(
            "state",
            "State",
            lambda h, c: cells.enum_cell(h.state, "HardwareState", c, HOST_STATE_STYLES),
            lambda h: h.state,
            width=8,
        ),
        Column(
            "lock",
            "Lock",
            lambda h, c: cells.enum_cell(h.lock_state, "LockState", c, LOCK_STYLES),
            lambda h: h.lock_state,
            width=6,
        ),
        Column(
            "alloc",
            "Alloc",
            lambda h, c: cells.name_cell(h.alloc_name, c),
            lambda h: h.alloc_name,
            width=14,
            priority=3,
        ),
        Column("cores", "Cores idle", _cores_cell, lambda h: h.idle_cores, width=10, reverse_first=True),
        Column("memory", "Mem free", _memory_cell, lambda h: h.free_memory, width=13, priority=1, reverse_first=True),
        Column(
            "load",
            "Load",
            lambda h, c: cells.number_cell(f"{h.load / 100:.2f}", c),
            lambda h: h.load,
            width=6,
            priority=2,
            reverse_first=True,
        ),
        Column("gpus", "GPUs", _gpus_cell, lambda h: h.idle_gpus, width=5, priority=5, reverse_first=True),
        Column(
            "tags",
            "Tags",
            lambda h, c: cells.name_cell(" ".join(h.tags), c, "dim"),
            lambda h: " ".join(h.tags),
            width=16,
            priority=6,
            flex=True,
            max_width=40,
        ),
        Column("ping", "Ping", _ping_cell, lambda h: -h.ping_time, width=5, priority=4, live=True),
    ]


HOST_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("hosts.open", "enter", "open_host", "procs of host", footer=False),
    ActionSpec("hosts.state_filter", "t", "cycle_state", "state filter"),
    ActionSpec("hosts.alloc_filter", "o", "cycle_alloc", "alloc filter"),
    ActionSpec(
        "hosts.mark_all", "a", "mark_all", "mark all", footer=False, help="mark every visible host (again: unmark)"
    ),
)


STEER_HOST_ACTIONS = host_actions("hosts")
REMEDY_HOST_ACTIONS = remedies.host_remedy_actions("hosts")


class HostsScreen(SteersFarm, FarmScreen[Host]):
    """All hosts, filtered client-side by hardware state and allocation; `L` / `U` lock and unlock the
    marked hosts, else the cursor host."""

    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = HOST_ACTIONS + STEER_HOST_ACTIONS + REMEDY_HOST_ACTIONS + TABLE_ACTIONS
    BINDINGS = bindings(HOST_ACTIONS + STEER_HOST_ACTIONS + REMEDY_HOST_ACTIONS)
    NOUN = "hosts"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.state_filter = ""
        self.alloc_filter = ""
        self._all: list[Host] = []

    def columns(self) -> list[Column[Host]]:
        return host_columns()

    def sort_default(self) -> tuple[str, bool]:
        return "name", False

    def heading(self) -> str:
        parts = ["Hosts"]
        parts.append(f"state {self.state_filter}" if self.state_filter else "all states")
        parts.append(f"alloc {safe(self.alloc_filter, 40)}" if self.alloc_filter else "all allocs")
        return " · ".join(parts)

    def empty_reason(self) -> str:
        if not self._all:
            return "the gateway lists no hosts"
        wanted = []
        if self.state_filter:
            wanted.append(f"in state {self.state_filter}")
        if self.alloc_filter:
            wanted.append(f"in alloc {safe(self.alloc_filter, 40)}")
        return f"none of the {len(self._all):,} hosts is {' and '.join(wanted)} (t / o: change the filter)"

    @cached_property
    def view(self) -> HostsView:
        """This screen's data: every host (the filters are applied here, without asking again)."""
        return HostsView(self.services.client)

    async def fetch(self) -> list[Host]:
        self._all = list((await self.view.poll()).hosts)
        return self._filtered(self._all)

    def _filtered(self, hosts: Sequence[Host]) -> list[Host]:
        return [
            h
            for h in hosts
            if (not self.state_filter or h.state == self.state_filter)
            and (not self.alloc_filter or h.alloc_name == self.alloc_filter)
        ]

    def _refilter(self) -> None:
        self.query_one("#title").update(self.heading())  # type: ignore[attr-defined]
        self.table.set_data(self._filtered(self._all), self.services.clock())

    def action_cycle_state(self) -> None:
        order = ["", *HARDWARE_STATES]
        self.state_filter = (
            order[(order.index(self.state_filter) + 1) % len(order)] if self.state_filter in order else ""
        )
        self._refilter()

    def action_cycle_alloc(self) -> None:
        allocs = ["", *sorted({h.alloc_name for h in self._all})]
        index = allocs.index(self.alloc_filter) + 1 if self.alloc_filter in allocs else 0
        self.alloc_filter = allocs[index % len(allocs)]
        self._refilter()

    def counts(self, table: object) -> str:
        t = self.table
        hosts = t.models()
        down = sum(1 for h in hosts if h.state != "UP")
        text = f"{t.shown_count}/{len(self._all) or t.total_count} hosts"
        if t.marked:
            text += f" · {len(t.marked)} marked"
        if down:
            text += f" · {down} not up"
        return text

    def steer_hosts(self) -> list[Host]:
        return self.table.selected_models()

    def action_open_host(self) -> None:
        host = self.table.cursor_model
        if host is not None:
            from cuetui.ui.screens.host_procs import HostProcsScreen

            self.app.push_screen(HostProcsScreen(host))

    def on_farm_table_row_selected(self, event: FarmTable.RowSelected) -> None:
        event.stop()
        self.action_open_host()

    # --- remedies: B, A, T, H, C and :reboot on the marked hosts, else the cursor's ------------------

    def action_reboot_when_idle(self) -> None:
        remedies.reboot_when_idle(self, self.steer_hosts(), self.refresh_now)

    def action_set_allocation(self) -> None:
        remedies.set_allocation(self, self.steer_hosts(), self.refresh_now)

    def action_edit_tags(self) -> None:
        remedies.edit_tags(self, self.steer_hosts(), self.refresh_now)

    def action_set_hardware_state(self) -> None:
        remedies.set_hardware_state(self, self.steer_hosts(), self.refresh_now)

    def action_host_comments(self) -> None:
        remedies.host_comments(self, self.steer_hosts(), self.refresh_now)

    def run_screen_command(self, name: str, arg: str) -> bool:
        """`:reboot`: reboot the selected hosts now."""
        if name != "reboot":
            return False
        remedies.reboot_now(self, self.steer_hosts(), self.refresh_now)
        return True
