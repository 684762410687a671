"""Triage grouped by error signature against scenario farms: group rows, `enter` to expand, `r`/`e`/`R`/`L`
on a whole group (the farm's state checked afterwards), the hints with their remedies, and the lazy log
reads that show the first groups before every log is read."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm import format as fmt
from cuetui.farm.dead import NOT_READ, DeadGroup, SignatureReader
from cuetui.farm.hints import KB_PER_GB
from cuetui.farm.logs import frame_log_path
from cuetui.farm.triage import DeadFrame
from cuetui.gateway.models import Frame, Job
from cuetui.ui.screens.triage import GROUP_ROW, TriageRow, TriageScreen, death_span, group_label
from cuetui.ui.widgets.dialogs import ConfirmDialog
from tests.ui.steer_support import (
    BAD_HOST,
    EPOCH,
    _frames,
    actions_sent,
    gateway_for,
    make_app,
    strict_requests,  # noqa: F401 - autouse: every request parses strictly
    table_loaded,
    toasts,
    triage_scenario,
    wait_farm,
    wait_for,
    wait_loaded,
)

APP_NOW = EPOCH + 60
TEXTURE = "ERROR: [kick] failed to open texture '/shots/assets/tex/ground.<frame>.tx': No such file"
OOM = "ERROR: process killed by the OOM killer (memory limit exceeded)"
SH010 = "testing-sh010-jdoe_lighting_v003"
SH030 = "testing-sh030-mchen_comp_v001"
RSS_KB = 8_100_000  # the max RSS of the frames killed by signal 9: just under the layers' 8G
MIN_KB = 8 * KB_PER_GB


def memory_scenario() -> dict[str, Any]:
    """The triage scenario with the frames killed by signal 9 at 8.1 GB of RSS in layers of 8 GB min."""
    data = triage_scenario()
    for entry in data["jobs"]:
        for layer in entry["layers"]:
            layer["minMemory"] = MIN_KB
        for frame in entry["frames"]:
            if frame.get("exitStatus") == 137:
                frame["maxRss"] = RSS_KB
    return data


def start(make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path, data: dict[str, Any]) -> DemoGatewayThread:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return gateway_for(make_gateway, scenario=str(path), epoch=EPOCH, log_root=tmp_path / "scenario-logs")


@pytest.fixture
def gw(make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path) -> DemoGatewayThread:
    return start(make_gateway, tmp_path, memory_scenario())


async def open_grouped(pilot: Any, screen: TriageScreen | None = None, *, read: bool = True) -> TriageScreen:
    await wait_loaded(pilot)
    screen = screen or TriageScreen()
    pilot.app.push_screen(screen)
    await wait_for(pilot, lambda: pilot.app.screen is screen and table_loaded(screen), what="triage data")
    if read:
        await wait_for(pilot, lambda: screen.groups and NOT_READ not in [g.signature for g in screen.groups])
    await pilot.pause()
    return screen


def rows(screen: TriageScreen) -> list[TriageRow]:
    return [r for r in (screen.table.model(k) for k in screen.table.shown_keys()) if r is not None]


async def to_group(pilot: Any, screen: TriageScreen, signature: str) -> TriageRow:
    assert screen.table.move_to_key(GROUP_ROW + signature)
    await pilot.pause()
    row = screen.table.cursor_model
    assert row is not None and row.is_group and row.group is not None
    return row


def states(gw: DemoGatewayThread, job: str) -> dict[str, str]:
    return gw.run(lambda farm: farm.find_job(job).frame_states())


async def test_group_rows_say_what_how_many_where_and_when(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(240, 48)) as pilot:
        screen = await open_grouped(pilot)
        shown = rows(screen)
        assert all(r.is_group for r in shown) and len(shown) == 3  # folded: one row a group
        key = GROUP_ROW + TEXTURE
        cells = [screen.table.get_cell(key, c).plain for c in ("job", "frame", "layer", "exit", "host", "died")]
        # The raw line of the newest frame, the counts, and first and last death (`HH:MM–HH:MM` today).
        # Cut in the middle when long: the start names the tool, the end says why.
        assert cells[0].startswith("▸ [kick] failed to open") and cells[0].endswith("': No such file")
        assert len(cells[0]) <= 72
        assert cells[1:5] == ["4 frames", "3 jobs", "1 failed", "2 hosts"]
        group = screen.table.model(key).group  # type: ignore[union-attr]
        assert group is not None and cells[5] == death_span(group, APP_NOW)


def test_death_span_gives_first_and_last_death_when_it_fits() -> None:
    def group(*died: int) -> DeadGroup:
        job = Job(id="j", name="job")
        frames = tuple(DeadFrame(job, Frame(id=f"f{t}", stop_time=t, state="DEAD")) for t in died)
        return DeadGroup("sig", "", frames)

    now = time.time()
    today = int(now) - 60
    assert (
        death_span(group(today - 3600, today), now) == f"{fmt.timestamp(today - 3600, now)}–{fmt.timestamp(today, now)}"
    )
    assert death_span(group(today), now) == fmt.timestamp(today, now, seconds=True)
    long_ago = int(now) - 40 * 86400
    assert death_span(group(long_ago - 86400, long_ago), now) == fmt.timestamp(long_ago, now)  # too long: the last


async def test_enter_expands_a_group_and_opens_a_frames_log(
    gw: DemoGatewayThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    opened: list[str] = []
    monkeypatch.setattr(app, "open_frame_log", lambda job, frame, path="": opened.append(frame.name))
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_grouped(pilot)
        await to_group(pilot, screen, OOM)
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(rows(screen)) == 6, what="the group's frames under it")
        shown = rows(screen)
        oom_at = next(i for i, r in enumerate(shown) if r.is_group and r.group and r.group.signature == OOM)
        members = shown[oom_at + 1 : oom_at + 4]
        assert [r.is_group for r in members] == [False] * 3
        assert {r.frame.exit_status for r in members} == {137}
        died = [r.dead.died_at for r in members]
        assert died == sorted(died, reverse=True)  # newest first under the group
        assert opened == []  # enter on a group expands, never opens a log
        await pilot.press("down", "enter")
        assert opened == [members[0].frame.name]
        await to_group(pilot, screen, OOM)
        await pilot.press("enter")  # folds it again
        await wait_for(pilot, lambda: len(rows(screen)) == 3, what="folded")


async def test_r_on_a_group_retries_all_its_frames_after_confirming_the_counts(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_grouped(pilot)
        group = (await to_group(pilot, screen, TEXTURE)).group
        assert group is not None
        names = {(d.job.name, d.frame.name) for d in group.frames}
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the confirmation")
        assert app.screen.question.startswith("Retry 4 frames of 3 jobs?")
        await pilot.press("y")
        for job, frame in names:
            await wait_farm(pilot, gw, lambda farm, j=job, f=frame: farm.find_job(j).frame_states()[f] == "WAITING")
        # Only the group's frames: the others are still dead.
        assert states(gw, SH010)["0015-render"] == "DEAD"
        assert {p for p, _ in actions_sent(gw)} == {"/job.JobInterface/RetryFrames"}
        await wait_for(pilot, lambda: TEXTURE not in [g.signature for g in screen.groups], what="the group gone")


async def test_e_on_a_group_eats_its_frames_and_n_sends_nothing(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_grouped(pilot)
        await to_group(pilot, screen, OOM)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert app.screen.question.startswith("Eat 3 frames of 2 jobs?")
        await pilot.press("n")
        await wait_for(pilot, lambda: any("cancelled: nothing sent" in t for t in toasts(app)))
        assert actions_sent(gw) == []
        await to_group(pilot, screen, OOM)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(SH030).frame_states()["0006-comp"] == "EATEN")
        assert states(gw, SH010)["0015-render"] == "EATEN" and states(gw, SH010)["0016-render"] == "EATEN"
        assert states(gw, SH010)["0013-render"] == "DEAD"


async def test_the_oom_hint_names_the_remedy_and_the_figure(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(200, 48)) as pilot:
        screen = await open_grouped(pilot)
        await to_group(pilot, screen, OOM)
        await wait_for(pilot, lambda: screen.memory_suggestion() is not None, what="the layers' memory")
        job, layer, kb = screen.memory_suggestion()  # type: ignore[misc]
        # 8.1 GB of RSS with 20 % room is 9.3 GB: the next round size is 12G, above the layers' 8G.
        assert (job.name, layer, kb) == (SH010, "render", 12 * KB_PER_GB)
        assert screen.detail().startswith(
            "hint: killed (OOM?) · raise min memory of render to 12G (max RSS 7.7G, min 8G)"
        )
        # The texture group was not killed: no memory hint there.
        await to_group(pilot, screen, TEXTURE)
        assert screen.memory_suggestion() is None and "OOM" not in screen.detail()


async def test_the_host_hint_and_L_lock_the_host_behind_the_deaths(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(200, 48)) as pilot:
        screen = await open_grouped(pilot)
        await pilot.press("g", "g")  # by host
        await wait_for(pilot, lambda: screen.grouping == "host" and BAD_HOST in screen.hosts, what="the hosts")
        await to_group(pilot, screen, BAD_HOST)
        assert (
            f"host problem? {BAD_HOST}: 6 dead frames of 3 jobs · L lock · B reboot when idle"
            " · r retry these on other hosts" in (screen.detail())
        )
        await pilot.press("L")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert f"Lock host {BAD_HOST}?" in app.screen.question
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.hosts_by_name[BAD_HOST].lock_state_name == "LOCKED")
        # `B` on the same group: reboot that host once its frames finish.
        await to_group(pilot, screen, BAD_HOST)
        await pilot.press("B")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert BAD_HOST in app.screen.question
        await pilot.press("y")
        rebooting = ("REBOOT_WHEN_IDLE", "DOWN")
        await wait_farm(pilot, gw, lambda farm: farm.hosts_by_name[BAD_HOST].state_name in rebooting)
        # `r` on the group: retried, and the confirmation says the host is behind them.
        await to_group(pilot, screen, BAD_HOST)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert (
            "Retry 6 frames of 3 jobs?" in app.screen.question
            and f"{BAD_HOST} is behind 6 of them" in app.screen.question
        )


def write_earlier_attempts(gw: DemoGatewayThread, screen: TriageScreen, signature: str, error: str) -> None:
    """Rotated logs (`.rqlog.1`, `.rqlog.2`) for the group's frames, each failing with `error`."""
    group = next(g for g in screen.groups if g.signature == signature)
    for d in group.frames:
        path = Path(frame_log_path(d.job, d.frame))
        for n in (1, 2):
            Path(f"{path}.{n}").write_text(f"[render] frame starts\n{error}\n", encoding="utf-8")


async def test_R_on_a_group_says_when_retrying_will_fail_again(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_grouped(pilot)
        await to_group(pilot, screen, OOM)
        await pilot.press("R")  # no earlier attempt on disk: nothing says it is not transient
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        question = app.screen.question
        assert question.startswith("Retry every dead frame of 2 jobs: 6 dead frames (3 frames in ")
        assert "not transient" not in question
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is screen)
        write_earlier_attempts(gw, screen, OOM, "ERROR: process killed by the OOM killer (memory limit exceeded)")
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "not transient: retrying will fail again" in app.screen.question
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(SH030).stats()["dead"] == 0)
        await wait_farm(pilot, gw, lambda farm: farm.find_job(SH010).stats()["dead"] == 0)
        assert gw.run(lambda farm: farm.find_job("testing-sh020-asmith_fx_v012").stats()["dead"]) == 2


async def test_an_attempt_that_failed_otherwise_is_transient(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_grouped(pilot)
        write_earlier_attempts(gw, screen, OOM, "ERROR: license server not reachable")
        await to_group(pilot, screen, OOM)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        assert "not transient" not in app.screen.question


def many_dead_scenario(count: int) -> dict[str, Any]:
    rows = [(n, "DEAD", -9000 + n, -8000 + n, 1, f"render{n % 8 + 1:02d}") for n in range(1, count + 1)]
    return {
        "shows": [{"name": "testing"}],
        "jobs": [
            {
                "job": {"name": "testing-sh900-bulk_v001", "show": "testing", "user": "jdoe", "state": "PENDING"},
                "layers": [{"name": "render", "services": ["arnold"]}],
                "frames": _frames("render", rows),
            }
        ],
        "hosts": [{"host": {"name": f"render{n:02d}", "cores": 16}} for n in range(1, 9)],
    }


async def test_many_dead_frames_show_progress_before_every_log_is_read(
    make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path
) -> None:
    count = 600
    gw = start(make_gateway, tmp_path, many_dead_scenario(count))
    gate = asyncio.Event()
    reads: list[str] = []

    async def held(job: Job, frame: Frame) -> list[str]:
        reads.append(frame.id)
        if len(reads) > 5:
            await gate.wait()  # the rest are held back until the test has looked
        return [f"ERROR: texture tex.{frame.number}.tx not found"]

    reader = SignatureReader(read_tail=held, concurrency=4)
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_grouped(pilot, TriageScreen(reader=reader), read=False)
        await wait_for(pilot, lambda: "reading logs 5/600" in screen.heading(), what="the progress")
        # The first group is there, the frames not read yet in their own group last; the screen answers keys.
        assert [(g.signature, g.count) for g in screen.groups] == [
            ("ERROR: texture tex.<frame>.tx not found", 5),
            (NOT_READ, count - 5),
        ]
        await pilot.press("down")
        assert screen.table.cursor_row == 1
        gate.set()
        await wait_for(pilot, lambda: "reading logs" not in screen.heading(), what="every log read")
        assert [(g.signature, g.count) for g in screen.groups] == [("ERROR: texture tex.<frame>.tx not found", count)]
        assert len(reads) == count


def test_a_group_row_drops_the_time_and_level_of_its_line() -> None:
    def label(line: str) -> str:
        return group_label(DeadGroup("sig", line, ()))

    assert label("[2025-12-31 23:53:23] ERROR: [kick] failed to open texture") == "[kick] failed to open texture"
    assert label("ERROR: process killed") == "process killed"
    assert label("[render] frame 5 error") == "[render] frame 5 error"  # a level word only at the start
    assert group_label(DeadGroup("exit 137 killed (OOM?)", "", ())) == "exit 137 killed (OOM?)"


async def test_o_on_the_oom_group_opens_the_layer_settings_with_the_hint_and_raises_the_farm(
    gw: DemoGatewayThread,
) -> None:
    """The wrangler's path: OOM group in triage → `o` → min memory pre-filled → apply → the farm's layer
    has it; then `R` retries the group's dead frames."""
    from cuetui.ui.widgets.settings_form import SettingsForm

    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(200, 48)) as pilot:
        screen = await open_grouped(pilot)
        await to_group(pilot, screen, OOM)
        await wait_for(pilot, lambda: screen.memory_suggestion() is not None, what="the layers' memory")
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsForm), what="the layer settings form")
        form = app.screen
        assert form.field_input("min_memory").value == "12G"  # type: ignore[attr-defined]
        await wait_for(pilot, lambda: form.focused is not None, what="a field of the form focused")
        await pilot.press("enter")

        def min_memory(farm: Any) -> int:
            job = farm.find_job(SH010)
            return int(next(layer for layer in job.layers if layer.name == "render").min_memory)

        await wait_for(
            pilot,
            lambda: gw.run(min_memory) == 12 * KB_PER_GB,
            what="the farm's layer raised",
            show=lambda: f"{gw.run(min_memory)} {type(app.screen).__name__} {getattr(app.screen, 'error_text', '')}",
        )


async def test_W_on_a_group_marks_all_its_frames_waiting_after_confirming(gw: DemoGatewayThread) -> None:
    app = make_app(gw, clock=lambda: APP_NOW)
    async with app.run_test(size=(160, 48)) as pilot:
        screen = await open_grouped(pilot)
        group = (await to_group(pilot, screen, OOM)).group
        assert group is not None
        ids = sorted(d.frame.id for d in group.frames)
        await pilot.press("W")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog), what="the confirmation")
        assert app.screen.question.startswith("Mark 3 frames of 2 jobs waiting?")
        await pilot.press("y")
        await wait_farm(pilot, gw, lambda farm: farm.find_job(SH030).frame_states()["0006-comp"] == "WAITING")
        assert states(gw, SH010)["0015-render"] == "WAITING" and states(gw, SH010)["0016-render"] == "WAITING"
        assert states(gw, SH010)["0013-render"] == "DEAD"  # another group's frame is left alone
        sent = [json.loads(body) for path, body in actions_sent(gw)]
        assert {p for p, _ in actions_sent(gw)} == {"/job.JobInterface/MarkAsWaiting"}
        assert sorted(i for body in sent for i in body["req"]["ids"]) == ids

        # No retry counted: the frames' retry counts are those they died with.
        def retries(farm: Any) -> dict[str, int]:
            out = {}
            for d in group.frames:
                job = farm.find_job(d.job.name).job
                out[d.frame.name] = job.f_retry[job.frame_index(d.frame.name)]
            return out

        assert gw.run(retries) == {d.frame.name: d.frame.retry_count for d in group.frames}
