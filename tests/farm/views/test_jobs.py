"""JobsView against the demo gateway: the scope decides what is asked, and a prefetched answer is the
first poll instead of a second request."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest

from cuetui.demo.server import DemoGatewayThread
from cuetui.farm.views.jobs import JobScope, JobsView
from tests.farm.views.support import EPOCH, calls, client_of


@pytest.fixture
def studio(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return make_gateway(profile="studio", epoch=EPOCH, record=True)


async def test_the_scope_narrows_the_jobs_and_the_snapshot_is_frozen(
    studio: DemoGatewayThread, gateway_token: str
) -> None:
    async with client_of(studio, gateway_token) as client:
        view = JobsView(client)
        every = await view.poll()
        assert every.jobs and isinstance(every.jobs, tuple)
        assert all(not job.is_finished for job in every.jobs)
        show = every.jobs[0].show
        view.scope = JobScope(shows=(show,))
        one_show = await view.poll()
        assert one_show.scope.shows == (show,)
        assert one_show.jobs and {job.show for job in one_show.jobs} == {show}
        assert len(one_show.jobs) < len(every.jobs)
        view.scope = JobScope(include_finished=True)
        with_finished = await view.poll()
        assert any(job.is_finished for job in with_finished.jobs)
        with pytest.raises(dataclasses.FrozenInstanceError):
            every.jobs = ()  # type: ignore[misc]


async def test_a_prefetched_answer_is_the_first_poll(studio: DemoGatewayThread, gateway_token: str) -> None:
    async with client_of(studio, gateway_token) as client:
        view = JobsView(client, JobScope())
        view.prefetch()
        assert view.prefetched
        first = await view.poll()
        assert not view.prefetched and first.jobs
        # The prefetch was the only request: the poll awaited it instead of asking again.
        assert calls(studio).count("GetJobs") == 1
        second = await view.poll()
        assert calls(studio).count("GetJobs") == 2 and second.jobs == first.jobs


async def test_a_prefetch_for_another_scope_is_not_used(studio: DemoGatewayThread, gateway_token: str) -> None:
    async with client_of(studio, gateway_token) as client:
        view = JobsView(client, JobScope(include_finished=True))
        view.prefetch()
        view.scope = JobScope()
        snapshot = await view.poll()
        assert snapshot.scope == JobScope()
        assert all(not job.is_finished for job in snapshot.jobs)
