"""Helpers for the simulator's tests: an authenticated HTTP client on the demo gateway."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from cuetui.demo.server import DemoGatewayThread


@pytest.fixture
def client(demo_gateway: DemoGatewayThread, gateway_token: str) -> Iterator[httpx.Client]:
    """httpx client on the demo gateway with a valid Bearer token."""
    with httpx.Client(base_url=demo_gateway.url, headers={"Authorization": f"Bearer {gateway_token}"}, timeout=20) as c:
        yield c
