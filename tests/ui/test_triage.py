"""The dead-frame triage view against the demo gateway: what it lists, the log beside it, grouping, and
its keys, checked on the simulated farm's state afterwards (not only on the screen)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm import format as fmt
from cuetui.farm.dead import NOT_READ
from cuetui.ui.screens.across_jobs import fit_items
from cuetui.ui.screens.triage import TriageScreen
from cuetui.ui.widgets.dialogs import ConfirmDialog
from cuetui.ui.widgets.log_tail import LogTail
from tests.ui.steer_support import (
    BAD_HOST,
    EPOCH,
    actions_sent,
    make_app,
    scenario_gateway,
    strict_requests,  # noqa: F401 - autouse: every request parses strictly
    table_loaded,
    toasts,
    wait_farm,
    wait_for,
    wait_loaded,
)

APP_NOW = EPOCH + 60


@pytest.fixture
def gw(make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path) -> DemoGatewayThread:
    return scenario_gateway(make_gateway, tmp_path)


async def open_triage(pilot: Any, grouping: str = "none") -> TriageScreen:
    """Triage on screen, its first data shown, grouped by `grouping` (reached with `g`; the tests of one
    frame a row use "none")."""
    await wait_loaded(pilot)
    screen = TriageScreen()
    pilot.app.push_screen(screen)
    await wait_for(pilot, lambda: pilot.app.screen is screen and table_loaded(screen), what="triage data")
    assert screen.grouping == "signature"  # the default
    while screen.grouping != grouping:
        await pilot.press("g")
    await pilot.pause()
    return screen


def state_of(gw: DemoGatewayThread, job: str, frame: str) -> str:
    return gw.run(lambda farm: farm.find_job(job).frame_states()[frame])


def cursor_frame(screen: TriageScreen) -> tuple[str, str]:
    row = screen.table.cursor_model
    assert row is not None
    return row.job.name, row.frame.name


async def test_lists_every_dead_frame_newest_first_and_calls_out_the_bad_host(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_triage(pilot)
        rows = [screen.table.model(k) for k in screen.table.shown_keys()]
        died = [r.dead.died_at for r in rows if r is not None]
        assert died == sorted(died, reverse=True)
        expected = gw.run(
            lambda farm: sorted(
                (j.name, name) for j in farm.jobs for name, state in j.frame_states().items() if state == "DEAD"
            )
        )
        assert sorted((r.job.name, r.frame.name) for r in rows if r is not None) == expected
        # render07 is the only host that lost more than one frame: the banner says so, and only of it.
        assert screen.summary() == f"⚠ host problem? {BAD_HOST}: 6 dead frames of 3 jobs (others avg 1.0)"
        assert [s.host for s in screen.suspects] == [BAD_HOST]
        assert "exit" in screen.table.visible_columns or "exit" in [c.key for c in screen.table.all_columns]


async def test_died_shows_the_time_of_death_and_the_arrow_says_newest_first(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_triage(pilot)
        table = screen.table
        assert "died" in table.visible_columns
        assert table.columns["died"].label.plain == "Died ▼"  # descending: newest first
        for key in table.shown_keys():
            row = table.model(key)
            assert row is not None
            cell = table.get_cell(key, "died").plain
            assert cell == fmt.timestamp(row.dead.died_at, APP_NOW, seconds=True)
            assert len(cell) <= table.columns["died"].width  # never cut
        await pilot.press("S")  # reverse: oldest first, and the arrow follows
        assert table.columns["died"].label.plain == "Died ▲"
        rows = [table.model(k) for k in table.shown_keys()]
        died = [r.dead.died_at for r in rows if r is not None]
        assert died == sorted(died)


async def test_log_beside_the_table_highlights_the_first_error_line(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_triage(pilot)
        panel = screen.query_one(LogTail)
        await wait_for(pilot, lambda: panel.error_line is not None, what="the log tail")
        assert panel.error_line is not None and panel.error_line.startswith("ERROR: [kick]")
        await pilot.press("down")
        await wait_for(pilot, lambda: panel.shown is not None and "0006-sim" in panel.shown.path, what="next log")
        assert (
            panel.error_line == "ERROR: [kick] failed to open texture '/shots/assets/tex/ground.1042.tx': No such file"
        )


async def test_r_retries_the_cursor_frame_at_once(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_triage(pilot)
        job, frame = cursor_frame(screen)
        await pilot.press("r")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(job).frame_states()[frame] == "WAITING")
        sent = actions_sent(gw)
        assert [path for path, _ in sent] == ["/job.JobInterface/RetryFrames"]
        assert json.loads(sent[0][1])["req"]["ids"]  # by frame id, never an empty criteria
        # The row goes at once (the screen polls again right after the action).
        await wait_for(
            pilot, lambda: screen.table.cursor_model is None or screen.table.cursor_model.frame.name != frame
        )
        await wait_for(pilot, lambda: any("retried 1 frame" in t for t in toasts(app)), what="the outcome toast")


async def test_marked_frames_of_two_jobs_confirm_with_the_count(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_triage(pilot)
        first = cursor_frame(screen)
        await pilot.press("space")
        second = cursor_frame(screen)
        await pilot.press("space", "r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the confirmation")
        assert "2 frames of 2 jobs" in app.screen.question
        await pilot.press("y")
        for job, frame in (first, second):
            await wait_farm(pilot, gw, lambda farm, j=job, f=frame: farm.find_job(j).frame_states()[f] == "WAITING")


async def test_eat_confirms_n_and_escape_cancel_y_eats(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_triage(pilot)
        job, frame = cursor_frame(screen)
        for cancel in ("n", "escape"):
            await pilot.press("e")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
            assert "Eat 1 frame of" in app.screen.question
            await pilot.press(cancel)
            await wait_for(pilot, lambda: app.screen is screen)
        # Each cancel says so once its dialog has answered: after both, nothing more can be on its way.
        await wait_for(pilot, lambda: sum("cancelled: nothing sent" in t for t in toasts(app)) == 2, what="2 cancels")
        assert actions_sent(gw) == []
        assert state_of(gw, job, frame) == "DEAD"
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(job).frame_states()[frame] == "EATEN")
        assert [p for p, _ in actions_sent(gw)] == ["/job.JobInterface/EatFrames"]


async def test_R_retries_every_dead_frame_of_the_job_after_confirming(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    job = "testing-sh010-jdoe_lighting_v003"
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_triage(pilot)
        await wait_for(pilot, lambda: screen.table.row_count > 0)
        while cursor_frame(screen)[0] != job:
            await pilot.press("down")
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"Retry 4 dead frames of job {job}?" in app.screen.question
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(job).stats()["dead"] == 0)
        assert gw.run(lambda farm: farm.find_job("testing-sh020-asmith_fx_v012").stats()["dead"]) == 2
        body = json.loads(actions_sent(gw)[0][1])
        assert body["req"] == {"states": {"frameStates": ["DEAD"]}}


async def test_g_cycles_signature_exit_host_none(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_triage(pilot, "signature")
        # Discoverable: in the footer and in `?` help.
        assert screen.active_bindings["g"].binding.description == "group"
        assert any(spec.key == "g" and "group by" in spec.long_description for spec in screen.help_actions())
        assert "grouped by error signature" in screen.heading()
        await wait_for(pilot, lambda: NOT_READ not in [g.signature for g in screen.groups], what="every log read")

        def group_rows() -> list[tuple[str, int]]:
            rows = [screen.table.model(k) for k in screen.table.shown_keys()]
            return [(r.group.signature, r.group.count) for r in rows if r is not None and r.is_group and r.group]

        assert group_rows() == [
            ("ERROR: [kick] failed to open texture '/shots/assets/tex/ground.<frame>.tx': No such file", 4),
            ("ERROR: process killed by the OOM killer (memory limit exceeded)", 3),
            ("ERROR: Segmentation fault (core dumped) in libai.so", 1),
        ]
        await pilot.press("g")
        assert "grouped by exit status" in screen.heading()
        assert group_rows() == [("exit 1 failed", 4), ("exit 137 killed (OOM?)", 3), ("exit 139 signal 11", 1)]
        assert screen.table.columns["died"].label.plain == "Died ▼"
        await pilot.press("g")
        assert "grouped by host" in screen.heading()
        assert group_rows() == [(BAD_HOST, 6), ("render01", 1), ("render02", 1)]  # then the newest death
        await pilot.press("g")
        assert "newest first" in screen.heading()
        assert screen.table.row_count == 8 and group_rows() == []
        await pilot.press("g")
        assert screen.grouping == "signature"


async def test_banner_lines_fit_the_width_and_never_cut_an_item(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_triage(pilot, "host")
        await pilot.pause()
        lines = [screen.summary(), screen.detail()]
        assert all(len(line) <= 78 for line in lines)
        assert lines[0] == f"⚠ host problem? {BAD_HOST}: 6 dead frames of 3 jobs (others avg 1.0)"
        assert lines[1].startswith(f"hint: host problem? {BAD_HOST}: 6 dead frames of 3 jobs")
        await pilot.resize_terminal(40, 24)
        await wait_for(pilot, lambda: len(screen.detail()) <= 38, what="a narrower line")
        assert screen.detail().startswith("hint: host problem? ") and screen.detail().endswith("…")
        assert len(screen.summary()) <= 38 and screen.summary().startswith(f"⚠ host problem? {BAD_HOST}: ")


async def test_enter_and_l_open_the_full_log(gw: DemoGatewayThread, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    opened: list[tuple[str, str]] = []
    monkeypatch.setattr(app, "open_frame_log", lambda job, frame, path="": opened.append((job.name, frame.name)))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_triage(pilot)
        first = cursor_frame(screen)
        await pilot.press("enter")
        await pilot.press("l")
        assert opened == [first, first]


async def test_read_only_hides_the_keys_and_sends_nothing(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_triage(pilot)
        footer_keys = set(screen.active_bindings)
        assert not {"r", "e", "R"} & footer_keys
        assert "g" in footer_keys
        job, frame = cursor_frame(screen)
        for key in ("r", "e", "R"):
            await pilot.press(key)
            assert app.screen is screen  # no dialog in read-only mode
        await wait_for(pilot, lambda: sum("read-only mode" in t for t in toasts(app)) == 3, what="three refusals")
        assert any("read-only mode: retry not sent" in t for t in toasts(app))
        assert any("read-only mode: eat not sent" in t for t in toasts(app))
        assert actions_sent(gw) == []
        assert state_of(gw, job, frame) == "DEAD"


async def test_only_jobs_whose_counters_changed_are_fetched_again(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW, refresh=0.2)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_triage(pilot)
        assert screen.poll is not None

        def frame_calls() -> list[str]:
            return [
                json.loads(b)["job"]["id"] for _m, p, _h, b, _s in gw.recorded if p == "/job.JobInterface/GetFrames"
            ]

        polls = screen.poll.polls
        before = len(frame_calls())
        await wait_for(pilot, lambda: screen.poll is not None and screen.poll.polls >= polls + 2)
        assert len(frame_calls()) == before  # nothing changed: no GetFrames at all

        def one_more_dead(farm: Any) -> str:
            job = farm.find_job("testing-sh020-asmith_fx_v012")
            i = next(i for i in range(job.total) if job.f_state[i] == 0)
            farm.set_state(job, i, 5)
            return str(job.id)

        job_id = gw.run(one_more_dead)
        await wait_for(pilot, lambda: screen.table.total_count == 9, what="the new dead frame")
        assert set(frame_calls()[before:]) == {job_id}


def test_fit_items_wraps_nothing_and_counts_what_is_left() -> None:
    items = ["render07: 6 dead frames", "render09: 5 dead frames", "render11: 4 dead frames"]
    assert fit_items(items, 200, prefix="⚠ ") == "⚠ " + " · ".join(items)
    assert fit_items(items, 40, prefix="⚠ ") == "⚠ render07: 6 dead frames · +2 more"
    assert fit_items(items, 61, prefix="⚠ ") == "⚠ render07: 6 dead frames · render09: 5 dead frames · +1 more"
    short = fit_items(items, 24, prefix="⚠ ")
    assert short == "⚠ render07: 6… · +2 more" and len(short) == 24
    assert fit_items([], 80) == ""


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_footer_shows_the_triage_keys_whole(gw: DemoGatewayThread, size: tuple[int, int]) -> None:
    from textual.widgets._footer import FooterKey

    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=size) as pilot:
        screen = await open_triage(pilot)
        await pilot.pause()
        width = size[0]

        def shown() -> dict[str, str]:
            keys = screen.query(FooterKey)
            return {k.action: k.key_display for k in keys if k.region.width and k.region.right <= width}

        await wait_for(pilot, lambda: {"retry_frames", "eat_frames", "retry_dead", "cycle_group"} <= set(shown()))
        visible = shown()
        assert visible["open_log"] == "⏎/l"  # enter and l both open the log
        assert [visible[a] for a in ("retry_frames", "eat_frames", "retry_dead", "cycle_group")] == ["r", "e", "R", "g"]


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (160, 48)], ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_error_line_is_wrapped_whole_and_in_view(gw: DemoGatewayThread, size: tuple[int, int]) -> None:
    from textual.containers import VerticalScroll
    from textual.geometry import Region
    from textual.widgets import Static

    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=size) as pilot:
        screen = await open_triage(pilot)
        panel = screen.query_one(LogTail)
        await wait_for(pilot, lambda: panel.error_line is not None, what="the log tail")
        await pilot.pause()
        error = panel.error_line
        assert error is not None and len(error) > size[0] * 0.35  # longer than the side panel is wide
        text = panel.query_one("#log-tail-text", Static)
        strips = text.render_lines(Region(0, 0, text.size.width, text.size.height))
        rendered = "".join(strip.text for strip in strips)
        assert "".join(error.split()) in "".join(rendered.split())  # every character shown, none cut
        assert "…" not in rendered
        # The panel scrolled so that the whole error line is in view.
        scroll = panel.query_one("#log-tail-scroll", VerticalScroll)
        assert panel.shown is not None and panel.shown.error_index is not None
        top = panel.wrapped_row(panel.shown.error_index)
        bottom = panel.wrapped_row(panel.shown.error_index + 1)
        await wait_for(pilot, lambda: scroll.scroll_y <= top, what="the panel scrolled to the error")
        assert bottom - top >= 1 and bottom <= scroll.scroll_y + scroll.scrollable_content_region.height
