"""The Cuebot gRPC face of the simulated farm (`cuetui demo-gateway --grpc-port`): grpcio clients."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from cuetui.demo.server import DemoGatewayThread

grpc = pytest.importorskip("grpc", reason="the Cuebot gRPC face needs the cuebot extra: pip install 'cuetui[cuebot]'")
pytest.importorskip("opencue_proto", reason="the Cuebot gRPC face needs the cuebot extra: pip install 'cuetui[cuebot]'")

from google.protobuf import message_factory  # noqa: E402
from opencue_proto import cue_pb2, host_pb2, job_pb2, show_pb2  # noqa: E402

from cuetui.demo.cuebot import cuebot_services  # noqa: E402

from .test_every_rpc import UNIMPLEMENTED_BY_CUEBOT  # noqa: E402


@pytest.fixture
def face(make_gateway: Callable[..., DemoGatewayThread]) -> DemoGatewayThread:
    return make_gateway(grpc_port=0)


def unary(channel: grpc.Channel, path: str, request: object, response_cls: type) -> object:
    call = channel.unary_unary(
        path,
        request_serializer=lambda m: m.SerializeToString(),
        response_deserializer=response_cls.FromString,  # type: ignore[attr-defined]
    )
    return call(request, timeout=10)


def test_every_method_of_every_cuebot_service_is_answered(face: DemoGatewayThread) -> None:
    """No "Method not found": each answers OK, with the farm's error, or UNIMPLEMENTED as not simulated."""
    services = cuebot_services()
    assert "rqd.RqdInterface" not in services and "cue.CueInterface" in services
    # Every method is unary: the bridge has no streaming path (a new proto with one must add it).
    assert not [m.full_name for s in services.values() for m in s.methods if m.client_streaming or m.server_streaming]
    counts = {"ok": 0, "error": 0, "not simulated": 0}
    with grpc.insecure_channel(face.cuebot_endpoint) as channel:
        for name, service in services.items():
            for method in service.methods:
                request = message_factory.GetMessageClass(method.input_type)()
                response_cls = message_factory.GetMessageClass(method.output_type)
                try:
                    unary(channel, f"/{name}/{method.name}", request, response_cls)
                    counts["ok"] += 1
                except grpc.RpcError as err:
                    if f"/{name}/{method.name}" in UNIMPLEMENTED_BY_CUEBOT:  # as grpc-java words it
                        assert err.code() == grpc.StatusCode.UNIMPLEMENTED
                        assert err.details() == f"Method {name}/{method.name} is unimplemented"
                        counts["error"] += 1
                    elif err.code() == grpc.StatusCode.UNIMPLEMENTED:
                        assert err.details() == f"{name}.{method.name} is not simulated by cuetui demo"
                        counts["not simulated"] += 1
                    else:
                        assert err.code() in (grpc.StatusCode.NOT_FOUND, grpc.StatusCode.INTERNAL), method.full_name
                        counts["error"] += 1
    assert sum(counts.values()) == sum(len(s.methods) for s in services.values())
    assert counts["ok"] >= 5 and counts["error"] >= 10, counts


def test_both_faces_share_one_farm(face: DemoGatewayThread, gateway_token: str) -> None:
    host_id = face.run(lambda farm: farm.hosts[0].id)
    with grpc.insecure_channel(face.cuebot_endpoint) as channel:
        stats = unary(
            channel,
            "/cue.CueInterface/GetSystemStats",
            cue_pb2.CueGetSystemStatsRequest(),
            cue_pb2.CueGetSystemStatsResponse,
        )
        booked = face.run(lambda farm: sum(len(h.procs) for h in farm.hosts))
        assert stats.stats.booked_procs == booked > 0  # type: ignore[attr-defined]
        unary(
            channel,
            "/host.HostInterface/Lock",
            host_pb2.HostLockRequest(host=host_pb2.Host(id=host_id)),
            host_pb2.HostLockResponse,
        )
    with httpx.Client(base_url=face.url, headers={"Authorization": f"Bearer {gateway_token}"}) as client:
        host = client.post("/host.HostInterface/GetHost", json={"id": host_id}).json()["host"]
        assert host["lockState"] == "LOCKED"
        client.post("/host.HostInterface/Unlock", json={"host": {"id": host_id}}).raise_for_status()
    with grpc.insecure_channel(face.cuebot_endpoint) as channel:
        answer = unary(
            channel,
            "/host.HostInterface/GetHost",
            host_pb2.HostGetHostRequest(id=host_id),
            host_pb2.HostGetHostResponse,
        )
        assert answer.host.lock_state == host_pb2.OPEN  # type: ignore[attr-defined]


def test_errors_are_grpc_statuses_with_cuebots_messages(face: DemoGatewayThread) -> None:
    with grpc.insecure_channel(face.cuebot_endpoint) as channel:
        with pytest.raises(grpc.RpcError) as missing:
            unary(channel, "/job.JobInterface/GetJob", job_pb2.JobGetJobRequest(id="nope"), job_pb2.JobGetJobResponse)
        assert missing.value.code() == grpc.StatusCode.NOT_FOUND
        assert missing.value.details() == "Incorrect result size: expected 1, actual 0"
        with pytest.raises(grpc.RpcError) as internal:
            unary(channel, "/host.HostInterface/Lock", host_pb2.HostLockRequest(), host_pb2.HostLockResponse)
        assert internal.value.code() == grpc.StatusCode.INTERNAL
        assert internal.value.details().startswith("org.springframework.dao.EmptyResultDataAccessException")


def test_a_client_deadline_ends_a_hung_call(face: DemoGatewayThread) -> None:
    job_id = face.run(lambda farm: next(j.id for j in farm.jobs if j.state_name == "PENDING"))
    request = job_pb2.JobGetUpdatedFramesRequest(job=job_pb2.Job(id=job_id), last_check=0)
    with grpc.insecure_channel(face.cuebot_endpoint) as channel:
        call = channel.unary_unary(
            "/job.JobInterface/GetUpdatedFrames",
            request_serializer=lambda m: m.SerializeToString(),
            response_deserializer=job_pb2.JobGetUpdatedFramesResponse.FromString,
        )
        started = time.monotonic()
        with pytest.raises(grpc.RpcError) as hung:
            call(request, timeout=0.3)
        assert hung.value.code() == grpc.StatusCode.DEADLINE_EXCEEDED
        assert time.monotonic() - started < 5
    assert face.gateway is not None
    deadline = time.monotonic() + 10
    while face.run(lambda farm: len(face.gateway._hangs)) and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.02)
    assert face.run(lambda farm: len(face.gateway._hangs)) == 0  # type: ignore[union-attr]


def _demo_gateway(tmp_path: Path, *flags: str, pythonpath: str = "") -> subprocess.Popen[str]:
    env = dict(os.environ, JWT_SECRET="s" * 40)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    cmd = [sys.executable, "-m", "cuetui", "demo-gateway", "--port", "0", "--speed", "0", *flags]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True, cwd=tmp_path)


def test_demo_gateway_grpc_port_prints_the_cuebot_endpoint(tmp_path: Path) -> None:
    child = _demo_gateway(tmp_path, "--grpc-port", "0")
    try:
        assert child.stdout is not None
        assert child.stdout.readline().startswith("OPENCUE_REST_GATEWAY_URL=http://127.0.0.1:")
        endpoint = child.stdout.readline().strip().partition("CUEBOT_ENDPOINT=")[2]
        assert endpoint.startswith("127.0.0.1:")
        with grpc.insecure_channel(endpoint) as channel:
            answer = unary(
                channel, "/show.ShowInterface/GetShows", show_pb2.ShowGetShowsRequest(), show_pb2.ShowGetShowsResponse
            )
            assert [s.name for s in answer.shows.shows] == ["testing"]  # type: ignore[attr-defined]
    finally:
        child.terminate()
        child.wait(10)


def test_grpc_port_without_the_extra_is_a_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "no-grpc"
    (blocker / "grpc").mkdir(parents=True)
    (blocker / "grpc" / "__init__.py").write_text(
        "raise ModuleNotFoundError(\"No module named 'grpc'\", name='grpc')\n"
    )
    child = _demo_gateway(tmp_path, "--grpc-port", "0", pythonpath=str(blocker))
    out, err = child.communicate(timeout=60)
    assert child.returncode == 2
    assert out == ""
    assert err.strip().splitlines() == [
        "cuetui demo-gateway: --grpc-port: the Cuebot gRPC face needs the cuebot extra (grpc is missing): "
        "pip install 'cuetui[cuebot]'"
    ]
    # Without --grpc-port nothing imports grpc: the plain install serves as before.
    plain = _demo_gateway(tmp_path, pythonpath=str(blocker))
    try:
        assert plain.stdout is not None
        assert plain.stdout.readline().startswith("OPENCUE_REST_GATEWAY_URL=")
    finally:
        plain.terminate()
        plain.wait(10)


def test_demo_grpc_port_serves_cuebot_and_says_how_to_connect(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "JWT_SECRET"}
    cmd = [sys.executable, "-m", "cuetui", "demo", "--no-tui", "--speed", "0", "--grpc-port", "0"]
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True, cwd=tmp_path)
    try:
        assert child.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while not any(line.startswith("Ctrl-C") for line in lines) and time.monotonic() < deadline:
            lines.append(child.stdout.readline())
        hosts = next(line for line in lines if "export CUEBOT_HOSTS=" in line).strip().rpartition("=")[2]
        assert any(line.strip() == f"The real OpenCue REST gateway with: CUEBOT_ENDPOINT={hosts}" for line in lines)
        with grpc.insecure_channel(hosts) as channel:
            answer = unary(
                channel, "/show.ShowInterface/GetShows", show_pb2.ShowGetShowsRequest(), show_pb2.ShowGetShowsResponse
            )
            assert [s.name for s in answer.shows.shows] == ["testing"]  # type: ignore[attr-defined]
    finally:
        child.terminate()
        child.wait(15)


def test_big_answers_are_converted_off_the_farms_loop(face: DemoGatewayThread, monkeypatch: pytest.MonkeyPatch) -> None:
    from cuetui.demo import cuebot

    monkeypatch.setattr(cuebot, "_OFF_LOOP_BYTES", 0)
    job_id, names = face.run(lambda farm: (farm.jobs[0].id, sorted(farm.jobs[0].frame_states())))
    request = job_pb2.JobGetFramesRequest(job=job_pb2.Job(id=job_id), req=job_pb2.FrameSearchCriteria(limit=1000))
    with grpc.insecure_channel(face.cuebot_endpoint) as channel:
        answer = unary(channel, "/job.JobInterface/GetFrames", request, job_pb2.JobGetFramesResponse)
    assert sorted(f.name for f in answer.frames.frames) == names  # type: ignore[attr-defined]


def test_grpc_port_in_use_is_a_one_line_error(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        child = _demo_gateway(tmp_path, "--grpc-port", str(port))
        out, err = child.communicate(timeout=60)
    assert child.returncode == 1
    assert out == ""
    assert err.strip().splitlines() == [
        f"cuetui demo-gateway: --grpc-port: cannot listen on 127.0.0.1:{port} "
        "(in use, or not an address of this machine)"
    ]


def test_both_faces_at_once_on_a_running_farm_keep_it_consistent(
    make_gateway: Callable[..., DemoGatewayThread], gateway_token: str
) -> None:
    """gRPC and REST actions interleaved with the scheduler's ticks: one loop, so the farm stays whole."""
    gw = make_gateway(grpc_port=0, speed=60.0)
    job_ids = gw.run(lambda farm: [j.id for j in farm.jobs if j.state_name == "PENDING"])
    host_ids = gw.run(lambda farm: [h.id for h in farm.hosts])
    errors: list[BaseException] = []

    def over_grpc() -> None:
        try:
            with grpc.insecure_channel(gw.cuebot_endpoint) as channel:
                for k in range(40):
                    job = job_pb2.Job(id=job_ids[k % len(job_ids)])
                    dead = job_pb2.FrameSearchCriteria(states=job_pb2.FrameStateSeq(frame_states=[job_pb2.DEAD]))
                    unary(
                        channel,
                        "/job.JobInterface/RetryFrames",
                        job_pb2.JobRetryFramesRequest(job=job, req=dead),
                        job_pb2.JobRetryFramesResponse,
                    )
                    unary(
                        channel,
                        "/job.JobInterface/GetFrames",
                        job_pb2.JobGetFramesRequest(job=job, req=job_pb2.FrameSearchCriteria(limit=500)),
                        job_pb2.JobGetFramesResponse,
                    )
        except BaseException as err:
            errors.append(err)

    def over_rest() -> None:
        try:
            with httpx.Client(base_url=gw.url, headers={"Authorization": f"Bearer {gateway_token}"}) as client:
                for k in range(40):
                    host = {"id": host_ids[k % len(host_ids)]}
                    client.post(
                        "/host.HostInterface/Lock" if k % 2 else "/host.HostInterface/Unlock", json={"host": host}
                    ).raise_for_status()
                    job = {"id": job_ids[(k + 1) % len(job_ids)]}
                    body = {"job": job, "req": {"states": {"frameStates": ["WAITING"]}, "limit": 3}}
                    client.post("/job.JobInterface/KillFrames", json={**body, "reason": "test"}).raise_for_status()
        except BaseException as err:
            errors.append(err)

    workers = [
        threading.Thread(target=over_grpc),
        threading.Thread(target=over_rest),
        threading.Thread(target=over_grpc),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert not errors
    gw.run(lambda farm: farm.check_invariants())
