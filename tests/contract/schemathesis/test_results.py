"""Parsing Schemathesis's NDJSON events and JSON report into findings and per-check tallies."""

from __future__ import annotations

import json
from pathlib import Path

from mypref_harness.contract.results import Status
from mypref_harness.contract.schemathesis.results import (
    CODE_TO_CHECK,
    apply_json_report,
    check_for,
    parse_ndjson,
    parse_reports,
)


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


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="schemathesis">
<testcase name="GET /{clientId}/Profile/{profileId}">
<failure type="failure" message="ST108, ST901">1. Test Case ID: AAA

- ST108 Response violates schema

    Additional properties are not allowed ('InternalScore' was unexpected)

- Custom check failed: ignored line

- ST901 Custom check failed: `unauthorized_documented`

    401 response: no WWW-Authenticate

[200] OK:

    `{}`

Reproduce with:

    curl -X GET http://x

2. Test Case ID: BBB

- ST108 Response violates schema

    Additional properties are not allowed ('Other' was unexpected)
</failure></testcase>
<testcase name="GET /{clientId}/Programs"/>
</testsuite></testsuites>
"""


def test_reports_without_ndjson(tmp_path: Path):
    op = "GET /{clientId}/Profile/{profileId}"
    report = tmp_path / "run.json"
    report.write_text(
        json.dumps(
            {
                "test_cases": {"generated": 40},
                "operations": {"selected": 2, "tested": 2},
                "failures": [
                    {
                        "type": "JsonSchemaError",
                        "code": "ST108",
                        "title": "Response violates schema",
                        "count": 2,
                        "operations": [op],
                    },
                    {
                        "type": "CustomFailure",
                        "code": "ST901",
                        "title": "Custom check failed: `unauthorized_documented`",
                        "count": 1,
                        "operations": [op],
                    },
                ],
                "errors": [{"title": "Too many generated examples are filtered out", "count": 1}],
            }
        )
    )
    junit = tmp_path / "junit.xml"
    junit.write_text(JUNIT)
    enabled = ["not_a_server_error", "response_schema_conformance", "unauthorized_documented"]
    run = parse_reports(report, junit, enabled)
    assert run.cases == 40
    by_check = {f.check: f for f in run.findings}
    assert set(by_check) == {"response_schema_conformance", "unauthorized_documented"}
    schema = by_check["response_schema_conformance"]
    assert schema.count == 2 and schema.code == "ST108" and "InternalScore" in schema.evidence
    assert "no WWW-Authenticate" in by_check["unauthorized_documented"].evidence
    tallies = {t.check: (t.runs, t.failures) for t in run.tallies}
    assert tallies == {
        "not_a_server_error": (None, 0),
        "response_schema_conformance": (None, 2),
        "unauthorized_documented": (None, 1),
    }
    assert run.errors == ["Too many generated examples are filtered out (x1)"]


def test_code_to_check_map_covers_every_openapi_failure_code():
    from schemathesis.failure_codes import FAILURE_CLASSES

    graphql = {"ST113", "ST114", "ST115", "ST206"}
    codes = {c.code for c in FAILURE_CLASSES} - graphql - {"ST901"}
    assert codes <= set(CODE_TO_CHECK)
    assert check_for("ST901", "Custom check failed: `search_cap_honoured`") == "search_cap_honoured"
