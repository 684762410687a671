"""A GetFrames server that is never the bottleneck: every page of one job pre-rendered and held in memory.

`python -m bench.page_server PORT PROFILE` builds the demo farm (seeded, frozen, no log files), renders
the biggest job's frames the way the demo gateway does (Go protojson's shape) and answers
`POST /job.JobInterface/GetFrames` from a dict of page bytes, so a client's figures are its own.
Pages are rendered on first request for each (page, limit), which the benchmark's warm-up does.
It prints `READY <job id> <frames>` once it listens.
"""

from __future__ import annotations

import sys
from typing import Any

import orjson
from aiohttp import web

from cuetui.demo.profiles import build_farm
from cuetui.demo.serialize import frame_json
from cuetui.demo.wire import dumps


def main(port: int, profile: str) -> None:
    farm = build_farm(profile, seed=7, speed=0.0, write_logs=False)
    job = max(farm.jobs, key=lambda j: j.total)
    now = int(farm.now())
    frames = [frame_json(farm, job, i, now) for i in range(job.total)]
    pages: dict[tuple[int, int], bytes] = {}

    async def get_frames(request: web.Request) -> web.Response:
        body: Any = orjson.loads(await request.read() or b"{}")
        req = body.get("req") or {}
        page, limit = int(req.get("page") or 1), int(req.get("limit") or 0)
        key = (page, limit)
        content = pages.get(key)
        if content is None:
            start = (page - 1) * limit
            content = pages[key] = dumps({"frames": {"frames": frames[start : start + limit]}})
        return web.Response(body=content, content_type="application/json")

    app = web.Application()
    app.router.add_post("/job.JobInterface/GetFrames", get_frames)
    print(f"READY {job.id} {job.total}", flush=True)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
