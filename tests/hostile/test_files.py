"""Files that are not files: a FIFO or a symlink to /dev/zero as a config, a secret_file or a frame log
is refused in one line at once (no hang, no endless read)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.logs import LogFile, LogUnreadable
from cuetui.safefile import FileTooLarge, NotRegularFile, read_regular
from tests.hostile.conftest import assert_one_line_error, run_cli

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"), reason="POSIX only")


def _trap(path: Path, kind: str) -> Path:
    if path.exists() or path.is_symlink():
        path.unlink()
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.symlink_to("/dev/zero")
    return path


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_config_that_is_not_a_file(tmp_path: Path, kind: str) -> None:
    config = _trap(tmp_path / "cuetui.toml", kind)
    run = run_cli("jobs", url="http://127.0.0.1:9", config=config, timeout=10)
    assert run.returncode == 2, run.stderr
    assert "not a regular file" in run.stderr
    assert_one_line_error(run)


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_secret_file_that_is_not_a_file(tmp_path: Path, kind: str) -> None:
    secret = _trap(tmp_path / "gw.secret", kind)
    config = tmp_path / "cuetui.toml"
    config.write_text(f'secret_file = "{secret}"\n')
    run = run_cli("jobs", url="http://127.0.0.1:9", config=config, timeout=10, env={"JWT_SECRET": ""})
    assert run.returncode == 2, run.stderr
    assert "not a regular file" in run.stderr
    assert_one_line_error(run)


def test_cuetui_log_on_a_log_that_is_not_a_file(demo_gateway: DemoGatewayThread) -> None:
    url = demo_gateway.url
    job = next(j for j in json.loads(run_cli("jobs", "--json", url=url).stdout) if j["log_dir"])
    frames = json.loads(run_cli("frames", job["name"], "--json", url=url).stdout)
    ended = [f for f in frames if f["state"] in ("DEAD", "SUCCEEDED")]
    for kind, frame in zip(("fifo", "zero"), ended, strict=False):
        log = Path(job["log_dir"]) / f"{job['name']}.{frame['name']}.rqlog"
        assert log.exists()  # written by the demo when the frames were listed
        _trap(log, kind)
        run = run_cli("log", job["name"], frame["name"], url=url, timeout=10)
        assert run.returncode != 0, run.stderr
        assert "not a regular file" in run.stderr, kind
        assert "Traceback" not in run.stderr
        assert run.max_rss_mb < 200


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_the_tuis_log_reader_refuses_what_is_not_a_file(tmp_path: Path, kind: str) -> None:
    log = _trap(tmp_path / "job.0001-render.rqlog", kind)
    with pytest.raises(LogUnreadable, match="not a regular file"):
        LogFile(str(log)).open_tail()


def test_whole_file_reads_are_bounded(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * 2048)
    assert read_regular(big, 4096) == b"x" * 2048
    with pytest.raises(FileTooLarge):
        read_regular(big, 1024)
    with pytest.raises(NotRegularFile):
        read_regular(_trap(tmp_path / "fifo", "fifo"), 1024)
