"""`cuetui demo-gateway` and `cuetui demo` as real processes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest

from .helpers import wait_for

SECRET = "cli-test-secret-0123456789-0123456789-0123456789"


def spawn(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    base = {k: v for k, v in os.environ.items() if k != "JWT_SECRET"}
    return subprocess.Popen(
        [sys.executable, "-m", "cuetui", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**base, **(env or {})},
    )


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[str]]]:
    started: list[subprocess.Popen[str]] = []
    yield started
    for p in started:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_demo_gateway_serves_and_stops_on_sigterm(processes: list[subprocess.Popen[str]], tmp_path: object) -> None:
    p = spawn(
        "demo-gateway",
        "--port",
        "0",
        "--profile",
        "small",
        "--jwt-secret",
        SECRET,
        "--speed",
        "0",
        "--log-root",
        str(tmp_path),
    )
    processes.append(p)
    assert p.stdout is not None
    line = p.stdout.readline()
    assert line.startswith("OPENCUE_REST_GATEWAY_URL=http://127.0.0.1:")
    url = line.strip().split("=", 1)[1]
    assert not url.endswith(":0")
    token = jwt.encode({"sub": "x", "exp": int(time.time()) + 60}, SECRET, algorithm="HS256")
    r = httpx.post(f"{url}/show.ShowInterface/GetShows", headers={"Authorization": f"Bearer {token}"}, content=b"{}")
    assert r.status_code == 200 and r.json()["shows"]["shows"][0]["name"] == "testing"
    assert httpx.post(f"{url}/show.ShowInterface/GetShows").status_code == 401
    p.send_signal(signal.SIGTERM)
    assert p.wait(10) == 0
    with pytest.raises(httpx.ConnectError):
        httpx.post(f"{url}/show.ShowInterface/GetShows")


def test_secret_from_env_or_generated(processes: list[subprocess.Popen[str]]) -> None:
    p = spawn("demo-gateway", "--port", "0", "--speed", "0", env={"JWT_SECRET": SECRET})
    processes.append(p)
    assert p.stdout is not None
    url = p.stdout.readline().strip().split("=", 1)[1]
    token = jwt.encode({"sub": "x"}, SECRET, algorithm="HS256")
    assert httpx.post(f"{url}/show.ShowInterface/GetShows", headers={"Authorization": token}).status_code == 200
    p.send_signal(signal.SIGINT)
    assert p.wait(10) == 0

    q = spawn("demo-gateway", "--port", "0", "--speed", "0")
    processes.append(q)
    assert q.stdout is not None
    url = q.stdout.readline().strip().split("=", 1)[1]
    secret_line = q.stdout.readline().strip()
    assert secret_line.startswith("JWT_SECRET=")
    token = jwt.encode({"sub": "x"}, secret_line.split("=", 1)[1], algorithm="HS256")
    assert httpx.post(f"{url}/show.ShowInterface/GetShows", headers={"Authorization": token}).status_code == 200
    q.send_signal(signal.SIGTERM)
    assert q.wait(10) == 0
    assert q.stderr is not None and "generated a JWT secret" in q.stderr.read()


def test_request_log_one_line_per_call_no_secret(processes: list[subprocess.Popen[str]], tmp_path: Path) -> None:
    log = tmp_path / "calls.jsonl"
    p = spawn("demo-gateway", "--port", "0", "--speed", "0", "--request-log", str(log), env={"JWT_SECRET": SECRET})
    processes.append(p)
    assert p.stdout is not None
    url = p.stdout.readline().strip().split("=", 1)[1]
    token = jwt.encode({"sub": "x"}, SECRET, algorithm="HS256")
    auth = {"Authorization": f"Bearer {token}"}
    assert httpx.post(f"{url}/show.ShowInterface/GetShows", headers=auth, content=b"{}").status_code == 200
    assert httpx.post(f"{url}/show.ShowInterface/GetShows").status_code == 401
    assert httpx.post(f"{url}/job.NoSuchInterface/Get", headers=auth, content=b"{}").status_code == 404
    p.send_signal(signal.SIGTERM)
    assert p.wait(10) == 0
    text = log.read_text()
    lines = [json.loads(line) for line in text.splitlines()]
    assert [(d["method"], d["path"], d["status"]) for d in lines] == [
        ("POST", "/show.ShowInterface/GetShows", 200),
        ("POST", "/show.ShowInterface/GetShows", 401),
        ("POST", "/job.NoSuchInterface/Get", 404),
    ]
    assert all(set(d) == {"method", "path", "status", "ms", "bytes"} for d in lines)
    assert lines[0]["bytes"] > 100 and lines[0]["ms"] >= 0
    assert token not in text and SECRET not in text


def test_unwritable_request_log_is_a_usage_error(processes: list[subprocess.Popen[str]], tmp_path: Path) -> None:
    p = spawn("demo-gateway", "--port", "0", "--request-log", str(tmp_path / "no" / "such" / "dir" / "f"))
    processes.append(p)
    assert p.wait(20) == 2
    assert p.stderr is not None and "--request-log" in p.stderr.read()


def test_bad_fault_is_a_usage_error(processes: list[subprocess.Popen[str]]) -> None:
    p = spawn("demo-gateway", "--port", "0", "--fault", "nonsense=1")
    processes.append(p)
    assert p.wait(20) == 2


def test_demo_starts_a_gateway_child_and_stops_it(processes: list[subprocess.Popen[str]]) -> None:
    p = spawn("demo", "--speed", "0")
    processes.append(p)
    assert p.stdout is not None
    lines: list[str] = []
    wait_for(lambda: lines.append(p.stdout.readline()) or any("export JWT_SECRET=" in x for x in lines), 20)
    url = next(x for x in lines if "export OPENCUE_REST_GATEWAY_URL=" in x).strip().split("=", 1)[1]
    secret = next(x for x in lines if "export JWT_SECRET=" in x).strip().split("=", 1)[1]
    token = jwt.encode({"sub": "x"}, secret, algorithm="HS256")
    assert httpx.post(f"{url}/show.ShowInterface/GetShows", headers={"Authorization": token}).status_code == 200
    p.send_signal(signal.SIGINT)
    p.wait(15)

    def gone() -> bool:
        try:
            httpx.post(f"{url}/show.ShowInterface/GetShows", timeout=1)
        except httpx.TransportError:
            return True
        return False

    wait_for(gone, 10)
