"""Triage grouping, stuck-frame rules and alerts: pure, no gateway."""

from __future__ import annotations

from cuetui.farm.alerts import FINISHED, NEW_DEAD, AlertTracker
from cuetui.farm.stuck import StuckRules, find_stuck
from cuetui.farm.triage import collect_dead, exit_meaning, first_error_line, group_by, suspect_hosts
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
    assert [g.key for g in suspect_hosts(d)] == ["render01"]


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
