"""A gateway that answers but cannot reach Cuebot (503, gRPC code 14) is told apart from other
failures: by the demo's `cuebot-down` fault and by the real gateway binary with no Cuebot behind it."""

from __future__ import annotations

import lzma
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.connection import RETRYING, ConnectionTracker
from cuetui.gateway.auth import GatewayAuth
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.errors import (
    CUEBOT_UNREACHABLE,
    CuebotUnreachable,
    DeadlineExceeded,
    NotFound,
    ServerError,
    status_error,
)
from tests.conftest import DEMO_SECRET

REAL_GATEWAY = Path(os.environ.get("CUETUI_REAL_GATEWAY_XZ", "/work/shared/realgw/opencue_rest_gateway.xz"))


def test_only_503_with_code_14_is_cuebot_unreachable() -> None:
    down = status_error("GetShows", "http://gw", 503, 14, 'connection error: desc = "transport: …"')
    assert isinstance(down, CuebotUnreachable) and isinstance(down, ServerError)
    assert str(down).startswith(CUEBOT_UNREACHABLE) and "GetShows" in str(down) and "HTTP 503" in str(down)
    assert (down.status, down.code) == (503, 14)
    others = ((503, 13, ServerError), (500, 14, ServerError), (404, 5, NotFound), (504, 4, DeadlineExceeded))
    for status, code, cls in others:
        error = status_error("GetShows", "http://gw", status, code, "x")
        assert type(error) is cls, (status, code)


def test_the_connection_says_cuebot_is_unreachable_and_retries() -> None:
    tracker = ConnectionTracker("http://gw:8448", clock=lambda: 100.0)
    tracker.success()
    tracker.failure(status_error("GetJobs", "http://gw:8448", 503, 14, "connection error"), 4.0)
    status = tracker.status
    assert status.state == RETRYING and status.stale
    assert status.text(100.0) == f"{CUEBOT_UNREACHABLE}, retrying in 4 s"


async def test_the_demos_cuebot_down_fault_is_classified(make_gateway: Callable[..., DemoGatewayThread]) -> None:
    gw = make_gateway(faults=("cuebot-down=0-600",))
    async with GatewayClient(gw.url, GatewayAuth(secret=DEMO_SECRET, sub="tester")) as client:
        with pytest.raises(CuebotUnreachable) as caught:
            await client.get_shows()
    assert str(caught.value).startswith(CUEBOT_UNREACHABLE)
    assert "dial tcp 127.0.0.1:8443: connect: connection refused" in caught.value.detail


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def real_gateway_without_cuebot(tmp_path: Path) -> Iterator[str]:
    """The real OpenCue REST gateway, its CUEBOT_ENDPOINT a loopback port nothing listens on."""
    if not REAL_GATEWAY.is_file():
        pytest.skip(f"no real gateway binary at {REAL_GATEWAY}")
    binary = tmp_path / "opencue_rest_gateway"
    with lzma.open(REAL_GATEWAY) as packed, open(binary, "wb") as out:
        shutil.copyfileobj(packed, out)
    binary.chmod(0o755)
    port = _free_port()
    env = {
        "CUEBOT_ENDPOINT": f"127.0.0.1:{_free_port()}",
        "REST_PORT": str(port),
        "JWT_SECRET": DEMO_SECRET,
        "GATEWAY_LOG": str(tmp_path / "gateway.log"),
    }
    proc = subprocess.Popen([str(binary)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise AssertionError("the real gateway did not start listening") from None
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def test_the_real_gateway_without_cuebot_is_classified(real_gateway_without_cuebot: str) -> None:
    async with GatewayClient(real_gateway_without_cuebot, GatewayAuth(secret=DEMO_SECRET, sub="tester")) as client:
        with pytest.raises(CuebotUnreachable) as caught:
            await client.get_shows()
    assert str(caught.value).startswith(CUEBOT_UNREACHABLE)
    assert "Error while dialing" in caught.value.detail
