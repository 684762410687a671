"""`cuetui demo` (simulated farm + the TUI) and `cuetui demo-gateway` (the simulated gateway only)."""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import os
import secrets
import sys

PROFILES = ("small", "studio", "huge", "scale")
_GRPC_HELP = "also serve the farm as Cuebot does, gRPC on this port (0 picks one; needs cuetui[cuebot])"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `cuetui demo` and `cuetui demo-gateway`."""
    demo = sub.add_parser("demo", help="try cuetui on a simulated farm (no set-up needed)")
    demo.add_argument("--profile", choices=PROFILES, default="small", help="farm size (default: small)")
    demo.add_argument("--seed", type=int, default=0, help="random seed: same seed, same farm")
    demo.add_argument("--speed", type=float, default=1.0, help="1 = real time, 60 = a minute a second, 0 = frozen")
    demo.add_argument("--read-only", dest="demo_read_only", action="store_true", help="never send an action")
    demo.add_argument(
        "--no-tui",
        action="store_true",
        help="only serve the farm and print how to connect (the default when not on a terminal)",
    )
    _farm_options(demo)
    demo.add_argument("--grpc-port", type=int, default=None, metavar="PORT", help=_GRPC_HELP)
    demo.set_defaults(func=run_demo)

    gw = sub.add_parser("demo-gateway", help="serve a simulated farm through a gateway-compatible HTTP API")
    gw.add_argument("--host", default=None, help="address to bind (default 127.0.0.1; others only when given)")
    gw.add_argument("--port", type=int, default=8448, help="port (0 picks a free one; default 8448)")
    gw.add_argument(
        "--jwt-secret", default=None, help="JWT secret (visible in ps: prefer env JWT_SECRET; else generated)"
    )
    gw.add_argument("--profile", choices=PROFILES, default="small", help="farm size (default: small)")
    gw.add_argument("--seed", type=int, default=0, help="random seed: same seed, same farm")
    gw.add_argument("--speed", type=float, default=1.0, help="1 = real time, 60 = a minute a second, 0 = frozen")
    _farm_options(gw)
    gw.add_argument("--grpc-port", type=int, default=None, metavar="PORT", help=_GRPC_HELP)
    gw.add_argument(
        "--request-log",
        metavar="FILE",
        default=None,
        help="append one JSON line per request (method, path, status, ms, bytes; no header, no body) to FILE",
    )
    gw.add_argument("--epoch", type=float, default=None, help=argparse.SUPPRESS)
    gw.set_defaults(func=run_demo_gateway)
    from cuetui.commands._common import add_examples

    add_examples(
        sub,
        {
            "demo": (
                "cuetui demo                                     a simulated farm and the monitor on it",
                "cuetui demo --profile studio --speed 60         a bigger farm, a minute a second",
                "cuetui --config my.toml demo --scenario f.json  your theme and keys, a captured farm",
            ),
            "demo-gateway": (
                "JWT_SECRET=dev-secret cuetui demo-gateway --port 8448   (not --jwt-secret: ps shows flags)",
                "JWT_SECRET=dev-secret cuetui --url http://127.0.0.1:8448 jobs     in another shell",
                "cuetui demo-gateway --grpc-port 8443    also as Cuebot: CUEBOT_HOSTS=127.0.0.1:8443 cueadmin -lj",
                "cuetui demo-gateway --request-log calls.jsonl    what a client (CueWeb) asks, call by call",
            ),
        },
    )


def _farm_options(p: argparse.ArgumentParser) -> None:
    """The simulated farm's options that `demo` and `demo-gateway` share (`demo` hands them to its
    gateway child)."""
    p.add_argument("--scenario", metavar="FILE", default=None, help="start from a scenario JSON file")
    p.add_argument(
        "--log-root",
        metavar="DIR",
        default=None,
        help="where frame logs go (default: a temp dir, removed at exit)",
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="SPEC",
        help="latency=S, error-rate=P, html=P, truncate=P, drop=P, down=A-B, cuebot-down=A-B, skew=S (repeatable)",
    )
    p.add_argument("--loki", action="store_true", help="also serve a Loki query API for the frame logs")


def _child_farm_args(args: argparse.Namespace) -> list[str]:
    """`demo`'s farm options as `demo-gateway` arguments."""
    out = ["--profile", args.profile, "--seed", str(args.seed), "--speed", str(args.speed)]
    if args.scenario:
        out += ["--scenario", args.scenario]
    if args.log_root:
        out += ["--log-root", args.log_root]
    for spec in args.fault:
        out += ["--fault", spec]
    if args.loki:
        out.append("--loki")
    return out


def run_demo_gateway(args: argparse.Namespace) -> int:
    """Serve until SIGINT/SIGTERM; the first stdout line is the URL."""
    import asyncio
    import signal

    from cuetui.demo.server import Faults, Gateway, Server, build

    host = args.host or "127.0.0.1"
    try:
        faults = Faults.parse(args.fault)
    except ValueError as err:
        print(f"cuetui demo-gateway: {err}", file=sys.stderr)
        return 2
    if args.scenario and not os.path.exists(args.scenario):
        print(f"cuetui demo-gateway: no such scenario file: {args.scenario}", file=sys.stderr)
        return 2
    if args.grpc_port is not None:
        # gRPC's core logs a bind failure itself; the one-line error below says it (GRPC_VERBOSITY=debug
        # still shows everything).
        os.environ.setdefault("GRPC_VERBOSITY", "NONE")
        # Only with --grpc-port: the plain install has no grpcio.
        try:
            import cuetui.demo.cuebot  # noqa: F401
        except ImportError as err:
            print(f"cuetui demo-gateway: --grpc-port: {err}", file=sys.stderr)
            return 2
    if args.jwt_secret:
        # A command line is world-readable (`ps`, /proc/PID/cmdline); the environment is not.
        print(
            "cuetui demo-gateway: warning: --jwt-secret is visible to every user of this machine in ps; "
            "set JWT_SECRET in the environment instead",
            file=sys.stderr,
            flush=True,
        )
    secret = args.jwt_secret or os.environ.get("JWT_SECRET")
    generated = not secret
    if not secret:
        secret = secrets.token_urlsafe(32)

    import shutil
    import tempfile

    # A log root we create is ours to remove at exit; a given one is the user's.
    own_log_root = None if args.log_root else tempfile.mkdtemp(prefix="cuetui-demo-logs-")
    log_root = args.log_root or own_log_root

    request_log = None
    if args.request_log:
        try:
            request_log = open(args.request_log, "a", encoding="utf-8")  # noqa: SIM115 (closed after main)
        except OSError as err:
            print(f"cuetui demo-gateway: --request-log: {err}", file=sys.stderr)
            return 2

    async def main() -> int:
        import socket

        port = args.port
        if port == 0:
            family = socket.AF_INET6 if _is_v6(host) else socket.AF_INET
            with socket.socket(family) as s:
                s.bind((host, 0))
                port = s.getsockname()[1]
        url_host = f"[{host}]" if _is_v6(host) else host
        url = f"http://{url_host}:{port}"
        try:
            farm = build(
                args.profile,
                args.seed,
                args.speed,
                args.scenario,
                log_root,
                args.epoch,
                faults.skew,
                loki_url=url if args.loki else "",
            )
        except (OSError, ValueError) as err:
            print(f"cuetui demo-gateway: {err}", file=sys.stderr)
            return 2
        gateway = Gateway(farm, secret, faults, loki=args.loki, request_log=request_log)
        server = Server(gateway, host, port, args.grpc_port)
        try:
            await server.start()
        except OSError as err:
            grpc_failed = server.cuebot is not None and server.cuebot.server is None
            await server.stop()
            if grpc_failed:
                print(f"cuetui demo-gateway: --grpc-port: {err}", file=sys.stderr)
            else:
                print(f"cuetui demo-gateway: cannot listen on {host}:{port}: {err}", file=sys.stderr)
            return 1
        print(f"OPENCUE_REST_GATEWAY_URL={server.url}", flush=True)
        if generated:
            print(f"JWT_SECRET={secret}", flush=True)
            print(
                "cuetui demo-gateway: generated a JWT secret (second stdout line); "
                "pass --jwt-secret or JWT_SECRET to choose one",
                file=sys.stderr,
                flush=True,
            )
        if server.cuebot is not None:
            # After the URL and the generated secret: those keep their lines.
            print(f"CUEBOT_ENDPOINT={server.cuebot.endpoint}", flush=True)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        # SIGHUP too: a closed terminal (an SSH drop) hangs up the whole process group, this child of
        # `cuetui demo` included, and the log directory must still be removed.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await server.stop()
        return 0

    try:
        return asyncio.run(main())
    finally:
        if request_log is not None:
            request_log.close()
        if own_log_root is not None:
            shutil.rmtree(own_log_root, ignore_errors=True)


def _is_v6(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).version == 6
    except ValueError:
        return False


def _interactive(args: argparse.Namespace) -> bool:
    """Whether to open the TUI: on a terminal, unless --no-tui."""
    return sys.stdout.isatty() and sys.stdin.isatty() and not getattr(args, "no_tui", False)


def run_demo(args: argparse.Namespace) -> int:
    """Start the simulated gateway as a child process, then the TUI on it (or print how to connect).

    The TUI reads the config as `cuetui` does (theme, bell, keymap, refresh, stuck thresholds, read-only,
    the `--show`/`--user` flags); the farm's URL and credentials come from the simulator."""
    import signal
    import subprocess

    interactive = _interactive(args)
    settings = None
    if interactive:
        from cuetui.config import ConfigError, load_settings

        try:
            settings = load_settings(args)
        except ConfigError as err:
            print(f"cuetui: {err}", file=sys.stderr)
            return 2

    def terminated(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    # SIGTERM must reach the `finally` below that stops the gateway child, or the child is orphaned (the
    # TUI, once running, handles SIGTERM itself and returns normally).
    signal.signal(signal.SIGTERM, terminated)
    secret = secrets.token_urlsafe(32)
    env = dict(os.environ, JWT_SECRET=secret)
    cmd = [sys.executable, "-m", "cuetui", "demo-gateway", "--port", "0", *_child_farm_args(args)]
    grpc_port = getattr(args, "grpc_port", None)
    if grpc_port is not None:
        try:
            import cuetui.demo.cuebot  # noqa: F401
        except ImportError as err:
            print(f"cuetui demo: --grpc-port: {err}", file=sys.stderr)
            return 2
        cmd += ["--grpc-port", str(grpc_port)]
    child = subprocess.Popen(cmd, stdout=subprocess.PIPE, env=env, text=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline().strip()
        if not line.startswith("OPENCUE_REST_GATEWAY_URL="):
            # The child said why on stderr (a bad --fault, a missing --scenario file: exit 2).
            code = child.wait()
            print("cuetui demo: the simulated gateway did not start", file=sys.stderr)
            return code if code else 1
        url = line.split("=", 1)[1]
        endpoint = ""
        if grpc_port is not None:
            endpoint = child.stdout.readline().strip().partition("CUEBOT_ENDPOINT=")[2]
        from cuetui.commands import tui

        read_only = bool(args.demo_read_only or getattr(args, "read_only", None))
        # The TUI needs a terminal; piped (a script, CI) or with --no-tui, serve and say how to connect.
        if interactive:
            return int(tui.run_demo_tui(url, secret, read_only, settings) or 0)
        what = f"scenario {args.scenario}" if args.scenario else f"{args.profile}, seed {args.seed}"
        print(f"Simulated farm ({what}) at {url}")
        print("Connect a client with:")
        print(f"  export OPENCUE_REST_GATEWAY_URL={url}")
        print(f"  export JWT_SECRET={secret}")
        if endpoint:
            print(f"OpenCue's own tools (PyCue, cueadmin, cueman) with: export CUEBOT_HOSTS={endpoint}")
            print(f"The real OpenCue REST gateway with: CUEBOT_ENDPOINT={endpoint}")
        print("Ctrl-C stops it.", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            child.wait()
        return 0
    finally:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
            try:
                child.wait(10)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
