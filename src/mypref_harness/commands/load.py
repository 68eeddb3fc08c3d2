"""`mypref-harness load`: run the Locust load suite against the configured target and gate on SLOs."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from typing import Any

from mypref_harness.commands.options import (
    add_config_option,
    add_guard_options,
    add_missing_roles_option,
    add_sandbox_defect_option,
    add_spec_option,
    announce_target,
    sandbox_options,
    target_from_args,
)
from mypref_harness.errors import ConfigError


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "load",
        help="load test the target with Locust (shapes, SLO gate, reports)",
        description=(
            "Load test the configured target (default: the embedded sandbox on loopback) with Locust. "
            "Exit 0 when every SLO holds and no acknowledged write was lost, 1 on a breach, 2 on bad "
            "input or configuration, 3 when the target cannot be reached, 4 when Locust ran out of time "
            "(--timeout), 143 on SIGTERM (partial summary marked incomplete)."
        ),
    )
    load = p.add_argument_group("load")
    load.add_argument("--shape", metavar="NAME", help="smoke | ramp | spike | soak (default: plain -u/-r/-t)")
    load.add_argument("-u", "--users", type=int, help="(peak) number of users (default 5)")
    load.add_argument("-r", "--spawn-rate", type=float, help="users started per second (default 5)")
    load.add_argument("-t", "--duration", help="run time, e.g. 15s, 2m, 1h30m (default 15s)")
    load.add_argument("--think-time", metavar="MIN:MAX", help="seconds between a user's tasks (all users)")
    load.add_argument("--scenario", metavar="FILE", help="TOML with user weights, task weights, think times")
    add_missing_roles_option(load)
    gate = p.add_argument_group("gate and reports")
    gate.add_argument("--slo", metavar="FILE", help="SLO file (default loadtests/slo.toml)")
    gate.add_argument(
        "--verify-writes",
        default="all",
        metavar="all|off|N",
        help="read back every acknowledged write (all), none, or a random sample of N",
    )
    gate.add_argument("--report-dir", default="reports/load", help="where reports go (default reports/load)")
    gate.add_argument(
        "--timeout", type=float,
        help="stop Locust after this many seconds: exit 4, incomplete (default: run time + 60)"
    )
    gate.add_argument("--echo", action="store_true", help="show Locust's own output")
    dist = p.add_argument_group("processes and distribution")
    dist.add_argument("--processes", type=int, default=1, help="Locust processes on this machine (forked)")
    dist.add_argument(
        "--distributed-local",
        type=int,
        default=0,
        metavar="N",
        help="a master and N worker processes on this machine, all on 127.0.0.1",
    )
    dist.add_argument("--master", action="store_true", help="run a master that waits for --expect-workers")
    dist.add_argument("--expect-workers", type=int, default=1, metavar="N")
    dist.add_argument(
        "--master-bind-host",
        default="127.0.0.1",
        help="address the master listens on (default 127.0.0.1; use 0.0.0.0 for remote workers)",
    )
    dist.add_argument("--master-port", type=int, default=5557, help="master port (default 5557)")
    dist.add_argument("--worker", action="store_true", help="run a worker for a master elsewhere")
    dist.add_argument("--master-host", default="127.0.0.1", help="where the worker finds the master")
    ui = p.add_argument_group("interactive")
    ui.add_argument("--web", action="store_true", help="Locust's web UI instead of a headless run")
    ui.add_argument("--web-host", default="127.0.0.1")
    ui.add_argument("--web-port", type=int, default=8089)
    target = p.add_argument_group("target")
    add_config_option(target)
    add_spec_option(target)
    target.add_argument("--auth", choices=("pnauth", "oauth"), help="override the configured auth scheme")
    add_guard_options(target)
    sandbox = p.add_argument_group("embedded sandbox (when no target is configured)")
    add_sandbox_defect_option(sandbox)
    sandbox.add_argument("--sandbox-token-lifetime", type=int, metavar="S", help="access token lifetime")
    sandbox.add_argument(
        "--sandbox-arg",
        action="append",
        default=[],
        metavar="ARG",
        help="extra argument for `mypref-harness sandbox` (repeatable), e.g. --sandbox-arg=--workers=2",
    )
    bench = p.add_argument_group("benchmarking")
    bench.add_argument(
        "--auth-off",
        action="store_true",
        help="send no Authorization header (only against a sandbox started with --auth-off)",
    )
    bench.add_argument("--token-refresh-margin", type=float, metavar="S", help=argparse.SUPPRESS)
    bench.add_argument("--token-jitter", type=float, metavar="S", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def options_from_args(args: argparse.Namespace) -> Any:
    from mypref_harness.load import LoadOptions

    started = sandbox_options(args)
    if args.sandbox_token_lifetime is not None:
        started["token_lifetime"] = args.sandbox_token_lifetime
    extra = list(args.sandbox_arg)
    if args.auth_off:
        extra.append("--auth-off")
    if extra:
        started["extra_args"] = tuple(extra)
    if args.master and args.distributed_local:
        raise ConfigError("--master and --distributed-local exclude each other")
    if args.worker and (args.master or args.distributed_local):
        raise ConfigError("--worker cannot be combined with --master or --distributed-local")
    return LoadOptions(
        shape=args.shape,
        users=args.users,
        spawn_rate=args.spawn_rate,
        duration=args.duration,
        slo_file=args.slo,
        processes=args.processes,
        distributed_local=args.distributed_local,
        master=args.master,
        expect_workers=args.expect_workers,
        worker=args.worker,
        master_host=args.master_host,
        master_port=args.master_port,
        master_bind_host=args.master_bind_host,
        web=args.web,
        web_host=args.web_host,
        web_port=args.web_port,
        report_dir=args.report_dir,
        scenario_file=args.scenario,
        think_time=args.think_time,
        verify_writes=args.verify_writes,
        allow_production=args.allow_production,
        allow_missing_roles=args.allow_missing_roles,
        auth_off=args.auth_off,
        token_refresh_margin=args.token_refresh_margin,
        token_jitter=args.token_jitter,
        sandbox_options=started,
        timeout=args.timeout,
        echo=args.echo,
    )


def run(args: argparse.Namespace) -> int:
    from mypref_harness.load import run_load
    from mypref_harness.load.slo import format_table

    options = options_from_args(args)
    target = target_from_args(args)
    if args.auth:
        target = dataclasses.replace(target, auth=args.auth)
    if not options.worker:
        announce_target("load", target)
    if options.master and options.master_bind_host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"note: the master listens on {options.master_bind_host}:{options.master_port}; "
            "open that port to your workers only (see docs/load.md)",
            file=sys.stderr,
        )
    if options.web:
        print(f"load: Locust's web UI will be at http://{options.web_host}:{options.web_port}/ once the "
              "target is checked (Ctrl-C ends the run and writes the reports)", flush=True)
    from mypref_harness.progress import Ticker

    with Ticker("load", every=5.0):  # users, req/s, p95, failures while it runs
        result = run_load(target, options)
    if options.worker:
        print(f"load worker: {result.message}")
        return result.exit_code
    verdict = "PASSED" if result.passed else "FAILED"
    p95 = f"{result.p95_ms:g} ms" if result.p95_ms is not None else "-"
    print(
        f"load {verdict}: {result.requests} requests, {result.failures} failures "
        f"({result.fail_ratio:.2%}), {result.throttled} throttled (429), {result.rps:.1f} req/s, p95 {p95}, "
        f"{result.token_requests} token requests, {result.processes} load process(es)"
    )
    if result.breaches:
        print("\nSLO breaches:")
        print(format_table(result.breaches))
    if result.integrity is not None:
        print(result.integrity.summary_line())
    if result.left_out:
        print(f"scenarios {result.left_out}")
    if not result.passed and result.message:
        print(f"why: {result.message}")
    print(
        f"reports: {result.report_dir} (summary.md, summary.json, junit-slo.xml, locust.html, locust_*.csv)"
    )
    return result.exit_code
