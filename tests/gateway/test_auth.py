"""GatewayAuth: the header the gateway wants, renewal before expiry, one retry on "expired", no loops."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import httpx
import jwt
import pytest

from cuetui.gateway.auth import GatewayAuth, mint_token, token_expiry
from cuetui.gateway.credentials import Secret

SECRET = "gateway-secret-for-tests-0123456789abcdef"
NO_TIME_CHECKS: Any = {"verify_exp": False, "verify_iat": False}  # the tests' clock is not the real one
EXPIRED_BODY = "Token validation error: token has invalid claims: token is expired\n"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Gateway:
    """A stand-in for the gateway's JWT middleware (protocol §1.3): checks the Bearer token against the
    secret at its own clock, answers 401 text/plain like the real one, else 200 `{}`."""

    def __init__(self, clock: Clock, secret: str = SECRET) -> None:
        self.clock = clock
        self.secret = secret
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ")
        self.seen.append(token)
        if not header:
            return self._deny("Authorization header required")
        try:
            claims = jwt.decode(token, self.secret, algorithms=["HS256", "HS384", "HS512"], options=NO_TIME_CHECKS)
        except jwt.PyJWTError:
            return self._deny("Token validation error: token signature is invalid: signature is invalid")
        if "exp" in claims and not self.clock() < claims["exp"]:
            return self._deny(EXPIRED_BODY.strip())
        return httpx.Response(200, json={})

    @staticmethod
    def _deny(text: str) -> httpx.Response:
        return httpx.Response(401, text=text + "\n", headers={"Content-Type": "text/plain; charset=utf-8"})


def client(auth: GatewayAuth, gateway: Gateway) -> httpx.Client:
    return httpx.Client(auth=auth, transport=httpx.MockTransport(gateway), base_url="http://gw:8448")


def call(c: httpx.Client) -> httpx.Response:
    return c.post("/show.ShowInterface/GetShows", json={})


def test_mint_token_claims_and_encoding() -> None:
    token = mint_token(SECRET, "alice", 3600, now=1000.9)
    header, payload, signature = token.split(".")
    for segment in (header, payload, signature):
        assert "=" not in segment and "+" not in segment and "/" not in segment  # base64url, no padding
    assert json.loads(base64.urlsafe_b64decode(header + "==")) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options=NO_TIME_CHECKS)
    assert claims == {"sub": "alice", "iat": 1000, "exp": 4600}
    assert mint_token(Secret(SECRET), "alice", 3600, now=1000) == token


def test_mint_token_refuses_nonsense_and_short_secrets_are_quiet(recwarn: pytest.WarningsRecorder) -> None:
    with pytest.raises(ValueError):
        mint_token(SECRET, "alice", 0)
    with pytest.raises(ValueError):
        mint_token(SECRET, "", 60)
    mint_token("short", "alice", 60)
    assert not recwarn.list


def test_minted_token_is_accepted_and_reused() -> None:
    clock = Clock()
    gateway = Gateway(clock)
    auth = GatewayAuth(secret=SECRET, sub="alice", ttl=3600, clock=clock)
    assert auth.kind == "minted"
    with client(auth, gateway) as c:
        assert call(c).status_code == 200
        clock.now += 100
        assert call(c).status_code == 200
    assert auth.mint_count == 1 and gateway.seen[0] == gateway.seen[1]
    assert auth.expires_at == int(1_800_000_000.0) + 3600 and not auth.expired()


@pytest.mark.parametrize(("ttl", "margin"), [(3600, 360.0), (300, 60.0)])
def test_renewed_before_expiry(ttl: int, margin: float) -> None:
    clock = Clock()
    gateway = Gateway(clock)
    auth = GatewayAuth(secret=SECRET, sub="alice", ttl=ttl, clock=clock)
    assert auth.renew_margin() == margin
    with client(auth, gateway) as c:
        call(c)
        clock.now += ttl - margin - 1  # just more than the margin left: keep it
        call(c)
        assert auth.mint_count == 1
        clock.now += 2  # less than the margin left: a new one, before the gateway would refuse
        assert call(c).status_code == 200
    assert auth.mint_count == 2 and gateway.seen[1] != gateway.seen[2]
    assert jwt.decode(gateway.seen[2], SECRET, algorithms=["HS256"], options=NO_TIME_CHECKS)["iat"] == int(clock.now)


def test_minted_token_remints_once_on_expired_401() -> None:
    # The gateway's clock is 500 s ahead of ours, more than the 360 s renewal margin: near the end of its
    # life our token is expired there while we think it has 400 s left.
    ours = Clock()
    theirs = Clock(ours.now + 500)
    gateway = Gateway(theirs)
    auth = GatewayAuth(secret=SECRET, sub="alice", ttl=3600, clock=ours)
    with client(auth, gateway) as c:
        call(c)
        ours.now += 3200
        theirs.now += 3200
        response = call(c)
    assert response.status_code == 200
    assert len(gateway.seen) == 3 and auth.mint_count == 2 and not auth.expired()


def test_minted_token_does_not_loop_when_clocks_are_far_apart() -> None:
    ours = Clock()
    gateway = Gateway(Clock(ours.now + 10_000))  # every token we mint is expired there
    auth = GatewayAuth(secret=SECRET, sub="alice", ttl=3600, clock=ours)
    with client(auth, gateway) as c:
        response = call(c)
    assert response.status_code == 401 and "expired" in response.text
    assert len(gateway.seen) == 2 and auth.expired()


def test_other_401s_are_not_retried() -> None:
    clock = Clock()
    gateway = Gateway(clock, secret="the-gateway-has-another-secret-0123456789")
    auth = GatewayAuth(secret=SECRET, sub="alice", clock=clock)
    with client(auth, gateway) as c:
        response = call(c)
    assert response.status_code == 401 and "signature is invalid" in response.text
    assert len(gateway.seen) == 1 and not auth.expired()


def test_fixed_token_is_sent_as_is_and_never_retried() -> None:
    clock = Clock()
    gateway = Gateway(clock)
    token = mint_token(SECRET, "ci", 600, now=clock.now)
    auth = GatewayAuth(token=Secret(f"Bearer {token}\n"), clock=clock)  # a pasted "Bearer …" is fine
    assert auth.kind == "fixed" and auth.expires_at == clock.now + 600
    with client(auth, gateway) as c:
        assert call(c).status_code == 200 and gateway.seen == [token]
        clock.now += 599
        assert not auth.expired()
        clock.now += 1
        assert auth.expired()  # by our clock, before any request says so
        response = call(c)
    assert response.status_code == 401 and len(gateway.seen) == 2


def test_fixed_token_the_gateway_calls_expired() -> None:
    clock = Clock()
    token = mint_token(SECRET, "ci", 600, now=clock.now)
    auth = GatewayAuth(token=token, clock=clock)
    with client(auth, Gateway(Clock(clock.now + 601))) as c:
        assert call(c).status_code == 401
    assert auth.expired()  # the gateway's word counts even though our clock says it is fine


def test_fixed_token_without_exp_or_unreadable() -> None:
    forever = jwt.encode({"sub": "x"}, SECRET, algorithm="HS256")
    assert token_expiry(forever) is None and not GatewayAuth(token=forever).expired()
    assert token_expiry("not-a-jwt") is None and not GatewayAuth(token="not-a-jwt").expired()


def test_no_credentials_sends_no_header() -> None:
    gateway = Gateway(Clock())
    auth = GatewayAuth()
    assert auth.kind == "none"
    with client(auth, gateway) as c:
        response = call(c)
    assert response.status_code == 401 and response.text == "Authorization header required\n"


async def test_async_client() -> None:
    clock = Clock()
    theirs = Clock(clock.now + 3700)
    auth = GatewayAuth(secret=SECRET, sub="alice", ttl=3600, clock=clock)
    gateway = Gateway(theirs)
    transport = httpx.MockTransport(gateway)
    async with httpx.AsyncClient(auth=auth, transport=transport, base_url="http://gw") as c:
        response = await c.post("/show.ShowInterface/GetShows", json={})
    assert response.status_code == 401 and len(gateway.seen) == 2  # one renewal, then given up
    theirs.now = clock.now
    async with httpx.AsyncClient(auth=auth, transport=transport, base_url="http://gw") as c:
        assert (await c.post("/show.ShowInterface/GetShows", json={})).status_code == 200
    assert not auth.expired()


def test_token_never_in_repr_or_errors() -> None:
    clock = Clock()
    auth = GatewayAuth(secret=SECRET, sub="alice", clock=clock)
    gateway = Gateway(clock)
    with client(auth, gateway) as c:
        request = c.build_request("POST", "/show.ShowInterface/GetShows")
        call(c)
    token = gateway.seen[0]
    for text in (repr(auth), str(auth), repr(vars(auth)), repr(request.headers)):
        assert SECRET not in text and token not in text
    with pytest.raises(ValueError) as exc:
        GatewayAuth(secret=SECRET, sub="alice", ttl=0)
    assert SECRET not in str(exc.value)


def test_token_not_in_a_traceback_with_locals() -> None:
    """Textual renders uncaught exceptions with every frame's local variables; a failed request must not
    put the secret or the token on screen that way."""
    from rich.console import Console
    from rich.traceback import Traceback

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    auth = GatewayAuth(secret=SECRET, sub="alice")
    with httpx.Client(auth=auth, transport=httpx.MockTransport(refuse)) as c, pytest.raises(httpx.ConnectError) as exc:
        c.post("http://gw:8448/show.ShowInterface/GetShows", json={})
    token = auth._token()
    assert token is not None and auth.mint_count == 1
    console = Console(file=io.StringIO(), width=300, color_system=None)
    # From the frame below this test's own (whose locals hold the token now, for the assertion) on.
    console.print(
        Traceback.from_exception(
            exc.type, exc.value, exc.tb.tb_next, show_locals=True, locals_max_string=100_000, width=300
        )
    )
    rendered = console.file.getvalue()  # type: ignore[attr-defined]
    assert "ConnectError" in rendered and "GatewayAuth(kind=" in rendered  # the auth object was shown
    assert SECRET not in rendered and token not in rendered
