"""A gateway newer than cuetui (enum values it does not know) or one that leaves fields out: the TUI and the
CLI tables show unknown values as "?" + the raw value, log them once, and never crash; `--json` keeps
the raw value. A field left out takes its proto3 default, as the real gateway omits default values."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from cuetui.gateway.client import GatewayClient
from cuetui.ui.app import CueTuiApp
from cuetui.ui.options import UiOptions
from tests.waiting import wait_for_app

URL = "http://gw.example:8448"
JOB = {"id": "j1", "name": "sh010_lighting", "state": "QUANTUM", "show": "testing", "user": "ann"}
LAYER = {"id": "l1", "name": "render", "type": "HOLOGRAM", "parentId": "j1"}
FRAME = {"id": "f1", "name": "0001-render", "layerName": "render", "number": 1, "state": "EXPLODED"}
HOST = {"id": "h1", "name": "render01", "state": "LEVITATING", "lockState": "WOBBLY", "cores": 16}


def answer(request: httpx.Request) -> httpx.Response:
    """A canned gateway: every list holds one object with unknown enum values and most fields left out."""
    method = request.url.path.rsplit("/", 1)[-1]
    body: dict[str, Any] = {
        "GetShows": {"shows": {"shows": [{"id": "s1", "name": "testing"}]}},
        "GetActiveShows": {"shows": {"shows": [{"id": "s1", "name": "testing"}]}},
        "GetJobs": {"jobs": {"jobs": [JOB]}},
        "FindJob": {"job": JOB},
        "GetJob": {"job": JOB},
        "GetLayers": {"layers": {"layers": [LAYER]}},
        "GetFrames": {"frames": {"frames": [FRAME]}},
        "GetUpdatedFrames": {"updatedFrames": {"updatedFrames": []}, "serverRunTime": 0, "state": "QUANTUM"},
        "GetHosts": {"hosts": {"hosts": [HOST]}},
    }.get(method, {})
    return httpx.Response(200, json=body)


def client_with(*args: Any, **kwargs: Any) -> GatewayClient:
    return GatewayClient(*args, **{**kwargs, "transport": httpx.MockTransport(answer)})


@pytest.fixture
def canned(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every command's client talks to the canned gateway."""
    import cuetui.farm.connect

    monkeypatch.setattr(cuetui.farm.connect, "GatewayClient", client_with)


async def test_tui_shows_question_marks_and_keeps_running(caplog: pytest.LogCaptureFixture) -> None:
    from cuetui.gateway import models

    models._reported.clear()  # "logged once" per process: earlier tests may have seen these values
    client = GatewayClient(URL, None, transport=httpx.MockTransport(answer))
    app = CueTuiApp(client, UiOptions(url=URL, farm_name="canned", user="ann"))
    screens: dict[str, str] = {}
    with caplog.at_level(logging.WARNING, logger="cuetui.gateway"):
        async with app.run_test(size=(160, 40)) as pilot:
            for key, name, expected in (
                ("2", "jobs", "?QUAN"),
                ("3", "hosts", "?LEVI"),
                ("2", "back", "?QUAN"),
                ("enter", "job", "?EXPL"),
            ):
                await pilot.press(key)
                await wait_for_app(pilot, lambda e=expected: e in app.export_screenshot())
                screens[name] = app.export_screenshot()
            assert app.is_running
    await client.aclose()
    # narrow columns cut the value with an ellipsis: "?LEVITA…"
    assert "?QUAN" in screens["jobs"]
    assert "?LEVI" in screens["hosts"] and "?WOBB" in screens["hosts"]
    assert "?EXPL" in screens["job"]
    for value in ("QUANTUM", "LEVITATING", "WOBBLY", "EXPLODED"):
        assert value in caplog.text  # logged (once)


@pytest.mark.usefixtures("canned")
@pytest.mark.parametrize(
    ("argv", "shown"),
    [
        (["jobs"], "?QUANTUM"),
        (["layers", "sh010_lighting"], "?HOLOGRAM"),
        (["frames", "sh010_lighting"], "?EXPLODED"),
        (["hosts"], "?LEVITATING"),
        (["hosts"], "?WOBBLY"),
    ],
)
def test_cli_tables_show_question_marks(argv: list[str], shown: str, cli: Callable[..., Any]) -> None:
    r = cli("--url", URL, *argv)
    assert r.code == 0, r.err
    assert shown in r.out, r.out


@pytest.mark.usefixtures("canned")
def test_cli_json_keeps_the_raw_value(cli: Callable[..., Any]) -> None:
    r = cli("--url", URL, "jobs", "--json")
    assert r.code == 0, r.err
    (job,) = json.loads(r.out)
    assert job["state"] == "QUANTUM" and job["name"] == "sh010_lighting"
    assert job["priority"] == 0  # left out by the gateway: the proto3 default
