"""AlertTracker skips a job handed in the very model it last saw: the alerts are those of a tracker that
looks at every job every poll, whichever jobs come back as the same objects, whole or in slices."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from cuetui.farm.alerts import KILLED, NEW_DEAD, Alert, AlertTracker, was_killed
from cuetui.gateway.models import Job, JobStats


class EveryJobTracker:
    """The tracker as it was: every job's counters compared at every poll."""

    def __init__(self) -> None:
        self.dead: dict[str, int] = {}
        self.finished: set[str] = set()

    def update(self, jobs: list[Job]) -> list[tuple[str, str, int]]:
        alerts = []
        for job in jobs:
            dead = job.stats.dead_frames
            seen = self.dead.get(job.id)
            if seen is not None and dead > seen:
                alerts.append((NEW_DEAD, job.id, dead - seen))
            self.dead[job.id] = dead
            if job.is_finished:
                if seen is not None and job.id not in self.finished:
                    alerts.append((KILLED if was_killed(job) else "finished", job.id, 0))
                self.finished.add(job.id)
        return alerts


def _job(key: int, dead: int, finished: bool, succeeded: int) -> Job:
    stats = JobStats(dead_frames=dead, succeeded_frames=succeeded, total_frames=4)
    return Job(id=f"job-{key}", name=f"job-{key}", state="FINISHED" if finished else "PENDING", job_stats=stats)


# A poll: for each job, either the model of the last poll again (None) or a new model (maybe equal).
_change = st.one_of(st.none(), st.tuples(st.integers(0, 3), st.booleans(), st.integers(0, 4)))
_poll = st.dictionaries(st.integers(0, 6), _change, max_size=7)


def _shape(alerts: list[Alert]) -> list[tuple[str, str, int]]:
    return [(a.kind, a.job.id, a.new_dead) for a in alerts]


@settings(max_examples=150, deadline=None)
@given(polls=st.lists(_poll, max_size=8), size=st.integers(1, 4))
def test_alerts_equal_those_of_a_tracker_that_looks_at_every_job(polls: list[dict[int, object]], size: int) -> None:
    tracker, sliced, reference = AlertTracker(), AlertTracker(), EveryJobTracker()
    last: dict[int, Job] = {}
    for poll in polls:
        jobs = []
        for key, change in poll.items():
            if change is None and key in last:
                jobs.append(last[key])  # the same object, as the GetJobs reuse hands back
            else:
                dead, finished, succeeded = change if isinstance(change, tuple) else (0, False, 0)
                jobs.append(_job(key, dead, finished, succeeded))
        last.update((int(j.id.split("-")[1]), j) for j in jobs)
        expected = reference.update(jobs)
        assert _shape(tracker.update(jobs)) == expected
        assert _shape(asyncio.run(sliced.update_sliced(jobs, size))) == expected


def test_released_jobs_are_no_longer_held_and_still_alert() -> None:
    tracker = AlertTracker()
    job = _job(1, 0, False, 0)
    tracker.update([job, _job(2, 0, False, 0)])
    tracker.release(["job-1"])
    assert set(tracker._models) == {"job-2"}  # the model of the job that left is let go
    assert _shape(tracker.update([job])) == []  # the same counters as recorded: nothing new
    assert _shape(tracker.update([_job(1, 2, False, 0)])) == [(NEW_DEAD, "job-1", 2)]
