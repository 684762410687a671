"""JWT auth for the gateway as an `httpx.Auth`: a fixed token, or tokens minted from the secret and renewed.

The gateway (protocol §1.3) wants `Authorization: Bearer <JWT>` signed with HS256/384/512 and checks only
`exp` (zero leeway). A minted token (`{"sub", "iat", "exp"}`, HS256) is renewed before it runs out and
once more when the gateway answers 401 "… token is expired" (clock skew); a fixed token is never retried,
`expired()` reports it instead. The token never goes into a log line, a repr or an exception.
"""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import AsyncGenerator, Callable, Generator

import httpx
import jwt

from cuetui.gateway.answer import body_of, read_bounded
from cuetui.gateway.credentials import DEFAULT_TOKEN_TTL, Secret

Clock = Callable[[], float]

# Renew a minted token when less than this is left: max(60 s, 10 % of its lifetime).
RENEW_MIN_SECONDS = 60.0
RENEW_FRACTION = 0.1
# The JWT middleware's 401 bodies are one line; a longer one is refused, not read on.
UNAUTHORIZED_BODY_LIMIT = 64 * 1024


def _reveal(value: str | Secret) -> str:
    return value.reveal() if isinstance(value, Secret) else value


def mint_token(secret: str | Secret, sub: str, ttl: int = DEFAULT_TOKEN_TTL, now: float | None = None) -> str:
    """A gateway JWT: HS256 over `{"sub": sub, "iat": now, "exp": now + ttl}` (base64url, no padding)."""
    if ttl <= 0:
        raise ValueError("token lifetime must be a positive number of seconds")
    if not sub:
        raise ValueError("token subject (user name) must not be empty")
    issued = int(time.time() if now is None else now)
    with warnings.catch_warnings():
        # PyJWT warns of HMAC keys under 32 bytes; the farm chose its JWT_SECRET, the user cannot act on it.
        warnings.simplefilter("ignore", getattr(jwt, "InsecureKeyLengthWarning", UserWarning))
        return jwt.encode({"sub": sub, "iat": issued, "exp": issued + int(ttl)}, _reveal(secret), algorithm="HS256")


def token_expiry(token: str) -> float | None:
    """The `exp` claim of a JWT, read without checking the signature; None if absent or unreadable."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    exp = claims.get("exp")
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return None
    return float(exp)


def _says_expired(response: httpx.Response) -> bool:
    # The JWT middleware's 401 is text/plain; grpc errors are JSON. Match the substring, not the full text:
    # newer golang-jwt appends " by 1h0m0s" (protocol §1.3).
    content_type = response.headers.get("content-type", "")
    if response.status_code != 401 or content_type.startswith("application/json"):
        return False
    return b"expired" in body_of(response)


class GatewayAuth(httpx.Auth):
    """Adds `Authorization: Bearer …` to each request; mints and renews when it holds the secret.

    `kind` is "minted" (from a secret), "fixed" (a given token) or "none" (no header is sent; the
    gateway will answer 401 "Authorization header required").
    """

    # The 401 body says whether the token expired; only a 401's body is read here (see async_auth_flow),
    # so the client reads every other answer itself, within its size limit.
    requires_response_body = True

    def __init__(
        self,
        *,
        token: str | Secret | None = None,
        secret: str | Secret | None = None,
        sub: str = "",
        ttl: int = DEFAULT_TOKEN_TTL,
        clock: Clock = time.time,
    ) -> None:
        if ttl <= 0:
            raise ValueError("token lifetime must be a positive number of seconds")
        self._secret = Secret(_reveal(secret)) if secret else None
        fixed = _reveal(token).strip() if token else ""
        # A pasted "Bearer xyz" would become "Bearer Bearer xyz", which the gateway rejects as malformed.
        if fixed.startswith("Bearer "):
            fixed = fixed[len("Bearer ") :].strip()
        self._fixed = Secret(fixed) if fixed and self._secret is None else None
        if self._secret is not None and not sub:
            raise ValueError("a subject (user name) is needed to mint tokens")
        self.sub = sub
        self.ttl = int(ttl)
        self._clock = clock
        self._lock = threading.Lock()
        self._minted: Secret | None = None
        self._minted_exp = 0.0
        self._fixed_exp = token_expiry(self._fixed.reveal()) if self._fixed else None
        self._rejected_as_expired = False
        self.mint_count = 0  # how many tokens were minted; for tests and doctor

    @property
    def kind(self) -> str:
        """ "minted", "fixed" or "none"."""
        if self._secret is not None:
            return "minted"
        return "fixed" if self._fixed is not None else "none"

    @property
    def expires_at(self) -> float | None:
        """Epoch seconds when the current token stops being valid; None when unknown or never."""
        if self._secret is not None:
            return self._minted_exp if self._minted is not None else None
        return self._fixed_exp

    def expired(self) -> bool:
        """True when requests cannot succeed because the token ran out: a fixed token past its `exp` (by
        this machine's clock) or one the gateway called expired; a minted token still called expired by
        the gateway after renewal (clocks more than a token lifetime apart)."""
        if self._rejected_as_expired:
            return True
        if self.kind == "fixed" and self._fixed_exp is not None:
            return self._clock() >= self._fixed_exp
        return False

    def renew_margin(self) -> float:
        """Seconds of validity left below which a minted token is replaced."""
        return max(RENEW_MIN_SECONDS, RENEW_FRACTION * self.ttl)

    def _token(self, force_new: bool = False) -> str | None:
        if self._secret is None:
            return self._fixed.reveal() if self._fixed is not None else None
        with self._lock:
            now = self._clock()
            if force_new or self._minted is None or self._minted_exp - now < self.renew_margin():
                self._minted = Secret(mint_token(self._secret, self.sub, self.ttl, now=now))
                self._minted_exp = float(int(now) + self.ttl)
                self.mint_count += 1
            return self._minted.reveal()

    def _authorize(self, request: httpx.Request, force_new: bool = False) -> None:
        token = self._token(force_new)
        if token is not None:
            request.headers["Authorization"] = f"Bearer {token}"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self._authorize(request)
        response = yield request
        if not _says_expired(response):
            if response.status_code != 401:
                self._rejected_as_expired = False
            return
        if self.kind != "minted":
            # A fixed token cannot be renewed: report it (expired() is now True) and do not retry.
            self._rejected_as_expired = True
            return
        # Minted tokens are renewed before expiry, so this is clock skew or a suspended laptop: one fresh
        # token, one retry; a second "expired" goes back to the caller. Retrying is safe even for actions:
        # the JWT check runs before the gateway routes the call (protocol §1.2), so nothing was done.
        self._authorize(request, force_new=True)
        response = yield request
        self._rejected_as_expired = _says_expired(response)

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """httpx's async flow, except that only a 401's body is read (a small bounded read), so a huge
        or compressed 200 answer stays streamed for the client's own bounded reader."""
        flow = self.auth_flow(request)
        request = next(flow)
        while True:
            response = yield request
            if response.status_code == 401:
                await read_bounded(response, UNAUTHORIZED_BODY_LIMIT)
            try:
                request = flow.send(response)
            except StopIteration:
                break

    def __repr__(self) -> str:
        return f"GatewayAuth(kind={self.kind!r}, sub={self.sub!r}, ttl={self.ttl})"
