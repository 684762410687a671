"""FrameSync against the simulated gateway: live updates, the 100-frame rule, and hang → 504 → reload."""

from __future__ import annotations

from collections.abc import Callable, Generator

import httpx

from cuetui.demo.farm import DEAD, RUNNING, SUCCEEDED
from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.frames import FrameSync
from cuetui.gateway.client import GatewayClient


class BearerAuth(httpx.Auth):
    def __init__(self, token: str) -> None:
        self.token = token

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = f"Bearer {self.token}"
        yield request


def pending_job(gw: DemoGatewayThread) -> tuple[str, int]:
    def pick(farm: object) -> tuple[str, int]:
        jobs = [j for j in farm.jobs if j.state_name == "PENDING"]  # type: ignore[attr-defined]
        job = max(jobs, key=lambda j: j.total)
        return job.id, job.total

    return gw.run(pick)


def set_states(gw: DemoGatewayThread, job_id: str, indices: range | list[int], state: int) -> list[str]:
    def change(farm: object) -> list[str]:
        job = farm.find_job(job_id)  # type: ignore[attr-defined]
        for i in indices:
            farm.set_state(job, i, state)  # type: ignore[attr-defined]
        return [job.frame_id(i) for i in indices]

    return gw.run(change)


async def test_live_update_after_the_farm_changes_a_frame(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(profile="studio", epoch=1_767_225_600.0, record=True)
    job_id, total = pending_job(gw)
    clock = gw.farm.now  # type: ignore[union-attr]
    async with GatewayClient(gw.url, BearerAuth(gateway_token)) as client:
        sync = FrameSync(client, job_id, clock=clock)
        job = await client.get_job(job_id)
        first = await sync.poll(job)
        assert len(sync.frames) == total == job.stats.total_frames and first.full
        (changed_id,) = set_states(gw, job_id, [3], DEAD)
        result = await sync.poll()
        assert not result.full and changed_id in result.changed
        # everything else reported is a running frame whose usage moved (llu time, memory)
        assert all(sync.frames[i].state == "RUNNING" for i in result.changed - {changed_id})
        assert sync.frames[changed_id].state == "DEAD"
        # a hundred changes at once: the answer may be cut, so reload
        ids = set_states(gw, job_id, range(0, 100), SUCCEEDED)
        result = await sync.poll()
        assert result.full and "100 frames" in result.reload_reason
        assert all(sync.frames[i].state == "SUCCEEDED" for i in ids)
        kinds = [path.rsplit("/", 1)[-1] for _, path, _, _, _ in gw.recorded]
        assert "GetUpdatedFrames" in kinds


async def test_hang_times_out_then_full_reload(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    gw = make_gateway(epoch=1_767_225_600.0, record=True)
    job_id, _ = pending_job(gw)
    farm_now = gw.farm.now  # type: ignore[union-attr]
    # A client clock 70 s behind the farm's: Cuebot hangs on such a lastCheck (the demo too).
    async with GatewayClient(gw.url, BearerAuth(gateway_token)) as client:
        sync = FrameSync(client, job_id, clock=lambda: farm_now() - 70, grpc_timeout=1)
        await sync.poll(await client.get_job(job_id))
        (changed_id,) = set_states(gw, job_id, [5], RUNNING)
        result = await sync.poll()
        assert result.full and "timed out" in result.reload_reason and changed_id in result.changed
        statuses = [status for _, path, _, _, status in gw.recorded if path.endswith("GetUpdatedFrames")]
        assert statuses == [504]
