"""Read Schemathesis's NDJSON event stream and JSON run report into our result model.

NDJSON is the one output that names, per case, every check that ran and its verdict; the JSON report
holds the run's totals (cases generated, operations tested). Failures are grouped by (operation,
check, code, title) like Schemathesis's own summary; the first message of each group is kept,
redacted and shortened, as the evidence.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mypref_harness.contract.results import CheckRecord, CheckTally, Status

MAX_EVIDENCE = 1500


@dataclass
class ParsedRun:
    findings: list[CheckRecord] = field(default_factory=list)
    tallies: list[CheckTally] = field(default_factory=list)
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    cases: int = 0
    operations_selected: int = 0
    operations_tested: int = 0
    warnings: list[str] = field(default_factory=list)
    running_time: float = 0.0
    fatal: str | None = None


def _events(path: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if not line:
                continue
            try:
                event = json.loads(line)
            except ValueError:
                continue  # a truncated last line after a kill
            if isinstance(event, dict) and len(event) == 1:
                name, body = next(iter(event.items()))
                if isinstance(body, dict):
                    yield name, body


def _shorten(text: str, limit: int = MAX_EVIDENCE) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def parse_ndjson(path: Path, redact: Callable[[str], str] = lambda s: s) -> ParsedRun:
    run = ParsedRun()
    runs: dict[str, int] = {}
    failures: dict[str, int] = {}
    groups: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    seen_failure_cases: set[tuple[str, str, str]] = set()
    for name, body in _events(path):
        if name == "ScenarioFinished":
            recorder = body.get("recorder") or {}
            label = str(recorder.get("label", "?"))
            run.requests += len(recorder.get("interactions") or {})
            for case_id, checks in (recorder.get("checks") or {}).items():
                for check in checks or []:
                    check_name = str(check.get("name", "?"))
                    runs[check_name] = runs.get(check_name, 0) + 1
                    if check.get("status") != "failure":
                        continue
                    failures[check_name] = failures.get(check_name, 0) + 1
                    info = ((check.get("failure_info") or {}).get("failure")) or {}
                    operation = str(info.get("operation") or label)
                    code = str(info.get("code") or "")
                    title = str(info.get("title") or check_name)
                    key = (operation, check_name, code, title)
                    # Shrinking replays a failing case; count each (case, check) once.
                    if (case_id, check_name, title) in seen_failure_cases:
                        continue
                    seen_failure_cases.add((case_id, check_name, title))
                    group = groups.setdefault(key, {"count": 0, "message": str(info.get("message") or "")})
                    group["count"] += 1
        elif name == "NonFatalError":
            label = str(body.get("label", "?"))
            value = body.get("value")
            text = value.get("message") if isinstance(value, dict) else value
            run.errors.append(redact(_shorten(f"{label}: {text}", 400)))
        elif name == "FatalError":
            value = body.get("exception") or body.get("value") or body
            run.fatal = redact(_shorten(str(value), 400))
    run.tallies = [CheckTally(check=c, runs=n, failures=failures.get(c, 0)) for c, n in sorted(runs.items())]
    for (operation, check_name, code, title), group in sorted(groups.items()):
        message = group["message"]
        evidence = f"{title}: {message}" if message and message != title else title
        run.findings.append(
            CheckRecord(
                name=operation,
                check=check_name,
                status=Status.FAILED,
                evidence=redact(_shorten(evidence)),
                operation=operation,
                code=code or None,
                count=int(group["count"]),
            )
        )
    return run


def apply_json_report(run: ParsedRun, path: Path) -> None:
    """Totals from Schemathesis's JSON run report (``--report json``)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    cases = document.get("test_cases") or {}
    run.cases = int(cases.get("generated") or 0)
    operations = document.get("operations") or {}
    run.operations_selected = int(operations.get("selected") or 0)
    run.operations_tested = int(operations.get("tested") or 0)
    run.running_time = float(document.get("running_time") or 0.0)
    for label, items in (document.get("warnings") or {}).items():
        if items:
            shown = ", ".join(str(i) for i in items[:5]) + (" ..." if len(items) > 5 else "")
            run.warnings.append(f"{label}: {shown}")
