"""Snapshots of the job screen and the frame-log screen on a frozen, seeded demo farm (fixed epoch,
fixed app clock, UTC, log paths shown as the farm's /shots), at 80×24 and 160×48."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.logs import frame_log_path
from cuetui.gateway.models import Frame, Job
from cuetui.ui.screens.frame_log import FrameLogScreen
from cuetui.ui.screens.job import JobScreen
from tests.ui.jobview_support import EPOCH, make_app, make_client, wait_for

SIZES = [(80, 24), (160, 48)]
FROZEN = EPOCH + 3600.0


@pytest.fixture
def frozen_gateway(
    make_gateway: Callable[..., DemoGatewayThread], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[Any]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield make_gateway(profile="small", seed=7, speed=0.0, epoch=EPOCH, log_root=tmp_path / "logs")
    monkeypatch.undo()
    time.tzset()


def snapshot_app(gw: DemoGatewayThread, token: str, factory: Callable[[], Any], **options: Any) -> Any:
    return make_app(
        gw, token, factory, clock=lambda: FROZEN, url="http://gateway.demo:8448", frame_refresh=30.0, **options
    )


def pending_job(gw: DemoGatewayThread) -> tuple[str, str]:
    return gw.run(
        lambda farm: max((len(j.layers), j.total, j.id, j.name) for j in farm.jobs if j.state_name == "PENDING")[2:]
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_job_screen_snapshot(
    frozen_gateway: DemoGatewayThread, gateway_token: str, snap_compare: Any, size: tuple[int, int]
) -> None:
    job_id, job_name = pending_job(frozen_gateway)
    app = snapshot_app(frozen_gateway, gateway_token, lambda: JobScreen(job_id, job_name))

    async def ready(pilot: Any) -> None:
        await wait_for(
            pilot,
            lambda: (
                isinstance(app.screen, JobScreen)
                and app.screen.sync is not None
                and app.screen.sync.loaded
                and app.screen.layers_table.row_count > 1
            ),
        )
        screen: JobScreen = app.screen
        # put the cursor on the first dead frame, the way a wrangler would look at a job
        dead = next(i for i in screen.sync.order if screen.sync.frames[i].state == "DEAD")
        await pilot.pause()
        screen.frames_table.move_to(dead)
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=ready)


def dead_frame(gw: DemoGatewayThread, token: str) -> tuple[Job, Frame]:
    def pick(farm: Any) -> tuple[str, str]:
        for job in farm.jobs:
            for i in range(job.total):
                if job.frame_states()[job.frame_name(i)] == "DEAD" and job.f_attempts[i] >= 2:
                    return job.id, job.frame_id(i)
        raise AssertionError("no dead frame")

    job_id, frame_id = gw.run(pick)

    async def fetch() -> tuple[Job, Frame]:
        async with make_client(gw, token) as client:
            return await client.get_job(job_id), await client.get_frame(frame_id)

    return asyncio.run(fetch())


def as_on_the_farm(gw: DemoGatewayThread, job: Job, frame: Frame) -> tuple[Job, list[tuple[str, str]]]:
    """The job as a farm with logs under /shots would describe it, and the log_path_map that reads
    them from the test's temporary directory; the log's own text quotes /shots too. Nothing on
    screen then depends on where pytest put its temporary files."""
    log_root = str(gw.log_root)
    path = Path(frame_log_path(job, frame))
    path.write_text(path.read_text().replace(log_root, "/shots"))
    return job._replace(log_dir=job.log_dir.replace(log_root, "/shots")), [("/shots", log_root)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_frame_log_snapshot(
    frozen_gateway: DemoGatewayThread, gateway_token: str, snap_compare: Any, size: tuple[int, int]
) -> None:
    job, frame = dead_frame(frozen_gateway, gateway_token)
    farm_job, path_map = as_on_the_farm(frozen_gateway, job, frame)
    app = snapshot_app(frozen_gateway, gateway_token, lambda: FrameLogScreen(farm_job, frame), log_path_map=path_map)

    async def ready(pilot: Any) -> None:
        await wait_for(pilot, lambda: isinstance(app.screen, FrameLogScreen) and len(app.screen.view.lines) > 20)
        await pilot.press("/", *"error", "enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=ready)
