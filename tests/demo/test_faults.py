"""`--fault` modes: what a client sees through a misbehaving network or proxy."""

from __future__ import annotations

import time
from typing import Any

import httpx
import orjson
import pytest

from cuetui.demo.server import Faults

from .helpers import wait_for

GET_SHOWS = "/show.ShowInterface/GetShows"


def client_for(gw: Any, token: str) -> httpx.Client:
    return httpx.Client(base_url=gw.url, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def test_parse() -> None:
    f = Faults.parse(["latency=0.5,error-rate=0.1", "html=0.05", "truncate=0.05,drop=0.05", "down=10-20", "skew=-30"])
    assert (f.latency, f.error_rate, f.html, f.truncate, f.drop, f.down, f.skew) == (
        0.5,
        0.1,
        0.05,
        0.05,
        0.05,
        (10.0, 20.0),
        -30.0,
    )
    for bad in ("nope=1", "error-rate=2", "latency"):
        with pytest.raises(ValueError):
            Faults.parse([bad])


def test_latency(make_gateway: Any, gateway_token: str) -> None:
    with client_for(make_gateway(faults=("latency=0.3",)), gateway_token) as c:
        started = time.monotonic()
        assert c.post(GET_SHOWS, json={}).status_code == 200
        assert time.monotonic() - started >= 0.3


def test_error_rate(make_gateway: Any, gateway_token: str) -> None:
    with client_for(make_gateway(faults=("error-rate=1",)), gateway_token) as c:
        r = c.post(GET_SHOWS, json={})
        assert r.status_code == 500 and r.headers["content-type"] == "application/json"
        assert list(r.json()) == ["code", "message", "details"] and r.json()["code"] == 13


def test_html_proxy_page(make_gateway: Any, gateway_token: str) -> None:
    with client_for(make_gateway(faults=("html=1",)), gateway_token) as c:
        r = c.post(GET_SHOWS, json={})
        assert r.status_code == 502 and r.headers["content-type"].startswith("text/html")
        assert "<html>" in r.text


def test_truncate(make_gateway: Any, gateway_token: str) -> None:
    gw = make_gateway(faults=("truncate=1",))
    with client_for(gw, gateway_token) as c:
        r = c.post(GET_SHOWS, json={})
        assert r.status_code == 200
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(r.content)


def test_drop(make_gateway: Any, gateway_token: str) -> None:
    with (
        client_for(make_gateway(faults=("drop=1",)), gateway_token) as c,
        pytest.raises(httpx.TransportError),
    ):
        c.post(GET_SHOWS, json={})


def test_some_requests_fail_others_pass(make_gateway: Any, gateway_token: str) -> None:
    with client_for(make_gateway(faults=("error-rate=0.5",)), gateway_token) as c:
        statuses = {c.post(GET_SHOWS, json={}).status_code for _ in range(40)}
        assert statuses == {200, 500}


def test_down_window_refuses_then_recovers(make_gateway: Any, gateway_token: str) -> None:
    start, end = 3.0, 4.5  # seconds of the gateway's uptime: room for a slow start before the window
    gw = make_gateway(faults=(f"down={start}-{end}",))

    def uptime() -> float:
        return float(gw.run(lambda farm: farm.clock.monotonic()))

    def status() -> int | str:
        # The window closes the listening socket and the open connections: whichever a request meets
        # (refused, reset, closed before the answer), the client sees a transport error, i.e. "down".
        try:
            with client_for(gw, gateway_token) as c:
                return c.post(GET_SHOWS, json={}).status_code
        except httpx.TransportError:
            return "down"

    before = uptime()
    assert before < start, f"the gateway took {before:.1f} s to answer; the window opens at {start} s"
    assert status() == 200
    wait_for(lambda: status() == "down", timeout=10)
    assert uptime() >= start  # down because of the window, not before it
    wait_for(lambda: status() == 200, timeout=10)
    assert uptime() >= end


def test_skew_shifts_the_farm_clock(make_gateway: Any, gateway_token: str) -> None:
    gw = make_gateway(faults=("skew=3600",))
    now = gw.run(lambda farm: farm.now())
    assert abs(now - (time.time() + 3600)) < 5
    with client_for(gw, gateway_token) as c:
        job = c.post("/job.JobInterface/GetJobs", json={}).json()["jobs"]["jobs"][0]
        # A client whose clock lags by an hour gets the hang: its lastCheck is > 60 s behind.
        r = c.post(
            "/job.JobInterface/GetUpdatedFrames",
            json={"job": {"id": job["id"]}, "lastCheck": int(time.time())},
            headers={"Grpc-Timeout": "200m"},
        )
        assert r.status_code == 504


def test_faults_never_touch_loki(make_gateway: Any, gateway_token: str) -> None:
    gw = make_gateway(loki=True, faults=("error-rate=1", "drop=0"))
    r = httpx.get(gw.url + "/loki/api/v1/label/session_start_time/values", params={"query": '{frame_id="x"}'})
    assert r.status_code == 200 and r.json() == {"status": "success", "data": []}


def test_cuebot_down_answers_the_real_gateways_503(make_gateway: Any, gateway_token: str) -> None:
    assert Faults.parse(["cuebot-down=5-8"]).cuebot_down == (5.0, 8.0)
    gw = make_gateway(faults=("cuebot-down=0-600",))
    with client_for(gw, gateway_token) as c:
        r = c.post(GET_SHOWS, json={})
        assert r.status_code == 503 and r.headers["content-type"] == "application/json"
        # Byte for byte what the real gateway sends when its CUEBOT_ENDPOINT refuses the connection.
        assert r.content == (
            b'{"code":14,"message":"connection error: desc = \\"transport: Error while dialing: '
            b'dial tcp 127.0.0.1:8443: connect: connection refused\\"","details":[]}'
        )
        # The token, the route and the body come first: Cuebot is dialled only for the call.
        assert c.post(GET_SHOWS, json={}, headers={"Authorization": "Bearer nope"}).status_code == 401
        assert c.post("/show.ShowInterface/Nope", json={}).status_code == 404
        assert c.post(GET_SHOWS, content=b"{nope").status_code == 400


def test_cuebot_down_window_starts_then_ends(make_gateway: Any, gateway_token: str) -> None:
    gw = make_gateway(faults=("cuebot-down=0.6-1.6",))
    with client_for(gw, gateway_token) as c:
        wait_for(lambda: c.post(GET_SHOWS, json={}).status_code == 503, timeout=5)
        wait_for(lambda: c.post(GET_SHOWS, json={}).status_code == 200, timeout=5)
