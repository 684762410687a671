"""Helpers for the simulator's tests: an authenticated HTTP client on the demo gateway."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from cuetui.demo.server import DemoGatewayThread


@pytest.fixture
def client(demo_gateway: DemoGatewayThread, gateway_token: str) -> Iterator[httpx.Client]:
    """httpx client on the demo gateway with a valid Bearer token."""
    with httpx.Client(
        base_url=demo_gateway.url, headers={"Authorization": f"Bearer {gateway_token}"}, timeout=20
    ) as c:
        yield c


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.02) -> Any:
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(interval)
