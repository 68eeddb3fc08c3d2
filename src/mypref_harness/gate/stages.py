"""One runner per gate stage: run the suite, translate its result into a `StageResult`.

Kept apart from the gate's flow (``run``) so the flow and the reports can be tested with fake stages
(``RUNNERS``), and so the suites (the Schemathesis and Locust runners) are imported only when a stage
really runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from mypref_harness import report
from mypref_harness.basis import PolicyError, VerdictPolicy
from mypref_harness.budget import Budget
from mypref_harness.config import Target
from mypref_harness.contract.results import CheckRecord, Status, count_by_basis
from mypref_harness.errors import ConfigError, ExitCode
from mypref_harness.gate.model import STAGE_START_S, GateOptions, LatencyPoint, StageResult

# Every runner gets the run's one Budget: the stage's share of it, its rate, and the ledger it books on
# (in-process requests are booked by the budget's httpx hook while the gate runs the stage).
StageRunner = Callable[[Target, GateOptions, Budget], StageResult]


EVIDENCE_LIMIT = 200  # characters of a finding's or warning's first line of evidence


def _outcome(passed: bool) -> str:
    return "pass" if passed else "fail"


def run_vectors(target: Target, options: GateOptions, budget: Budget | None = None) -> StageResult:
    from mypref_harness import vectors

    corpus = vectors.verify_corpus(options.vectors_dir or vectors.default_corpus_dir())
    out = options.report_dir / "vectors"
    out.mkdir(parents=True, exist_ok=True)
    table = out / "vectors.md"
    table.write_text(f"# {corpus.summary()}\n\n{corpus.render_table(redact=True)}", encoding="utf-8")
    junit = report.write_junit(
        out / "junit-vectors.xml",
        "vectors",
        [
            report.JUnitCase(name=f"tcId {f.tc_id} ({f.stage})", classname=f"vectors.{Path(f.file).stem}",
                             failure=f"{f.stage} differs: {f.hint or 'see vectors.md'}")
            for f in corpus.failures
        ] or [report.JUnitCase(name=f"{corpus.total} vectors", classname="vectors")],
    )
    return StageResult(
        "vectors", _outcome(corpus.ok), int(ExitCode.OK if corpus.ok else ExitCode.FINDINGS),
        failures=corpus.failed,
        figures={"vectors": corpus.total, "failures": corpus.failed},
        detail=corpus.summary(), report_files=[table, junit],
    )


def run_contract_stage(target: Target, options: GateOptions, budget: Budget | None = None) -> StageResult:
    from mypref_harness.contract.junit import contract_junit_cases
    from mypref_harness.contract.options import ContractOptions
    from mypref_harness.contract.route_verdicts import table_counts
    from mypref_harness.contract.runner import run_contract

    budget = budget or Budget()
    share_requests, share_s = budget.paced_share("contract", startup_s=STAGE_START_S)
    result = run_contract(target, ContractOptions(
        max_examples=options.effective_max_examples,
        rate_limit=options.rate_limit,  # None: the contract's own default (none on loopback, else 20/s)
        budget_requests=share_requests,
        budget_time_s=share_s,
        seed=options.seed,
        report_dir=options.report_dir / "contract",
        auth_conformance=False,  # its own stage
        strict=options.strict,
        policy_file=options.policy_path,
        allow_missing_roles=options.allow_missing_roles,
        html=options.schemathesis_html,
        operations=tuple(options.operations),
    ))
    failures, warned = len(result.failures), len(result.warned)
    # The Schemathesis subprocess's requests (by phase and operation when the run kept its ledger); the
    # in-process ones (scenarios, route probes) were booked by the budget's httpx hook as they went.
    if result.budget is not None:
        budget.stage("contract").merge(result.budget)
    else:
        budget.stage("contract").record(requests=result.cases)
    return StageResult(
        "contract", _outcome(result.passed), result.exit_code, failures=failures,
        figures={"cases": result.cases, "operations": result.operations_tested, "failures": failures,
                 "warnings": warned, "cases/s": round(result.cases_per_second, 1),
                 "workers": result.workers},
        detail=f"{result.cases} cases on {result.operations_tested} operations, {failures} failure(s),"
               f" {warned} warning(s); workers {result.workers_why or result.workers}",
        report_files=list(result.report_files), junit_cases=contract_junit_cases(result),
        by_basis=count_by_basis(result.records), warnings=warning_lines(result.warned),
        route_counts=table_counts(result.routes) if result.routes else None,
        findings=finding_entries([*result.failures, *result.warned]),
    )


def finding_entries(records: Iterable[CheckRecord]) -> list[dict[str, str]]:
    """The gate's findings list: subject, check, status, first line of evidence, replay command."""
    entries = []
    for r in records:
        evidence = report.first_line(r.evidence, EVIDENCE_LIMIT)
        entries.append({"subject": r.operation or r.name, "check": r.check, "status": r.status.value,
                        "evidence": evidence, "replay": r.replay, "answer": r.answer})
    return entries


def warning_lines(records: Iterable[CheckRecord]) -> list[str]:
    """One line per warning for the gate's summary: subject, check, basis, first line of evidence."""
    lines = []
    for r in records:
        evidence = report.first_line(r.evidence, EVIDENCE_LIMIT)
        lines.append(f"{r.operation or r.name} [{r.check}] (basis {r.basis.value}): {evidence}")
    return lines


def stage_policy(target: Target, options: GateOptions) -> VerdictPolicy:
    """The gate's verdict policy (a bad policy file is a configuration error, exit 2)."""
    from mypref_harness.contract.verdicts import load_policy

    try:
        return load_policy(options.policy_path, strict=options.strict, is_sandbox=target.is_sandbox)
    except PolicyError as exc:
        raise ConfigError(str(exc)) from None


def run_auth_stage(target: Target, options: GateOptions, budget: Budget | None = None) -> StageResult:
    from mypref_harness.contract.auth_conformance.probe import ConformanceOptions
    from mypref_harness.contract.auth_conformance.run import run_auth_conformance
    from mypref_harness.contract.junit import record_cases

    result = run_auth_conformance(target, ConformanceOptions(
        report_dir=options.report_dir / "auth", probes=not options.quick,
        policy=stage_policy(target, options),
    ))
    counts = result.counts
    warned = [c for c in result.checks if c.warned]
    return StageResult(
        "auth", _outcome(result.passed), result.exit_code, failures=counts.get("failed", 0),
        figures={"checks": len(result.checks), "failures": counts.get("failed", 0),
                 "warnings": len(warned), "facts": len(result.facts)},
        detail=f"{counts.get('passed', 0)} passed, {counts.get('failed', 0)} failed,"
               f" {len(warned)} warned, {counts.get('skipped', 0)} skipped",
        report_files=list(result.report_files), junit_cases=record_cases(result.checks, "auth"),
        by_basis=count_by_basis(result.checks), warnings=warning_lines(warned),
        findings=finding_entries([*result.failures, *warned]),
    )


def run_load_stage(target: Target, options: GateOptions, budget: Budget | None = None) -> StageResult:
    from mypref_harness.contract.route_verdicts import unproven_in_report
    from mypref_harness.load.options import LoadOptions
    from mypref_harness.load.runner import run_load

    absent = frozenset[tuple[str, str]]()
    if "contract" in options.stages:  # this gate's contract stage wrote the route table
        absent = unproven_in_report(options.report_dir / "contract" / "contract-result.json")
    result = run_load(target, LoadOptions(
        shape="smoke",
        users=options.effective_load_users,
        duration=options.effective_load_duration,
        slo_file=options.slo_path,
        report_dir=options.report_dir / "load",
        absent_routes=absent,
        allow_missing_roles=options.allow_missing_roles,
        rate_limit=budget.rate if budget else None,
    ))
    if budget is not None:
        budget.stage("load").record(requests=result.requests)  # Locust's, token requests included
    breaches = result.breaches
    p95 = "n/a" if result.p95_ms is None else f"{result.p95_ms:.0f} ms"
    return StageResult(
        "load", _outcome(result.passed), result.exit_code, failures=len(breaches),
        figures={"requests": result.requests, "rps": round(result.rps, 1), "p95": p95,
                 "error ratio": f"{result.fail_ratio:.2%}", "token requests": result.token_requests,
                 "failures": len(breaches)},
        detail=result.message or f"{len(breaches)} SLO breach(es)",
        report_files=list(result.report_files),
        junit_cases=[
            report.JUnitCase(name=s.name, classname="load.slo",
                             failure=None if s.passed else f"{s.actual} {s.comparison} {s.limit} broken",
                             skipped="nothing measured" if s.skipped else None)
            for s in result.slo_results
        ],
        # Only measured seconds: a second without a value stays a gap in the chart (no invented 0).
        timeline=[LatencyPoint(float(p.second), p50=p.p50_ms, p95=p.p95_ms) for p in result.timeline],
        thresholds=latency_thresholds(result.slo_results),
    )


def latency_thresholds(slo_results: Iterable[Any]) -> dict[str, float]:
    """The p50/p95 latency SLO limits by label ("SLO p95 lookup"), drawn as lines on the latency chart."""
    out = {}
    for slo in slo_results:
        parts = str(slo.name).split(".")
        if len(parts) == 3 and parts[0] == "latency" and parts[2] in ("p50_ms", "p95_ms"):
            out[f"SLO {parts[2].removesuffix('_ms')} {parts[1]}"] = float(slo.limit)
    return out


def run_profile_stage(target: Target, options: GateOptions, budget: Budget | None = None) -> StageResult:
    """Re-measure the pinned profile's facts; the contract stage's route table (its
    ``contract-result.json`` in this gate's report directory) stands for the routes now."""
    from mypref_harness.contract.junit import record_cases
    from mypref_harness.profile import load_profile, save_profile
    from mypref_harness.profile_measure import check_profile, routes_from_report

    if options.profile is None:
        raise ConfigError("the profile stage needs a pinned profile (--profile FILE)")
    pinned = load_profile(options.profile)
    routes = None
    if "contract" in options.stages:
        routes = routes_from_report(options.report_dir / "contract" / "contract-result.json")
    now, records = check_profile(target, pinned, routes=routes, policy=stage_policy(target, options))
    out = options.report_dir / "profile"
    out.mkdir(parents=True, exist_ok=True)
    measured = save_profile(now, out / "measured-profile.toml")
    junit = report.write_junit(out / "junit-profile.xml", "profile", record_cases(records, "profile"))
    counts = {s: sum(1 for r in records if r.status is s) for s in Status}
    failed = counts[Status.FAILED]
    return StageResult(
        "profile",
        _outcome(not failed),
        int(ExitCode.FINDINGS if failed else ExitCode.OK),
        failures=failed,
        figures={
            "facts": len(records),
            "drift": failed + counts[Status.WARNED],
            "undetermined": counts[Status.SKIPPED],
            "failures": failed,
        },
        detail=f"{failed + counts[Status.WARNED]} drift(s) from {Path(options.profile).name}"
        f" ({failed} failing), {counts[Status.SKIPPED]} undetermined now",
        report_files=[junit, measured],
        junit_cases=record_cases(records, "profile"),
    )


RUNNERS: dict[str, StageRunner] = {
    "vectors": run_vectors,
    "contract": run_contract_stage,
    "auth": run_auth_stage,
    "load": run_load_stage,
    "profile": run_profile_stage,
}
