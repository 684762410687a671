"""The subscriptions screen (`6`, `:subs`): every show × allocation, with the subscription's size (cores the
show is guaranteed), burst (the most it may hold) and the cores it holds now (GetSubscriptions), a bar of
that use against size and burst, and the allocation's idle cores and hosts (AllocationInterface GetAll,
GetHosts: all, up and open, with idle cores). Every figure is in cores (the gateway's core units divided
by 100, as CueGUI and cueadmin show them).

`=` sets the size and `b` the burst of the subscription under the cursor (SubscriptionInterface SetSize,
SetBurst): a small dialog pre-filled with the value now, checked there (a bad number is refused with a
message and nothing is sent), then a confirmation; through FarmActions, so read-only mode refuses it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import ClassVar

from rich.text import Text

from cuetui.farm import format as fmt
from cuetui.farm.actions import parse_cores
from cuetui.farm.text import safe
from cuetui.farm.views.subscriptions import SubscriptionRow, SubscriptionsView
from cuetui.ui.catalogue import ActionSpec, bindings
from cuetui.ui.screens.base import TABLE_ACTIONS, FarmScreen
from cuetui.ui.steering import ask, send_and_tell
from cuetui.ui.widgets import cells
from cuetui.ui.widgets.dialogs import ConfirmDialog, _InputDialog
from cuetui.ui.widgets.farm_table import CellContext, Column

BAR_WIDTH = 16


class CoresDialog(_InputDialog):
    """A subscription's new size or burst: a whole number of cores, 0 or more (`parse_cores`); anything
    else is refused in the dialog with a message. Returns the int, or None when cancelled."""

    def __init__(self, row: SubscriptionRow, what: str, current: float) -> None:
        sub = row.subscription
        question = (
            f"New {what} of show {sub.show_name} in {sub.allocation_name}\n"
            f"(cores; now size {fmt.cores(sub.size_cores)}, burst {fmt.cores(sub.burst_cores)},"
            f" in use {fmt.cores(sub.used_cores)})"
        )
        super().__init__(question, fmt.cores(current), title=f"Subscription {what}")
        self.what = what

    def validate_value(self, text: str) -> int:
        return parse_cores(text, self.what)


def use_bar(used: float, size: float, burst: float, width: int = BAR_WIDTH) -> list[tuple[str, str]]:
    """The cells of a bar of `used` cores against `size` and `burst`, as (characters, style name) runs:
    the scale is the largest of the three; up to size the used part is `bar-done` and the rest
    `bar-todo`; between size and burst the used part is `warn` (borrowed beyond the guarantee) and the
    rest `dim` dots."""
    scale = max(used, size, burst, 1.0)
    filled = min(width, round(used / scale * width))
    size_at = min(width, round(size / scale * width))
    runs: list[tuple[str, str]] = []
    for i in range(width):
        inside = i < size_at
        if i < filled:
            char, style = "█", "bar-done" if inside else "warn"
        else:
            char, style = ("░", "bar-todo") if inside else ("·", "dim")
        if runs and runs[-1][1] == style:
            runs[-1] = (runs[-1][0] + char, style)
        else:
            runs.append((char, style))
    return runs


def _bar_cell(row: SubscriptionRow, ctx: CellContext) -> Text:
    sub = row.subscription
    cell = Text(end="", no_wrap=True)
    for chars, style in use_bar(sub.used_cores, sub.size_cores, sub.burst_cores):
        cell.append(chars, style=ctx.style(style))
    cell.append(f"{fmt.percent(sub.reserved_cores, sub.burst) if sub.burst else 0:4d}%")
    return cell


def _used_cell(row: SubscriptionRow, ctx: CellContext) -> Text:
    sub = row.subscription
    at_burst = sub.burst > 0 and sub.reserved_cores >= sub.burst
    return cells.number_cell(fmt.cores(sub.used_cores), ctx, "warn" if at_burst else "")


def _cores_column(key: str, label: str, cores: Callable[[SubscriptionRow], float]) -> Column[SubscriptionRow]:
    """Right-aligned cores (`48`, `1.5`), zero dimmed, largest first on the first sort."""

    def cell(row: SubscriptionRow, ctx: CellContext) -> Text:
        value = cores(row)
        return cells.number_cell(fmt.cores(value), ctx, "" if value else "dim")

    return Column(key, label, cell, cores, width=5, reverse_first=True)


def _name_column(
    key: str, label: str, name: Callable[[SubscriptionRow], str], *, width: int, max_width: int
) -> Column[SubscriptionRow]:
    """A name (farm data, as Text), growing with the screen from `width` up to `max_width`."""
    return Column(
        key, label, lambda r, c: cells.name_cell(name(r), c), name, width=width, flex=True, max_width=max_width
    )


def _idle_cores(row: SubscriptionRow) -> float:
    return row.allocation.totals.idle_cores if row.allocation is not None else -1.0


def _hosts(row: SubscriptionRow) -> int:
    if row.hosts is not None:
        return row.hosts.total
    return row.allocation.totals.hosts if row.allocation is not None else 0


def subscription_columns() -> list[Column[SubscriptionRow]]:
    """Show, allocation, size, burst, in use, the bar, the allocation's idle cores and hosts."""
    return [
        _name_column("show", "Show", lambda r: r.subscription.show_name, width=8, max_width=24),
        _name_column("allocation", "Allocation", lambda r: r.subscription.allocation_name, width=13, max_width=28),
        _cores_column("size", "Size", lambda r: r.subscription.size_cores),
        _cores_column("burst", "Burst", lambda r: r.subscription.burst_cores),
        Column("used", "Used", _used_cell, lambda r: r.subscription.reserved_cores, width=5, reverse_first=True),
        Column(
            "use",
            "Use of burst",
            _bar_cell,
            lambda r: r.subscription.reserved_cores / r.subscription.burst if r.subscription.burst else 0.0,
            width=BAR_WIDTH + 5,
            priority=1,
            reverse_first=True,
        ),
        Column(
            "idle",
            "Idle cores",
            lambda r, c: cells.number_cell(fmt.cores(_idle_cores(r)) if r.allocation is not None else "", c),
            _idle_cores,
            width=10,
            priority=2,
            reverse_first=True,
        ),
        cells.count_column("hosts", "Hosts", _hosts, 5, priority=3),
        cells.count_column("up", "Up", lambda r: r.hosts.usable if r.hosts is not None else 0, 5, priority=4),
        cells.count_column(
            "free", "With idle", lambda r: r.hosts.with_idle_cores if r.hosts is not None else 0, 9, priority=4
        ),
    ]


SUBSCRIPTION_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(
        "subs.size",
        "equals_sign",
        "set_size",
        "size",
        dangerous=True,
        help="set the subscription's size: the cores the show is guaranteed in the allocation",
    ),
    ActionSpec(
        "subs.burst",
        "b",
        "set_burst",
        "burst",
        dangerous=True,
        help="set the subscription's burst: the most cores the show may hold in the allocation",
    ),
    ActionSpec("subs.refresh", "ctrl+r", "refresh", "refresh now", footer=False),
)


class SubscriptionsScreen(FarmScreen[SubscriptionRow]):
    """Every show × allocation (see the module docstring)."""

    CSS_PATH = "../styles/depends.tcss"
    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = SUBSCRIPTION_ACTIONS + TABLE_ACTIONS
    BINDINGS = bindings(SUBSCRIPTION_ACTIONS)
    TITLE_TEXT = "Subscriptions · size: cores guaranteed · burst: the most a show may hold"
    NOUN = "subscriptions"

    def columns(self) -> list[Column[SubscriptionRow]]:
        return subscription_columns()

    def key_of(self, model: SubscriptionRow) -> str:
        return model.key

    def name_of(self, model: SubscriptionRow) -> str:
        return model.name

    def sort_default(self) -> tuple[str, bool]:
        return "show", False

    def empty_reason(self) -> str:
        return "no show subscribes to an allocation"

    @cached_property
    def view(self) -> SubscriptionsView:
        """This screen's data."""
        return SubscriptionsView(self.services.client)

    async def fetch(self) -> list[SubscriptionRow]:
        return list((await self.view.poll()).rows)

    def action_refresh(self) -> None:
        self.refresh_now()

    def action_set_size(self) -> None:
        self._set("size")

    def action_set_burst(self) -> None:
        self._set("burst")

    def _set(self, what: str) -> None:
        row = self.table.cursor_model
        if row is None:
            self.notify("no subscription under the cursor", timeout=3)
            return
        self.run_worker(self._set_value(row, what), group="subs-set", exclusive=True, exit_on_error=False)

    async def _set_value(self, row: SubscriptionRow, what: str) -> None:
        app = self.app
        actions = self.services.actions
        sub = row.subscription
        current = sub.size_cores if what == "size" else sub.burst_cores
        value = round(current)  # read-only: refused before anything is sent
        if not actions.read_only:  # read-only: no dialog; FarmActions refuses and says so
            answer = await ask(app, CoresDialog(row, what, current))
            if answer is None:
                return
            value = int(answer)
            if value == current:
                app.notify(f"{what} is already {fmt.cores(current)}: nothing sent", timeout=3, markup=False)
                return
            question = (
                f"Set the {what} of show {sub.show_name} in {sub.allocation_name}"
                f" from {fmt.cores(current)} to {value} cores?"
            )
            if what == "size" and value > sub.burst_cores:
                question += f"\n(more than its burst, {fmt.cores(sub.burst_cores)}: it can never hold that many)"
            if what == "burst" and value < sub.used_cores:
                question += f"\n(it holds {fmt.cores(sub.used_cores)} now: no new frame books until it is under)"
            if await ask(app, ConfirmDialog(question, title="Subscription")) is None:
                return
        size, burst = (value, None) if what == "size" else (None, value)
        done = f"done: {safe(row.name, 120)} {what} {fmt.cores(current)} -> {value}"
        if await send_and_tell(app, lambda: actions.set_subscription(sub, size, burst), done) is not None:
            self.refresh_now()
