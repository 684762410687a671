"""Alerts coalesced per poll: one line for a burst of dead frames, one for the jobs that ended; a killed
job is called killed; `notifications` picks which lines are shown."""

from __future__ import annotations

from cuetui.farm.alerts import FINISHED, KILLED, NEW_DEAD, Alert, AlertTracker, burst, short_cause, was_killed
from cuetui.gateway.models import Job, JobStats

TEXTURE = "[<time>] ERROR: [kick] failed to open texture '/tex/ground.<frame>.tx': No such file"
OOM = "[<time>] ERROR: process killed by the OOM killer"


def job(name: str, state: str = "PENDING", **stats: int) -> Job:
    return Job(id=name, name=name, state=state, job_stats=JobStats(**stats))


def test_a_burst_in_several_jobs_is_one_line_with_its_causes() -> None:
    alerts = [
        Alert(NEW_DEAD, job("a", dead_frames=4), 4),
        Alert(NEW_DEAD, job("b", dead_frames=2), 2),
        Alert(NEW_DEAD, job("c", dead_frames=9), 1),
    ]
    notices = burst(alerts, [(TEXTURE, 5), (OOM, 2)])
    assert [n.text for n in notices] == [
        "7 new dead frames in 3 jobs: 5 × failed to open texture '/tex/ground.<frame>.tx'…, "
        "2 × process killed by the OOM killer"
    ]
    assert notices[0].severity == "warning"
    # More causes than are named, or fewer frames read than died: an ellipsis says there is more.
    text = burst(alerts, [(TEXTURE, 3), (OOM, 2), ("Error: third", 1)])[0].text
    assert text.endswith(" …") and "third" not in text
    assert burst(alerts, [(OOM, 2)])[0].text.endswith("2 × process killed by the OOM killer …")


def test_without_causes_the_jobs_are_named_largest_first() -> None:
    alerts = [Alert(NEW_DEAD, job(n, dead_frames=k), k) for n, k in (("a", 1), ("b", 5), ("c", 2), ("d", 1))]
    assert burst(alerts)[0].text == "9 new dead frames in 4 jobs: b (5), c (2), a (1) …"


def test_one_job_keeps_its_name_and_dead_count() -> None:
    alerts = [Alert(NEW_DEAD, job("sh010_lighting", dead_frames=12), 3)]
    assert burst(alerts, [(TEXTURE, 3)])[0].text == (
        "sh010_lighting: 3 new dead frames (12 dead): 3 × failed to open texture '/tex/ground.<frame>.tx'…"
    )
    assert burst([Alert(NEW_DEAD, job("x", dead_frames=1), 1)])[0].text == "x: 1 new dead frame (1 dead)"


def test_ended_jobs_are_one_line_and_killed_is_not_finished() -> None:
    done = job("done", "FINISHED", total_frames=10, succeeded_frames=10)
    killed = job("stopped", "FINISHED", total_frames=10, succeeded_frames=4, eaten_frames=1)
    assert not was_killed(done) and was_killed(killed)
    tracker = AlertTracker()
    tracker.update([job("done", total_frames=10), job("stopped", total_frames=10)])
    alerts = tracker.update([done, killed])
    assert [a.kind for a in alerts] == [FINISHED, KILLED]
    notices = burst(alerts)
    assert [n.text for n in notices] == ["2 jobs ended: 1 finished (done), 1 killed (stopped)"]
    assert notices[0].severity == "warning"
    assert burst([alerts[1]])[0].text == "stopped: killed (5 of 10 frames not done)"
    assert burst([alerts[0]])[0].text == "done: finished" and burst([alerts[0]])[0].severity == "information"


def test_notifications_setting() -> None:
    alerts = [
        Alert(NEW_DEAD, job("a", dead_frames=1), 1),
        Alert(FINISHED, job("b", "FINISHED", total_frames=1, succeeded_frames=1)),
    ]
    assert len(burst(alerts, notifications="all")) == 2
    assert [n.kinds for n in burst(alerts, notifications="dead")] == [(NEW_DEAD,)]
    assert burst(alerts, notifications="off") == []


def test_short_cause_drops_time_level_and_tags() -> None:
    assert short_cause("[<time>] ERROR: [kick] failed") == "failed"
    assert short_cause("<time> FATAL | out of memory") == "out of memory"
    assert short_cause("Traceback (most recent call last):") == "Traceback (most recent call last):"
    assert short_cause("[<time>]") == "[<time>]"
    assert len(short_cause("x" * 100)) == 48
