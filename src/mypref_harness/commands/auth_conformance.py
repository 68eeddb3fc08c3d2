"""`mypref-harness auth-conformance`: live checks that auth behaves exactly as documented, plus probes."""

from __future__ import annotations

import argparse
from pathlib import Path

from mypref_harness.basis import VerdictPolicy
from mypref_harness.commands.options import (
    add_profile_option,
    add_target_options,
    add_verdict_options,
    comma_separated,
    load_cli_target,
    load_policy_file,
    sandbox_options,
)
from mypref_harness.config import Target


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "auth-conformance",
        help="check PNAUTHINFO3 and OAuth behaviour against the docs (and probe what they leave open)",
        description="Each check is reported by name with pass/fail and evidence (status, WWW-Authenticate, "
        "Message; never a signature or token). Discovery probes report measured facts. With no "
        "MYPREF_BASE_URL the embedded sandbox is started. Every check has a basis (documented, catalog, "
        "assumption, practice): by default documented and catalog findings fail, the others warn; "
        "--strict (the default on the embedded sandbox) fails them all. Answers that decide nothing "
        "(5xx, 429, timeouts) are retried, then leave the check errored and the fact undetermined. "
        "Exit 0 pass, 1 findings, 2 usage, 3 unreachable or unhealthy (some verdict could not be decided).",
    )
    add_target_options(p)
    p.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports/auth-conformance"),
        help="where reports go (default reports/auth-conformance)",
    )
    p.add_argument(
        "--only",
        type=comma_separated,
        default=[],
        metavar="IDS",
        help="run only these check ids (comma-separated; add 'probes' for the probes); see --list",
    )
    p.add_argument("--no-probes", dest="probes", action="store_false", help="skip the discovery probes")
    p.add_argument(
        "--pnauth-window",
        type=int,
        default=900,
        metavar="S",
        help="the client's PNAUTHINFO3 expiry window in seconds (default 900)",
    )
    p.add_argument(
        "--foreign-client-id",
        default=None,
        metavar="CLIENT",
        help="another tenant's ClientId for the cross-tenant checks (sandbox: a demo tenant)",
    )
    p.add_argument("--slow", action="store_true", help="wait for the access token to expire to test expiry")
    add_profile_option(p)
    add_verdict_options(
        p,
        strict_help="every finding fails, assumption and practice included (default on the embedded sandbox)",
        lenient_help="only documented and catalog findings fail, the others warn (default on a configured "
        "target)",
        policy_help='TOML verdict policy: strict = true|false and [checks] <id> = "fail"|"warn" (see --list)',
    )
    p.add_argument(
        "--list", action="store_true", help="list the checks: id, title, basis (with the quoted sentence)"
    )
    p.set_defaults(func=run)


def verdict_policy(args: argparse.Namespace, target: Target) -> VerdictPolicy | None:
    """The policy the options ask for; None lets the run choose by target (strict on the sandbox)."""
    strict = target.is_embedded if args.strict is None else args.strict
    if args.policy is not None:
        return load_policy_file(args.policy, strict=strict)
    return None if args.strict is None else VerdictPolicy(strict=args.strict)


def run(args: argparse.Namespace) -> int:
    from mypref_harness.contract.auth_conformance.catalog import ALL_CHECKS
    from mypref_harness.contract.auth_conformance.probe import ConformanceOptions
    from mypref_harness.contract.auth_conformance.run import run_auth_conformance
    from mypref_harness.contract.console import print_check_list, print_conformance

    if args.list:
        print_check_list(ALL_CHECKS)
        return 0
    target = load_cli_target(args)
    policy = verdict_policy(args, target)
    options = ConformanceOptions(
        report_dir=args.report_dir,
        slow=args.slow,
        pnauth_window=args.pnauth_window,
        probes=args.probes,
        only=args.only,
        foreign_client_id=args.foreign_client_id,
        sandbox_options=sandbox_options(args),
        policy=policy,
    )
    from mypref_harness.profile_measure import conformance_with_profile, pinned_profile

    pinned = pinned_profile(args.profile, target)
    if pinned is None:
        result = run_auth_conformance(target, options)
    else:
        result = conformance_with_profile(target, options, pinned)
    print_conformance(result)
    return result.exit_code
