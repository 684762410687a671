"""Every show (the shows screen and `cuetui shows`)."""

from __future__ import annotations

from dataclasses import dataclass

from cuetui.gateway.client import GatewayClient
from cuetui.gateway.models import Show


@dataclass(frozen=True)
class ShowsSnapshot:
    """The farm's shows, in the gateway's order."""

    shows: tuple[Show, ...]


class ShowsView:
    """One GetShows per poll."""

    def __init__(self, client: GatewayClient) -> None:
        self.client = client

    async def poll(self) -> ShowsSnapshot:
        """The shows now."""
        return ShowsSnapshot(tuple(await self.client.get_shows()))
