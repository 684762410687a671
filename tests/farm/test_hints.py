"""Hints with remedies, pure: killed for memory and the min memory to ask for, the host behind deaths,
and when a failure is not transient."""

from __future__ import annotations

from cuetui.farm.hints import (
    KB_PER_GB,
    host_behind,
    killed_for_memory,
    memory_label,
    not_transient,
    round_memory_kb,
    suggest_min_memory,
)
from cuetui.farm.triage import DeadFrame, suspect_hosts
from cuetui.gateway.models import Frame, Job

GB = KB_PER_GB
JOB = Job(id="j1", name="show-sh010-lighting")
OTHER = Job(id="j2", name="show-sh020-fx")


def dead(
    n: int, *, exit_status: int = 137, rss: int = 0, layer: str = "render", job: Job = JOB, host: str = "r01"
) -> DeadFrame:
    frame = Frame(
        id=f"{job.id}-{n}",
        name=f"{n:04d}-{layer}",
        layer_name=layer,
        state="DEAD",
        exit_status=exit_status,
        max_rss=rss,
        stop_time=1000 + n,
        last_resource=f"{host}/4.00/0",
    )
    return DeadFrame(job, frame)


def test_sizes_round_up_to_what_people_type() -> None:
    assert round_memory_kb(1) == 1 * GB
    assert round_memory_kb(9 * GB + 1) == 12 * GB
    assert round_memory_kb(16 * GB) == 16 * GB
    assert round_memory_kb(16 * GB + 1) == 20 * GB
    assert round_memory_kb(600 * GB) == 640 * GB  # beyond the table: multiples of 128G
    assert [memory_label(kb) for kb in (16 * GB, 1536 * 1024, 512 * 1024, 13 * GB + GB // 10)] == [
        "16G",
        "1.5G",
        "512M",
        "13G",
    ]


def test_killed_for_memory_needs_exit_137_and_rss_near_a_limit() -> None:
    assert killed_for_memory(dead(1, rss=int(7.5 * GB)), 8 * GB)  # within 10 % of the layer's min
    assert not killed_for_memory(dead(1, rss=4 * GB), 8 * GB)  # far below: killed for another reason
    assert killed_for_memory(dead(1, rss=4 * GB), 0, host_memory_kb=4 * GB)  # the host's memory instead
    assert not killed_for_memory(dead(1, exit_status=1, rss=8 * GB), 8 * GB)
    assert not killed_for_memory(dead(1, rss=0), 8 * GB)  # no RSS known: no claim


def test_suggestion_per_layer_above_the_largest_rss_and_the_current_min() -> None:
    frames = [
        dead(1, rss=int(7.6 * GB)),
        dead(2, rss=int(8.2 * GB)),
        dead(3, rss=int(7.9 * GB), layer="comp"),
        dead(4, rss=2 * GB, layer="comp"),  # not near the limit: not counted
        dead(5, exit_status=1, rss=8 * GB),
    ]
    mins = {("j1", "render"): 8 * GB, ("j1", "comp"): 8 * GB}
    found = suggest_min_memory(frames, mins)
    assert [(s.job.id, s.layer, s.min_memory_kb, s.frames) for s in found] == [
        ("j1", "render", 12 * GB, 2),  # 8.2G x 1.2 = 9.8G -> 12G
        ("j1", "comp", 12 * GB, 1),
    ]
    assert found[0].max_rss_kb == int(8.2 * GB) and found[0].current_kb == 8 * GB
    assert found[0].text == "raise min memory of render to 12G (max RSS 8.2G, min 8G)"
    # Never a figure at or below what the layer asks already.
    high = suggest_min_memory([dead(1, rss=15 * GB)], {("j1", "render"): 16 * GB})
    assert high[0].min_memory_kb == 20 * GB
    assert suggest_min_memory([dead(1, rss=GB)], {}) == []


def test_the_host_behind_deaths_of_several_jobs() -> None:
    frames = [dead(n, exit_status=1, host="render07", job=JOB if n % 2 else OTHER) for n in range(8)]
    frames += [dead(100 + n, exit_status=1, host=f"r{n:02d}") for n in range(6)]
    suspects = suspect_hosts(frames)
    assert [s.host for s in suspects] == ["render07"]
    behind = host_behind(frames[:3] + frames[-2:], suspects)
    assert behind is not None and behind.host == "render07"
    assert host_behind(frames[-2:], suspects) is None
    # One frame of a large group on the bad host is not what the group is about; L still finds it.
    group = frames[:1] + [dead(200 + n, exit_status=1, host="r01") for n in range(9)]
    assert host_behind(group, suspects) is None
    loose = host_behind(group, suspects, at_least=0.0)
    assert loose is not None and loose.host == "render07"


def test_not_transient_only_when_every_earlier_attempt_failed_the_same_way() -> None:
    frames = [dead(1), dead(2)]
    current = {"j1-1": "oom", "j1-2": "oom"}
    assert not_transient(frames, current, {"j1-1": ["oom", "oom"], "j1-2": ["oom"]})
    assert not not_transient(frames, current, {"j1-1": ["oom", "license"], "j1-2": ["oom"]})
    assert not not_transient(frames, current, {"j1-1": ["oom"]})  # no earlier attempt read for one
    assert not not_transient(frames, {"j1-1": "oom"}, {"j1-1": ["oom"], "j1-2": ["oom"]})  # a log not read
    assert not not_transient([], {}, {})
