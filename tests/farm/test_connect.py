"""Settings become a client with the right auth and TLS choices."""

from __future__ import annotations

import pytest

from cuetui.config import ConfigError, Secret, Settings, load_settings
from cuetui.farm.connect import auth_from_settings, client_from_settings

SECRET = "gateway-secret-for-tests-0123456789abcdef"


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


def test_auth_from_settings() -> None:
    minted = auth_from_settings(Settings(secret=Secret(SECRET), user="bob", token_ttl=120))
    assert (minted.kind, minted.sub, minted.ttl) == ("minted", "bob", 120)
    both = Settings(secret=Secret(SECRET), token=Secret("a.b.c"), prefer_token=True)
    fixed = auth_from_settings(both)
    assert fixed.kind == "fixed"
    assert auth_from_settings(Settings()).kind == "none"
    assert auth_from_settings(Settings(secret=Secret(SECRET))).sub  # no user set: the login name
