"""summary.md and contract-result.json of a contract run."""

from __future__ import annotations

from mypref_harness.contract.summary import contract_json, contract_markdown

from .run_results import result, warned_result


def test_markdown_summary_has_the_tables():
    text = contract_markdown(result())
    assert text.startswith("# Contract run: FAIL")
    assert "| response_schema_conformance | 10 | 2 | FAIL |" in text
    assert "5.0 cases/s" in text and "effective expiry window" in text and "put_replaces" in text


def test_warnings_have_their_own_section_and_do_not_fail():
    text = contract_markdown(warned_result())
    assert text.startswith("# Contract run: PASS")
    assert "## Warnings: 1 finding(s) that do not fail the run" in text
    assert "| POST /y | status_code_conformance | assumption | 402 |" in text
    assert "| status_code_conformance | 10 | 1 | WARN |" in text
    assert "| assumption | 0 | 1 |" in text  # findings by basis
    assert "## Findings\n" not in text  # nothing failed


def test_the_route_table_is_in_the_summary_and_the_json():
    import json

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


def test_the_stateful_links_added_by_role_are_in_the_summary_the_json_and_the_console():
    import json

    from mypref_harness.contract.console import print_contract

    run = result()
    run.links_added = 18
    assert "- stateful links added by role: 18 (the spec declares none)" in contract_markdown(run)
    assert json.loads(contract_json(run))["links_added"] == 18
    lines: list[str] = []
    print_contract(run, lines.append)
    assert "  stateful links: 18 added by role (the spec declares none)" in lines
    run.links_added = 0
    lines.clear()
    print_contract(run, lines.append)
    assert not any("stateful links" in line for line in lines)


def test_the_schemathesis_workers_and_why_are_in_the_summary_the_json_and_the_console():
    import json

    from mypref_harness.contract.console import print_contract

    run = result()
    run.workers, run.workers_why = 2, "2 = ceil(20/s x 100 ms round trip), clamped to 1..16"
    assert "- Schemathesis workers: 2 = ceil(20/s x 100 ms round trip)" in contract_markdown(run)
    assert json.loads(contract_json(run))["workers"] == {"count": 2, "why": run.workers_why}
    lines: list[str] = []
    print_contract(run, lines.append)
    assert f"  Schemathesis workers: {run.workers_why}" in lines


def test_where_schemathesis_requests_went_is_in_the_summary_and_the_json():
    import json

    from mypref_harness.budget import StageSpend

    run = result()
    assert "Schemathesis requests" not in contract_markdown(run)
    assert json.loads(contract_json(run))["requests"] is None
    run.budget = StageSpend()
    run.budget.record(requests=7, phase="coverage", operation="GET /a")
    run.budget.record(requests=3, phase="fuzzing", operation="GET /a")
    run.budget.left_out.append("coverage: 90 generated cases not sent in 1 operation(s)")
    text = contract_markdown(run)
    assert "- Schemathesis requests: 10 (coverage 7, fuzzing 3)" in text
    assert "- left out by the budget: coverage: 90 generated cases not sent in 1 operation(s)" in text
    requests = json.loads(contract_json(run))["requests"]
    assert requests["requests"] == 10 and requests["operations"]["GET /a"]["requests"] == 10
    assert requests["left_out"] == ["coverage: 90 generated cases not sent in 1 operation(s)"]
    from mypref_harness.contract.console import print_contract

    lines: list[str] = []
    print_contract(run, lines.append)
    assert "  Schemathesis requests: 10 (coverage 7, fuzzing 3)" in lines
