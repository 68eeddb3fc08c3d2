"""`mypref-harness discover`: measure the target's profile once and write it (mypref-profile.toml).

The discovery probes (naive timestamp zone, UserId encodings, window, future tolerance, basic-format
timestamps, token lifetime, bearer challenge), the create and state-conflict statuses, and the route
check of a short positive contract run. Pin the file; ``--profile`` on gate/contract/auth-conformance
then reports every drift. Format and rules: docs/profile.md.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from mypref_harness.commands.options import add_target_options, load_cli_target, sandbox_options
from mypref_harness.profile import DEFAULT_PROFILE_FILE, FACTS, TargetProfile, show

ROUTE_CHECK_PHASES = ("examples", "fuzzing")  # positive requests are all the route check needs


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "discover",
        help="measure the target's behaviour where the docs are silent and write a profile to pin",
        description="Runs the discovery probes, the create/state-conflict status probes and a short "
        "positive contract run for the route check, then writes the target profile (TOML, no "
        "secrets). With no MYPREF_BASE_URL the embedded sandbox is profiled. Exit 0 written, "
        "2 usage/configuration, 3 unreachable.",
    )
    add_target_options(p)
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        default=Path(DEFAULT_PROFILE_FILE),
        help=f"where the profile goes (default {DEFAULT_PROFILE_FILE})",
    )
    p.add_argument(
        "--no-routes", dest="routes", action="store_false", help="skip the route check (no contract run)"
    )
    p.add_argument(
        "-n",
        "--max-examples",
        type=int,
        default=2,
        metavar="N",
        help="examples per operation in the route check (default 2)",
    )
    p.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports/discover"),
        help="where the route check's contract reports go (default reports/discover)",
    )
    p.add_argument("--slow", action="store_true", help="wait for the access token to expire to measure it")
    p.add_argument(
        "--sandbox-profile",
        type=Path,
        default=None,
        metavar="TOML",
        help="embedded sandbox only: start it with `sandbox --profile TOML`",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mypref_harness.embedded import resolved_target
    from mypref_harness.errors import ConfigError
    from mypref_harness.profile import save_profile
    from mypref_harness.profile_measure import measure_profile

    if args.max_examples < 1:
        raise ConfigError("--max-examples must be at least 1")
    target = load_cli_target(args)  # --spec (the route check's spec) is read there, as on every command
    if args.sandbox_profile and not target.is_embedded:
        raise ConfigError("--sandbox-profile only applies to the embedded sandbox (MYPREF_BASE_URL is set)")
    with resolved_target(target, **discover_sandbox_options(args)) as live:
        print(f"discover: probing {live.base_url} (client {live.client_id}, auth {live.auth})", flush=True)
        routes = route_check(live, args) if args.routes else None
        profile = measure_profile(live, routes=routes, slow=args.slow)
    save_profile(profile, args.output)
    print_profile(profile)
    print(f"discover: wrote {args.output}")
    return 0


def discover_sandbox_options(args: argparse.Namespace) -> dict[str, Any]:
    """The shared sandbox options, plus ``sandbox --profile`` for --sandbox-profile."""
    started = sandbox_options(args)
    if args.sandbox_profile:
        started["extra_args"] = ("--profile", str(Path(args.sandbox_profile).resolve()))
    return started


def route_check(target: Any, args: argparse.Namespace) -> Any:
    """The route table of a short positive contract run (None, with a note, when it has none)."""
    from mypref_harness.contract.options import ContractOptions
    from mypref_harness.contract.runner import run_contract
    from mypref_harness.profile_measure import routes_from_verdicts

    print("discover: route check (positive contract run) ...", flush=True)
    result = run_contract(
        target,
        ContractOptions(
            max_examples=args.max_examples,
            phases=ROUTE_CHECK_PHASES,
            mode="positive",
            auth_conformance=False,
            scenarios=False,
            report_dir=args.report_dir,
        ),
    )
    routes = routes_from_verdicts(result.routes)
    if routes is None:
        print("discover: the contract run produced no route table: routes are not pinned")
    return routes


def print_profile(profile: TargetProfile) -> None:
    width = max(len(spec.name) for spec in FACTS)
    for spec in FACTS:
        print(f"  {spec.name:{width}}  {show(profile.value(spec.name))}")
    if profile.confirmed_routes is not None:
        print(
            f"  {'routes':{width}}  {len(profile.confirmed_routes)} confirmed, "
            f"{len(profile.not_found_routes)} not found"
        )
