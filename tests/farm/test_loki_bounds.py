"""Loki's answers are read like the gateway's: within one deadline and a size limit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from cuetui.farm import logs
from cuetui.farm.logs import LokiClient, LokiError


def _client(body: AsyncIterator[bytes], timeout: float = 15.0) -> LokiClient:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    return LokiClient(
        "http://loki:3100", http=httpx.AsyncClient(transport=httpx.MockTransport(handler)), timeout=timeout
    )


async def test_an_endless_loki_answer_ends_at_the_deadline() -> None:
    async def endless() -> AsyncIterator[bytes]:
        yield b'{"status":"success","data":['
        while True:
            await asyncio.sleep(0.01)
            yield b" "

    start = time.monotonic()
    with pytest.raises(LokiError, match=r"no whole answer within 0\.5 s"):
        await _client(endless(), timeout=0.5).attempts("f-1")
    assert time.monotonic() - start < 3


async def test_a_huge_loki_answer_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "LOKI_MAX_ANSWER_BYTES", 1 << 20)

    async def huge() -> AsyncIterator[bytes]:
        for _ in range(64):
            yield b" " * (1 << 16)

    with pytest.raises(LokiError, match="larger than 1 MiB"):
        await _client(huge()).attempts("f-1")
