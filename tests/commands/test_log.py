"""`cuetui log`: whole file, tail, JSON, attempts, ambiguity, unreadable paths, escapes, follow, Loki."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from cuetui.demo.server import DemoGatewayThread
from tests.conftest import DEMO_SECRET

from .conftest import Result
from .helpers import wait_for

Cli = Callable[..., Result]
JOB = "testing-sh180-rpatel_layout_v015"  # seed 7: 0119-render is DEAD after 3 retries


def log_file(gw: DemoGatewayThread, frame: str, job: str = JOB) -> Path:
    def find(farm: object) -> str:
        j = farm.find_job(job)  # type: ignore[attr-defined]
        i = j.frame_index(frame)
        farm.logs.materialize(j, i)  # type: ignore[attr-defined]
        return str(j.log_path(i))

    return Path(gw.run(find))


def test_whole_log_tail_and_json(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    path = log_file(demo_gateway, "0119-render")
    expected = path.read_text(encoding="utf-8").splitlines()
    r = cli("--url", demo_gateway.url, "log", "layout_v015", "0119-render")
    assert r.code == 0, r.err
    assert r.out.splitlines() == expected
    tail = cli("--url", demo_gateway.url, "log", "layout_v015", "0119-render", "--tail", "3")
    assert tail.out.splitlines() == expected[-3:]
    doc = json.loads(cli("--url", demo_gateway.url, "log", JOB, "0119-render", "--json").out)
    assert [d["text"] for d in doc] == expected and doc[0]["number"] == 1 and doc[-1]["number"] == len(expected)


def test_attempts(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    path = log_file(demo_gateway, "0119-render")
    earlier = sorted(p.name for p in path.parent.glob(path.name + ".*"))
    assert earlier, "the demo keeps earlier attempts"
    number = int(earlier[0].rsplit(".", 1)[1])
    r = cli("--url", demo_gateway.url, "log", JOB, "0119-render", "--attempt", str(number))
    assert r.code == 0
    assert r.out.splitlines() == (path.parent / earlier[0]).read_text(encoding="utf-8").splitlines()
    r = cli("--url", demo_gateway.url, "log", JOB, "0119-render", "--attempt", "14")
    assert r.code == 2 and "no attempt 14" in r.err


def test_frame_lookup_errors(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    r = cli("--url", demo_gateway.url, "log", JOB, "119")
    assert r.code == 2 and "several layers" in r.err and "0119-render" in r.err
    r = cli("--url", demo_gateway.url, "log", JOB, "9999-render")
    assert r.code == 2 and "has no frame" in r.err
    r = cli("--url", demo_gateway.url, "log", "nope-no-job", "1")
    assert r.code == 2


def test_unreadable_log_says_how_to_map(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    path = log_file(demo_gateway, "0119-render")
    path.rename(path.with_name(path.name + ".moved"))
    r = cli("--url", demo_gateway.url, "log", JOB, "0119-render")
    assert r.code == 1 and "cannot read the frame log" in r.err and "log_path_map" in r.err


def test_hostile_bytes_are_inert(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    path = log_file(demo_gateway, "0119-render")
    path.write_bytes(b"ok line\n\x1b]52;c;aGVsbG8=\x07clip \x1b[2Jclear \x1b]0;title\x07t\n\xff\xfe bad utf8\n")
    r = cli("--url", demo_gateway.url, "log", JOB, "0119-render")
    assert r.code == 0
    assert r.out.splitlines() == ["ok line", "clip clear t", "\ufffd\ufffd bad utf8"]
    assert "\x1b" not in r.out and "\x07" not in r.out


def test_follow_until_the_frame_ends(demo_gateway: DemoGatewayThread, tmp_path: Path) -> None:
    def running_frame(farm: object) -> tuple[str, str]:
        proc = next(p for p in farm.procs.values() if p.job.name == JOB)  # type: ignore[attr-defined]
        return proc.job.frame_name(proc.frame), proc.job.log_path(proc.frame)

    frame, path = demo_gateway.run(running_frame)
    env = dict(os.environ, JWT_SECRET=DEMO_SECRET, XDG_CONFIG_HOME=str(tmp_path), HOME=str(tmp_path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "cuetui", "--url", demo_gateway.url, "log", JOB, frame, "--follow"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        wait_for(lambda: Path(path).exists(), what="the log file")
        with open(path, "ab") as f:
            f.write(b"MARKER appended while following\n")

        def finish(farm: object) -> None:
            p = next(p for p in farm.procs.values() if p.job.name == JOB and p.job.frame_name(p.frame) == frame)  # type: ignore[attr-defined]
            farm.finish_frame(p, True, 0)  # type: ignore[attr-defined]

        demo_gateway.run(finish)
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    text = out.decode()
    assert "MARKER appended while following" in text and "RenderQ Job Complete" in text


def test_loki(cli: Cli, make_gateway: Callable[..., DemoGatewayThread]) -> None:
    gw = make_gateway(loki=True)
    r = cli("--url", gw.url, "log", JOB, "0119-render", "--tail", "2")
    assert r.code == 0, r.err
    assert len(r.out.splitlines()) == 2
