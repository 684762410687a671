"""A deadline on each request's headers and body, for the simulated gateway (slowloris).

aiohttp has no header timeout: a client that connects and sends a header byte now and then holds its
connection (and a task) for ever, and a thousand such clients held the demo gateway. `guarded(runner)`
wraps aiohttp's protocol factory so each connection has HEADER_TIMEOUT seconds from connecting, or from
the first byte of a following request, until the request reaches the handler; the handler reads the
body within BODY_TIMEOUT (`read_body`). Idle keep-alive connections are left to aiohttp's own
keep-alive timeout: a client's pooled connection is never cut between two polls.
"""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

HEADER_TIMEOUT = 10.0  # seconds to send a request's line and headers
BODY_TIMEOUT = 10.0  # seconds to send its body once the headers are in

_GUARDS: dict[Any, _Guard] = {}  # transport -> its guard, while the connection is open


class _Guard(asyncio.Protocol):
    """Sits between the transport and aiohttp's RequestHandler, closing a connection whose request
    headers do not arrive in time; everything else is handed through unchanged."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.transport: Any = None
        self.busy = False  # a request is in the handler
        self._timer: asyncio.TimerHandle | None = None

    def _arm(self) -> None:
        if self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(HEADER_TIMEOUT, self._expire)

    def _disarm(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _expire(self) -> None:
        self._timer = None
        if not self.busy and self.transport is not None:
            self.transport.abort()

    def request_started(self) -> None:
        self.busy = True
        self._disarm()

    def request_done(self) -> None:
        self.busy = False

    # --- asyncio.Protocol, handed through ---------------------------------------------------------

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        _GUARDS[transport] = self
        self._arm()
        self.inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if not self.busy:
            self._arm()  # the first byte of a request: its headers now have HEADER_TIMEOUT
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()  # type: ignore[no-any-return]

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        _GUARDS.pop(self.transport, None)
        self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


class _Factory:
    """aiohttp's web.Server (the protocol factory), each protocol it makes wrapped in a _Guard."""

    def __init__(self, server: Any) -> None:
        self._server = server

    def __call__(self) -> _Guard:
        return _Guard(self._server())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._server, name)


class GuardedRunner(web.AppRunner):
    """web.AppRunner whose sites serve through the header deadline."""

    @property
    def server(self) -> Any:
        inner = super().server
        return None if inner is None else _Factory(inner)


def request_started(request: web.Request) -> None:
    """The request reached the handler: its headers are in, the header deadline ends."""
    guard = _GUARDS.get(request.transport)
    if guard is not None:
        guard.request_started()


def request_done(request: web.Request) -> None:
    """The handler is done; the next request on the connection gets a deadline at its first byte."""
    guard = _GUARDS.get(request.transport)
    if guard is not None:
        guard.request_done()


async def read_body(request: web.Request) -> bytes | None:
    """The request's body, or None when it did not arrive within BODY_TIMEOUT."""
    try:
        return await asyncio.wait_for(request.read(), BODY_TIMEOUT)
    except asyncio.TimeoutError:
        return None
