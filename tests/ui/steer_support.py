"""Helpers for the steering tests: the app on a demo gateway with a fixed clock, waiting on conditions
with a deadline (never a fixed sleep), and reading the simulated farm's state."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.gateway.auth import GatewayAuth
from cuetui.gateway.client import GatewayClient
from cuetui.ui.app import CueTuiApp
from cuetui.ui.options import UiOptions
from tests import waiting
from tests.conftest import DEMO_SECRET

EPOCH = 1_767_225_600.0  # 2026-01-01 00:00 UTC: the frozen farms start here
ACTION_PATHS = (
    "/job.JobInterface/Pause",
    "/job.JobInterface/Resume",
    "/job.JobInterface/Kill",
    "/job.JobInterface/SetPriority",
    "/job.JobInterface/RetryFrames",
    "/job.JobInterface/EatFrames",
    "/job.JobInterface/KillFrames",
    "/job.JobInterface/MarkAsWaiting",
    "/job.FrameInterface/Retry",
    "/job.FrameInterface/Eat",
    "/job.FrameInterface/Kill",
    "/host.HostInterface/Lock",
    "/host.HostInterface/Unlock",
)


def make_app(gw: DemoGatewayThread, *, clock: Callable[[], float] | None = None, **options: Any) -> CueTuiApp:
    """The app on `gw` as user "tester" (UiOptions fields as keywords)."""
    client = GatewayClient(gw.url, GatewayAuth(secret=DEMO_SECRET, sub="tester"))
    options.setdefault("farm_name", "demo")
    options.setdefault("user", "tester")
    options.setdefault("url", "http://demo-gateway:8448")
    app = CueTuiApp(client, UiOptions(**options), clock=clock or time.time)
    # Every notification, kept after its toast expires (a loaded test machine may look too late).
    shown: list[str] = []
    notify = app.notify

    def recording_notify(message: str, *args: Any, **kwargs: Any) -> None:
        shown.append(str(message))
        notify(message, *args, **kwargs)

    app.notify = recording_notify  # type: ignore[method-assign]
    app.shown_notifications = shown  # type: ignore[attr-defined]
    return app


wait_for = waiting.wait_for_app  # the shared helper (tests/waiting.py)


async def wait_farm(
    pilot: Any, gw: DemoGatewayThread, check: Callable[[Any], object], timeout: float = 15.0, what: str = ""
) -> None:
    """Until `check(farm)` (run on the gateway's thread) is true."""
    await wait_for(pilot, lambda: gw.run(check), timeout, what or "the farm's state")


def table_loaded(screen: Any) -> bool:
    """True once `screen` is mounted and its table has had its first data."""
    from textual.css.query import NoMatches

    try:
        return bool(screen.is_mounted and screen.table.loaded)
    except (NoMatches, AttributeError):
        return False


async def wait_loaded(pilot: Any) -> None:
    """Until the current screen's table has its first data."""
    app = pilot.app
    await wait_for(pilot, lambda: table_loaded(app.screen), what="first data")
    await pilot.pause()


def actions_sent(gw: DemoGatewayThread) -> list[tuple[str, bytes]]:
    """(path, body) of every farm-changing request the gateway received."""
    return [(path, body) for _m, path, _h, body, _s in gw.recorded if path in ACTION_PATHS]


def toasts(app: CueTuiApp) -> list[str]:
    """The text of every notification the app has shown (made by make_app)."""
    return list(app.shown_notifications)  # type: ignore[attr-defined]


# --- a farm with dead frames on a bad host and frames whose logs went quiet -------------------------

BAD_HOST = "render07"


def _rqd_log(job: str, frame: str, host: str, body: list[str], exit_status: int | None) -> str:
    bar = "=" * 59
    lines = [
        bar,
        "RenderQ JobSpec Thu Jan  1 00:00:00 2026",
        "",
        f"command          render {frame}",
        f"renderHost       {host}",
        bar,
    ]
    lines += body
    if exit_status is not None:
        lines += [
            "",
            bar,
            "RenderQ Job Complete",
            "",
            f"exitStatus          {exit_status}",
            "exitSignal          0",
            bar,
        ]
    return "\n".join(lines) + "\n"


def _frames(layer: str, rows: list[tuple[int, str, int, int, int, str]]) -> list[dict[str, Any]]:
    out = []
    for number, state, start, stop, exit_status, host in rows:
        frame: dict[str, Any] = {"layerName": layer, "number": number, "state": state}
        if start:
            frame.update(startTime=int(EPOCH + start), lastResource=f"{host}/4.00/0" if host else "")
        if stop:
            frame["stopTime"] = int(EPOCH + stop)
        if state == "DEAD":
            frame.update(exitStatus=exit_status, retryCount=3)
        elif state == "SUCCEEDED":
            frame["exitStatus"] = 0
        out.append(frame)
    return out


def triage_scenario() -> dict[str, Any]:
    """Three jobs of show `testing`: six dead frames on render07 (a host problem), a few on other
    hosts, and four running frames whose logs went quiet (no procs, so `lluTime` is their start)."""
    errors = {
        1: "ERROR: [kick] failed to open texture '/shots/assets/tex/ground.1042.tx': No such file",
        137: "ERROR: process killed by the OOM killer (memory limit exceeded)",
        139: "ERROR: Segmentation fault (core dumped) in libai.so",
    }
    jobs_spec = [
        (
            "testing-sh010-jdoe_lighting_v003",
            "jdoe",
            [("render", ["arnold"]), ("comp", ["nuke"])],
            _frames(
                "render",
                [(n, "SUCCEEDED", -9000 + 600 * n, -8400 + 600 * n, 0, "render01") for n in range(1, 11)]
                + [
                    (11, "RUNNING", -5400, 0, 0, "render03"),
                    (12, "RUNNING", -1500, 0, 0, "render04"),
                    (13, "DEAD", -3600, -3000, 1, BAD_HOST),
                    (14, "DEAD", -3000, -2400, 1, BAD_HOST),
                    (15, "DEAD", -2400, -1800, 137, BAD_HOST),
                    (16, "DEAD", -1500, -600, 137, "render02"),
                ]
                + [(n, "WAITING", 0, 0, 0, "") for n in range(17, 21)],
            )
            + _frames("comp", [(n, "DEPEND", 0, 0, 0, "") for n in range(1, 6)]),
        ),
        (
            "testing-sh020-asmith_fx_v012",
            "asmith",
            [("sim", ["houdini"])],
            _frames(
                "sim",
                [(n, "SUCCEEDED", -12000 + 1300 * n, -10800 + 1300 * n, 0, "render05") for n in range(1, 5)]
                + [
                    (5, "DEAD", -4000, -1200, 139, BAD_HOST),
                    (6, "DEAD", -2000, -300, 1, BAD_HOST),
                    (7, "RUNNING", -4000, 0, 0, "render05"),
                ]
                + [(n, "WAITING", 0, 0, 0, "") for n in range(8, 11)],
            ),
        ),
        (
            "testing-sh030-mchen_comp_v001",
            "mchen",
            [("comp", ["nuke"])],
            _frames(
                "comp",
                [(n, "SUCCEEDED", -3000 + 150 * n, -2880 + 150 * n, 0, "render06") for n in range(1, 6)]
                + [
                    (6, "DEAD", -1200, -900, 137, BAD_HOST),
                    (7, "DEAD", -800, -60, 1, "render01"),
                    (8, "RUNNING", -900, 0, 0, "render06"),
                ],
            ),
        ),
    ]
    jobs = []
    for index, (name, user, layers, frames) in enumerate(jobs_spec):
        logs = {}
        for f in frames:
            frame_name = f"{f['number']:04d}-{f['layerName']}"
            host = f.get("lastResource", "").split("/")[0]
            if f["state"] == "DEAD":
                body = [f"[render] frame {f['number']} {pct}% done" for pct in (10, 40, 70)]
                body.append(errors.get(f["exitStatus"], "ERROR: render failed"))
                logs[frame_name] = _rqd_log(name, frame_name, host, body, f["exitStatus"])
            elif f["state"] == "RUNNING":
                body = [f"[render] frame {f['number']} {pct}% done" for pct in (5, 20, 35)]
                body.append(f"[render] waiting for license server (attempt {index + 3})")
                logs[frame_name] = _rqd_log(name, frame_name, host, body, None)
        jobs.append(
            {
                "job": {
                    "name": name,
                    "show": "testing",
                    "shot": name.split("-")[1],
                    "user": user,
                    "priority": 100,
                    "startTime": int(EPOCH - 14000),
                    "state": "PENDING",
                },
                "layers": [{"name": lname, "services": services} for lname, services in layers],
                "frames": frames,
                "logs": logs,
            }
        )
    return {
        "shows": [{"name": "testing"}],
        "jobs": jobs,
        "hosts": [{"host": {"name": f"render{n:02d}", "cores": 16}} for n in range(1, 9)],
    }


# --- every request strictly parsed ---------------------------------------------------------------------

USED_GATEWAYS: list[DemoGatewayThread] = []


def gateway_for(make_gateway: Callable[..., DemoGatewayThread], **kwargs: Any) -> DemoGatewayThread:
    """A recording demo gateway (make_gateway's kwargs), remembered for the strict request check."""
    kwargs.setdefault("record", True)
    gw = make_gateway(**kwargs)
    USED_GATEWAYS.append(gw)
    return gw


def scenario_gateway(make_gateway: Callable[..., DemoGatewayThread], tmp_path: Any) -> DemoGatewayThread:
    """The triage scenario, frozen at EPOCH."""
    import json

    path = tmp_path / "triage-scenario.json"
    path.write_text(json.dumps(triage_scenario()), encoding="utf-8")
    return gateway_for(make_gateway, scenario=str(path), epoch=EPOCH, log_root=tmp_path / "scenario-logs")


def check_requests(gw: DemoGatewayThread) -> int:
    """Parse every gateway request `gw` received strictly with opencue-proto; returns how many."""
    from tests.schema import check_request

    count = 0
    for method, path, _headers, body, _status in list(gw.recorded):
        if method != "POST" or path.startswith("/loki/"):
            continue
        check_request(path, body or b"{}")
        count += 1
    return count


@pytest.fixture(autouse=True)
def strict_requests() -> Iterator[None]:
    """After each test: every request sent to the gateways it used parses strictly (tests.schema)."""
    start = len(USED_GATEWAYS)
    yield
    for gw in USED_GATEWAYS[start:]:
        check_requests(gw)
    del USED_GATEWAYS[start:]
