"""JUnit cases of a contract run: one per check, scenario and auth check; a warning is a skip."""

from __future__ import annotations

from mypref_harness.contract.junit import contract_junit_cases, record_cases
from mypref_harness.contract.results import CheckRecord, Status

from .run_results import result, warned_result


def test_junit_has_one_case_per_check_scenario_and_auth_check():
    cases = contract_junit_cases(result())
    outcomes = {c.name: c.outcome for c in cases}
    assert outcomes["response_schema_conformance"] == "failure"
    assert outcomes["not_a_server_error"] == "passed"
    assert outcomes["missing header rejected [pnauth.missing-header]"] == "passed"
    assert outcomes["expired token [oauth.expired-token]"] == "skipped"


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


def test_checks_and_scenarios_keep_their_own_wall_time_in_junit():
    records = [
        CheckRecord("pnauth.future-timestamp", "pnauth.future-timestamp", Status.PASSED, elapsed_s=0.75),
        CheckRecord("unicode_names", "unicode_names", Status.FAILED, "500", elapsed_s=3.2),
    ]
    assert [c.time for c in record_cases(records, "auth")] == [0.75, 3.2]
