"""Shared by the farm view tests: a client of the demo gateway and the calls it recorded."""

from __future__ import annotations

from cuetui.demo.server import DemoGatewayThread
from cuetui.gateway.auth import GatewayAuth
from cuetui.gateway.client import GatewayClient

EPOCH = 1_767_225_600.0  # 2026-01-01 00:00 UTC: a fixed farm clock


def client_of(gw: DemoGatewayThread, token: str) -> GatewayClient:
    """A client of the demo gateway with a fixed token."""
    return GatewayClient(gw.url, GatewayAuth(token=token))


def calls(gw: DemoGatewayThread, since: int = 0) -> list[str]:
    """The gateway methods called (`GetJobs`, …) from the `since`-th recorded request on."""
    return [path.rsplit("/", 1)[-1] for _method, path, *_rest in gw.recorded[since:]]
