"""Read Schemathesis's NDJSON event stream and JSON run report into our result model.

NDJSON is the one output that names, per case, every check that ran and its verdict; the JSON report
holds the run's totals (cases generated, operations tested). Failures are grouped by (operation,
check, code, title) like Schemathesis's own summary; the first message of each group is kept,
redacted and shortened, as the evidence.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

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


def _finding(operation: str, check: str, evidence: str, code: str, count: int) -> CheckRecord:
    """One failed check of one operation, as the run's reports give it (``count`` failing cases)."""
    return CheckRecord(
        name=operation,
        check=check,
        status=Status.FAILED,
        evidence=evidence,
        operation=operation,
        code=code or None,
        count=count,
    )


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
        count = int(group["count"])
        run.findings.append(_finding(operation, check_name, redact(_shorten(evidence)), code, count))
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


# --- the cheap path: JSON run report + JUnit (no NDJSON) ---------------------------------------
#
# Schemathesis's NDJSON writer serialises every case and interaction; on a coverage-heavy run it made
# Schemathesis ~3x slower. Without it, the JSON report gives failure groups (code, title, count,
# operations) and the JUnit report the messages per operation; the check behind each failure code is
# fixed in Schemathesis 4.x (custom checks are named in the title).

CODE_TO_CHECK = {
    "ST101": "not_a_server_error",
    "ST102": "not_a_server_error",
    "ST103": "status_code_conformance",
    "ST104": "content_type_conformance",
    "ST105": "content_type_conformance",
    "ST106": "content_type_conformance",
    "ST107": "response_headers_conformance",
    "ST108": "response_schema_conformance",
    "ST109": "response_schema_conformance",
    "ST110": "response_schema_conformance",
    "ST111": "response_schema_conformance",
    "ST112": "max_response_time",
    "ST201": "negative_data_rejection",
    "ST202": "positive_data_acceptance",
    "ST203": "missing_required_header",
    "ST204": "unsupported_method",
    "ST205": "allow_header_conformance",
    "ST301": "use_after_free",
    "ST302": "ensure_resource_availability",
    "ST401": "ignored_auth",
    "ST402": "object_level_authorization",
}
_CUSTOM_TITLE = re.compile(r"Custom check failed: `([^`]+)`")
_BLOCK_HEAD = re.compile(r"^- (ST\d{3}) (.+)$")


def check_for(code: str, title: str) -> str:
    custom = _CUSTOM_TITLE.search(title)
    if custom:
        return custom.group(1)
    if code == "ST108" and "header" in title.lower():
        return "response_headers_conformance"
    return CODE_TO_CHECK.get(code, code or "unknown")


def failure_blocks(text: str) -> Iterator[tuple[str, str, str]]:
    """(code, title, message) of each "- STxxx Title" block of one JUnit failure text."""
    current: tuple[str, str] | None = None
    body: list[str] = []
    for line in [*text.splitlines(), "[end]"]:
        head = _BLOCK_HEAD.match(line.strip())
        ends = line.startswith(("[", "Reproduce with")) or re.match(r"^\d+\. Test Case ID", line)
        if current is not None and (head or ends):
            yield current[0], current[1], "\n".join(b.strip() for b in body).strip()
            current, body = None, []
        if head:
            current, body = (head.group(1), head.group(2).strip()), []
        elif current is not None:
            body.append(line)


def junit_messages(path: Path) -> dict[tuple[str, str, str], tuple[int, str]]:
    """(operation, code, title) -> (cases, first message) from Schemathesis's JUnit report."""
    try:
        root = ElementTree.parse(path).getroot()  # noqa: S314 - Schemathesis's own report, not input
    except (OSError, ElementTree.ParseError):
        return {}
    found: dict[tuple[str, str, str], tuple[int, str]] = {}
    for testcase in root.iter("testcase"):
        operation = testcase.get("name", "?")
        for failure in testcase.findall("failure"):
            for code, title, message in failure_blocks(failure.text or ""):
                count, first = found.get((operation, code, title), (0, ""))
                found[(operation, code, title)] = (count + 1, first or message)
    return found


def parse_reports(
    json_path: Path, junit_path: Path, enabled_checks: list[str], redact: Callable[[str], str] = lambda s: s
) -> ParsedRun:
    """A ParsedRun from the JSON run report and the JUnit report (tallies without run counts)."""
    run = ParsedRun()
    apply_json_report(run, json_path)
    try:
        document = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        document = {}
    messages = junit_messages(junit_path)
    failures: dict[str, int] = {}
    for group in document.get("failures") or []:
        code, title = str(group.get("code") or ""), str(group.get("title") or "")
        check = check_for(code, title)
        operations = [str(o) for o in group.get("operations") or []]
        for operation in operations:
            count, message = messages.get((operation, code, title), (0, ""))
            count = count or (int(group.get("count") or 1) if len(operations) == 1 else 1)
            failures[check] = failures.get(check, 0) + count
            evidence = f"{title}: {message}" if message else title
            run.findings.append(_finding(operation, check, redact(_shorten(evidence)), code, count))
    for error in document.get("errors") or []:
        run.errors.append(redact(_shorten(f"{error.get('title')} (x{error.get('count', 1)})", 400)))
    names = list(dict.fromkeys([*enabled_checks, *failures]))
    run.tallies = [
        CheckTally(check=name, runs=None, failures=failures.get(name, 0)) for name in sorted(names)
    ]
    run.findings.sort(key=lambda f: (f.operation or "", f.check))
    return run


def merge_runs(first: ParsedRun, second: ParsedRun) -> ParsedRun:
    """One result of two Schemathesis runs of the same operations (a budgeted run's two passes:
    contract/schemathesis/session.py): findings and errors of both, tallies added up per check."""
    tallies: dict[str, CheckTally] = {}
    for tally in [*first.tallies, *second.tallies]:
        seen = tallies.get(tally.check)
        if seen is None:
            tallies[tally.check] = tally
            continue
        runs = None if seen.runs is None or tally.runs is None else seen.runs + tally.runs
        failures = seen.failures + tally.failures
        tallies[tally.check] = CheckTally(check=tally.check, runs=runs, failures=failures)
    return ParsedRun(
        findings=[*first.findings, *second.findings],
        tallies=[tallies[name] for name in sorted(tallies)],
        requests=first.requests + second.requests,
        errors=[*first.errors, *second.errors],
        cases=first.cases + second.cases,
        operations_selected=max(first.operations_selected, second.operations_selected),
        operations_tested=max(first.operations_tested, second.operations_tested),
        warnings=list(dict.fromkeys([*first.warnings, *second.warnings])),
        running_time=first.running_time + second.running_time,
        fatal=first.fatal or second.fatal,
    )
