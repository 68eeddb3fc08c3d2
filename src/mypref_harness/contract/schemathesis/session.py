"""The Schemathesis part of a contract run: one run when unlimited, two passes under a request budget.

Unlimited, Schemathesis runs once with every phase, as it always did. With a budget
(``ContractOptions.budget_requests``, or ``budget_time_s`` x the rate limit: budget_plan.requests_within)
the phases run as two passes so that the second can be sized by what the first found
(contract/budget_plan.py):

1. examples + coverage, every case admitted by the plan (examples, one positive case per operation,
   deduplicated coverage classes up to a per-operation allowance, a hard cap);
2. fuzzing (+ stateful when enough is left) with what the first pass left over, operations with
   findings or few coverage cases first (per-operation ``max-examples``).

Each pass has its own report directory (the second one in ``<report dir>/fuzzing``); the parsed results
are merged, and the requests of both are booked per phase and operation in a ``StageSpend``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from mypref_harness import procs
from mypref_harness.budget import Spend, StageSpend, rate_of
from mypref_harness.config import Target
from mypref_harness.contract.budget_plan import (
    CHECK_REQUESTS_PER_OPERATION,
    LEFT_OUT_NAME,
    PROBE_REQUESTS_PER_RUN,
    STATEFUL_MIN_PER_OPERATION,
    BudgetPlan,
    fuzzing_allowance,
    outside_reserve,
    plan_budget,
    requests_within,
)
from mypref_harness.contract.options import ContractOptions
from mypref_harness.contract.schemathesis.checks import enabled_checks
from mypref_harness.contract.schemathesis.launch import run_schemathesis, schemathesis_error_line
from mypref_harness.contract.schemathesis.prepare import LEDGER_NAME, PreparedRun, prepare_run, rate_limit_for
from mypref_harness.contract.schemathesis.progress import read_ledger, read_ledger_seconds
from mypref_harness.contract.schemathesis.results import (
    ParsedRun,
    apply_json_report,
    merge_runs,
    parse_ndjson,
    parse_reports,
)
from mypref_harness.contract.spec_document import operations_regex
from mypref_harness.errors import ConfigError
from mypref_harness.guards import is_loopback
from mypref_harness.spec.operations import operation_objects

FIRST_PASS = ("examples", "coverage")
SECOND_PASS = ("fuzzing", "stateful")
# Requests Schemathesis sends that its hooks never see (checks' re-sends, probes), booked as an estimate
UNSEEN_PHASE = "checks and probes (estimated)"
FUZZING_REPORT_DIR = "fuzzing"  # the second pass's reports, under the run's report directory
# What a stateful phase costs when the plan lets it run. Its max-examples bounds one suite, but
# Schemathesis 4.32 runs suites again while they find new failures: on our spec 118 requests against a
# clean sandbox (unlimited), 207-224 with undeclared-field, wrong-status-create and unicode-500 on.
STATEFUL_RESERVE = 250


@dataclass
class SchemathesisRun:
    """Schemathesis's share of a contract run: its passes, their merged results and where requests went."""

    passes: list[PreparedRun]
    parsed: ParsedRun
    exit_code: int
    elapsed_s: float
    spend: StageSpend = field(default_factory=StageSpend)


def run_passes(
    target: Target,
    options: ContractOptions,
    document: Mapping[str, Any],
    *,
    clock_offset: float,
    round_trip_s: float | None,
    redact: Callable[[str], str],
) -> SchemathesisRun:
    """Run Schemathesis once (unlimited) or in two budgeted passes; ConfigError when it cannot run."""
    launcher = _Launcher(target, document, options, clock_offset, round_trip_s, redact)
    rate = rate_of(rate_limit_for(options, local=is_loopback(target.base_url or "")))
    budget = requests_within(options.budget_requests, options.budget_time_s, rate)
    if budget is None:
        return _combined([launcher.run(options, None)])
    return _budgeted(launcher, options, document, budget)


@dataclass
class _Pass:
    """One Schemathesis run of a contract run."""

    prepared: PreparedRun
    parsed: ParsedRun
    exit_code: int
    elapsed_s: float

    @property
    def ledger(self) -> Path:
        return self.prepared.json_path.parent / LEDGER_NAME


@dataclass
class _Launcher:
    """Prepares, runs and parses one Schemathesis run for the target (the parts every pass shares)."""

    target: Target
    document: Mapping[str, Any]
    options: ContractOptions
    clock_offset: float
    round_trip_s: float | None
    redact: Callable[[str], str]

    def run(self, pass_options: ContractOptions, plan: BudgetPlan | None) -> _Pass:
        prepared = prepare_run(
            self.target,
            pass_options,
            self.document,
            clock_offset=self.clock_offset,
            round_trip_s=self.round_trip_s,
            plan=plan,
        )
        rc, elapsed = _launch(prepared, self.options)
        _raise_unless_ran(prepared, rc, self.redact)
        return _Pass(prepared, _parse(prepared, self.target, self.options, self.redact), rc, elapsed)


def _budgeted(
    launcher: _Launcher, options: ContractOptions, document: Mapping[str, Any], budget: int
) -> SchemathesisRun:
    labels = selected_labels(document, options)
    reserve = outside_reserve(
        scenarios=options.scenarios,
        scenario_updates=options.scenario_updates,
        auth_conformance=options.auth_conformance,
        operations=len(labels),
    )
    plan = plan_budget(budget, len(labels), reserve=reserve)
    second_phases = [p for p in options.phases if p in SECOND_PASS]
    first = _first_pass(launcher, options, plan, len(labels), fuzzing_follows=bool(second_phases))
    second, skipped = _second_pass(launcher, options, plan, labels, first) if second_phases else (None, [])
    passes = [one for one in (first, second) if one is not None]
    run = _combined(passes or [launcher.run(options, plan)])  # no phase selected: as Schemathesis says
    run.spend.left_out.extend(left_out_lines(run.passes, plan, budget, reserve) + skipped)
    return run


def _first_pass(
    launcher: _Launcher, options: ContractOptions, plan: BudgetPlan, operations: int, *, fuzzing_follows: bool
) -> _Pass | None:
    """Examples + coverage under the plan (what the plan keeps for fuzzing is not theirs)."""
    phases = [p for p in options.phases if p in FIRST_PASS]
    if not phases:
        return None
    cap = plan.cases - plan.fuzzing_default * operations if fuzzing_follows else plan.cases
    return launcher.run(
        replace(options, phases=phases), replace(plan, cases=cap, fuzzing_default=0, stateful=False)
    )


def _second_pass(
    launcher: _Launcher,
    options: ContractOptions,
    plan: BudgetPlan,
    labels: Sequence[str],
    first: _Pass | None,
) -> tuple[_Pass | None, list[str]]:
    """Fuzzing (+ stateful) with what the first pass left; None when nothing is left (Schemathesis would
    fail with "every selected operation was skipped"). Also the left-out lines of its plan."""
    phases = [p for p in options.phases if p in SECOND_PASS]
    sent = read_ledger(first.ledger) if first else {}
    findings = first.parsed.findings if first else []
    second_plan = second_pass_plan(
        plan.cases - sum(sum(ops.values()) for ops in sent.values()),
        labels,
        findings={label: sum(1 for f in findings if f.operation == label) for label in labels},
        coverage=sent.get("coverage", {}),
        most_per_operation=options.max_examples,
        stateful="stateful" in phases,
    )
    skipped = second_pass_left_out(second_plan, phases)
    if first is None:
        return launcher.run(replace(options, phases=phases), second_plan), skipped
    if not any(second_plan.fuzzing_per_operation.values()) and not second_plan.stateful:
        return None, skipped
    # ignored_auth sends 2 more requests per operation once per run: the first pass did that already
    second_options = replace(
        options,
        phases=phases,
        report_dir=Path(options.report_dir) / FUZZING_REPORT_DIR,
        exclude_checks=[*options.exclude_checks, "ignored_auth"],
    )
    return launcher.run(second_options, second_plan), skipped


def _combined(passes: Sequence[_Pass]) -> SchemathesisRun:
    """One result of the passes: merged findings and tallies, the worst exit code, the requests booked."""
    parsed = passes[0].parsed
    for later in passes[1:]:
        parsed = merge_runs(parsed, later.parsed)
    prepared = [one.prepared for one in passes]
    return SchemathesisRun(
        prepared,
        parsed,
        max(one.exit_code for one in passes),
        sum(one.elapsed_s for one in passes),
        spend_of(prepared, parsed),
    )


def second_pass_plan(
    leftover: int,
    labels: Sequence[str],
    *,
    findings: Mapping[str, int],
    coverage: Mapping[str, int],
    most_per_operation: int,
    stateful: bool,
) -> BudgetPlan:
    """Fuzzing (and stateful) with what the first pass left: operations with findings, then those with
    the fewest coverage cases, get their fuzzing cases first (budget_plan.fuzzing_allowance)."""
    leftover = max(0, leftover)
    # sequences only when fuzzing keeps enough besides them (each costs up to 6 requests: max-steps)
    with_stateful = stateful and leftover - STATEFUL_RESERVE >= STATEFUL_MIN_PER_OPERATION * len(labels)
    fuzz = leftover - (STATEFUL_RESERVE if with_stateful else 0)
    allowance = fuzzing_allowance(
        fuzz, labels, findings=findings, coverage=coverage, most_per_operation=most_per_operation
    )
    return BudgetPlan(
        cases=leftover, coverage_per_operation=0, fuzzing_per_operation=allowance, stateful=with_stateful
    )


def second_pass_left_out(plan: BudgetPlan, phases: Sequence[str]) -> list[str]:
    """The left-out lines of the second pass's plan: operations not fuzzed, a stateful phase not run."""
    lines = []
    not_fuzzed = sum(1 for n in plan.fuzzing_per_operation.values() if n <= 0)
    if "fuzzing" in phases and not_fuzzed:
        lines.append(
            f"fuzzing: {not_fuzzed} of {len(plan.fuzzing_per_operation)} operation(s) not fuzzed "
            f"({plan.cases} case(s) were left for it)"
        )
    if "stateful" in phases and not plan.stateful:
        lines.append(
            f"stateful: not run (it needs {STATEFUL_RESERVE} + {STATEFUL_MIN_PER_OPERATION} per operation "
            f"of fuzzing left; {plan.cases} were)"
        )
    return lines


def selected_labels(document: Mapping[str, Any], options: ContractOptions) -> list[str]:
    """Schemathesis labels ("METHOD /path") of the operations the run selects (--operations)."""
    include = operations_regex(options.operations, document)
    exclude = operations_regex(options.exclude_operations, document)
    return [
        found.label
        for found in operation_objects(document)
        if (not include or re.search(include, found.label))
        and not (exclude and re.search(exclude, found.label))
    ]


def spend_of(passes: Sequence[PreparedRun], parsed: ParsedRun) -> StageSpend:
    """Schemathesis's requests and seconds per phase and operation, from each pass's ledger
    (schemathesis/progress.py), plus an estimate of the requests its hooks never see: the checks'
    re-sends (ignored_auth, once per operation tested and run) and each run's probes."""
    spend = StageSpend()
    for prepared in passes:
        ledger = prepared.json_path.parent / LEDGER_NAME
        for phase, operations in read_ledger(ledger).items():
            for label, requests in operations.items():
                spend.record(requests=requests, phase=phase, operation=label)
        phase_seconds, operation_seconds = read_ledger_seconds(ledger)
        for phase, seconds in phase_seconds.items():
            spend.phases.setdefault(phase, Spend()).seconds += seconds
        for label, seconds in operation_seconds.items():
            spend.operations.setdefault(label, Spend()).seconds += seconds
    unseen = CHECK_REQUESTS_PER_OPERATION * parsed.operations_tested + PROBE_REQUESTS_PER_RUN * len(passes)
    if passes:
        spend.record(requests=unseen, phase=UNSEEN_PHASE)
    return spend


def left_out_lines(passes: Sequence[PreparedRun], plan: BudgetPlan, budget: int, reserve: int) -> list[str]:
    """What the budget left out, one line each, so a team can raise it knowingly."""
    import json

    lines = [
        f"budget {budget} requests: {reserve} kept for what is not a Schemathesis case (scenarios and "
        f"auth conformance when they run, the checks' re-sends, probes), {plan.cases} for its cases"
    ]
    for prepared in passes:
        try:
            left = json.loads((prepared.json_path.parent / LEFT_OUT_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        for phase, operations in sorted(left.items()):
            total = sum(int(n) for n in operations.values())
            lines.append(
                f"{phase}: {total} generated cases not sent in {len(operations)} operation(s) "
                "(duplicates of a class already sent, over the per-operation allowance, or over the budget)"
            )
    return lines


def _launch(prepared: PreparedRun, options: ContractOptions) -> tuple[int, float]:
    # The subprocess runs in a scratch directory: Schemathesis leaves .hypothesis/ and .schemathesis/ behind.
    with procs.temp_dir("mypref-contract-") as scratch:
        return run_schemathesis(prepared, timeout_s=options.timeout_s, cwd=scratch, quiet=options.quiet)


def _raise_unless_ran(prepared: PreparedRun, rc: int, redact: Callable[[str], str]) -> None:
    if rc in (0, 1) and prepared.json_path.is_file():
        return
    output = redact(prepared.output_path.read_text(encoding="utf-8", errors="replace"))
    prepared.output_path.write_text(output, encoding="utf-8")
    raise ConfigError(
        f"Schemathesis could not run (exit {rc}): {schemathesis_error_line(output)}; "
        f"see {prepared.output_path}"
    )


def _parse(
    prepared: PreparedRun, target: Target, options: ContractOptions, redact: Callable[[str], str]
) -> ParsedRun:
    if options.keep_events and prepared.ndjson_path.is_file():
        parsed = parse_ndjson(prepared.ndjson_path, redact)  # exact per-check run counts
        apply_json_report(parsed, prepared.json_path)
        return parsed
    return parse_reports(prepared.json_path, prepared.junit_path, enabled_checks(target, options), redact)
