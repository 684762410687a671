"""The frame-log screen against the demo gateway and its real `.rqlog` files: follow, search, attempts,
unreadable paths, log_path_map, hostile content, Loki."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.logs import frame_log_path
from cuetui.gateway.models import Frame, Job
from cuetui.ui.screens.frame_log import AttemptPicker, FrameLogScreen
from tests.ui.jobview_support import EPOCH, make_app, make_client, wait_for


async def fetch(gw: DemoGatewayThread, token: str, pick: Callable[[Any], tuple[str, int]]) -> tuple[Job, Frame]:
    """The gateway's Job and Frame for the frame `pick(farm)` names as (job id, frame index)."""
    job_id, index = gw.run(pick)
    frame_id = gw.run(lambda farm: farm.find_job(job_id).frame_id(index))
    async with make_client(gw, token) as client:
        return await client.get_job(job_id), await client.get_frame(frame_id)


def frame_in_state(state: str, *, min_attempts: int = 1) -> Callable[[Any], tuple[str, int]]:
    def pick(farm: Any) -> tuple[str, int]:
        for job in farm.jobs:
            for i in range(job.total):
                if job.frame_states()[job.frame_name(i)] == state and job.f_attempts[i] >= min_attempts:
                    return job.id, i
        raise AssertionError(f"no {state} frame with {min_attempts} attempts")

    return pick


def log_screen(app: Any) -> FrameLogScreen | None:
    screen = app.screen
    return screen if isinstance(screen, FrameLogScreen) else None


def shown(screen: FrameLogScreen) -> str:
    """What the log view shows right now, as the terminal would get it."""
    view = screen.view
    return "\n".join("".join(seg.text for seg in view.render_line(y)) for y in range(view.size.height))


async def test_follow_appends_new_lines_then_stops_when_the_frame_ends(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=EPOCH)
    job, frame = await fetch(gw, gateway_token, frame_in_state("RUNNING"))
    app = make_app(gw, gateway_token, lambda: FrameLogScreen(job, frame))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: log_screen(app) is not None and len(log_screen(app).view.lines) > 3)
        screen = log_screen(app)
        assert screen is not None and screen.following
        assert screen.path == frame_log_path(job, frame)
        with open(screen.path, "ab") as f:
            f.write(b"[2026-01-01 00:00:01] INFO  | a brand new line\n")
        await wait_for(pilot, lambda: "a brand new line" in screen.view.lines[-1], what="the appended line")
        assert "a brand new line" in shown(screen)  # the view followed the end

        def finish(farm: Any) -> None:
            farm_job = farm.find_job(job.id)
            i = farm_job.frame_index(frame.name)
            farm.finish_frame(farm.procs[(farm_job.index, i)], True, 0)

        gw.run(finish)
        await wait_for(pilot, lambda: not screen.following, what="follow to stop")
        assert any("RenderQ Job Complete" in line for line in screen.view.lines)
        assert screen.frame.state == "SUCCEEDED"


async def test_search_next_previous(make_gateway: Callable[..., DemoGatewayThread], gateway_token: str) -> None:
    gw = make_gateway(epoch=EPOCH)
    job, frame = await fetch(gw, gateway_token, frame_in_state("DEAD"))
    app = make_app(gw, gateway_token, lambda: FrameLogScreen(job, frame))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: log_screen(app) is not None and len(log_screen(app).view.lines) > 3)
        screen = log_screen(app)
        assert screen is not None
        await pilot.press("/")
        await pilot.press(*"threads")
        await pilot.press("enter")
        view = screen.view
        first = view.current
        assert first is not None and "threads" in view.lines[first]
        await pilot.press("n")
        second = view.current
        assert second is not None and second != first and "threads" in view.lines[second]
        await pilot.press("N")
        assert view.current == first
        await pilot.press("/")
        await pilot.press(*"exitStatus", "enter")  # the old text is selected: typing replaces it
        assert view.current is not None and view.lines[view.current].startswith("exitStatus")
        assert "exitStatus" in shown(screen)


async def test_search_says_which_match_of_how_many(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=EPOCH)
    job, frame = await fetch(gw, gateway_token, frame_in_state("DEAD"))
    app = make_app(gw, gateway_token, lambda: FrameLogScreen(job, frame))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: log_screen(app) is not None and len(log_screen(app).view.lines) > 3)
        screen = log_screen(app)
        assert screen is not None
        await pilot.press("/", *"threads", "enter")
        view = screen.view
        matching = [i for i, line in enumerate(view.lines) if "threads" in line]
        assert len(matching) > 2
        status = screen.query_one("#log-status")
        first = view.current
        assert first is not None
        n = matching.index(first) + 1
        assert f"match {n} of {len(matching)}, line {first + 1}" in str(status.render())
        await pilot.press("n")
        second = view.current
        assert second is not None
        n2 = matching.index(second) + 1
        assert n2 == n % len(matching) + 1
        assert f"match {n2} of {len(matching)}, line {second + 1}" in str(status.render())


async def test_attempts_newest_first_and_selectable(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=EPOCH)
    job, frame = await fetch(gw, gateway_token, frame_in_state("DEAD", min_attempts=3))
    app = make_app(gw, gateway_token, lambda: FrameLogScreen(job, frame))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: log_screen(app) is not None and len(log_screen(app).view.lines) > 3)
        screen = log_screen(app)
        assert screen is not None
        numbers = [a.number for a in screen.attempts]
        assert numbers[0] == 0 and numbers[1:] == sorted(numbers[1:], reverse=True) and len(numbers) >= 3
        current_lines = list(screen.view.lines)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AttemptPicker))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: log_screen(app) is not None and screen.attempt_index == 1)
        await wait_for(pilot, lambda: screen.view.lines != current_lines, what="the older attempt's text")
        assert f".{numbers[1]}" in str(screen.query_one("#log-header").render())


async def test_an_earlier_attempts_header_describes_that_attempt(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=EPOCH)
    job, frame = await fetch(gw, gateway_token, frame_in_state("DEAD", min_attempts=3))

    def hosts(farm: Any) -> list[str]:
        farm_job = farm.find_job(job.id)
        return [a.host for a in farm.logs.attempts(farm_job, farm_job.frame_index(frame.name))]

    attempt_hosts = gw.run(hosts)  # oldest first: `.1` ran on attempt_hosts[0]
    assert attempt_hosts[0] != frame.host
    app = make_app(gw, gateway_token, lambda: FrameLogScreen(job, frame))
    async with app.run_test(size=(160, 30)) as pilot:
        await wait_for(pilot, lambda: log_screen(app) is not None and len(log_screen(app).view.lines) > 3)
        screen = log_screen(app)
        assert screen is not None
        header = screen.query_one("#log-header")
        assert f"on {frame.host}  try {frame.retry_count}" in str(header.render())
        oldest = len(screen.attempts) - 1
        assert screen.attempts[oldest].number == 1
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AttemptPicker))
        await pilot.press("end", "enter")
        await wait_for(pilot, lambda: log_screen(app) is not None and screen.attempt_index == oldest)
        await wait_for(pilot, lambda: "earlier attempt .1" in str(header.render()), what="the earlier attempt's header")
        words = str(header.render()).split("\n")[0]
        assert f"on {attempt_hosts[0]}" in words and "exit 1" in words
        assert f"on {frame.host} " not in words and not words.endswith(f"on {frame.host}")
        assert f"now: DEAD, try {frame.retry_count}" in words


async def test_unreadable_path_says_where_and_how_to_map(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=EPOCH)
    job, frame = await fetch(gw, gateway_token, frame_in_state("DEAD"))
    farm_job = job._replace(log_dir="/farm/shots/testing/logs")
    app = make_app(gw, gateway_token, lambda: FrameLogScreen(farm_job, frame))
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_for(pilot, lambda: log_screen(app) is not None and log_screen(app).unreadable)
        screen = log_screen(app)
        assert screen is not None
        text = shown(screen)
        assert f"/farm/shots/testing/logs/{job.name}.{frame.name}.rqlog" in text
        assert "no such file" in text and "log_path_map" in text


async def test_log_path_map_rewrites_the_farm_prefix(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=EPOCH)
    job, frame = await fetch(gw, gateway_token, frame_in_state("DEAD"))
    real_dir = job.log_dir
    farm_job = job._replace(log_dir="/farm/logs/" + os.path.basename(real_dir))
    path_map = [("/farm/logs", os.path.dirname(real_dir))]
    app = make_app(gw, gateway_token, lambda: FrameLogScreen(farm_job, frame), log_path_map=path_map)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: log_screen(app) is not None and len(log_screen(app).view.lines) > 3)
        screen = log_screen(app)
        assert screen is not None and not screen.unreadable
        assert screen.path == frame_log_path(job, frame)
        assert screen.farm_path.startswith("/farm/logs/")


async def test_hostile_log_content_is_inert(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str, tmp_path: Path
) -> None:
    gw = make_gateway(epoch=EPOCH)
    job, frame = await fetch(gw, gateway_token, frame_in_state("DEAD"))
    hostile = (
        b"\x1b]0;pwned title\x07\x1b[2Jcleared? \x1b[31mred\x1b[0m\n"
        b"[bold red]not bold[/] [@click=app.quit]click me[/]\n"
        b"\x1b]52;c;aGVsbG8=\x07clipboard write\n"
        b"latin-1 caf\xe9 and a lone \xff byte\n"
    )
    Path(frame_log_path(job, frame)).write_bytes(hostile)
    app = make_app(gw, gateway_token, lambda: FrameLogScreen(job, frame))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: log_screen(app) is not None and len(log_screen(app).view.lines) >= 4)
        screen = log_screen(app)
        assert screen is not None
        text = shown(screen)
        assert "\x1b" not in text and "\x07" not in text
        assert "cleared? red" in text
        assert "[bold red]not bold[/] [@click=app.quit]click me[/]" in text
        assert "clipboard write" in text and "aGVsbG8" not in text
        assert "caf\ufffd and a lone \ufffd byte" in text
        await pilot.click("#log", offset=(10, 1))
        assert app.is_running and log_screen(app) is screen


async def test_loki_attempts_and_lines(make_gateway: Callable[..., DemoGatewayThread], gateway_token: str) -> None:
    gw = make_gateway(epoch=EPOCH, loki=True)
    job, frame = await fetch(gw, gateway_token, frame_in_state("DEAD", min_attempts=2))
    assert job.loki_url
    os.remove(frame_log_path(job, frame))  # proves the lines come from Loki, not the file
    app = make_app(gw, gateway_token, lambda: FrameLogScreen(job, frame))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: log_screen(app) is not None and len(log_screen(app).view.lines) > 3)
        screen = log_screen(app)
        assert screen is not None and not screen.unreadable
        assert len(screen.loki_attempts) >= 2
        assert any("RenderQ JobSpec" in line for line in screen.view.lines)
        newest = list(screen.view.lines)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, AttemptPicker))
        await pilot.press("end", "enter")
        await wait_for(pilot, lambda: screen.view.lines != newest, what="the oldest attempt from Loki")
        assert "Loki" in str(screen.query_one("#log-header").render())


async def test_big_log_opens_at_its_tail_and_loads_the_start_on_demand(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=EPOCH)
    job, frame = await fetch(gw, gateway_token, frame_in_state("DEAD"))
    path = Path(frame_log_path(job, frame))
    lines = [b"line %07d of a very chatty renderer\n" % n for n in range(300_000)]  # ~11 MB
    path.write_bytes(b"".join(lines))
    app = make_app(gw, gateway_token, lambda: FrameLogScreen(job, frame))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: log_screen(app) is not None and len(log_screen(app).view.lines) > 100)
        screen = log_screen(app)
        assert screen is not None and screen.log_file is not None
        view = screen.view
        assert view.lines[-1] == "line 0299999 of a very chatty renderer"
        assert len(view.lines) < 20_000, "the whole file was read instead of its tail"
        assert "tail of" in str(screen.query_one("#log-status").render())
        await wait_for(pilot, lambda: view.at_end and view.max_scroll_y > 0, what="the view at the end")
        assert "line 0299999" in shown(screen)
        # scrolling up past the top brings the text before it
        before = len(view.lines)
        view.scroll_to(y=1, animate=False, immediate=True)
        await pilot.press("up", "up")
        await wait_for(pilot, lambda: len(view.lines) > before, what="earlier text")
        assert view.lines[-1] == "line 0299999 of a very chatty renderer"
        # g: from the very start
        await pilot.press("g")
        # (the file reaches its start in a reader thread a moment before the view gets the lines)
        await wait_for(pilot, lambda: len(view.lines) == 300_000, what="the start in the view")
        assert screen.log_file is not None and screen.log_file.at_start
        assert view.lines[0] == "line 0000000 of a very chatty renderer"
        assert "line 0000000" in shown(screen)


async def test_loki_from_the_farm_config_when_the_job_has_no_loki_url(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=EPOCH, loki=True)
    job, frame = await fetch(gw, gateway_token, frame_in_state("DEAD"))
    plain_job = job._replace(loki_url="", log_dir="/nowhere/on/this/machine")
    app = make_app(gw, gateway_token, lambda: FrameLogScreen(plain_job, frame), loki_url=gw.url)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_for(pilot, lambda: log_screen(app) is not None and len(log_screen(app).view.lines) > 3)
        screen = log_screen(app)
        assert screen is not None and screen.loki_url == gw.url and not screen.unreadable
        assert any("RenderQ Job Complete" in line for line in screen.view.lines)
