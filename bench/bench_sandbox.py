"""Benchmark: authenticated GET requests per second on ONE sandbox worker, vs a bare endpoint.

    .venv/bin/python bench/bench_sandbox.py [--seconds 2] [--rounds 3] [--connections 16]

Starts the sandbox (1 uvicorn worker, httptools + uvloop) in a subprocess on loopback and drives it from
this process with a small asyncio HTTP/1.1 keep-alive client (uvloop, raw streams: far cheaper per request
than httpx, so the client takes as little of the 2 shared cores as possible). Scenarios run in
interleaved, bounded rounds (1 s warm-up, then ``--seconds``); the best round of each counts:

* bare:    GET /health (no auth, no data layer: the server stack's own ceiling)
* pnauth:  GET /Profiles/v4/ACME_CORP/Programs with PNAUTHINFO3-HMAC-SHA256 (signed fresh every second)
* bearer:  the same with an RS256 Bearer token from the sandbox's token endpoint
* pn-404 / bearer-404: authenticated GET /Profiles/v4/ACME_CORP/NoSuchResource, answered 404 by the data
  layer's router: the full server stack and authentication with (almost) no data-layer work
* authoff: the Programs route with --auth-off on a second sandbox (the data layer's cost without auth)

Ratios are authenticated / bare (target >= 0.7) and authenticated / authoff (the cost of auth alone).

A second part measures the same app in-process (ASGI calls, no sockets, no client) with the data layer
replaced by a constant response: the cost of the server stack plus authentication alone, stable even
on a busy machine.
Every response status is counted; non-200 answers are reported.
Server CPU (from /proc) shows whether the server or this client was the bottleneck.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

from mypref_harness.auth.pnauth import Signer
from mypref_harness.sandbox.process import SandboxHandle, running_sandbox

CLIENT_ID, USER_ID = "ACME_CORP", "John.Doe"
API_PATH = f"/Profiles/v4/{CLIENT_ID}/Programs"
AUTH_ONLY_PATH = f"/Profiles/v4/{CLIENT_ID}/NoSuchResource"


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its reaped children, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


async def _connection(
    host: str,
    port: int,
    path: str,
    header: Callable[[], str | None],
    stop_at: float,
    measure_from: float,
    counts: collections.Counter[int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                return
            auth = header()
            request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n"
            if auth:
                request += f"Authorization: {auth}\r\n"
            writer.write((request + "\r\n").encode("latin-1"))
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            if length:
                await reader.readexactly(length)
            if now >= measure_from:
                counts[status] += 1
    finally:
        writer.close()


def run_scenario(
    sb: SandboxHandle, path: str, header: Callable[[], str | None], seconds: float, connections: int
) -> tuple[float, collections.Counter[int], float]:
    host, port = sb.root_url.removeprefix("http://").rsplit(":", 1)
    counts: collections.Counter[int] = collections.Counter()

    async def main() -> None:
        start = time.perf_counter()
        measure_from, stop_at = start + 1.0, start + 1.0 + seconds
        await asyncio.gather(
            *(
                _connection(host, int(port), path, header, stop_at, measure_from, counts)
                for _ in range(connections)
            )
        )

    cpu_before = _cpu_seconds(sb.pid)
    wall = time.perf_counter()
    try:
        import uvloop

        uvloop.run(main())
    except ImportError:
        asyncio.run(main())
    server_cpu = (_cpu_seconds(sb.pid) - cpu_before) / (time.perf_counter() - wall)
    return sum(counts.values()) / seconds, counts, server_cpu


def _pn_header_factory(api_key: str) -> Callable[[], str | None]:
    signer = Signer(key=api_key, client_id=CLIENT_ID)
    cache: dict[int, str] = {}

    def header() -> str:
        second = int(time.time())
        value = cache.get(second)
        if value is None:
            cache.clear()
            value = cache[second] = signer.header(USER_ID)
        return value

    return header


def _token(sb: SandboxHandle) -> str:
    oauth = sb.tenant(CLIENT_ID)["oauth"]
    response = httpx.post(
        sb.token_url,
        data={"grant_type": "client_credentials", "scope": f"{CLIENT_ID}/{USER_ID}"},
        auth=(oauth["client_id"], oauth["client_secret"]),
    )
    response.raise_for_status()
    return str(response.json()["access_token"])


def _line(name: str, rps: float, counts: collections.Counter[int], cpu: float) -> str:
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(counts.items()))
    return f"  {name:<10} {rps:9.0f} req/s   server CPU {cpu * 100:4.0f} %   statuses {{{statuses}}}"


def inprocess_microseconds(state_dir: Path, n: int = 20_000) -> dict[str, float]:
    """Per-request microseconds of /health and of authenticated API calls, ASGI in-process."""
    from starlette.responses import Response

    from mypref_harness.sandbox.app import create_app
    from mypref_harness.sandbox.settings import SandboxSettings

    class ConstantDataApi:
        async def handle(self, request: object, ctx: object) -> Response:
            return Response(b'{"Programs":[]}', media_type="application/json")

    app = create_app(SandboxSettings(state_dir=state_dir).with_port(8000), data_api=ConstantDataApi())
    state = app.state.sandbox
    tenant = state.tenants.get(CLIENT_ID)
    token = state.issuer.issue(tenant.oauth_clients[0], f"{CLIENT_ID}/{USER_ID}")["access_token"]
    pn = _pn_header_factory(tenant.api_key)

    def scope(path: str, auth: str | None) -> dict[str, object]:
        headers = [(b"host", b"127.0.0.1:8000")] + ([(b"authorization", auth.encode())] if auth else [])
        return {
            "type": "http",
            "method": "GET",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "headers": headers,
            "http_version": "1.1",
            "scheme": "http",
            "root_path": "",
            "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 1),
        }

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: object) -> None:
        return None

    async def per_call(path: str, header: Callable[[], str | None]) -> float:
        for _ in range(n // 10):  # warm-up
            await app(scope(path, header()), receive, send)
        start = time.perf_counter()
        for _ in range(n):
            await app(scope(path, header()), receive, send)
        return (time.perf_counter() - start) / n * 1e6

    async def run() -> dict[str, float]:
        return {
            "bare": await per_call("/health", lambda: None),
            "pnauth": await per_call(API_PATH, pn),
            "bearer": await per_call(API_PATH, lambda: f"Bearer {token}"),
        }

    return asyncio.run(run())


def _best_of(
    sb: SandboxHandle,
    scenarios: list[tuple[str, str, Callable[[], str | None]]],
    args: argparse.Namespace,
    results: dict[str, float],
) -> None:
    """Interleaved rounds, best round per scenario: on a shared machine, other load only ever lowers
    a figure, so the best of several short interleaved rounds is the least disturbed one."""
    rounds: dict[str, list[tuple[float, collections.Counter[int], float]]] = {n: [] for n, _, _ in scenarios}
    for _ in range(args.rounds):
        for name, path, header in scenarios:
            rounds[name].append(run_scenario(sb, path, header, args.seconds, args.connections))
    for name, runs in rounds.items():
        rps, counts, cpu = max(runs, key=lambda run: run[0])
        results[name] = rps
        spread = f"rounds {min(r[0] for r in runs):.0f}..{rps:.0f}"
        print(_line(name, rps, counts, cpu) + f"   ({spread})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="measured seconds per round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best one counts")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    results: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-sandbox-") as tmp:
        state = Path(tmp) / "state"
        print(
            f"bench_sandbox: 1 worker, {args.connections} keep-alive connections, best of {args.rounds} "
            f"interleaved rounds of {args.seconds:.0f} s (after 1 s warm-up each), loopback only"
        )
        with running_sandbox(state_dir=state, db_path=Path(tmp) / "bench.db") as sb:
            api_key = sb.tenant(CLIENT_ID)["api_key"]
            token = _token(sb)
            _best_of(
                sb,
                [
                    ("bare", "/health", lambda: None),
                    ("pnauth", API_PATH, _pn_header_factory(api_key)),
                    ("bearer", API_PATH, lambda: f"Bearer {token}"),
                    ("pn-404", AUTH_ONLY_PATH, _pn_header_factory(api_key)),
                    ("bearer-404", AUTH_ONLY_PATH, lambda: f"Bearer {token}"),
                ],
                args,
                results,
            )
        with running_sandbox(
            state_dir=state, db_path=Path(tmp) / "bench.db", extra_args=["--auth-off"]
        ) as sb:
            _best_of(sb, [("authoff", API_PATH, lambda: None)], args, results)
        micros = inprocess_microseconds(state)
    print("  ratios (target: authenticated / bare >= 0.7)")
    for name in ("pnauth", "bearer", "pn-404", "bearer-404"):
        ratio = results[name] / results["bare"]
        print(f"    {name + '/bare':<16} = {ratio:.2f}  ({'meets' if ratio >= 0.7 else 'BELOW'} 0.7)")
    for name in ("pnauth", "bearer"):
        print(f"    {name + '/authoff':<16} = {results[name] / results['authoff']:.2f}  (cost of auth alone)")
    print("in-process, data layer replaced by a constant response (server stack + auth only):")
    for name, value in micros.items():
        print(f"  {name:<10} {value:7.1f} us/request  = {1e6 / value:8.0f} req/s on one core")
    for name in ("pnauth", "bearer"):
        ratio = micros["bare"] / micros[name]
        print(f"    {name + '/bare':<16} = {ratio:.2f}  ({'meets' if ratio >= 0.7 else 'BELOW'} 0.7)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
