"""Every way a gateway (or what stands in front of it) can answer becomes one clear GatewayError.

A small aiohttp server on loopback plays the misbehaving gateway: real HTTP, real sockets, no mocks.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Callable

import pytest
from aiohttp import web

from cuetui.gateway.client import GatewayClient
from cuetui.gateway.errors import (
    BadResponse,
    DeadlineExceeded,
    InvalidRequest,
    NotFound,
    ServerError,
    Unauthorized,
    Unreachable,
)
from cuetui.gateway.requests import FrameSearch, Requester

Handler = Callable[[web.Request], "asyncio.Future[web.StreamResponse] | object"]
ME = Requester("jdoe", 1, "ws")


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[Handler], asyncio.Future[str]]]:
    runners: list[web.AppRunner] = []

    async def start(handler: Handler) -> str:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", handler)  # type: ignore[arg-type]
        runner = web.AppRunner(app, shutdown_timeout=0.1)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = runner.addresses[0][1]
        return f"http://127.0.0.1:{port}"

    yield start  # type: ignore[misc]
    for runner in runners:
        await runner.cleanup()


def json_response(status: int, body: str, content_type: str = "application/json") -> Handler:
    async def handler(request: web.Request) -> web.Response:
        return web.Response(status=status, text=body, content_type=content_type.split(";")[0])

    return handler


async def test_success_and_bodies_sent(serve: Callable[[Handler], asyncio.Future[str]]) -> None:
    seen: list[tuple[str, bytes, str | None]] = []

    async def handler(request: web.Request) -> web.Response:
        seen.append((request.path, await request.read(), request.headers.get("Grpc-Timeout")))
        if request.path.endswith("GetUpdatedFrames"):
            return web.json_response(
                {
                    "state": "PENDING",
                    "serverTime": 1767230579,
                    "updatedFrames": {"updatedFrames": [{"id": "f1", "state": "SUCCEEDED", "maxRss": "12"}]},
                }
            )
        return web.json_response({"shows": {"shows": [{"id": "s", "name": "testing", "showStats": None}]}})

    url = await serve(handler)
    async with GatewayClient(url, requester=ME) as client:
        shows = await client.get_shows()
        updated = await client.get_updated_frames("j", 1767230519)
    assert shows[0].name == "testing" and shows[0].stats.running_frames == 0
    assert updated.server_time == 1767230579 and updated.frames[0].max_rss == 12
    assert seen[0][0] == "/show.ShowInterface/GetShows" and seen[0][1] == b"{}"
    assert seen[1][2] == "10S"
    assert client.requests_sent == 2 and client.clock_skew() is not None


@pytest.mark.parametrize(
    ("status", "body", "ctype", "error", "words"),
    [
        (
            401,
            "Token validation error: token signature is invalid: signature is invalid\n",
            "text/plain",
            Unauthorized,
            "signature is invalid",
        ),
        (404, '{"code":5,"message":"Job not found","details":[]}', "application/json", NotFound, "Job not found"),
        (400, '{"code":3,"message":"unexpected EOF","details":[]}', "application/json", InvalidRequest, "EOF"),
        (
            500,
            '{"code":13,"message":"java.lang.NullPointerException","details":[]}',
            "application/json",
            ServerError,
            "NullPointer",
        ),
        (503, '{"code":14,"message":"connection error","details":[]}', "application/json", ServerError, "503"),
        (504, '{"code":4,"message":"Deadline Exceeded","details":[]}', "application/json", DeadlineExceeded, "504"),
        (502, "<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html", BadResponse, "HTML page"),
        (200, '{"jobs":{"jobs":[{"id":"a"', "application/json", BadResponse, "truncated"),
        (200, "[1,2]", "application/json", BadResponse, "not an object"),
    ],
)
async def test_error_mapping(
    serve: Callable[[Handler], asyncio.Future[str]], status: int, body: str, ctype: str, error: type, words: str
) -> None:
    url = await serve(json_response(status, body, ctype))
    async with GatewayClient(url, requester=ME) as client:
        with pytest.raises(error) as exc:
            await client.get_jobs()
    message = str(exc.value)
    assert words in message and "\n" not in message and "Traceback" not in message


async def test_unreachable_when_nothing_listens() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    async with GatewayClient(f"http://127.0.0.1:{port}", requester=ME) as client:
        with pytest.raises(Unreachable, match=r"unreachable at http://127\.0\.0\.1:\d+: connection refused"):
            await client.get_shows()


async def test_dropped_connection(serve: Callable[[Handler], asyncio.Future[str]]) -> None:
    async def handler(request: web.Request) -> web.Response:
        assert request.transport is not None
        request.transport.close()
        raise ConnectionResetError

    url = await serve(handler)
    async with GatewayClient(url, requester=ME) as client:
        with pytest.raises(Unreachable, match=r"dropped|unreachable"):
            await client.get_shows()


async def test_hanging_updated_frames_becomes_deadline(serve: Callable[[Handler], asyncio.Future[str]]) -> None:
    async def handler(request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.json_response({})

    url = await serve(handler)
    async with GatewayClient(url, requester=ME) as client:
        with pytest.raises(DeadlineExceeded):
            await client.call(
                __import__("cuetui.gateway.requests", fromlist=["x"]).get_updated_frames("j", 5),
                grpc_timeout=1,
                timeout=0.3,
            )


async def test_pages_until_a_short_page(serve: Callable[[Handler], asyncio.Future[str]]) -> None:
    import json

    total = 2500
    pages_asked: list[int] = []

    async def handler(request: web.Request) -> web.Response:
        body = json.loads(await request.read())
        page, limit = body["req"]["page"], body["req"]["limit"]
        pages_asked.append(page)
        start = (page - 1) * limit
        frames = [{"id": f"f{i}", "name": f"{i:04d}-r", "number": i} for i in range(start, min(total, start + limit))]
        return web.json_response({"frames": {"frames": frames}})

    url = await serve(handler)
    async with GatewayClient(url, requester=ME) as client:
        seq = await client.get_all_frames("j", page_size=1000)
        pages_asked.clear()
        conc = await client.get_all_frames("j", FrameSearch(), expected=total, page_size=1000)
    assert len(seq) == total == len(conc) and len({f.id for f in conc}) == total
    assert sorted(pages_asked) == [1, 2, 3]


async def test_shifted_pages_give_every_frame_once_in_first_seen_order(
    serve: Callable[[Handler], asyncio.Future[str]],
) -> None:
    import json

    async def handler(request: web.Request) -> web.Response:
        page = json.loads(await request.read())["req"]["page"]
        # a frame that changed state moved: page 2 repeats page 1's last frame, page 3 one twice
        numbers = {1: [0, 1, 2], 2: [2, 3, 4], 3: [5, 5]}.get(page, [])
        return web.json_response({"frames": {"frames": [{"id": f"f{i}", "number": i} for i in numbers]}})

    url = await serve(handler)
    async with GatewayClient(url, requester=ME) as client:
        frames = await client.get_all_frames("j", page_size=3)
    assert [f.id for f in frames] == ["f0", "f1", "f2", "f3", "f4", "f5"]


async def test_secret_never_in_errors(serve: Callable[[Handler], asyncio.Future[str]]) -> None:
    import httpx

    secret_token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.SECRETSIGNATURE"

    class Fixed(httpx.Auth):
        kind = "fixed"

        def expired(self) -> bool:
            return False

        def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
            request.headers["Authorization"] = f"Bearer {secret_token}"
            yield request

    url = await serve(
        json_response(401, "Token validation error: token has invalid claims: token is expired\n", "text/plain")
    )
    async with GatewayClient(url, Fixed(), requester=ME) as client:
        with pytest.raises(Unauthorized) as exc:
            await client.get_shows()
    assert "SECRETSIGNATURE" not in str(exc.value) and "expired" in str(exc.value)
    assert exc.value.expired


async def test_plain_http_loads_no_ca_bundle(
    serve: Callable[[Handler], asyncio.Future[str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading the CA bundle is a slow part of start-up that plain HTTP does not need."""
    import ssl

    loaded: list[object] = []
    real = ssl.SSLContext.load_verify_locations

    def spy(self: ssl.SSLContext, *args: object, **kwargs: object) -> None:
        loaded.append(args or kwargs)
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ssl.SSLContext, "load_verify_locations", spy)

    async def no_shows(request: web.Request) -> web.Response:
        return web.json_response({"shows": {"shows": []}})

    url = await serve(no_shows)
    async with GatewayClient(url, requester=ME) as client:
        assert await client.get_shows() == []
    assert loaded == []
    async with GatewayClient("https://gateway.invalid:8443", requester=ME):
        pass
    assert loaded, "an https gateway still verifies against the CA bundle"
