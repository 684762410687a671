"""A hostile gateway: an aiohttp server on loopback in front of the demo gateway, misbehaving on demand.

`HostileProxy(upstream).start()` runs it in a thread of its own. `mode` says how it answers the calls
whose path ends with one of `only` (every call when `only` is empty); the other calls, and every call
in mode "pass", are forwarded to the demo gateway unchanged. Modes, one per way a gateway or the network
in between can go wrong:

- pass: forward unchanged
- trickle: the real answer, one byte a second
- endless: a 200 chunked body that never ends
- silent: accept the request and never answer
- gzip_bomb: a 200 whose gzip body inflates to BOMB_BYTES
- huge: a 200 body of HUGE_BYTES, streamed without a Content-Length
- huge_declared: a 200 with Content-Length HUGE_BYTES (the body never comes)
- empty: a 200 with no body
- missing: a 200 `{}` (valid JSON without the field the call needs)
- html: a 200 HTML page (a captive portal, a proxy's error page)
- numbers: the real answer with the time and counter fields replaced by the values of `numbers`
"""

from __future__ import annotations

import asyncio
import json
import threading
import zlib
from typing import Any

from aiohttp import ClientSession, web

BOMB_BYTES = 1 << 28  # what the gzip bomb inflates to (256 MiB; about 250 KB on the wire)
HUGE_BYTES = 1 << 30
_BOMB: bytes | None = None
_BOMB_LOCK = threading.Lock()

# Fields whose values become `number` in mode "numbers": times and counters the screens format.
NUMBER_FIELDS = {
    "startTime",
    "stopTime",
    "lastUpdate",
    "dateStarted",
    "timestamp",
    "bootTime",
    "pingTime",
    "maxRss",
    "usedMemory",
    "reservedMemory",
    "totalMemory",
    "freeMemory",
    "idleMemory",
    "memory",
    "freeMcp",
    "totalMcp",
    "runningFrames",
    "deadFrames",
    "totalFrames",
    "succeededFrames",
    "pendingFrames",
    "waitingFrames",
    "totalCoreSeconds",
    "renderedFrameCount",
    "retryCount",
    "exitStatus",
    "priority",
    "maxCores",
    "minCores",
    "coreTime",
    "lastLogUpdate",
    "llu",
    "runTime",
    "avgFrameSec",
    "serverTime",
}


def gzip_bomb() -> bytes:
    """A gzip stream of BOMB_BYTES zero bytes (made once, about a second)."""
    global _BOMB
    with _BOMB_LOCK:
        if _BOMB is None:
            z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            block = b"\0" * (1 << 22)
            parts = [z.compress(block) for _ in range(BOMB_BYTES // len(block))]
            parts.append(z.flush())
            _BOMB = b"".join(parts)
        return _BOMB


def _renumber(value: Any, numbers: list[Any], at: list[int]) -> Any:
    """`value` with each NUMBER_FIELDS value replaced by the next of `numbers`, round and round."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in NUMBER_FIELDS and not isinstance(v, (dict, list)):
                out[k] = numbers[at[0] % len(numbers)]
                at[0] += 1
            else:
                out[k] = _renumber(v, numbers, at)
        return out
    if isinstance(value, list):
        return [_renumber(v, numbers, at) for v in value]
    return value


class HostileProxy:
    """The hostile gateway in front of `upstream` (the demo gateway's URL); `url` is where it listens."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.mode = "pass"
        self.only: tuple[str, ...] = ()
        # the values mode "numbers" puts in NUMBER_FIELDS, one after the other
        self.numbers: list[Any] = [2**64]
        self.hostile_requests = 0  # calls answered in a hostile mode
        self.renumbered = 0  # values replaced in mode "numbers"
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None
        self._ready = threading.Event()
        self._session: ClientSession | None = None

    def set(self, mode: str, *only: str) -> HostileProxy:
        """Answer the calls whose path ends with one of `only` (all when none) in `mode`."""
        self.only = only
        self.mode = mode
        return self

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> HostileProxy:
        self._thread = threading.Thread(target=self._run, name="hostile-proxy", daemon=True)
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("hostile proxy did not start")
        return self

    def stop(self) -> None:
        loop = self._loop
        if loop is None:
            return
        asyncio.run_coroutine_threadsafe(self._shutdown(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        loop.run_until_complete(self._startup())
        self._ready.set()
        loop.run_forever()
        # Handlers still hanging (mode "silent") are ended here, not left to the garbage collector.
        pending = asyncio.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:

            async def drain() -> None:
                await asyncio.gather(*pending, return_exceptions=True)

            loop.run_until_complete(drain())
        loop.close()

    async def _startup(self) -> None:
        app = web.Application(client_max_size=1 << 24)
        app.router.add_route("*", "/{path:.*}", self._handle)
        self._runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        self._session = ClientSession(auto_decompress=False)

    async def _shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # --- answers -----------------------------------------------------------------------------------

    async def _forward(self, request: web.Request, body: bytes) -> tuple[int, dict[str, str], bytes]:
        assert self._session is not None
        headers = {
            k: v for k, v in request.headers.items() if k.lower() in ("authorization", "content-type", "grpc-timeout")
        }
        async with self._session.post(self.upstream + request.path, data=body, headers=headers) as upstream:
            content = await upstream.read()
            keep = {k: v for k, v in upstream.headers.items() if k.lower() in ("content-type", "date")}
            return upstream.status, keep, content

    def _hostile(self, path: str) -> bool:
        return self.mode != "pass" and (not self.only or path.endswith(self.only))

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        body = await request.read()
        if not self._hostile(request.path):
            status, headers, content = await self._forward(request, body)
            return web.Response(status=status, body=content, headers=headers)
        self.hostile_requests += 1
        mode = self.mode
        if mode == "silent":
            await asyncio.sleep(3600)
        if mode == "empty":
            return web.Response(status=200, body=b"", content_type="application/json")
        if mode == "missing":
            return web.Response(status=200, body=b"{}", content_type="application/json")
        if mode == "html":
            page = b"<!DOCTYPE html><html><body><h1>Welcome to the hotel wifi</h1></body></html>"
            return web.Response(status=200, body=page, content_type="text/html")
        if mode == "gzip_bomb":
            bomb = gzip_bomb()
            return web.Response(
                status=200, body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
            )
        if mode == "huge_declared":
            response = web.StreamResponse(
                status=200, headers={"Content-Length": str(HUGE_BYTES), "Content-Type": "application/json"}
            )
            await response.prepare(request)
            await asyncio.sleep(3600)
            return response
        try:
            return await self._stream(request, body, mode)
        except ConnectionError:  # cuetui gave up on the answer (the point of most modes): not an error here
            raise asyncio.CancelledError from None

    async def _stream(self, request: web.Request, body: bytes, mode: str) -> web.StreamResponse:
        if mode in ("huge", "endless"):
            response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
            response.enable_chunked_encoding()
            await response.prepare(request)
            await response.write(b'{"jobs":{"jobs":[')
            chunk = b" " * (1 << 20)
            sent = 0
            while mode == "endless" or sent < HUGE_BYTES:
                await response.write(chunk if mode == "huge" else b" " * 64)
                sent += len(chunk)
                if mode == "endless":
                    await asyncio.sleep(0.01)
            await response.write(b"]}}")
            await response.write_eof()
            return response
        status, headers, content = await self._forward(request, body)
        if mode == "numbers":
            data = json.loads(content)
            at = [0]
            content = json.dumps(_renumber(data, self.numbers, at)).encode()
            self.renumbered += at[0]
            return web.Response(status=status, body=content, headers=headers)
        if mode == "trickle":
            response = web.StreamResponse(status=status, headers=headers)
            response.content_length = len(content)
            await response.prepare(request)
            for i in range(len(content)):
                await response.write(content[i : i + 1])
                await asyncio.sleep(1.0)
            await response.write_eof()
            return response
        raise ValueError(f"unknown mode {mode!r}")
