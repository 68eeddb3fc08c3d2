"""`mypref-harness auth-conformance`: live checks that auth behaves exactly as documented, plus probes."""

from __future__ import annotations

import argparse
from pathlib import Path

from mypref_harness.commands.contract import _csv, add_target_options, load_cli_target


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "auth-conformance",
        help="check PNAUTHINFO3 and OAuth behaviour against the docs (and probe what they leave open)",
        description="Each check is reported by name with pass/fail and evidence (status, WWW-Authenticate, "
        "Message; never a signature or token). Discovery probes report measured facts. With no "
        "MYPREF_BASE_URL the embedded sandbox is started. Exit 0 pass, 1 findings, 2 usage, "
        "3 unreachable.",
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
        type=_csv,
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
    p.add_argument("--list", action="store_true", help="list the checks (and the sandbox defects they catch)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mypref_harness.contract.auth_conformance import ALL_CHECKS, ConformanceOptions, run_auth_conformance
    from mypref_harness.contract.console import print_conformance

    if args.list:
        for check in ALL_CHECKS:
            catches = f"  (catches: {', '.join(check.catches)})" if check.catches else ""
            print(f"{check.id:32} {check.title}{catches}")
        return 0
    target = load_cli_target(args)
    options = ConformanceOptions(
        report_dir=args.report_dir,
        slow=args.slow,
        pnauth_window=args.pnauth_window,
        probes=args.probes,
        only=args.only,
        foreign_client_id=args.foreign_client_id,
        sandbox_options={"defects": tuple(args.sandbox_defect)} if args.sandbox_defect else {},
    )
    result = run_auth_conformance(target, options)
    print_conformance(result)
    return result.exit_code
