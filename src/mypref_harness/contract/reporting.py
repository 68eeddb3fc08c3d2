"""Reports of a contract / auth-conformance run: JUnit XML, a Markdown summary, and the secret scrub.

Every file in the report directory (ours and Schemathesis's) is redacted in place with the target's
secrets and the credential patterns of mypref_harness.report (signatures, bearer tokens, JWTs), then
scanned; anything the scan still finds becomes a failed ``artifact_secret_scan`` check.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from mypref_harness.config import Target
from mypref_harness.contract.results import (
    CheckRecord,
    ConformanceResult,
    ContractResult,
    Status,
    count_by_basis,
)
from mypref_harness.contract.route_verdicts import RouteState, RouteVerdict, table_counts
from mypref_harness.report import JUnitCase, first_line, markdown_table, redact, scan_for_secrets, write_junit

CELL_CHARS = 160


def _cell(evidence: str) -> str:
    """Evidence in a summary table cell: its first line, cut to CELL_CHARS."""
    return first_line(evidence, CELL_CHARS, "...")

_TEXT_SUFFIXES = frozenset(
    {".xml", ".json", ".ndjson", ".md", ".txt", ".toml", ".html", ".js", ".yaml", ".har"}
)


def redact_text(text: str, secrets: Sequence[str]) -> str:
    return redact(text, [s for s in secrets if s and len(s) >= 4])


def scrub_directory(directory: Path, secrets: Sequence[str]) -> list[Path]:
    """Redact every text artifact under ``directory`` in place; returns the files rewritten."""
    changed = []
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        if path.suffix.lower() not in _TEXT_SUFFIXES or path.name == "hooks.py":
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        clean = redact_text(text, secrets)
        if clean != text:
            path.write_text(clean, encoding="utf-8")
            changed.append(path)
    return changed


def secret_scan(directory: Path, target: Target) -> list[CheckRecord]:
    leaks = scan_for_secrets([directory], target.named_secrets())
    return [
        CheckRecord(
            name=f"artifact {leak.path.name}",
            check="artifact_secret_scan",
            status=Status.FAILED,
            evidence=f"{leak.kind} at line {leak.line} of {leak.path}",
        )
        for leak in leaks
    ]


def record_cases(records: Iterable[CheckRecord], classname: str) -> list[JUnitCase]:
    cases = []
    for r in records:
        name = r.name if r.name == r.check else f"{r.name} [{r.check}]"
        cases.append(
            JUnitCase(
                name=name,
                classname=classname,
                time=r.elapsed_s,
                failure=_with_replay(r.evidence or "failed", r) if r.status is Status.FAILED else None,
                skipped=_skip_text(r),
                stdout=r.evidence if r.status is Status.PASSED and r.evidence else None,
                # no verdict (5xx/429/timeouts after retries): an error, neither a pass nor a failure
                error=r.evidence or "errored" if r.status is Status.ERRORED else None,
            )
        )
    return cases


def _skip_text(record: CheckRecord) -> str | None:
    """JUnit <skipped> text: skips, and warnings (a finding the verdict policy does not fail on)."""
    if record.status is Status.SKIPPED:
        return record.evidence or "skipped"
    if record.status is Status.WARNED:
        return _with_replay(f"warning (basis {record.basis.value}): {record.evidence}", record)
    return None


def _with_replay(text: str, record: CheckRecord) -> str:
    """The evidence, then the command that re-sends the failing request (when the run kept one)."""
    if not record.replay:
        return text
    answered = f"\nanswered: {record.answer}" if record.answer else ""
    return f"{text}{answered}\nreproduce: {record.replay}"


def contract_junit_cases(result: ContractResult) -> list[JUnitCase]:
    cases = []
    by_check: dict[str, list[CheckRecord]] = {}
    for f in result.findings:
        if f.status is Status.FAILED:
            by_check.setdefault(f.check, []).append(f)
    for tally in result.tallies:
        found = by_check.pop(tally.check, [])
        failure = "\n\n".join(
            _with_replay(f"{f.operation} ({f.code or '-'}, {f.count}x): {f.evidence}", f) for f in found
        )
        cases.append(
            JUnitCase(
                name=tally.check,
                classname="contract.schemathesis",
                failure=failure or None,
                stdout=f"{'-' if tally.runs is None else tally.runs} runs, {tally.failures} failures",
            )
        )
    for check, found in by_check.items():  # failures of a check without a tally (should not happen)
        cases.append(
            JUnitCase(
                name=check, classname="contract.schemathesis", failure="\n\n".join(f.evidence for f in found)
            )
        )
    # Warnings: one skipped case each, so CI shows them without failing the job.
    cases += record_cases([f for f in result.findings if f.warned], "contract.warnings")
    for error in result.errors:
        cases.append(JUnitCase(name="schemathesis error", classname="contract.schemathesis", error=error))
    cases += record_cases(result.scenarios, "contract.scenarios")
    if result.conformance is not None:
        cases += record_cases(result.conformance.checks, "contract.auth")
    return cases


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


def _finish(
    directory: Path,
    target: Target,
    write: dict[str, str],
    junit_cases: list[JUnitCase],
    suite: str,
    elapsed_s: float | None = None,
) -> tuple[list[Path], list[CheckRecord]]:
    secrets = target.secrets()
    junit = write_junit(directory / "junit.xml", suite, junit_cases, secrets=secrets, elapsed_s=elapsed_s)
    files = [junit]
    for name, text in write.items():
        path = directory / name
        path.write_text(redact_text(text, secrets), encoding="utf-8")
        files.append(path)
    scrub_directory(directory, secrets)
    leaks = secret_scan(directory, target)
    return files, leaks


def contract_json(result: ContractResult) -> str:
    """A machine-readable summary (CI scripts, the benchmark): counts, timings, checks, failures."""
    document = {
        "passed": result.passed,
        "exit_code": result.exit_code,
        "target": result.target,
        "strict": result.strict,
        "seed": result.seed,
        "cases": result.cases,
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


def finish_contract_reports(result: ContractResult, target: Target, directory: Path) -> None:
    result.report_files = []
    result.elapsed_s = max(result.elapsed_s, result.subprocess_elapsed_s)
    files, leaks = _finish(
        directory,
        target,
        {"summary.md": contract_markdown(result), "contract-result.json": contract_json(result)},
        contract_junit_cases(result),
        "mypref-harness contract",
        elapsed_s=result.elapsed_s,
    )
    if leaks:
        result.scenarios.extend(leaks)
        (directory / "summary.md").write_text(
            redact_text(contract_markdown(result), target.secrets()), encoding="utf-8"
        )
    others = sorted(p for p in directory.iterdir() if p.is_file() and p not in files)
    result.report_files = files + others


def finish_conformance_reports(result: ConformanceResult, target: Target, directory: Path) -> None:
    text = "\n".join(
        ["# Auth conformance", "", f"- target: {result.target}", "", *conformance_markdown(result)]
    )
    files, leaks = _finish(
        directory,
        target,
        {"auth-conformance.md": text + "\n"},
        record_cases(result.checks, "auth"),
        "mypref-harness auth-conformance",
        elapsed_s=result.elapsed_s or None,
    )
    result.checks.extend(leaks)
    result.report_files = files
