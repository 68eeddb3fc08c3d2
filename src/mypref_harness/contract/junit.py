"""JUnit cases of a contract or auth-conformance run: one per check tally, finding, scenario and auth check;
a warning is a ``<skipped>`` that names its basis, a finding carries its replay command."""

from __future__ import annotations

from collections.abc import Iterable

from mypref_harness.contract.results import CheckRecord, ContractResult, Status
from mypref_harness.report import JUnitCase


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
