"""The summaries of a run: ``summary.md`` (tables for a CI job page) and ``contract-result.json``
(counts, timings, checks, findings and routes for machines)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from mypref_harness.contract.results import (
    CheckRecord,
    ConformanceResult,
    ContractResult,
    Status,
    count_by_basis,
)
from mypref_harness.contract.route_verdicts import RouteState, RouteVerdict, table_counts
from mypref_harness.report import first_line, markdown_table

CELL_CHARS = 160


def _cell(evidence: str) -> str:
    """Evidence in a summary table cell: its first line, cut to CELL_CHARS."""
    return first_line(evidence, CELL_CHARS, "...")


def conformance_markdown(result: ConformanceResult) -> list[str]:
    lines = [
        "## Auth conformance",
        "",
        f"{result.counts['passed']} passed, {result.counts['failed']} failed, "
        f"{result.counts['warned']} warned, {result.counts['errored']} errored (no deciding answer), "
        f"{result.counts['skipped']} skipped" + (f"; policy: {result.policy}" if result.policy else ""),
        "",
    ]
    if result.unhealthy:
        lines[-1:-1] = ["", "**Target unhealthy**: no answer decided any check or fact (5xx, 429, timeouts)."]
    rows = [(c.name, c.status.value.upper(), c.check, _cell(c.evidence)) for c in result.checks]
    lines.append(markdown_table(("check", "result", "id", "evidence"), rows))
    if result.facts:
        lines += ["", "### Discovered facts about the target", ""]
        lines.append(
            markdown_table(
                ("fact", "value", "evidence"),
                [(f.name, f.text, _cell(f.evidence)) for f in result.facts],
            )
        )
    if result.warnings:
        lines += ["", "### Warnings", ""] + [f"- {w}" for w in result.warnings]
    return lines


def tally_result(tally_check: str, findings: Iterable[CheckRecord], failures: int) -> str:
    """FAIL when a finding of the check fails, WARN when its findings only warn, else PASS."""
    statuses = {f.status for f in findings if f.check == tally_check}
    if Status.FAILED in statuses:
        return "FAIL"
    if Status.WARNED in statuses:
        return "WARN"
    return "FAIL" if failures and not statuses else "PASS"


def basis_markdown(result: ContractResult) -> list[str]:
    counts = count_by_basis(result.records)
    rows = [(basis, c["failed"], c["warned"]) for basis, c in counts.items()]
    return ["## Findings by basis", "", markdown_table(("basis", "failed", "warned"), rows, ("l", "r", "r"))]


def warnings_markdown(records: Sequence[CheckRecord]) -> list[str]:
    """The findings the verdict policy reports without failing the run (their own section)."""
    if not records:
        return []
    return [
        "",
        f"## Warnings: {len(records)} finding(s) that do not fail the run",
        "",
        "Their rule is our assumption or common practice, not the vendor's documents; `--strict` or a "
        "`--policy` file makes them fail.",
        "",
        markdown_table(
            ("subject", "check", "basis", "evidence"),
            [(w.operation or w.name, w.check, w.basis.value, _cell(w.evidence)) for w in records],
        ),
    ]


def routes_markdown(routes: Sequence[RouteVerdict]) -> list[str]:
    if not routes:
        return []
    counts = table_counts(routes)
    states = [s.value for s in RouteState]
    lines = [
        "",
        "## Routes on the target",
        "",
        "Positive requests per operation: confirmed (an answer only a served route gives), not found "
        "(only 404s, one of them deciding), undecided (only 404s, none deciding), not exercised.",
        "",
        markdown_table(
            ("route confidence", *states),
            [(conf, *(row[s] for s in states)) for conf, row in sorted(counts.items())],
            ("l", *("r" for _ in states)),
        ),
    ]
    notable = [r for r in routes if r.state in (RouteState.NOT_FOUND, RouteState.UNDECIDED)]
    if notable:
        lines += [
            "",
            markdown_table(
                ("route", "confidence", "state", "evidence"),
                [(r.label, r.confidence or "-", r.state.value, r.evidence) for r in notable],
            ),
        ]
    return lines


def contract_markdown(result: ContractResult) -> str:
    verdict = "PASS" if result.passed else "FAIL"
    lines = [
        f"# Contract run: {verdict}",
        "",
        f"- target: {result.target}",
        f"- response validation: {'strict' if result.strict else 'lenient'}",
        f"- verdict policy: {result.policy or '-'}",
        f"- seed: {result.seed}",
        f"- cases: {result.cases} in {result.schemathesis_elapsed_s:.1f} s "
        f"({result.cases_per_second:.1f} cases/s); operations tested: "
        f"{result.operations_tested}/{result.operations_selected}",
        f"- stateful links added by role: {result.links_added}"
        + (" (the spec declares none)" if result.links_added else ""),
        *(f"- request bodies: {line}" for line in result.body_rules),
        f"- Schemathesis workers: {result.workers_why or result.workers}",
        *requests_markdown(result),
        f"- failures: {len(result.failures)}, warnings: {len(result.warned)}",
        "",
        *basis_markdown(result),
        "",
        "## Checks",
        "",
        markdown_table(
            ("check", "runs", "findings", "result"),
            [
                (
                    t.check,
                    "-" if t.runs is None else t.runs,
                    t.failures,
                    tally_result(t.check, result.findings, t.failures),
                )
                for t in result.tallies
            ],
        ),
    ]
    failed = [f for f in result.findings if f.status is Status.FAILED]
    if failed:
        lines += [
            "",
            "## Findings",
            "",
            markdown_table(
                ("operation", "check", "basis", "code", "cases", "evidence", "reproduce"),
                [
                    (f.operation, f.check, f.basis.value, f.code or "", f.count, _cell(f.evidence),
                     (f"`{f.replay}`" + (f" (answered {f.answer})" if f.answer else "")) if f.replay else "")
                    for f in failed
                ],
            ),
        ]
    lines += warnings_markdown(result.warned)
    lines += routes_markdown(result.routes)
    if result.errors:
        lines += ["", "## Schemathesis errors", ""] + [f"- {_cell(e)}" for e in result.errors]
    if result.scenarios:
        lines += [
            "",
            "## Read-back scenarios",
            "",
            markdown_table(
                ("scenario", "check", "result", "evidence"),
                [
                    (s.name, s.check, s.status.value.upper(), _cell(s.evidence))
                    for s in result.scenarios
                ],
            ),
        ]
    if result.conformance is not None:
        lines += ["", *conformance_markdown(result.conformance)]
    if result.warnings:
        lines += ["", "## Notes from the run", ""] + [f"- {w}" for w in result.warnings]
    return "\n".join(lines) + "\n"


def requests_markdown(result: ContractResult) -> list[str]:
    """Schemathesis's requests by phase and what a budget left out, as summary lines."""
    if result.budget is None:
        return []
    phases = ", ".join(f"{name} {spend.requests}" for name, spend in result.budget.phases.items())
    return [
        f"- Schemathesis requests: {result.budget.requests} ({phases or 'none'})",
        *(f"- left out by the budget: {line}" for line in result.budget.left_out),
    ]


def contract_json(result: ContractResult) -> str:
    """A machine-readable summary (CI scripts, the benchmark): counts, timings, checks, failures."""
    document = {
        "passed": result.passed,
        "exit_code": result.exit_code,
        "target": result.target,
        "strict": result.strict,
        "seed": result.seed,
        "cases": result.cases,
        "links_added": result.links_added,
        "body_rules": result.body_rules,
        "workers": {"count": result.workers, "why": result.workers_why},
        # Schemathesis's requests per phase and operation, what a budget left out (schemathesis/session.py)
        "requests": result.budget.to_json() if result.budget is not None else None,
        "operations": {"selected": result.operations_selected, "tested": result.operations_tested},
        "timing_s": {
            "total": round(result.elapsed_s, 3),
            "schemathesis": round(result.schemathesis_elapsed_s, 3),
            "schemathesis_subprocess": round(result.subprocess_elapsed_s, 3),
        },
        "policy": result.policy,
        "checks": [{"check": t.check, "runs": t.runs, "failures": t.failures} for t in result.tallies],
        "by_basis": count_by_basis(result.records),
        "failures": [_record_json(f) for f in result.failures],
        "warned": [_record_json(w) for w in result.warned],
        "routes": [r.as_json() for r in result.routes],
        "route_counts": table_counts(result.routes),
        "errors": result.errors,
        "warnings": result.warnings,
    }
    return json.dumps(document, indent=2) + "\n"


def _record_json(record: CheckRecord) -> dict[str, object]:
    return {
        "name": record.name,
        "check": record.check,
        "basis": record.basis.value,
        "code": record.code,
        "count": record.count,
        "evidence": record.evidence,
        "replay": record.replay or None,
        "answer": record.answer or None,
    }
