"""Small helpers shared by the simulator's tests (import them relatively: `from .helpers import ...`)."""

from __future__ import annotations

from typing import Any

from tests import waiting

wait_for = waiting.wait_for  # the shared helper (tests/waiting.py)


def add_allocation(gw: Any, name: str, tag: str) -> None:
    """Give the farm an allocation no host is in yet (the small farm has only local.general)."""
    from cuetui.demo.resources import ALLOCATION_ID, Allocation

    def add(farm: Any) -> None:
        res = farm.resources
        if res.allocation(name) is None:
            res.allocations.append(Allocation(res.next_id(ALLOCATION_ID), name, tag))

    gw.run(add)
