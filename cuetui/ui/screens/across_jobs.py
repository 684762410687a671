"""What the dead-frame triage and stuck-frame views share: frames gathered across the jobs in view
(the configured shows and users, finished jobs toggled with `f`), one row per frame keyed by frame id,
actions on the cursor row or the marked rows (`space`, `a` for all shown), `enter` / `l` for the log,
and the footer hiding farm-changing keys in read-only mode (the keys still answer, with FarmActions'
"read-only mode: … not sent"). Also the job and frame columns and the keys both screens declare
(`shared_actions`), and `fit_items` for the lines under the title (whole items, then `+N more`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, Protocol, TypeVar

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.events import Resize
from textual.widget import Widget
from textual.widgets import Static

from cuetui.farm.views.jobs import JobScope
from cuetui.gateway.models import Frame, Job
from cuetui.ui import steering
from cuetui.ui.catalogue import ActionSpec
from cuetui.ui.screens.base import FarmScreen, FilterInput
from cuetui.ui.steer_keys import SteersFarm
from cuetui.ui.widgets import cells
from cuetui.ui.widgets.farm_table import Column, FarmTable
from cuetui.ui.widgets.key_footer import KeyFooter
from cuetui.ui.widgets.status_bar import StatusBar

# Below this width the side panel goes under the table instead of beside it: beside a table that keeps
# its columns (time of death included), a panel narrower than ~50 cells wraps every log line.
NARROW = 140
R = TypeVar("R", bound="FrameRow")


class FrameRow(Protocol):
    """A row about one frame of one job."""

    @property
    def job(self) -> Job: ...

    @property
    def frame(self) -> Frame: ...


def job_column(width: int, max_width: int, want: int = 0) -> Column[Any]:
    """The job's name, taking the room the other columns leave (from `width` up to `max_width`; the
    least important columns go before it has less than `want`), cut in the middle when it must be."""
    return Column(
        "job",
        "Job",
        lambda r, c: cells.name_cell(r.job.name, c),
        lambda r: r.job.name,
        width=width,
        flex=True,
        max_width=max_width,
        want=want,
        cut_middle=True,
    )


def frame_column() -> Column[Any]:
    """The frame's name (`0042-render`), sorted by job then frame number."""
    return Column(
        "frame",
        "Frame",
        lambda r, c: cells.name_cell(r.frame.name, c),
        lambda r: (r.job.name, r.frame.number),
        width=14,
    )


def shared_actions(prefix: str) -> tuple[ActionSpec, ...]:
    """The keys every such screen has besides its steering keys, with binding ids `<prefix>.log` etc."""
    return (
        # The focused table answers `enter` itself (a row selected opens the log), which hides this
        # binding's `enter` from the footer: say both keys on the `l` entry.
        ActionSpec(f"{prefix}.log", "enter,l", "open_log", "log", help="the frame's full log", key_display="⏎/l"),
        ActionSpec(f"{prefix}.mark_all", "a", "mark_all", "mark all", footer=False),
        ActionSpec(f"{prefix}.finished", "f", "toggle_finished", "finished jobs", footer=False),
        ActionSpec(f"{prefix}.refresh", "ctrl+r", "refresh", "refresh now", footer=False),
    )


def fit_items(items: Sequence[str], width: int, *, prefix: str = "", sep: str = " · ") -> str:
    """`prefix` and as many `items` as fit in `width` cells on one line, then `+N more`: an item is
    never cut or wrapped in the middle. The first item is shortened with `…` if even it alone does not
    fit."""
    if not items:
        return ""
    line = prefix
    for index, item in enumerate(items):
        rest = len(items) - index - 1
        more = f"{sep}+{rest} more" if rest else ""
        joined = item if index == 0 else sep + item
        if cell_len(line + joined + more) <= width:
            line += joined
            continue
        if index == 0:
            room = max(1, width - cell_len(line + more) - 1)
            return line + _cut(item, room) + "…" + more
        return line + f"{sep}+{len(items) - index} more"
    return line


def _cut(text: str, cells_wanted: int) -> str:
    out = ""
    for ch in text:
        if cell_len(out + ch) > cells_wanted:
            break
        out += ch
    return out


class AcrossJobsScreen(SteersFarm, FarmScreen[R], Generic[R]):
    """A FarmScreen of frame rows across the jobs in view (see the module docstring)."""

    NOUN = "frames"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.include_finished = False

    # --- for subclasses ---------------------------------------------------------------------------

    def side_panel(self) -> Widget | None:
        """A widget beside (or, when narrow, under) the table."""
        return None

    def summary(self) -> str:
        """A warning line under the title (plain text), "" for none."""
        return ""

    def detail(self) -> str:
        """A plain line under the summary (counts and the like), "" for none."""
        return ""

    # --- composition ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        app = self.services
        yield Static(self.heading(), id="title", markup=False)
        for line_id in ("summary", "detail"):
            line = Static("", id=line_id, markup=False)
            line.display = False
            yield line
        filter_input = FilterInput(placeholder="filter: type to narrow, enter to keep, escape to clear", id="filter")
        filter_input.display = False
        yield filter_input
        sort_column, reverse = self.sort_default()
        with Horizontal(id="body"):
            yield FarmTable(self.columns(), self.key_of, sort_column=sort_column, sort_reverse=reverse, id="table")
            panel = self.side_panel()
            if panel is not None:
                yield panel
        yield StatusBar(
            app.options.farm_name,
            app.options.url,
            read_only=app.options.read_only,
            tls_unverified=app.options.tls_unverified,
            clock=app.clock,
        )
        yield KeyFooter()

    def on_resize(self, event: Resize) -> None:
        self.set_class(event.size.width < NARROW, "-narrow")

    def key_of(self, model: R) -> str:
        return model.frame.id

    def name_of(self, model: R) -> str:
        return f"{model.job.name}.{model.frame.name}"

    def search(self) -> JobScope:
        """The jobs in view: the configured shows and users, finished jobs when toggled."""
        options = self.services.options
        return JobScope(shows=tuple(options.shows), users=tuple(options.users), include_finished=self.include_finished)

    def jobs_words(self) -> str:
        """Which jobs are looked at, in words: `the active jobs of show testing, user jdoe`."""
        search = self.search()
        words = ["the jobs" if search.include_finished else "the active jobs"]
        words.append("of show " + ", ".join(search.shows) if search.shows else "of all shows")
        if search.users:
            words.append("of user " + ", ".join(search.users))
        return " ".join(words)

    def finished_hint(self) -> str:
        """` (f: finished jobs too)` while finished jobs are left out."""
        return "" if self.include_finished else " (f: finished jobs too)"

    def scope(self) -> str:
        """Which jobs, for the title."""
        search = self.search()
        parts = ["show " + ", ".join(search.shows) if search.shows else "all shows"]
        if search.users:
            parts.append("user " + ", ".join(search.users))
        parts.append("finished included" if search.include_finished else "active jobs")
        return " · ".join(parts)

    async def jobs_seen(self, jobs: Sequence[Job]) -> None:
        """The jobs in view, as a poll of this screen's view found them: they feed the palette and the
        new-dead / finished notifications."""
        app = self.cue_app
        app.remember_jobs(jobs)
        await steering.watch_jobs(self.app, jobs, source=f"{type(self).__name__}:{self.include_finished}")

    def _retitle(self) -> None:
        self.query_one("#title", Static).update(self.heading())
        for line_id, text in (("summary", self.summary()), ("detail", self.detail())):
            line = self.query_one(f"#{line_id}", Static)
            line.update(text)
            line.display = bool(text)

    def data_arrived(self, models: Sequence[R]) -> None:
        self._retitle()

    # --- selection and actions --------------------------------------------------------------------

    def steer_frames(self) -> list[tuple[Job, Frame]]:
        """(job, frame) of the marked rows still shown, or of the cursor row."""
        return [(row.job, row.frame) for row in self.selected()]

    def steer_jobs(self) -> list[Job]:
        """The jobs of the selected frames (for `R`), each once."""
        jobs: dict[str, Job] = {}
        for row in self.selected():
            jobs.setdefault(row.job.id, row.job)
        return list(jobs.values())

    def action_mark_all(self) -> None:
        self.table.mark_all()

    def action_refresh(self) -> None:
        self.refresh_now()

    def action_toggle_finished(self) -> None:
        self.include_finished = not self.include_finished
        self._retitle()
        self.notify("finished jobs included" if self.include_finished else "active jobs only", timeout=3)
        self.refresh_now()

    def action_open_log(self) -> None:
        row = self.table.cursor_model
        if row is not None:
            self.cue_app.open_frame_log(row.job, row.frame, "")

    def on_farm_table_row_selected(self, event: FarmTable.RowSelected) -> None:
        event.stop()
        self.action_open_log()

    def extra_counts(self) -> dict[str, Any]:
        return {"rows": self.table.total_count}
