"""`cuetui why` sees what the layer calls change on the farm: a limit added with LayerInterface/AddLimit
is the reason a frame waits (and dropped, it is not any more)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import httpx
import jwt

from cuetui.demo.server import DemoGatewayThread
from tests.conftest import DEMO_SECRET

from .test_why import Cli, _run, base, gateway_for


def test_why_names_a_limit_added_to_the_layer_until_it_is_dropped(
    cli: Cli, make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path
) -> None:
    data = base()
    data["limits"] = [{"name": "lic", "maxValue": 1}]
    _run(data, "waiter", "0001-render")
    gw = gateway_for(make_gateway, tmp_path, data)
    before = json.loads(cli("--url", gw.url, "why", "waiter", "--json").out)
    assert [x["reason"] for x in before] == ["next_dispatch"]
    layer_id, limit_id = gw.run(lambda farm: (farm.jobs_by_name["waiter"].layers[0].id, farm.resources.limits[0].id))
    token = jwt.encode({"sub": "t"}, DEMO_SECRET, algorithm="HS256")
    with httpx.Client(base_url=gw.url, headers={"Authorization": f"Bearer {token}"}) as client:
        body = {"layer": {"id": layer_id}, "limitId": limit_id}
        assert client.post("/job.LayerInterface/AddLimit", json=body).status_code == 200
        reasons = json.loads(cli("--url", gw.url, "why", "waiter", "--json").out)
        assert [x["reason"] for x in reasons] == ["limit"]
        assert reasons[0]["figures"] == {"limit": "lic", "running": 1, "max_value": 1}  # the running frame counts
        assert client.post("/job.LayerInterface/DropLimit", json=body).status_code == 200
    after = json.loads(cli("--url", gw.url, "why", "waiter", "--json").out)
    assert [x["reason"] for x in after] == ["next_dispatch"]


def test_why_names_a_start_after_gate_ahead_and_not_once_cleared(
    cli: Cli, make_gateway: Callable[..., DemoGatewayThread], tmp_path: Path
) -> None:
    gw = gateway_for(make_gateway, tmp_path, base())
    layer_id, now = gw.run(lambda farm: (farm.jobs_by_name["waiter"].layers[0].id, int(farm.now())))
    token = jwt.encode({"sub": "t"}, DEMO_SECRET, algorithm="HS256")
    with httpx.Client(base_url=gw.url, headers={"Authorization": f"Bearer {token}"}) as client:
        gate = {"layer": {"id": layer_id}, "startAfter": str(now + 7200), "username": "ann"}
        assert client.post("/job.LayerInterface/SetStartAfter", json=gate).status_code == 200
        reasons = json.loads(cli("--url", gw.url, "why", "waiter", "--json").out)
        assert [x["reason"] for x in reasons] == ["start_after"]
        figures = reasons[0]["figures"]
        assert (figures["start_after"], figures["set_by"]) == (now + 7200, "Set by ann")
        assert 7000 < figures["in"] <= 7200 and "(Set by ann)" in reasons[0]["detail"]
        assert client.post("/job.LayerInterface/SetStartAfter", json={"layer": {"id": layer_id}}).status_code == 200
    after = json.loads(cli("--url", gw.url, "why", "waiter", "--json").out)
    assert [x["reason"] for x in after] == ["next_dispatch"]
