"""An httpx transport over aiohttp: httpx's API in front, aiohttp's connection pool and C parser behind.

httpx's own transport (httpcore + h11, pure Python) costs about 2.5 µs of CPU per frame on a 50 000-frame
fetch, more than decoding the frames; aiohttp's reads the same bytes for a fifth of that. The client keeps
everything httpx gives it above the transport (the auth flow and its 401 retry, timeouts, Request and
Response, the error types it maps to GatewayErrors); this module only moves bytes, and words aiohttp's
failures as the httpx errors httpx's own transport would raise, so the messages the user reads stay the
same ("connection refused", "host name not found", a TLS error naming the certificate).

Answers arrive raw (aiohttp's decompression is off): the client inflates and bounds them itself
(`cuetui.gateway.answer`), so a gzip bomb is refused there as before. Chunks are handed on as they
arrive, whatever their size, not cut into small pieces.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import httpx
import yarl

# How long an idle connection is kept for the next request (httpx's default keep-alive expiry).
KEEPALIVE_SECONDS = 5.0


# aiohttp 3.10 and later say which timeout ran out; before, a connect timeout is a plain ServerTimeoutError.
_CONNECT_TIMEOUT: type[BaseException] = getattr(aiohttp, "ConnectionTimeoutError", aiohttp.ServerTimeoutError)


def _connect_error(exc: aiohttp.ClientConnectorError) -> httpx.HTTPError:
    """httpx's error for a failed connect, worded as httpx's transport words it."""
    cause = exc.os_error
    if isinstance(exc, aiohttp.ClientSSLError) or isinstance(cause, ssl.SSLError):
        return httpx.ConnectError(f"TLS handshake failed: {cause or exc}")
    if isinstance(cause, socket.gaierror):
        return httpx.ConnectError(f"[Errno {cause.errno}] {cause.strerror} (getaddrinfo)")
    if isinstance(cause, ConnectionRefusedError):
        return httpx.ConnectError(f"[Errno {cause.errno}] Connection refused")
    if isinstance(cause, (TimeoutError, asyncio.TimeoutError)):
        return httpx.ConnectTimeout("timed out while connecting")
    return httpx.ConnectError(str(cause or exc))


def _read_error(exc: BaseException) -> httpx.HTTPError:
    """httpx's error for a failure while the answer was being read."""
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return httpx.ReadTimeout("timed out while reading the answer")
    if isinstance(exc, aiohttp.ClientPayloadError):
        return httpx.RemoteProtocolError(f"answer cut short: {exc}")
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return httpx.RemoteProtocolError("server disconnected without sending a whole answer")
    if isinstance(exc, aiohttp.ClientResponseError):  # e.g. a malformed status line or header
        return httpx.RemoteProtocolError(f"malformed HTTP answer: {exc.message}")
    if isinstance(exc, (aiohttp.ClientOSError, OSError)):
        return httpx.ReadError(str(exc) or type(exc).__name__)
    return httpx.RemoteProtocolError(str(exc) or type(exc).__name__)


def _request_error(exc: BaseException) -> httpx.HTTPError:
    """httpx's error for a failure before the answer's head arrived."""
    if isinstance(exc, aiohttp.ClientConnectorError):
        return _connect_error(exc)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(f"not a usable URL: {exc}")
    if isinstance(exc, _CONNECT_TIMEOUT):
        return httpx.ConnectTimeout("timed out while connecting")
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):  # aiohttp's ServerTimeoutError is one too
        return httpx.ReadTimeout("no answer in time")
    return _read_error(exc)


class _AnswerStream(httpx.AsyncByteStream):
    """The body of one aiohttp response, chunk by chunk as it arrives; closing it before the end closes
    the connection (a half-read answer must not be reused), after the end hands it back to the pool."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response = response

    async def __aiter__(self) -> AsyncIterator[bytes]:
        content = self._response.content
        try:
            while True:
                # One chunk as the socket gave it, not joined with the others buffered behind it: the
                # client's reader joins the whole answer once.
                chunk, end_of_http_chunk = await content.readchunk()
                if chunk:
                    yield chunk
                elif not end_of_http_chunk:  # (b"", True) only marks where a chunked answer's chunk ended
                    return
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise _read_error(exc) from exc

    async def aclose(self) -> None:
        response = self._response
        if response.content.at_eof():
            response.release()
        else:
            response.close()


class AiohttpTransport(httpx.AsyncBaseTransport):
    """An httpx transport sending each request over one aiohttp session (keep-alive pool of
    `max_connections`). `verify` is what httpx takes: True (the CA bundle httpx would use), False, a CA
    bundle path or an SSLContext."""

    def __init__(self, *, verify: bool | str | ssl.SSLContext = True, max_connections: int = 8) -> None:
        self._ssl = verify if isinstance(verify, ssl.SSLContext) else httpx.create_ssl_context(verify=verify)
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None
        self._closer: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timeouts: dict[tuple[Any, ...], aiohttp.ClientTimeout] = {}
        self._urls: dict[str, yarl.URL] = {}

    def _session_now(self) -> aiohttp.ClientSession:
        # An aiohttp session belongs to the event loop it was made in; a client used again from another
        # loop (one asyncio.run after another) gets a new one, as httpx's pool would reconnect.
        loop = asyncio.get_running_loop()
        session = self._session
        if session is None or self._loop is not loop or session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._max_connections, keepalive_timeout=KEEPALIVE_SECONDS, ssl=self._ssl
            )
            session = self._session = aiohttp.ClientSession(
                connector=connector,
                auto_decompress=False,  # the client inflates and bounds the answer itself
                cookie_jar=aiohttp.DummyCookieJar(),  # httpx keeps the cookies, if any
                trust_env=False,  # proxies from the environment are httpx's (the client then uses its own)
                skip_auto_headers=("Accept", "Accept-Encoding", "User-Agent", "Content-Type"),
            )
            self._loop = loop
            # A session left open when its loop ends (the TUI never closes its client; asyncio.run and
            # Textual end the loop by cancelling what still runs) is closed then, instead of aiohttp
            # printing "Unclosed client session" on the terminal after cuetui has quit.
            self._closer = loop.create_task(_close_with_loop(session), name="cuetui-close-aiohttp-session")
        return session

    def _url_of(self, url: httpx.URL) -> yarl.URL:
        """aiohttp's URL for httpx's, parsed once per distinct URL (httpx has already encoded it)."""
        text = str(url)
        parsed = self._urls.get(text)
        if parsed is None:
            parsed = yarl.URL(text, encoded=True)
            if len(self._urls) < 512:
                self._urls[text] = parsed
        return parsed

    def _timeout(self, request: httpx.Request) -> aiohttp.ClientTimeout:
        given = request.extensions.get("timeout") or {}
        key = (given.get("connect"), given.get("read"), given.get("pool"))
        timeout = self._timeouts.get(key)
        if timeout is None:
            connect, read, pool = key
            wait = None if connect is None or pool is None else connect + pool
            timeout = self._timeouts[key] = aiohttp.ClientTimeout(
                total=None, connect=wait, sock_connect=connect, sock_read=read
            )
        return timeout

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            data: Any = request.content or None
        except httpx.RequestNotRead:
            data = b"".join([part async for part in request.stream])  # type: ignore[union-attr]
        try:
            response = await self._session_now().request(
                request.method,
                self._url_of(request.url),
                headers=request.headers.multi_items(),
                data=data,
                allow_redirects=False,
                timeout=self._timeout(request),
                compress=None,
            )
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError) as exc:
            raise _request_error(exc) from exc
        return httpx.Response(
            response.status,
            headers=response.raw_headers,
            stream=_AnswerStream(response),
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": (response.reason or "").encode("latin-1")},
        )

    async def aclose(self) -> None:
        session, self._session = self._session, None
        closer, self._closer = self._closer, None
        if session is not None and not session.closed:
            await session.close()
        if closer is not None:
            closer.cancel()


async def _close_with_loop(session: aiohttp.ClientSession) -> None:
    """Wait until cancelled (by aclose, or by the end of the event loop), then close `session`."""
    try:
        await asyncio.get_running_loop().create_future()
    finally:
        if not session.closed:
            await session.close()
