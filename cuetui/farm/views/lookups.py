"""One-off reads a screen or command needs on the way somewhere else: a job by name (`:job NAME`, a
proc's job), a job by id (a job that left a list), a frame by id or by name, and where a running frame
writes its log (the frame-log screen and `cuetui log`)."""

from __future__ import annotations

from cuetui.gateway.client import GatewayClient
from cuetui.gateway.errors import GatewayError
from cuetui.gateway.models import Frame, Job, Layer
from cuetui.gateway.requests import FrameSearch, ProcSearch


class FarmLookups:
    """Single reads by name or id; each raises the gateway's errors (NotFound, Unreachable, …) except
    `proc_log_path`, which answers None when the gateway cannot say."""

    def __init__(self, client: GatewayClient) -> None:
        self.client = client

    async def find_job(self, name: str) -> Job:
        """The pending job called exactly `name`."""
        return await self.client.find_job(name)

    async def job(self, job_id: str) -> Job:
        """A job by id, finished or not."""
        return await self.client.get_job(job_id)

    async def frame(self, frame_id: str) -> Frame:
        """A frame as it is now."""
        return await self.client.get_frame(frame_id)

    async def layer_named(self, job: Job, name: str) -> Layer | None:
        """The layer of `job` called `name`, None when there is none."""
        return next((layer for layer in await self.client.get_layers(job.id) if layer.name == name), None)

    async def frame_named(self, job: Job, name: str) -> Frame | None:
        """The frame of `job` called `name` (`0042-render`), None when there is none."""
        frames = await self.client.get_frames(job.id, FrameSearch(frames=[name]), page=1, limit=1)
        return frames[0] if frames else None

    async def proc_log_path(self, job: Job, frame: Frame) -> str | None:
        """Where the proc running `frame` writes its log (RQD's `logPath`), None when no proc of the job
        runs it or the gateway cannot be asked."""
        try:
            procs = await self.client.get_procs(ProcSearch(jobs=[job.name]))
        except GatewayError:
            return None
        return next((p.log_path for p in procs if p.frame_name == frame.name and p.log_path), None)
