"""The command line as scripts see it: real processes, cheap start-up, and no secret in any output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import jwt
import pytest

from cuetui.demo.server import DemoGatewayThread
from tests.conftest import DEMO_SECRET

from .conftest import Result
from .helpers import wait_for

Cli = Callable[..., Result]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENCUE_REST_GATEWAY_URL", "JWT_TOKEN", "JWT_SECRET")}
    env.update(XDG_CONFIG_HOME=str(tmp_path), HOME=str(tmp_path), **extra)
    return env


def test_jobs_json_as_a_real_process(frozen_gateway: DemoGatewayThread, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cuetui", "--url", frozen_gateway.url, "jobs", "--json"],
        capture_output=True,
        text=True,
        env=_env(tmp_path, JWT_SECRET=DEMO_SECRET),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    jobs = json.loads(proc.stdout)
    assert len(jobs) == 5 and all(j["state"] == "PENDING" for j in jobs)


def test_url_from_the_environment(frozen_gateway: DemoGatewayThread, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cuetui", "shows"],
        capture_output=True,
        text=True,
        env=_env(tmp_path, JWT_SECRET=DEMO_SECRET, OPENCUE_REST_GATEWAY_URL=frozen_gateway.url),
        timeout=60,
    )
    assert proc.returncode == 0 and "testing" in proc.stdout


def test_commands_start_without_textual_or_httpx() -> None:
    code = (
        "import sys, cuetui.cli as c; c.build_parser();"
        "print(sorted(m for m in ('textual', 'httpx', 'rich', 'aiohttp') if m in sys.modules))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "[]", proc.stdout + proc.stderr


def test_pipe_closed_early_is_quiet(frozen_gateway: DemoGatewayThread, tmp_path: Path) -> None:
    # `cuetui frames JOB | head -1`: no traceback when the reader goes away
    cmd = f"{sys.executable} -m cuetui --url {frozen_gateway.url} frames layout_v015 | head -1"
    proc = subprocess.run(
        ["bash", "-c", cmd], capture_output=True, text=True, env=_env(tmp_path, JWT_SECRET=DEMO_SECRET), timeout=60
    )
    assert proc.stdout.startswith("FRAME") and "Traceback" not in proc.stderr


PLANTED_SECRET = "planted-secret-9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


@pytest.mark.parametrize(
    "argv",
    [
        ["shows"],
        ["jobs", "--json"],
        ["jobs"],
        ["layers", "layout_v015", "--json"],
        ["frames", "layout_v015", "--state", "DEAD"],
        ["hosts", "--json"],
        ["procs"],
        ["log", "layout_v015", "0119-render", "--tail", "3"],
        ["retry", "layout_v015"],
        ["pause", "layout_v015"],
        ["kill", "layout_v015", "--reason", "secret test"],
        ["monitor", "anim_v018", "--plain"],
        ["monitor", "anim_v018", "--json"],
        ["doctor", "--verbose"],
        ["capture", "--out", "-", "--no-logs"],
        ["frames", "no-such-job"],
    ],
)
def test_secret_never_printed(
    argv: list[str], make_gateway: Callable[..., DemoGatewayThread], cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    gw = make_gateway(secret=PLANTED_SECRET)
    monkeypatch.setenv("JWT_SECRET", PLANTED_SECRET)
    r = cli("--url", gw.url, *argv)
    token_prefix = jwt.encode({"sub": "x"}, PLANTED_SECRET, algorithm="HS256").split(".")[0]
    for text in (r.out, r.err):
        assert PLANTED_SECRET not in text
        assert PLANTED_SECRET[:16] not in text
        assert "eyJ" not in text and token_prefix not in text  # no JWT either


def test_fixed_token_never_printed_even_when_refused(
    demo_gateway: DemoGatewayThread, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = jwt.encode({"sub": "x", "exp": 1}, DEMO_SECRET, algorithm="HS256")  # long expired
    monkeypatch.delenv("JWT_SECRET")
    monkeypatch.setenv("JWT_TOKEN", token)
    for argv in (["jobs"], ["doctor", "-v"], ["monitor", "anim_v018"]):  # monitor: no waiting on it
        r = cli("--url", demo_gateway.url, *argv)
        assert r.code in (2, 3), (argv, r)
        assert token not in r.out + r.err and token.split(".")[2] not in r.out + r.err


def test_url_without_scheme_is_a_usage_error(cli: Cli) -> None:
    r = cli("--url", "gateway:8448", "jobs")
    assert r.code == 2 and "--url" in r.err and r.out == ""


def test_queries_ride_out_passing_faults(cli: Cli, make_gateway: Callable[..., DemoGatewayThread]) -> None:
    # 500s, a proxy's HTML page and dropped connections now and then (seeded, so the same every run)
    gw = make_gateway(faults=("error-rate=0.15,html=0.1,drop=0.1",))
    for argv in (["shows", "--json"], ["jobs", "--json"], ["frames", "layout_v015", "--json"], ["hosts", "--json"]):
        for _ in range(3):
            r = cli("--url", gw.url, *argv)
            assert r.code == 0, (argv, r.err)
            json.loads(r.out)


class LosingProxy(ThreadingHTTPServer):
    """Relays every request to the gateway, but after relaying an action (`action` is its method name)
    it loses the answer: "error" replaces it with a 500, "drop" closes the connection without one. The
    action is applied on the farm either way, so a client that sends it again applies it twice."""

    daemon_threads = True

    def __init__(self, upstream: str, action: str, mode: str) -> None:
        self.upstream, self.action, self.mode = upstream, action, mode
        super().__init__(("127.0.0.1", 0), _LosingHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}"
        threading.Thread(target=self.serve_forever, name="losing-proxy", daemon=True).start()

    def close(self) -> None:
        self.shutdown()
        self.server_close()


class _LosingHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the gateway: a dropped answer is on a reused connection
    server: LosingProxy

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        keep = ("authorization", "content-type", "grpc-timeout", "accept")
        headers = {k: v for k, v in self.headers.items() if k.lower() in keep}
        answer = httpx.post(self.server.upstream + self.path, content=body, headers=headers, timeout=30)
        if self.path.endswith("/" + self.server.action):
            if self.server.mode == "drop":
                self.close_connection = True
                return
            answer = httpx.Response(500, json={"code": 13, "message": "lost on the way back", "details": []})
        self.send_response(answer.status_code)
        self.send_header("Content-Type", answer.headers.get("content-type", "application/json"))
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.mark.parametrize("mode", ["error", "drop"])
def test_an_action_is_never_resent(cli: Cli, make_gateway: Callable[..., DemoGatewayThread], mode: str) -> None:
    job = "testing-sh180-rpatel_layout_v015"
    gw = make_gateway(record=True)
    assert not gw.run(lambda farm: farm.find_job(job).is_paused)
    proxy = LosingProxy(gw.url, "Pause", mode)
    try:
        r = cli("--url", proxy.url, "pause", "layout_v015")
    finally:
        proxy.close()
    assert r.code in (1, 3) and len(r.err.strip().splitlines()) == 1, (r.code, r.err)
    assert r.out == ""  # never "paused …": the answer did not come back
    pauses = [path for _m, path, _h, _b, _s in gw.recorded if path.endswith("/Pause")]
    assert pauses == ["/job.JobInterface/Pause"]  # reached the farm exactly once: not resent
    wait_for(lambda: gw.run(lambda farm: farm.find_job(job).is_paused), what="the job paused on the farm")


async def test_retry_reads_only_retries_reads() -> None:
    from cuetui.farm.reads import retry_reads
    from cuetui.gateway.errors import ServerError
    from cuetui.gateway.requests import Call

    sent: list[str] = []

    class Fake:
        url = "http://x"

        async def call(self, request: Call, **options: object) -> dict[str, object]:
            sent.append(request.path)
            if len(sent) % 2:
                raise ServerError("boom", "http://x", status=500)
            return {}

    fake = Fake()
    retry_reads(fake, delays=(0.0, 0.0))  # type: ignore[arg-type]
    assert await fake.call(Call("/job.JobInterface/GetJobs", {})) == {}
    assert sent == ["/job.JobInterface/GetJobs"] * 2
    sent.clear()
    with pytest.raises(ServerError):
        await fake.call(Call("/job.JobInterface/Pause", {}))
    assert sent == ["/job.JobInterface/Pause"]
