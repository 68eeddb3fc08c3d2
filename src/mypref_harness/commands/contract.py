"""`mypref-harness contract`: Schemathesis conformance + read-back scenarios + auth conformance."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from mypref_harness.commands.options import (
    add_budget_options,
    add_missing_roles_option,
    add_profile_option,
    add_target_options,
    add_verdict_options,
    budget_from_args,
    comma_separated,
    load_cli_target,
    sandbox_options,
)
from mypref_harness.errors import ConfigError

if TYPE_CHECKING:
    from mypref_harness.budget import Budget
    from mypref_harness.config import Target


def register(subparsers: argparse._SubParsersAction) -> None:
    from mypref_harness.contract.options import ALL_PHASES, DEFAULT_REPORT_DIR

    p = subparsers.add_parser(
        "contract",
        help="run the contract suite (Schemathesis, read-back scenarios, auth conformance)",
        description="Schemathesis conformance of the target against the OpenAPI spec (all phases, "
        "positive and negative data, built-in and MyPreferences-specific checks), read-back scenarios "
        "for data behaviour, and the live auth-conformance checks. With no MYPREF_BASE_URL the embedded "
        "sandbox is started. Exit 0 pass, 1 findings, 2 usage/configuration, 3 unreachable, 4 out of time "
        "(--timeout).",
    )
    add_target_options(p)
    p.add_argument(
        "-n",
        "--max-examples",
        type=int,
        default=20,
        metavar="N",
        help="examples per operation in the fuzzing phase (default 20)",
    )
    p.add_argument(
        "--seed", type=int, default=None, help="random seed (default: random, printed in the summary)"
    )
    p.add_argument(
        "--operations",
        action="append",
        default=[],
        metavar="SEL",
        help="only these operations: operationIds or regexes over 'METHOD /path' (comma-separated, "
        "repeatable)",
    )
    p.add_argument(
        "--exclude-operations",
        action="append",
        default=[],
        metavar="SEL",
        help="skip these operations (same syntax)",
    )
    p.add_argument(
        "--phases",
        type=comma_separated,
        default=list(ALL_PHASES),
        help=f"comma-separated subset of {','.join(ALL_PHASES)} (default: all)",
    )
    p.add_argument(
        "--mode",
        choices=("positive", "negative", "all"),
        default="all",
        help="test data: valid, invalid or both (default all)",
    )
    add_verdict_options(
        p,
        strict_help="our assumptions are the truth: undeclared response fields fail and every finding fails, "
        "assumption and practice included (default on the embedded sandbox)",
        lenient_help="allow undeclared response fields; only documented and catalog findings fail, the "
        "others warn (default on a configured target)",
        policy_help='TOML verdict policy: strict = true|false and [checks] <name> = "fail"|"warn" '
        "(names as in --list-checks)",
    )
    p.add_argument(
        "--list-checks",
        action="store_true",
        help="list every check with its basis (documented ones with the quoted sentence) and exit",
    )
    p.add_argument(
        "--checks", type=comma_separated, default=[], help="run only these checks (comma-separated)"
    )
    p.add_argument(
        "--exclude-checks", type=comma_separated, default=[], help="skip these checks (comma-separated)"
    )
    p.add_argument(
        "--report-dir",
        type=Path,
        default=DEFAULT_REPORT_DIR,
        help=f"where reports go (default {DEFAULT_REPORT_DIR})",
    )
    p.add_argument("--html", action="store_true", help="also write Schemathesis's HTML report")
    p.add_argument(
        "--keep-events",
        action="store_true",
        help="keep Schemathesis's NDJSON event stream (large; scrubbing it takes a while)",
    )
    p.add_argument(
        "--no-auth-conformance",
        dest="auth_conformance",
        action="store_false",
        help="skip the auth-conformance checks",
    )
    p.add_argument(
        "--no-scenarios",
        dest="scenarios",
        action="store_false",
        help="skip the read-back scenarios (they create and delete a few profiles)",
    )
    add_missing_roles_option(p)
    p.add_argument(
        "--scenario-updates",
        type=int,
        default=100,
        metavar="N",
        help="updates in the durability scenario (default 100)",
    )
    add_budget_options(
        p,
        rate_help="request rate of Schemathesis and of our own requests, e.g. 10/s (default: none on "
        "loopback, 20/s elsewhere)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help="Schemathesis workers (default: 1 on loopback; elsewhere rate x measured round trip, 1..16)",
    )
    p.add_argument("--slow", action="store_true", help="wait for the access token to expire to test expiry")
    p.add_argument(
        "--timeout",
        type=float,
        default=1800.0,
        metavar="S",
        help="stop Schemathesis after this many seconds: exit 4, no verdict (default 1800)",
    )
    p.add_argument("-v", "--verbose", action="store_true", help="show Schemathesis's own output")
    add_profile_option(p)
    p.set_defaults(func=run)


def print_check_catalog(out: Callable[[str], None] = print) -> None:
    from mypref_harness.contract.verdicts import check_catalog

    for check in check_catalog():
        out(f"{check.name:32} [{check.kind}] {check.text}")
        out(f"{'':32}   basis: {check.basis}")


def own_budget(target: Target, rate_limit: str | None, requests: int | None, seconds: float | None) -> Budget:
    """The run's budget (0 or None: unlimited) and the pace of its in-process requests (scenarios, route
    probes, auth conformance): the rate Schemathesis gets, so that one setting governs every request."""
    from mypref_harness.budget import DEFAULT_REMOTE_RATE_LIMIT, Budget, rate_of
    from mypref_harness.guards import is_loopback

    if rate_limit is None and not target.is_embedded and not is_loopback(target.base_url or ""):
        rate_limit = DEFAULT_REMOTE_RATE_LIMIT
    return Budget(requests or None, seconds or None, rate=rate_of(rate_limit))


def run(args: argparse.Namespace) -> int:
    from mypref_harness.budget import spending
    from mypref_harness.contract.console import print_contract
    from mypref_harness.contract.options import ContractOptions
    from mypref_harness.contract.runner import run_contract

    if args.list_checks:
        print_check_catalog()
        return 0
    if args.max_examples < 1:
        raise ConfigError("--max-examples must be at least 1")
    rate_limit, budget_requests, budget_time_s = budget_from_args(args)
    target = load_cli_target(args)
    budget = own_budget(target, rate_limit, budget_requests, budget_time_s)
    # A time budget caps the requests too: what fits in it at the rate (Budget.paced_share).
    budget_requests, budget_time_s = budget.paced_share("contract")
    options = ContractOptions(
        max_examples=args.max_examples,
        seed=args.seed,
        operations=args.operations,
        exclude_operations=args.exclude_operations,
        phases=args.phases,
        mode=args.mode,
        strict=args.strict,
        policy_file=args.policy,
        report_dir=args.report_dir,
        workers=args.workers,
        checks=args.checks,
        exclude_checks=args.exclude_checks,
        auth_conformance=args.auth_conformance,
        scenarios=args.scenarios,
        scenario_updates=args.scenario_updates,
        allow_missing_roles=args.allow_missing_roles,
        html=args.html,
        rate_limit=rate_limit,
        budget_requests=budget_requests,
        budget_time_s=budget_time_s,
        slow=args.slow,
        timeout_s=args.timeout,
        quiet=not args.verbose,
        keep_events=args.keep_events,
        sandbox_options=sandbox_options(args),
    )
    from mypref_harness.profile_measure import contract_with_profile, pinned_profile
    from mypref_harness.progress import Ticker

    pinned = pinned_profile(args.profile, target)
    # operations, cases, failing operations, rate while it runs; our own requests paced like Schemathesis's
    with Ticker("contract", every=10.0), spending(budget, "contract"):
        if pinned is None:
            result = run_contract(target, options)
        else:
            result = contract_with_profile(target, options, pinned)
    print_contract(result)
    return result.exit_code
