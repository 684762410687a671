"""Dead frames grouped by what went wrong: by error signature (`cuetui.farm.signatures`), exit status,
host, or not at all; and the lazy, bounded, cached log reads the signatures come from.

- `fetch_dead_frames(client, jobs)`: the DEAD frames of the jobs whose stats say they have some,
  newest death first (`cuetui.farm.triage.collect_dead`).
- `SignatureReader`: reads each dead frame's log tail (the path RQD writes, `log_path_map`, or Loki, as
  `cuetui.farm.logs` finds them) at most `concurrency` at a time, newest deaths first, and caches the
  signature by (frame id, retry count): a re-poll reads only frames that died since, or died again.
  `progress(dead)` is an async iterator of partial results, so a screen or a command can show the first
  groups before every log is read.
- `group_dead(dead, signatures, by)`: the groups, pure. A frame whose log is not read yet is in a
  "(log not read yet)" group when grouping by signature.

No Textual here; `cuetui dead` and the triage screen share it.
"""

from __future__ import annotations

import asyncio
import functools
import time
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from cuetui.farm.alerts import NEW_DEAD, Alert
from cuetui.farm.logs import LogFile, LogUnreadable, LokiClient, LokiError, frame_log_path, map_log_path
from cuetui.farm.signatures import Pattern, Signature, compile_patterns, signature_of, unreadable
from cuetui.farm.text import safe
from cuetui.farm.triage import NEVER_RAN, DeadFrame, collect_dead, exit_meaning
from cuetui.gateway.models import Frame, Job

if TYPE_CHECKING:
    from cuetui.gateway.client import GatewayClient

# What dead frames can be grouped by, in the order `g` cycles through them.
GROUPINGS = ("signature", "exit", "host", "none")
# The group of frames whose log has not been read yet.
NOT_READ = "(log not read yet)"
ALL_DEAD = "all dead frames"

# The end of a render log is where it failed; the first error line is in the last few hundred lines.
TAIL_BYTES = 32 * 1024
TAIL_LINES = 200
# Logs read at once: enough to hide NFS latency, few enough not to flood a file server or Loki.
READ_CONCURRENCY = 16
# Jobs whose dead frames are fetched at once.
JOB_CONCURRENCY = 8
# Seconds between two partial results of `SignatureReader.progress`.
PROGRESS_EVERY = 0.1
# Signatures kept at most (the oldest go first): a long session must not grow without end.
MAX_CACHED = 50_000

CacheKey = tuple[str, int]
ReadTail = Callable[[Job, Frame], Awaitable[list[str]]]


def cache_key(dead: DeadFrame) -> CacheKey:
    """What a signature is cached by: the frame id and its retry count (a new death is a new attempt)."""
    return dead.frame.id, dead.frame.retry_count


# --- grouping ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeadGroup:
    """Dead frames that share a signature, an exit status or a host, newest death first.

    `signature` is what they share (the normalised line, "exit 137 killed (OOM?)", a host name, or
    "all dead frames"); `example` the raw error line of the newest frame whose log was read ("" if none)."""

    signature: str
    example: str
    frames: tuple[DeadFrame, ...]

    @property
    def count(self) -> int:
        """How many dead frames."""
        return len(self.frames)

    @property
    def jobs(self) -> tuple[str, ...]:
        """The names of their jobs, sorted."""
        return tuple(sorted({d.job.name for d in self.frames}))

    @property
    def hosts(self) -> tuple[str, ...]:
        """The hosts they died on, sorted (frames that never ran have none)."""
        return tuple(sorted({d.host for d in self.frames if d.host}))

    @property
    def first_death(self) -> int:
        """Epoch seconds of the oldest death (0 when unknown)."""
        return min((d.died_at for d in self.frames), default=0)

    @property
    def last_death(self) -> int:
        """Epoch seconds of the newest death (0 when unknown)."""
        return max((d.died_at for d in self.frames), default=0)

    def to_json(self) -> dict[str, Any]:
        """The group as `cuetui dead --json` prints it."""
        return {
            "signature": self.signature,
            "example": self.example,
            "count": self.count,
            "jobs": list(self.jobs),
            "hosts": list(self.hosts),
            "frames": [
                {
                    "job": d.job.name,
                    "frame": d.frame.name,
                    "id": d.frame.id,
                    "host": d.host,
                    "exit_status": d.frame.exit_status,
                    "retry_count": d.frame.retry_count,
                    "died_at": d.died_at,
                }
                for d in self.frames
            ],
            "first_death": self.first_death,
            "last_death": self.last_death,
        }


def exit_label(status: int) -> str:
    """`exit 137 killed (OOM?)`: an exit status with its meaning when it has one."""
    meaning = exit_meaning(status)
    return f"exit {status} {meaning}" if meaning else f"exit {status}"


def group_key(dead: DeadFrame, signature: Signature | None, by: str) -> str:
    """The group of one dead frame when grouping `by` one of GROUPINGS."""
    if by == "signature":
        return signature.text if signature is not None else NOT_READ
    if by == "exit":
        return exit_label(dead.frame.exit_status)
    if by == "host":
        return dead.host or NEVER_RAN
    if by == "none":
        return ALL_DEAD
    raise ValueError(f"cannot group by {by!r}")


def group_dead(
    dead: Sequence[DeadFrame], signatures: Mapping[CacheKey, Signature], by: str = "signature"
) -> list[DeadGroup]:
    """The dead frames grouped `by` "signature", "exit", "host" or "none": largest group first (then the
    most recent death); frames keep their order (newest death first). Frames not read yet come last."""
    if by not in GROUPINGS:
        raise ValueError(f"cannot group by {by!r}")
    members: dict[str, list[DeadFrame]] = {}
    examples: dict[str, str] = {}
    for d in dead:
        sig = signatures.get(cache_key(d))
        key = group_key(d, sig, by)
        members.setdefault(key, []).append(d)
        if sig is not None and key not in examples:
            examples[key] = sig.raw
    groups = [DeadGroup(key, examples.get(key, ""), tuple(frames)) for key, frames in members.items()]
    groups.sort(key=lambda g: (g.signature == NOT_READ, -g.count, -g.last_death, g.signature))
    return groups


# --- fetching the dead frames ---------------------------------------------------------------------------


async def _bounded(calls: Sequence[Callable[[], Awaitable[Any]]], limit: int) -> list[Any]:
    semaphore = asyncio.Semaphore(limit)

    async def one(call: Callable[[], Awaitable[Any]]) -> Any:
        async with semaphore:
            return await call()

    return list(await asyncio.gather(*(one(c) for c in calls)))


async def fetch_dead_frames(
    client: GatewayClient, jobs: Iterable[Job], *, concurrency: int = JOB_CONCURRENCY
) -> list[DeadFrame]:
    """The DEAD frames of `jobs`, asking only for jobs whose stats count dead frames; newest first."""
    from cuetui.gateway.requests import FrameSearch

    search = FrameSearch(states=["DEAD"])
    with_dead = [j for j in jobs if j.stats.dead_frames > 0]

    def call(job: Job) -> Callable[[], Awaitable[tuple[Job, list[Frame]]]]:
        async def run() -> tuple[Job, list[Frame]]:
            return job, await client.get_all_frames(job.id, search, expected=job.stats.dead_frames)

        return run

    pairs = await _bounded([call(j) for j in with_dead], concurrency)
    return collect_dead(pairs)


async def new_dead_causes(
    client: GatewayClient,
    alerts: Sequence[Alert],
    reader: SignatureReader,
    *,
    max_frames: int = 32,
    max_fetched: int = 5_000,
) -> list[tuple[str, int]]:
    """The error signatures of the frames that just died (per job, its `new_dead` newest dead frames; at
    most `max_frames` logs in all, newest first; dead lists of at most `max_fetched` frames in all, the
    jobs with most new deaths first), as (signature, frames), most frames first. For the
    coalesced alert of a poll (`cuetui.farm.alerts.burst`). Gateway errors propagate."""
    dying = sorted((a for a in alerts if a.kind == NEW_DEAD and a.new_dead > 0), key=lambda a: -a.new_dead)
    # Cuebot cannot send only the newest dead frames: fetch whole dead lists, up to a bound in all.
    jobs, fetched = [], 0
    for a in dying:
        if fetched + a.job.stats.dead_frames > max_fetched:
            continue
        jobs.append(a.job)
        fetched += a.job.stats.dead_frames
    if not jobs:
        return []
    wanted = {a.job.id: a.new_dead for a in dying}
    dead = await fetch_dead_frames(client, jobs)
    taken: dict[str, int] = {}
    fresh = []
    for d in dead:  # newest first
        if taken.get(d.job.id, 0) < wanted[d.job.id]:
            taken[d.job.id] = taken.get(d.job.id, 0) + 1
            fresh.append(d)
    fresh = fresh[:max_frames]
    signatures = await reader.read_all(fresh)
    counts: dict[str, int] = {}
    for d in fresh:
        text = signatures[cache_key(d)].text
        counts[text] = counts.get(text, 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


# --- reading the logs ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadProgress:
    """A partial result: `done` of `total` dead frames have a signature, in `signatures`."""

    done: int
    total: int
    signatures: Mapping[CacheKey, Signature]

    @property
    def finished(self) -> bool:
        """True once every log has been read."""
        return self.done >= self.total


class SignatureReader:
    """Reads dead frames' logs for their signatures: lazily, at most `concurrency` at a time, newest
    deaths first, cached by (frame id, retry count). `reads` counts the logs actually read."""

    def __init__(
        self,
        *,
        log_path_map: Sequence[tuple[str, str]] = (),
        loki_url: str = "",
        patterns: Iterable[tuple[str, str]] = (),
        concurrency: int = READ_CONCURRENCY,
        tail_bytes: int = TAIL_BYTES,
        read_tail: ReadTail | None = None,
        max_cached: int = MAX_CACHED,
    ) -> None:
        self.log_path_map = tuple(log_path_map)
        self.loki_url = loki_url
        self.patterns: tuple[Pattern, ...] = compile_patterns(patterns)
        self.concurrency = max(1, concurrency)
        self.tail_bytes = tail_bytes
        self.cache: dict[CacheKey, Signature] = {}
        self.max_cached = max(1, max_cached)
        self.reads = 0
        self._read_tail = read_tail or self._default_read_tail
        self._loki: dict[str, LokiClient] = {}
        # Reads under way, by key: a second reader of the same log (triage and an alert at once) waits
        # for the first instead of reading it again.
        self._reading: dict[CacheKey, asyncio.Task[Signature]] = {}
        self._waiting: dict[CacheKey, int] = {}

    async def aclose(self) -> None:
        """Close the Loki clients this reader opened."""
        for loki in self._loki.values():
            await loki.aclose()
        self._loki.clear()

    async def _default_read_tail(self, job: Job, frame: Frame) -> list[str]:
        url = job.loki_url or self.loki_url
        if url:
            loki = self._loki.get(url)
            if loki is None:
                loki = self._loki[url] = LokiClient(url, limit=TAIL_LINES)
            lines, _more = await loki.lines(frame.id)
            return lines
        path = map_log_path(frame_log_path(job, frame), self.log_path_map)
        tail_bytes = self.tail_bytes
        return await asyncio.to_thread(lambda: LogFile(path, tail_bytes=tail_bytes).open_tail())

    async def read_one(self, dead: DeadFrame) -> Signature:
        """The signature of one dead frame (from the cache when its attempt was read before, or the read
        under way when another caller is reading it); never raises."""
        key = cache_key(dead)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        task = self._reading.get(key)
        if task is None:
            task = self._reading[key] = asyncio.ensure_future(self._read(key, dead))
            task.add_done_callback(functools.partial(self._read_done, key))
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            # Shielded: a caller given up on (a screen left) does not cancel a read another one waits
            # for; the last one to give up cancels it.
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            if self._waiting.get(key, 0) <= 1:
                task.cancel()
            raise
        finally:
            left = self._waiting.get(key, 1) - 1
            if left > 0:
                self._waiting[key] = left
            else:
                self._waiting.pop(key, None)

    def _read_done(self, key: CacheKey, _task: asyncio.Task[Signature]) -> None:
        self._reading.pop(key, None)

    async def _read(self, key: CacheKey, dead: DeadFrame) -> Signature:
        try:
            lines = await self._read_tail(dead.job, dead.frame)
        except (LogUnreadable, LokiError) as err:
            sig = unreadable(safe(str(err)))
        except OSError as err:
            sig = unreadable(f"cannot read the frame log: {type(err).__name__}")
        else:
            lines = [safe(line) for line in lines[-TAIL_LINES:]]
            sig = signature_of(lines, exit_status=dead.frame.exit_status, extra=self.patterns)
        self.reads += 1
        self.cache[key] = sig
        while len(self.cache) > self.max_cached:
            del self.cache[next(iter(self.cache))]
        return sig

    def forget_others(self, dead: Iterable[DeadFrame]) -> None:
        """Drop cached signatures of frames no longer dead (retried, eaten), so the cache stays bounded."""
        keep = {cache_key(d) for d in dead}
        for key in self.cache.keys() - keep:
            del self.cache[key]

    async def progress(
        self, dead: Sequence[DeadFrame], *, every: float = PROGRESS_EVERY
    ) -> AsyncIterator[ReadProgress]:
        """Partial results while the logs of `dead` are read, newest death first: one as soon as the
        first log is read (or at once when every signature is cached), then at most one per `every`
        seconds, and a last one when all are read."""
        found = {cache_key(d): self.cache[cache_key(d)] for d in dead if cache_key(d) in self.cache}
        todo = deque(sorted((d for d in dead if cache_key(d) not in found), key=lambda d: -d.died_at))
        total = len(dead)
        done = total - len(todo)
        if not todo:
            yield ReadProgress(done, total, found)
            return
        finished: asyncio.Queue[None] = asyncio.Queue()

        async def worker() -> None:
            while todo:
                d = todo.popleft()
                found[cache_key(d)] = await self.read_one(d)
                finished.put_nowait(None)

        workers = [asyncio.create_task(worker()) for _ in range(min(self.concurrency, len(todo)))]
        try:
            # What an earlier, abandoned pass read is shown at once, not after the next read ends.
            if done:
                yield ReadProgress(done, total, dict(found))
            last = time.monotonic() if done else 0.0
            shown = done
            while done < total:
                # A count held back by the interval is shown when the interval ends, even when no
                # other read ends by then (the rest may be slow).
                wait = None if shown == done else max(0.0, every - (time.monotonic() - last))
                try:
                    await asyncio.wait_for(finished.get(), wait)
                except TimeoutError:
                    pass
                else:
                    done += 1
                while not finished.empty():
                    finished.get_nowait()
                    done += 1
                now = time.monotonic()
                if done > shown and (last == 0.0 or done >= total or now - last >= every):
                    last = now
                    shown = done
                    yield ReadProgress(done, total, dict(found))
        finally:
            for task in workers:
                task.cancel()
            await asyncio.gather(*workers, return_exceptions=True)

    async def read_all(
        self, dead: Sequence[DeadFrame], on_progress: Callable[[ReadProgress], None] | None = None
    ) -> dict[CacheKey, Signature]:
        """Every signature of `dead`; `on_progress` is called with each partial result."""
        result: Mapping[CacheKey, Signature] = {}
        async for partial in self.progress(dead):
            result = partial.signatures
            if on_progress is not None:
                on_progress(partial)
        return dict(result)


__all__ = [
    "ALL_DEAD",
    "GROUPINGS",
    "NOT_READ",
    "DeadGroup",
    "ReadProgress",
    "SignatureReader",
    "cache_key",
    "exit_label",
    "fetch_dead_frames",
    "group_dead",
    "group_key",
    "new_dead_causes",
]
