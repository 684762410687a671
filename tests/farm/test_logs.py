"""Frame logs: paths, path maps, attempts, tail-first reading, follow, search, hostile bytes, Loki."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.logs import (
    LogFile,
    LogUnreadable,
    LokiClient,
    clean_line,
    find_line,
    frame_log_path,
    list_attempts,
    map_log_path,
    match_spans,
)
from cuetui.gateway.models import Frame, Job


def test_path_is_a_plain_join_and_proc_log_path_wins() -> None:
    job = Job(name="testing-sh010-jdoe_v3", log_dir="/shots/testing/sh010/logs/testing-sh010-jdoe_v3/")
    frame = Frame(name="0007-render")
    assert frame_log_path(job, frame) == (
        "/shots/testing/sh010/logs/testing-sh010-jdoe_v3/testing-sh010-jdoe_v3.0007-render.rqlog"
    )
    assert frame_log_path(job, frame, "/elsewhere/x.rqlog") == "/elsewhere/x.rqlog"


def test_path_map_longest_prefix_whole_components() -> None:
    path_map = [("/shots", "/mnt/shots"), ("/shots/testing", "/net/testing/"), ("/sh", "/nope")]
    assert map_log_path("/shots/a/b.rqlog", path_map) == "/mnt/shots/a/b.rqlog"
    assert map_log_path("/shots/testing/b.rqlog", path_map) == "/net/testing/b.rqlog"
    assert map_log_path("/shotsX/b.rqlog", path_map) == "/shotsX/b.rqlog"
    assert map_log_path("/other/b", []) == "/other/b"


def test_one_path_mapper_for_config_capture_and_logs() -> None:
    """`cuetui capture` (through cuetui.config), `cuetui log` and the TUI (through cuetui.farm.logs) map a
    path the same way: the longest prefix wins whatever the order; "/" is the catch-all."""
    from cuetui.config import map_log_path as config_map_log_path

    path_map = [("/shots", "/mnt/shots"), ("/shots/big", "/mnt/big"), ("/", "/mnt/farm/")]
    for mapper in (config_map_log_path, map_log_path):
        assert mapper("/shots/big/sh010/x.rqlog", path_map) == "/mnt/big/sh010/x.rqlog"
        assert mapper("/shots/big/sh010/x.rqlog", path_map[::-1]) == "/mnt/big/sh010/x.rqlog"
        assert mapper("/shots/bigger/x.rqlog", path_map) == "/mnt/shots/bigger/x.rqlog"
        assert mapper("/tmp/x.rqlog", path_map) == "/mnt/farm/tmp/x.rqlog"
        assert mapper("/shots/big", path_map) == "/mnt/big"
        assert mapper("relative/x.rqlog", path_map) == "relative/x.rqlog"


def test_attempts_newest_first(tmp_path: Path) -> None:
    log = tmp_path / "job.0001-render.rqlog"
    for name in (
        "job.0001-render.rqlog",
        "job.0001-render.rqlog.1",
        "job.0001-render.rqlog.2",
        "job.0001-render.rqlog.10",
        "job.0001-render.rqlog.bak",
        "job.0001-render.rqlogx",
    ):
        (tmp_path / name).write_text(name)
    numbers = [a.number for a in list_attempts(str(log))]
    assert numbers == [0, 10, 2, 1]
    assert list_attempts(str(tmp_path / "missing" / "x.rqlog")) == []


def test_tail_first_then_earlier_then_start(tmp_path: Path) -> None:
    path = tmp_path / "big.rqlog"
    path.write_bytes(b"".join(b"line %05d\n" % n for n in range(10_000)))  # 110 000 bytes
    log = LogFile(str(path), tail_bytes=1000, earlier_bytes=5000)
    tail = log.open_tail()
    assert tail[-1] == "line 09999" and all(line.startswith("line ") and len(line) == 10 for line in tail)
    assert len(tail) == 90 and not log.at_start
    earlier = log.read_earlier()
    assert earlier[-1] == "line 09909" and len(earlier) <= 455
    rest = log.read_all_earlier()
    assert rest[0] == "line 00000" and log.at_start
    assert len(rest) + len(earlier) + len(tail) == 10_000
    assert log.read_earlier() == []


def test_follow_appends_and_partial_lines(tmp_path: Path) -> None:
    path = tmp_path / "run.rqlog"
    path.write_bytes(b"one\ntw")
    log = LogFile(str(path))
    assert log.open_tail() == ["one", "tw"]
    assert log.read_new() == ([], False)
    with open(path, "ab") as f:
        f.write(b"o\nthree\n")
    assert log.read_new() == (["two", "three"], True)
    with open(path, "ab") as f:
        f.write(b"four\n")
    assert log.read_new() == (["four"], False)


def test_rotation_is_noticed(tmp_path: Path) -> None:
    path = tmp_path / "run.rqlog"
    path.write_bytes(b"attempt one\n")
    log = LogFile(str(path))
    log.open_tail()
    os.replace(path, str(path) + ".1")
    path.write_bytes(b"attempt two, a longer first line\n")
    assert log.read_new() is None


def test_unreadable_message_names_path_and_hint(tmp_path: Path) -> None:
    with pytest.raises(LogUnreadable) as info:
        LogFile(str(tmp_path / "nope.rqlog")).open_tail()
    text = str(info.value)
    assert str(tmp_path / "nope.rqlog") in text and "no such file" in text and "log_path_map" in text


def test_hostile_bytes_are_inert() -> None:
    raw = b"\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m [bold]x[/] \x1b]52;c;aGk=\x07 bad \xff\xfe end\r"
    text = clean_line(raw)
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert text == "red [bold]x[/]  bad \ufffd\ufffd end"
    assert clean_line(b"50%\r100%") == "100%"
    assert clean_line(b"a\tb") == "a       b"


def test_search_wraps_both_ways() -> None:
    lines = ["alpha", "ERROR one", "beta", "error two", "gamma"]
    assert find_line(lines, "error", 0) == 1
    assert find_line(lines, "error", 1) == 3
    assert find_line(lines, "error", 3) == 1
    assert find_line(lines, "error", 1, forward=False) == 3
    assert find_line(lines, "zzz", 0) is None
    assert match_spans("Error and ERROR", "error") == [(0, 5), (10, 15)]


async def test_loki_attempts_and_lines(make_gateway: Callable[..., DemoGatewayThread]) -> None:
    gw = make_gateway(loki=True)

    def pick(farm: object) -> tuple[str, int]:
        for job in farm.jobs:  # type: ignore[attr-defined]
            for i in range(job.total):
                if job.f_attempts[i] >= 2:
                    return job.frame_id(i), int(job.f_attempts[i])
        raise AssertionError("no frame with two attempts")

    frame_id, count = gw.run(pick)
    loki = LokiClient(gw.url)
    try:
        attempts = await loki.attempts(frame_id)
        assert len(attempts) == count
        assert int(attempts[0].session_start_time) > int(attempts[-1].session_start_time)
        newest, _ = await loki.lines(frame_id)
        oldest, _ = await loki.lines(frame_id, attempts[-1])
        assert newest[0].startswith("====") and "RenderQ JobSpec" in newest[1]
        assert newest != oldest and any("frameId" in line and frame_id in line for line in oldest)
    finally:
        await loki.aclose()


def test_match_position_counts_matching_lines() -> None:
    from cuetui.farm.logs import match_position

    lines = ["a Threads", "b", "threads c", "d", "THREADS"]
    assert match_position(lines, "threads", 2) == (2, 3)
    assert match_position(lines, "threads", 4) == (3, 3)
    assert match_position(lines, "threads", 1) == (0, 3)
    assert match_position(lines, "", 0) == (0, 0)


def test_attempt_facts_reads_rqds_header_and_footer() -> None:
    from cuetui.farm.logs import AttemptFacts, attempt_facts

    lines = ["=====", "renderHost           render012", "body", "exitStatus          137", "renderhost  other"]
    assert attempt_facts(lines) == AttemptFacts("render012", 137)
    assert attempt_facts(["nothing here"]) == AttemptFacts()
