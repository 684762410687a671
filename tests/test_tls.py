"""TLS as a studio sets it up: an https gateway whose certificate a studio CA signed (made here with the
`openssl` command). Verified by default (refused without the CA), accepted with `ca_bundle`, and
`verify = false` only when asked, with a warning in the TUI's status bar."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from cuetui.config import Settings, load_settings
from cuetui.farm.connect import client_from_settings
from cuetui.gateway.errors import Unreachable
from tests.ui.conftest import wait_loaded

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A studio CA (ca.pem) and a server certificate it signed for 127.0.0.1 (server.pem, server.key)."""
    d = tmp_path_factory.mktemp("tls")
    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    _openssl(
        "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=cuetui test studio CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        cwd=d,
    )  # fmt: skip
    _openssl("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1", cwd=d)
    (d / "ext.cnf").write_text(
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
        "keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
    )
    _openssl(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", "server.pem", "-days", "2", "-extfile", "ext.cnf",
        cwd=d,
    )  # fmt: skip
    return d


@pytest.fixture
async def https_gateway(certs: Path) -> AsyncIterator[str]:
    """A stand-in gateway over https that answers every call with one show and no jobs (each call finds
    the list it needs: a missing list is an error, not an empty farm)."""
    from aiohttp import web

    async def answer(request: web.Request) -> web.Response:
        show = {"id": "s1", "name": "testing", "active": True}
        return web.json_response({"shows": {"shows": [show]}, "jobs": {"jobs": []}})

    app = web.Application()
    app.router.add_post("/{tail:.*}", answer)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(certs / "server.pem", certs / "server.key")
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def _settings(tmp_path: Path, url: str, extra: str = "") -> Settings:
    config = tmp_path / "config.toml"
    config.write_text(f'url = "{url}"\n{extra}')
    config.chmod(0o600)
    import argparse

    return load_settings(argparse.Namespace(config=str(config)), env={"JWT_SECRET": "x" * 40})


async def test_verified_by_default_refused_without_the_studio_ca(https_gateway: str, tmp_path: Path) -> None:
    async with client_from_settings(_settings(tmp_path, https_gateway)) as client:
        with pytest.raises(Unreachable) as caught:
            await client.get_shows()
    assert "certificate" in str(caught.value).lower()


async def test_ca_bundle_trusts_the_studio_ca(https_gateway: str, certs: Path, tmp_path: Path) -> None:
    settings = _settings(tmp_path, https_gateway, f'ca_bundle = "{certs / "ca.pem"}"\n')
    assert settings.verify and settings.ca_bundle == certs / "ca.pem"
    async with client_from_settings(settings) as client:
        shows = await client.get_shows()
    assert [s.name for s in shows] == ["testing"]


async def test_verify_false_connects_and_the_status_bar_says_so(https_gateway: str, tmp_path: Path) -> None:
    from cuetui.commands.tui import options_from_settings
    from cuetui.ui.app import CueTuiApp

    settings = _settings(tmp_path, https_gateway, "verify = false\n")
    assert any("NOT verified" in w for w in settings.warnings)
    client = client_from_settings(settings)
    options = options_from_settings(settings, client.url)
    app = CueTuiApp(client, options)
    try:
        async with app.run_test(size=(160, 40)) as pilot:
            await wait_loaded(pilot)  # the first data came over the unverified connection
            assert "TLS UNVERIFIED" in str(app.screen.query_one("#status-flags").render())
            assert await client.get_shows()  # unverified, but it connects
    finally:
        await client.aclose()
