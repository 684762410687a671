"""The client's transport: httpx's own until aiohttp is imported, then aiohttp's (`aiohttp_transport`).

aiohttp reads an answer for a fifth of the CPU httpx's transport takes, but importing it costs about as
much as importing httpx (its connector loads the system's CA bundle at import), which start-up should
not wait for. So the first calls go through httpx's transport while aiohttp is imported in a thread,
started a moment after the first answer (start-up is then over), and every call after that goes
through aiohttp. A process that already imported it (the demo, a benchmark) uses aiohttp at once.
"""

from __future__ import annotations

import importlib
import ssl
import sys
import threading
from collections.abc import AsyncIterator
from typing import Any

import httpx

_FAST = "cuetui.gateway.aiohttp_transport"
# Seconds between the first answer and the start of aiohttp's import: the first screen is drawn by then.
IMPORT_DELAY = 1.0
_imported = threading.Event()
_import_lock = threading.Lock()
_import_started = False


def _import_fast() -> None:
    try:
        importlib.import_module(_FAST)
    except ImportError:  # aiohttp missing or broken: httpx's transport serves on
        return
    _imported.set()


def import_in_background(delay: float = IMPORT_DELAY) -> None:
    """Import the aiohttp transport in a daemon thread after `delay` seconds (once a process)."""
    global _import_started
    with _import_lock:
        if _import_started:
            return
        _import_started = True
    timer = threading.Timer(delay, _import_fast)
    timer.name, timer.daemon = "cuetui-import-aiohttp", True
    timer.start()


def fast_ready() -> bool:
    """True when the aiohttp transport can be used without importing anything."""
    if not _imported.is_set() and _FAST in sys.modules and "aiohttp" in sys.modules:
        module = sys.modules[_FAST]
        if getattr(module, "AiohttpTransport", None) is not None:  # not half-way through its import
            _imported.set()
    return _imported.is_set()


class GatewayTransport(httpx.AsyncBaseTransport):
    """httpx's own transport until aiohttp's is imported, then aiohttp's, for every later request.
    `verify` is what httpx takes; `max_connections` bounds each pool."""

    def __init__(self, *, verify: bool | str | ssl.SSLContext, max_connections: int, max_keepalive: int) -> None:
        self._verify = verify
        self._max_connections = max_connections
        self._plain = httpx.AsyncHTTPTransport(
            verify=verify,
            limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_keepalive),
        )
        self._fast: httpx.AsyncBaseTransport | None = None
        self._plain_open = 0  # answers from httpx's transport not closed yet
        self._plain_retired = False
        self._pick()

    def _pick(self) -> httpx.AsyncBaseTransport:
        if self._fast is None and fast_ready():
            module = sys.modules[_FAST]
            self._fast = module.AiohttpTransport(verify=self._verify, max_connections=self._max_connections)
        return self._fast or self._plain

    @property
    def active(self) -> str:
        """Which transport the next request takes: "aiohttp" or "httpx"."""
        return "aiohttp" if self._pick() is self._fast else "httpx"

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        transport = self._pick()
        if transport is not self._plain:
            if not self._plain_retired and self._plain_open == 0:
                await self._retire_plain()
            return await transport.handle_async_request(request)
        self._plain_open += 1
        try:
            response = await transport.handle_async_request(request)
        except BaseException:
            self._plain_open -= 1
            raise
        response.stream = _Counted(response.stream, self)
        import_in_background()
        return response

    async def _retire_plain(self) -> None:
        # Every request now goes through aiohttp: httpx's pool would keep its idle keep-alive
        # connections open for the rest of the session, so they are closed once nothing reads on them.
        self._plain_retired = True
        await self._plain.aclose()

    async def _plain_closed(self) -> None:
        self._plain_open -= 1
        if self._fast is not None and self._plain_open == 0 and not self._plain_retired:
            await self._retire_plain()

    async def aclose(self) -> None:
        await self._plain.aclose()
        if self._fast is not None:
            await self._fast.aclose()


class _Counted(httpx.AsyncByteStream):
    """An answer's stream from httpx's transport that tells GatewayTransport when it is closed."""

    def __init__(self, stream: Any, owner: GatewayTransport) -> None:
        self._stream = stream
        self._owner = owner
        self._closed = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        if self._closed:
            return
        self._closed = True
        try:
            await self._stream.aclose()
        finally:
            await self._owner._plain_closed()
