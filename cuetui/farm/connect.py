"""Build the gateway client the settings describe: URL, JWT auth, TLS verification, who we are.

One function, so the TUI, the non-interactive commands and `doctor` all connect the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.gateway.client import GatewayClient


def client_from_settings(settings: Settings, *, timeout: float | None = None) -> GatewayClient:
    """A GatewayClient for the chosen farm; ConfigError when no URL is set. Close it (`async with`)."""
    from cuetui.gateway.auth import GatewayAuth
    from cuetui.gateway.client import DEFAULT_TIMEOUT, GatewayClient
    from cuetui.gateway.requests import Requester

    url = settings.require_url()
    return GatewayClient(
        url,
        GatewayAuth.from_settings(settings),
        verify=settings.tls_verify(),
        timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
        requester=Requester.local(settings.user or None),
    )
