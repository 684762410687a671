"""Helpers for the simulator's tests: an authenticated HTTP client on the demo gateway, and `gw` / `c`,
a demo gateway on the test module's own farm (its `farm_scenario` fixture) and a client on it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from cuetui.demo.server import DemoGatewayThread


def _client(gateway: DemoGatewayThread, token: str) -> httpx.Client:
    return httpx.Client(base_url=gateway.url, headers={"Authorization": f"Bearer {token}"}, timeout=20)


@pytest.fixture
def client(demo_gateway: DemoGatewayThread, gateway_token: str) -> Iterator[httpx.Client]:
    """httpx client on the demo gateway with a valid Bearer token."""
    with _client(demo_gateway, gateway_token) as c:
        yield c


@pytest.fixture
def gw(make_gateway: Any, tmp_path: Path, farm_scenario: dict[str, Any]) -> DemoGatewayThread:
    """A demo gateway on the module's `farm_scenario` (a scenario as a dict), without a profile."""
    path = tmp_path / "farm.json"
    path.write_text(json.dumps(farm_scenario))
    gateway: DemoGatewayThread = make_gateway(scenario=path, profile=None)
    return gateway


@pytest.fixture
def c(gw: DemoGatewayThread, gateway_token: str) -> Iterator[httpx.Client]:
    """httpx client on `gw` with a valid Bearer token."""
    with _client(gw, gateway_token) as client:
        yield client
