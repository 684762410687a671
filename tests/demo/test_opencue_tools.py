"""OpenCue's own command-line tools and PyCue against the demo's Cuebot gRPC face, checked on the farm.

They come from the test-only extra ``cuetui[cuebot-test]`` (opencue-pycue, opencue-cueadmin,
opencue-cueman). Without them these tests skip, unless ``CUETUI_REQUIRE_CUEBOT=1`` (CI) makes that a
failure.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cuetui.demo.farm import Farm
from cuetui.demo.server import DemoGatewayThread

TOOLS_BIN = Path(sys.executable).parent


def _tool(name: str) -> str | None:
    beside = TOOLS_BIN / name
    return str(beside) if beside.exists() else shutil.which(name)


def _missing() -> str:
    missing = [m for m in ("grpc", "opencue_proto", "opencue") if importlib.util.find_spec(m) is None]
    missing += [t for t in ("cueadmin", "cueman") if _tool(t) is None]
    return ", ".join(missing)


MISSING = _missing()
if MISSING and os.environ.get("CUETUI_REQUIRE_CUEBOT") == "1":
    raise RuntimeError(f"CUETUI_REQUIRE_CUEBOT=1 but not installed: {MISSING} (pip install '.[cuebot-test]')")
pytestmark = pytest.mark.skipif(
    bool(MISSING), reason=f"OpenCue's tools are not installed ({MISSING}): pip install 'cuetui[cuebot-test]'"
)


@pytest.fixture
def farm_gateway(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return make_gateway(grpc_port=0)


def run(gw: DemoGatewayThread, *argv: str) -> str:
    """Run an OpenCue tool (or python) on the farm's Cuebot face; its stdout, or a failure with stderr."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "CUEBOT_HOSTS": gw.cuebot_endpoint,
        # PyCue reads its config from these when set; none given means its packaged defaults.
        "OPENCUE_CONFIG_FILE": "",
    }
    program = argv[0] if argv[0] == sys.executable else _tool(argv[0])
    assert program is not None
    done = subprocess.run([program, *argv[1:]], env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"{argv} exited {done.returncode}: {done.stderr[-2000:]}"
    return done.stdout


def test_cueadmin_lists_the_farms_pending_jobs(farm_gateway: DemoGatewayThread) -> None:
    names = farm_gateway.run(lambda farm: sorted(j.name for j in farm.jobs if j.state_name == "PENDING"))
    listed = run(farm_gateway, "cueadmin", "-lj").split()
    assert names and sorted(listed) == names


def _dead_frames(farm: Farm) -> tuple[str, list[str]]:
    """A pending job with dead frames, and their names."""
    for job in farm.jobs:
        dead = [name for name, state in job.frame_states().items() if state == "DEAD"]
        if job.state_name == "PENDING" and dead:
            return job.name, dead
    raise AssertionError("the farm has no pending job with dead frames")


def test_cueman_lists_a_jobs_dead_frames(farm_gateway: DemoGatewayThread) -> None:
    name, dead = farm_gateway.run(_dead_frames)
    out = run(farm_gateway, "cueman", "-lf", name, "-state", "DEAD")
    listed = [line.split()[0] for line in out.splitlines() if line[:1].isdigit()]
    assert sorted(listed) == sorted(dead)


def test_cueman_retries_dead_frames_and_cueadmin_locks_a_host(farm_gateway: DemoGatewayThread) -> None:
    name, dead = farm_gateway.run(_dead_frames)
    run(farm_gateway, "cueman", "-retry", name, "-state", "DEAD", "-force")
    states = farm_gateway.run(lambda farm: farm.jobs_by_name[name].frame_states())
    assert [states[frame] for frame in dead] == ["WAITING"] * len(dead)
    host = farm_gateway.run(lambda farm: farm.hosts[0].name)
    assert farm_gateway.run(lambda farm: farm.hosts_by_name[host].lock_state_name) == "OPEN"
    run(farm_gateway, "cueadmin", "-host", host, "-lock", "-force")
    assert farm_gateway.run(lambda farm: farm.hosts_by_name[host].lock_state_name) == "LOCKED"


def test_pycue_script_sees_the_farm(farm_gateway: DemoGatewayThread) -> None:
    script = (
        "import opencue\n"
        "print(opencue.api.getSystemStats().booked_procs)\n"
        "for show in opencue.api.getShows(): print('show', show.name())\n"
        "for host in opencue.api.getHosts(): print('host', host.name(), host.state())\n"
    )
    out = run(farm_gateway, sys.executable, "-c", script).splitlines()
    procs, shows, hosts = farm_gateway.run(
        lambda farm: (
            sum(len(h.procs) for h in farm.hosts),
            [s.name for s in farm.shows],
            [h.name for h in farm.hosts],
        )
    )
    assert out[0] == str(procs)
    assert [line.split()[1] for line in out if line.startswith("show ")] == shows
    assert sorted(line.split()[1] for line in out if line.startswith("host ")) == sorted(hosts)


def test_cueadmin_manages_allocations_and_subscriptions(farm_gateway: DemoGatewayThread) -> None:
    gw = farm_gateway
    source, show = gw.run(lambda farm: (farm.hosts[0].alloc_name, farm.shows[0].name))
    facility = source.split(".", 1)[0]
    run(gw, "cueadmin", "-force", "-create-alloc", facility, "spare", "spare")
    run(gw, "cueadmin", "-force", "-transfer", source, f"{facility}.spare")
    # The idle hosts moved, their allocation tag with them; a host running frames stays (Cuebot's rule).
    moved = gw.run(lambda farm: {h.name: (h.alloc_name, bool(h.procs), "spare" in h.tags) for h in farm.hosts})
    assert {name: alloc for name, (alloc, busy, _tag) in moved.items() if not busy} == {
        name: f"{facility}.spare" for name, (_a, busy, _t) in moved.items() if not busy
    }
    assert all(alloc == source for alloc, busy, _tag in moved.values() if busy)
    assert {busy for _alloc, busy, _tag in moved.values()} == {True, False}  # both kinds were there
    assert all(tag for alloc, _busy, tag in moved.values() if alloc.endswith(".spare"))
    run(gw, "cueadmin", "-force", "-rename-alloc", f"{facility}.spare", f"{facility}.extra")
    run(gw, "cueadmin", "-force", "-create-sub", show, f"{facility}.extra", "10", "20")
    subs = gw.run(
        lambda farm: [
            (s.show.name, s.alloc.name, s.size, s.burst)
            for s in farm.resources.subscriptions
            if s.alloc.name.endswith(".extra")
        ]
    )
    assert subs == [(show, f"{facility}.extra", 10, 20)]
    # cueadmin divides the wire's core units by 100: the sizes it prints are the cores it was given.
    listed = run(gw, "cueadmin", "-lb", show).splitlines()
    extra = next(line.split() for line in listed if line.startswith(f"{facility}.extra "))
    assert extra[1:4] == [show, "10.0", "20.0"], listed
    assert f"{facility}.extra" in run(gw, "cueadmin", "-la")
    run(gw, "cueadmin", "-force", "-create-alloc", facility, "empty", "e")
    run(gw, "cueadmin", "-force", "-delete-alloc", f"{facility}.empty")
    assert gw.run(lambda farm: farm.resources.allocation(f"{facility}.empty")) is None


def test_pycue_script_changes_groups_and_limits(farm_gateway: DemoGatewayThread) -> None:
    gw = farm_gateway
    show, job = gw.run(lambda farm: next((j.show.name, j.name) for j in farm.jobs if j.state_name == "PENDING"))
    script = (
        "import opencue\n"
        "from opencue_proto import limit_pb2\n"
        f"show = opencue.api.findShow({show!r})\n"
        "fx = show.getRootGroup().createSubGroup('fx')\n"
        "fx.setDefaultJobPriority(55)\n"
        f"fx.reparentJobs([opencue.api.findJob({job!r})])\n"
        "print('group', fx.name(), [j.name() for j in fx.getJobs()])\n"
        "lim = opencue.api.createLimit('lic', 3)\n"
        "lim.setLimitType(limit_pb2.HOST)\n"
        "lim.rename('nuke')\n"
        "lim = opencue.api.findLimit('nuke')\n"
        "print('limit', lim.name(), lim.maxValue(), lim.limitType() == limit_pb2.HOST, lim.holds(), lim.bindings())\n"
    )
    out = run(gw, sys.executable, "-c", script).splitlines()
    assert out == [f"group fx [{job!r}]", "limit nuke 3 True [] []"]
    state = gw.run(
        lambda farm: (farm.jobs_by_name[job].group, farm.jobs_by_name[job].priority, farm.resources.limit("nuke").type)
    )
    assert state == ("fx", 55, 1)
