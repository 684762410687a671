"""Reads that survive a passing fault: a Get*/Find* call that met a 500, a proxy's HTML page, a truncated
answer or a dropped connection is sent again after a short pause. Actions are never resent: one may have
been done although its answer was lost.

Used by the non-interactive commands and `cuetui monitor`, where one bad answer should cost a fraction of
a second rather than a failed script or a back-off step.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cuetui.gateway.client import GatewayClient

# A read that hit a passing fault (a 500, a proxy's HTML page, a dropped connection) is tried again
# after these pauses; an action is never resent automatically (it may have been done).
READ_RETRY_DELAYS = (0.3, 1.0)
READ_METHOD_PREFIXES = ("Get", "Find")


def retry_reads(client: GatewayClient, delays: tuple[float, ...] = READ_RETRY_DELAYS) -> None:
    """Make `client` try read calls (Get*/Find*) again on transient failures, a few times."""
    from cuetui.gateway.errors import AnswerTooLarge, BadResponse, RequestDeadline, ServerError, Unreachable

    send = client.call

    async def call(request: Any, **options: Any) -> dict[str, Any]:
        method = request.path.rsplit("/", 1)[-1]
        if not method.startswith(READ_METHOD_PREFIXES):
            return await send(request, **options)
        for delay in delays:
            try:
                return await send(request, **options)
            except (RequestDeadline, AnswerTooLarge):
                raise  # a whole deadline or a whole size limit again would only double the cost
            except (Unreachable, ServerError, BadResponse):
                await asyncio.sleep(delay)
        return await send(request, **options)

    client.call = call  # type: ignore[method-assign,assignment]
