"""`cuetui monitor` in a pipe, end to end: a real process against the demo gateway on loopback.

Covers the exit statuses README gives for `cuetui monitor` (clean end 0, dead frames 1, --until-dead 1,
unknown job 2, gateway down beyond --timeout 3), the plain line format without escape sequences, --json
lines, and surviving a gateway restart. The farm is frozen (speed 0); the tests finish or fail frames themselves.
"""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cuetui.demo.server import DemoGatewayThread
from tests.conftest import DEMO_SECRET

CLEAN_JOB = "testing-sh550-bmartin_comp_v013"  # seed 7: 56 frames, all running
DEAD_JOB = "testing-sh180-rpatel_layout_v015"  # seed 7: 62 succeeded, 17 running, 5 dead
FINISHED_JOB = "testing-sh070-rpatel_anim_v018"  # seed 7: FINISHED with one eaten frame
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
LINE = re.compile(
    r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ job=\S+ state=[A-Z]+ done=\d+/\d+ \(\d+%\) running=\d+ dead=\d+"
    r"( eaten=\d+)?( paused=yes)?( rate=[\d.]+/min)? eta=(\d\d:\d\d:\d\d|\?)$"
)


class Monitor:
    """A running `cuetui monitor` process whose stdout lines are read with a deadline."""

    def __init__(self, url: str, *args: str, env_dir: Path) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("OPENCUE_REST_GATEWAY_URL", "JWT_TOKEN")}
        env.update(JWT_SECRET=DEMO_SECRET, XDG_CONFIG_HOME=str(env_dir), HOME=str(env_dir))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cuetui", "--url", url, "monitor", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def wait_line(self, predicate: Callable[[str], bool], timeout: float = 20.0) -> str:
        """The next stdout line for which predicate holds (earlier lines are kept in self.lines)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:  # end of output, or the deadline passed
                self.proc.kill()
                _out, err = self.proc.communicate()
                raise AssertionError(f"no such line; got {self.lines!r}; stderr {err[-2000:]!r}")
            self.lines.append(line)
            if predicate(line):
                return line

    def _read(self) -> None:
        # A thread, not select(): a text stream buffers lines select() can no longer see.
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def finish(self, timeout: float = 30.0) -> tuple[int, str, str]:
        """Wait for the exit; (status, all stdout, stderr)."""
        assert self.proc.stderr is not None
        err = self.proc.stderr.read()
        self.proc.wait(timeout=timeout)
        self._reader.join(timeout)
        while (line := self._queue.get_nowait() if not self._queue.empty() else None) is not None:
            self.lines.append(line)
        return self.proc.returncode, "\n".join(self.lines), err


@pytest.fixture
def monitor(tmp_path: Path) -> Iterator[Callable[..., Monitor]]:
    started: list[Monitor] = []

    def start(url: str, *args: str) -> Monitor:
        m = Monitor(url, *args, env_dir=tmp_path)
        started.append(m)
        return m

    yield start
    for m in started:
        if m.proc.poll() is None:
            m.proc.kill()
            m.proc.communicate()


def finish_running(gw: DemoGatewayThread, name: str, succeed: bool = True, count: int | None = None) -> None:
    def run(farm: object) -> None:
        procs = [p for p in farm.procs.values() if p.job.name == name]  # type: ignore[attr-defined]
        for proc in procs[:count]:
            # requeue=False: a failure is final (DEAD), not another retry
            farm.finish_frame(proc, succeed, 0 if succeed else 137, requeue=False)  # type: ignore[attr-defined]

    gw.run(run)


def _clean(text: str) -> None:
    assert not CONTROL.search(text), repr(text)
    assert DEMO_SECRET not in text


def test_clean_job_exits_0(demo_gateway: DemoGatewayThread, monitor: Callable[..., Monitor]) -> None:
    m = monitor(demo_gateway.url, "bmartin_comp", "--interval", "0.1")
    first = m.wait_line(lambda line: "job=" in line)
    assert LINE.match(first), first
    assert f"job={CLEAN_JOB} state=PENDING done=0/56 (0%) running=56 dead=0" in first
    finish_running(demo_gateway, CLEAN_JOB)
    status, out, err = m.finish()
    assert status == 0, err
    assert f"job={CLEAN_JOB} state=FINISHED done=56/56 (100%) running=0 dead=0" in out
    assert out.splitlines()[-1].endswith("monitor: all frames succeeded (1 job) (exit 0)")
    for line in out.splitlines()[:-1]:
        assert LINE.match(line), line
    _clean(out + err)


def test_dead_frames_exit_1_with_a_line_each(demo_gateway: DemoGatewayThread, monitor: Callable[..., Monitor]) -> None:
    m = monitor(demo_gateway.url, DEAD_JOB, "--interval", "0.1")
    m.wait_line(lambda line: "frame=" in line)
    finish_running(demo_gateway, DEAD_JOB)
    status, out, err = m.finish()
    assert status == 1
    dead_lines = [line for line in out.splitlines() if " frame=" in line]
    assert len(dead_lines) == 5
    assert re.search(r"frame=\d{4}-render state=DEAD exit=1 host=render\d+ retries=3$", dead_lines[0])
    assert "state=PENDING done=79/84 (94%) running=0 dead=5 eta=00:00:00" in out  # nothing left to run
    _clean(out + err)


def test_until_dead_and_json(demo_gateway: DemoGatewayThread, monitor: Callable[..., Monitor]) -> None:
    m = monitor(demo_gateway.url, CLEAN_JOB, "--until-dead", "--json", "--interval", "0.1")
    first = json.loads(m.wait_line(lambda line: '"progress"' in line))
    assert first["job"] == CLEAN_JOB and first["total"] == 56 and first["running"] == 56 and first["dead"] == 0
    finish_running(demo_gateway, CLEAN_JOB, succeed=False, count=1)
    status, out, err = m.finish()
    assert status == 1
    events = [json.loads(line) for line in out.splitlines()]
    kinds = [e["event"] for e in events]
    assert "dead_frame" in kinds and kinds[-1] == "end" and events[-1]["exit_status"] == 1
    dead = next(e for e in events if e["event"] == "dead_frame")
    assert dead["exit_status"] == 137 and dead["host"].startswith("render") and dead["layer"] == "comp"
    _clean(out + err)


def test_until_dead_waits_for_a_new_dead_frame(
    demo_gateway: DemoGatewayThread, monitor: Callable[..., Monitor]
) -> None:
    m = monitor(demo_gateway.url, DEAD_JOB, "--until-dead", "--plain", "--interval", "0.1")
    m.wait_line(lambda line: "done=62/84" in line)  # its 5 frames dead before the monitor started
    assert sum(" frame=" in line for line in m.lines) == 5
    finish_running(demo_gateway, DEAD_JOB, succeed=True, count=1)
    m.wait_line(lambda line: "done=63/84" in line)  # had it stopped at the old dead frames, no such line
    assert m.proc.poll() is None
    finish_running(demo_gateway, DEAD_JOB, succeed=False, count=1)
    status, out, _err = m.finish()
    assert status == 1
    lines = out.splitlines()
    assert sum(" frame=" in line for line in lines) == 6
    assert lines[-1].endswith("monitor: stopped at the first dead frame (1 job watched) (exit 1)")
    stamps = [line.split(" ", 1)[0] for line in lines]
    assert stamps == sorted(stamps)  # the old dead frames' lines (stamped when they died) come first


def test_until_dead_include_existing_stops_at_once(
    demo_gateway: DemoGatewayThread, monitor: Callable[..., Monitor]
) -> None:
    status, out, _err = monitor(
        demo_gateway.url, DEAD_JOB, "--until-dead", "--include-existing", "--plain", "--interval", "0.1"
    ).finish()
    assert status == 1
    assert out.splitlines()[-1].endswith("monitor: stopped at the first dead frame (1 job watched) (exit 1)")


def test_already_finished_job_reported_at_once(
    demo_gateway: DemoGatewayThread, monitor: Callable[..., Monitor]
) -> None:
    status, out, _err = monitor(demo_gateway.url, FINISHED_JOB, "--interval", "0.1").finish()
    assert status == 1  # one frame was eaten
    assert f"job={FINISHED_JOB} state=FINISHED done=29/30 (96%) running=0 dead=0 eaten=1" in out


def test_unknown_job_exits_2(demo_gateway: DemoGatewayThread, monitor: Callable[..., Monitor]) -> None:
    status, out, err = monitor(demo_gateway.url, CLEAN_JOB, "no-such-job").finish()
    assert status == 2 and "no job matches 'no-such-job'" in err and out == ""
    status, out, err = monitor(demo_gateway.url, "testing").finish()
    assert status == 2 and "jobs match" in err


def test_gateway_down_exits_3_after_timeout(
    make_gateway: Callable[..., DemoGatewayThread], monitor: Callable[..., Monitor]
) -> None:
    gw = make_gateway()
    url = gw.url
    gw.stop()
    # Long enough for a retry even when a loaded machine takes seconds to start the process.
    status, out, err = monitor(url, CLEAN_JOB, "--timeout", "5").finish()
    assert status == 3
    assert "unreachable" in err and "retrying in" in err and "gave up" in err
    _clean(out + err)


def test_survives_a_gateway_restart(
    make_gateway: Callable[..., DemoGatewayThread], monitor: Callable[..., Monitor]
) -> None:
    gw = make_gateway()
    m = monitor(gw.url, CLEAN_JOB, "--interval", "0.1")
    m.wait_line(lambda line: "job=" in line)
    port = gw.port
    gw.stop()
    assert m.proc.stderr is not None
    deadline = time.monotonic() + 20
    while "unreachable" not in (line := m.proc.stderr.readline()):
        assert line and time.monotonic() < deadline, "no unreachable line"
    again = make_gateway(port=port)  # the same seed: the same job ids come back
    finish_running(again, CLEAN_JOB)
    status, out, _err = m.finish()
    assert status == 0 and f"job={CLEAN_JOB} state=FINISHED" in out


def test_rides_out_faults(make_gateway: Callable[..., DemoGatewayThread], monitor: Callable[..., Monitor]) -> None:
    gw = make_gateway(faults=("error-rate=0.1,html=0.05,drop=0.05,truncate=0.05",))
    m = monitor(gw.url, DEAD_JOB, "--interval", "0.1")
    m.wait_line(lambda line: "frame=" in line)
    finish_running(gw, DEAD_JOB)
    status, out, err = m.finish()
    assert status == 1, err  # the job's own result, not a gateway failure
    assert len([line for line in out.splitlines() if " frame=" in line]) == 5  # each dead frame once
    assert "Traceback" not in err
    _clean(out + err)
