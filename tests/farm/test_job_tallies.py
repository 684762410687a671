"""JobTallies: the jobs screen's counts kept by looking only at the jobs whose model changed equal a
count of every job, whatever comes back as the same objects, changes, repeats an id or leaves."""

from __future__ import annotations

import asyncio

from hypothesis import given, settings
from hypothesis import strategies as st

from cuetui.farm.views.jobs import JobTallies, JobTally
from cuetui.gateway.models import Job, JobStats


def _job(key: int, dead: int, paused: bool) -> Job:
    return Job(id=f"job-{key}", name=f"job-{key}", is_paused=paused, job_stats=JobStats(dead_frames=dead))


def _full(jobs: list[Job]) -> JobTally:
    by_id = {j.id: j for j in jobs}  # a later element with the same id replaces an earlier one
    return JobTally(
        sum(1 for j in by_id.values() if j.stats.dead_frames), sum(1 for j in by_id.values() if j.is_paused)
    )


# Each element of a poll: a job key and either its model of the last poll (None) or a new one.
_element = st.tuples(st.integers(0, 6), st.one_of(st.none(), st.tuples(st.integers(0, 2), st.booleans())))


@settings(max_examples=200, deadline=None)
@given(polls=st.lists(st.lists(_element, max_size=9), max_size=6), size=st.integers(1, 4), shown=st.data())
def test_the_tally_equals_a_count_of_every_job(
    polls: list[list[tuple[int, tuple[int, bool] | None]]], size: int, shown: st.DataObject
) -> None:
    tallies = JobTallies()
    committed: dict[str, Job] = {}
    last: dict[int, Job] = {}
    for poll in polls:
        jobs = []
        for key, change in poll:
            if change is None and key in last:
                jobs.append(last[key])  # the very model, as the GetJobs reuse hands back
            else:
                dead, paused = change or (0, False)
                jobs.append(_job(key, dead, paused))
        last.update((int(j.id.split("-")[1]), j) for j in jobs)
        counted = asyncio.run(tallies.count(jobs, size))
        assert counted.tally == _full(jobs)
        new = {j.id: j for j in jobs}
        assert {j.id for j in counted.changed} == {k for k, j in new.items() if committed.get(k) is not j}
        assert set(counted.removed) == committed.keys() - new.keys()
        # A poll that is never shown (an error) is not counted against: the next one is against the last shown.
        if shown.draw(st.booleans()):
            tallies.commit(counted)
            committed = new
        assert tallies.tally == _full(list(committed.values()))
