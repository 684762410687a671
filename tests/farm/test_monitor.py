"""The monitor's pure logic: change detection, dead frames, rate and ETA, when to stop, exit status."""

from __future__ import annotations

import json

import pytest

from cuetui.farm.format import iso_utc
from cuetui.farm.monitor import (
    DeadFrameEvent,
    Monitor,
    Progress,
    ProgressEvent,
    json_event,
    line_time,
    plain_line,
    poll,
)
from tests.commands.helpers import frame, job

T0 = 1795600000.0  # 2026-11-24T...


def running(**kw: int) -> dict[str, int]:
    base = dict(total_frames=100, succeeded_frames=45, running_frames=12, dead_frames=0, waiting_frames=43)
    base.update(kw)
    return base


def test_progress_event_only_on_change() -> None:
    j = job(**running())
    m = Monitor([j])
    first = m.observe_job(j, T0)
    assert len(first) == 1 and isinstance(first[0], ProgressEvent)
    assert m.observe_job(j, T0 + 5) == []
    changed = m.observe_job(job(**running(succeeded_frames=46, waiting_frames=42)), T0 + 10)
    assert len(changed) == 1 and changed[0].progress.succeeded == 46


def test_plain_line_format_and_no_escapes() -> None:
    j = job(name="evil\x1b[2Jname", **running(dead_frames=3, waiting_frames=40))
    m = Monitor([j])
    (event,) = m.observe_job(j, T0)
    line = plain_line(event)
    assert line.startswith("2026-") and "Z job=evilname state=PENDING done=45/100 (45%) running=12 dead=3" in line
    assert line.endswith("eta=?")
    assert "\x1b" not in line


def test_rate_and_eta_from_completed_frames() -> None:
    m = Monitor([job(**running())])
    m.observe_job(job(**running()), T0)
    (event,) = m.observe_job(job(**running(succeeded_frames=55, waiting_frames=33)), T0 + 60)
    assert event.rate_per_min == 10.0
    assert event.eta is not None and round(event.eta) == 45 * 6  # 45 frames left at 10/min
    assert "eta=00:04:30" in plain_line(event) and "rate=10.0/min" in plain_line(event)


def test_retries_reset_the_rate() -> None:
    m = Monitor([job(**running())])
    m.observe_job(job(**running()), T0)
    m.observe_job(job(**running(succeeded_frames=40, waiting_frames=48)), T0 + 60)
    assert m.watches[job().id].rate_per_min() is None


def test_clean_finish_exits_zero() -> None:
    m = Monitor([job(**running())])
    m.observe_job(job(**running()), T0)
    assert not m.finished
    m.observe_job(job(state="FINISHED", total_frames=100, succeeded_frames=100), T0 + 5)
    assert m.finished and m.exit_status() == 0


def test_dead_frames_end_a_pending_job_with_exit_one() -> None:
    # OpenCue leaves a job with dead frames PENDING: nothing left to run means it has ended.
    m = Monitor([job(**running())])
    m.observe_job(job(total_frames=100, succeeded_frames=97, dead_frames=3), T0)
    assert m.finished and m.exit_status() == 1
    assert "1 of 1 job" in m.summary()


def test_paused_job_with_waiting_frames_has_not_ended() -> None:
    m = Monitor([job()])
    m.observe_job(job(total_frames=10, succeeded_frames=5, waiting_frames=5, paused=True), T0)
    assert not m.finished


def test_new_dead_frames_once_each_and_again_after_retry() -> None:
    j = job(**running(dead_frames=1, failed_frame_count=1))
    m = Monitor([j])
    m.observe_job(j, T0)
    assert m.wants_dead_frames(j.id)
    events = m.observe_dead_frames(j.id, [frame("0007-render", "f7", exit_status=1, retry_count=3)], T0)
    assert len(events) == 1 and isinstance(events[0], DeadFrameEvent)
    line = plain_line(events[0])
    assert "frame=0007-render state=DEAD exit=1 host=render03 retries=3" in line
    assert not m.wants_dead_frames(j.id)
    assert m.observe_dead_frames(j.id, [frame("0007-render", "f7", exit_status=1, retry_count=3)], T0) == []
    # retried by someone and dead again: the failed counter grew, so the monitor looks and reports it again
    j2 = job(**running(dead_frames=1, failed_frame_count=2))
    m.observe_job(j2, T0 + 5)
    assert m.wants_dead_frames(j.id)
    again = m.observe_dead_frames(j.id, [frame("0007-render", "f7", exit_status=137, retry_count=4)], T0 + 5)
    assert len(again) == 1


def test_until_dead_stops_at_first_dead_frame() -> None:
    j = job(**running())
    m = Monitor([j], until_dead=True)
    m.observe_job(j, T0)
    assert not m.finished
    m.observe_job(job(**running(dead_frames=1, waiting_frames=42)), T0 + 5)
    assert m.wants_dead_frames(j.id)
    m.observe_dead_frames(j.id, [frame("0007-render", "f7")], T0 + 5)
    assert m.finished and m.exit_status() == 1


def test_until_dead_waits_for_a_new_dead_frame_not_those_dead_at_the_start() -> None:
    j = job(**running(dead_frames=2, failed_frame_count=2))
    m = Monitor([j], until_dead=True)
    m.observe_job(j, T0)
    old = [frame("0001-render", "f1", stop_time=int(T0 - 3600)), frame("0002-render", "f2", stop_time=int(T0 - 60))]
    assert len(m.observe_dead_frames(j.id, old, T0)) == 2  # still reported, one line each
    assert not m.finished
    later = job(**running(dead_frames=3, failed_frame_count=3))
    m.observe_job(later, T0 + 5)
    assert not m.finished
    (new,) = m.observe_dead_frames(j.id, [*old, frame("0003-render", "f3", stop_time=int(T0 + 4))], T0 + 5)
    assert new.frame.name == "0003-render" and m.finished and m.exit_status() == 1


def test_until_dead_counts_an_old_dead_frame_retried_and_dead_again() -> None:
    j = job(**running(dead_frames=1, failed_frame_count=1))
    m = Monitor([j], until_dead=True)
    m.observe_job(j, T0)
    m.observe_dead_frames(j.id, [frame("0001-render", "f1", retry_count=1)], T0)
    assert not m.finished
    m.observe_job(job(**running(dead_frames=1, failed_frame_count=2)), T0 + 5)
    m.observe_dead_frames(j.id, [frame("0001-render", "f1", retry_count=2)], T0 + 5)
    assert m.finished


def test_until_dead_include_existing_stops_at_once() -> None:
    j = job(**running(dead_frames=2))
    m = Monitor([j], until_dead=True, include_existing=True)
    m.observe_job(j, T0)
    assert m.finished and m.exit_status() == 1


def test_plain_lines_never_go_back_in_time() -> None:
    import io

    from cuetui.commands.monitor import PlainSink

    j = job(**running(dead_frames=1))
    out = io.StringIO()
    sink = PlainSink(out, io.StringIO())
    sink.emit(ProgressEvent(T0 + 10, j, Progress.of(j), None, None, None))
    late = DeadFrameEvent(T0 + 20, j, frame(stop_time=int(T0 - 100)))  # found dead after a later line
    sink.emit(late)
    sink.emit(ProgressEvent(T0 + 5, j, Progress.of(j), None, None, None))  # the clock stepped back
    sink.end(T0 + 1, 1, "done")
    stamps = [line.split(" ", 1)[0] for line in out.getvalue().splitlines()]
    assert stamps == sorted(stamps) and stamps[0] == iso_utc(T0 + 10)
    assert out.getvalue().splitlines()[1].endswith(f"retries=0 died={iso_utc(T0 - 100)}")
    assert "died=" not in plain_line(late)  # alone, a dead frame's line is stamped with its death


async def test_poll_puts_frames_that_died_earlier_before_its_progress_lines() -> None:
    class Client:
        async def get_jobs(self, search: object) -> list[object]:
            return [j]

        async def get_all_frames(self, job_id: str, search: object, expected: int = 0) -> list[object]:
            return [
                frame("0002-render", "f2", stop_time=int(T0 - 50)),
                frame("0001-render", "f1", stop_time=int(T0 - 90)),
            ]

    j = job(**running(dead_frames=2))
    events = await poll(Client(), Monitor([j]), T0)  # type: ignore[arg-type]
    assert [type(e).__name__ for e in events] == ["DeadFrameEvent", "DeadFrameEvent", "ProgressEvent"]
    assert [line_time(e) for e in events] == sorted(line_time(e) for e in events)


def test_already_finished_job_is_reported_at_once() -> None:
    m = Monitor([job(state="FINISHED", total_frames=4, succeeded_frames=4)])
    events = m.observe_job(job(state="FINISHED", total_frames=4, succeeded_frames=4), T0)
    assert events and m.finished and m.exit_status() == 0
    assert "state=FINISHED done=4/4 (100%)" in plain_line(events[0]) and "eta=00:00:00" in plain_line(events[0])


def test_missing_job_stops_polling_it() -> None:
    j = job(**running())
    m = Monitor([j])
    m.observe_missing(j.id)
    assert m.finished and m.active_ids() == []


def test_json_events_parse() -> None:
    j = job(**running(dead_frames=1))
    m = Monitor([j])
    (progress,) = m.observe_job(j, T0)
    (dead,) = m.observe_dead_frames(j.id, [frame()], T0)
    p = json.loads(json.dumps(json_event(progress)))
    d = json.loads(json.dumps(json_event(dead)))
    assert p["event"] == "progress" and p["succeeded"] == 45 and p["total"] == 100 and p["eta_seconds"] is None
    assert d["event"] == "dead_frame" and d["frame"] == "0007-render" and d["host"] == "render03"


def test_dead_frame_lines_carry_the_time_of_death_not_the_poll_time() -> None:
    j = job(**running(dead_frames=2, failed_frame_count=2))
    m = Monitor([j])
    m.observe_job(j, T0)
    died_early, died_late = int(T0) - 3600, int(T0) - 60  # found by a poll an hour and a minute later
    events = m.observe_dead_frames(
        j.id,
        [frame("0009-render", "f9", stop_time=died_late), frame("0007-render", "f7", stop_time=died_early)],
        T0,
    )
    assert [e.frame.name for e in events if isinstance(e, DeadFrameEvent)] == ["0007-render", "0009-render"]
    first, second = (e for e in events if isinstance(e, DeadFrameEvent))
    assert first.died_at == died_early and first.time == T0
    assert plain_line(first).startswith(iso_utc(died_early) + " job=")
    assert plain_line(second).startswith(iso_utc(died_late) + " job=")
    d = json.loads(json.dumps(json_event(first)))
    assert d["time"] == iso_utc(died_early) and d["epoch"] == died_early and d["stop_time"] == died_early
    assert d["seen"] == iso_utc(T0)
    # Cuebot did not set a stop time: the poll's time is the best there is.
    (unknown,) = Monitor([j]).observe_dead_frames(j.id, [frame("0011-render", "f11")], T0)
    assert isinstance(unknown, DeadFrameEvent) and unknown.died_at == T0
    assert plain_line(unknown).startswith(iso_utc(T0)) and json_event(unknown)["epoch"] == T0


async def test_a_poll_failing_half_way_loses_no_event() -> None:
    from cuetui.farm.monitor import poll
    from cuetui.gateway.errors import ServerError

    j = job(**running(dead_frames=1, failed_frame_count=1))

    class Client:
        fail = True

        async def get_jobs(self, search: object) -> list[object]:
            return [j]

        async def get_all_frames(self, job_id: str, search: object, expected: int | None = None) -> list[object]:
            if self.fail:
                self.fail = False
                raise ServerError("GetFrames: boom (HTTP 500)", "http://gw", status=500)
            return [frame()]

    m = Monitor([j])
    client = Client()
    with pytest.raises(ServerError):
        await poll(client, m, T0)  # type: ignore[arg-type]
    events = await poll(client, m, T0 + 1)  # type: ignore[arg-type]
    assert [type(e).__name__ for e in events] == ["ProgressEvent", "DeadFrameEvent"]
