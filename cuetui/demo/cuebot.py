"""The simulated farm's Cuebot face: gRPC, every service of opencue-proto, bridged to the REST handlers.

For each method of each Cuebot service in opencue-proto's descriptors, one generic handler turns the
request message into JSON (protobuf's json_format, as the real gateway's protojson does), runs the
simulator's own handler for ``/<package.Service>/<Method>`` (`Gateway.call`: the same code, farm and
errors as the REST face), and turns the JSON answer back into the response message. An error answer
(HTTP status + ``{"code":N,"message":...}``) becomes gRPC status N with that message, which the real
gateway maps back to the same HTTP status and body.

grpc.aio runs on the event loop that serves the REST face and ticks the scheduler, so every handler
sees the farm between two ticks, exactly as a REST request does: no lock, no second thread.

Needs the optional extra ``cuetui[cuebot]`` (grpcio + opencue-proto); importing this module without it
raises `MissingExtra` with a one-line message.
"""

from __future__ import annotations

import asyncio
import importlib
import pkgutil
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import orjson


class RpcAnswer(Protocol):
    """One RPC's answer as the REST face's pipeline gives it: HTTP status and JSON body."""

    @property
    def status(self) -> int: ...

    @property
    def body(self) -> bytes: ...


class Gateway(Protocol):
    """What this face needs of the simulator's gateway (`cuetui.demo.server.Gateway`): its one code
    path for a routed RPC. Named here, not imported, so the server can start this face lazily without
    the two modules importing each other."""

    async def call(self, path: str, body: bytes, timeout: float | None = None) -> RpcAnswer: ...


class MissingExtra(ImportError):
    """grpcio or opencue-proto is not installed."""


try:
    import grpc
    import opencue_proto
    from google.protobuf import json_format, message_factory
except ImportError as err:  # pragma: no cover - depends on the install
    raise MissingExtra(
        f"the Cuebot gRPC face needs the cuebot extra ({err.name} is missing): pip install 'cuetui[cuebot]'"
    ) from err

# RQD's own services run on the render hosts, not on Cuebot.
NOT_CUEBOT = frozenset({"rqd.RqdInterface", "rqd.RunningFrame"})

MAX_MESSAGE_BYTES = 256 * 1024 * 1024

_OFF_LOOP_BYTES = 64 * 1024

_STATUS_BY_CODE = {status.value[0]: status for status in grpc.StatusCode}


def cuebot_services() -> dict[str, Any]:
    """Full service name -> ServiceDescriptor, for every Cuebot service opencue-proto declares."""
    services: dict[str, Any] = {}
    for info in pkgutil.iter_modules(opencue_proto.__path__):
        if not info.name.endswith("_pb2"):
            continue
        module = importlib.import_module(f"opencue_proto.{info.name}")
        for service in module.DESCRIPTOR.services_by_name.values():
            if service.full_name not in NOT_CUEBOT:
                services[service.full_name] = service
    return services


def request_json(request: Any) -> bytes:
    """The request message as the gateway would send it in JSON; an all-default message is an empty body."""
    if request.ByteSize() == 0:
        return b""
    return orjson.dumps(json_format.MessageToDict(request))


def _bridge(gateway: Gateway, path: str, response_cls: Any) -> Callable[..., Awaitable[Any]]:
    """One RPC's behaviour: request message -> `Gateway.call` -> response message or gRPC status.

    A plain coroutine function: grpc.aio tells unary coroutines from sync handlers by that.
    """

    async def behaviour(request: Any, context: grpc.aio.ServicerContext) -> Any:
        # No timeout of our own: a client deadline (the gateway's Grpc-Timeout) cancels this task.
        answer = await gateway.call(path, request_json(request))
        if answer.status != 200:
            error = orjson.loads(answer.body)
            status = _STATUS_BY_CODE.get(error.get("code"), grpc.StatusCode.UNKNOWN)
            await context.abort(status, error.get("message", ""))
        try:
            if len(answer.body) < _OFF_LOOP_BYTES:
                return json_format.Parse(answer.body, response_cls(), ignore_unknown_fields=False)
            # A big answer (a frame page) takes json_format most of a second: off the farm's loop, which
            # keeps ticking and serving meanwhile (the bytes are the handler's, no farm state is touched).
            return await asyncio.to_thread(json_format.Parse, answer.body, response_cls(), False)
        except json_format.ParseError as err:
            await context.abort(grpc.StatusCode.INTERNAL, f"cuetui demo: answer of {path} does not fit: {err}")

    return behaviour


def handlers(gateway: Gateway) -> list[grpc.GenericRpcHandler]:
    """One generic handler per Cuebot service, every method bridged to the gateway's handlers."""
    out = []
    for name, service in sorted(cuebot_services().items()):
        methods: dict[str, grpc.RpcMethodHandler] = {}
        for method in service.methods:
            if method.client_streaming or method.server_streaming:
                # opencue-proto 1.37 has none (a test says so); one would need its own bridge, and until
                # then gRPC itself answers UNIMPLEMENTED for it.
                continue
            request_cls = message_factory.GetMessageClass(method.input_type)
            response_cls = message_factory.GetMessageClass(method.output_type)
            behaviour = _bridge(gateway, f"/{name}/{method.name}", response_cls)
            methods[method.name] = grpc.unary_unary_rpc_method_handler(
                behaviour,
                request_deserializer=request_cls.FromString,
                response_serializer=response_cls.SerializeToString,
            )
        out.append(grpc.method_handlers_generic_handler(name, methods))
    return out


class CuebotFace:
    """A grpc.aio server on the running event loop, serving one gateway's farm."""

    def __init__(self, gateway: Gateway, host: str = "127.0.0.1", port: int = 0) -> None:
        self.gateway = gateway
        self.host = host
        self.port = port
        self.server: grpc.aio.Server | None = None

    @property
    def endpoint(self) -> str:
        """host:port, as CUEBOT_ENDPOINT and CUEBOT_HOSTS want it."""
        host = self.host if ":" not in self.host else f"[{self.host}]"
        return f"{host}:{self.port}"

    async def start(self) -> None:
        """Listen; OSError when the port cannot be bound."""
        options = [
            ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
            ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
            ("grpc.so_reuseport", 0),
        ]
        server = grpc.aio.server(options=options)
        server.add_generic_rpc_handlers(handlers(self.gateway))
        try:
            bound = server.add_insecure_port(self.endpoint)
        except RuntimeError as err:
            bound = 0
            cause: Exception | None = err
        else:
            cause = None
        if bound == 0:
            raise OSError(f"cannot listen on {self.endpoint} (in use, or not an address of this machine)") from cause
        self.port = bound
        await server.start()
        self.server = server

    async def stop(self) -> None:
        """Stop at once: cancel RPCs in flight (hung ones too)."""
        if self.server is not None:
            await self.server.stop(grace=None)
            self.server = None
