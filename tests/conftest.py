"""Shared fixtures: the simulated gateway on a free loopback port, and a token for it.

`demo_gateway` / `make_gateway` give a test a farm of its own (to act on it or read what it was sent);
`frozen_gateway` is one small frozen farm per test process, shared by tests that only read, and checked
after each of them to be unchanged. The suite runs in parallel (pytest-xdist, `-n auto` in pyproject):
nothing here may rely on a fixed port, a fixed file outside tmp_path, or a fixed tmux socket name."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest

from cuetui.demo.server import DemoGatewayThread

DEMO_SECRET = "test-secret-for-the-demo-gateway-0123456789-0123456789-0123456789"


@pytest.fixture
def make_gateway(tmp_path: Path) -> Iterator[Callable[..., DemoGatewayThread]]:
    """Factory: make_gateway(**DemoGatewayThread kwargs) -> started gateway; all stopped at teardown."""
    started: list[DemoGatewayThread] = []

    def make(**kwargs: Any) -> DemoGatewayThread:
        kwargs.setdefault("profile", "small")
        kwargs.setdefault("seed", 7)
        kwargs.setdefault("speed", 0.0)
        kwargs.setdefault("secret", DEMO_SECRET)
        kwargs.setdefault("log_root", tmp_path / f"logs{len(started)}")
        gw = DemoGatewayThread(**kwargs)
        gw.start()
        started.append(gw)
        return gw

    yield make
    for gw in started:
        gw.stop()


@pytest.fixture
def demo_gateway(make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path) -> DemoGatewayThread:
    """The small farm, seed 7, frozen (speed 0), recording requests, logs under tmp_path."""
    return make_gateway(profile="small", seed=7, speed=0.0, record=True, log_root=tmp_path)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """Workers for `-n auto`: twice the cores. Many tests spend most of their time waiting (a poll
    interval, a subprocess, a tmux pane), so one worker per core leaves the cores idle half the time.
    Tests of a single file (`pytest tests/x.py::test`) run in this process: starting workers would
    cost more than it saves. PYTEST_XDIST_AUTO_NUM_WORKERS still overrides both, as pytest-xdist says."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS", "").isdigit():
        return int(os.environ["PYTEST_XDIST_AUTO_NUM_WORKERS"])
    files = {arg.split("::", 1)[0] for arg in config.args}
    if len(files) == 1 and next(iter(files)).endswith(".py"):
        return 0
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(2, 2 * cores)


def farm_fingerprint(gw: DemoGatewayThread) -> tuple[Any, ...]:
    """What an action could change on the farm: every job's settings and frame states, every host's."""

    def take(farm: Any) -> tuple[Any, ...]:
        jobs = tuple(
            (j.id, j.name, j.state, j.priority, j.is_paused, j.min_cores, j.max_cores, j.max_retries, j.auto_eat)
            for j in farm.jobs
        )
        frames = tuple((bytes(j.f_state), tuple(j.f_retry), len(j.comments), len(j.layers)) for j in farm.jobs)
        hosts = tuple(
            (h.id, h.state, h.lock_state, h.nimby_enabled, tuple(h.tags), len(h.comments), len(h.procs))
            for h in farm.hosts
        )
        return (len(farm.shows), jobs, frames, hosts, len(farm.procs))

    return gw.run(take)  # type: ignore[no-any-return]


class _Shared:
    """The session's frozen gateway, replaced if a test changed it (that test fails; the rest go on)."""

    def __init__(self, logs: Callable[[], Path]) -> None:
        self.logs = logs
        self.gw: DemoGatewayThread | None = None
        self.fingerprint: tuple[Any, ...] = ()

    def get(self) -> DemoGatewayThread:
        if self.gw is None:
            self.gw = DemoGatewayThread(profile="small", seed=7, speed=0.0, secret=DEMO_SECRET, log_root=self.logs())
            self.gw.start()
            self.fingerprint = farm_fingerprint(self.gw)
        return self.gw

    def discard(self) -> None:
        if self.gw is not None:
            self.gw.stop()
            self.gw = None


@pytest.fixture(scope="session")
def _shared_frozen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Shared]:
    shared = _Shared(lambda: tmp_path_factory.mktemp("frozen-gateway-logs"))
    yield shared
    shared.discard()


@pytest.fixture
def frozen_gateway(_shared_frozen: _Shared) -> Iterator[DemoGatewayThread]:
    """The small farm, seed 7, frozen (speed 0), shared by every test of this process that only reads it:
    no recording (a test that counts requests needs its own), and a test that changes the farm fails."""
    gw = _shared_frozen.get()
    yield gw
    if farm_fingerprint(gw) != _shared_frozen.fingerprint:
        _shared_frozen.discard()  # the next test gets a fresh one
        pytest.fail("this test changed the shared frozen gateway's farm: use demo_gateway (a farm of its own)")


@pytest.fixture
def gateway_token() -> str:
    """A valid HS256 token for the fixtures' secret (no expiry)."""
    return jwt.encode({"sub": "tester"}, DEMO_SECRET, algorithm="HS256")
