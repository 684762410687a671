"""Shared fixtures: the simulated gateway on a free loopback port, and a token for it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from cuetui.demo.server import DemoGatewayThread

DEMO_SECRET = "test-secret-for-the-demo-gateway-0123456789-0123456789-0123456789"


@pytest.fixture
def make_gateway(tmp_path: Path) -> Iterator[Callable[..., DemoGatewayThread]]:
    """Factory: make_gateway(**DemoGatewayThread kwargs) -> started gateway; all stopped at teardown."""
    started: list[DemoGatewayThread] = []

    def make(**kwargs: Any) -> DemoGatewayThread:
        kwargs.setdefault("profile", "small")
        kwargs.setdefault("seed", 7)
        kwargs.setdefault("speed", 0.0)
        kwargs.setdefault("secret", DEMO_SECRET)
        kwargs.setdefault("log_root", tmp_path / f"logs{len(started)}")
        gw = DemoGatewayThread(**kwargs)
        gw.start()
        started.append(gw)
        return gw

    yield make
    for gw in started:
        gw.stop()


@pytest.fixture
def demo_gateway(make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path) -> DemoGatewayThread:
    """The small farm, seed 7, frozen (speed 0), recording requests, logs under tmp_path."""
    return make_gateway(profile="small", seed=7, speed=0.0, record=True, log_root=tmp_path)


@pytest.fixture
def gateway_token() -> str:
    """A valid HS256 token for the fixtures' secret (no expiry)."""
    return jwt.encode({"sub": "tester"}, DEMO_SECRET, algorithm="HS256")
