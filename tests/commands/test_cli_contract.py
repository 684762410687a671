"""The command line as scripts see it: real processes, cheap start-up, and no secret in any output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jwt
import pytest

from cuetui.demo.server import DemoGatewayThread
from tests.conftest import DEMO_SECRET

from .conftest import Result

Cli = Callable[..., Result]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENCUE_REST_GATEWAY_URL", "JWT_TOKEN", "JWT_SECRET")}
    env.update(XDG_CONFIG_HOME=str(tmp_path), HOME=str(tmp_path), **extra)
    return env


def test_jobs_json_as_a_real_process(demo_gateway: DemoGatewayThread, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cuetui", "--url", demo_gateway.url, "jobs", "--json"],
        capture_output=True,
        text=True,
        env=_env(tmp_path, JWT_SECRET=DEMO_SECRET),
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    jobs = json.loads(proc.stdout)
    assert len(jobs) == 5 and all(j["state"] == "PENDING" for j in jobs)


def test_url_from_the_environment(demo_gateway: DemoGatewayThread, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cuetui", "shows"],
        capture_output=True,
        text=True,
        env=_env(tmp_path, JWT_SECRET=DEMO_SECRET, OPENCUE_REST_GATEWAY_URL=demo_gateway.url),
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


def test_pipe_closed_early_is_quiet(demo_gateway: DemoGatewayThread, tmp_path: Path) -> None:
    # `cuetui frames JOB | head -1`: no traceback when the reader goes away
    cmd = f"{sys.executable} -m cuetui --url {demo_gateway.url} frames layout_v015 | head -1"
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


def test_an_action_is_never_resent(cli: Cli, make_gateway: Callable[..., DemoGatewayThread]) -> None:
    gw = make_gateway(faults=("error-rate=1",), record=True)
    r = cli("--url", gw.url, "pause", "layout_v015")
    assert r.code in (1, 3) and len(r.err.strip().splitlines()) == 1
    assert sum(path.endswith("/Pause") for _m, path, _h, _b, _s in gw.recorded) <= 1


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
