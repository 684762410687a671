"""Formatting never raises on a value from the gateway, however far out of range."""

from __future__ import annotations

from typing import Any

import pytest

from cuetui.farm import format as fmt
from cuetui.farm.output import dumps

VALUES: list[Any] = [2**64, 2**63, -(2**63) - 1, 10**17, 1e17, 1e300, 10**400, float("nan"), float("inf"), -1, 0]


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_every_formatter_returns_a_short_string(value: Any) -> None:
    now = 1_767_225_600.0
    texts = [
        fmt.timestamp(value, now),
        fmt.timestamp(value, now, seconds=True),
        fmt.age(value, now),
        fmt.iso_utc(value),
        fmt.duration(value),
        fmt.clock_duration(value),
        fmt.memory_kb(value),
        fmt.cores(value),
        fmt.bar(value, 10, 8),
        fmt.bar(3, value, 8),
        str(fmt.percent(value, 10)),
        str(fmt.percent(3, value)),
    ]
    assert all(isinstance(t, str) and len(t) <= 20 for t in texts), texts
    assert 0 <= fmt.percent(value, 10) <= 100


def test_a_time_in_nanoseconds_is_unknown_not_an_error() -> None:
    assert fmt.timestamp(1_767_225_600 * 10**9, 1_767_225_600.0) == "?"
    assert fmt.timestamp(1_767_225_600, 1_767_225_600.0) != "?"


def test_json_keeps_integers_beyond_64_bits_and_escapes_what_steers_a_terminal() -> None:
    text = dumps({"a": 2**64, "b": "x\x9b2J\u202eevil\u200b", "c": [float("nan")]})
    assert text == '{"a":18446744073709551616,"b":"x\\u009b2J\\u202eevil\\u200b","c":[null]}'
    assert dumps({"b": "caf\u00e9"}) == '{"b":"caf\u00e9"}'


def test_monitor_json_lines_escape_what_steers_a_terminal() -> None:
    import io
    import json

    from cuetui.commands.monitor import JsonSink

    out, errors = io.StringIO(), io.StringIO()
    JsonSink(out, errors).problem(1_767_225_600.0, "gateway said \x9b2J\u202e", None)
    line = out.getvalue()
    assert "\x9b" not in line and "\u202e" not in line and "\\u009b" in line
    assert json.loads(line)["message"] == "gateway said \x9b2J\u202e"
