"""From Settings to a GatewayClient: URL, auth (minted or fixed token), TLS verification, requester.

Every command and the TUI connect through here, so they all send the same credentials the same way.
"""

from __future__ import annotations

import ssl
import time

import httpx

from cuetui.config import ConfigError, Settings
from cuetui.gateway.auth import Clock, GatewayAuth
from cuetui.gateway.client import DEFAULT_TIMEOUT, GatewayClient
from cuetui.gateway.credentials import default_user
from cuetui.gateway.errors import printable
from cuetui.gateway.requests import Requester


def client_from_settings(settings: Settings, *, timeout: float = DEFAULT_TIMEOUT) -> GatewayClient:
    """A client for the settings' farm. Raises ConfigError when no URL is configured."""
    url = settings.require_url()
    auth = auth_from_settings(settings)
    try:
        verify = settings.tls_verify()
    except (OSError, ssl.SSLError) as exc:
        raise ConfigError(f"config error: ca_bundle {settings.ca_bundle}: {exc.strerror or exc}") from None
    try:
        return _client(settings, url, auth, verify, timeout)
    except (httpx.InvalidURL, ValueError, UnicodeError) as exc:  # e.g. a host name that is not valid IDNA
        raise ConfigError(f"gateway URL is not usable: {printable(str(exc), 120)}") from None


def _client(settings: Settings, url: str, auth: GatewayAuth, verify: object, timeout: float) -> GatewayClient:
    return GatewayClient(
        url,
        auth,
        verify=verify,  # type: ignore[arg-type]
        timeout=timeout,
        requester=Requester.local(settings.user or None),
        deadline=settings.request_deadline,
        max_answer_bytes=int(settings.max_answer_mb * 1024 * 1024),
    )


def auth_from_settings(settings: Settings, clock: Clock = time.time) -> GatewayAuth:
    """The auth the settings ask for: minted from the secret, the fixed token, or none."""
    kind = settings.auth_kind
    return GatewayAuth(
        secret=settings.secret if kind == "minted" else None,
        token=settings.token if kind == "fixed" else None,
        sub=settings.user or default_user(),
        ttl=settings.token_ttl,
        clock=clock,
    )
