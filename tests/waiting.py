"""Waiting on a condition with a deadline, never a fixed sleep: the one helper every test uses.

`wait_for` polls from plain code (a gateway thread, a subprocess, a tmux pane); `wait_for_app` lets a
Textual app run between polls (`pilot.pause`); `wait_for_loop` yields to the event loop. Each returns the
condition's first truthy value and fails with what it waited for, and what `show()` says, at the deadline.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any


def _timed_out(condition: object, timeout: float, what: str, show: Callable[[], str] | None) -> AssertionError:
    message = f"timed out after {timeout:g} s waiting for {what or condition}"
    return AssertionError(f"{message}:\n{show()}" if show is not None else message)


def wait_for(
    condition: Callable[[], Any],
    timeout: float = 30.0,
    what: str = "",
    *,
    interval: float = 0.05,
    show: Callable[[], str] | None = None,
) -> Any:
    """Poll `condition()` until it is truthy and return that value; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise _timed_out(condition, timeout, what, show)
        time.sleep(interval)  # the polling interval, not a wait for something


async def wait_for_app(
    pilot: Any,
    condition: Callable[[], Any],
    timeout: float = 30.0,
    what: str = "",
    *,
    interval: float = 0.02,
    show: Callable[[], str] | None = None,
) -> Any:
    """Let the app under `pilot` run until `condition()` is truthy and return that value; fail after
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise _timed_out(condition, timeout, what, show)
        await pilot.pause(interval)


async def wait_for_loop(
    condition: Callable[[], Any], timeout: float = 5.0, what: str = "", *, interval: float = 0.005
) -> Any:
    """Yield to the running event loop until `condition()` is truthy and return that value; fail after
    `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = condition()
        if value:
            return value
        if loop.time() > deadline:
            raise _timed_out(condition, timeout, what, None)
        await asyncio.sleep(interval)
