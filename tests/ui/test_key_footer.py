"""The footer's choice of keys: help and quit always, then the screen's keys by importance, then the
app's; never wider than the terminal."""

from __future__ import annotations

import gc
from typing import Any

import pytest
from textual.binding import Binding
from textual.widgets._footer import FooterKey

from cuetui.demo.server import DemoGatewayThread
from cuetui.ui.screens.frame_log import FrameLogScreen
from cuetui.ui.screens.job import JobScreen
from cuetui.ui.widgets.key_footer import FooterEntry, KeyFooter, plan_footer
from tests.ui.conftest import make_app, wait_for, wait_loaded


def entry(key: str, description: str, rank: int, action: str = "") -> FooterEntry:
    return FooterEntry(Binding(key, action or description, description), key, True, "", rank)


SCREEN = [
    entry(k, d, 1) for k, d in [("/", "search"), ("n", "next match"), ("f", "follow"), ("G", "end"), ("g", "start")]
]
ESSENTIAL = [entry("?", "help", 0), entry("q", "quit", 0)]
APP = [entry(str(n), f"screen {n}", 2) for n in range(1, 6)]


def descriptions(entries: list[FooterEntry]) -> list[str]:
    return [e.binding.description for e in entries]


def test_everything_fits_when_wide_and_the_screen_keys_come_first() -> None:
    shown, compact = plan_footer([*SCREEN, *APP[:2], *ESSENTIAL, *APP[2:]], 200)
    assert not compact
    assert descriptions(shown) == [*descriptions(SCREEN), "help", "quit", *descriptions(APP)]


def test_narrow_drops_app_keys_then_the_screen_keys_from_the_end_but_never_help_or_quit() -> None:
    for width in range(10, 200):
        shown, compact = plan_footer([*SCREEN, *ESSENTIAL, *APP], width)
        assert {"help", "quit"} <= set(descriptions(shown))
        used = sum(e.width(compact) for e in shown)
        assert used <= width or descriptions(shown) == ["help", "quit"]
        kept_screen = [d for d in descriptions(shown) if d in descriptions(SCREEN)]
        assert kept_screen == descriptions(SCREEN)[: len(kept_screen)]  # the most important ones
        if any(e.rank == 2 for e in shown):
            assert kept_screen == descriptions(SCREEN)  # app keys only once every screen key is in


def test_never_compact_one_style_on_every_screen() -> None:
    wide = sum(e.width(False) for e in [*SCREEN, *ESSENTIAL])
    for width in (wide, wide - 3, 40):
        shown, compact = plan_footer([*SCREEN, *ESSENTIAL, *APP], width)
        assert compact is False
    shown, _ = plan_footer([*SCREEN, *ESSENTIAL, *APP], wide - 3)
    assert len([e for e in shown if e.rank == 1]) == len(SCREEN) - 1  # a key goes rather than the spaces


def footer_words(app: Any) -> tuple[list[str], int]:
    """The footer's key descriptions and the cells they take, as laid out on screen."""
    footer = app.screen.query_one(KeyFooter)
    keys = list(footer.query(FooterKey))
    right = max((k.region.right for k in keys), default=0)
    return [k.description for k in keys], right - footer.region.x


@pytest.mark.parametrize("width", [80, 120])
async def test_every_screen_keeps_help_and_quit_in_a_footer_that_fits(
    small_gateway: DemoGatewayThread, width: int
) -> None:
    app = make_app(small_gateway.url)
    async with app.run_test(size=(width, 24)) as pilot:
        await wait_loaded(pilot)
        screens: dict[str, tuple[list[str], int]] = {"jobs": ([], 0)}
        compacts: dict[str, bool] = {}
        for key in ("1", "3", "2"):
            await pilot.press(key)
            await wait_loaded(pilot)
            await pilot.pause()
            screens[type(app.screen).__name__] = footer_words(app)
            compacts[type(app.screen).__name__] = app.screen.query_one(KeyFooter).compact
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), what="the job screen")
        screen = app.screen
        await wait_for(pilot, lambda: screen.sync is not None and screen.sync.loaded, what="frames")
        await pilot.pause()
        screens["JobScreen"] = footer_words(app)
        compacts["JobScreen"] = app.screen.query_one(KeyFooter).compact
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FrameLogScreen), what="the frame log")
        await pilot.pause()
        screens["FrameLogScreen"] = footer_words(app)
        compacts["FrameLogScreen"] = app.screen.query_one(KeyFooter).compact
        del screens["jobs"]
        assert set(screens) == {"ShowsScreen", "HostsScreen", "JobsScreen", "JobScreen", "FrameLogScreen"}
        for name, (words, used) in screens.items():
            assert "help" in words and "quit" in words, (name, words)
            assert not compacts[name], name  # one footer style: ` r retry ` everywhere
            assert used <= width, (name, words, used)
            assert len(words) >= 4, (name, words)  # the screen's own most important keys are there too


async def test_the_keys_a_screen_switch_replaces_are_freed(small_gateway: DemoGatewayThread) -> None:
    """Every screen switch recomposes the footer. The keys it replaces must not stay alive: bound with
    `data_bind`, each left a watcher on the footer holding it (a Textual bug, upstream issue 6666), ~0.5 MiB
    a switch."""
    app = make_app(small_gateway.url)
    async with app.run_test(size=(120, 24)) as pilot:
        await wait_loaded(pilot)

        def alive() -> int:
            gc.collect()
            return sum(1 for o in gc.get_objects() if isinstance(o, FooterKey))

        for key in ("1", "3", "2") * 2:  # every screen made once, its footer composed
            await pilot.press(key)
            await wait_loaded(pilot)
        await pilot.pause()
        before = alive()
        switches = 30
        for key in ("1", "3", "2") * (switches // 3):
            await pilot.press(key)
            await wait_loaded(pilot)
        await pilot.pause()
        grew = alive() - before
        in_dom = sum(len(screen.query(FooterKey)) for screen in app.screen_stack)
        # A few keys a recompose just dropped may wait for their removal to finish; not one per switch.
        assert grew < switches, (grew, in_dom)


async def test_a_screen_switch_keeps_the_footer_keys_when_they_are_the_same(small_gateway: DemoGatewayThread) -> None:
    """Rebuilding the footer's keys was a fifth of a screen switch's time: a screen shown again keeps
    the keys it had, and a narrower terminal still gets keys that fit."""
    app = make_app(small_gateway.url)
    async with app.run_test(size=(160, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.pause()
        jobs_screen = app.screen
        before = list(jobs_screen.query(FooterKey))
        assert before
        for key in ("3", "2"):
            await pilot.press(key)
            await wait_loaded(pilot)
            await pilot.pause()
        assert app.screen is jobs_screen
        assert list(jobs_screen.query(FooterKey)) == before  # the very same widgets
        await pilot.resize_terminal(70, 24)
        await wait_for(pilot, lambda: footer_words(app)[1] <= 70, what="a footer that fits 70 columns")
        words, _ = footer_words(app)
        assert "help" in words and "quit" in words
        assert len(words) < len(before)


async def test_a_new_screen_builds_its_footer_keys_once(small_gateway: DemoGatewayThread) -> None:
    """A job screen's tables take focus one after the other while it mounts, and each focus change
    told the footer its bindings may have changed: the keys were built four times (~120 ms each).
    They are built once, with the keys of the table that has focus, and again only when those differ."""
    app = make_app(small_gateway.url)
    async with app.run_test(size=(160, 24)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), what="the job screen")
        screen = app.screen
        await wait_for(pilot, lambda: screen.sync is not None and screen.sync.loaded, what="frames")
        footer = screen.query_one(KeyFooter)
        await wait_for(pilot, lambda: footer.query(FooterKey), what="the footer's keys")
        await pilot.pause()
        assert footer.builds == 1
        keys = list(footer.query(FooterKey))
        words = [k.description for k in keys]
        assert "help" in words and "quit" in words
        # `compact` is set without its watcher before mount; the mount's watcher call sets the class
        assert all(not k.compact and not k.has_class("-compact") for k in keys)
