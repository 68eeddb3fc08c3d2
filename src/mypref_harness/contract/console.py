"""Terminal output of the contract and auth-conformance commands (what a CI log shows)."""

from __future__ import annotations

from collections.abc import Callable

from mypref_harness.contract.results import ConformanceResult, ContractResult


def _line(text: str, limit: int = 160) -> str:
    first = text.strip().splitlines()[0] if text.strip() else ""
    return first if len(first) <= limit else first[: limit - 3] + "..."


def print_conformance(result: ConformanceResult, out: Callable[[str], None] = print) -> None:
    counts = result.counts
    out(
        f"auth conformance: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped ({result.elapsed_s:.1f} s)"
    )
    for check in result.checks:
        out(f"  {check.status.value.upper():7} {check.check:32} {_line(check.evidence, 110)}")
    for fact in result.facts:
        out(f"  FACT    {fact.name}: {fact.value}")
    for warning in result.warnings:
        out(f"  WARNING {warning}")
    if result.report_files:
        out(f"reports: {result.report_files[0].parent}")
    out("PASS" if result.passed else "FAIL")


def print_contract(result: ContractResult, out: Callable[[str], None] = print) -> None:
    out(
        f"contract: {result.target} ({'strict' if result.strict else 'lenient'} response validation, "
        f"seed {result.seed})"
    )
    out(
        f"  {result.cases} cases, {result.operations_tested}/{result.operations_selected} operations, "
        f"{result.schemathesis_elapsed_s:.1f} s ({result.cases_per_second:.1f} cases/s)"
    )
    failing = [t for t in result.tallies if not t.passed]
    out(f"  checks: {len(result.tallies)} ran, {len(failing)} failed")
    for finding in result.findings:
        out(
            f"  FAILED  {finding.check:30} {finding.operation}  [{finding.code or '-'} x{finding.count}] "
            f"{_line(finding.evidence, 90)}"
        )
    for error in result.errors:
        out(f"  ERROR   {_line(error, 140)}")
    for scenario in result.scenarios:
        out(f"  {scenario.status.value.upper():7} {scenario.check:30} {_line(scenario.evidence, 100)}")
    if result.conformance is not None:
        print_conformance(result.conformance, lambda line: out("  " + line))
    for warning in result.warnings:
        out(f"  WARNING {_line(warning)}")
    if result.report_files:
        out(f"reports: {result.report_files[0].parent} (summary.md, junit.xml)")
    out("PASS" if result.passed else "FAIL")
