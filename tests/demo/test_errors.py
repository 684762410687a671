"""Every 401/404/501/400/500/504 case of the protocol file, with exact status, headers and body."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import httpx
import jwt
import pytest

from cuetui.demo.server import DemoGatewayThread

PREFIX = "Token validation error: "
# This module's gateway uses its own secret: tokens are built at collection time, before fixtures exist.
DEMO_SECRET = "errors-test-secret-0123456789-0123456789-0123456789-0123456789-0123"


@pytest.fixture
def demo_gateway(make_gateway: Any) -> DemoGatewayThread:
    """The small frozen farm with this module's secret."""
    return make_gateway(secret=DEMO_SECRET)


@pytest.fixture
def gateway_token() -> str:
    return jwt.encode({"sub": "tester"}, DEMO_SECRET, algorithm="HS256")


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict[str, object], claims: dict[str, object], signature: bytes = b"sig") -> str:
    return f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}.{b64(signature)}"


def token(claims: dict[str, object] | None = None, alg: str = "HS256", secret: str = DEMO_SECRET) -> str:
    return jwt.encode(claims or {"sub": "x"}, secret, algorithm=alg)


def expect_401(response: httpx.Response, body: str) -> None:
    assert response.status_code == 401
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.text == body + "\n"


GET_SHOWS = "/show.ShowInterface/GetShows"


@pytest.mark.parametrize(
    "authorization, body",
    [
        (None, "Authorization header required"),
        ("", "Authorization header required"),
        ("Bearer invalid_token", PREFIX + "token is malformed: token contains an invalid number of segments"),
        ("Bearer a.b", PREFIX + "token is malformed: token contains an invalid number of segments"),
        (
            "Bearer @@.e30.e30",
            PREFIX + "token is malformed: could not base64 decode header: illegal base64 data at input byte 0",
        ),
        (
            "Bearer " + forge({"alg": "RS256", "typ": "JWT"}, {"sub": "x"}),
            PREFIX + "token is unverifiable: error while executing keyfunc: Unexpected signing method: RS256",
        ),
        (
            "Bearer " + forge({"alg": "none"}, {"sub": "x"}, b""),
            PREFIX + "token is unverifiable: error while executing keyfunc: Unexpected signing method: none",
        ),
        (
            "Bearer " + forge({"alg": "XX999"}, {"sub": "x"}),
            PREFIX + "token is unverifiable: signing method (alg) is unavailable",
        ),
        (
            "Bearer " + token(secret="wrong-secret-wrong-secret-wrong-secret"),
            PREFIX + "token signature is invalid: signature is invalid",
        ),
        (
            # Fixed times, not time.time(): the test ids hold the token, and pytest-xdist's workers
            # must collect the same ids (an expiry of 2001 and a start of 2100).
            "Bearer " + token({"exp": 1_000_000_000}),
            PREFIX + "token has invalid claims: token is expired",
        ),
        (
            "Bearer " + token({"nbf": 4_102_444_800}),
            PREFIX + "token has invalid claims: token is not valid yet",
        ),
        (
            "Bearer " + token({"exp": None}),
            PREFIX + "token has invalid claims: invalid type for claim: exp is invalid",
        ),
        (
            "Bearer " + token({"exp": "tomorrow"}),
            PREFIX + "token has invalid claims: invalid type for claim: exp is invalid",
        ),
        (
            "bearer " + token(),
            PREFIX + "token is malformed: could not base64 decode header: illegal base64 data at input byte 6",
        ),
    ],
)
def test_jwt_failures(demo_gateway: DemoGatewayThread, authorization: str | None, body: str) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    expect_401(httpx.post(demo_gateway.url + GET_SHOWS, headers=headers, content=b"{}"), body)


def test_bearer_with_empty_token() -> None:
    # httpx refuses to send a header value with trailing space; check the middleware directly.
    from cuetui.demo.jwtcheck import TokenError, validate

    with pytest.raises(TokenError) as err:
        validate("Bearer ", DEMO_SECRET.encode())
    assert str(err.value) == PREFIX + "token is malformed: token contains an invalid number of segments"


def test_padded_token_is_malformed(demo_gateway: DemoGatewayThread) -> None:
    header, claims, sig = token().split(".")
    r = httpx.post(demo_gateway.url + GET_SHOWS, headers={"Authorization": f"Bearer {header}==.{claims}.{sig}"})
    assert r.status_code == 401 and "could not base64 decode header" in r.text


def test_header_not_json(demo_gateway: DemoGatewayThread) -> None:
    r = httpx.post(demo_gateway.url + GET_SHOWS, headers={"Authorization": f"Bearer {b64(b'nope')}.e30.e30"})
    assert r.status_code == 401 and r.text.startswith(PREFIX + "token is malformed: could not JSON decode header")


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_algorithms_and_bare_token_accepted(demo_gateway: DemoGatewayThread, alg: str) -> None:
    t = token({"user": "artist1", "exp": int(time.time()) + 60, "iat": int(time.time()) + 9999}, alg=alg)
    for value in (f"Bearer {t}", t):
        r = httpx.post(demo_gateway.url + GET_SHOWS, headers={"Authorization": value}, content=b"{}")
        assert r.status_code == 200, r.text


def test_jwt_checked_before_routing(demo_gateway: DemoGatewayThread) -> None:
    expect_401(httpx.post(demo_gateway.url + "/no.Such/Path"), "Authorization header required")
    expect_401(httpx.get(demo_gateway.url + "/"), "Authorization header required")


@pytest.mark.parametrize(
    "path",
    [
        "/frame.FrameInterface/GetFrames",
        "/frame.FrameInterface/Retry",
        "/",
        "/health",
        "/show.ShowInterface/GetShow",
        "/layer.LayerInterface/GetFrames",
        "/proc.ProcInterface/GetProcs",
        "/comment.CommentInterface/GetComments",
        "/cue.CueInterface/GetSystemStats",
        "/show.ShowInterface/GetShows/",
        "/show.showinterface/GetShows",
    ],
)
def test_unknown_path_404(client: httpx.Client, path: str) -> None:
    r = client.post(path, content=b"{}")
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/json"
    assert r.json() == {"code": 5, "message": "Not Found", "details": []}


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_wrong_method_501(client: httpx.Client, method: str) -> None:
    r = client.request(method, GET_SHOWS)
    assert r.status_code == 501
    assert r.content == b'{"code":12,"message":"Method Not Allowed","details":[]}'


def test_query_string_ignored(client: httpx.Client) -> None:
    assert client.post(GET_SHOWS + "?x=1", content=b"{}").status_code == 200


@pytest.mark.parametrize(
    "path, body",
    [
        ("/job.JobInterface/GetJobs", b"invalid-json"),
        ("/job.JobInterface/GetJobs", b'{"r":'),
        ("/job.JobInterface/GetJobs", b"[]"),
        ("/job.JobInterface/GetJobs", b'"x"'),
        ("/job.JobInterface/GetJobs", b'{"r":{"shows":"testing"}}'),
        ("/job.JobInterface/Pause", b'{"job":"abc"}'),
        ("/job.JobInterface/SetPriority", b'{"job":{"id":"x"},"val":75.5}'),
        ("/job.JobInterface/GetJobs", b'{"r":{"includeFinished":true,"include_finished":true}}'),
    ],
)
def test_malformed_body_400(client: httpx.Client, path: str, body: bytes) -> None:
    r = client.post(path, content=body)
    assert r.status_code == 400
    data = r.json()
    assert list(data) == ["code", "message", "details"]
    assert data["code"] == 3 and data["details"] == [] and data["message"]


def test_empty_body_is_ok(client: httpx.Client) -> None:
    r = client.post("/job.JobInterface/GetJobs", content=b"")
    assert r.status_code == 200 and "jobs" in r.json()


NOT_FOUND_EMPTY = {"code": 5, "message": "Incorrect result size: expected 1, actual 0", "details": []}
JOB_NOT_FOUND = {"code": 5, "message": "Job not found", "details": []}
UNKNOWN = "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize(
    "path, body, status, expected",
    [
        ("/show.ShowInterface/FindShow", {"name": "nope"}, 404, NOT_FOUND_EMPTY),
        ("/show.ShowInterface/GetJobs", {"show": {"id": UNKNOWN}}, 500, None),
        ("/job.JobInterface/GetJob", {"id": UNKNOWN}, 404, NOT_FOUND_EMPTY),
        ("/job.JobInterface/FindJob", {"name": "nope"}, 404, None),
        ("/job.JobInterface/GetCurrent", {"job": {"id": UNKNOWN}}, 404, JOB_NOT_FOUND),
        ("/job.JobInterface/GetLayers", {"job": {"id": UNKNOWN}}, 404, JOB_NOT_FOUND),
        ("/job.JobInterface/GetFrames", {"job": {"id": UNKNOWN}, "req": {"limit": 5}}, 404, JOB_NOT_FOUND),
        ("/job.JobInterface/GetUpdatedFrames", {"job": {"id": UNKNOWN}, "lastCheck": 1}, 404, JOB_NOT_FOUND),
        ("/job.JobInterface/Pause", {"job": {"id": UNKNOWN}}, 404, JOB_NOT_FOUND),
        ("/job.JobInterface/Kill", {"job": {"id": UNKNOWN}, "reason": "x"}, 404, JOB_NOT_FOUND),
        ("/job.FrameInterface/GetFrame", {"id": UNKNOWN}, 404, NOT_FOUND_EMPTY),
        ("/job.FrameInterface/FindFrame", {"job": "nope", "layer": "render", "frame": 1}, 404, None),
        ("/job.FrameInterface/GetFrames", {"job": UNKNOWN, "r": {"limit": 5}}, 500, None),
        ("/job.FrameInterface/Retry", {"frame": {"id": UNKNOWN}}, 500, None),
        ("/job.FrameInterface/Eat", {"frame": {"id": UNKNOWN}}, 500, None),
        ("/job.FrameInterface/Kill", {"frame": {"id": UNKNOWN}}, 500, None),
        ("/host.HostInterface/GetHost", {"id": UNKNOWN}, 404, NOT_FOUND_EMPTY),
        ("/host.HostInterface/GetHost", {"name": "render001"}, 404, NOT_FOUND_EMPTY),
        ("/host.HostInterface/FindHost", {"name": "nope"}, 404, None),
        ("/host.HostInterface/GetProcs", {"host": {"id": UNKNOWN}}, 500, None),
        ("/host.HostInterface/Lock", {"host": {"id": UNKNOWN}}, 500, None),
        ("/host.HostInterface/Reboot", {"host": {"id": UNKNOWN}}, 500, None),
        ("/comment.CommentInterface/Delete", {"comment": {"id": UNKNOWN}}, 500, None),
    ],
)
def test_cuebot_404_vs_500(
    client: httpx.Client, path: str, body: dict[str, object], status: int, expected: dict[str, object] | None
) -> None:
    r = client.post(path, json=body)
    assert r.status_code == status, r.text
    data = r.json()
    assert list(data) == ["code", "message", "details"]
    assert data["code"] == (5 if status == 404 else 13)
    if expected is not None:
        assert data == expected
    if status == 500:
        assert data["message"].startswith("org.springframework.dao.EmptyResultDataAccessException")


def test_every_registered_method_is_answered_and_cuebots_unimplemented_one_is_501_json(client: httpx.Client) -> None:
    from cuetui.demo.server import HANDLERS, REGISTERED_PATHS

    assert sorted(REGISTERED_PATHS - set(HANDLERS)) == []
    # Cuebot declares LayerInterface/SetMinGpu without implementing it: gRPC UNIMPLEMENTED, as JSON.
    r = client.post("/job.LayerInterface/SetMinGpu", json={})
    assert r.status_code == 501 and r.json()["code"] == 12, r.text


def test_bad_grpc_timeout_is_400(client: httpx.Client) -> None:
    r = client.post(GET_SHOWS, json={}, headers={"Grpc-Timeout": "soon"})
    assert r.status_code == 400 and r.json()["code"] == 3


def test_traffic_counts_requests_and_response_bytes(demo_gateway: DemoGatewayThread, gateway_token: str) -> None:
    """The gateway counts requests and answer bytes per path (what bench/bench_load.py reads)."""
    assert demo_gateway.gateway is not None
    headers = {"Authorization": f"Bearer {gateway_token}"}
    answers = [httpx.post(demo_gateway.url + GET_SHOWS, headers=headers, content=b"{}") for _ in range(2)]
    assert all(a.status_code == 200 for a in answers)
    httpx.post(demo_gateway.url + GET_SHOWS, content=b"{}")  # a 401 is counted too
    requests, size = demo_gateway.gateway.traffic[GET_SHOWS]
    assert requests == 3
    assert size >= sum(len(a.content) for a in answers)


def test_cuebot_errors_carry_no_grpc_metadata_headers(client: httpx.Client) -> None:
    """An error is a trailers-only gRPC answer: the real gateway copies no Grpc-Metadata-* from it."""
    ok = client.post("/show.ShowInterface/GetShows", json={})
    assert ok.headers["grpc-metadata-content-type"] == "application/grpc"
    for path, body in (
        ("/job.JobInterface/GetJob", {"id": "nope"}),
        ("/host.HostInterface/Lock", {"host": {"id": "nope"}}),
        ("/host.HostInterface/GetDeed", {}),
    ):
        r = client.post(path, json=body)
        assert r.status_code in (404, 500, 501), path
        assert not [k for k in r.headers if k.lower().startswith("grpc-metadata-")], path
