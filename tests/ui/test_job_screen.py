"""The job screen against the demo gateway: opening, layer filter, dead only, live updates in place,
the 100-frame rule and the hang → 504 → reload path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from cuetui.demo.farm import DEAD, RUNNING, SUCCEEDED
from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.frames import FrameSync
from cuetui.ui.screens import job as job_module
from cuetui.ui.screens.job import JobScreen
from cuetui.ui.widgets.frame_strip import state_code
from tests.ui.jobview_support import EPOCH, make_app, wait_for


def biggest_pending_job(gw: DemoGatewayThread) -> tuple[str, str]:
    def pick(farm: Any) -> tuple[str, str]:
        job = max((j for j in farm.jobs if j.state_name == "PENDING"), key=lambda j: (len(j.layers), j.total))
        return job.id, job.name

    return gw.run(pick)


def set_states(gw: DemoGatewayThread, job_id: str, indices: list[int] | range, state: int) -> list[str]:
    def change(farm: Any) -> list[str]:
        job = farm.find_job(job_id)
        for i in indices:
            farm.set_state(job, i, state)
        return [job.frame_id(i) for i in indices]

    return gw.run(change)


def farm_index(gw: DemoGatewayThread, job_id: str, frame_name: str) -> int:
    """The demo farm's index of a frame, by name."""
    return gw.run(lambda farm: farm.find_job(job_id).frame_index(frame_name))


def loaded(app: Any) -> bool:
    screen = app.screen
    return isinstance(screen, JobScreen) and screen.sync is not None and screen.sync.loaded


async def test_opens_with_header_layers_strip_and_every_frame(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=EPOCH)
    job_id, job_name = biggest_pending_job(gw)
    total, layer_names = gw.run(
        lambda farm: (farm.find_job(job_id).total, [la.name for la in farm.find_job(job_id).layers])
    )
    app = make_app(gw, gateway_token, lambda: JobScreen(job_id, job_name))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="frames loaded")
        screen: JobScreen = app.screen  # type: ignore[assignment]
        await wait_for(pilot, lambda: screen.layers_table.row_count == len(layer_names) + 1, what="layers")
        assert len(screen.frames_table.rows) == total
        assert len(screen.strip.codes) == total
        assert job_name in str(screen.query_one("#job-header").render())
        # frame order: as Cuebot orders them (frame dispatch order, then layer order)
        names = [screen.sync.frames[i].name for i in screen.frames_table.rows[:2]]  # type: ignore[union-attr]
        assert names[0].split("-")[0] == names[1].split("-")[0]
        await pilot.press("escape")
        assert not isinstance(app.screen, JobScreen) or len(app.screen_stack) == 1


async def test_the_layers_table_has_its_height_before_the_layers_arrive(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    # Opened from the jobs table, the screen knows the job's layer count: the layers table is laid out
    # at its final height at once (one layout, no jump when the layers come).
    gw = make_gateway(epoch=EPOCH)
    job_id, job_name = biggest_pending_job(gw)
    layer_count = gw.run(lambda farm: len(farm.find_job(job_id).layers))
    assert layer_count > 1
    heights: list[object] = []

    def screen() -> JobScreen:
        job_screen = JobScreen(job_id, job_name, layer_count=layer_count)

        def first_refresh() -> None:
            styles = job_screen.layers_table.styles
            # The screen's own height (not the stylesheet's), set before any answer came.
            heights.append(styles.height if styles.inline.has_rule("height") and not job_screen.job_layers else None)

        job_screen.call_after_refresh(first_refresh)
        return job_screen

    app = make_app(gw, gateway_token, screen)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="frames loaded")
        shown: JobScreen = app.screen  # type: ignore[assignment]
        await wait_for(pilot, lambda: shown.layers_table.row_count == layer_count + 1, what="layers")
        assert heights and heights[0] is not None
        assert heights[0] == shown.layers_table.styles.height
        assert shown.layers_table.styles.height.value == min(layer_count + 1, 10) + 1  # type: ignore[union-attr]


async def test_layer_selection_and_dead_only_filter_frames(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=EPOCH)
    job_id, job_name = biggest_pending_job(gw)
    states = gw.run(lambda farm: farm.find_job(job_id).frame_states())
    app = make_app(gw, gateway_token, lambda: JobScreen(job_id, job_name))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        screen: JobScreen = app.screen  # type: ignore[assignment]
        sync = screen.sync
        assert sync is not None
        await wait_for(pilot, lambda: screen.layers_table.row_count > 2)
        screen.layers_table.focus()
        await pilot.press("down")  # from "all layers" to the first layer
        first_layer = screen.job_layers[0].name
        await wait_for(pilot, lambda: screen.layer_filter == first_layer)
        rows = screen.frames_table.rows
        assert rows and all(sync.frames[i].layer_name == first_layer for i in rows)
        assert len(rows) == sum(1 for name in states if name.endswith("-" + first_layer))
        await pilot.press("up")
        await wait_for(pilot, lambda: screen.layer_filter is None)
        assert len(screen.frames_table.rows) == len(states)
        screen.frames_table.focus()
        await pilot.press("d")
        dead = [name for name, state in states.items() if state == "DEAD"]
        assert dead, "the small farm has dead frames"
        assert sorted(sync.frames[i].name for i in screen.frames_table.rows) == sorted(dead)
        await pilot.press("d")
        assert len(screen.frames_table.rows) == len(states)


async def test_live_update_in_place_and_dead_only_membership(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=EPOCH)
    job_id, job_name = biggest_pending_job(gw)
    app = make_app(gw, gateway_token, lambda: JobScreen(job_id, job_name))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        screen: JobScreen = app.screen  # type: ignore[assignment]
        sync = screen.sync
        assert sync is not None
        table = screen.frames_table
        table.move_to(table.rows[10])
        cursor_frame = table.cursor_id
        rows_before = table.rows
        waiting = [i for i, fid in enumerate(sync.order) if sync.frames[fid].state != "DEAD"]
        index = waiting[3]
        (frame_id,) = set_states(
            gw,
            job_id,
            [gw.run(lambda farm: farm.find_job(job_id).frame_index(sync.frames[sync.order[index]].name))],
            DEAD,
        )
        await wait_for(
            pilot,
            lambda: screen.strip.codes[sync.index_of(frame_id)] == state_code("DEAD"),
            what="the frame to turn DEAD on screen",
        )
        assert sync.frames[frame_id].state == "DEAD"
        row = table.row_of(frame_id)
        assert row is not None and row < table.size.height - 1
        line = "".join(segment.text for segment in table.render_line(row + 1 - int(table.scroll_y)))
        assert sync.frames[frame_id].name in line and " DEAD " in line
        assert table.rows is rows_before, "the table was rebuilt instead of updated in place"
        assert table.cursor_id == cursor_frame
        assert sync.stats.full_loads == 1 and sync.stats.incremental >= 1
        # in dead-only mode a frame that leaves DEAD leaves the table
        await pilot.press("d")
        assert frame_id in table.rows
        set_states(
            gw, job_id, [gw.run(lambda farm: farm.find_job(job_id).frame_index(sync.frames[frame_id].name))], RUNNING
        )
        await wait_for(pilot, lambda: frame_id not in table.rows, what="the frame to leave the dead-only table")


async def test_hundred_changes_reload_the_whole_list(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(profile="studio", epoch=EPOCH)

    def pick(farm: Any) -> tuple[str, str]:
        job = max((j for j in farm.jobs if j.state_name == "PENDING"), key=lambda j: j.total)
        return job.id, job.name

    job_id, job_name = gw.run(pick)
    app = make_app(gw, gateway_token, lambda: JobScreen(job_id, job_name))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        screen: JobScreen = app.screen  # type: ignore[assignment]
        sync = screen.sync
        assert sync is not None
        ids = set_states(gw, job_id, range(100), SUCCEEDED)
        await wait_for(pilot, lambda: sync.stats.full_loads >= 2, what="a full reload")
        assert any("100 frames" in reason for reason in sync.stats.reasons)
        assert all(sync.frames[i].state == "SUCCEEDED" for i in ids)


async def test_hang_then_504_then_reload_then_fallback_warned_once(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=EPOCH, record=True)
    job_id, job_name = biggest_pending_job(gw)
    farm_now = gw.farm.now  # type: ignore[union-attr]
    # this machine's clock 70 s behind the farm's: every GetUpdatedFrames hangs until Grpc-Timeout
    app = make_app(gw, gateway_token, lambda: JobScreen(job_id, job_name), clock=lambda: farm_now() - 70)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen) and app.screen.sync is not None)
        screen: JobScreen = app.screen  # type: ignore[assignment]
        sync = screen.sync
        assert sync is not None
        sync.grpc_timeout = 1
        await wait_for(
            pilot, lambda: sync.stats.timeouts >= 1 and sync.stats.full_loads >= 2, timeout=20, what="timeout+reload"
        )
        statuses = [s for _, path, _, _, s in gw.recorded if path.endswith("GetUpdatedFrames")]
        assert 504 in statuses
        await wait_for(pilot, lambda: sync.fallback, timeout=20, what="the changeDate fallback")
        (frame_id,) = set_states(gw, job_id, [0], DEAD)
        await wait_for(
            pilot, lambda: sync.frames[frame_id].state == "DEAD", timeout=20, what="a change seen in fallback"
        )
        await wait_for(pilot, lambda: screen.warnings_shown, what="the fallback warning")
        await wait_for(pilot, lambda: screen.polls >= sync.stats.full_loads + 2, what="more polls")
        assert len(screen.warnings_shown) == 1 and "fall back" in screen.warnings_shown[0]
        assert "changeDate" in str(screen.query_one("#job-status").render())


async def test_no_color_job_screen_shows_dead_frames_by_glyph(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str, monkeypatch: Any
) -> None:
    gw = make_gateway(epoch=EPOCH)
    job_id, job_name = biggest_pending_job(gw)
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(gw, gateway_token, lambda: JobScreen(job_id, job_name))
    monkeypatch.delenv("NO_COLOR")
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        screen: JobScreen = app.screen  # type: ignore[assignment]
        await pilot.pause()
        strip_text = "".join(s.text for y in range(screen.strip.size.height) for s in screen.strip.render_line(y))
        assert "X" in strip_text and "=" in strip_text
        await pilot.press("d", "down", "d")
        assert app.is_running


async def test_l_opens_the_log_polling_pauses_while_hidden_escape_comes_back(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    from cuetui.ui.screens.frame_log import FrameLogScreen

    gw = make_gateway(epoch=EPOCH, record=True)
    job_id, job_name = biggest_pending_job(gw)
    app = make_app(gw, gateway_token, lambda: JobScreen(job_id, job_name))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        screen: JobScreen = app.screen  # type: ignore[assignment]
        sync = screen.sync
        assert sync is not None and screen.poll is not None
        await wait_for(pilot, lambda: screen.polls >= 2, what="a couple of polls")
        dead = next(i for i in sync.order if sync.frames[i].state == "DEAD")
        screen.frames_table.move_to(dead)
        await pilot.press("c")
        assert app.clipboard == sync.frames[dead].name
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, FrameLogScreen), what="the frame log")
        log = app.screen
        assert isinstance(log, FrameLogScreen) and log.frame.id == dead and log.job.id == job_id
        await wait_for(pilot, lambda: len(log.view.lines) > 3)
        await pilot.press("c")
        assert app.clipboard == log.path
        assert screen.poll.paused, "the hidden job screen must not poll"
        polls = screen.polls
        calls = len(gw.recorded)
        # Nothing may be sent for the job for several of its poll intervals: a witness timer with the same
        # interval proves the intervals went by on the app's loop, however slow the machine.
        ticks: list[None] = []
        witness = app.set_interval(screen.poll.interval, lambda: ticks.append(None))
        await wait_for(pilot, lambda: len(ticks) >= 3, what="three poll intervals")
        witness.stop()
        assert screen.polls == polls
        job_calls = [p for _, p, _, b, _ in gw.recorded[calls:] if job_id.encode() in b and "GetFrame" not in p]
        assert job_calls == []
        await pilot.press("escape")
        assert app.screen is screen
        await wait_for(pilot, lambda: screen.polls > polls, what="polling again once visible")


async def test_r_retries_the_cursor_dead_frame_and_the_row_updates(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=EPOCH)
    job_id, job_name = biggest_pending_job(gw)
    app = make_app(gw, gateway_token, lambda: JobScreen(job_id, job_name))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        screen: JobScreen = app.screen  # type: ignore[assignment]
        sync = screen.sync
        assert sync is not None
        await wait_for(pilot, lambda: screen.job is not None)
        dead = next(i for i in sync.order if sync.frames[i].state == "DEAD")
        name = sync.frames[dead].name
        screen.frames_table.move_to(dead)
        await pilot.press("r")  # one dead frame of one job: no confirmation needed
        await wait_for(
            pilot,
            lambda: gw.run(lambda farm: farm.find_job(job_id).frame_states()[name]) != "DEAD",
            what="the farm to retry the frame",
        )
        await wait_for(pilot, lambda: sync.frames[dead].state != "DEAD", what="the row to follow")


async def test_pages_that_arrive_between_two_hand_overs_are_all_shown_once_loaded(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str, monkeypatch: Any
) -> None:
    # While a job loads, arrived pages are handed to the table at most every LOAD_SHOW_EVERY seconds:
    # the pages after the last hand-over must still reach the table and the strip, in order.
    from cuetui.farm.views.job import JobDetailView
    from cuetui.ui.screens import job as job_screen

    class SmallPages(JobDetailView):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.sync.page_size = 10

    monkeypatch.setattr(job_screen, "JobDetailView", SmallPages)
    monkeypatch.setattr(job_screen, "LOAD_SHOW_EVERY", 3600.0)  # only the first page during the load
    gw = make_gateway(epoch=EPOCH)
    job_id, job_name = biggest_pending_job(gw)
    total = gw.run(lambda farm: farm.find_job(job_id).total)
    assert total > 3 * 10  # several pages
    app = make_app(gw, gateway_token, lambda: JobScreen(job_id, job_name))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="frames loaded")
        screen: JobScreen = app.screen  # type: ignore[assignment]
        await wait_for(pilot, lambda: screen.last_result is not None, what="the first poll's result")
        assert screen.sync is not None
        assert screen.frames_table.rows == screen.sync.order
        assert len(screen.frames_table.rows) == total
        assert len(screen.strip.codes) == total


def biggest_job_screen(
    gw: DemoGatewayThread, token: str, screen: type[JobScreen]
) -> tuple[DemoGatewayThread, str, Callable[[], JobScreen]]:
    """`make_app`'s arguments for a job screen (of class `screen`) on the farm's biggest pending job."""
    job_id, job_name = biggest_pending_job(gw)
    return gw, token, lambda: screen(job_id, job_name)


async def loaded_screen(pilot: Any, app: Any) -> tuple[JobScreen, FrameSync]:
    """The job screen once its first load is done, and its frames."""
    await wait_for(pilot, lambda: loaded(app), what="frames loaded")
    screen: JobScreen = app.screen
    assert screen.sync is not None
    return screen, screen.sync


async def test_the_shared_table_keys_act_on_the_frames_and_the_mark_key_on_the_focused_table(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    app = make_app(*biggest_job_screen(make_gateway(epoch=EPOCH), gateway_token, JobScreen))
    async with app.run_test(size=(160, 48)) as pilot:
        screen, sync = await loaded_screen(pilot, app)
        table = screen.frames_table
        name = sync.frames[sync.order[3]].name
        await pilot.press("slash", *name, "enter")
        assert [sync.frames[i].name for i in table.rows] == [name] and screen.focused is table
        await pilot.press("escape")
        assert len(table.rows) == len(sync.order) and not table.filter_text
        await pilot.press("s")  # the first column, then back to frame order after the last
        assert table.sort_column == table.visible_columns[0]
        for _ in table.visible_columns:
            await pilot.press("s")
        assert table.sort_column == "" and table.rows == sync.order
        # equal states keep frame order both ways (the tie)
        table.set_sort("state", False)
        await pilot.press("S")
        states = [sync.frames[i].state for i in table.rows]
        assert states == sorted(states, reverse=True)
        first_state = [i for i in table.rows if sync.frames[i].state == states[0]]
        assert first_state == [i for i in sync.order if sync.frames[i].state == states[0]]
        # space marks a layer with the layers table focused, else a frame
        screen.layers_table.focus()
        await pilot.press("space")
        assert len(screen.layers_table.marked) == 1 and not table.marked
        table.focus()
        await pilot.press("space")
        assert len(table.marked) == 1 and "1 marked" in str(screen.query_one("#frames-title").render())
        table.focus()
        await pilot.press("escape")
        assert not table.marked and "marked" not in str(screen.query_one("#frames-title").render())


class SortedJobScreen(JobScreen):
    """The job screen with its frames sorted before the first load has arrived."""

    CSS_PATH = str(Path(job_module.__file__).parent / JobScreen.CSS_PATH)  # (relative to this file otherwise)

    def on_mount(self) -> None:
        self.frames_table.set_sort("state", False)


async def test_frames_sorted_while_the_first_load_runs_are_shown_sorted_once_it_is_done(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    app = make_app(*biggest_job_screen(make_gateway(epoch=EPOCH), gateway_token, SortedJobScreen))
    async with app.run_test(size=(160, 48)) as pilot:
        screen, sync = await loaded_screen(pilot, app)
        await wait_for(pilot, lambda: len(screen.frames_table.rows) == len(sync.order), what="every frame shown")
        states = [sync.frames[i].state for i in screen.frames_table.rows]
        assert states == sorted(states)
