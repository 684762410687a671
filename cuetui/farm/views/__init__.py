"""Farm views: each screen's data as one object with `async poll() -> snapshot`.

A view knows which gateway calls its data takes, in which order, what to cache between polls and how to
fan out; it hands back a frozen snapshot (tuples of models) and has no Textual in it, so it is tested
with plain async tests against the demo gateway, and the CLI reuses it where it makes the same read. A
screen holds a poll loop over its view and renders the snapshot; it never calls the client.

The modules, one per kind of data: `jobs` (the jobs in a scope), `shows`, `hosts` (hosts and the procs
of one host), `dead` (dead frames across jobs), `stuck` (stuck frames across jobs), `job` (one job's
header, layers and frames), `monitor` (`cuetui monitor`'s jobs), `lookups` (one-off reads: a job by
name, a frame, a running frame's log path), `why` (what `w` reads), `depends` (dependencies both ways, and
which jobs wait on another job), `subscriptions` (each show × allocation).
"""

from __future__ import annotations

from typing import TypeAlias

from cuetui.gateway.client import GatewayClient

# The gateway connection as the UI holds it: made and closed by the shell, handed to views and
# FarmActions, never called by a screen.
FarmClient: TypeAlias = GatewayClient

__all__ = ["FarmClient"]
