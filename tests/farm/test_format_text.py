"""Formatting and farm-string safety: plain functions, plain tests."""

from __future__ import annotations

import time

import pytest

from cuetui.farm import format as fmt
from cuetui.farm.text import decode_log_bytes, safe, strip_ansi


def test_duration() -> None:
    assert fmt.duration(12) == "12s"
    assert fmt.duration(247) == "4m07s"
    assert fmt.duration(3 * 3600 + 300) == "3h05m"
    assert fmt.duration(86400 + 7200) == "1d02h"
    assert fmt.duration(None) == "" and fmt.duration(-1) == ""
    assert fmt.clock_duration(45 * 60 + 30 + 3600 * 26) == "26:45:30"


def test_timestamp_today_to_the_second_older_with_the_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        now = 1_767_225_600.0 + 14 * 3600  # 2026-01-01 14:00 UTC
        assert fmt.timestamp(now - 3600 + 22, now, seconds=True) == "13:00:22"
        assert fmt.timestamp(now - 3600 + 22, now) == "13:00"
        assert fmt.timestamp(now - 15 * 3600, now, seconds=True) == "Dec 31 23:00"
        assert fmt.timestamp(0, now) == ""
        assert max(len(fmt.timestamp(now - d, now, seconds=True)) for d in (5, 86400 * 40)) <= 12
    finally:
        monkeypatch.undo()
        time.tzset()


def test_memory_and_cores() -> None:
    assert fmt.memory_kb(512) == "512K"
    assert fmt.memory_kb(4194304) == "4.0G"
    assert fmt.memory_kb(0) == ""
    assert fmt.cores(4.0) == "4" and fmt.cores(0.5) == "0.5" and fmt.cores(0) == "0"


def test_bar_and_percent() -> None:
    assert fmt.bar(0, 10, 5) == "░░░░░"
    assert fmt.bar(10, 10, 5) == "█████"
    assert len(fmt.bar(3, 7, 9)) == 9
    assert fmt.bar(1, 0, 3) == "░░░"
    assert fmt.percent(45, 100) == 45 and fmt.percent(1, 0) == 0 and fmt.percent(5, 4) == 100


def test_eta() -> None:
    assert fmt.eta_seconds(0, 0, 0) == 0.0
    assert fmt.eta_seconds(10, 0, 60) is None
    assert fmt.eta_seconds(10, 5, 60) == 120
    assert fmt.eta_seconds(10, 5, 60, rate_per_sec=0.5) == 20


def test_iso() -> None:
    assert fmt.iso_utc(0) == "1970-01-01T00:00:00Z"


def test_strip_escapes() -> None:
    evil = "a\x1b]0;pwned\x07b\x1b[2Jc\x1b]52;c;ZXZpbA==\x07d\x1b[31mred\x1b[0m\x07\x00e"
    assert strip_ansi(evil) == "abcdrede"
    assert safe("[bold red]x[/]") == "[bold red]x[/]"
    assert safe("tab\there\nnext") == "tab here next"
    assert safe("abcdef", limit=4) == "abc…"
    assert safe("\x9b31mx") == "x"


def test_non_utf8_bytes() -> None:
    assert decode_log_bytes(b"ok \xff\xfe end") == "ok \ufffd\ufffd end"


def test_cores_number_is_an_int_when_whole() -> None:
    assert fmt.cores_number(48.0) == 48 and isinstance(fmt.cores_number(48.0), int)
    assert fmt.cores_number(4800 / 100) == 48 and fmt.cores_number(150 / 100) == 1.5
    assert fmt.cores_number(0.1 + 0.2) == 0.3  # to Cuebot's hundredths, not float noise
