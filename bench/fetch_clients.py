"""The clients of the fetch + decode benchmark, each run in a fresh process of its own.

`python -m bench.fetch_clients CLIENT URL JOB_ID FRAMES ROUNDS` fetches every frame of the job ROUNDS
times (after one warm-up) and prints one JSON line: the best round's client CPU seconds (this process:
user + system, `time.process_time`) and wall seconds, and the frames it got. Clients:

* `cuetui`: GatewayClient.iter_frame_pages, as the job screen asks (pages of 1000, 4 in flight,
  models; the job screen's FrameSync keys the frames by id itself);
* `cuetui-all`: GatewayClient.get_all_frames, which also drops a frame seen twice (pages that shifted
  while frames changed), as the dead-frames and stuck-frames reads ask;
* `tutorial`: like the OpenCue REST tutorial's Python client: requests.Session, one page of 500 after
  another, json.loads, plain dicts;
* `aiohttp-bytes`: an aiohttp session fetching cuetui's pages the same way (1000, 4 in flight), bytes
  only: the transport's own cost (cuetui's client sends through aiohttp), the floor of any client on it;
* `aiohttp-msgspec`: the same, then msgspec decoding each page into plain Structs (field names and
  types only: no bounds, enum checks or fallbacks): what a minimal typed client on this stack costs;
* `httpx-bytes`, `httpx-msgspec`: the same two on httpx.AsyncClient with httpx's own transport (what
  cuetui's client sent through before), for comparison.

The bytes-only clients count a page's frames as the page size asked for, once the answer is whole
(a 200 ending the way a GetFrames answer ends): counting `"id":` keys in the bytes costs more than the
transport reads them (0.4 µs a frame).

Every client hands back what it decoded (the bytes-only ones the bytes), as a client does for its
caller, and the clock stops then: the figures include building and holding 50 000 frames' objects (in
fresh memory: a client that dropped each page as it decoded it would re-use warm memory, ~0.6 µs a
frame less) but not freeing them afterwards, for every client alike.

`--cprofile` after the arguments prints a cProfile of one fetch instead (CPU clock).

With PYTHONPATH pointing at another source tree first, `cuetui` is that tree's (a before/after run).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import msgspec

PAGE = 1000
CONCURRENCY = 4
TUTORIAL_PAGE = 500
TOKEN = "bench"  # the page server does not check it; sent as a real client would

# What a client gives back: how many frames it got, and what it decoded (kept until the clock stops).
Fetched = tuple[int, Any]
Decode = Callable[[bytes, int], Fetched]


def cuetui_client(url: str, job_id: str, total: int) -> Fetched:
    from cuetui.gateway.client import GatewayClient

    # Imported up front, as a running cuetui has done by the time a job is opened (a --before tree may
    # predate it: the client then sent through httpx's own transport).
    with contextlib.suppress(ImportError):
        import cuetui.gateway.aiohttp_transport  # noqa: F401

    async def fetch() -> Fetched:
        frames: list[Any] = []
        async with GatewayClient(url, None) as client:
            async for page in client.iter_frame_pages(job_id, expected=total):
                frames.extend(page)
        return len(frames), frames

    return asyncio.run(fetch())


def cuetui_all_client(url: str, job_id: str, total: int) -> Fetched:
    from cuetui.gateway.client import GatewayClient

    with contextlib.suppress(ImportError):
        import cuetui.gateway.aiohttp_transport  # noqa: F401

    async def fetch() -> Fetched:
        async with GatewayClient(url, None) as client:
            frames = await client.get_all_frames(job_id, expected=total)
        return len(frames), frames

    return asyncio.run(fetch())


def tutorial_client(url: str, job_id: str, total: int) -> Fetched:
    import requests

    session = requests.Session()
    session.headers.update({"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    frames: list[dict[str, Any]] = []
    page = 1
    with session:
        while True:
            response = session.post(
                f"{url}/job.JobInterface/GetFrames",
                json={"job": {"id": job_id}, "req": {"page": page, "limit": TUTORIAL_PAGE}},
            )
            response.raise_for_status()
            batch = json.loads(response.content)["frames"]["frames"]
            frames.extend(batch)
            if len(batch) < TUTORIAL_PAGE:
                return len(frames), frames
            page += 1


def _httpx_pages(url: str, job_id: str, total: int, decode: Decode) -> Fetched:
    import ssl

    import httpx

    pages = -(-total // PAGE)

    async def fetch() -> Fetched:
        async with httpx.AsyncClient(
            base_url=url,
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
            limits=httpx.Limits(max_connections=CONCURRENCY * 2, max_keepalive_connections=CONCURRENCY),
            # Plain HTTP: no CA bundle to load, as cuetui's client does (a fixed cost, not per frame).
            verify=ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT),
        ) as client:
            semaphore = asyncio.Semaphore(CONCURRENCY)

            async def one(page: int) -> Fetched:
                async with semaphore:
                    body = json.dumps({"job": {"id": job_id}, "req": {"page": page, "limit": PAGE}})
                    response = await client.post("/job.JobInterface/GetFrames", content=body)
                    return decode(response.content, min(PAGE, total - (page - 1) * PAGE))

            return _pages(await asyncio.gather(*(one(p) for p in range(1, pages + 1))))

    return asyncio.run(fetch())


def _aiohttp_pages(url: str, job_id: str, total: int, decode: Decode) -> Fetched:
    import aiohttp

    pages = -(-total // PAGE)

    async def fetch() -> Fetched:
        async with aiohttp.ClientSession(
            base_url=url,
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
            connector=aiohttp.TCPConnector(limit=CONCURRENCY * 2),
        ) as session:
            semaphore = asyncio.Semaphore(CONCURRENCY)

            async def one(page: int) -> Fetched:
                async with semaphore:
                    body = json.dumps({"job": {"id": job_id}, "req": {"page": page, "limit": PAGE}})
                    async with session.post("/job.JobInterface/GetFrames", data=body) as response:
                        return decode(await response.read(), min(PAGE, total - (page - 1) * PAGE))

            return _pages(await asyncio.gather(*(one(p) for p in range(1, pages + 1))))

    return asyncio.run(fetch())


def _pages(pages: list[Fetched]) -> Fetched:
    return sum(count for count, _ in pages), [kept for _, kept in pages]


def _whole(content: bytes, asked: int) -> Fetched:
    """A bytes-only client's frame count: the frames asked for, once the answer is whole; it keeps the
    bytes, as a client keeps what it fetched."""
    return (asked if content.endswith(b"]}}") else 0), content


def httpx_bytes_client(url: str, job_id: str, total: int) -> Fetched:
    return _httpx_pages(url, job_id, total, _whole)


def aiohttp_bytes_client(url: str, job_id: str, total: int) -> Fetched:
    return _aiohttp_pages(url, job_id, total, _whole)


class _PlainOverride(msgspec.Struct, rename="camel"):
    state: str = ""
    text: str = ""


class _PlainFrame(msgspec.Struct, rename="camel"):
    id: str = ""
    name: str = ""
    layer_name: str = ""
    number: int = 0
    state: str = ""
    retry_count: int = 0
    exit_status: int = 0
    dispatch_order: int = 0
    start_time: int = 0
    stop_time: int = 0
    max_rss: int = 0
    used_memory: int = 0
    reserved_memory: int = 0
    reserved_gpu_memory: int = 0
    last_resource: str = ""
    checkpoint_state: str = ""
    checkpoint_count: int = 0
    total_core_time: int = 0
    llu_time: int = 0
    total_gpu_time: int = 0
    max_gpu_memory: int = 0
    used_gpu_memory: int = 0
    frame_state_display_override: _PlainOverride | None = None
    max_pss: int = 0
    used_pss: int = 0
    eligible_time: int = 0
    submission_time: int = 0


class _PlainSeq(msgspec.Struct):
    frames: list[_PlainFrame] = []


class _PlainAnswer(msgspec.Struct):
    frames: _PlainSeq | None = None


_PLAIN = msgspec.json.Decoder(_PlainAnswer, strict=False)  # strict=False: int64 values are strings


def _plain_count(content: bytes, asked: int) -> Fetched:
    answer = _PLAIN.decode(content)
    return (len(answer.frames.frames) if answer.frames else 0), answer


def httpx_msgspec_client(url: str, job_id: str, total: int) -> Fetched:
    return _httpx_pages(url, job_id, total, _plain_count)


def aiohttp_msgspec_client(url: str, job_id: str, total: int) -> Fetched:
    return _aiohttp_pages(url, job_id, total, _plain_count)


CLIENTS: dict[str, Callable[[str, str, int], Fetched]] = {
    "cuetui": cuetui_client,
    "cuetui-all": cuetui_all_client,
    "tutorial": tutorial_client,
    "httpx-bytes": httpx_bytes_client,
    "httpx-msgspec": httpx_msgspec_client,
    "aiohttp-bytes": aiohttp_bytes_client,
    "aiohttp-msgspec": aiohttp_msgspec_client,
}


def profile(client: Callable[[str, str, int], Fetched], url: str, job_id: str, total: int) -> str:
    """cProfile of one fetch after the warm-up, on the process's CPU clock, by own and cumulative time."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    count, kept = client(url, job_id, total)
    profiler.disable()
    del kept
    out = io.StringIO()
    for sort in ("tottime", "cumulative"):
        out.write(f"## by {'own' if sort == 'tottime' else 'cumulative'} CPU time ({count:,} frames)\n")
        pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(sort).print_stats(30)
    return out.getvalue()


def main(argv: list[str]) -> None:
    name, url, job_id, total, rounds = argv[0], argv[1], argv[2], int(argv[3]), int(argv[4])
    client = CLIENTS[name]
    client(url, job_id, total)  # warm-up: imports, connections, the server's page cache
    if "--cprofile" in argv:
        print(profile(client, url, job_id, total))
        return
    best_cpu = best_wall = float("inf")
    count = 0
    for _ in range(rounds):
        cpu, wall = time.process_time(), time.perf_counter()
        count, kept = client(url, job_id, total)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
        del kept  # released after the clock stopped: freeing what was fetched is not fetching it
    print(json.dumps({"client": name, "cpu": best_cpu, "wall": best_wall, "frames": count}))


if __name__ == "__main__":
    main(sys.argv[1:])
