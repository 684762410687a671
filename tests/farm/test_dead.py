"""Dead frames grouped by signature, exit status, host or none; the lazy, bounded, cached log reads."""

from __future__ import annotations

import asyncio

import pytest

from cuetui.farm.dead import NOT_READ, SignatureReader, cache_key, group_dead
from cuetui.farm.logs import LogUnreadable
from cuetui.farm.signatures import Signature
from cuetui.farm.triage import DeadFrame, collect_dead
from cuetui.gateway.models import Frame, Job

TEXTURE = "ERROR: failed to open texture '/tex/ground.{n:04d}.tx'"
OOM = "ERROR: killed by the OOM killer at {n} MB"


def make_dead(count: int, *, jobs: int = 3, hosts: int = 4) -> list[DeadFrame]:
    pairs = []
    for j in range(jobs):
        job = Job(id=f"job-{j}", name=f"show-sh{j:03d}-user_lighting_v001", log_dir=f"/logs/{j}")
        frames = [
            Frame(
                id=f"frame-{j}-{k}",
                name=f"{k:04d}-render",
                state="DEAD",
                retry_count=3,
                exit_status=137 if k % 4 == 0 else 1,
                start_time=1000 + k,
                stop_time=2000 + k * jobs + j,
                last_resource=f"render{(k + j) % hosts:02d}/4.00/0",
            )
            for k in range(j, count, jobs)
        ]
        pairs.append((job, frames))
    return collect_dead(pairs)


def fake_log(dead: DeadFrame) -> list[str]:
    number = dead.frame.stop_time
    error = OOM if dead.frame.exit_status == 137 else TEXTURE
    return ["=" * 60, "RenderQ JobSpec", "INFO starting", error.format(n=number), "exitStatus 1"]


class FakeLogs:
    """A read_tail that counts reads and how many run at once; `gate` holds reads after the first `free`."""

    def __init__(self, dead: list[DeadFrame], *, free: int | None = None) -> None:
        self.by_frame = {d.frame.id: d for d in dead}
        self.reads: list[str] = []
        self.running = 0
        self.most = 0
        self.free = free
        self.gate = asyncio.Event()

    async def __call__(self, job: Job, frame: Frame) -> list[str]:
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            self.reads.append(frame.id)
            if self.free is not None and len(self.reads) > self.free:
                await self.gate.wait()
            await asyncio.sleep(0)
            return fake_log(self.by_frame[frame.id])
        finally:
            self.running -= 1


def test_grouping_by_signature_exit_host_and_none() -> None:
    dead = make_dead(12)
    sigs = {
        cache_key(d): Signature("oom" if d.frame.exit_status == 137 else "texture", f"raw {d.frame.name}") for d in dead
    }
    groups = group_dead(dead, sigs, "signature")
    assert [(g.signature, g.count) for g in groups] == [("texture", 9), ("oom", 3)]
    texture = groups[0]
    assert texture.example == f"raw {texture.frames[0].frame.name}"  # the newest death's line
    assert [d.died_at for d in texture.frames] == sorted((d.died_at for d in texture.frames), reverse=True)
    assert len(texture.jobs) == 3 and texture.hosts == ("render00", "render01", "render02", "render03")
    assert texture.first_death == min(d.died_at for d in texture.frames)
    assert texture.last_death == max(d.died_at for d in texture.frames)
    assert [(g.signature, g.count) for g in group_dead(dead, sigs, "exit")] == [
        ("exit 1 failed", 9),
        ("exit 137 killed (OOM?)", 3),
    ]
    assert sum(g.count for g in group_dead(dead, sigs, "host")) == 12
    assert [g.count for g in group_dead(dead, sigs, "none")] == [12]
    doc = texture.to_json()
    assert set(doc) >= {"signature", "example", "count", "jobs", "hosts", "frames"}
    assert doc["frames"][0]["frame"] == texture.frames[0].frame.name
    with pytest.raises(ValueError):
        group_dead(dead, sigs, "colour")


def test_frames_not_read_yet_come_last() -> None:
    dead = make_dead(6)
    some = {cache_key(d): Signature("texture", "raw") for d in dead[:2]}
    groups = group_dead(dead, some, "signature")
    assert [(g.signature, g.count) for g in groups] == [("texture", 2), (NOT_READ, 4)]


async def test_reads_are_bounded_newest_first_and_cached_by_frame_and_attempt() -> None:
    dead = make_dead(60)
    logs = FakeLogs(dead)
    reader = SignatureReader(read_tail=logs, concurrency=4)
    signatures = await reader.read_all(dead)
    assert len(signatures) == 60 and reader.reads == 60
    assert logs.most <= 4
    # Newest deaths first: the first reads are the most recent deaths.
    newest = [d.frame.id for d in sorted(dead, key=lambda d: -d.died_at)]
    assert logs.reads[:4] == newest[:4]
    groups = group_dead(dead, signatures)
    assert [g.count for g in groups] == [45, 15]
    assert groups[0].signature == "ERROR: failed to open texture '/tex/ground.<frame>.tx'"
    # A re-poll reads nothing again; a frame that died again (its retry count grew) is read again.
    again = await reader.read_all(dead)
    assert reader.reads == 60 and again == signatures
    died_again = DeadFrame(dead[0].job, dead[0].frame._replace(retry_count=4))
    await reader.read_all([died_again, *dead[1:]])
    assert reader.reads == 61 and logs.reads[-1] == died_again.frame.id
    reader.forget_others([died_again, *dead[1:]])
    assert cache_key(dead[0]) not in reader.cache and len(reader.cache) == 60


async def test_progress_appears_before_all_logs_are_read() -> None:
    dead = make_dead(500)
    logs = FakeLogs(dead, free=5)
    reader = SignatureReader(read_tail=logs, concurrency=8)
    progress = reader.progress(dead)
    first = await asyncio.wait_for(anext(progress), timeout=10)
    # The first groups are there while most logs are still held back.
    assert 1 <= first.done < first.total == 500
    assert group_dead(dead, first.signatures)[-1].signature == NOT_READ
    logs.gate.set()
    last = first
    async for partial in progress:
        assert partial.done >= last.done
        last = partial
    assert last.finished and len(last.signatures) == 500


async def test_a_count_held_back_by_the_interval_is_shown_when_the_rest_are_slow() -> None:
    """Five logs read at once, the rest held: the progress says 5 within the interval, not 1 forever;
    a second pass (the screen polled again) says 5 at once from the cache."""
    dead = make_dead(50)
    logs = FakeLogs(dead, free=5)
    reader = SignatureReader(read_tail=logs, concurrency=8)
    progress = reader.progress(dead, every=0.05)
    seen = [await asyncio.wait_for(anext(progress), timeout=10)]
    while seen[-1].done < 5:
        seen.append(await asyncio.wait_for(anext(progress), timeout=10))
    assert seen[-1].done == 5 and not seen[-1].finished
    await progress.aclose()
    again = reader.progress(dead, every=0.05)
    first = await asyncio.wait_for(anext(again), timeout=10)
    assert first.done == 5
    await again.aclose()
    logs.gate.set()


async def test_an_unreadable_log_becomes_a_signature_and_never_raises() -> None:
    dead = make_dead(3)

    async def broken(job: Job, frame: Frame) -> list[str]:
        raise LogUnreadable(f"/logs/{frame.name}.rqlog", "no such file on this machine")

    reader = SignatureReader(read_tail=broken)
    signatures = await reader.read_all(dead)
    assert {s.text for s in signatures.values()} == {"log unreadable"}
    assert all("no such file" in s.raw for s in signatures.values())


async def test_the_default_reader_reads_the_rqd_path_through_log_path_map(tmp_path) -> None:  # type: ignore[no-untyped-def]
    dead = make_dead(3, jobs=1)
    for d in dead:
        path = tmp_path / "mnt" / "0" / f"{d.job.name}.{d.frame.name}.rqlog"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(fake_log(d)) + "\n")
    reader = SignatureReader(log_path_map=[("/logs/", f"{tmp_path}/mnt/")], patterns=[("texture", "image")])
    signatures = await reader.read_all(dead)
    texts = {s.text for s in signatures.values()}
    assert texts == {
        "ERROR: failed to open image '/tex/ground.<frame>.tx'",
        "ERROR: killed by the OOM killer at <n> MB",
    }
    await reader.aclose()


async def test_the_cache_is_bounded_oldest_first() -> None:
    dead = make_dead(30, jobs=1)
    reader = SignatureReader(read_tail=FakeLogs(dead), max_cached=10, concurrency=1)
    signatures = await reader.read_all(dead)
    assert len(signatures) == 30  # this pass's results are all there, whatever the cache kept
    newest_first = sorted(dead, key=lambda d: -d.died_at)
    assert len(reader.cache) == 10 and set(reader.cache) == {cache_key(d) for d in newest_first[-10:]}


async def test_the_causes_of_new_deaths_read_only_the_newest_and_skip_huge_dead_lists() -> None:
    from cuetui.farm.alerts import NEW_DEAD, Alert
    from cuetui.farm.dead import new_dead_causes
    from cuetui.gateway.models import JobStats

    dead = make_dead(12, jobs=2)
    by_job: dict[str, list[Frame]] = {}
    for d in dead:
        by_job.setdefault(d.job.id, []).append(d.frame)
    jobs = {d.job.id: d.job._replace(job_stats=JobStats(dead_frames=len(by_job[d.job.id]))) for d in dead}
    asked: list[str] = []

    class Client:
        async def get_all_frames(self, job_id: str, search: object, *, expected: int | None = None) -> list[Frame]:
            asked.append(job_id)
            return by_job[job_id]

    logs = FakeLogs(dead)
    reader = SignatureReader(read_tail=logs)
    alerts = [Alert(NEW_DEAD, jobs["job-0"], 2), Alert(NEW_DEAD, jobs["job-1"], 1)]
    causes = await new_dead_causes(Client(), alerts, reader)  # type: ignore[arg-type]
    assert sum(n for _, n in causes) == 3 and len(logs.reads) == 3
    newest = {d.frame.id for d in dead if d.job.id == "job-0"}
    assert len(newest & set(logs.reads)) == 2
    # A job whose dead list is too long to fetch for an alert is left out of the causes.
    asked.clear()
    limited = await new_dead_causes(Client(), alerts, reader, max_fetched=6)
    assert asked == ["job-0"] and sum(n for _, n in limited) == 2


async def test_two_readers_of_the_same_logs_at_once_read_each_log_once() -> None:
    # Triage and a new-dead alert share one reader: reading the same frames at the same time, each log
    # is read once, and both get every signature.
    dead = make_dead(20)
    logs = FakeLogs(dead, free=0)
    reader = SignatureReader(read_tail=logs, concurrency=4)
    triage = asyncio.ensure_future(reader.read_all(dead))
    alert = asyncio.ensure_future(reader.read_all(dead[:6]))
    for _ in range(5):
        await asyncio.sleep(0)
    logs.gate.set()
    everything, some = await asyncio.gather(triage, alert)
    assert len(everything) == 20 and len(some) == 6
    assert sorted(logs.reads) == sorted(d.frame.id for d in dead) and reader.reads == 20


async def test_a_read_given_up_by_its_only_caller_stops() -> None:
    dead = make_dead(1)
    logs = FakeLogs(dead, free=0)
    reader = SignatureReader(read_tail=logs)
    waiting = asyncio.ensure_future(reader.read_one(dead[0]))
    for _ in range(3):
        await asyncio.sleep(0)
    waiting.cancel()
    for _ in range(3):
        await asyncio.sleep(0)
    assert logs.running == 0 and not reader.cache  # the read was cancelled, nothing half-cached
