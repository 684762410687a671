"""Frame paging costs O(page): a page far into a big job reads only its own rows of the paging order."""

from __future__ import annotations

from typing import Any

from cuetui.demo import queries
from cuetui.demo.server import build


class CountingOrder(list[int]):
    """A paging order that counts the rows read from it."""

    def __init__(self, items: Any) -> None:
        super().__init__(items)
        self.read = 0

    def __iter__(self) -> Any:
        for item in super().__iter__():
            self.read += 1
            yield item

    def __getitem__(self, key: Any) -> Any:
        got = super().__getitem__(key)
        self.read += len(got) if isinstance(key, slice) else 1
        return got


def _big_job(tmp_path: Any) -> tuple[Any, Any]:
    farm = build("small", 7, 0.0, log_root=tmp_path)
    job = max(farm.jobs, key=lambda j: j.total)
    return farm, job


def test_a_page_reads_its_rows_only(tmp_path: Any) -> None:
    farm, job = _big_job(tmp_path)
    expected = list(job.order())
    limit = 10
    page = job.total // limit  # the last full page
    counting = CountingOrder(expected)
    job._order = counting  # the job's own paging order, counted
    got = queries.frame_page(farm, job, {"page": page, "limit": limit})
    assert got == expected[(page - 1) * limit : page * limit]
    assert counting.read == limit, f"read {counting.read} rows for a page of {limit} (of {job.total})"


def test_a_layer_page_reads_its_rows_only_after_the_first(tmp_path: Any) -> None:
    farm, job = _big_job(tmp_path)
    layer = job.layers[-1]
    expected = [i for i in job.order() if job.f_layer[i] == layer.index]
    counting = CountingOrder(job.order())
    job._order = counting
    req = {"page": 2, "limit": 3, "layers": [layer.name]}
    assert queries.frame_page(farm, job, req) == expected[3:6]
    counting.read = 0
    assert queries.frame_page(farm, job, {**req, "page": 3}) == expected[6:9]
    assert counting.read == 0  # the layer's order is kept until the paging order changes


def test_filtered_pages_still_match_frame_by_frame(tmp_path: Any) -> None:
    farm, job = _big_job(tmp_path)
    states = {"frame_states": [job.f_state[0]]}
    want = [i for i in job.order() if job.f_state[i] == job.f_state[0]][2:4]
    assert queries.frame_page(farm, job, {"page": 2, "limit": 2, "states": states}) == want
