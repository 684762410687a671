"""The client's aiohttp transport over real loopback sockets: keep-alive, bounded and inflated answers,
half-read connections not reused, and aiohttp's failures worded as before (no mocks of either library)."""

from __future__ import annotations

import asyncio
import gzip
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from aiohttp import web

from cuetui.gateway.aiohttp_transport import AiohttpTransport
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.errors import AnswerTooLarge, RequestDeadline, Unreachable
from cuetui.gateway.requests import Requester
from cuetui.gateway.transport import GatewayTransport
from tests.waiting import wait_for_loop

ME = Requester("jdoe", 1, "ws")
SHOWS = b'{"shows":{"shows":[{"id":"s1","name":"testing","active":true}]}}'

Handler = Callable[[web.Request], "asyncio.Future[web.StreamResponse]"]


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], asyncio.Future[tuple[str, set[int]]]]]:
    """Start a loopback server with one handler; gives its URL and the client ports it has seen."""
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> tuple[str, set[int]]:
        peers: set[int] = set()

        async def counting(request: web.Request) -> web.StreamResponse:
            peername = request.transport.get_extra_info("peername") if request.transport else None
            if peername:
                peers.add(peername[1])
            return await handler(request)

        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", counting)
        runner = web.AppRunner(app, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}", peers

    yield start  # type: ignore[misc]
    for runner in runners:
        await runner.cleanup()


async def shows(request: web.Request) -> web.StreamResponse:
    return web.Response(body=SHOWS, content_type="application/json")


async def test_the_default_transport_is_aiohttp_and_reuses_one_connection(
    serve: Callable[[Handler], asyncio.Future[tuple[str, set[int]]]],
) -> None:
    url, peers = await serve(shows)
    async with GatewayClient(url, requester=ME) as client:
        transport = client._http._transport
        assert isinstance(transport, GatewayTransport) and transport.active == "aiohttp"  # imported here
        for _ in range(5):
            assert [s.name for s in await client.get_shows()] == ["testing"]
    assert len(peers) == 1, "five calls one after another share one keep-alive connection"


async def test_a_proxy_in_the_environment_keeps_httpx_own_transport(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    async with GatewayClient("http://gateway.invalid:8448", requester=ME) as client:
        assert not isinstance(client._http._transport, GatewayTransport)


async def test_once_aiohttp_takes_over_httpx_idle_connections_are_closed(monkeypatch: pytest.MonkeyPatch) -> None:
    from cuetui.gateway import transport as transport_module

    app = web.Application()
    app.router.add_post("/{tail:.*}", shows)
    server = web.Server(app._handle)
    runner = web.ServerRunner(server, shutdown_timeout=0.1)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{runner.addresses[0][1]}"
    ready = False
    monkeypatch.setattr(transport_module, "fast_ready", lambda: ready)
    monkeypatch.setattr(transport_module, "import_in_background", lambda delay=0.0: None)
    try:
        async with GatewayClient(url, requester=ME) as client:
            transport = client._http._transport
            assert isinstance(transport, GatewayTransport) and transport.active == "httpx"
            assert await client.get_shows()
            assert len(server.connections) == 1  # httpx's keep-alive connection, idle now
            ready = True
            assert transport.active == "aiohttp"
            assert await client.get_shows()
            assert await client.get_shows()
            await wait_for_loop(lambda: len(server.connections) == 1, what="httpx's idle connection closed")
    finally:
        await runner.cleanup()


STARTUP_CHECK = """
import sys, time
from cuetui.gateway import transport
from cuetui.gateway.client import GatewayClient
client = GatewayClient("http://127.0.0.1:9", None)
assert "aiohttp" not in sys.modules, "importing and making the client must not import aiohttp"
assert client._http._transport.active == "httpx"
transport.import_in_background(0)
assert transport._imported.wait(120), "aiohttp was not imported in the background"
assert client._http._transport.active == "aiohttp"
print("ok")
"""


LEFT_OPEN = """
import asyncio
from aiohttp import web
import cuetui.gateway.aiohttp_transport
from cuetui.gateway.client import GatewayClient

async def main():
    app = web.Application()
    async def shows(request):
        return web.json_response({"shows": {"shows": []}})
    app.router.add_post("/{tail:.*}", shows)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    client = GatewayClient(f"http://127.0.0.1:{runner.addresses[0][1]}", None)
    assert client._http._transport.active == "aiohttp"
    assert await client.get_shows() == []
    return client  # never closed, as the TUI leaves its client

kept = asyncio.run(main())
print("ok")
"""


def test_a_client_left_open_when_its_loop_ends_says_nothing_on_the_terminal() -> None:
    done = subprocess.run([sys.executable, "-c", LEFT_OPEN], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
    assert "Unclosed" not in done.stderr and done.stderr.strip() == "", done.stderr


def test_start_up_does_not_wait_for_aiohttp_which_arrives_in_the_background() -> None:
    done = subprocess.run([sys.executable, "-c", STARTUP_CHECK], capture_output=True, text=True, timeout=180)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


async def test_gzip_answers_are_inflated_and_a_bomb_is_refused(
    serve: Callable[[Handler], asyncio.Future[tuple[str, set[int]]]],
) -> None:
    bomb = gzip.compress(b'{"shows":{"shows":[' + b" " * (64 * 1024 * 1024) + b"]}}")
    calls = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        body = gzip.compress(SHOWS) if calls != 2 else bomb
        return web.Response(body=body, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})

    url, _ = await serve(handler)
    async with GatewayClient(url, requester=ME, max_answer_bytes=1024 * 1024) as client:
        assert [s.name for s in await client.get_shows()] == ["testing"]
        with pytest.raises(AnswerTooLarge, match="max_answer_mb"):
            await client.get_shows()
        assert [s.name for s in await client.get_shows()] == ["testing"]


async def test_an_answer_refused_half_read_does_not_leave_its_connection_for_reuse(
    serve: Callable[[Handler], asyncio.Future[tuple[str, set[int]]]],
) -> None:
    calls = 0

    async def handler(request: web.Request) -> web.StreamResponse:
        nonlocal calls
        calls += 1
        body = SHOWS if calls != 2 else b'{"shows":{"shows":[' + b" " * (4 * 1024 * 1024) + b"]}}"
        return web.Response(body=body, content_type="application/json")

    url, peers = await serve(handler)
    async with GatewayClient(url, requester=ME, max_answer_bytes=1024 * 1024) as client:
        assert [s.name for s in await client.get_shows()] == ["testing"]
        with pytest.raises(AnswerTooLarge, match="max_answer_mb"):
            await client.get_shows()
        assert [s.name for s in await client.get_shows()] == ["testing"]
    assert len(peers) == 2, "the connection of the refused answer was closed, the next call opened another"


async def test_a_chunked_answer_in_many_pieces_is_read_whole(
    serve: Callable[[Handler], asyncio.Future[tuple[str, set[int]]]],
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        response.enable_chunked_encoding()
        await response.prepare(request)
        for i in range(0, len(SHOWS), 7):  # HTTP chunks of 7 bytes, some flushed apart
            await response.write(SHOWS[i : i + 7])
            if i % 21 == 0:
                await asyncio.sleep(0)
        await response.write_eof()
        return response

    url, _ = await serve(handler)
    async with GatewayClient(url, requester=ME) as client:
        assert [s.name for s in await client.get_shows()] == ["testing"]
        assert [s.name for s in await client.get_shows()] == ["testing"]


async def test_a_chunked_answer_whose_chunk_ends_arrive_apart_is_read_whole() -> None:
    """Each chunk's data, then (in a later segment) the line ending it: the reader sees the end of an HTTP
    chunk with no data, which is not the end of the answer."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        await reader.readexactly(2)  # the body: b"{}"
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        for i in range(0, len(SHOWS), 9):
            piece = SHOWS[i : i + 9]
            writer.write(b"%x\r\n%s" % (len(piece), piece))
            await writer.drain()
            await asyncio.sleep(0.01)  # shapes the segments: the chunk's end comes apart from its data
            writer.write(b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with GatewayClient(f"http://127.0.0.1:{port}", requester=ME) as client:
            assert [s.name for s in await client.get_shows()] == ["testing"]
    finally:
        server.close()
        await server.wait_closed()


async def test_an_answer_cut_short_is_a_dropped_connection(
    serve: Callable[[Handler], asyncio.Future[tuple[str, set[int]]]],
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "1000", "Content-Type": "application/json"})
        await response.prepare(request)
        await response.write(b'{"shows":{"sh')
        assert request.transport is not None
        request.transport.close()
        return response

    url, _ = await serve(handler)
    async with GatewayClient(url, requester=ME) as client:
        with pytest.raises(Unreachable, match="connection dropped"):
            await client.get_shows()


async def test_a_trickling_answer_ends_at_the_request_deadline(
    serve: Callable[[Handler], asyncio.Future[tuple[str, set[int]]]],
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        for _ in range(600):  # a byte every 50 ms: no read waits long, the whole never arrives
            await response.write(b" ")
            await asyncio.sleep(0.05)
        return response

    url, _ = await serve(handler)
    async with GatewayClient(url, requester=ME, deadline=0.5) as client:
        with pytest.raises(RequestDeadline, match="request_deadline"):
            await client.get_shows()


async def test_failures_to_connect_say_what_happened() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with GatewayClient(f"http://127.0.0.1:{port}", requester=ME) as client:
        with pytest.raises(Unreachable, match="connection refused"):
            await client.get_shows()
    async with GatewayClient("http://cuetui-no-such-host.invalid:8448", requester=ME) as client:
        with pytest.raises(Unreachable, match="host name not found"):
            await client.get_shows()


async def test_a_client_used_from_a_second_event_loop_reconnects() -> None:
    """One asyncio.run after another (as a command may do): the second loop gets its own session."""

    async def start() -> tuple[web.AppRunner, str]:
        app = web.Application()
        app.router.add_post("/{tail:.*}", shows)
        runner = web.AppRunner(app, shutdown_timeout=0.1)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"

    transport = AiohttpTransport(verify=False)

    async def one(last: bool) -> int:
        runner, url = await start()
        http = httpx.AsyncClient(transport=transport)
        try:
            return (await http.post(url + "/show.ShowInterface/GetShows", content=b"{}")).status_code
        finally:
            if last:
                await http.aclose()
            await runner.cleanup()

    assert await asyncio.to_thread(asyncio.run, one(False)) == 200
    assert await asyncio.to_thread(asyncio.run, one(True)) == 200
