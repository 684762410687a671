"""`[keymap]`: `?` help shows the action ids it names, a remap works, and an unknown id or a key given to two
actions is said at start (in the TUI and in `cuetui monitor`'s view), never accepted silently."""

from __future__ import annotations

import io
import re
from pathlib import Path

from cuetui.config import Secret, Settings
from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.connect import client_from_settings
from cuetui.gateway.requests import JobSearch
from cuetui.ui.app import APP_ACTIONS
from cuetui.ui.keymap import all_contexts, keymap_problems
from cuetui.ui.monitor_app import MonitorApp
from cuetui.ui.screens.help import HelpScreen
from cuetui.ui.screens.jobs import JobsScreen
from tests.conftest import DEMO_SECRET
from tests.ui.conftest import make_app, wait_for, wait_loaded

ROOT = Path(__file__).resolve().parents[2]


def help_text(app: object) -> str:
    """The help table as plain text."""
    from rich.console import Console

    console = Console(width=100, record=True, file=io.StringIO())
    console.print(app.screen.query_one("#help-text").content)  # type: ignore[attr-defined]
    return console.export_text()


def notifications(app: object) -> list[str]:
    return [n.message for n in app._notifications]  # type: ignore[attr-defined]


async def test_help_lists_every_action_id_of_the_screen(small_gateway: DemoGatewayThread) -> None:
    app = make_app(small_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = help_text(app)
        ids = {spec.id for spec in JobsScreen.ACTIONS + APP_ACTIONS}
        listed = set(re.findall(r"\b[a-z_]+\.[a-z_]+\b", text))
        # Every key shown has its id beside it (`?` appears once: the screen's entry stands for both).
        assert ids - {"app.help"} <= listed, ids - listed
        assert "[keymap]" in text


async def test_a_remap_is_applied_and_shown_in_help(small_gateway: DemoGatewayThread) -> None:
    app = make_app(small_gateway.url, keymap={"jobs.finished": "F"})
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        assert isinstance(screen, JobsScreen)
        await pilot.press("F")
        await wait_for(pilot, lambda: screen.include_finished)
        assert not any("[keymap]" in n for n in notifications(app))
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = help_text(app)
        assert re.search(r"F\s+finished\s+jobs\.finished", text), text


async def test_an_unknown_id_is_said_at_start(small_gateway: DemoGatewayThread) -> None:
    app = make_app(small_gateway.url, keymap={"frame.retry": "R"})
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        await wait_for(pilot, lambda: any("frame.retry" in n for n in notifications(app)))
        (line,) = [n for n in notifications(app) if "frame.retry" in n]
        assert 'no action has the id "frame.retry"' in line and '"frames.retry"?' in line


async def test_two_actions_on_one_key_are_said_at_start(small_gateway: DemoGatewayThread) -> None:
    app = make_app(small_gateway.url, keymap={"jobs.pause": "k"})
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        await wait_for(pilot, lambda: any('key "k"' in n for n in notifications(app)))
        (line,) = [n for n in notifications(app) if 'key "k"' in n]
        assert "jobs.kill and jobs.pause on the Jobs screen" in line


async def test_monitor_says_keymap_problems_at_start(demo_gateway: DemoGatewayThread) -> None:
    settings = Settings(url=demo_gateway.url, secret=Secret(DEMO_SECRET), keymap={"monitor.pause": "u"})
    async with client_from_settings(settings) as client:
        jobs = await client.get_jobs(JobSearch(jobs=["testing-sh180-rpatel_layout_v015"]))
    app = MonitorApp(settings, jobs, interval=0.1)
    async with app.run_test(size=(100, 20)) as pilot:
        await wait_for(pilot, lambda: 'key "u"' in str(app.query_one("#status").render()))
        assert any("monitor.pause and monitor.resume" in n for n in notifications(app))


def test_the_defaults_and_the_examples_have_no_problems() -> None:
    assert keymap_problems({}) == []
    # A remap that clashes with nothing, and ids the TUI and the monitor share one [keymap] for.
    assert keymap_problems({"jobs.pause": "P", "monitor.pause": "P", "frames.retry": "f8"}) == []
    # Every id named in config.example.toml exists.
    example = (ROOT / "config.example.toml").read_text()
    section = example.split("[keymap]", 1)[1].split("\n[", 1)[0]
    named = re.findall(r'"([a-z_]+\.[a-z_]+)"\s*=', section)
    assert named
    known = {spec.id for _, specs in all_contexts() for spec in specs}
    assert set(named) <= known, set(named) - known
