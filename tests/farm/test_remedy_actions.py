"""RemedyActions against the demo gateway: "failed" when the gateway refused it (never "done"),
read-only refused before anything is sent, and input refused in the farm layer."""

from __future__ import annotations

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.actions import ReadOnlyError, RemedyActions, left_alone, parse_tags, waiting_note
from cuetui.farm.frame_range import parse_frame_range
from cuetui.gateway.auth import GatewayAuth
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.errors import RefusedRequest
from cuetui.gateway.requests import JobSearch
from tests.conftest import DEMO_SECRET


def client_for(gw: DemoGatewayThread) -> GatewayClient:
    return GatewayClient(gw.url, GatewayAuth(secret=DEMO_SECRET, sub="tester"))


async def test_a_refused_remedy_says_failed(demo_gateway: DemoGatewayThread) -> None:
    async with client_for(demo_gateway) as client:
        actions = RemedyActions(client)
        host = await client.find_host("render002")
        (proc, *_rest) = await client.get_host_procs(host.id)
        assert (await actions.kill_procs([proc])).ok
        again = await actions.kill_procs([proc])  # gone: the gateway answers an error
        assert again.failed and again.message.startswith("failed to kill 1 proc")
        done = await actions.set_hardware_state([host], "repair")
        assert done.ok and done.message == "set REPAIR on 1 host"
        gone = host._replace(id="00000000-0000-4000-8000-000000000000")
        refused = await actions.set_hardware_state([host, gone], "UP")
        assert not refused.ok and not refused.failed and refused.message.startswith("set UP on 1 of 2 hosts; failed")


async def test_refused_before_sending(demo_gateway: DemoGatewayThread) -> None:
    async with client_for(demo_gateway) as client:
        job = (await client.get_jobs(JobSearch()))[0]
        host = await client.find_host("render001")
        not_held = [f for f in await client.get_frames(job.id) if f.state != "DEPEND"][:3]
        assert not_held
        before = len(demo_gateway.recorded)
        read_only = RemedyActions(client, read_only=True)
        with pytest.raises(ReadOnlyError):
            await read_only.reorder_frames(job, parse_frame_range("1-5"), "first")
        with pytest.raises(ReadOnlyError):
            await read_only.reboot([host])
        actions = RemedyActions(client)
        with pytest.raises(RefusedRequest):
            await actions.reorder_frames(job, parse_frame_range("1"), "middle")
        with pytest.raises(RefusedRequest):
            await actions.stagger_frames(job, parse_frame_range("1"), 0)
        with pytest.raises(RefusedRequest):
            await actions.set_hardware_state([host], "DOWN")
        with pytest.raises(RefusedRequest):
            await actions.add_host_comment([host], " ", "m")
        with pytest.raises(RefusedRequest):
            await actions.kill_procs([])
        with pytest.raises(RefusedRequest, match="nothing to mark: mark as waiting releases frames held by"):
            await actions.mark_frames_waiting(job, not_held)  # none DEPEND: Cuebot would change none
        with pytest.raises(ReadOnlyError):
            await read_only.mark_frames_waiting(job, not_held)
        assert len(demo_gateway.recorded) == before


@pytest.mark.parametrize("text", ["", ",", "a,,b", "two words", " "])
def test_bad_tags(text: str) -> None:
    with pytest.raises(RefusedRequest):
        parse_tags(text)


def test_tags() -> None:
    assert parse_tags(" gpu , big,gpu") == ["gpu", "big"]


def test_the_mark_as_waiting_note_counts_what_changes() -> None:
    assert waiting_note(["DEPEND"]) == "the frame waits on a dependency: it becomes WAITING"
    assert waiting_note(["DEPEND"] * 3) == "all 3 frames wait on a dependency: they become WAITING"
    assert waiting_note(["DEPEND", "DEAD", "DEAD"]) == (
        "1 of 3 frames waits on a dependency: it becomes WAITING; the others are left as they are"
    )
    assert waiting_note(["DEAD"]) == (
        "nothing to mark: mark as waiting releases frames held by a dependency; this one is DEAD"
    )
    assert waiting_note(["DEAD", "SUCCEEDED", "DEAD"]).endswith("these are DEAD (2), SUCCEEDED (1)")
    assert waiting_note([]) == "nothing to mark: no frame matches"
    assert (left_alone(0), left_alone(1), left_alone(2)) == (
        "",
        "1 other frame left as it is",
        "2 other frames left as they are",
    )
