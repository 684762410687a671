"""A job's comments, for the `C` dialog and `cuetui comments` (oldest first, as Cuebot keeps them)."""

from __future__ import annotations

from cuetui.farm.views import FarmClient
from cuetui.gateway.models import Comment


async def job_comments(client: FarmClient, job_id: str) -> list[Comment]:
    """GetComments of one job."""
    return await client.get_job_comments(job_id)


def my_name(client: FarmClient) -> str:
    """Who this client comments as (only one's own comments can be deleted)."""
    return client.requester.username
