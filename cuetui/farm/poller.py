"""Poll loops: one call at a time, the next armed only when the last has finished, back-off on errors.

No Textual here: a screen runs `PollLoop.run()` in a worker, pauses it when hidden and pokes it after an
action. A slow gateway therefore never gets stacked requests, and a dead one is retried at a capped
back-off (1, 2, 4, 8, 15, 15 … s) so the app is live again within 15 s of the gateway's return.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

from cuetui.gateway.errors import GatewayError

log = logging.getLogger("cuetui.farm")

T = TypeVar("T")

BACKOFF_CAP = 15.0


class Backoff:
    """Doubling delays from `initial` up to `cap` seconds, with a little jitter so many clients that
    lost the same gateway don't all come back in the same second."""

    def __init__(self, initial: float = 1.0, factor: float = 2.0, cap: float = BACKOFF_CAP, jitter: float = 0.1):
        self.initial = initial
        self.factor = factor
        self.cap = cap
        self.jitter = jitter
        self._next = initial

    def next(self) -> float:
        """The delay before the next try; each call doubles the following one up to the cap."""
        delay = self._next
        self._next = min(self.cap, self._next * self.factor)
        if self.jitter:
            delay *= 1 + random.uniform(-self.jitter, 0)
        return max(0.0, min(self.cap, delay))

    def reset(self) -> None:
        """Back to the first delay (after a success)."""
        self._next = self.initial


class DeadlineBackoff(Backoff):
    """A back-off that never waits past `timeout` seconds of failures in a row (`cuetui monitor
    --timeout`): the last try comes at the deadline, and `waited()` says how long the run has lasted."""

    def __init__(self, timeout: float, clock: Callable[[], float], **kwargs: float) -> None:
        super().__init__(**kwargs)
        self.timeout = timeout
        self.clock = clock
        self.down_since: float | None = None

    def waited(self) -> float:
        """Seconds since the first failure of the current run of failures (0 while things work)."""
        return 0.0 if self.down_since is None else self.clock() - self.down_since

    def next(self) -> float:
        now = self.clock()
        if self.down_since is None:
            self.down_since = now
        return max(0.0, min(super().next(), self.timeout - (now - self.down_since)))

    def reset(self) -> None:
        super().reset()
        self.down_since = None


class PollLoop(Generic[T]):
    """Calls `fetch` every `interval` seconds while running and not paused, one call at a time.

    `on_result(result)` after a success; `on_error(error, retry_in)` after a failure, where `retry_in`
    is the back-off delay before the next try. Exceptions that are not GatewayErrors are logged and
    reported as errors too: a bug in one poll must not end the loop.
    """

    def __init__(
        self,
        fetch: Callable[[], Awaitable[T]],
        *,
        interval: float,
        on_result: Callable[[T], object],
        on_error: Callable[[Exception, float], object],
        backoff: Backoff | None = None,
        name: str = "poll",
    ) -> None:
        self.fetch = fetch
        self.interval = interval
        self.on_result = on_result
        self.on_error = on_error
        self.backoff = backoff or Backoff()
        self.name = name
        self.polls = 0
        self.errors = 0
        self._wake = asyncio.Event()
        self._running = asyncio.Event()
        self._running.set()
        self._stopped = False

    @property
    def paused(self) -> bool:
        """True while paused (e.g. the screen is hidden)."""
        return not self._running.is_set()

    def pause(self) -> None:
        """Stop polling after the call in flight, until resume()."""
        self._running.clear()

    def resume(self, *, now: bool = True) -> None:
        """Poll again; at once when `now` (a screen coming back should not show old data for long)."""
        self._running.set()
        if now:
            self._wake.set()

    def poke(self) -> None:
        """Poll now instead of at the end of the current wait (after an action, say)."""
        self._wake.set()

    def stop(self) -> None:
        """End run() after the call in flight."""
        self._stopped = True
        self._running.set()
        self._wake.set()

    async def run(self) -> None:
        """The loop; returns when stop() is called or the task is cancelled."""
        while not self._stopped:
            await self._running.wait()
            if self._stopped:
                break
            self._wake.clear()
            try:
                result = await self.fetch()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                if self._stopped:
                    break  # stopped while the call was in flight (its client may be closed): not news
                if not isinstance(exc, GatewayError):
                    log.exception("%s: unexpected error while polling", self.name)
                self.errors += 1
                delay = self.backoff.next()
                self.on_error(exc, delay)
            else:
                if self._stopped:
                    break
                self.polls += 1
                self.backoff.reset()
                self.on_result(result)
                delay = self.interval
            await self._sleep(delay)

    async def _sleep(self, delay: float) -> None:
        if self._stopped:
            return
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=max(0.0, delay))
