"""A simulated OpenCue farm behind an OpenCue-REST-Gateway-compatible HTTP server.

Try it (the first stdout line is the URL; a generated secret is the second line)::

    cuetui demo-gateway --profile small --port 8448 --jwt-secret s3cret &
    TOKEN=$(python -c 'import jwt; print(jwt.encode({"sub": "me"}, "s3cret", algorithm="HS256"))')
    curl -H "Authorization: Bearer $TOKEN" -X POST http://127.0.0.1:8448/show.ShowInterface/GetShows -d '{}'

Options: ``--profile small|studio|huge``, ``--seed N`` (same seed, same farm), ``--speed X`` (1 = real
time, 0 = frozen: no dispatch, no random events, but client actions still apply), ``--scenario FILE``
(format in `cuetui.demo.scenario`), ``--log-root DIR`` (frame logs), ``--fault SPEC`` (repeatable,
comma-separated: ``latency=S``, ``error-rate=P``, ``html=P``, ``truncate=P``, ``drop=P``, ``down=A-B``
seconds of uptime, ``cuebot-down=A-B`` (the gateway up but Cuebot not: 503 code 14, as the real gateway
answers), ``skew=S`` seconds added to the farm clock), ``--loki`` (a Loki query API for the
logs, shapes in `cuetui.demo.server`).

Modules: `farm` (state, scheduler, query API for tests), `profiles` (generated farms), `scenario`
(JSON snapshots), `actions` (Cuebot's action semantics), `queries` (search criteria), `schema` (request
decoding as the Go gateway does it), `serialize` + `wire` (Go protojson output), `jwtcheck` (the
gateway's JWT middleware), `logs` (RQD-style log files, Loki streams), `server` (aiohttp, faults,
`DemoGatewayThread` for tests), `ids` (deterministic UUIDs).
"""
