"""`cuetui capture --out FILE [--shows S...]`: snapshot a live farm as a scenario file, so a problem seen
on a real farm can be replayed on the simulated one (`cuetui demo-gateway --scenario FILE`).

The format (README "Scenario files")::

    {"shows": [Show…],
     "jobs":  [{"job": Job, "layers": [Layer…], "frames": [Frame…], "logs": {"<frame name>": "text"}}…],
     "hosts": [{"host": Host, "procs": [Proc…]}…]}

Every inner object is kept exactly as the gateway sent it (camelCase, int64 as strings, enums by name):
the raw JSON of the responses, never re-encoded from models, so nothing is lost or normalised. Logs are
read where this machine can read them (`<logDir>/<job>.<frame>.rqlog`, through `log_path_map`), the last
`--max-log-kb` of each; unreadable logs are simply left out. Hosts are all hosts; procs are those of the
captured shows (one ProcInterface/GetProcs call).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cuetui.commands import _common
from cuetui.commands.parser import nonblank

if TYPE_CHECKING:
    from cuetui.config import Settings
    from cuetui.gateway.client import GatewayClient

PAGE_SIZE = 1000
JOB_CONCURRENCY = 4
DEFAULT_MAX_LOG_KB = 256


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `cuetui capture`."""
    p = sub.add_parser(
        "capture",
        help="save the farm as a scenario file for the simulated gateway",
        description="Write the farm's shows, jobs (with layers, frames and readable logs) and hosts (with "
        "procs) as a scenario file, each object exactly as the gateway sent it. Replay it with "
        "`cuetui demo-gateway --scenario FILE`.",
    )
    p.add_argument("--out", required=True, metavar="FILE", help="where to write the scenario ('-' for stdout)")
    p.add_argument("--shows", nargs="+", type=nonblank, metavar="SHOW", help="only these shows (default: all)")
    p.add_argument("--finished", action="store_true", help="include finished jobs")
    p.add_argument("--no-logs", action="store_true", help="do not read frame logs")
    p.add_argument(
        "--max-log-kb",
        type=int,
        default=DEFAULT_MAX_LOG_KB,
        metavar="KB",
        help=f"keep at most the last KB of each log (default {DEFAULT_MAX_LOG_KB})",
    )
    p.set_defaults(func=cmd_capture)
    from cuetui.commands._common import add_examples

    add_examples(
        sub,
        {
            "capture": (
                "cuetui capture --out farm.json.gz               a snapshot to attach to a bug report",
                "cuetui capture --out bigbuck.json.gz --shows bigbuck --no-logs",
            ),
        },
    )


async def _frames(client: GatewayClient, job_id: str) -> list[dict[str, Any]]:
    """Every frame of a job as raw JSON, paging until a short page, each frame once."""
    from cuetui.gateway import requests as rq
    from cuetui.gateway.models import unwrap_seq

    frames: list[dict[str, Any]] = []
    seen: set[str] = set()
    page = 1
    while True:
        data = await client.call(rq.get_frames(job_id, rq.FrameSearch(), page, PAGE_SIZE))
        batch = unwrap_seq(data, "frames") or []
        for frame in batch:
            key = frame.get("id") if isinstance(frame, dict) else None
            if key is None or key not in seen:
                if key is not None:
                    seen.add(key)
                frames.append(frame)
        if len(batch) < PAGE_SIZE:
            return frames
        page += 1


def _read_tail(path: str, max_bytes: int) -> str | None:
    """The last `max_bytes` of a file as text (invalid UTF-8 replaced), or None when unreadable."""
    try:
        with open(path, "rb") as f:
            size = f.seek(0, os.SEEK_END)
            start = max(0, size - max_bytes)
            f.seek(start)
            data = f.read(max_bytes)
    except OSError:
        return None
    if start:
        newline = data.find(b"\n")
        data = b"[... cut by cuetui capture ...]\n" + (data[newline + 1 :] if newline >= 0 else data)
    return data.decode("utf-8", errors="replace")


def _logs(job: dict[str, Any], frames: list[dict[str, Any]], settings: Settings, max_bytes: int) -> dict[str, str]:
    from cuetui.config import map_log_path

    log_dir = job.get("logDir") or job.get("log_dir") or ""
    name = job.get("name") or ""
    if not log_dir or not name:
        return {}
    logs: dict[str, str] = {}
    for frame in frames:
        frame_name = frame.get("name")
        if not isinstance(frame_name, str) or not frame.get("startTime", frame.get("start_time")):
            continue  # never started: no log
        path = map_log_path(os.path.join(log_dir, f"{name}.{frame_name}.rqlog"), settings.log_path_map)
        text = _read_tail(path, max_bytes)
        if text is not None:
            logs[frame_name] = text
    return logs


async def capture(
    client: GatewayClient,
    settings: Settings,
    shows: list[str] | None,
    *,
    finished: bool = False,
    logs: bool = True,
    max_log_bytes: int = DEFAULT_MAX_LOG_KB * 1024,
) -> dict[str, Any]:
    """The scenario document for the farm behind `client` (raw gateway JSON inside)."""
    from cuetui.gateway import requests as rq
    from cuetui.gateway.errors import RefusedRequest
    from cuetui.gateway.models import unwrap_seq

    all_shows = [s for s in unwrap_seq(await client.call(rq.get_shows()), "shows") or [] if isinstance(s, dict)]
    if shows:
        known = {s.get("name") for s in all_shows}
        missing = [name for name in shows if name not in known]
        if missing:
            raise RefusedRequest(f"no show named {', '.join(repr(m) for m in missing)} on this farm")
        all_shows = [s for s in all_shows if s.get("name") in shows]
    names = [str(s.get("name")) for s in all_shows]
    search = rq.JobSearch(shows=names, include_finished=finished)
    jobs = [j for j in unwrap_seq(await client.call(rq.get_jobs(search)), "jobs") or [] if isinstance(j, dict)]

    limit = asyncio.Semaphore(JOB_CONCURRENCY)

    async def one(job: dict[str, Any]) -> dict[str, Any]:
        async with limit:
            job_id = str(job.get("id", ""))
            layers = unwrap_seq(await client.call(rq.get_layers(job_id)), "layers") or []
            frames = await _frames(client, job_id)
        entry: dict[str, Any] = {"job": job, "layers": layers, "frames": frames}
        if logs:
            entry["logs"] = await asyncio.to_thread(_logs, job, frames, settings, max_log_bytes)
        return entry

    entries = await asyncio.gather(*(one(job) for job in jobs)) if names else []
    host_data = await client.call(rq.get_hosts(rq.HostSearch()))
    hosts = [h for h in unwrap_seq(host_data, "hosts") or [] if isinstance(h, dict)]
    procs: list[Any] = []
    if names:
        procs = unwrap_seq(await client.call(rq.get_procs(rq.ProcSearch(shows=names))), "procs") or []
    by_host: dict[str, list[dict[str, Any]]] = {}
    for proc in procs:
        if isinstance(proc, dict):
            by_host.setdefault(str(proc.get("name", "")).split("/", 1)[0], []).append(proc)
    return {
        "shows": all_shows,
        "jobs": list(entries),
        "hosts": [{"host": host, "procs": by_host.get(str(host.get("name", "")), [])} for host in hosts],
    }


def _write(path: str, document: dict[str, Any]) -> None:
    """Write the scenario atomically (a half-written file never replaces a good one)."""
    import orjson

    data = orjson.dumps(document)
    if path == "-":
        sys.stdout.buffer.write(data + b"\n")
        sys.stdout.flush()
        return
    target = Path(path).expanduser()
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data + b"\n")
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def cmd_capture(args: argparse.Namespace) -> int:
    """`cuetui capture --out FILE`."""
    if args.max_log_kb < 0:
        _common.err(args, "--max-log-kb must be 0 or more")
        return 2

    async def body(settings: Settings, client: GatewayClient) -> int:
        document = await capture(
            client,
            settings,
            args.shows,
            finished=args.finished,
            logs=not args.no_logs,
            max_log_bytes=args.max_log_kb * 1024,
        )
        try:
            _write(args.out, document)
        except OSError as exc:
            _common.err(args, f"cannot write {args.out}: {exc.strerror or exc}")
            return 1
        jobs = document["jobs"]
        frames = sum(len(e["frames"]) for e in jobs)
        logs = sum(len(e.get("logs", {})) for e in jobs)
        procs = sum(len(h["procs"]) for h in document["hosts"])
        where = "stdout" if args.out == "-" else args.out
        print(
            f"captured {len(document['shows'])} shows, {len(jobs)} jobs ({frames} frames, {logs} logs), "
            f"{len(document['hosts'])} hosts ({procs} procs) to {where}",
            file=sys.stderr,
        )
        return 0

    return _common.run(args, body)
