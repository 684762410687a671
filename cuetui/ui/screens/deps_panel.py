"""The dependencies panel (`v` on the job screen): what the job, or the layer or frame under the cursor,
waits on (GetWhatThisDependsOn) and what waits on it (GetWhatDependsOnThis), one row each: direction,
type (JOB_ON_JOB, LAYER_ON_LAYER, FRAME_BY_FRAME, …), the other end, active or satisfied, and the frames
left on an active one's target. The rows are a FarmTable (the app's one table engine): listed by direction
as the farm answered, sorted by another column with a click on its header, the cursor on its row.

`enter` opens the other job's screen; `X` drops the dependency under the cursor (DependInterface/Satisfy);
`A`, `I`, `E` drop all of them, those inside the job, or those on other jobs (DropDepends with ANY_TARGET,
INTERNAL, EXTERNAL). Each drop confirms with the count and the names, goes through FarmActions (refused in
read-only mode, "failed" when the gateway refused), and refreshes the panel and the job's frames at once.
Farm strings are data: rendered as Text, never markup.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from cuetui.farm.actions import ActionResult
from cuetui.farm.text import safe
from cuetui.farm.views.depends import Depend, Dependencies, DependsView
from cuetui.gateway.errors import GatewayError, NotFound
from cuetui.gateway.models import Job
from cuetui.ui.catalogue import ActionSpec, bindings
from cuetui.ui.services import services_of, shell_of
from cuetui.ui.steering import ask, send_and_tell
from cuetui.ui.widgets import cells
from cuetui.ui.widgets.dialogs import ConfirmDialog, name_list
from cuetui.ui.widgets.farm_table import CellContext, Column, FarmTable

WAITS_ON = "waits on"
WAITED_BY = "waited on by"
# What `A`, `I` and `E` drop, as DropDepends' target, and how the confirmation words it.
DROP_TARGETS = {"ANY_TARGET": "all", "INTERNAL": "inside the job", "EXTERNAL": "on other jobs"}

DEPS_ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("deps.open", "enter", "open_other", "open job", help="open the other job of the dependency"),
    ActionSpec(
        "deps.drop", "X", "drop_one", "drop", dangerous=True, help="drop (satisfy) the dependency under the cursor"
    ),
    ActionSpec(
        "deps.drop_all",
        "A",
        "drop_all('ANY_TARGET')",
        "drop all",
        dangerous=True,
        help="drop every dependency it waits on (DropDepends, any target)",
    ),
    ActionSpec(
        "deps.drop_internal",
        "I",
        "drop_all('INTERNAL')",
        "drop internal",
        dangerous=True,
        help="drop the dependencies it waits on inside its job",
    ),
    ActionSpec(
        "deps.drop_external",
        "E",
        "drop_all('EXTERNAL')",
        "drop external",
        dangerous=True,
        help="drop the dependencies it waits on other jobs",
    ),
    ActionSpec("deps.refresh", "ctrl+r", "reload", "refresh", footer=False),
    ActionSpec("deps.close", "escape,v", "close", "close", palette=False),
)


def _plural(n: int) -> str:
    return f"{n} dependenc{'y' if n == 1 else 'ies'}"


def describe(depend: Depend) -> str:
    """`waiter/comp on waiter/render (LAYER_ON_LAYER)`: one dependency in a confirmation."""
    return f"{depend.er_name} on {depend.on_name} ({depend.type})"


def rows_of(deps: Dependencies) -> list[tuple[str, str, Depend]]:
    """(row key, direction, dependency): what it waits on first, then what waits on it."""
    rows = [(f"on:{d.id}", WAITS_ON, d) for d in deps.waits_on]
    rows += [(f"by:{d.id}", WAITED_BY, d) for d in deps.waited_by]
    return rows


@dataclass(frozen=True)
class DependRow:
    """One row of the panel: a dependency seen from the panel's job (layer, frame), its place in the
    listing (what it waits on first), and the frames left on its target when it waits on one."""

    key: str
    way: str
    depend: Depend
    position: int
    left: int | None

    @property
    def other(self) -> str:
        """The other end: what it waits on, or what waits on it."""
        return self.depend.on_name if self.way == WAITS_ON else self.depend.er_name


def depend_rows(deps: Dependencies) -> list[DependRow]:
    """The panel's rows in listing order (`rows_of`), with the frames left on each it waits on."""
    return [
        DependRow(key, way, d, i, deps.frames_left.get(d.id) if way == WAITS_ON else None)
        for i, (key, way, d) in enumerate(rows_of(deps))
    ]


def _state_cell(row: DependRow, ctx: CellContext) -> Text:
    # An active dependency holds frames in DEPEND: the depend state's look; a satisfied one is dimmed.
    return ctx.text("active", "depend") if row.depend.active else ctx.text("satisfied", "dim")


def depend_columns() -> list[Column[DependRow]]:
    """Direction, type, the other end, active or satisfied, frames left. Sorted by direction, the rows
    keep their listing order (what it waits on first, each side as the farm answered)."""
    return [
        Column(
            "direction",
            "Direction",
            lambda r, c: c.text(r.way),
            lambda r: r.position,
            width=12,
        ),
        Column("type", "Type", lambda r, c: c.text(safe(r.depend.type, 20)), lambda r: (r.depend.type, r.position), 14),
        Column(
            "other",
            "Other",
            lambda r, c: cells.name_cell(r.other, c),
            lambda r: (r.other, r.position),
            width=20,
            flex=True,
            cut_middle=True,
        ),
        Column("state", "State", _state_cell, lambda r: (not r.depend.active, r.position), width=9),
        Column(
            "left",
            "Left",
            lambda r, c: cells.number_cell("" if r.left is None else f"{r.left:,}", c),
            lambda r: (-1 if r.left is None else r.left, r.position),
            width=6,
            priority=1,
            reverse_first=True,
        ),
    ]


class DepsPanel(ModalScreen[None]):
    """One job's (layer's, frame's) dependencies both ways; see the module docstring."""

    CSS_PATH: ClassVar[list[str | PurePath]] = ["../styles/steer.tcss", "../styles/depends.tcss"]
    ACTIONS: ClassVar[tuple[ActionSpec, ...]] = DEPS_ACTIONS
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [*bindings(DEPS_ACTIONS)]

    def __init__(
        self,
        job: Job,
        layer: str | None = None,
        frame: str | None = None,
        *,
        on_change: Callable[[], object] | None = None,
    ) -> None:
        super().__init__(classes="steer-dialog deps-panel")
        self.job = job
        self.layer_name = layer
        self.frame_name = frame
        self.on_change = on_change
        self.deps: Dependencies | None = None
        self.rows: list[tuple[str, str, Depend]] = []
        self.loads = 0  # answers shown (tests wait on it)

    @property
    def what(self) -> str:
        """The job, `job/layer` or `job/frame` the panel is about."""
        part = self.frame_name or self.layer_name
        return f"{self.job.name}/{part}" if part else self.job.name

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog-box") as box:
            box.border_title = f"Dependencies: {safe(self.what, 80)}"
            yield Static(Text("loading…"), id="deps-summary")
            yield FarmTable(depend_columns(), lambda row: row.key, sort_column="direction", id="deps-table")
            yield Static(self._keys_text(), id="dialog-keys")

    @property
    def table(self) -> FarmTable[DependRow]:
        """The panel's table."""
        return self.query_one("#deps-table", FarmTable)

    def _keys_text(self) -> Text:
        read_only = services_of(self.app).options.read_only
        words = [
            f"{spec.key.split(',')[0]} {spec.description}"
            for spec in DEPS_ACTIONS
            if spec.footer and not (spec.dangerous and read_only)
        ]
        return Text(" · ".join(words))

    def on_mount(self) -> None:
        table = self.table
        table.empty_message = lambda: "no dependencies either way" if self.deps is not None else "loading…"
        table.focus()
        self.action_reload()

    # --- reading ------------------------------------------------------------------------------------

    def action_reload(self) -> None:
        self.run_worker(self._load(), group="deps-load", exclusive=True, exit_on_error=False)

    async def _load(self) -> None:
        view = DependsView(services_of(self.app).client, self.job, self.layer_name, self.frame_name)
        try:
            deps = await view.poll()
        except (GatewayError, LookupError) as exc:
            self.query_one("#deps-summary", Static).update(Text(f"could not read the dependencies: {safe(str(exc))}"))
            return
        if self.is_attached:
            self.show(deps)

    def show(self, deps: Dependencies) -> None:
        """Put `deps` on screen; the table keeps the cursor on the same row when it is still there."""
        self.deps = deps
        self.rows = rows_of(deps)
        self.table.set_data(depend_rows(deps), services_of(self.app).clock())
        active = len(deps.active_waits())
        blocking = sum(1 for d in deps.waited_by if d.active)
        if self.rows:
            summary = (
                f"waits on: {active} active of {len(deps.waits_on)}"
                f" · waited on by: {blocking} active of {len(deps.waited_by)}"
            )
        else:
            summary = "no dependencies either way"
        self.query_one("#deps-summary", Static).update(Text(summary))
        self.loads += 1

    def cursor_row(self) -> tuple[str, Depend] | None:
        """(direction, dependency) under the cursor."""
        row = self.table.cursor_model
        return None if row is None else (row.way, row.depend)

    # --- opening the other job ---------------------------------------------------------------------

    def on_farm_table_row_selected(self, event: FarmTable.RowSelected) -> None:
        event.stop()
        self.action_open_other()

    def action_open_other(self) -> None:
        row = self.cursor_row()
        if row is None:
            return
        way, d = row
        name = d.depend_on_job if way == WAITS_ON else d.depend_er_job
        if name == self.job.name:
            self.notify(f"{safe(name, 80)} is this job", timeout=3, markup=False)
            return
        self.run_worker(self._open(name), group="deps-open", exclusive=True, exit_on_error=False)

    async def _open(self, name: str) -> None:
        view = DependsView(services_of(self.app).client, self.job)
        try:
            other = await view.other_job(name)
        except NotFound:
            self.notify(f"no job named {safe(name, 80)}", severity="warning", markup=False)
            return
        except GatewayError as exc:
            self.notify(safe(str(exc), 300), severity="error", markup=False)
            return
        self.dismiss(None)
        shell_of(self.app).open_job(other)

    # --- dropping ------------------------------------------------------------------------------------

    def action_drop_one(self) -> None:
        row = self.cursor_row()
        if row is None:
            self.notify("no dependency under the cursor", timeout=3)
            return
        _way, d = row
        if not d.active:
            self.notify("already satisfied: nothing to drop", timeout=3)
            return
        question = f"Drop this dependency?\n{describe(d)}\nThe frames only it holds become WAITING."
        actions = services_of(self.app).actions
        self._run(lambda: actions.satisfy([d]), question, [d], self.what)

    def action_drop_all(self, target: str) -> None:
        deps = self.deps
        if deps is None:
            return
        dropping = deps.active_waits(target)
        words = DROP_TARGETS.get(target, target)
        if not dropping:
            self.notify(f"{safe(self.what, 80)} waits on no active dependency ({words})", timeout=3, markup=False)
            return
        names = name_list([describe(d) for d in dropping], limit=4, width=70)
        question = (
            f"Drop {_plural(len(dropping))} of {self.what} ({words})?\n{names}\nTheir frames become WAITING "
            "unless something else holds them."
        )
        actions = services_of(self.app).actions
        job, layer = deps.job, deps.layer
        frame = deps.frame
        self._run(lambda: actions.drop_depends(job, layer, target, frame), question, dropping, self.what)

    def _run(
        self, send: Callable[[], Awaitable[ActionResult]], question: str, dropping: Sequence[Depend], what: str
    ) -> None:
        self.run_worker(self._drop(send, question, len(dropping), what), group="deps-drop", exit_on_error=False)

    async def _drop(self, send: Callable[[], Awaitable[ActionResult]], question: str, count: int, what: str) -> None:
        app = self.app
        # Read-only: no dialog; FarmActions refuses and says so.
        confirm = ConfirmDialog(question, title="Drop dependencies")
        if not services_of(app).actions.read_only and await ask(app, confirm) is None:
            return
        done = f"done: dropped {_plural(count)} of {safe(what, 80)}"
        if await send_and_tell(app, send, done) is None:
            return
        self.action_reload()
        if self.on_change is not None:
            self.on_change()

    def action_close(self) -> None:
        self.dismiss(None)
