"""job-set, layer-set, mark-done, comments, comment against the demo gateway: the farm's state after each,
the requests sent (strictly parsed), and the exit codes of what is refused before anything is sent."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from cuetui.demo.model import DEPEND, WAITING
from cuetui.demo.resources import DEPEND_ID, TYPE, Depend
from cuetui.demo.server import DemoGatewayThread
from tests.schema import check_request

from .conftest import Result

Cli = Callable[..., Result]
DEAD_JOB = "testing-sh180-rpatel_layout_v015"  # seed 7: 5 dead, 17 running, layers preflight + render
GB = 1048576
SETTERS = ("/job.JobInterface/Set", "/job.LayerInterface/Set", "/job.LayerInterface/Markdone")


def sent(gw: DemoGatewayThread) -> list[tuple[str, dict[str, Any]]]:
    """(RPC, body) of every settings request recorded, each parsed strictly against the schema."""
    out = []
    for _verb, path, _headers, body, _status in gw.recorded:
        if path.startswith(SETTERS) or "Comment" in path:
            data = json.loads(body or b"{}")
            check_request(path, data)
            out.append((path.rsplit("/", 1)[1], data))
    return out


def job_of(gw: DemoGatewayThread) -> Any:
    return gw.run(lambda farm: farm.find_job(DEAD_JOB).job)


def layer_of(gw: DemoGatewayThread, name: str) -> Any:
    return gw.run(lambda farm: next(layer for layer in farm.find_job(DEAD_JOB).layers if layer.name == name))


def test_job_set_sends_only_what_changed(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    before = job_of(demo_gateway)
    r = cli(
        "--url", demo_gateway.url, "job-set", DEAD_JOB, "--priority", str(before.priority), "--max-retries", "7",
        "--auto-eat", "on", "--max-cores", "12", "--json",
    )  # fmt: skip
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out["job"] == DEAD_JOB
    assert out["changed"]["max_retries"] == {"from": None, "to": 7}
    assert out["changed"]["auto_eat"] == {"from": False, "to": True}
    assert "priority" not in out["changed"]  # the same as now: not sent
    assert [rpc for rpc, _ in sent(demo_gateway)] == ["SetMaxCores", "SetMaxRetries", "SetAutoEat"]
    job = job_of(demo_gateway)
    assert (job.max_retries, job.auto_eat, job.max_cores) == (7, True, 12.0)


def test_layer_set_min_memory_and_tags(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    r = cli("--url", demo_gateway.url, "layer-set", DEAD_JOB, "render", "--min-memory", "24G", "--tags", "general,big")
    assert r.code == 0, r.err
    assert r.out.strip() == f"set min memory 24G, tags general,big on layer render of {DEAD_JOB}"
    layer = layer_of(demo_gateway, "render")
    assert (layer.min_memory, layer.tags) == (24 * GB, ["general", "big"])
    bodies = dict(sent(demo_gateway))
    assert bodies["SetMinMemory"]["memory"] == str(24 * GB)
    r = cli(
        "--url", demo_gateway.url, "layer-set", DEAD_JOB, "render", "--timeout", "90", "--timeout-llu", "20",
        "--threadable", "on", "--min-gpu-memory", "512M", "--min-gpus", "1", "--max-gpus", "2", "--min-cores", "2",
        "--max-cores", "4", "--json",
    )  # fmt: skip
    assert r.code == 0, r.err
    assert json.loads(r.out)["changed"]["min_gpu_memory"] == {"from": 0, "to": 512 * 1024}
    layer = layer_of(demo_gateway, "render")
    assert (layer.timeout, layer.timeout_llu, layer.is_threadable, layer.min_gpu_memory) == (90, 20, True, 512 * 1024)
    assert (layer.min_gpus, layer.max_gpus, layer.min_cores, layer.max_cores) == (1.0, 2.0, 2.0, 4.0)


@pytest.mark.parametrize(
    "argv",
    [
        ["layer-set", DEAD_JOB, "render", "--min-memory", "16"],  # a size needs a unit
        ["layer-set", DEAD_JOB, "render", "--min-memory", "lots"],
        ["layer-set", DEAD_JOB, "render", "--min-cores", "8", "--max-cores", "4"],
        ["layer-set", DEAD_JOB, "render", "--tags", "general,,gpu"],
        ["layer-set", DEAD_JOB, "render", "--tags", ""],
        ["layer-set", DEAD_JOB, "render"],  # nothing to set
        ["layer-set", DEAD_JOB, "", "--timeout", "3"],
        ["layer-set", DEAD_JOB, "render", "--timeout", "-3"],
        ["layer-set", DEAD_JOB, "nosuchlayer", "--timeout", "3"],
        ["layer-set", DEAD_JOB, "render", "--min-gpus", "3"],  # above the layer's max GPUs (0 = none) is fine...
        ["job-set", DEAD_JOB, "--min-cores", "10", "--max-cores", "2"],
        ["job-set", DEAD_JOB, "--max-retries", "٣"],
        ["job-set", DEAD_JOB, "--auto-eat", "maybe"],
        ["job-set", DEAD_JOB, "--min-cores", "500"],  # above the job's max cores (200)
        ["mark-done", DEAD_JOB, "--layer", ""],
        ["mark-done", DEAD_JOB],
        ["comment", DEAD_JOB, "--subject", " ", "--message", "m"],
    ],
)
def test_refused_before_anything_is_sent(cli: Cli, demo_gateway: DemoGatewayThread, argv: list[str]) -> None:
    if argv[-2:] == ["--min-gpus", "3"]:
        # ...but not with a max: set max GPUs 2 first, then min 3 is over it.
        assert cli("--url", demo_gateway.url, "layer-set", DEAD_JOB, "render", "--max-gpus", "2").code == 0
        demo_gateway.recorded.clear()
    r = cli("--url", demo_gateway.url, *argv)
    assert r.code == 2, (r.code, r.out, r.err)
    assert r.err.strip() and "Traceback" not in r.err
    assert sent(demo_gateway) == []


def test_read_only_sends_nothing(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    for argv in (
        ["job-set", DEAD_JOB, "--max-retries", "1"],
        ["layer-set", DEAD_JOB, "render", "--min-memory", "8G"],
        ["mark-done", DEAD_JOB, "--layer", "preflight"],
        ["comment", DEAD_JOB, "--subject", "s", "--message", "m"],
    ):
        r = cli("--url", demo_gateway.url, "--read-only", *argv)
        assert r.code == 2 and "read-only" in r.err, (argv, r.err)
    assert sent(demo_gateway) == []


def wait_on_render(gw: DemoGatewayThread) -> str:
    """Make the first layer of another job wait on DEAD_JOB's render layer (LAYER_ON_LAYER); its name."""

    def add(farm: Any) -> str:
        on = farm.jobs_by_name[DEAD_JOB]
        er = next(j for j in farm.jobs if j is not on and j.layers and j.layers[0].counts[WAITING] > 0)
        render = next(layer for layer in on.layers if layer.name == "render")
        depend = Depend(farm.resources.next_id(DEPEND_ID), TYPE["LAYER_ON_LAYER"], er, on, er.layers[0], None, render)
        farm.resources.add_depend(depend, farm.set_state)
        return str(er.name)

    return gw.run(add)


def test_mark_done_satisfies_what_waits_and_eats_nothing(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    """As Cuebot: the job held on the layer is released, the layer's frames keep their state; the JSON
    keeps `frames_eaten` (0) and says how many dependencies were satisfied."""
    waiting = wait_on_render(demo_gateway)
    held = demo_gateway.run(lambda farm: farm.jobs_by_name[waiting].layers[0].counts[DEPEND])
    assert held > 0
    before = demo_gateway.run(lambda farm: farm.find_job(DEAD_JOB).frame_states())
    r = cli("--url", demo_gateway.url, "mark-done", DEAD_JOB, "--layer", "render", "--json")
    assert r.code == 0, r.err
    out = json.loads(r.out)
    assert out == {"job": DEAD_JOB, "layers": ["render"], "frames_eaten": 0, "depends_satisfied": 1}
    assert [rpc for rpc, _ in sent(demo_gateway)] == ["MarkdoneFrames"]
    assert demo_gateway.run(lambda farm: farm.find_job(DEAD_JOB).frame_states()) == before
    assert demo_gateway.run(lambda farm: farm.jobs_by_name[waiting].layers[0].counts[DEPEND]) == 0
    again = cli("--url", demo_gateway.url, "mark-done", DEAD_JOB, "--layer", "render")
    assert again.code == 0, again.err
    assert again.out.strip() == f"marked done layer render of {DEAD_JOB}: 0 dependencies satisfied, no frame eaten"


def test_comment_then_comments(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    r = cli("--url", demo_gateway.url, "--user", "jdoe", "comment", DEAD_JOB, "--subject", "OOM", "--message", "24G")
    assert r.code == 0, r.err
    assert r.out.strip() == f"added a comment to {DEAD_JOB}: OOM"
    assert demo_gateway.run(lambda farm: [c.subject for c in farm.find_job(DEAD_JOB).comments])[-1] == "OOM"
    listed = json.loads(cli("--url", demo_gateway.url, "comments", DEAD_JOB, "--json").out)
    assert listed[-1]["subject"] == "OOM" and listed[-1]["message"] == "24G"
    text = cli("--url", demo_gateway.url, "comments", DEAD_JOB)
    assert text.code == 0 and "OOM" in text.out and "    24G" in text.out


def test_a_gateway_refusal_is_exit_1(cli: Cli, demo_gateway: DemoGatewayThread) -> None:
    # The layer is listed by GetLayers but unknown to LayerInterface: Cuebot's answer is an error.
    layer = layer_of(demo_gateway, "render")
    demo_gateway.run(lambda farm: farm.layers_by_id.pop(layer.id))
    r = cli("--url", demo_gateway.url, "layer-set", DEAD_JOB, "render", "--min-memory", "9G")
    assert r.code == 1, (r.out, r.err)
    assert r.out == "" and "Traceback" not in r.err
    r = cli("--url", demo_gateway.url, "mark-done", DEAD_JOB, "--layer", "render")
    assert r.code == 1, (r.out, r.err)
