"""Parsing Schemathesis's NDJSON events and JSON report into findings and per-check tallies."""

from __future__ import annotations

import json
from pathlib import Path

from mypref_harness.contract.results import Status
from mypref_harness.contract.st_results import apply_json_report, parse_ndjson


def scenario(label: str, checks: dict[str, list[dict]], interactions: int = 1) -> dict:
    return {
        "ScenarioFinished": {
            "recorder": {
                "label": label,
                "checks": checks,
                "interactions": {f"i{n}": {} for n in range(interactions)},
            }
        }
    }


def failure(name: str, code: str, title: str, message: str, operation: str) -> dict:
    return {
        "name": name,
        "status": "failure",
        "failure_info": {
            "failure": {"code": code, "title": title, "message": message, "operation": operation}
        },
    }


def write(tmp_path: Path, events: list[dict], tail: str = "") -> Path:
    path = tmp_path / "events.ndjson"
    path.write_text("\n".join(json.dumps(e) for e in events) + "\n" + tail)
    return path


def test_findings_are_grouped_and_tallies_counted(tmp_path: Path):
    op = "GET /{clientId}/Profile/{profileId}"
    schema_failure = failure(
        "response_schema_conformance",
        "ST108",
        "Response violates schema",
        "Additional properties are not allowed ('InternalScore' was unexpected)",
        op,
    )
    events = [
        {"Initialize": {"seed": 1}},
        scenario(
            op,
            {
                "A": [{"name": "not_a_server_error", "status": "success"}, schema_failure],
                "B": [{"name": "not_a_server_error", "status": "success"}, schema_failure],
            },
            interactions=2,
        ),
        # shrinking replays case A: the same (case, check) failure must not be counted twice
        scenario(op, {"A": [schema_failure]}),
        scenario("POST /{clientId}/Profile", {"C": [{"name": "not_a_server_error", "status": "success"}]}),
        {"NonFatalError": {"label": "GET /{clientId}/Tags", "value": {"message": "Too many filtered"}}},
    ]
    run = parse_ndjson(write(tmp_path, events, tail='{"ScenarioFin'))  # a truncated last line is ignored
    assert run.requests == 4
    assert len(run.findings) == 1
    finding = run.findings[0]
    assert (finding.operation, finding.check, finding.code, finding.count) == (
        op,
        "response_schema_conformance",
        "ST108",
        2,
    )
    assert finding.status is Status.FAILED and "InternalScore" in finding.evidence
    tallies = {t.check: (t.runs, t.failures) for t in run.tallies}
    assert tallies == {"not_a_server_error": (3, 0), "response_schema_conformance": (3, 3)}
    assert run.errors == ["GET /{clientId}/Tags: Too many filtered"]


def test_evidence_is_redacted_and_shortened(tmp_path: Path):
    long_message = "secret-value " + "x" * 5000
    events = [scenario("GET /x", {"A": [failure("custom", "", "custom", long_message, "GET /x")]})]
    run = parse_ndjson(write(tmp_path, events), redact=lambda s: s.replace("secret-value", "[R]"))
    evidence = run.findings[0].evidence
    assert "secret-value" not in evidence and "[R]" in evidence
    assert len(evidence) <= 1500 and evidence.endswith("...")


def test_json_report_totals(tmp_path: Path):
    report = tmp_path / "run.json"
    report.write_text(
        json.dumps(
            {
                "test_cases": {"generated": 123},
                "operations": {"selected": 4, "tested": 3},
                "running_time": 2.5,
                "warnings": {"missing_test_data": ["GET /a", "GET /b"], "missing_auth": []},
            }
        )
    )
    run = parse_ndjson(write(tmp_path, []))
    apply_json_report(run, report)
    assert (run.cases, run.operations_selected, run.operations_tested, run.running_time) == (123, 4, 3, 2.5)
    assert run.warnings == ["missing_test_data: GET /a, GET /b"]
    apply_json_report(run, tmp_path / "missing.json")  # absent report: totals stay as they were
    assert run.cases == 123
