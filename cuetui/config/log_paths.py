"""`log_path_map`: a frame log path as the render nodes see it, rewritten to the path on this machine.

The one mapper: `cuetui capture`, `cuetui log`, the frame-log screen and the log tails all call it.
"""

from __future__ import annotations

from collections.abc import Sequence


def map_log_path(path: str, path_map: Sequence[tuple[str, str]]) -> str:
    """Rewrite the farm's path prefix to this machine's (e.g. `/shots` → `/mnt/shots`).

    The longest matching prefix wins, whatever the order of the pairs, and a prefix matches whole path
    components only ("/net/logs" and "/net/logs/" match "/net/logs/a", "/net/logs2" does not); "/" matches
    every absolute path. No match: the path as it was.
    """
    best: tuple[str, str] | None = None
    for farm_prefix, local_prefix in path_map:
        root = farm_prefix.rstrip("/")  # "" is "/"
        if not (path == root or path.startswith(root + "/")) or (root == "" and not path.startswith("/")):
            continue
        if best is None or len(root) > len(best[0]):
            best = (root, local_prefix)
    if best is None:
        return path
    root, local = best
    rest = path[len(root) :]
    return local.rstrip("/") + rest if rest else (local.rstrip("/") or "/")
