"""Which job does the user mean? `JOB` on the command line is a job id, an exact name, or a substring.

Order: an exact id, else an exact name (Cuebot lower-cases job names, so case is ignored), else a
substring of the name; finished jobs are searched too, so a job that ended is still found. A substring
that matches several jobs is ambiguous: the command stops (exit 2) and lists the candidates rather than
guessing, because the next step may be a kill.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from cuetui.gateway.models import Job

if TYPE_CHECKING:
    from cuetui.gateway.client import GatewayClient

_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
MAX_CANDIDATES_SHOWN = 10


class JobMatchError(Exception):
    """No job, or more than one, matches what the user typed; `str()` is the one-line message."""

    def __init__(self, message: str, query: str, candidates: Sequence[Job] = ()) -> None:
        super().__init__(message)
        self.query = query
        self.candidates = tuple(candidates)


class JobNotFound(JobMatchError):
    """No job matches."""


class AmbiguousJob(JobMatchError):
    """Several jobs match a substring."""

    def candidate_lines(self) -> list[str]:
        """One line per candidate (name, state, id), at most MAX_CANDIDATES_SHOWN plus a count of the rest."""
        from cuetui.farm.text import safe

        lines = [
            f"  {safe(job.name)}  {job.state}{' (paused)' if job.is_paused else ''}  {job.id}"
            for job in self.candidates[:MAX_CANDIDATES_SHOWN]
        ]
        if len(self.candidates) > MAX_CANDIDATES_SHOWN:
            lines.append(f"  … and {len(self.candidates) - MAX_CANDIDATES_SHOWN} more")
        return lines


def looks_like_id(text: str) -> bool:
    """True for a bare UUID, the shape of every OpenCue id."""
    return bool(_UUID.match(text.strip()))


def match_job(query: str, jobs: Sequence[Job]) -> Job:
    """The one job of `jobs` that `query` names: exact id, else exact name, else unique substring.

    Raises JobNotFound or AmbiguousJob (with the candidates). Pure: no gateway call.
    """
    text = query.strip()
    if not text:
        raise JobNotFound("no job given", query)
    for job in jobs:
        if job.id == text:
            return job
    folded = text.lower()
    exact = _unique_by_id(job for job in jobs if job.name.lower() == folded)
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:  # two jobs with the same name (one finished, one re-launched): let the user pick by id
        raise AmbiguousJob(f"{len(exact)} jobs are named {text!r}; give the job id", query, exact)
    partial = _unique_by_id(job for job in jobs if folded in job.name.lower())
    if len(partial) == 1:
        return partial[0]
    if len(partial) > 1:
        partial.sort(key=lambda job: (job.is_finished, job.name))
        raise AmbiguousJob(f"{len(partial)} jobs match {text!r}; be more specific or give the job id", query, partial)
    raise JobNotFound(f"no job matches {text!r} (searched pending and finished jobs)", query)


def _unique_by_id(jobs: object) -> list[Job]:
    seen: set[str] = set()
    out: list[Job] = []
    for job in jobs:  # type: ignore[attr-defined]
        if job.id not in seen:
            seen.add(job.id)
            out.append(job)
    return out


async def resolve_job(client: GatewayClient, query: str) -> Job:
    """Find the job `query` names on the farm, in as few and as narrow calls as possible.

    An id is looked up with GetJob; a name with GetJobs `jobs` (exact, finished included); else GetJobs
    `substr` (finished included). Cuebot's substring match is case-sensitive, so a query with capitals
    is also tried lower-cased (job names are lower case).
    """
    from cuetui.gateway.errors import NotFound
    from cuetui.gateway.requests import JobSearch

    text = query.strip()
    if not text:
        raise JobNotFound("no job given", query)
    if looks_like_id(text):
        try:
            return await client.get_job(text)
        except NotFound:
            pass
    exact = await client.get_jobs(JobSearch(jobs=_variants(text), include_finished=True))
    if exact:
        return match_job(text, exact)
    found: list[Job] = []
    for variant in _variants(text):
        found.extend(await client.get_jobs(JobSearch(substr=[variant], include_finished=True)))
    return match_job(text, found)


async def resolve_jobs(client: GatewayClient, queries: Sequence[str]) -> list[Job]:
    """resolve_job for each query, in order, each job once."""
    jobs: list[Job] = []
    for query in queries:
        job = await resolve_job(client, query)
        if all(job.id != j.id for j in jobs):
            jobs.append(job)
    return jobs


def _variants(text: str) -> list[str]:
    lower = text.lower()
    return [text] if lower == text else [text, lower]
