"""JOB on the command line: exact id, exact name, unique substring; ambiguity lists candidates."""

from __future__ import annotations

import pytest

from cuetui.farm.jobmatch import AmbiguousJob, JobNotFound, looks_like_id, match_job

from .helpers import job

A = job("testing-sh010-jdoe_lighting_v001", "00000000-0000-4000-8000-000000000001", state="FINISHED")
B = job("testing-sh010-jdoe_lighting_v002", "00000000-0000-4000-8000-000000000002")
C = job("testing-sh020-ann_comp_v001", "00000000-0000-4000-8000-000000000003")
JOBS = [A, B, C]


def test_exact_id_and_name_win() -> None:
    assert match_job("00000000-0000-4000-8000-000000000002", JOBS) is B
    assert match_job("testing-sh010-jdoe_lighting_v001", JOBS) is A
    assert match_job("TESTING-SH010-JDOE_LIGHTING_V001", JOBS) is A  # Cuebot names are lower case


def test_unique_substring_including_finished() -> None:
    assert match_job("comp", JOBS) is C
    assert match_job("lighting_v001", JOBS) is A  # finished jobs count


def test_ambiguous_lists_candidates() -> None:
    with pytest.raises(AmbiguousJob) as exc:
        match_job("lighting", JOBS)
    assert {j.id for j in exc.value.candidates} == {A.id, B.id}
    lines = exc.value.candidate_lines()
    assert len(lines) == 2 and any("FINISHED" in line for line in lines)


def test_not_found_and_empty() -> None:
    with pytest.raises(JobNotFound):
        match_job("nope", JOBS)
    with pytest.raises(JobNotFound):
        match_job("  ", JOBS)


def test_looks_like_id() -> None:
    assert looks_like_id("0f8c2f4e-5a7b-4c1d-9e2f-3a4b5c6d7e8f")
    assert not looks_like_id("testing-sh010")
