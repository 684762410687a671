"""`w` on the job screen: the why panel names the reasons `cuetui why` names, for the job, a layer or a
frame, and no false reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.ui.screens.job import JobScreen
from cuetui.ui.widgets.why_panel import WhyPanel
from tests.commands.test_why import CASES, base
from tests.ui.jobview_support import make_app, wait_for


def _loaded(app: Any) -> bool:
    screen = app.screen
    return isinstance(screen, JobScreen) and screen.sync is not None and screen.sync.loaded


@pytest.mark.parametrize("case", ["paused", "dependency", "subscription_burst", "limit", "next_dispatch"])
async def test_w_names_the_reason(
    case: str, make_gateway: Callable[..., DemoGatewayThread], gateway_token: str, tmp_path: Path
) -> None:
    change, expected = CASES[case]
    data = base()
    change(data)
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data))
    gw = make_gateway(scenario=str(path), profile=None, log_root=tmp_path / "logs")
    job_id = gw.run(lambda farm: farm.jobs_by_name["waiter"].id)
    app = make_app(gw, gateway_token, lambda: JobScreen(job_id, "waiter"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: _loaded(app), what="frames loaded")
        app.screen.set_focus(None)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WhyPanel), what="why panel")
        panel: WhyPanel = app.screen  # type: ignore[assignment]
        assert [r.reason for r in panel.reasons] == expected
        shown = str(panel.query_one("#why-reasons").render())
        assert panel.reasons[0].detail.split(" (waited")[0] in shown
        if case == "subscription_burst":
            assert "(1/1 cores)" in shown  # cores, not the gateway's core units (100/100)
        if panel.reasons[0].remedy:
            assert f"[{panel.reasons[0].remedy}]" in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), what="back on the job")


async def test_w_on_a_frame_that_runs_gives_the_jobs_reasons_and_on_a_waiting_frame_its_own(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str, tmp_path: Path
) -> None:
    from tests.commands.test_why import _run

    data = base()
    data["jobs"][0]["layers"][0]["tags"] = ["gpu"]  # the waiting frames have a reason; the running one none
    _run(data, "waiter", "0001-render")
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data))
    gw = make_gateway(scenario=str(path), profile=None, log_root=tmp_path / "logs")
    job_id = gw.run(lambda farm: farm.jobs_by_name["waiter"].id)
    app = make_app(gw, gateway_token, lambda: JobScreen(job_id, "waiter"))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: _loaded(app), what="frames loaded")
        screen: JobScreen = app.screen  # type: ignore[assignment]
        screen.frames_table.focus()
        await wait_for(pilot, lambda: screen.frames_table.cursor_id is not None, what="a frame under the cursor")
        frame = screen.sync.frames[screen.frames_table.cursor_id]  # type: ignore[union-attr,index]
        assert (frame.name, frame.state) == ("0001-render", "RUNNING")  # frames in dispatch order
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WhyPanel), what="why panel")
        panel: WhyPanel = app.screen  # type: ignore[assignment]
        # Nothing holds the running frame: the panel says so in its title and gives what holds the rest.
        assert panel.what == "waiter (0001-render is not waiting; the job's other frames)"
        assert [r.reason for r in panel.reasons] == ["tags"]
        await pilot.press("escape", "down")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), what="back on the job")
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, WhyPanel), what="why panel of the next frame")
        panel = app.screen  # type: ignore[assignment]
        assert panel.what == "waiter/0002-render" and [r.reason for r in panel.reasons] == ["tags"]
