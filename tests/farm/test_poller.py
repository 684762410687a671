"""Poll loops never stack calls, back off on errors up to 15 s, and pause/resume/poke on demand."""

from __future__ import annotations

import asyncio

import pytest

from cuetui.farm.connection import EXPIRED, LIVE, RETRYING, ConnectionTracker
from cuetui.farm.poller import BACKOFF_CAP, Backoff, DeadlineBackoff, PollLoop
from cuetui.gateway.errors import ServerError, TokenExpired, Unreachable
from tests.waiting import wait_for_loop


def test_backoff_caps_at_15_seconds() -> None:
    b = Backoff(jitter=0)
    delays = [b.next() for _ in range(8)]
    assert delays[:5] == [1, 2, 4, 8, 15] and max(delays) == BACKOFF_CAP == 15
    b.reset()
    assert b.next() == 1


def test_deadline_backoff_never_waits_past_the_timeout() -> None:
    now = [100.0]
    b = DeadlineBackoff(10.0, lambda: now[0], jitter=0)
    assert b.waited() == 0 and b.next() == 1  # the first failure starts the run
    now[0] += 1
    assert b.next() == 2 and b.waited() == 1
    now[0] += 2
    assert b.next() == 4
    now[0] += 4  # 7 s into the run: the next back-off step (8 s) would end 5 s past the deadline
    assert b.next() == 3 and b.waited() == 7
    now[0] += 3
    assert b.next() == 0 and b.waited() >= b.timeout
    b.reset()  # a success: the next failure starts a new run
    assert b.waited() == 0 and b.next() == 1


async def test_no_stacking_with_a_slow_fetch() -> None:
    in_flight = 0
    most = 0
    calls = 0

    async def slow() -> int:
        nonlocal in_flight, most, calls
        in_flight += 1
        most = max(most, in_flight)
        await asyncio.sleep(0.05)
        in_flight -= 1
        calls += 1
        return calls

    loop = PollLoop(slow, interval=0.0, on_result=lambda r: None, on_error=lambda e, d: None)
    task = asyncio.create_task(loop.run())
    for _ in range(5):
        loop.poke()  # pokes during a call must not start another one
        await asyncio.sleep(0.01)
    await wait_for_loop(lambda: calls >= 3)
    loop.stop()
    await task
    assert most == 1


async def test_errors_back_off_and_recover() -> None:
    outcomes: list[object] = [Unreachable("down"), ServerError("boom"), 42]
    seen: list[object] = []
    delays: list[float] = []

    async def fetch() -> object:
        item = outcomes.pop(0) if outcomes else 7
        if isinstance(item, Exception):
            raise item
        return item

    loop = PollLoop(
        fetch,
        interval=10,
        on_result=seen.append,
        on_error=lambda e, d: (seen.append(type(e).__name__), delays.append(d)),
        backoff=Backoff(initial=0.01, cap=0.02, jitter=0),
    )
    task = asyncio.create_task(loop.run())
    await wait_for_loop(lambda: 42 in seen)
    loop.stop()
    await task
    assert seen == ["Unreachable", "ServerError", 42]
    assert delays == [0.01, 0.02]
    assert loop.errors == 2 and loop.polls == 1


async def test_a_bug_in_fetch_does_not_end_the_loop() -> None:
    calls = 0

    async def fetch() -> int:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise KeyError("bug")
        return calls

    results: list[int] = []
    loop = PollLoop(
        fetch,
        interval=0,
        on_result=results.append,
        on_error=lambda e, d: None,
        backoff=Backoff(initial=0.001, jitter=0),
    )
    task = asyncio.create_task(loop.run())
    await wait_for_loop(lambda: results)
    loop.stop()
    await task
    assert results[0] == 2


async def test_pause_and_resume() -> None:
    calls = 0

    async def fetch() -> int:
        nonlocal calls
        calls += 1
        return calls

    loop = PollLoop(fetch, interval=0.001, on_result=lambda r: None, on_error=lambda e, d: None)
    loop.pause()
    task = asyncio.create_task(loop.run())
    # A witness loop with the same interval, unpaused: once it has polled a few times, the paused one
    # had as many chances to poll, however slow the machine.
    witness_calls: list[int] = []

    async def witness_fetch() -> int:
        witness_calls.append(1)
        return 0

    witness = PollLoop(witness_fetch, interval=0.001, on_result=lambda r: None, on_error=lambda e, d: None)
    witness_task = asyncio.create_task(witness.run())
    await wait_for_loop(lambda: len(witness_calls) >= 5)
    witness.stop()
    await witness_task
    assert calls == 0 and loop.paused
    loop.resume()
    await wait_for_loop(lambda: calls > 0)
    loop.stop()
    await task


def test_connection_status_text() -> None:
    now = [1000.0]
    tracker = ConnectionTracker("http://gw:8448", clock=lambda: now[0])
    changes: list[str] = []
    tracker.listen(lambda s: changes.append(s.state))
    assert "connecting" in tracker.status.text()
    tracker.failure(Unreachable("x"), 4)
    assert tracker.status.state == RETRYING
    assert tracker.status.text(now=1000.0) == "unreachable at http://gw:8448, retrying in 4 s"
    assert not tracker.status.stale  # nothing shown yet
    tracker.success()
    assert tracker.status.state == LIVE and tracker.status.text() == "live"
    now[0] = 1010.0
    tracker.failure(Unreachable("x"), 2)
    assert tracker.status.stale
    tracker.failure(TokenExpired("token expired"), 15)
    assert tracker.status.state == EXPIRED
    assert changes == ["retrying", "live", "retrying", "expired"]


@pytest.mark.parametrize("retry", [None, 0])
def test_retry_in(retry: float | None) -> None:
    tracker = ConnectionTracker("u", clock=lambda: 5.0)
    tracker.failure(ServerError("boom"), retry)
    assert tracker.status.retry_in(now=5.0) == retry
