"""FrameSync decides between GetUpdatedFrames and full reloads by the protocol's rules (§3.6)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from cuetui.farm.frames import FrameSync, frame_sort_key
from cuetui.gateway.errors import DeadlineExceeded
from cuetui.gateway.models import Frame, Job, JobStats, UpdatedFrame, UpdatedFrames
from cuetui.gateway.requests import FrameSearch

T0 = 1_767_225_600.0


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def make_frames(n: int, layers: tuple[str, ...] = ("render",)) -> list[Frame]:
    out = []
    for number in range(1, n + 1):
        for layer in layers:
            out.append(
                Frame(
                    id=f"f-{layer}-{number}",
                    name=f"{number:04d}-{layer}",
                    layer_name=layer,
                    number=number,
                    dispatch_order=number - 1,
                )
            )
    return out


class FakeClient:
    """Just enough of GatewayClient: pages of frames, GetUpdatedFrames answers, a clock skew."""

    def __init__(self, frames: list[Frame], clock: Clock) -> None:
        self.frames = frames
        self.clock = clock
        self.updates: list[UpdatedFrame] = []
        self.state = "PENDING"
        self.server_skew = 0.0
        self.date_skew: float | None = 0.0
        self.hang = False
        self.strict = True  # hang like Cuebot when lastCheck is over 60 s old
        self.calls: list[tuple[str, Any]] = []

    async def iter_frame_pages(
        self, job_id: str, search: FrameSearch | None = None, *, expected: int | None = None, page_size: int = 1000
    ) -> AsyncIterator[list[Frame]]:
        self.calls.append(("GetFrames", search))
        frames = self.frames
        if search is not None and search.change_date:
            frames = [f for f in frames if f.stop_time >= search.change_date or f.start_time >= search.change_date]
        for start in range(0, len(frames) + 1, page_size):
            page = frames[start : start + page_size]
            yield page
            if len(page) < page_size:
                return

    async def get_updated_frames(
        self, job_id: str, last_check: int, layer_ids: Any = (), grpc_timeout: int = 10
    ) -> UpdatedFrames:
        self.calls.append(("GetUpdatedFrames", last_check))
        now = self.clock() + self.server_skew
        if self.hang or (self.strict and last_check < now - 60):
            raise DeadlineExceeded("GetUpdatedFrames did not answer", status=504)
        updates, self.updates = self.updates, []
        return UpdatedFrames(self.state, int(now) - 1, tuple(updates))

    def clock_skew(self) -> float | None:
        return self.date_skew

    def set_state(self, frame_id: str, state: str, **fields: Any) -> UpdatedFrame:
        for n, frame in enumerate(self.frames):
            if frame.id == frame_id:
                self.frames[n] = frame._replace(state=state, **fields)
                update = UpdatedFrame(id=frame_id, state=state, **fields)
                self.updates.append(update)
                return update
        raise KeyError(frame_id)


def job(total: int, state: str = "PENDING") -> Job:
    return Job(id="j", name="job", state=state, job_stats=JobStats(total_frames=total))


async def test_first_poll_loads_everything_with_progress() -> None:
    clock = Clock()
    client = FakeClient(make_frames(2500), clock)
    progress: list[tuple[int, int | None]] = []
    sync = FrameSync(client, "j", clock=clock, on_progress=lambda n, e: progress.append((n, e)))  # type: ignore[arg-type]
    result = await sync.poll(job(2500))
    assert result.full and result.first_load and result.reload_reason == "first load"
    assert not result.reordered  # the pages came in frame order: the screen already shows them so
    assert len(sync.frames) == 2500 and len(result.changed) == 2500
    assert progress[0] == (0, 2500) and progress[-1] == (2500, 2500) and (1000, 2500) in progress
    assert sync.order[0] == "f-render-1" and sync.order[-1] == "f-render-2500"


async def test_frames_held_share_their_repeated_values() -> None:
    clock = Clock()
    frames = [
        frame._replace(layer_name="".join(["ren", "der"]), last_resource="".join(["host", "1/1.00/0"]))
        for frame in make_frames(1500)
    ]
    assert frames[0].layer_name is not frames[1].layer_name
    sync = FrameSync(FakeClient(frames, clock), "j", clock=clock)  # type: ignore[arg-type]
    await sync.poll(job(1500))
    held = sync.ordered()
    assert held[0].layer_name is held[1499].layer_name  # across pages too
    assert held[0].last_resource is held[1499].last_resource


async def test_incremental_poll_uses_client_clock_then_server_time() -> None:
    clock = Clock()
    client = FakeClient(make_frames(10), clock)
    sync = FrameSync(client, "j", clock=clock)
    await sync.poll(job(10))
    clock.now += 2
    client.set_state("f-render-3", "RUNNING", last_resource="host1/4.00/0")
    result = await sync.poll()
    assert not result.full and result.changed == {"f-render-3"}
    assert sync.frames["f-render-3"].state == "RUNNING" and sync.frames["f-render-3"].name == "0003-render"
    assert client.calls[1] == ("GetUpdatedFrames", int(T0))
    clock.now += 2
    result = await sync.poll()
    assert result.changed == frozenset()
    assert client.calls[2] == ("GetUpdatedFrames", int(T0 + 2) - 1)


async def test_unchanged_update_is_not_reported() -> None:
    clock = Clock()
    client = FakeClient(make_frames(3), clock)
    sync = FrameSync(client, "j", clock=clock)
    await sync.poll()
    client.updates.append(UpdatedFrame(id="f-render-1", state="WAITING"))
    assert (await sync.poll()).changed == frozenset()


async def test_exactly_100_updates_trigger_a_full_reload() -> None:
    clock = Clock()
    client = FakeClient(make_frames(300), clock)
    sync = FrameSync(client, "j", clock=clock)
    await sync.poll()
    for n in range(1, 101):
        client.set_state(f"f-render-{n}", "SUCCEEDED")
    client.frames[150] = client.frames[150]._replace(state="DEAD")  # changed, but not in the 100
    result = await sync.poll()
    assert result.full and "100 frames" in result.reload_reason
    assert "f-render-151" in result.changed and len(result.changed) == 101
    assert sync.frames["f-render-151"].state == "DEAD"


async def test_99_updates_stay_incremental() -> None:
    clock = Clock()
    client = FakeClient(make_frames(300), clock)
    sync = FrameSync(client, "j", clock=clock)
    await sync.poll()
    for n in range(1, 100):
        client.set_state(f"f-render-{n}", "SUCCEEDED")
    result = await sync.poll()
    assert not result.full and len(result.changed) == 99


async def test_timeout_reloads_and_later_polls_recover() -> None:
    clock = Clock()
    client = FakeClient(make_frames(20), clock)
    sync = FrameSync(client, "j", clock=clock)
    await sync.poll()
    client.hang = True
    client.frames[4] = client.frames[4]._replace(state="DEAD")
    result = await sync.poll()
    assert result.full and "timed out" in result.reload_reason and result.changed == {"f-render-5"}
    assert not sync.fallback and sync.stats.timeouts == 1
    client.hang = False
    clock.now += 2
    client.set_state("f-render-6", "RUNNING")
    assert (await sync.poll()).changed == {"f-render-6"}


async def test_repeated_timeouts_fall_back_with_one_warning() -> None:
    clock = Clock()
    client = FakeClient(make_frames(20), clock)
    sync = FrameSync(client, "j", clock=clock)
    await sync.poll()
    client.hang = True
    warnings = [(await sync.poll()).warning for _ in range(5)]
    assert sync.fallback and sum(1 for w in warnings if w) == 1


async def test_old_last_check_reloads_instead_of_hanging() -> None:
    clock = Clock()
    client = FakeClient(make_frames(5), clock)
    sync = FrameSync(client, "j", clock=clock)
    await sync.poll()
    clock.now += 120  # hidden for two minutes
    result = await sync.poll()
    assert result.full and result.reload_reason == "last check too old"
    assert [c[0] for c in client.calls] == ["GetFrames", "GetFrames"]


@pytest.mark.parametrize("where", ["date-header", "server-time"])
async def test_clock_skew_falls_back_to_change_date_and_warns_once(where: str) -> None:
    clock = Clock()
    client = FakeClient(make_frames(50), clock)
    client.server_skew = 300.0
    if where == "date-header":
        client.date_skew = 300.0  # seen on the full load's answers: never try GetUpdatedFrames
    else:
        client.date_skew = None  # no Date header: found from serverTime of an answer
        client.strict = False  # a lenient server that answers anyway
    sync = FrameSync(client, "j", clock=clock)
    results = [await sync.poll()]
    for _ in range(4):
        clock.now += 2
        results.append(await sync.poll())
    assert sync.fallback
    warnings = [r.warning for r in results if r.warning]
    assert len(warnings) == 1 and "clock is 300 s ahead" in warnings[0]
    updated_calls = [c for c in client.calls if c[0] == "GetUpdatedFrames"]
    assert len(updated_calls) == (0 if where == "date-header" else 1)
    # in fallback, frames still update, through GetFrames with changeDate in the farm's clock
    client.frames[7] = client.frames[7]._replace(state="DEAD", stop_time=int(clock() + client.server_skew))
    clock.now += 2
    result = await sync.poll()
    assert result.changed == {"f-render-8"} and sync.frames["f-render-8"].state == "DEAD"
    kind, search = client.calls[-1]
    assert kind == "GetFrames" and search.change_date >= int(clock() + 300 - 10)


async def test_finished_job_stops() -> None:
    clock = Clock()
    client = FakeClient(make_frames(5), clock)
    sync = FrameSync(client, "j", clock=clock)
    await sync.poll(job(5))
    assert not sync.finished
    client.state = "FINISHED"
    result = await sync.poll()
    assert result.job_state == "FINISHED" and sync.finished
    sync2 = FrameSync(client, "j", clock=clock)
    await sync2.poll(job(5, state="FINISHED"))
    assert sync2.finished


def test_frame_order_interleaves_layers_by_dispatch_order() -> None:
    frames = make_frames(3, layers=("comp", "render"))
    key = frame_sort_key({"render": 0, "comp": 1})
    names = [f.name for f in sorted(frames, key=key)]
    assert names == ["0001-render", "0001-comp", "0002-render", "0002-comp", "0003-render", "0003-comp"]


async def test_removed_frames_are_reported_on_reload() -> None:
    clock = Clock()
    client = FakeClient(make_frames(10), clock)
    sync = FrameSync(client, "j", clock=clock)
    await sync.poll()
    del client.frames[9]
    client.hang = True
    result = await sync.poll()
    assert result.removed == {"f-render-10"} and result.reordered and sync.index_of("f-render-10") == -1


async def test_first_load_out_of_order_is_sorted_and_reported() -> None:
    clock = Clock()
    client = FakeClient(list(reversed(make_frames(5))), clock)
    sync = FrameSync(client, "j", clock=clock)
    result = await sync.poll()
    assert result.first_load and result.reordered
    assert sync.order == [f"f-render-{n}" for n in range(1, 6)]


async def test_the_warning_survives_a_failed_reload() -> None:
    clock = Clock()
    client = FakeClient(make_frames(20), clock)
    sync = FrameSync(client, "j", clock=clock)
    await sync.poll()
    client.hang = True
    for _ in range(2):
        assert not (await sync.poll()).warning
    real_pages = client.iter_frame_pages

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise DeadlineExceeded("gateway gone", status=504)

    client.iter_frame_pages = broken  # type: ignore[method-assign]
    with pytest.raises(DeadlineExceeded):
        await sync.poll()  # third timeout: fallback, but its reload fails
    assert sync.fallback
    client.iter_frame_pages = real_pages  # type: ignore[method-assign]
    result = await sync.poll()
    assert "fall back" in result.warning
    assert not (await sync.poll()).warning
