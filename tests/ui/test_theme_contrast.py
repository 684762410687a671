"""Every theme cuetui supports draws its state words (RUNNING, DEAD, PAUSED, ...) and progress bars at 4.5:1
or more against the background they are drawn on, measured on the rendered screen: the colours of each
cell as the compositor outputs them, not the theme's variables. Checked on the jobs screen, a job screen
(layers and frames of every state) and the `cuetui monitor` view; the theme is set from the config at
start and changed live, as the palette's picker does."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from rich.console import Console
from rich.style import Style
from textual.app import App
from textual.theme import BUILTIN_THEMES

from cuetui.demo.server import DemoGatewayThread
from cuetui.ui.screens.job import JobScreen
from cuetui.ui.themes import HIGH_CONTRAST, HIGH_CONTRAST_LIGHT
from cuetui.ui.widgets.states import contrast
from tests.ui.conftest import make_app, wait_for, wait_loaded

# Textual's themes and cuetui's; not ansi-dark / ansi-light, whose colours are the terminal's own.
SUPPORTED = [HIGH_CONTRAST, HIGH_CONTRAST_LIGHT, *(name for name in BUILTIN_THEMES if not name.startswith("ansi"))]
STATE_WORDS = ("RUNNING", "PAUSED", "WAITING", "DEAD", "SUCCEEDED", "DEPEND", "EATEN", "SETUP", "CHECKPOINT")
BAR_CELLS = frozenset("█▏▎▍▌▋▊▉░")
DEAD_JOB = "testing-sh180-rpatel_layout_v015"


def rendered_cells(app: App[Any]) -> Iterator[tuple[int, str, Style]]:
    """(line, text, style) of every run of cells on the screen as the compositor draws it."""
    console = Console(
        width=app.size.width,
        height=app.size.height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
    )
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    line = 0
    for segment in console._record_buffer:
        for i, text in enumerate(segment.text.split("\n")):
            line += 1 if i else 0
            if text and segment.style is not None:
                yield line, text, segment.style


def backgrounds(app: App[Any]) -> set[tuple[int, int, int]]:
    """The backgrounds of the widgets on screen, less the tables' cursor colours: a cell drawn on any
    other (the cursor row) shows the cursor's colours, not a state's."""
    found: set[tuple[int, int, int]] = set()
    cursors: set[tuple[int, int, int]] = set()
    for widget in [app.screen, *app.screen.walk_children()]:
        found.add(tuple(widget.background_colors[1].rich_color.triplet))  # type: ignore[arg-type,union-attr]
        names = {name for cls in type(widget).__mro__ for name in getattr(cls, "COMPONENT_CLASSES", ())}
        for name in names:
            if "cursor" in name:
                bgcolor = widget.get_component_rich_style(name).bgcolor
                if bgcolor is not None:
                    cursors.add(tuple(bgcolor.get_truecolor()))  # type: ignore[arg-type]
    return found - cursors


def too_faint(app: App[Any], where: str) -> list[str]:
    """Every state word or bar cell under 4.5:1, described; and how many were measured."""
    bad, measured = [], 0
    grounds = backgrounds(app)
    for line, text, style in rendered_cells(app):
        if style.color is None or style.bgcolor is None:
            continue
        fg, bg = style.color, style.bgcolor
        if style.reverse:
            fg, bg = bg, fg
        what = next((w for w in STATE_WORDS if w in text), "bar" if set(text) & BAR_CELLS else None)
        if what is None or tuple(bg.get_truecolor()) not in grounds:
            continue
        measured += 1
        ratio = contrast(fg, bg)
        if ratio < 4.5:
            colours = f"{fg.get_truecolor().hex} on {bg.get_truecolor().hex}"
            bad.append(f"{app.theme} {where} line {line} {what} {colours}: {ratio:.2f}")
    assert measured >= 3, f"{app.theme} {where}: only {measured} state cells found"
    return bad


async def settle(pilot: Any) -> None:
    for _ in range(3):
        await pilot.pause()


async def test_a_theme_from_the_config_is_what_is_drawn(small_gateway: DemoGatewayThread) -> None:
    app = make_app(small_gateway.url, theme=HIGH_CONTRAST_LIGHT)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        await settle(pilot)
        assert app.theme == HIGH_CONTRAST_LIGHT
        assert not (bad := too_faint(app, "jobs")), "\n".join(bad)


async def test_every_theme_on_the_jobs_and_job_screens(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    bad: list[str] = []
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        for theme in SUPPORTED:
            app.theme = theme  # what the palette's theme picker does
            await settle(pilot)
            bad += too_faint(app, "jobs")
        table = app.screen.table  # type: ignore[attr-defined]
        # A job with dead, running and waiting frames.
        key = max(
            table.shown_keys(), key=lambda k: min(table.model(k).stats.dead_frames, table.model(k).stats.running_frames)
        )
        table.move_to_key(key)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen) and bool(app.screen.frames_table.rows))
        # Off the cursor row: frames of every state are below it.
        for theme in SUPPORTED:
            app.theme = theme
            await settle(pilot)
            bad += too_faint(app, "job")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("theme", [HIGH_CONTRAST_LIGHT, "textual-light", "textual-dark"])
async def test_the_monitor_view(demo_gateway: DemoGatewayThread, theme: str) -> None:
    from cuetui.config import Secret, Settings
    from cuetui.farm.connect import client_from_settings
    from cuetui.gateway.requests import JobSearch
    from cuetui.ui.monitor_app import MonitorApp
    from tests.conftest import DEMO_SECRET

    settings = Settings(url=demo_gateway.url, secret=Secret(DEMO_SECRET), theme=theme)
    async with client_from_settings(settings) as client:
        jobs = await client.get_jobs(JobSearch(jobs=[DEAD_JOB, "testing-sh110-rpatel_comp_v004"]))
    app = MonitorApp(settings, jobs, interval=0.1)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: app.dead_lines and all(app.layers.get(j.id) for j in jobs))
        await settle(pilot)
        assert app.theme == theme
        assert not (bad := too_faint(app, "monitor")), "\n".join(bad)
        await pilot.press("q")
