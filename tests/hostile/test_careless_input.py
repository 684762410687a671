"""Careless input: an empty criterion never widens a destructive action, a priority is ASCII digits, a
kill reason has visible text; refused with exit 2 and nothing sent to the gateway."""

from __future__ import annotations

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.text import clipboard_text, safe, visible
from tests.hostile.conftest import assert_one_line_error, run_cli

JOB = "sh010"  # any part of a name: resolving it is itself a request, and none may be sent

REFUSED = [
    ("eat", JOB, "--layer", ""),
    ("eat", JOB, "--layer", "   "),
    ("eat", JOB, "--frames", ""),
    ("eat", JOB, "--frames", ","),
    ("retry", JOB, "--frames", ""),
    ("retry", JOB, "--range", " "),
    ("retry", JOB, "--state", ""),
    ("retry", JOB, "--layer", "\u200b"),
    ("kill-frames", JOB, "--layer", "", "--reason", "why"),
    ("kill", JOB, "--reason", "\u200b\u200d "),
    ("kill-frames", JOB, "--frames", "1-3", "--reason", "\u202e"),
    ("eat", ""),
    ("priority", JOB, "\u0661\u0662\u0663"),
    ("priority", JOB, "1_000"),
    ("frames", JOB, "--layer", ""),
    ("jobs", "--show", ""),
    ("--user", " ", "jobs"),
]


@pytest.mark.parametrize("args", REFUSED, ids=lambda a: " ".join(repr(x) for x in a))
def test_refused_with_exit_2_and_nothing_sent(demo_gateway: DemoGatewayThread, args: tuple[str, ...]) -> None:
    before = len(demo_gateway.recorded)
    run = run_cli(*args, url=demo_gateway.url)
    assert run.returncode == 2, run.stderr
    assert_one_line_error(run) if "usage:" not in run.stderr else None
    assert "Traceback" not in run.stderr
    assert len(demo_gateway.recorded) == before, "a request was sent"


def test_visible_text() -> None:
    assert visible("wrong camera")
    assert not visible("")
    assert not visible(" \u200b\u200d\u202e\u2066\ufeff\u0301")
    assert visible("\u00e9")


def test_tables_show_reordering_characters_and_drop_combining_marks() -> None:
    assert safe("abc\u202edef") == "abc\ufffddef"
    assert safe("zero\u200bwidth") == "zero\ufffdwidth"
    assert safe("e\u0301") == "\u00e9"  # composed, not dropped
    assert safe("z\u0301\u0302\u0303\u0304") == "\u017a"  # zalgo: the first composes, the rest go
    assert safe("plain") == "plain"


def test_the_clipboard_gets_no_controls() -> None:
    text = "/shots/sh010/\x1b]52;c;ZXZpbA==\x07logs/\u202efile\x9b2J.rqlog"
    assert clipboard_text(text) == "/shots/sh010/logs/file.rqlog"
