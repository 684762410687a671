"""The app's view of its gateway connection: live, retrying, refused; and how stale the data is.

Pollers report every success and failure here; the status bar renders `ConnectionStatus.text()`.
Kept free of Textual so the monitor and the tests use the same wording.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from cuetui.gateway.errors import (
    CUEBOT_UNREACHABLE,
    CuebotUnreachable,
    GatewayError,
    RequestDeadline,
    TokenExpired,
    Unauthorized,
    Unreachable,
)

CONNECTING = "connecting"
LIVE = "live"
RETRYING = "retrying"
UNAUTHORIZED = "unauthorized"
EXPIRED = "expired"
ERROR = "error"


@dataclass(frozen=True)
class ConnectionStatus:
    """One state of the connection. `last_success` is when data last arrived (None: never)."""

    state: str = CONNECTING
    url: str = ""
    message: str = ""
    retry_at: float | None = None
    last_success: float | None = None

    @property
    def stale(self) -> bool:
        """True when what is on screen is older than the last failed attempt."""
        return self.state != LIVE and self.last_success is not None

    def retry_in(self, now: float | None = None) -> int | None:
        """Whole seconds until the next try, if one is planned."""
        if self.retry_at is None:
            return None
        now = time.time() if now is None else now
        return max(0, round(self.retry_at - now))

    def text(self, now: float | None = None) -> str:
        """One line for a status bar, e.g. "unreachable at http://gw:8448, retrying in 4 s"."""
        if self.state == LIVE:
            return "live"
        if self.state == CONNECTING:
            return f"connecting to {self.url}"
        if self.state == EXPIRED:
            return "token expired: set a new JWT_TOKEN"
        if self.state == UNAUTHORIZED:
            return f"auth failed: {self.message}"
        retry = self.retry_in(now)
        suffix = f", retrying in {retry} s" if retry is not None else ""
        return f"{self.message}{suffix}"


class ConnectionTracker:
    """Holds the current ConnectionStatus and tells listeners when it changes."""

    def __init__(self, url: str, clock: Callable[[], float] = time.time) -> None:
        self.clock = clock
        self.status = ConnectionStatus(url=url)
        self._listeners: list[Callable[[ConnectionStatus], object]] = []

    def listen(self, callback: Callable[[ConnectionStatus], object]) -> None:
        """Call `callback(status)` on every change."""
        self._listeners.append(callback)

    def _set(self, status: ConnectionStatus) -> None:
        if status != self.status:
            self.status = status
            for callback in list(self._listeners):
                callback(status)

    def success(self) -> None:
        """Data arrived."""
        self._set(replace(self.status, state=LIVE, message="", retry_at=None, last_success=self.clock()))

    def failure(self, error: Exception, retry_in: float | None) -> None:
        """A call failed; the next try is in `retry_in` seconds."""
        now = self.clock()
        retry_at = None if retry_in is None else now + retry_in
        if isinstance(error, TokenExpired):
            state, message = EXPIRED, str(error)
        elif isinstance(error, Unauthorized):
            state, message = UNAUTHORIZED, error.detail or str(error)
        elif isinstance(error, RequestDeadline):
            state, message = RETRYING, f"unreachable at {self.status.url}: no whole answer within the request deadline"
        elif isinstance(error, Unreachable):
            state, message = RETRYING, f"unreachable at {self.status.url}"
        elif isinstance(error, CuebotUnreachable):
            state, message = RETRYING, CUEBOT_UNREACHABLE
        elif isinstance(error, GatewayError):
            state, message = RETRYING, str(error)
        else:
            state, message = ERROR, f"internal error: {type(error).__name__}"
        self._set(replace(self.status, state=state, message=message, retry_at=retry_at))
