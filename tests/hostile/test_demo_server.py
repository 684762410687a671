"""The simulated gateway as a server facing hostile clients and hostile scenarios: it drops slowloris
connections, refuses a frameRange that would expand to millions, reads `exp` as the real gateway does,
and never writes a log outside its log root."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from cuetui.demo import guard
from cuetui.demo.server import DemoGatewayThread
from tests.conftest import DEMO_SECRET


def _token(claims: str) -> str:
    def b64(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    head, body = b64(b'{"alg":"HS256","typ":"JWT"}'), b64(claims.encode())
    sig = b64(hmac.new(DEMO_SECRET.encode(), f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{sig}"


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    """True when the server closes `sock` within `seconds` (while we trickle a header byte now and then)."""
    deadline = time.monotonic() + seconds
    sock.settimeout(0.1)
    while time.monotonic() < deadline:
        try:
            sock.sendall(b"X")
            if sock.recv(1024) == b"":
                return True
        except TimeoutError:
            continue
        except OSError:
            return True
    return False


def test_slowloris_connections_are_dropped(
    make_gateway: Callable[..., DemoGatewayThread], monkeypatch: pytest.MonkeyPatch, gateway_token: str
) -> None:
    monkeypatch.setattr(guard, "HEADER_TIMEOUT", 0.5)
    gw = make_gateway()
    host, port = gw.url.removeprefix("http://").split(":")
    clients = []
    for _ in range(20):
        sock = socket.create_connection((host, int(port)))
        sock.sendall(b"POST /show.ShowInterface/GetShows HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        clients.append(sock)
    silent = socket.create_connection((host, int(port)))  # connects and never sends a byte
    assert all(_closed_within(sock, 3.0) for sock in clients)
    silent.settimeout(3.0)
    assert silent.recv(1) == b""
    # a well-behaved client, with a pooled connection idle for longer than the header timeout, is served
    with httpx.Client(base_url=gw.url, headers={"Authorization": f"Bearer {gateway_token}"}) as client:
        assert client.post("/show.ShowInterface/GetShows", content=b"{}").status_code == 200
        time.sleep(0.8)  # idle keep-alive, not a trickled request: the connection must stay usable
        assert client.post("/show.ShowInterface/GetShows", content=b"{}").status_code == 200
    for sock in [*clients, silent]:
        sock.close()


def test_a_huge_frame_range_is_refused_quickly(demo_gateway: DemoGatewayThread, gateway_token: str) -> None:
    with httpx.Client(base_url=demo_gateway.url, headers={"Authorization": f"Bearer {gateway_token}"}) as c:
        job = c.post("/job.JobInterface/GetJobs", json={"r": {}}).json()["jobs"]["jobs"][0]
        start = time.monotonic()
        r = c.post(
            "/job.JobInterface/GetFrames",
            json={"job": {"id": job["id"]}, "req": {"frameRange": "1-10000000", "page": 1, "limit": 10}},
        )
        assert time.monotonic() - start < 1.0
        assert r.status_code == 500
        body = r.json()
        assert list(body) == ["code", "message", "details"] and body["code"] == 13
        assert "more than 100000 frames" in body["message"]
        ok = c.post(
            "/job.JobInterface/GetFrames",
            json={"job": {"id": job["id"]}, "req": {"frameRange": "1-50000", "page": 1, "limit": 10}},
        )
        assert ok.status_code == 200


@pytest.mark.parametrize(
    ("exp", "said"),
    [
        ("Infinity", "could not JSON decode claim: invalid character 'I' looking for beginning of value"),
        ("NaN", "could not JSON decode claim: invalid character 'N' looking for beginning of value"),
        ("-Infinity", "could not JSON decode claim: invalid character 'I' in numeric literal"),
        ("1e999", "could not JSON decode claim: json: cannot unmarshal number 1e999 into Go value of type float64"),
        ("1e19", "token has invalid claims: token is expired"),  # wraps Go's time.Unix
    ],
)
def test_non_finite_exp_is_refused_as_the_real_gateway_does(
    demo_gateway: DemoGatewayThread, exp: str, said: str
) -> None:
    # texts checked against the real gateway binary (golang-jwt v5.3.1)
    r = httpx.post(
        demo_gateway.url + "/show.ShowInterface/GetShows",
        headers={"Authorization": f"Bearer {_token('{' + chr(34) + 'exp' + chr(34) + ':' + exp + '}')}"},
        content=b"{}",
    )
    assert r.status_code == 401
    assert (
        r.text == f"Token validation error: token is malformed: {said}\n"
        or r.text == f"Token validation error: {said}\n"
    )


def test_replaying_a_capture_never_writes_outside_the_log_root(
    make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path, gateway_token: str
) -> None:
    real = tmp_path / "real-show-tree"  # the captured farm's own, mounted here
    (real / "logs").mkdir(parents=True)
    precious = real / "logs" / "job.0001-render.rqlog"
    precious.write_text("the real log\n")
    scenario = {
        "jobs": [
            {
                "job": {"name": "job", "logDir": str(real / "logs"), "state": "PENDING"},
                "frames": [{"number": n, "layerName": "render", "state": "DEAD", "retryCount": 1} for n in (1, 2)],
                "logs": {"0001-render": "replayed\n", "../../../escaped": "out\n"},
            },
            {
                "job": {"name": "../../../up", "logDir": "../../../../rel", "state": "PENDING"},
                "frames": [{"number": 1, "layerName": "render", "state": "DEAD", "retryCount": 1}],
            },
        ]
    }
    path = tmp_path / "capture.json"
    path.write_text(json.dumps(scenario))
    root = tmp_path / "root"
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    gw = make_gateway(scenario=str(path), log_root=root)
    with httpx.Client(base_url=gw.url, headers={"Authorization": f"Bearer {gateway_token}"}) as c:
        for job in c.post("/job.JobInterface/GetJobs", json={"r": {"includeFinished": True}}).json()["jobs"]["jobs"]:
            assert job["logDir"].startswith(str(root) + os.sep)
            c.post("/job.JobInterface/GetFrames", json={"job": {"id": job["id"]}, "req": {"page": 1, "limit": 10}})
    assert precious.read_text() == "the real log\n"
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and root not in p.parents and p not in before]
    assert outside == [p for p in outside if p == path], outside
    written = list(root.rglob("*.rqlog*"))
    assert written and all(root in p.parents for p in written)
