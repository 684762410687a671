"""The gateway up, Cuebot not: doctor and the commands say so (exit 3, as for an unreachable gateway)."""

from __future__ import annotations

from collections.abc import Callable

from cuetui.demo.server import DemoGatewayThread
from cuetui.gateway.errors import CUEBOT_UNREACHABLE

from .conftest import Result

Cli = Callable[..., Result]


def test_doctor_says_the_gateway_cannot_reach_cuebot(cli: Cli, make_gateway: Callable[..., DemoGatewayThread]) -> None:
    gw = make_gateway(faults=("cuebot-down=0-600",))
    r = cli("--url", gw.url, "doctor")
    assert r.code == 3, r.out + r.err
    lines = r.out.splitlines()
    assert any(line.startswith(f"✓ gateway reachable at {gw.url}") for line in lines)
    assert any(line.startswith(f"✗ {CUEBOT_UNREACHABLE}: connection error") for line in lines), r.out
    assert not any("shows not listed" in line for line in lines)
    assert any("CUEBOT_ENDPOINT" in line and line.startswith("    ") for line in lines)


def test_jobs_exits_3_and_says_cuebot_is_unreachable(cli: Cli, make_gateway: Callable[..., DemoGatewayThread]) -> None:
    gw = make_gateway(faults=("cuebot-down=0-600",))
    r = cli("--url", gw.url, "jobs")
    assert r.code == 3, r.out + r.err
    assert CUEBOT_UNREACHABLE in r.err and "HTTP 503" in r.err
    assert "Traceback" not in r.err
