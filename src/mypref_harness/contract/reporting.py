"""Writing a run's reports: the JUnit file and the summaries, then the secret scrub and scan of the
whole report directory (contract/artifacts.py); a leak found becomes a failed check of the run."""

from __future__ import annotations

from pathlib import Path

from mypref_harness.config import Target
from mypref_harness.contract.artifacts import redact_text, scrub_directory, secret_scan
from mypref_harness.contract.junit import contract_junit_cases, record_cases
from mypref_harness.contract.results import CheckRecord, ConformanceResult, ContractResult
from mypref_harness.contract.summary import conformance_markdown, contract_json, contract_markdown
from mypref_harness.report import JUnitCase, write_junit


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
