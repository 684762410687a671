"""The simulator's RPC handler table: `@rpc(path, request_type)` registers a Cuebot handler.

Kept apart from the HTTP server so that the handler modules by area (`rpc_*.py`) can register without
importing the server (which imports them). Errors are raised as `GatewayError` (HTTP status plus the
gRPC status body); `answer(path, values)` writes a whole response message by proto field names, in Go
protojson's shape, from the schema table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cuetui.demo.wire import emitter
from cuetui.schema import RPCS

EMPTY_RESULT = "Incorrect result size: expected 1, actual 0"
INTERNAL_EMPTY = f"org.springframework.dao.EmptyResultDataAccessException: {EMPTY_RESULT}\n{EMPTY_RESULT}"


class GatewayError(Exception):
    """An error answer: HTTP status plus the gRPC status body."""

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def not_found(message: str = EMPTY_RESULT) -> GatewayError:
    return GatewayError(404, 5, message)


def internal(message: str = INTERNAL_EMPTY) -> GatewayError:
    return GatewayError(500, 13, message)


def refused(exception: str, message: str) -> GatewayError:
    """An exception Cuebot's interceptor words as INTERNAL: "<class>: <msg>\\n<msg>"."""
    return GatewayError(500, 13, f"{exception}: {message}\n{message}")


# The first argument is the server's Gateway (its `farm`, `hang()`); typed loosely so that handler modules
# need not import the server.
Handler = Callable[[Any, dict[str, Any]], Any]
HANDLERS: dict[str, tuple[str, Handler]] = {}

# Cuebot methods of services the REST gateway does not register (so not in the schema table), served on
# the gRPC face only; their requests carry no field the simulator reads.
GRPC_ONLY: dict[str, str] = {"/cue.CueInterface/GetSystemStats": "cue.CueGetSystemStatsRequest"}


def rpc(path: str, request_type: str) -> Callable[[Handler], Handler]:
    expected = RPCS[path][0] if path in RPCS else GRPC_ONLY.get(path)
    if expected != request_type:  # a typo fails at import, not at the first request
        raise TypeError(f"{path}: the request type is {expected}, not {request_type}")
    if path in HANDLERS:  # two modules answering one RPC: the later would win silently
        raise TypeError(f"{path}: already has a handler ({HANDLERS[path][1].__module__})")

    def register(fn: Handler) -> Handler:
        HANDLERS[path] = (request_type, fn)
        return fn

    return register


def answer(path: str, values: dict[str, Any]) -> dict[str, Any]:
    """The response of `path` from farm values by proto field name (sub-messages as dicts of theirs)."""
    return emitter(RPCS[path][1])(values)
