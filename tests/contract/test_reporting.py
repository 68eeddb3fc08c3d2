"""Reports: Markdown summary, JUnit cases, and the scrub + scan of every artifact."""

from __future__ import annotations

from pathlib import Path

from mypref_harness.config import Target
from mypref_harness.contract.reporting import (
    contract_junit_cases,
    contract_markdown,
    record_cases,
    scrub_directory,
    secret_scan,
)
from mypref_harness.contract.results import (
    CheckRecord,
    CheckTally,
    ConformanceResult,
    ContractResult,
    Fact,
    Status,
)
from mypref_harness.report import scan_for_secrets

KEY = "pnauth-key-that-must-not-leak-42"
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJBQ01FX0NPUlAvSm9obi5Eb2UifQ.c2lnbmF0dXJlc2lnbmF0dXJl"


def result() -> ContractResult:
    finding = CheckRecord(
        "GET /x", "response_schema_conformance", Status.FAILED, "extra field", "GET /x", "ST108", 2
    )
    conformance = ConformanceResult(
        target="t",
        checks=[
            CheckRecord("missing header rejected", "pnauth.missing-header", Status.PASSED, "HTTP 401"),
            CheckRecord("expired token", "oauth.expired-token", Status.SKIPPED, "lifetime too long"),
        ],
        facts=[Fact("effective expiry window", "900 s", "bisection")],
    )
    return ContractResult(
        target="http://127.0.0.1:1/Profiles/v4",
        cases=10,
        findings=[finding],
        tallies=[CheckTally("response_schema_conformance", 10, 2), CheckTally("not_a_server_error", 10, 0)],
        scenarios=[CheckRecord("put", "put_replaces", Status.PASSED, "ok")],
        conformance=conformance,
        schemathesis_elapsed_s=2.0,
    )


def test_markdown_summary_has_the_tables():
    text = contract_markdown(result())
    assert text.startswith("# Contract run: FAIL")
    assert "| response_schema_conformance | 10 | 2 | FAIL |" in text
    assert "5.0 cases/s" in text and "effective expiry window" in text and "put_replaces" in text


def test_junit_has_one_case_per_check_scenario_and_auth_check():
    cases = contract_junit_cases(result())
    outcomes = {c.name: c.outcome for c in cases}
    assert outcomes["response_schema_conformance"] == "failure"
    assert outcomes["not_a_server_error"] == "passed"
    assert outcomes["missing header rejected [pnauth.missing-header]"] == "passed"
    assert outcomes["expired token [oauth.expired-token]"] == "skipped"


def test_scrub_removes_keys_tokens_and_signatures_then_the_scan_is_clean(tmp_path: Path):
    leaky = tmp_path / "out.txt"
    leaky.write_text(
        f"key={KEY}\nAuthorization: Bearer {JWT}\n"
        "PNAUTHINFO3-HMAC-SHA256 Credential=u/2026-01-01T00:00:00Z "
        "Signature=Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0=\n"
    )
    (tmp_path / "nested").mkdir()
    (tmp_path / "nested" / "r.json").write_text(f'{{"token": "{JWT}"}}')
    target = Target(base_url="http://127.0.0.1:1/Profiles/v4", client_id="C", user_id="u", api_key=KEY)
    assert scan_for_secrets([tmp_path], target.named_secrets())  # leaks before the scrub
    changed = scrub_directory(tmp_path, target.secrets())
    assert set(changed) == {leaky, tmp_path / "nested" / "r.json"}
    assert scan_for_secrets([tmp_path], target.named_secrets()) == []
    assert secret_scan(tmp_path, target) == []
    text = leaky.read_text()
    assert KEY not in text and JWT not in text and "Lbhe+fKo" not in text


def warned_result() -> ContractResult:
    from mypref_harness.basis import Basis
    from mypref_harness.contract.route_verdicts import RouteState, RouteVerdict

    run = result()
    run.findings = [
        CheckRecord(
            "POST /y",
            "status_code_conformance",
            Status.WARNED,
            "402",
            "POST /y",
            "ST103",
            1,
            Basis.ASSUMPTION,
        )
    ]
    run.tallies = [CheckTally("status_code_conformance", 10, 1)]
    run.routes = [
        RouteVerdict("GET", "/{clientId}/Programs", "getPrograms", "high", RouteState.CONFIRMED, {"200": 3}),
        RouteVerdict("GET", "/{clientId}/Nope", "nope", "guess", RouteState.NOT_FOUND, {"404": 2}, "all 404"),
    ]
    run.policy = "documented and catalog findings fail"
    return run


def test_warnings_have_their_own_section_and_do_not_fail():
    text = contract_markdown(warned_result())
    assert text.startswith("# Contract run: PASS")
    assert "## Warnings: 1 finding(s) that do not fail the run" in text
    assert "| POST /y | status_code_conformance | assumption | 402 |" in text
    assert "| status_code_conformance | 10 | 1 | WARN |" in text
    assert "| assumption | 0 | 1 |" in text  # findings by basis
    assert "## Findings\n" not in text  # nothing failed


def test_a_warning_is_a_junit_skip_that_names_its_basis():
    from xml.etree import ElementTree

    from mypref_harness.report import junit_xml

    cases = contract_junit_cases(warned_result())
    (warning,) = [c for c in cases if c.classname == "contract.warnings"]
    assert warning.outcome == "skipped"
    skipped = ElementTree.fromstring(junit_xml("s", [warning])).find(".//skipped")
    assert skipped is not None and skipped.get("message", "").startswith("warning (basis assumption)")
    tally = next(c for c in cases if c.name == "status_code_conformance")
    assert tally.outcome == "passed"


def test_the_route_table_is_in_the_summary_and_the_json():
    import json

    from mypref_harness.contract.reporting import contract_json

    run = warned_result()
    text = contract_markdown(run)
    assert "## Routes on the target" in text
    assert "| guess | 0 | 1 | 0 | 0 |" in text and "| high | 1 | 0 | 0 | 0 |" in text
    document = json.loads(contract_json(run))
    assert document["routes"][1] == {
        "method": "GET",
        "path": "/{clientId}/Nope",
        "operation_id": "nope",
        "confidence": "guess",
        "state": "not_found",
        "statuses": {"404": 2},
        "evidence": "all 404",
    }
    assert document["warned"][0]["basis"] == "assumption" and document["failures"] == []
    assert document["by_basis"]["assumption"] == {"failed": 0, "warned": 1}


def test_checks_and_scenarios_keep_their_own_wall_time_in_junit():
    records = [
        CheckRecord("pnauth.future-timestamp", "pnauth.future-timestamp", Status.PASSED, elapsed_s=0.75),
        CheckRecord("unicode_names", "unicode_names", Status.FAILED, "500", elapsed_s=3.2),
    ]
    assert [c.time for c in record_cases(records, "auth")] == [0.75, 3.2]
