"""Many reads at once, but not too many: a farm view that needs one call per job (dead frames, stuck
frames) sends them a few at a time, so a farm of 500 jobs neither waits on them one by one nor sends
500 requests in the same instant."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

# Reads of this many jobs are in flight at once (each job is one or a few GetFrames pages).
JOB_CONCURRENCY = 8

T = TypeVar("T")


async def gather_limited(calls: Sequence[Callable[[], Awaitable[T]]], limit: int = JOB_CONCURRENCY) -> list[T]:
    """Await every call, at most `limit` at a time, results in order."""
    semaphore = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[T]]) -> T:
        async with semaphore:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls)))
