"""Every request body cuetui can build parses strictly into its gRPC request type (opencue-proto)."""

from __future__ import annotations

import inspect

import pytest
from google.protobuf import json_format

from cuetui.gateway import requests as rq
from cuetui.gateway.errors import RefusedRequest
from cuetui.gateway.requests import FrameSearch, HostSearch, JobSearch, ProcSearch, Requester
from tests.schema import check_request, request_type

JOB = "0f8c2f4e-5a7b-4c1d-9e2f-3a4b5c6d7e8f"
FRAME = "2b3c4d5e-0000-4000-8000-000000000001"
HOST = "3c4d5e6f-0000-4000-8000-0000000000aa"
LAYER = "1a2b3c4d-0000-4000-8000-00000000000a"
PROC = "4d5e6f70-0000-4000-8000-0000000000bb"
SHOW = "4d5e6f70-0000-4000-8000-000000000001"
DEPEND = "5e6f7081-0000-4000-8000-000000000002"
SUB = "6f708192-0000-4000-8000-000000000003"
ALLOC = "708192a3-0000-4000-8000-000000000004"
ME = Requester("jdoe", 4242, "ws042")
DEAD = FrameSearch(states=["DEAD"])
FULL_FRAMES = FrameSearch(
    ids=[FRAME],
    frames=["0007-render"],
    layers=["render"],
    states=["dead", "RUNNING"],
    frame_range="1-50",
    memory_range="2-4",
    duration_range="0.5-2",
    change_date=1767229200,
)

# One or more calls per builder; test_every_builder_is_covered keeps this list complete.
CALLS = {
    "get_shows": [rq.get_shows()],
    "get_active_shows": [rq.get_active_shows()],
    "find_show": [rq.find_show("testing")],
    "show_get_jobs": [rq.show_get_jobs("00000000-0000-0000-0000-000000000000")],
    "get_jobs": [
        rq.get_jobs(JobSearch()),
        rq.get_jobs(JobSearch(shows=["testing"], users=["jdoe"], include_finished=True)),
        rq.get_jobs(JobSearch(ids=[JOB], jobs=["a"], regex=["^t"], substr=["light"], shots=["sh010"])),
    ],
    "get_job": [rq.get_job(JOB)],
    "find_job": [rq.find_job("testing-sh010-jdoe_lighting_v3")],
    "get_layers": [rq.get_layers(JOB)],
    "get_frames": [
        rq.get_frames(JOB, FrameSearch(), 1, 500),
        rq.get_frames(JOB, FULL_FRAMES, 2, 100),
    ],
    "get_updated_frames": [
        rq.get_updated_frames(JOB, 1767230519),
        rq.get_updated_frames(JOB, 1767230519, [LAYER]),
    ],
    "pause_job": [rq.pause_job(JOB)],
    "resume_job": [rq.resume_job(JOB)],
    "kill_job": [rq.kill_job(JOB, "wrangler: bad scene", ME)],
    "set_priority": [rq.set_priority(JOB, 75), rq.set_priority(JOB, 0)],
    "set_min_cores": [rq.set_min_cores(JOB, 2)],
    "set_max_cores": [rq.set_max_cores(JOB, 64.5)],
    "retry_frames": [rq.retry_frames(JOB, DEAD), rq.retry_frames(JOB, FrameSearch(layers=["render"], states=["DEAD"]))],
    "eat_frames": [rq.eat_frames(JOB, DEAD)],
    "kill_frames": [rq.kill_frames(JOB, FrameSearch(layers=["render"]), "stuck", ME)],
    "get_job_comments": [rq.get_job_comments(JOB)],
    "add_job_comment": [rq.add_job_comment(JOB, "jdoe", "Dead frames", "host render03 is bad")],
    "set_job_min_gpus": [rq.set_job_min_gpus(JOB, 0), rq.set_job_min_gpus(JOB, 2)],
    "set_job_max_gpus": [rq.set_job_max_gpus(JOB, 4)],
    "set_max_retries": [rq.set_max_retries(JOB, 5), rq.set_max_retries(JOB, 0)],
    "set_auto_eat": [rq.set_auto_eat(JOB, True), rq.set_auto_eat(JOB, False)],
    "delete_comment": [rq.delete_comment("4d5e6f70-0000-4000-8000-0000000000c1")],
    "set_layer_min_cores": [rq.set_layer_min_cores(LAYER, 2.5)],
    "set_layer_max_cores": [rq.set_layer_max_cores(LAYER, 0)],
    "set_layer_min_memory": [rq.set_layer_min_memory(LAYER, 16 * 1048576)],
    "set_layer_min_gpu_memory": [rq.set_layer_min_gpu_memory(LAYER, 512 * 1024)],
    "set_layer_min_gpus": [rq.set_layer_min_gpus(LAYER, 1)],
    "set_layer_max_gpus": [rq.set_layer_max_gpus(LAYER, 2)],
    "set_layer_tags": [rq.set_layer_tags(LAYER, ["general", "gpu"])],
    "set_layer_threadable": [rq.set_layer_threadable(LAYER, True)],
    "set_layer_timeout": [rq.set_layer_timeout(LAYER, 90)],
    "set_layer_timeout_llu": [rq.set_layer_timeout_llu(LAYER, 30)],
    "mark_layer_done": [rq.mark_layer_done(LAYER)],
    "get_frame": [rq.get_frame(FRAME)],
    "find_frame": [rq.find_frame("testing-sh010-jdoe_lighting_v3", "render", 7)],
    "layer_get_frames": [rq.layer_get_frames(LAYER, DEAD, 1, 500)],
    "retry_frame": [rq.retry_frame(FRAME)],
    "eat_frame": [rq.eat_frame(FRAME)],
    "kill_frame": [rq.kill_frame(FRAME, "hung", ME)],
    "get_hosts": [
        rq.get_hosts(HostSearch()),
        rq.get_hosts(
            HostSearch(
                hosts=["render01"],
                regex=["^r"],
                substr=["ren"],
                ids=[HOST],
                allocs=["local.general"],
                states=["UP"],
                lock_states=["OPEN"],
            )
        ),
    ],
    "get_host": [rq.get_host(HOST)],
    "find_host": [rq.find_host("render01")],
    "get_host_procs": [rq.get_host_procs(HOST)],
    "get_procs": [
        rq.get_procs(ProcSearch(hosts=["render01"])),
        rq.get_procs(ProcSearch(jobs=["j"], layers=["l"], shows=["s"], allocs=["a"], max_results=10)),
    ],
    "lock_host": [rq.lock_host(HOST)],
    "unlock_host": [rq.unlock_host(HOST)],
    "reboot_host": [rq.reboot_host(HOST)],
    "reboot_host_when_idle": [rq.reboot_host_when_idle(HOST)],
    "get_host_comments": [rq.get_host_comments(HOST)],
    "add_host_comment": [rq.add_host_comment(HOST, "jdoe", "s", "m")],
    # frame order, procs and host settings
    "reorder_frames": [rq.reorder_frames(JOB, "1-100x3", "first"), rq.reorder_frames(JOB, "1,5,9", "REVERSE")],
    "layer_reorder_frames": [rq.layer_reorder_frames(LAYER, "1-10", "last")],
    "stagger_frames": [rq.stagger_frames(JOB, "1-100", 5)],
    "layer_stagger_frames": [rq.layer_stagger_frames(LAYER, "1-100", 2)],
    "mark_as_waiting": [rq.mark_as_waiting(JOB, FrameSearch(frame_range="1-10", layers=["render"]))],
    "kill_proc": [rq.kill_proc(PROC)],
    "unbook_proc": [rq.unbook_proc(PROC, False), rq.unbook_proc(PROC, True)],
    "add_host_tags": [rq.add_host_tags(HOST, ["gpu", "big"])],
    "remove_host_tags": [rq.remove_host_tags(HOST, ["general"])],
    "set_host_allocation": [rq.set_host_allocation(HOST, "00000000-0000-0000-0000-0000000a110c")],
    "set_hardware_state": [rq.set_hardware_state(HOST, "repair"), rq.set_hardware_state(HOST, "UP")],
    "get_all_allocations": [rq.get_all_allocations()],
    "what_this_depends_on": [
        rq.what_this_depends_on(w, i) for w, i in (("job", JOB), ("layer", LAYER), ("frame", FRAME))
    ],
    "what_depends_on_this": [
        rq.what_depends_on_this(w, i) for w, i in (("job", JOB), ("layer", LAYER), ("frame", FRAME))
    ],
    "drop_depends": [
        rq.drop_depends("job", JOB, "ANY_TARGET"),
        rq.drop_depends("layer", LAYER, "internal"),
        rq.drop_depends("frame", FRAME, "EXTERNAL"),
    ],
    "satisfy_depend": [rq.satisfy_depend(DEPEND)],
    "get_show_subscriptions": [rq.get_show_subscriptions(SHOW)],
    "set_subscription_size": [rq.set_subscription_size(SUB, 200), rq.set_subscription_size(SUB, 0)],
    "set_subscription_burst": [rq.set_subscription_burst(SUB, 400)],
    "get_allocations": [rq.get_allocations()],
    "get_allocation_hosts": [rq.get_allocation_hosts(ALLOC)],
    "get_limits": [rq.get_limits()],
    "get_show_groups": [rq.get_show_groups(SHOW)],
}


def _builders() -> list[str]:
    return sorted(
        name
        for name, fn in inspect.getmembers(rq, inspect.isfunction)
        if fn.__module__ == rq.__name__ and not name.startswith("_")
    )


def test_every_builder_is_covered() -> None:
    assert sorted(CALLS) == _builders()


@pytest.mark.parametrize(
    "call", [c for calls in CALLS.values() for c in calls], ids=lambda c: c.path.rsplit("/", 1)[-1]
)
def test_request_parses_strictly(call: rq.Call) -> None:
    check_request(call.path, call.body)


def test_exact_shapes_from_the_protocol() -> None:
    assert rq.set_priority(JOB, 75).body == {"job": {"id": JOB}, "val": 75}
    assert rq.retry_frames(JOB, DEAD).body == {"job": {"id": JOB}, "req": {"states": {"frameStates": ["DEAD"]}}}
    assert rq.get_frames(JOB, FrameSearch(), 1, 500).body == {"job": {"id": JOB}, "req": {"page": 1, "limit": 500}}
    assert rq.get_hosts(HostSearch(states=["up"])).body == {"r": {"states": {"state": ["UP"]}}}
    kill = rq.kill_job(JOB, "  why  ", ME).body
    assert kill == {"job": {"id": JOB}, "username": "jdoe", "pid": "4242", "hostKill": "ws042", "reason": "why"}


def test_the_oracle_rejects_bodies_the_gateway_would_drop_fields_from() -> None:
    # The tutorial's bodies (protocol §6): each would be silently wrong on a real gateway.
    for path, body in [
        ("/job.JobInterface/SetPriority", {"job": {"id": JOB}, "priority": 75}),
        ("/job.JobInterface/GetJobs", {"r": {"show": "demo_show"}}),
        ("/host.HostInterface/GetHosts", {"r": {"state": ["UP"]}}),
        ("/job.JobInterface/RetryFrames", {"job": {"id": JOB}, "req": {"state": ["DEAD"]}}),
    ]:
        with pytest.raises(json_format.ParseError):
            check_request(path, body)
    with pytest.raises(json_format.ParseError):
        check_request(
            "/job.JobInterface/RetryFrames", {"job": {"id": JOB}, "req": {"states": {"frameStates": ["dead"]}}}
        )


@pytest.mark.parametrize(
    "make",
    [
        lambda: rq.retry_frames(JOB, FrameSearch()),
        lambda: rq.eat_frames(JOB, FrameSearch(states=[], layers=[])),
        lambda: rq.kill_frames(JOB, FrameSearch(), "r", ME),
        lambda: rq.retry_frames(JOB, FrameSearch(states=["DEADD"])),
        lambda: rq.kill_job(JOB, "   ", ME),
        lambda: rq.kill_frame(FRAME, "", ME),
        lambda: rq.set_priority(JOB, 75.5),  # type: ignore[arg-type]
        lambda: rq.set_priority(JOB, True),
        lambda: rq.set_priority(JOB, 2**31),
        lambda: rq.get_frames(JOB, FrameSearch(), 1, 0),
        lambda: rq.get_updated_frames(JOB, 0),
        lambda: rq.pause_job(""),
        lambda: rq.get_hosts(HostSearch(states=["sideways"])),
        lambda: rq.drop_depends("job", JOB, "EVERYTHING"),
        lambda: rq.drop_depends("show", JOB, "ANY_TARGET"),
        lambda: rq.set_subscription_burst(SUB, -1),
        lambda: rq.set_subscription_size(SUB, 2.5),  # type: ignore[arg-type]
        lambda: rq.satisfy_depend(""),
    ],
)
def test_refused_before_sending(make: object) -> None:
    with pytest.raises(RefusedRequest):
        make()  # type: ignore[operator]


def test_request_types_resolve_for_every_builder_path() -> None:
    for calls in CALLS.values():
        for call in calls:
            assert request_type(call.path) is not None


def test_request_bodies_are_unchanged() -> None:
    """Every body above, byte for byte as written before the builders read the schema table
    (`golden/requests.json`; regenerate on purpose with CUETUI_GOLDEN_UPDATE=1)."""
    import json
    import os
    from pathlib import Path

    golden = Path(__file__).with_name("golden") / "requests.json"
    text = json.dumps({name: [[c.path, c.body] for c in calls] for name, calls in CALLS.items()}, indent=1) + "\n"
    if os.environ.get("CUETUI_GOLDEN_UPDATE"):
        golden.write_text(text)
    assert text == golden.read_text()


def test_a_field_the_request_message_does_not_have_fails_at_once() -> None:
    """Bodies are built through the schema table: a misspelt field never reaches the gateway (which
    would drop it without a word and, for RetryFrames, act on every frame)."""
    assert rq._call("/job.JobInterface/SetPriority", val=75).body == {"val": 75}
    with pytest.raises(TypeError, match="priority"):
        rq._call("/job.JobInterface/SetPriority", priority=75)
    with pytest.raises(TypeError, match="state"):
        rq._message("job.FrameSearchCriteria", state=["DEAD"])


def test_remedy_shapes() -> None:
    assert rq.reorder_frames(JOB, " 1-10 x2", "last").body == {"job": {"id": JOB}, "range": "1-10x2", "order": "LAST"}
    assert rq.stagger_frames(JOB, "1-10", 3).body == {"job": {"id": JOB}, "range": "1-10", "stagger": 3}
    assert rq.unbook_proc(PROC, True).body == {"proc": {"id": PROC}, "kill": True}
    assert rq.add_host_tags(HOST, ["gpu", " gpu "]).body == {"host": {"id": HOST}, "tags": ["gpu"]}
    assert rq.set_hardware_state(HOST, "repair").body == {"host": {"id": HOST}, "state": "REPAIR"}
    # the enums' defaults (FIRST, UP) are left out, as protojson writes them; the gateway reads them back
    assert rq.reorder_frames(JOB, "1", "first").body == {"job": {"id": JOB}, "range": "1"}
    assert rq.set_hardware_state(HOST, "up").body == {"host": {"id": HOST}}


@pytest.mark.parametrize(
    "make",
    [
        lambda: rq.reorder_frames(JOB, "  ", "FIRST"),
        lambda: rq.reorder_frames(JOB, "1-10", "sideways"),
        lambda: rq.stagger_frames(JOB, "1-10", 0),
        lambda: rq.stagger_frames(JOB, "", 2),
        lambda: rq.mark_as_waiting(JOB, FrameSearch()),
        lambda: rq.add_host_tags(HOST, []),
        lambda: rq.add_host_tags(HOST, [""]),
        lambda: rq.remove_host_tags(HOST, ["two words"]),
        lambda: rq.set_hardware_state(HOST, "BROKEN"),
        lambda: rq.set_host_allocation(HOST, " "),
        lambda: rq.kill_proc(""),
    ],
)
def test_remedies_refuse_what_was_not_meant(make: object) -> None:
    with pytest.raises(RefusedRequest):
        make()  # type: ignore[operator]


def test_settings_shapes_and_refusals() -> None:
    assert rq.set_max_retries(JOB, 5).body == {"job": {"id": JOB}, "maxRetries": 5}
    assert rq.set_auto_eat(JOB, False).body == {"job": {"id": JOB}, "value": False}
    assert rq.set_layer_min_memory(LAYER, 1024).body == {"layer": {"id": LAYER}, "memory": "1024"}
    assert rq.set_layer_timeout_llu(LAYER, 3).body == {"layer": {"id": LAYER}, "timeoutLlu": 3}
    assert rq.set_layer_tags(LAYER, [" gpu "]).body == {"layer": {"id": LAYER}, "tags": ["gpu"]}
    for bad in (
        lambda: rq.set_max_retries(JOB, -1),
        lambda: rq.set_job_min_gpus(JOB, True),
        lambda: rq.set_layer_min_memory(LAYER, -5),
        lambda: rq.set_layer_tags(LAYER, []),
        lambda: rq.set_layer_tags(LAYER, ["gpu", " "]),
        lambda: rq.set_auto_eat(JOB, 1),  # type: ignore[arg-type]
        lambda: rq.mark_layer_done(""),
    ):
        with pytest.raises(RefusedRequest):
            bad()
