"""What a person types is validated before anything is sent; read-only refuses in the sending layer."""

from __future__ import annotations

import pytest

from cuetui.farm.actions import ActionResult, FarmActions, ReadOnlyError, parse_priority
from cuetui.gateway.errors import RefusedRequest
from cuetui.gateway.models import Host, Job


@pytest.mark.parametrize(("text", "value"), [("75", 75), (" 0 ", 0), ("1000000", 1_000_000), ("007", 7)])
def test_good_priorities(text: str, value: int) -> None:
    assert parse_priority(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "",
        "abc",
        "75.5",
        "-1",
        "1000001",
        "1e3",
        "0x10",
        "7 5 x",
        "1_000",
        "\u0661\u0662\u0663",
        "\u00b2",
        "+5",
        "1 000",
    ],
)
def test_bad_priorities(text: str) -> None:
    with pytest.raises(ValueError, match="priority"):
        parse_priority(text)


class _NoClient:
    def __getattr__(self, name: str) -> object:
        raise AssertionError(f"read-only mode must not reach the client ({name})")


@pytest.mark.parametrize(
    "call",
    [
        lambda a: a.pause([Job(id="j")]),
        lambda a: a.resume([Job(id="j")]),
        lambda a: a.set_priority([Job(id="j")], 5),
        lambda a: a.bump_priority([Job(id="j")], 10),
        lambda a: a.kill([Job(id="j")], "why"),
        lambda a: a.retry_dead([Job(id="j")]),
        lambda a: a.eat_dead([Job(id="j")]),
        lambda a: a.lock([Host(id="h")]),
        lambda a: a.unlock([Host(id="h")]),
    ],
)
async def test_read_only_refuses_before_the_client(call: object) -> None:
    actions = FarmActions(_NoClient(), read_only=True)  # type: ignore[arg-type]
    with pytest.raises(ReadOnlyError, match="read-only"):
        await call(actions)  # type: ignore[operator]


async def test_refusals() -> None:
    actions = FarmActions(_NoClient())  # type: ignore[arg-type]
    with pytest.raises(RefusedRequest):
        await actions.kill([Job(id="j")], "  ")
    with pytest.raises(RefusedRequest):
        await actions.set_priority([Job(id="j")], 2_000_000)
    with pytest.raises(RefusedRequest, match="NIMBY"):
        await actions.unlock([Host(id="h", name="ws1", lock_state="NIMBY_LOCKED")])
    with pytest.raises(RefusedRequest):
        await actions.retry_frames(Job(id="j"), [])


def test_result_messages() -> None:
    assert ActionResult("paused", 2, 2).message == "paused 2 jobs"
    assert ActionResult("retried", 2, 2, frames=12).message == "retried 12 frames of 2 jobs"
    assert ActionResult("retried", 1, 1, frames=1).message == "retried 1 frame"
    bad = ActionResult("paused", 1, 2, errors=("Pause: Job not found (HTTP 404)",))
    assert not bad.ok and bad.message == "paused 1 of 2 jobs; failed: Pause: Job not found (HTTP 404)"
    # Nothing succeeded: say it failed, never "retried 4 frames".
    none = ActionResult("retried", 0, 1, frames=0, errors=("gateway unreachable",), frames_tried=4)
    assert none.failed and none.message == "failed to retry 4 frames: gateway unreachable"
    part = ActionResult("retried", 1, 2, frames=3, errors=("e",), frames_tried=7)
    assert part.message == "retried 3 frames (1 of 2 jobs); failed: e"
    # Frame by frame: the count is of frames, never "of N jobs".
    assert ActionResult("retried", 4, 4, frames=4, unit="frame").message == "retried 4 frames"
    assert ActionResult("killed", 0, 2, frames=0, errors=("x", "y"), unit="frame").message == (
        "failed to kill 2 frames: x (+1 more)"
    )
    assert ActionResult("set priority 5 on", 0, 1, errors=("x",)).message == "failed to set priority 5 on 1 job: x"
