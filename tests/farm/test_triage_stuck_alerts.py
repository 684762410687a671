"""Triage grouping, stuck-frame rules and alerts: pure, no gateway."""

from __future__ import annotations

from cuetui.farm.alerts import FINISHED, NEW_DEAD, AlertTracker
from cuetui.farm.stuck import StuckRules, find_stuck
from cuetui.farm.triage import (
    DeadFrame,
    collect_dead,
    exit_meaning,
    first_error_line,
    group_by,
    poisson_mean_from_seen,
    poisson_tail,
    suspect_hosts,
)
from cuetui.gateway.models import Frame, Job, JobStats, Layer, LayerStats

A = Job(id="a", name="show-sh1-u_a")
B = Job(id="b", name="show-sh2-u_b")


def dead(name: str, host: str, stop: int, status: int = 1) -> Frame:
    return Frame(id=name, name=name, state="DEAD", last_resource=f"{host}/4.00/0", stop_time=stop, exit_status=status)


def test_collect_newest_first_and_groups() -> None:
    frames_a = [dead("0001-r", "render01", 100), dead("0002-r", "render02", 300), Frame(id="x", state="SUCCEEDED")]
    frames_b = [dead("0001-c", "render01", 200, 137), dead("0002-c", "render01", 250, 137)]
    d = collect_dead([(A, frames_a), (B, frames_b)])
    assert [x.frame.name for x in d] == ["0002-r", "0002-c", "0001-c", "0001-r"]
    by_host = group_by(d, "host")
    assert (by_host[0].key, by_host[0].count, by_host[0].job_count) == ("render01", 3, 2)
    by_exit = group_by(d, "exit_status")
    assert [g.key for g in by_exit] == ["1", "137"] or [g.key for g in by_exit] == ["137", "1"]
    # Three of four on one host is not yet evidence of anything.
    assert suspect_hosts(d) == []


def spread(per_host: dict[str, int], jobs: int = 5) -> list[DeadFrame]:
    """Dead frames: `per_host[h]` on host h, handed out over `jobs` jobs in turn."""
    all_jobs = [Job(id=f"j{n}", name=f"show-sh{n}-u_j") for n in range(jobs)]
    pairs: dict[str, list[Frame]] = {j.id: [] for j in all_jobs}
    n = 0
    for host, count in per_host.items():
        for _ in range(count):
            pairs[all_jobs[n % jobs].id].append(dead(f"{n:04d}-r", host, 1000 + n))
            n += 1
    return collect_dead((j, pairs[j.id]) for j in all_jobs)


def test_one_bad_host_among_many_good_ones_is_suspect() -> None:
    per_host = {f"render{n:03d}": 1 + n % 3 for n in range(60)}  # 1 to 3 each: the farm's usual bad luck
    per_host["render999"] = 12
    suspects = suspect_hosts(spread(per_host))
    assert [s.host for s in suspects] == ["render999"]
    assert suspects[0].group.count == 12 and suspects[0].group.job_count == 5
    assert 1.9 < suspects[0].others_mean < 2.1


def test_failures_spread_evenly_flag_nothing() -> None:
    import random

    rng = random.Random(7)
    # 600 dead frames thrown at 200 hosts at random: some get 7 or 8 by chance, none is a host problem.
    per_host: dict[str, int] = {}
    for _ in range(600):
        host = f"render{rng.randrange(200):03d}"
        per_host[host] = per_host.get(host, 0) + 1
    assert max(per_host.values()) >= 7
    assert suspect_hosts(spread(per_host)) == []
    # The same farm with every host equal: nothing either.
    assert suspect_hosts(spread({f"render{n:03d}": 5 for n in range(40)})) == []


def test_suspects_need_a_minimum_count_and_more_than_one_job() -> None:
    quiet = {f"render{n:02d}": 1 for n in range(20)}
    # Every other host lost one frame at most: four on one host stands out.
    assert [s.host for s in suspect_hosts(spread({**quiet, "bad": 4}))] == ["bad"]
    assert suspect_hosts(spread({**quiet, "bad": 3})) == []  # below the minimum count
    assert suspect_hosts(spread({**quiet, "bad": 9}, jobs=1)) == []  # one job: a job problem
    assert [s.host for s in suspect_hosts(spread({"only": 5}))] == ["only"]  # nothing else died at all
    assert suspect_hosts(spread({"only": 5}), min_frames=6) == []


def test_a_known_farm_size_replaces_the_estimate() -> None:
    # 5 on one host while the others lost 2 or 3 each: on a farm of 8 hosts that is bad luck, on a farm
    # of 100 hosts (where most lost nothing) it is not.
    per_host = {"bad": 5, "render01": 2, "render02": 3, "render03": 2, "render04": 3}
    assert suspect_hosts(spread(per_host), factor=2, host_count=8) == []
    assert [s.host for s in suspect_hosts(spread(per_host), factor=2, host_count=100)] == ["bad"]


def test_poisson_mean_from_seen() -> None:
    assert poisson_mean_from_seen(1.0) == 0.0
    for rate in (0.2, 1.0, 2.7, 8.0):
        seen = rate / (1 - 2.718281828459045**-rate)
        assert abs(poisson_mean_from_seen(seen) - rate) < 1e-6


def test_poisson_tail() -> None:
    assert poisson_tail(0, 3.0) == 1.0 and poisson_tail(1, 0.0) == 0.0
    assert abs(poisson_tail(1, 2.0) - (1 - 2.718281828459045**-2)) < 1e-12
    assert 0 < poisson_tail(500, 3.0) < 1e-300 or poisson_tail(500, 3.0) == 0.0
    assert abs(poisson_tail(6, 1.0) - 0.000594184817) < 1e-9


def test_exit_meanings() -> None:
    assert exit_meaning(399) == "host down" and exit_meaning(139) == "signal 11" and exit_meaning(7) == ""


def test_first_error_line_skips_rqd_footer() -> None:
    lines = [
        "===========================================================",
        "RenderQ JobSpec Tue Nov 24 10:00:00 2026",
        "command    kick -i scene.ass",
        "00:00:01  rendering bucket 4/64",
        "00:01:02  ERROR: texture /tex/wood.tx not found",
        "RenderQ Job Complete",
        "exitStatus          1",
    ]
    assert first_error_line(lines) == 4
    assert first_error_line(["all good", "exitStatus 1"]) is None


def test_stuck_rules() -> None:
    layer = Layer(name="render", services=("arnold",), layer_stats=LayerStats(avg_frame_sec=1000))
    now = 10_000.0
    quiet = Frame(id="q", name="0001-render", layer_name="render", state="RUNNING", start_time=5000, llu_time=6000)
    chatty = Frame(id="c", name="0002-render", layer_name="render", state="RUNNING", start_time=5000, llu_time=9990)
    young = Frame(id="y", name="0003-render", layer_name="render", state="RUNNING", start_time=9000, llu_time=9000)
    done = Frame(id="d", name="0004-render", layer_name="render", state="SUCCEEDED", start_time=1, llu_time=1)
    rules = StuckRules(min_silence=600, percent_of_runtime=50)
    stuck = find_stuck(A, [layer], [quiet, chatty, young, done], now, rules)
    assert [s.frame.id for s in stuck] == ["q", "y"]
    assert stuck[0].silent_for == 4000 and stuck[0].percent_of_layer_average == 500
    strict = StuckRules(min_silence=600, percent_of_runtime=75, service_min_silence={"arnold": 3600})
    assert [s.frame.id for s in find_stuck(A, [layer], [quiet, young], now, strict)] == ["q"]
    assert find_stuck(A, [layer], [quiet], now, StuckRules(exclude_jobs=["sh1"])) == []


def test_alerts_fire_once() -> None:
    tracker = AlertTracker()

    def job(dead: int, state: str = "PENDING") -> Job:
        return Job(id="a", name="n", state=state, job_stats=JobStats(dead_frames=dead))

    assert tracker.update([job(3)]) == []  # first sight: no alert for old dead frames
    assert tracker.update([job(3)]) == []
    alerts = tracker.update([job(5)])
    assert [(a.kind, a.new_dead) for a in alerts] == [(NEW_DEAD, 2)]
    assert "2 new dead frames" in alerts[0].message
    assert tracker.update([job(5)]) == []
    assert tracker.update([job(0)]) == []  # retried
    assert [a.kind for a in tracker.update([job(1, "FINISHED")])] == [NEW_DEAD, FINISHED]
    assert tracker.update([job(1, "FINISHED")]) == []
