"""What can go wrong talking to a gateway, as values the UI can show in one line.

Every exception the client raises is a GatewayError; `str(err)` is a single line fit for a status bar
("gateway unreachable at http://gw:8448: connection refused"), never holds a token, and never holds
raw bytes that could drive the terminal (non-printable characters are replaced).
"""

from __future__ import annotations

import re

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def printable(text: str, limit: int = 200) -> str:
    """`text` on one line, control characters replaced and cut to `limit` characters."""
    flat = _UNPRINTABLE.sub(" ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class GatewayError(Exception):
    """Base of every error talking to the gateway. `url` is the gateway's base URL."""

    def __init__(self, message: str, url: str = "") -> None:
        super().__init__(printable(message, 400))
        self.url = url

    @property
    def message(self) -> str:
        """The one-line message."""
        return str(self)


class Unreachable(GatewayError):
    """No HTTP answer: connection refused, DNS failure, TLS failure, timeout, dropped connection."""


class RequestDeadline(Unreachable):
    """No whole answer within the request deadline (a gateway that never answers, trickles or never
    ends its body). Not worth an immediate retry: that would only double the wait."""


class Unauthorized(GatewayError):
    """401: the gateway refused the token. `detail` is the gateway's own text; `expired` if it said so."""

    def __init__(self, message: str, url: str = "", detail: str = "", expired: bool = False) -> None:
        super().__init__(message, url)
        self.detail = printable(detail)
        self.expired = expired


class TokenExpired(Unauthorized):
    """A fixed token (JWT_TOKEN) has expired; it cannot be renewed without a new one."""


class StatusError(GatewayError):
    """The gateway answered a gRPC error as JSON `{"code","message","details"}` with an HTTP status."""

    def __init__(self, message: str, url: str = "", status: int = 0, code: int = 0, detail: str = "") -> None:
        super().__init__(message, url)
        self.status = status
        self.code = code
        self.detail = printable(detail)


class NotFound(StatusError):
    """404: no such path, or Cuebot found no such job, frame or host."""


class InvalidRequest(StatusError):
    """400: the gateway could not decode the request (a bug in the request, never the user's)."""


class DeadlineExceeded(StatusError):
    """504: the call overran the `Grpc-Timeout` we sent (GetUpdatedFrames hangs this way)."""


class ServerError(StatusError):
    """5xx (and other statuses) with a gRPC error body: Cuebot or the gateway failed."""


class CuebotUnreachable(ServerError):
    """503 with gRPC code 14 (UNAVAILABLE): the gateway answers, but cannot dial Cuebot. Nothing on the
    client side can fix it; it usually passes when Cuebot is back (retry)."""


# gRPC status code UNAVAILABLE: what grpc-gateway answers (as HTTP 503) when it cannot dial Cuebot.
GRPC_UNAVAILABLE = 14
CUEBOT_UNREACHABLE = "the gateway is up but cannot reach Cuebot at its CUEBOT_ENDPOINT"


def status_error(method: str, url: str, status: int, code: int, message: str) -> StatusError:
    """The StatusError for a gateway's gRPC error answer (HTTP `status`, body `{"code","message"}`),
    classified by its status and code."""
    detail = printable(message, 200)
    cls: type[StatusError]
    if status == 503 and code == GRPC_UNAVAILABLE:
        text = f"{CUEBOT_UNREACHABLE} ({method}: HTTP 503, {detail or 'unavailable'})"
        return CuebotUnreachable(text, url, status=status, code=code, detail=message)
    if status == 404:
        cls = NotFound
    elif status == 400:
        cls = InvalidRequest
    elif status == 504:
        cls = DeadlineExceeded
    else:
        cls = ServerError
    return cls(f"{method}: {detail or 'error'} (HTTP {status})", url, status=status, code=code, detail=message)


class BadResponse(GatewayError):
    """An answer that is not the gateway's JSON: an HTML page from a proxy, truncated or garbled JSON."""

    def __init__(self, message: str, url: str = "", status: int = 0, snippet: str = "") -> None:
        super().__init__(message, url)
        self.status = status
        self.snippet = printable(snippet, 80)


class AnswerTooLarge(BadResponse):
    """An answer (decompressed) larger than the size limit; refused before it was read whole."""


class RefusedRequest(GatewayError, ValueError):
    """The client refused to send a request that would do something the user did not mean
    (an empty RetryFrames criteria re-queues a whole job; a kill without a reason does nothing)."""
