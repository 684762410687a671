"""`v` on the job screen: the dependencies panel lists what the job (layer, frame) waits on and what
waits on it; `enter` opens the other job, `X` drops one (DependInterface/Satisfy), `I`/`E`/`A` drop all
of one kind (DropDepends); each drop confirms, and the farm's dependency is satisfied afterwards. In
read-only mode nothing is sent. Every request the session sent parses strictly with opencue-proto."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.ui.screens.deps_panel import WAITED_BY, WAITS_ON, DepsPanel
from cuetui.ui.screens.job import JobScreen
from cuetui.ui.widgets.dialogs import ConfirmDialog
from tests.commands.test_why import comp_on_render, gateway_for, job_on_job, with_comp
from tests.ui.steer_support import check_requests, make_app, toasts, wait_farm, wait_for


def scenario() -> dict[str, Any]:
    """`waiter` (render, comp) waits on `blocker` (JOB_ON_JOB) and comp on render inside it
    (LAYER_ON_LAYER); `after` waits on `waiter` (JOB_ON_JOB)."""
    data = with_comp(2, after=True)
    data["depends"] = [job_on_job("waiter", "blocker"), comp_on_render(), job_on_job("after", "waiter")]
    return data


@pytest.fixture
def gw(make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path) -> DemoGatewayThread:
    return gateway_for(make_gateway, tmp_path, scenario(), speed=0.0, record=True)


async def open_job(pilot: Any, name: str) -> JobScreen:
    app = pilot.app
    await pilot.press("colon", *f"job {name}", "enter")
    await wait_for(
        pilot,
        lambda: isinstance(app.screen, JobScreen) and app.screen.job_name == name and app.screen.sync.loaded,  # type: ignore[union-attr]
        what=f"job {name} loaded",
    )
    return app.screen  # type: ignore[no-any-return]


async def open_panel(pilot: Any, loads: int = 1) -> DepsPanel:
    app = pilot.app
    await pilot.press("v")
    await wait_for(pilot, lambda: isinstance(app.screen, DepsPanel) and app.screen.loads >= loads, what="deps panel")
    return app.screen  # type: ignore[no-any-return]


async def confirmation(pilot: Any) -> str:
    """Wait for the confirmation a key opened (left open for `y` or escape); its question."""
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConfirmDialog), what="confirmation")
    return str(pilot.app.screen.question)


@asynccontextmanager
async def on_waiter(gw: DemoGatewayThread, **options: Any) -> AsyncIterator[tuple[Any, JobScreen]]:
    """The app on `gw` (`options`: make_app's), 160×48, on `waiter`'s job screen: the pilot and the screen."""
    app = make_app(gw, **options)
    async with app.run_test(size=(160, 48)) as pilot:
        yield pilot, await open_job(pilot, "waiter")


async def confirm_drop(pilot: Any, gw: DemoGatewayThread, index: int) -> str:
    """`y` on the confirmation a drop key opened, then wait for the farm's dependency `index` to be
    satisfied; the confirmation's question."""
    question = await confirmation(pilot)
    await pilot.press("y")
    await wait_farm(pilot, gw, lambda farm: not farm.resources.depends[index].active)
    return question


def rows(panel: DepsPanel) -> list[tuple[str, str, str, bool]]:
    return [(way, d.type, d.on_name if way == WAITS_ON else d.er_name, d.active) for _k, way, d in panel.rows]


def cells(panel: DepsPanel, row: int) -> list[str]:
    """The plain text of the cells of the `row`-th row shown (not the mark column)."""
    table = panel.table
    return [c.plain for c in table.get_row(table.shown_keys()[row])[1:]]


async def test_rows_enter_opens_the_other_job_and_x_drops_one(gw: DemoGatewayThread) -> None:
    async with on_waiter(gw) as (pilot, job_screen):
        app = pilot.app
        job_screen.set_focus(None)  # the whole job, not the frame under the cursor
        panel = await open_panel(pilot)
        assert rows(panel) == [
            (WAITS_ON, "JOB_ON_JOB", "blocker", True),
            (WAITS_ON, "LAYER_ON_LAYER", "waiter/render", True),
            (WAITED_BY, "LAYER_ON_LAYER", "waiter/comp", True),
            (WAITED_BY, "JOB_ON_JOB", "after", True),
        ]
        assert cells(panel, 0) == [WAITS_ON, "JOB_ON_JOB", "blocker", "active", "2"]
        assert "waits on: 2 active of 2 · waited on by: 2 active of 2" in str(panel.query_one("#deps-summary").render())

        # enter on "blocker": its own job screen.
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: isinstance(app.screen, JobScreen) and app.screen.job_name == "blocker",
            what="blocker's screen",
        )
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is job_screen, what="back on waiter")

        # X on JOB_ON_JOB: confirmed, satisfied in the farm, frames WAITING at once, the row says so.
        panel = await open_panel(pilot)
        polls_before = job_screen.polls
        await pilot.press("X")
        assert "waiter on blocker (JOB_ON_JOB)" in await confirm_drop(pilot, gw, 0)
        assert gw.run(lambda farm: farm.find_job("waiter").frame_state("0001-render")) == "WAITING"
        await wait_for(pilot, lambda: panel.loads >= 2 and not panel.rows[0][2].active, what="row satisfied")
        assert cells(panel, 0)[3] == "satisfied"
        assert any(t.startswith("done: dropped 1 dependency of waiter") for t in toasts(app))
        # The job's frames are asked for again at once (a frozen farm's clock does not move, so
        # GetUpdatedFrames has nothing newer to say: count the polls).
        await wait_for(pilot, lambda: job_screen.polls > polls_before, what="the job's frames refreshed")
        # X on a satisfied one sends nothing.
        await pilot.press("X")
        assert "already satisfied: nothing to drop" in toasts(app)
        await pilot.press("v")
        await wait_for(pilot, lambda: app.screen is job_screen, what="v closes the panel")
    assert check_requests(gw) > 0


async def test_a_click_on_a_header_sorts_and_x_drops_the_row_under_the_cursor(gw: DemoGatewayThread) -> None:
    async with on_waiter(gw) as (pilot, job_screen):
        job_screen.set_focus(None)
        panel = await open_panel(pilot)
        table = panel.table
        assert table.columns["direction"].label.plain == "Direction ▲"  # the listing order, marked
        await pilot.press("down")  # waits on waiter/render (LAYER_ON_LAYER)
        render = table.cursor_key
        assert render is not None and render.startswith("on:")
        await pilot.click("#deps-table", offset=(35, 0))  # the Other header
        await wait_for(pilot, lambda: table.sort_column == "other", what="sorted by the other end")
        assert table.columns["other"].label.plain == "Other ▲"
        assert [cells(panel, i)[2] for i in range(4)] == ["after", "blocker", "waiter/comp", "waiter/render"]
        assert table.cursor_key == render and table.cursor_row == 3  # the cursor followed its row
        # X drops the row under the cursor in the order shown, not the one at its index in the listing.
        await pilot.press("X")
        assert "waiter/comp on waiter/render (LAYER_ON_LAYER)" in await confirm_drop(pilot, gw, 1)
        assert gw.run(lambda farm: farm.resources.depends[0].active)
        await wait_for(pilot, lambda: panel.loads >= 2, what="panel reloaded")
        assert table.sort_column == "other" and table.cursor_key == render
        assert cells(panel, 3)[3] == "satisfied"


async def test_drop_internal_external_and_all(gw: DemoGatewayThread) -> None:
    async with on_waiter(gw) as (pilot, job_screen):
        app = pilot.app
        job_screen.set_focus(None)
        panel = await open_panel(pilot)
        # E drops the one on another job only; the confirmation counts and names it.
        await pilot.press("E")
        assert "Drop 1 dependency of waiter (on other jobs)?" in await confirm_drop(pilot, gw, 0)
        assert gw.run(lambda farm: farm.resources.depends[1].active)
        await wait_for(pilot, lambda: panel.loads >= 2, what="panel reloaded")
        # escape on the confirmation: nothing sent.
        await pilot.press("I")
        await confirmation(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is panel, what="back on the panel")
        assert gw.run(lambda farm: farm.resources.depends[1].active)
        # I drops the one inside the job.
        await pilot.press("I")
        assert "waiter/comp on waiter/render (LAYER_ON_LAYER)" in await confirm_drop(pilot, gw, 1)
        assert gw.run(lambda farm: farm.find_job("waiter").frame_state("0001-comp")) == "WAITING"
        # A: nothing left that waiting here: said, nothing sent.
        await wait_for(pilot, lambda: panel.loads >= 3, what="panel reloaded")
        await pilot.press("A")
        assert any("waits on no active dependency (all)" in t for t in toasts(app))
        # `after` waits on waiter: A on after's panel drops it.
        await pilot.press("escape")
        after = await open_job(pilot, "after")
        after.set_focus(None)
        await open_panel(pilot)
        await pilot.press("A")
        assert "Drop 1 dependency of after (all)?" in await confirm_drop(pilot, gw, 2)
    paths = [path for _m, path, _h, _b, _s in gw.recorded]
    assert paths.count("/job.JobInterface/DropDepends") == 3
    assert check_requests(gw) > 0


async def test_a_layers_panel(gw: DemoGatewayThread) -> None:
    async with on_waiter(gw) as (pilot, job_screen):
        app = pilot.app
        job_screen.layers_table.focus()
        await wait_for(pilot, lambda: job_screen.layers_table.row_count >= 2, what="layers")
        comp = next(la for la in job_screen.job_layers if la.name == "comp")
        job_screen.layers_table.move_to_key(comp.id)
        await wait_for(pilot, lambda: job_screen.layers_table.cursor_key == comp.id, what="cursor on comp")
        panel = await open_panel(pilot)
        assert panel.what == "waiter/comp"
        assert rows(panel) == [(WAITS_ON, "LAYER_ON_LAYER", "waiter/render", True)]
        await pilot.press("enter")  # the other end is this very job
        assert "waiter is this job" in toasts(app)


async def test_read_only_refuses_and_sends_nothing(gw: DemoGatewayThread) -> None:
    async with on_waiter(gw, read_only=True) as (pilot, job_screen):
        app = pilot.app
        job_screen.set_focus(None)
        panel = await open_panel(pilot)
        assert "drop" not in str(panel.query_one("#dialog-keys").render())  # the keys line hides them
        for key in ("X", "A"):
            await pilot.press(key)
        await wait_for(pilot, lambda: len([t for t in toasts(app) if "read-only mode" in t]) >= 2, what="refusals")
        assert isinstance(app.screen, DepsPanel)  # no dialog opened
    assert gw.run(lambda farm: all(d.active for d in farm.resources.depends))
    paths = [path for _m, path, _h, _b, _s in gw.recorded]
    assert not [p for p in paths if p.endswith(("/Satisfy", "/DropDepends"))]


async def test_a_drop_the_gateway_refuses_says_failed(gw: DemoGatewayThread) -> None:
    async with on_waiter(gw) as (pilot, job_screen):
        app = pilot.app
        job_screen.set_focus(None)
        await open_panel(pilot)
        gw.run(lambda farm: farm.resources.depends.pop(0))  # gone from the farm since the panel read it
        await pilot.press("X")
        await confirmation(pilot)
        await pilot.press("y")
        await wait_for(pilot, lambda: any(t.startswith("failed: ") for t in toasts(app)), what="failed")
        assert not any(t.startswith("done: ") for t in toasts(app))


async def test_a_frames_panel(gw: DemoGatewayThread) -> None:
    async with on_waiter(gw) as (pilot, job_screen):
        sync = job_screen.sync
        assert sync is not None
        comp = next(i for i, f in sync.frames.items() if f.name == "0002-comp")
        job_screen.frames_table.focus()
        job_screen.frames_table.move_to(comp)
        await wait_for(pilot, lambda: job_screen.frames_table.cursor_id == comp, what="cursor on 0002-comp")
        panel = await open_panel(pilot)
        assert panel.what == "waiter/0002-comp"
        # The frame is held by the job's dependency on blocker and by its layer's on render.
        assert rows(panel) == [
            (WAITS_ON, "JOB_ON_JOB", "blocker", True),
            (WAITS_ON, "LAYER_ON_LAYER", "waiter/render", True),
            (WAITED_BY, "JOB_ON_JOB", "after", True),
        ]
