"""`mypref-harness gate`: the release gate on the configured target (or the embedded sandbox)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from mypref_harness import report
from mypref_harness.commands.options import (
    add_budget_options,
    add_config_option,
    add_guard_options,
    add_missing_roles_option,
    add_profile_option,
    add_spec_option,
    add_verdict_options,
    budget_from_args,
    load_policy_file,
    target_from_args,
)
from mypref_harness.errors import ConfigError, HarnessError

if TYPE_CHECKING:
    from mypref_harness.budget import Budget


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "gate",
        help="run vectors, contract, auth conformance and a load smoke; one verdict, one report",
        description="With no MYPREF_BASE_URL the embedded sandbox is started on a free loopback port.",
    )
    p.add_argument("--stages", help="comma-separated subset of: vectors,contract,auth,load (default: all)")
    p.add_argument("--quick", action="store_true", help="smaller budgets for a first look")
    p.add_argument("--max-examples", type=int, help="Schemathesis examples per operation")
    p.add_argument("--load-duration", help="load smoke duration, e.g. 20s or 1m")
    p.add_argument("--load-users", type=int, help="simulated users in the load smoke")
    p.add_argument("--seed", type=int, help="Schemathesis/Hypothesis seed for a reproducible run")
    p.add_argument(
        "--operations",
        action="append",
        default=[],
        metavar="SEL",
        help="contract stage: only these operations (operationIds or regexes over 'METHOD /path', "
        "comma-separated, repeatable; default all)",
    )
    add_budget_options(
        p,
        rate_help="requests per second for every stage that sends requests, e.g. 10/s (default: none on "
        "loopback, 20/s elsewhere)",
    )
    p.add_argument("--slo", type=Path, help="SLO file for the load stage (default loadtests/slo.toml)")
    p.add_argument("--report-dir", type=Path, default=Path("reports"), help="where artifacts go (reports/)")
    add_config_option(p)
    add_spec_option(p)
    p.add_argument("--schemathesis-html", action="store_true",
                   help="also write Schemathesis's own HTML report (contract/schemathesis-html/)")
    add_verdict_options(
        p,
        strict_help="our assumptions are the truth: every finding fails, assumption and practice included, "
        "and undeclared response fields fail (default on the embedded sandbox)",
        lenient_help="only documented and catalog findings fail, the others are listed as warnings "
        "(default on a configured target)",
        policy_help='TOML verdict policy: strict = true|false and [checks] <name> = "fail"|"warn" '
        "(names as in `contract --list-checks` and `auth-conformance --list`)",
    )
    add_missing_roles_option(p)
    p.add_argument("--baseline-spec", type=Path, metavar="FILE",
                   help="a pinned spec: before anything is sent, the spec under test is compared with it "
                   "(`spec diff`); a breaking change fails the gate, non-breaking ones are listed")
    add_profile_option(p)
    add_guard_options(p)
    p.set_defaults(func=run)


def budget_lines(budget: Budget | None) -> list[str]:
    """Where the requests went, for the console: the total against the budget, per stage, what was left
    out (the summaries have the phases and operations)."""
    from mypref_harness.gate.spend import left_out_lines, limits_line

    if budget is None:
        return []
    per_stage = ", ".join(f"{name} {spend.requests}" for name, spend in budget.stages.items())
    lines = [f"{limits_line(budget)} ({per_stage})"]
    return lines + [f"left out because of the budget: {line}" for line in left_out_lines(budget)]


def run(args: argparse.Namespace) -> int:
    from mypref_harness.budget import spending
    from mypref_harness.config import Target
    from mypref_harness.embedded import resolved_target
    from mypref_harness.gate.model import GateOptions, StageResult, parse_stages
    from mypref_harness.gate.reports import write_error_reports
    from mypref_harness.gate.run import check_target, make_budget, run_gate
    from mypref_harness.gate.summary import describe_target, verdict_rows

    if args.max_examples is not None and args.max_examples < 1:
        raise ConfigError("--max-examples must be at least 1")
    rate_limit, budget_requests, budget_time_s = budget_from_args(args)
    options = GateOptions(
        stages=parse_stages(args.stages),
        quick=args.quick,
        max_examples=args.max_examples,
        load_duration=args.load_duration,
        load_users=args.load_users,
        seed=args.seed,
        report_dir=args.report_dir,
        slo_path=args.slo,
        strict=args.strict,
        policy_path=args.policy,
        allow_missing_roles=args.allow_missing_roles,
        schemathesis_html=args.schemathesis_html,
        operations=tuple(args.operations),
        rate_limit=rate_limit,
        budget_requests=budget_requests,
        budget_time_s=budget_time_s,
    )
    if args.policy is not None:  # a bad policy file is a usage error before anything runs
        load_policy_file(args.policy)
    options.baseline_spec = args.baseline_spec
    target: Target | None = None
    earlier: list[StageResult] = []  # stages that need no target: run before any request
    budget: Budget | None = None  # a configured target's, made before its first request (the preflight)
    try:
        target = target_from_args(args)
        options.profile = args.profile or target.profile
        if options.profile is not None:  # a bad profile file is a usage error before anything runs
            from mypref_harness.profile import load_profile

            load_profile(options.profile)
        print(f"gate: testing the {describe_target(target)}; stages {', '.join(options.stages)}", flush=True)
        if options.baseline_spec is not None:
            from mypref_harness.gate.baseline import judge_before_sending

            earlier.append(judge_before_sending(target.spec, options, lambda line: print(line, flush=True)))
        if not target.is_embedded:
            budget = make_budget(target, options)
            with spending(budget, "preflight"):
                check_target(target)
    except HarnessError as exc:
        # Printed once, before any stage; the summaries still say what happened (CI publishes them).
        stopped = write_error_reports(exc, target, options)
        print(f"mypref-harness gate: {exc}", file=sys.stderr)
        print(f"gate: ERROR (exit {stopped.exit_code}) before any stage; summary: {stopped.summary_md}")
        return stopped.exit_code
    with resolved_target(target) as live:
        if target.is_embedded:
            print(f"gate: embedded sandbox at {live.base_url}", flush=True)
        from mypref_harness.progress import Ticker

        # A terminal gets a status line updated in place; CI logs get the heartbeat lines with counts.
        with Ticker(None, interactive=True) if sys.stdout.isatty() else contextlib.nullcontext():
            result = run_gate(
                live, options, progress=lambda line: print(line, flush=True), before=earlier, budget=budget
            )
    print()
    print(report.markdown_table(["Stage", "Result", "Key figures", "Reports"], verdict_rows(result)))
    for stage in result.stages:
        for warning in stage.warnings:
            print(f"gate: warning ({stage.name}): {warning}")
    for stage in result.stages:
        for finding in stage.findings:
            if finding.get("replay"):
                print(f"gate: reproduce {finding['status']} {finding['subject']} [{finding['check']}]:"
                      f" {finding['replay']}")
                if finding.get("answer"):
                    print(f"      answered: {finding['answer']}")
    for line in budget_lines(result.budget):
        print(f"gate: {line}")
    for leak in result.leaks:
        print(f"gate: secret found in artifact: {leak}", file=sys.stderr)
    verdict = result.verdict.upper()
    print(f"gate: {verdict} (exit {result.exit_code}) in {result.elapsed_s:.0f}s;"
          f" summary: {result.summary_md}")
    return result.exit_code
