"""Numbers out of range from the gateway (above 2^63, times in nanoseconds, floats past 1e308): every
command prints them or refuses them in one line, the TUI's screens format them; nothing raises.

Written at the CLI/TUI level through the hostile proxy, so it holds whichever decoder the models use
(a range-checked value may come out as 0 or as an error: that is the decoder's choice, not asserted)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.hostile.conftest import assert_one_line_error, run_cli
from tests.hostile.proxy import HostileProxy
from tests.hostile.test_tui_hostile import make_app
from tests.ui.conftest import wait_for

# Above int64, int64's edge, a time in nanoseconds (as an int and as a float), an int64
# written as protojson writes them (a string), near the float limit, and below int64.
HOSTILE_NUMBERS: list[Any] = [2**64, 2**63, 10**17, 1e17, "18446744073709551616", 1e300, -(2**63) - 1]


def test_commands_never_trace_on_out_of_range_numbers(hostile: HostileProxy, cli_config: Path) -> None:
    name = str(json.loads(run_cli("jobs", "--json", url=hostile.url, config=cli_config).stdout)[0]["name"])
    hostile.numbers = HOSTILE_NUMBERS
    hostile.set("numbers")
    for args in (("jobs",), ("jobs", "--json"), ("frames", name), ("frames", name, "--json"), ("hosts", "--json")):
        run = run_cli(*args, url=hostile.url, config=cli_config)
        assert "Traceback" not in run.stderr, (args, run.stderr)
        if run.returncode != 0:
            assert_one_line_error(run)
        elif "--json" in args:
            json.loads(run.stdout)  # still one valid JSON document
    assert hostile.renumbered > 100  # the values did reach cuetui
    for args in (("monitor", "--plain", name), ("monitor", "--json", name)):
        run = run_cli(*args, url=hostile.url, config=cli_config, interrupt_after=1.5)
        assert "Traceback" not in run.stderr, (args, run.stderr)
        assert run.stdout.strip() or run.stderr.strip()


async def test_screens_format_out_of_range_numbers(hostile: HostileProxy) -> None:
    hostile.numbers = HOSTILE_NUMBERS
    hostile.set("numbers")
    app = make_app(hostile.url)
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: hostile.hostile_requests > 0, what="a hostile answer")
        await wait_for(
            pilot,
            lambda: (
                getattr(getattr(app.screen, "table", None), "loaded", False)
                or "stale" in str(app.screen.query_one("#status-time").text)
                or "error" in str(app.screen.query_one("#status-conn").text)
            ),
            what="jobs or an error",
        )
        if getattr(app.screen, "table", None) is not None and app.screen.table.row_count:
            await pilot.press("enter")  # the job screen: layers, frames, their times
            await wait_for(pilot, lambda: type(app.screen).__name__ == "JobScreen", what="job screen")
            await pilot.pause(0.5)
        await pilot.press("3")  # hosts: memory, boot and ping times
        await pilot.pause(0.5)
        assert app.is_running
        assert app._exception is None
        assert hostile.renumbered > 100
