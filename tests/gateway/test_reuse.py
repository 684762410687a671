"""ListReuse: element-by-element decoding of list answers gives what a whole parse gives, or gives up."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cuetui.demo.server import DemoGatewayThread
from cuetui.gateway import reuse as reuse_module
from cuetui.gateway.auth import GatewayAuth
from cuetui.gateway.client import GatewayClient
from cuetui.gateway.models import Job, decode_list, unwrap_seq
from cuetui.gateway.reuse import ListReuse


def _job(i: int, **fields: Any) -> dict[str, Any]:
    return {"id": f"job-{i}", "name": f"show-shot-{i:03d}", "priority": 100, "state": "PENDING", **fields}


def _body(jobs: list[dict[str, Any]], *, spaced: bool = False) -> bytes:
    compact = orjson.dumps({"jobs": {"jobs": jobs}})
    if not spaced:
        return compact
    # Go's protojson may write one space after each ':' and ',' (outside strings; none in these)
    return compact.replace(b":", b": ").replace(b",", b", ")


def _whole(content: bytes) -> list[Job]:
    return decode_list(unwrap_seq(orjson.loads(content), "jobs"), Job.from_json)


@pytest.mark.parametrize("spaced", [False, True])
async def test_reuses_unchanged_elements_and_parses_the_rest(spaced: bool) -> None:
    reuse = ListReuse("jobs", Job.from_json)
    jobs = [_job(i) for i in range(600)]
    first = await reuse.decode(_body(jobs, spaced=spaced))
    assert first == _whole(_body(jobs, spaced=spaced)) and reuse.parsed == 600
    jobs[5] = _job(5, priority=107)
    second = await reuse.decode(_body(jobs, spaced=spaced))
    assert second == _whole(_body(jobs, spaced=spaced))
    assert second is not None and second[5].priority == 107 and reuse.parsed == 1
    assert second[4] is first[4]  # the very same model, not parsed again
    assert reuse.fresh == [second[5]] and reuse.fresh[0] is second[5]  # only the new one to share


async def test_separators_inside_strings_are_data() -> None:
    reuse = ListReuse("jobs", Job.from_json)
    jobs = [_job(0, name='a},{"id":"b'), _job(1, name="plain")]
    assert await reuse.decode(_body(jobs)) == _whole(_body(jobs))


@pytest.mark.parametrize(
    "content",
    [
        b'{"jobs":[{"id":"a"}]}',  # a flat list
        b'{"jobs":{"jobs":[{"name":"a","id":"b"}]}}',  # id not first
        b'{"jobs":{"jobs":[{"id":"a","x":[{"id":"b"},{"id":"c"}]}]}}',  # nested objects with ids
        b'{"jobs":{"jobs":[{"id":"a"},{"id":}]}}',  # broken JSON
        b'{"jobs":{"jobs":[1,2]}}',
        b"<html>",
    ],
)
async def test_gives_up_on_anything_else(content: bytes) -> None:
    assert await ListReuse("jobs", Job.from_json).decode(content) is None


async def test_an_empty_list() -> None:
    assert await ListReuse("jobs", Job.from_json).decode(b'{"jobs":{"jobs":[]}}') == []


async def test_client_jobs_equal_a_whole_parse(frozen_gateway: DemoGatewayThread, gateway_token: str) -> None:
    import httpx

    raw = httpx.post(
        frozen_gateway.url + "/job.JobInterface/GetJobs",
        content=b"{}",
        headers={"Authorization": f"Bearer {gateway_token}"},
    ).content
    async with GatewayClient(frozen_gateway.url, GatewayAuth(token=gateway_token)) as client:
        first = await client.get_jobs()
        assert client._job_reuse.parsed == len(first)  # the demo's answer takes the element-wise path
        again = await client.get_jobs()
    assert first == again == _whole(raw) and len(first) > 1
    assert client._job_reuse.parsed == 0  # a frozen farm: the second poll parsed nothing


async def test_a_job_parsed_again_shares_its_strings_with_the_reused_ones(
    make_gateway: Any, gateway_token: str
) -> None:
    gw = make_gateway(profile="studio", seed=7, speed=0.0)
    async with GatewayClient(gw.url, GatewayAuth(token=gateway_token)) as client:
        first = await client.get_jobs()
        changed = first[0]
        await client.set_priority(changed.id, changed.priority + 3)
        again = await client.get_jobs()
        assert client._job_reuse.parsed == 1
        new = next(job for job in again if job.id == changed.id)
        same_show = next(job for job in again if job.id != changed.id and job.show == new.show)
        assert new is not changed and new.priority == changed.priority + 3
        assert new.show is same_show.show  # one string for the show, not a copy per parse


_names = st.text(alphabet=st.sampled_from('ab},{"id:\\ é'), max_size=12)
_jobs = st.lists(
    st.builds(
        lambda i, name, priority: _job(i, name=name, priority=priority), st.integers(0, 40), _names, st.integers(0, 3)
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(polls=st.lists(_jobs, min_size=1, max_size=4), spaced=st.booleans())
async def test_any_sequence_of_answers_decodes_as_a_whole_parse(
    polls: list[list[dict[str, Any]]], spaced: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tiny slices: the scan stops for the event loop between almost every two elements.
    monkeypatch.setattr(reuse_module, "SCAN_SLICE_BYTES", 7)
    reuse = ListReuse("jobs", Job.from_json)
    before: dict[bytes, Job] = {}
    for jobs in polls:
        content = _body(jobs, spaced=spaced)
        models = await reuse.decode(content)
        assert models == _whole(content)
        assert models is not None
        assert len(reuse.fresh) == reuse.parsed <= len(models)
        for job, model in zip(jobs, models, strict=True):
            # an element whose bytes were in the last answer is its very model
            key = orjson.dumps(job)
            if key in before:
                assert model is before[key]
        before = {orjson.dumps(job): model for job, model in zip(jobs, models, strict=True)}
