"""The app against the simulated gateway on loopback: navigation, filter, sort, cursor stability across
refreshes, drill-down and back, stale data when the gateway goes away, farm strings shown literally."""

from __future__ import annotations

import json
import socket

from cuetui.demo.server import DemoGatewayThread
from cuetui.ui.screens.help import HelpScreen
from cuetui.ui.screens.host_procs import HostProcsScreen
from cuetui.ui.screens.hosts import HostsScreen
from cuetui.ui.screens.job import JobScreen
from cuetui.ui.screens.jobs import JobsScreen
from cuetui.ui.screens.shows import ShowsScreen
from tests.ui.conftest import make_app, wait_for, wait_loaded


def job_requests(gw: DemoGatewayThread) -> list[dict[str, object]]:
    return [json.loads(body or b"{}") for _, path, _, body, _ in gw.recorded if path.endswith("/GetJobs")]


async def test_starts_on_jobs_and_switches_screens(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        jobs = app.screen
        assert isinstance(jobs, JobsScreen)
        assert jobs.table.row_count > 10
        await pilot.press("1")
        await wait_loaded(pilot)
        assert isinstance(app.screen, ShowsScreen)
        assert jobs.poll is not None and jobs.poll.paused, "a hidden screen must not poll"
        await pilot.press("3")
        await wait_loaded(pilot)
        assert isinstance(app.screen, HostsScreen)
        await pilot.press("2")
        assert app.screen is jobs
        await wait_for(pilot, lambda: not jobs.poll.paused)


async def test_hidden_screens_send_no_requests(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("3")
        await wait_loaded(pilot)
        hosts = app.screen
        before = len(job_requests(studio_gateway))
        polls = hosts.poll.polls
        for _ in range(3):
            hosts.refresh_now()
            await wait_for(pilot, lambda n=polls: hosts.poll.polls > n)
            polls = hosts.poll.polls
        assert len(job_requests(studio_gateway)) == before


async def test_filter_live_enter_keeps_it_escape_clears(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        table = app.screen.table
        total = table.total_count
        await pilot.press("slash", *"SH05")
        assert 0 < table.shown_count < total
        assert all("sh05" in table.model(k).name for k in table.shown_keys())
        await pilot.press("down", "down")  # focus is still in the filter: keys go there
        await pilot.press("enter")
        assert app.focused is table
        assert table.cursor_row == 0
        assert table.filter_text == "sh05"
        await pilot.press("escape")
        assert table.shown_count == total
        assert not app.screen.query_one("#filter").display


async def test_sort_and_refresh_keep_the_cursor_on_the_same_job(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        table = screen.table
        await pilot.press("down", "down", "down", "down", "down")
        key = table.cursor_key
        assert key is not None
        row_before = table.cursor_row
        await pilot.press("s")  # sort by the next column
        assert table.sort_column != "name"
        assert table.cursor_key == key
        await pilot.press("S")
        assert table.cursor_key == key
        # The farm changes under us: the top job's priority goes up and it sorts elsewhere.
        table.sort_by("priority", reverse=True)
        other = table.shown_keys()[-1]
        studio_gateway.run(lambda farm: setattr(farm.jobs_by_id[other], "priority", 99_999))
        polls = screen.poll.polls
        screen.refresh_now()
        await wait_for(pilot, lambda n=polls: screen.poll.polls > n)
        await pilot.pause()
        assert table.shown_keys()[0] == other
        assert table.get_cell(other, "priority").plain == "99999"
        assert table.cursor_key == key
        assert row_before >= 0


async def test_a_refresh_without_changes_repaints_nothing(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        table = screen.table
        count = table.repaints
        polls = screen.poll.polls
        screen.refresh_now()
        await wait_for(pilot, lambda n=polls: screen.poll.polls > n)
        assert table.repaints == count


async def test_show_drill_down_and_back(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("1")
        await wait_loaded(pilot)
        shows = app.screen
        show = shows.table.cursor_model
        await pilot.press("enter")
        await wait_loaded(pilot)
        jobs = app.screen
        assert isinstance(jobs, JobsScreen) and jobs.pinned_shows == (show.name,)
        assert {j.show for j in jobs.table.models()} == {show.name}
        assert job_requests(studio_gateway)[-1] == {"r": {"shows": [show.name]}}
        await pilot.press("escape")
        assert app.screen is shows


async def test_host_procs_drill_down(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await wait_loaded(pilot)
        hosts = app.screen
        busy = next(h for h in hosts.table.models() if h.idle_cores < h.cores and h.state == "UP")
        hosts.table.move_to_key(busy.id)
        await pilot.press("enter")
        await wait_loaded(pilot)
        procs = app.screen
        assert isinstance(procs, HostProcsScreen)
        assert procs.table.row_count >= 1
        assert all(p.host == busy.name for p in procs.table.models())
        opened = []
        app.open_job = lambda job: opened.append(job)  # type: ignore[method-assign]
        await pilot.press("j")
        await wait_for(pilot, lambda: opened)
        assert opened[0].name == procs.table.cursor_model.job_name
        await pilot.press("escape")
        assert app.screen is hosts


async def test_host_filters_by_state(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await wait_loaded(pilot)
        table = app.screen.table
        total = table.total_count
        await pilot.press("t")  # UP only
        assert {h.state for h in table.models()} == {"UP"}
        await pilot.press("t")  # DOWN only
        assert {h.state for h in table.models()} <= {"DOWN"}
        assert table.total_count < total


async def test_stale_data_stays_when_the_gateway_goes_away(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        rows = screen.table.row_count
        studio_gateway.stop()
        screen.refresh_now()
        conn = screen.query_one("#status-conn")
        await wait_for(pilot, lambda: "unreachable at http://demo-gateway:8448" in conn.text)
        assert "retrying in" in conn.text
        assert screen.query_one("#status-time").text.startswith("stale")
        assert screen.has_class("-stale")
        assert screen.table.row_count == rows
        assert app.is_running


async def test_gateway_down_at_start_says_so() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    app = make_app(url, display_url=url)
    async with app.run_test(size=(120, 30)) as pilot:
        conn = app.screen.query_one("#status-conn")
        await wait_for(pilot, lambda: f"unreachable at {url}, retrying in" in conn.text)
        assert app.is_running


async def test_farm_strings_are_shown_literally(studio_gateway: DemoGatewayThread) -> None:
    names = {"markup": "[bold red]x[/]", "click": "[@click=app.quit]", "ansi": "\x1b]0;pwned\x07evil\x1b[2Jname"}

    def plant(farm: object) -> list[str]:
        ids = []
        for job, name in zip([j for j in farm.jobs if j.state == 0][:3], names.values(), strict=True):  # type: ignore[attr-defined]
            job.name = name
            ids.append(job.id)
        return ids

    ids = studio_gateway.run(plant)
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        table = app.screen.table
        shown = {table.get_cell(i, "name").plain for i in ids}
        assert shown == {"[bold red]x[/]", "[@click=app.quit]", "evilname"}
        svg = app.export_screenshot()
        assert "[bold&#160;red]x[/]" in svg or "[bold red]x[/]" in svg
        table.move_to_key(ids[1])
        await pilot.press("c")
        assert app.clipboard == "[@click=app.quit]"
        await pilot.press("enter")  # the job screen shows the name too; nothing runs the "click"
        await wait_for(pilot, lambda: isinstance(app.screen, JobScreen), what="the job screen")
        header = app.screen.query_one("#job-header")
        await wait_for(pilot, lambda: "[@click=app.quit]" in str(header.render()), what="the name in the header")
        await pilot.pause()
        assert app.is_running and isinstance(app.screen, JobScreen)
        await pilot.press("escape")
        assert app.screen.table is table
        assert "\x1b" not in svg


async def test_command_line(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("colon", *"hosts", "enter")
        assert isinstance(app.screen, HostsScreen)
        await pilot.press("colon", *"show nimbus", "enter")
        await wait_loaded(pilot)
        assert isinstance(app.screen, JobsScreen) and app.screen.pinned_shows == ("nimbus",)
        await pilot.press("colon", *"bogus", "enter")
        await pilot.pause()
        assert any("unknown command :bogus" in str(n.message) for n in app._notifications)


async def test_job_by_name_from_the_command_line(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    opened = []
    app.open_job = lambda job: opened.append(job)  # type: ignore[method-assign]
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        job = app.screen.table.models()[7]
        await pilot.press("colon", *f"job {job.name}", "enter")
        await wait_for(pilot, lambda: opened)
        assert opened[0].id == job.id


async def test_help_lists_the_screen_keys_and_closes(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = app.export_screenshot()
        for words in ("finished", "mine", "filter", "quit", "reverse&#160;sort"):
            assert words in text
        await pilot.press("escape")
        assert isinstance(app.screen, JobsScreen)


async def test_copy_mark_and_selected_jobs(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        first = screen.table.cursor_model
        await pilot.press("c")
        assert app.clipboard == first.name
        assert [j.id for j in screen.selected_jobs()] == [first.id]
        await pilot.press("space", "space")
        assert len(screen.selected_jobs()) == 2
        await pilot.press("escape")  # clears the marks
        assert len(screen.selected_jobs()) == 1


async def test_finished_and_my_jobs_change_the_request(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url, user="jdoe", shows=("nimbus",))
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        assert job_requests(studio_gateway)[-1] == {"r": {"shows": ["nimbus"]}}
        screen = app.screen
        for key, expected in (
            ("f", {"r": {"shows": ["nimbus"], "includeFinished": True}}),
            ("m", {"r": {"shows": ["nimbus"], "users": ["jdoe"], "includeFinished": True}}),
        ):
            polls = screen.poll.polls
            await pilot.press(key)
            await wait_for(pilot, lambda n=polls: screen.poll.polls > n)
            assert job_requests(studio_gateway)[-1] == expected
        assert {j.user for j in screen.table.models()} <= {"jdoe"}


async def test_80x24_keeps_the_essential_columns(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_loaded(pilot)
        visible = app.screen.table.visible_columns
        assert {"name", "state", "dead", "progress"} <= set(visible)
        assert len(visible) < 16


async def test_quit_exits_zero(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_loaded(pilot)
        await pilot.press("q")
    assert app.return_code == 0


async def test_enter_opens_the_job_and_escape_comes_back(studio_gateway: DemoGatewayThread) -> None:
    from cuetui.ui.screens.job import JobScreen

    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        jobs = app.screen
        job = jobs.table.cursor_model
        await pilot.press("enter")
        assert isinstance(app.screen, JobScreen) and app.screen.job_id == job.id
        assert jobs.poll.paused, "the jobs screen stops polling while the job screen is on top"
        await pilot.press("escape")
        assert app.screen is jobs
        await wait_for(pilot, lambda: not jobs.poll.paused)


async def test_a_proc_opens_its_frame_log(studio_gateway: DemoGatewayThread) -> None:
    from cuetui.ui.screens.frame_log import FrameLogScreen

    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.press("3")
        await wait_loaded(pilot)
        hosts = app.screen
        busy = next(h for h in hosts.table.models() if h.idle_cores < h.cores and h.state == "UP")
        hosts.table.move_to_key(busy.id)
        await pilot.press("enter")
        await wait_loaded(pilot)
        proc = app.screen.table.cursor_model
        await pilot.press("l")
        await wait_for(pilot, lambda: isinstance(app.screen, FrameLogScreen))
        assert app.screen.frame.name == proc.frame_name
        assert app.screen.job.name == proc.job_name


async def test_palette_jumps_to_a_job_by_fuzzy_name(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    opened = []
    app.open_job = lambda job: opened.append(job)  # type: ignore[method-assign]
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        job = app.screen.table.models()[3]
        await pilot.press("ctrl+p")
        await pilot.press(*job.name)
        from textual.command import CommandList

        def best_hit() -> str:
            lists = app.screen.query(CommandList)
            if not lists or lists.first().highlighted is None:
                return ""
            command_list = lists.first()
            return str(command_list.get_option_at_index(command_list.highlighted).prompt)

        # The palette searches in the background: wait until the job is the highlighted hit.
        await wait_for(pilot, lambda: job.name in best_hit(), what="the job as the best palette hit")
        await pilot.press("enter")
        await wait_for(pilot, lambda: opened)
        assert opened[0].id == job.id


async def test_keymap_remaps_by_action_id(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url, keymap={"jobs.finished": "F", "nav.hosts": "h"})
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        screen = app.screen
        await pilot.press("F")
        assert screen.include_finished
        await pilot.press("h")
        assert isinstance(app.screen, HostsScreen)


async def test_read_only_and_unverified_tls_are_shown(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url, read_only=True, tls_unverified=True)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        flags = app.screen.query_one("#status-flags").text
        assert "READ-ONLY" in flags and "TLS UNVERIFIED" in flags
        assert app.services.actions.read_only


async def test_tiny_and_huge_terminals(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(40, 10)) as pilot:
        await wait_loaded(pilot)
        for size in ((20, 5), (300, 100), (80, 24), (40, 10)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
        assert app.screen.table.cursor_key is not None
        await pilot.press("3", "1", "question_mark", "escape", "2")
        assert app.is_running


async def test_dead_and_stuck_views_from_keys_and_commands(studio_gateway: DemoGatewayThread) -> None:
    from cuetui.ui.screens.stuck import StuckScreen
    from cuetui.ui.screens.triage import TriageScreen

    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        steps = [
            (("4",), TriageScreen),
            (("5",), StuckScreen),
            (("colon", *"dead", "enter"), TriageScreen),
            (("colon", *"stuck", "enter"), StuckScreen),
            (("2",), JobsScreen),
        ]
        for keys, screen in steps:
            await pilot.press(*keys)
            # A screen switch lands after the key's handler has run: wait for it, never assume it.
            await wait_for(pilot, lambda s=screen: isinstance(app.screen, s), what=f"{screen.__name__} after {keys}")


async def test_p_on_the_jobs_screen_pauses_the_cursor_job(studio_gateway: DemoGatewayThread) -> None:
    app = make_app(studio_gateway.url)
    async with app.run_test(size=(160, 48)) as pilot:
        await wait_loaded(pilot)
        table = app.screen.table
        job = next(j for j in table.models() if not j.is_paused)
        table.move_to_key(job.id)
        await pilot.press("p")
        await wait_for(pilot, lambda: studio_gateway.run(lambda farm: farm.jobs_by_id[job.id].is_paused), what="paused")
        await wait_for(pilot, lambda: table.model(job.id).is_paused, what="the row to say paused")
        assert table.get_cell(job.id, "state").plain == "PAUSED"
