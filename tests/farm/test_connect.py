"""Settings become a client with the right auth and TLS choices."""

from __future__ import annotations

import pytest

from cuetui.config import ConfigError, load_settings
from cuetui.farm.connect import client_from_settings


async def test_secret_gives_a_minting_client() -> None:
    settings = load_settings({"url": "http://127.0.0.1:8448/"}, env={"JWT_SECRET": "s3cret", "USER": "jdoe"})
    client = client_from_settings(settings)
    try:
        assert client.url == "http://127.0.0.1:8448"
        assert client.auth is not None and client.auth.kind == "minted"  # type: ignore[attr-defined]
        assert "s3cret" not in repr(client.auth)
    finally:
        await client.aclose()


def test_no_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        client_from_settings(load_settings({}, env={"JWT_SECRET": "x", "XDG_CONFIG_HOME": "/nonexistent"}))
