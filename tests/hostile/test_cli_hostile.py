"""The CLI as a process against a hostile gateway: every command ends within the deadline, says what was
wrong in one line and exits with the documented status; nothing is read as an empty farm."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.conftest import DEADLINE, STARTUP_ALLOWANCE, assert_one_line_error, run_cli
from tests.hostile.proxy import HostileProxy

GET_JOBS = "/job.JobInterface/GetJobs"


def test_the_proxy_passes_answers_through(hostile: HostileProxy, cli_config: Path) -> None:
    run = run_cli("jobs", "--json", url=hostile.url, config=cli_config)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("[\n{")


@pytest.mark.parametrize("mode", ["trickle", "endless", "silent"])
def test_an_answer_that_never_completes_hits_the_deadline(hostile: HostileProxy, cli_config: Path, mode: str) -> None:
    hostile.set(mode)
    run = run_cli("jobs", url=hostile.url, config=cli_config)
    assert run.returncode == 3, run.stderr
    assert f"within {DEADLINE:g} s (request_deadline)" in run.stderr
    assert_one_line_error(run)
    # one deadline (a request that used it all is not retried) and the start-up; httpx's own timeouts
    # are per read (30 s), and a trickle never trips them (run_cli gives up at 30 s)
    assert run.seconds < DEADLINE + STARTUP_ALLOWANCE, run.seconds


def test_monitor_timeout_is_wall_time(hostile: HostileProxy, tmp_path: Path) -> None:
    # No request_deadline in the config: the default (10 s) is longer than --timeout 2.
    hostile.set("silent")
    run = run_cli("monitor", "--plain", "--timeout", "2", "some_job", url=hostile.url)
    assert run.returncode == 3, run.stderr
    # Not wall time, it would wait out at least one whole default deadline (10 s) past the start-up.
    assert run.seconds < 2 + STARTUP_ALLOWANCE, run.seconds
    assert "Traceback" not in run.stderr


def test_a_gzip_bomb_is_refused_without_inflating(hostile: HostileProxy, cli_config: Path) -> None:
    cli_config.write_text("request_deadline = 20\nmax_answer_mb = 16\n")
    hostile.set("gzip_bomb", GET_JOBS)
    run = run_cli("jobs", url=hostile.url, config=cli_config)
    assert run.returncode == 1, run.stderr
    assert "larger than 16 MiB (max_answer_mb)" in run.stderr
    assert_one_line_error(run)
    assert run.max_rss_mb < 200, run.max_rss_mb  # the bomb is 256 MiB inflated


def test_a_huge_body_is_refused_past_the_cap(hostile: HostileProxy, cli_config: Path) -> None:
    cli_config.write_text("request_deadline = 20\nmax_answer_mb = 16\n")
    hostile.set("huge", GET_JOBS)
    run = run_cli("jobs", url=hostile.url, config=cli_config)
    assert run.returncode == 1, run.stderr
    assert "larger than 16 MiB" in run.stderr
    assert run.max_rss_mb < 200, run.max_rss_mb


def test_a_declared_huge_body_is_refused_at_once(hostile: HostileProxy, cli_config: Path) -> None:
    hostile.set("huge_declared", GET_JOBS)
    run = run_cli("jobs", url=hostile.url, config=cli_config)
    assert run.returncode == 1, run.stderr
    assert "larger than 256 MiB" in run.stderr or "larger than 128 MiB" in run.stderr
    assert run.seconds < DEADLINE + STARTUP_ALLOWANCE


@pytest.mark.parametrize(
    ("mode", "said"),
    [("empty", "empty answer"), ("missing", "no 'jobs' list"), ("html", "HTML page")],
)
def test_an_undecodable_answer_is_an_error_not_an_empty_farm(
    hostile: HostileProxy, cli_config: Path, mode: str, said: str
) -> None:
    hostile.set(mode, GET_JOBS)
    # the table and --json read the same way: both once, the other modes with --json only (time)
    for args in (("jobs",), ("jobs", "--json")) if mode == "missing" else (("jobs", "--json"),):
        run = run_cli(*args, url=hostile.url, config=cli_config)
        assert run.returncode == 1, (args, run.stderr)
        assert said in run.stderr
        assert run.stdout.strip() not in ("[]",) and "[]" not in run.stdout
        assert_one_line_error(run)


def test_frames_of_a_job_missing_the_frames_list(hostile: HostileProxy, cli_config: Path) -> None:
    jobs = run_cli("jobs", "--json", url=hostile.url, config=cli_config)
    import json

    name = json.loads(jobs.stdout)[0]["name"]
    hostile.set("missing", "/job.JobInterface/GetFrames")
    run = run_cli("frames", name, url=hostile.url, config=cli_config)
    assert run.returncode == 1, run.stderr
    assert "no 'frames' list" in run.stderr
