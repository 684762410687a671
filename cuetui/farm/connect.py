"""From Settings to a GatewayClient: URL, auth (minted or fixed token), TLS verification, requester.

Every command and the TUI connect through here, so they all send the same credentials the same way.
"""

from __future__ import annotations

import ssl

from cuetui.config import ConfigError, Settings
from cuetui.gateway.auth import GatewayAuth
from cuetui.gateway.client import DEFAULT_TIMEOUT, GatewayClient
from cuetui.gateway.requests import Requester


def client_from_settings(settings: Settings, *, timeout: float = DEFAULT_TIMEOUT) -> GatewayClient:
    """A client for the settings' farm. Raises ConfigError when no URL is configured."""
    url = settings.require_url()
    auth = GatewayAuth.from_settings(settings)
    try:
        verify = settings.tls_verify()
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"config error: ca_bundle {settings.ca_bundle}: {exc.strerror or exc}") from None
    return GatewayClient(
        url,
        auth,
        verify=verify,
        timeout=timeout,
        requester=Requester.local(settings.user or None),
        deadline=settings.request_deadline,
        max_answer_bytes=int(settings.max_answer_mb * 1024 * 1024),
    )
