"""The remedies from the keyboard, against the demo farm: `:retry/:eat/:kill/:reorder/:stagger RANGE` and
`W` on the job screen, `x` / `b` on a host's procs, `B`, `:reboot`, `A`, `T`, `H`, `C` on the hosts
screen; each checked on the farm's state afterwards, and every request parses strictly."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from cuetui.demo.farm import WAITING
from cuetui.demo.server import DemoGatewayThread
from cuetui.gateway.requests import JobSearch
from cuetui.ui.screens.host_procs import HostProcsScreen
from cuetui.ui.screens.hosts import HostsScreen
from cuetui.ui.screens.job import JobScreen
from cuetui.ui.widgets.dialogs import ConfirmDialog, KillReasonDialog
from cuetui.ui.widgets.remedy_dialogs import ChoiceDialog, CommentsDialog, LineDialog
from tests.demo.helpers import add_allocation
from tests.ui.steer_support import (
    gateway_for,
    make_app,
    strict_requests,  # noqa: F401 - autouse: every request parses strictly
    table_loaded,
    toasts,
    wait_farm,
    wait_for,
    wait_loaded,
)

DEAD_JOB = "testing-sh180-rpatel_layout_v015"  # seed 7: 5 dead, 17 running, frames 101-142
LOOKDEV = "testing-sh550-jdoe_lookdev_v005"  # seed 7: 10 waiting


@pytest.fixture
def gw(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return gateway_for(make_gateway, profile="small", seed=7, speed=0.0)


def sent(gw: DemoGatewayThread, method: str) -> list[dict[str, Any]]:
    return [json.loads(b or b"{}") for _m, p, _h, b, _s in gw.recorded if p.endswith("/" + method)]


async def open_job(pilot: Any, name: str) -> JobScreen:
    app = pilot.app
    await wait_loaded(pilot)
    job = next(j for j in await app.services.client.get_jobs(JobSearch()) if j.name == name)
    app.open_job(job)
    await wait_for(pilot, lambda: isinstance(app.screen, JobScreen))
    screen = app.screen
    assert isinstance(screen, JobScreen)
    await wait_for(pilot, lambda: screen.sync is not None and screen.sync.loaded and screen.frames_table.rows)
    return screen


async def command(pilot: Any, line: str) -> None:
    await pilot.press("colon")
    await wait_for(pilot, lambda: pilot.app.screen.id == "command-line")
    await pilot.press(*line, "enter")


def frames_by_state(gw: DemoGatewayThread, job: str) -> dict[str, list[int]]:
    def read(farm: Any) -> dict[str, list[int]]:
        j = farm.find_job(job).job
        out: dict[str, list[int]] = {}
        for i in range(j.total):
            out.setdefault(farm.find_job(job).frame_state(j.frame_name(i)), []).append(j.f_number[i])
        return out

    return gw.run(read)


async def test_retry_range_says_how_many_already_succeeded(gw: DemoGatewayThread) -> None:
    by_state = frames_by_state(gw, DEAD_JOB)
    succeeded = sorted(set(by_state["SUCCEEDED"]))[:3]
    dead = sorted(set(by_state["DEAD"]) - set(succeeded))[:1]
    spec = ",".join(map(str, succeeded + dead))
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot, DEAD_JOB)
        frames = [f for f in screen.sync.frames.values() if f.number in succeeded + dead]  # type: ignore[union-attr]
        done = sum(1 for f in frames if f.state == "SUCCEEDED")
        await command(pilot, f"retry {spec}")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        question = app.screen.question  # type: ignore[attr-defined]
        assert f"{done} of these {len(frames)} frames already succeeded" in question
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: sent(gw, "RetryFrames") != [])
        assert sent(gw, "RetryFrames")[0]["req"] == {"frameRange": spec}
        after = frames_by_state(gw, DEAD_JOB)
        assert set(dead) <= set(after["WAITING"])


async def test_eat_kill_reorder_stagger_ranges(gw: DemoGatewayThread) -> None:
    by_state = frames_by_state(gw, DEAD_JOB)
    dead = sorted(set(by_state["DEAD"]))[0]
    running = sorted(set(by_state["RUNNING"]))[0]
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_job(pilot, DEAD_JOB)
        await command(pilot, f"eat {dead}")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: sent(gw, "EatFrames") != [])
        assert dead in frames_by_state(gw, DEAD_JOB)["EATEN"]
        await command(pilot, f"kill {running}")
        await wait_for(pilot, lambda: isinstance(app.screen, KillReasonDialog))
        await pilot.press("enter")
        await wait_farm(pilot, gw, lambda farm: sent(gw, "KillFrames") != [])
        assert sent(gw, "KillFrames")[0]["req"]["states"] == {"frameStates": ["RUNNING"]}
        await command(pilot, "reorder 1-10 last")  # nothing of this job is in 1-10: refused, nothing sent
        await wait_for(pilot, lambda: any("nothing sent" in t for t in toasts(app)))
        assert sent(gw, "ReorderFrames") == []
        await command(pilot, "stagger 1-5x")  # bad range: the command line refuses it
        await wait_for(pilot, lambda: any("usage: :stagger" in t for t in toasts(app)))
    app = make_app(gw)
    waiting = sorted(frames_by_state(gw, LOOKDEV)["WAITING"])
    async with app.run_test(size=(160, 48)) as pilot:
        await open_job(pilot, LOOKDEV)
        await command(pilot, f"reorder {waiting[0]} last")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: sent(gw, "ReorderFrames") != [])

        def last_waiting(farm: Any) -> int:
            job = farm.find_job(LOOKDEV).job
            return [job.f_number[i] for i in job.order() if job.f_state[i] == WAITING][-1]

        assert gw.run(last_waiting) == waiting[0]
        spec = ",".join(map(str, waiting[:4]))
        await command(pilot, f"stagger {spec} 2")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: sent(gw, "StaggerFrames") != [])
        assert sent(gw, "StaggerFrames")[0] == {
            "job": {"id": sent(gw, "ReorderFrames")[0]["job"]["id"]},
            "range": spec,
            "stagger": 2,
        }


async def test_W_marks_the_cursor_frame_waiting(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot, DEAD_JOB)
        await pilot.press("d")
        await wait_for(pilot, lambda: screen.frames_table.cursor_id is not None)
        frame = screen.selected_frames()[0]
        await pilot.press("W")  # one frame: no question
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).frame_state(frame.name) == "WAITING")
        assert sent(gw, "MarkAsWaiting")[0]["req"] == {"ids": [frame.id]}


async def open_hosts(pilot: Any) -> HostsScreen:
    app = pilot.app
    await wait_loaded(pilot)
    await pilot.press("3")
    await wait_for(pilot, lambda: isinstance(app.screen, HostsScreen) and table_loaded(app.screen))
    screen = app.screen
    assert isinstance(screen, HostsScreen)
    return screen


async def cursor_to(pilot: Any, screen: Any, name: str) -> None:
    key = next(k for k in screen.table.shown_keys() if screen.table.model(k).name == name)
    screen.table.move_to_key(key)
    await pilot.pause()


def busy_host(gw: DemoGatewayThread, procs: int = 1) -> str:
    return gw.run(lambda farm: next(h.name for h in farm.hosts if len(h.procs) >= procs))  # type: ignore[no-any-return]


async def test_procs_x_kills_and_b_unbooks(gw: DemoGatewayThread) -> None:
    host = busy_host(gw, 2)
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_hosts(pilot)
        await cursor_to(pilot, screen, host)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, HostProcsScreen) and table_loaded(app.screen))
        procs_screen = app.screen
        assert isinstance(procs_screen, HostProcsScreen)
        count = gw.run(lambda farm: len(farm.find_host(host).procs))
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("1")  # let the frame finish
        await wait_farm(pilot, gw, lambda farm: any(p.unbooked for p in farm.find_host(host).procs.values()))
        assert gw.run(lambda farm: len(farm.find_host(host).procs)) == count
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("2")  # kill it
        await wait_farm(pilot, gw, lambda farm: len(farm.find_host(host).procs) == count - 1)
        assert sent(gw, "Unbook")[-1]["kill"] is True
        await wait_for(pilot, lambda: len(procs_screen.table.models()) == count - 1, what="the row to go")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: len(farm.find_host(host).procs) == count - 2)
        assert len(sent(gw, "Kill")) == 1


async def test_hosts_B_reboot_A_T_H_C(gw: DemoGatewayThread) -> None:
    busy = busy_host(gw)
    add_allocation(gw, "local.desktop", "desktop")
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_hosts(pilot)
        await cursor_to(pilot, screen, busy)
        await pilot.press("B")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_host(busy).state == "REBOOT_WHEN_IDLE")
        await cursor_to(pilot, screen, "render008")
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        names = [value for value, _ in app.screen.choices]  # type: ignore[attr-defined]
        await pilot.press(str(names.index("local.desktop") + 1))
        await wait_farm(pilot, gw, lambda farm: farm.find_host("render008").alloc_name == "local.desktop")
        await wait_for(pilot, lambda: screen.table.cursor_model.alloc_name == "local.desktop")  # type: ignore[union-attr]
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, LineDialog))
        await pilot.press(*"+gpu -general", "enter")
        await wait_farm(pilot, gw, lambda farm: "gpu" in farm.find_host("render008").tags)
        assert "general" not in gw.run(lambda farm: farm.find_host("render008").tags)
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, LineDialog))
        await pilot.press("ctrl+a", "ctrl+k", "-", "enter")  # an empty tag: refused in the dialog
        await wait_for(pilot, lambda: "empty tag" in app.screen.error_text)  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.press("H")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("2")
        await wait_farm(pilot, gw, lambda farm: farm.find_host("render008").state == "REPAIR")
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, CommentsDialog))
        await pilot.press("shift+tab")
        await pilot.press(*"bad ram", "tab", *"swap the DIMM", "enter")
        await wait_farm(pilot, gw, lambda farm: len(farm.find_host("render008").comments) == 1)
        comment = gw.run(lambda farm: farm.find_host("render008").comments[0])
        assert (comment.subject, comment.message) == ("bad ram", "swap the DIMM") and comment.user
        await cursor_to(pilot, screen, "render003")
        await command(pilot, "reboot")
        await wait_for(pilot, lambda: isinstance(app.screen, LineDialog))
        await pilot.press(*"render00", "enter")  # not the name: refused, still open
        await wait_for(pilot, lambda: "type render003" in app.screen.error_text)  # type: ignore[attr-defined]
        await pilot.press("3", "enter")
        await wait_farm(pilot, gw, lambda farm: farm.find_host("render003").state in ("REBOOTING", "DOWN"))


async def test_read_only_refuses_the_remedies(gw: DemoGatewayThread) -> None:
    app = make_app(gw, read_only=True)
    before = len(gw.recorded)
    async with app.run_test(size=(160, 48)) as pilot:
        await open_hosts(pilot)
        await pilot.press("B", "H", "T")
        await wait_for(pilot, lambda: sum("read-only mode" in t for t in toasts(app)) == 3)
    changing = [p for _m, p, _h, _b, _s in gw.recorded[before:] if not p.rsplit("/", 1)[-1].startswith(("Get", "Find"))]
    assert changing == []


async def test_job_screen_x_and_b_act_on_the_running_frames_procs(gw: DemoGatewayThread) -> None:
    app = make_app(gw)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_job(pilot, DEAD_JOB)
        running = [f for f in screen.sync.frames.values() if f.state == "RUNNING"]  # type: ignore[union-attr]
        screen.frames_table.move_to(running[0].id)
        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        await pilot.press("2")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).frame_state(running[0].name) == "WAITING")
        assert sent(gw, "Unbook")[0]["kill"] is True
        screen.frames_table.move_to(running[1].id)
        await pilot.pause()
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(DEAD_JOB).frame_state(running[1].name) == "WAITING")
        assert len(sent(gw, "Kill")) == 1
