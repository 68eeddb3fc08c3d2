"""Load-suite benchmark, measured in one run (prints figures and ratios; asserts nothing).

1. Locust CPU time per 1000 requests with our auth (PNAUTHINFO3 per request, OAuth shared token)
   vs the same scenario with auth off. Target: <= 1.05x. All three runs hit ONE sandbox started
   with --auth-off (it ignores Authorization headers), so the server behaves identically and the
   difference is the client-side cost of our auth. Runs are interleaved and repeated; the median
   per scheme is reported.
2. Requests per second on the sandbox (auth on, PNAUTHINFO3, no think time) with --processes 1 and 2.

CPU is what the Locust processes report (process_time from test start), summed over processes.
Usage: .venv/bin/python bench/bench_load.py [--seconds 12] [--repeats 2] [--users 20]
"""

from __future__ import annotations

import argparse
import dataclasses
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from mypref_harness.config import Target
from mypref_harness.embedded import target_for_sandbox
from mypref_harness.load import LoadOptions, LoadResult, run_load
from mypref_harness.sandbox.process import running_sandbox


def measured_run(target: Target, options: LoadOptions) -> tuple[LoadResult, float]:
    """The run and the CPU seconds its load-generating processes used while the test ran.

    Each Locust process reports process_time() from test start to its last report, so interpreter
    start-up and imports (about a second per process) do not blur the per-request figure.
    """
    result = run_load(target, options)
    cpu = [c.get("cpu_s") for c in result.process_counters]
    if not cpu or any(c is None for c in cpu):
        raise SystemExit(f"no CPU figures from the Locust processes in {result.report_dir}")
    return result, float(sum(cpu))


class _Response:
    status_code = 200
    text = "{}"

    def __init__(self) -> None:
        self.headers: dict[str, str] = {}
        self.request_meta: dict[str, str] = {}

    def __enter__(self) -> _Response:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def success(self) -> None:
        return None

    def failure(self, message: str) -> None:
        return None


class _NullClient:
    """A Locust-client stand-in that answers at once: isolates the cost of our request path."""

    def request(self, *args: object, **kwargs: object) -> _Response:
        return _Response()


def auth_path_cost(target_pn: Target, target_oauth: Target, n: int = 20000) -> dict[str, float]:
    """Microseconds of CPU per request spent in our send() path, per auth scheme (no network)."""
    from mypref_harness.auth.oauth import TokenSource
    from mypref_harness.credentials import pnauth_for
    from mypref_harness.load.locust_auth import NoAuth, PnAuthHeaders, SharedBearer, send

    def post(url: str, data: dict[str, str], headers: dict[str, str]) -> tuple[int, object, dict[str, str]]:
        return 200, {"access_token": "x" * 900, "token_type": "Bearer", "expires_in": 3600}, {}

    schemes = {
        "off": NoAuth(),
        "pnauth": PnAuthHeaders(pnauth_for(target_pn)),
        "oauth": SharedBearer(TokenSource(str(target_oauth.token_url), "cid", "secret", "A/B", post=post)),
    }
    client = _NullClient()
    costs = {}
    for name, auth in schemes.items():
        send(client, auth, "GET", "/ACME_CORP/Profile/1001", "lookup: GET /x")  # warm (token fetch)
        start = time.process_time()
        for _ in range(n):
            send(client, auth, "GET", "/ACME_CORP/Profile/1001", "lookup: GET /x")
        costs[name] = 1e6 * (time.process_time() - start) / n
    return costs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--users", type=int, default=20)
    args = parser.parse_args()
    # SIGTERM (CI cancel, timeout) unwinds normally, so sandboxes and Locust groups are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    state = work / "state"
    common = dict(
        users=args.users,
        spawn_rate=args.users,
        duration=f"{args.seconds}s",
        verify_writes="off",
        slo_file=None,
        html=False,
    )

    print(f"== Locust CPU per 1000 requests, {args.users} users, no think time, {args.seconds} s per run")
    cpu_per_k: dict[str, list[float]] = {"off": [], "pnauth": [], "oauth": []}
    rps: dict[str, list[float]] = {k: [] for k in cpu_per_k}
    with running_sandbox(extra_args=["--auth-off"], state_dir=state) as sandbox:
        for rep in range(args.repeats):
            for scheme in ("off", "pnauth", "oauth"):
                target = target_for_sandbox(
                    Target(auth="oauth" if scheme == "oauth" else "pnauth"),
                    sandbox.credentials,
                    root_url=sandbox.root_url,
                )
                target = dataclasses.replace(target, sandbox_root_url=None)  # a configured target
                options = LoadOptions(
                    **common,
                    think_time="0.02:0.05",
                    auth_off=scheme == "off",
                    report_dir=work / f"cpu-{scheme}-{rep}",
                )
                result, cpu = measured_run(target, options)
                per_k = 1e6 * cpu / max(1, result.requests)  # ms of CPU per 1000 requests
                cpu_per_k[scheme].append(per_k)
                rps[scheme].append(result.rps)
                print(
                    f"  run {rep + 1} {scheme:7s} requests {result.requests:6d}  "
                    f"failures {result.failures:3d}  rps {result.rps:7.1f}  "
                    f"locust CPU {cpu:6.2f} s  = {per_k:6.1f} ms / 1000 requests"
                )
        pn_target = target_for_sandbox(Target(auth="pnauth"), sandbox.credentials, root_url=sandbox.root_url)
        oauth_target = target_for_sandbox(
            Target(auth="oauth"), sandbox.credentials, root_url=sandbox.root_url
        )
    base = statistics.median(cpu_per_k["off"])
    print("\n  scheme   median CPU ms/1000 req   ratio vs auth off   median rps")
    for scheme in ("off", "pnauth", "oauth"):
        med = statistics.median(cpu_per_k[scheme])
        print(f"  {scheme:7s}  {med:22.1f}   {med / base:17.3f}x   {statistics.median(rps[scheme]):10.1f}")
    print("  target: <= 1.05x")
    costs = auth_path_cost(pn_target, oauth_target)
    print("\n  our request path alone (send() + auth, no network), CPU per request:")
    for scheme in ("off", "pnauth", "oauth"):
        extra = costs[scheme] - costs["off"]
        ratio = (base + extra) / base  # base is ms per 1000 requests = us per request
        print(
            f"  {scheme:7s}  {costs[scheme]:6.1f} us  (+{extra:5.1f} us vs off)  "
            f"=> expected Locust CPU ratio {ratio:.3f}x at {base:.0f} us per request"
        )

    print(f"\n== Requests per second on the sandbox (auth on, pnauth, no think time, {args.users} users)")
    with running_sandbox(state_dir=state) as sandbox:
        target = dataclasses.replace(
            target_for_sandbox(Target(auth="pnauth"), sandbox.credentials, root_url=sandbox.root_url),
            sandbox_root_url=None,
        )
        for processes in (1, 2):
            start = time.monotonic()
            options = LoadOptions(
                **common, think_time="0:0", processes=processes, report_dir=work / f"rps-{processes}"
            )
            result, cpu = measured_run(target, options)
            wall = time.monotonic() - start
            print(
                f"  --processes {processes}: {result.rps:7.1f} req/s  ({result.requests} requests, "
                f"{result.failures} failures, p95 {result.p95_ms} ms, locust CPU {cpu:.1f} s "
                f"= {100 * cpu / max(1e-9, result.duration_s):.0f}% of one core over the run, "
                f"wall {wall:.0f} s)"
            )
    print(f"\nreports under {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
