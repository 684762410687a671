"""Small helpers shared by the simulator's tests (import them relatively: `from .helpers import ...`)."""

from __future__ import annotations

from tests import waiting

wait_for = waiting.wait_for  # the shared helper (tests/waiting.py)
