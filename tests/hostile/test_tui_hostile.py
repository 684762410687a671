"""The TUI (pilot) against a hostile gateway: the last data stays, the status bar says stale within the
request deadline and what was wrong, the poll backs off, and no value from the gateway crashes a screen."""

from __future__ import annotations

import resource
from typing import Any

import pytest

from cuetui.gateway.auth import GatewayAuth
from cuetui.gateway.client import GatewayClient
from cuetui.ui.app import CueTuiApp
from cuetui.ui.options import UiOptions
from tests.conftest import DEMO_SECRET
from tests.hostile.conftest import DEADLINE
from tests.hostile.proxy import HostileProxy
from tests.ui.conftest import wait_for, wait_loaded

GET_JOBS = "/job.JobInterface/GetJobs"


def make_app(url: str, **client: Any) -> CueTuiApp:
    client.setdefault("deadline", DEADLINE)
    gateway = GatewayClient(url, GatewayAuth(secret=DEMO_SECRET, sub="tester"), **client)
    return CueTuiApp(gateway, UiOptions(url="http://hostile:8448", farm_name="demo", user="tester"))


@pytest.mark.parametrize(
    ("mode", "said"),
    [
        ("trickle", "no whole answer within the request deadline"),
        ("endless", "no whole answer within the request deadline"),
        ("silent", "no whole answer within the request deadline"),
        ("empty", "empty answer"),
        ("missing", "no 'jobs' list"),
        ("html", "HTML page"),
    ],
)
async def test_jobs_stay_and_go_stale_within_the_deadline(hostile: HostileProxy, mode: str, said: str) -> None:
    app = make_app(hostile.url)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        rows = screen.table.row_count
        assert rows > 0
        hostile.set(mode, GET_JOBS)
        screen.refresh_now()
        conn = screen.query_one("#status-conn")
        stamp = screen.query_one("#status-time")
        # stale within the deadline (plus the app's own turn), never "live, updated" on frozen data
        await wait_for(pilot, lambda: stamp.text.startswith("stale"), timeout=DEADLINE + 2, what="stale")
        assert said in conn.text
        assert "retrying in" in conn.text  # the poll backs off
        assert screen.table.row_count == rows
        assert app.is_running


async def test_a_gzip_bomb_leaves_memory_and_data_alone(hostile: HostileProxy) -> None:
    app = make_app(hostile.url, deadline=20.0, max_answer_bytes=16 << 20)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        rows = screen.table.row_count
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        hostile.set("gzip_bomb", GET_JOBS)
        screen.refresh_now()
        conn = screen.query_one("#status-conn")
        await wait_for(pilot, lambda: "larger than 16 MiB" in conn.text, timeout=15, what="refused")
        grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before
        assert grown < 100, f"RSS grew {grown:.0f} MB for a 256 MiB bomb"
        assert screen.table.row_count == rows


async def test_every_copy_to_the_clipboard_loses_controls(hostile: HostileProxy) -> None:
    app = make_app(hostile.url)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_loaded(pilot)
        app.copy_to_clipboard("/shows/x/\x1b]52;c;ZXZpbA==\x07logs/\u202ea\x9b2J.rqlog")
        assert app.clipboard == "/shows/x/logs/a.rqlog"
