"""Terminal output of the contract and auth-conformance commands (what a CI log shows)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from mypref_harness.contract.results import ConformanceResult, ContractResult
from mypref_harness.contract.summary import requests_markdown
from mypref_harness.report import first_line

if TYPE_CHECKING:
    from mypref_harness.contract.auth_conformance.registry import AuthCheck


def _line(text: str, limit: int = 160) -> str:
    """A console line's evidence: its first line, cut to ``limit`` with "..."."""
    return first_line(text, limit, "...")


def print_conformance(result: ConformanceResult, out: Callable[[str], None] = print) -> None:
    counts = result.counts
    out(
        f"auth conformance: {counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['warned']} warned, {counts['errored']} errored, {counts['skipped']} skipped "
        f"({result.elapsed_s:.1f} s)" + (f"; policy: {result.policy}" if result.policy else "")
    )
    for check in result.checks:
        basis = f"[{check.basis.value}]"
        out(f"  {check.status.value.upper():7} {check.check:40} {basis:12} {_line(check.evidence, 100)}")
    for fact in result.facts:
        reason = "" if fact.determined else f" ({_line(fact.evidence, 100)})"
        out(f"  FACT    {fact.name}: {fact.text}{reason}")
    for warning in result.warnings:
        out(f"  WARNING {warning}")
    if result.report_files:
        out(f"reports: {result.report_files[0].parent}")
    out(verdict_line(result))


def verdict_line(result: ConformanceResult) -> str:
    if result.failures:
        return "FAIL"
    if result.unhealthy:
        return "UNHEALTHY TARGET: no answer decided anything (5xx, 429 or timeouts after retries)"
    if result.errored:
        return f"INCOMPLETE: {len(result.errored)} check(s) without a deciding answer (5xx, 429 or timeouts)"
    return "PASS"


def print_check_list(checks: Iterable[AuthCheck], out: Callable[[str], None] = print) -> None:
    """``auth-conformance --list``: id, title, basis and (documented) the quoted sentence, catches."""
    for check in checks:
        out(f"{check.id:40} {check.title}")
        out(f"{'':40}   basis: {check.rule.describe()}")
        if check.catches:
            out(f"{'':40}   catches sandbox defects: {', '.join(check.catches)}")


def print_contract(result: ContractResult, out: Callable[[str], None] = print) -> None:
    out(
        f"contract: {result.target} ({'strict' if result.strict else 'lenient'} response validation, "
        f"seed {result.seed})" + (f"; policy: {result.policy}" if result.policy else "")
    )
    out(
        f"  {result.cases} cases, {result.operations_tested}/{result.operations_selected} operations, "
        f"{result.schemathesis_elapsed_s:.1f} s ({result.cases_per_second:.1f} cases/s)"
    )
    if result.links_added:
        out(f"  stateful links: {result.links_added} added by role (the spec declares none)")
    for line in result.body_rules:
        out(f"  request bodies: {line}")
    if result.workers_why:
        out(f"  Schemathesis workers: {result.workers_why}")
    for line in requests_markdown(result):  # where Schemathesis's requests went, what the budget left out
        out("  " + line.removeprefix("- "))
    failing = {f.check for f in result.findings if not f.passed}
    out(f"  checks: {len(result.tallies)} ran, {len(failing)} failed, {len(result.warned)} warning(s)")
    for finding in result.findings:
        out(
            f"  {finding.status.value.upper():7} {finding.check:30} {finding.operation}  "
            f"[{finding.code or '-'} x{finding.count}, {finding.basis.value}] {_line(finding.evidence, 90)}"
        )
        if finding.answer:
            out(f"          answered:  {finding.answer}")
        if finding.replay:
            out(f"          reproduce: {finding.replay}")
    for error in result.errors:
        out(f"  ERROR   {_line(error, 140)}")
    for scenario in result.scenarios:
        out(f"  {scenario.status.value.upper():7} {scenario.check:30} {_line(scenario.evidence, 100)}")
    if result.conformance is not None:
        print_conformance(result.conformance, lambda line: out("  " + line))
    for warning in result.warnings:
        out(f"  WARNING {_line(warning)}")
    if result.routes:
        states = Counter(r.state.value for r in result.routes)
        out("  routes: " + ", ".join(f"{n} {state}" for state, n in sorted(states.items())))
    if result.report_files:
        out(f"reports: {result.report_files[0].parent} (summary.md, junit.xml)")
    out("PASS" if result.passed else "FAIL")
