"""Reading an answer within a size limit: decompressed a slice at a time, refused past the limit."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest

from cuetui.gateway.answer import AnswerTooLarge, UnreadableEncoding, read_bounded


def _streamed(chunks: list[bytes], headers: dict[str, str] | None = None) -> httpx.Response:
    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk

    return httpx.Response(200, headers=headers or {}, content=body())


async def test_plain_and_gzip_answers_read_whole() -> None:
    data = b'{"jobs":{"jobs":[]}}' * 1000
    assert await read_bounded(_streamed([data[:7], data[7:]]), 1 << 20) == data
    packed = gzip.compress(data)
    got = await read_bounded(_streamed([packed[:10], packed[10:]], {"Content-Encoding": "gzip"}), 1 << 20)
    assert got == data
    deflated = zlib.compress(data)
    assert await read_bounded(_streamed([deflated], {"Content-Encoding": "deflate"}), 1 << 20) == data


async def test_a_gzip_bomb_stops_at_the_limit() -> None:
    z = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = b"".join(z.compress(b"\0" * (1 << 20)) for _ in range(64)) + z.flush()  # 64 MiB inflated
    assert len(bomb) < 200_000
    with pytest.raises(AnswerTooLarge):
        await read_bounded(_streamed([bomb], {"Content-Encoding": "gzip"}), 1 << 20)


async def test_a_body_past_the_limit_is_refused() -> None:
    with pytest.raises(AnswerTooLarge):
        await read_bounded(_streamed([b" " * 4096] * 300), 1 << 20)
    with pytest.raises(AnswerTooLarge):  # declared: refused before a byte is read
        await read_bounded(_streamed([], {"Content-Length": str(1 << 30)}), 1 << 20)


async def test_an_encoding_not_asked_for_is_refused() -> None:
    with pytest.raises(UnreadableEncoding):
        await read_bounded(_streamed([b"x"], {"Content-Encoding": "br"}), 1 << 20)
    with pytest.raises(UnreadableEncoding):
        await read_bounded(_streamed([b"not gzip at all"], {"Content-Encoding": "gzip"}), 1 << 20)


async def test_an_answer_that_outlives_its_call_keeps_no_body() -> None:
    # A response kept alive after the call (here by the transport; in the app by a reference cycle
    # the collector has not reached, or frozen by gc.freeze) must not keep its body with it.
    from cuetui.gateway.answer import body_of
    from cuetui.gateway.client import GatewayClient

    kept: list[httpx.Response] = []
    page = b'{"frames":{"frames":[]}}' + b" " * 100_000

    class Keeping(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            response = _streamed([page[:50_000], page[50_000:]])  # as a network answer comes
            kept.append(response)
            return response

    async with GatewayClient("http://gw", None, transport=Keeping()) as client:
        assert await client.get_frames("job-1") == []
    assert kept
    assert all(body_of(response) == b"" for response in kept)
