"""Where the requests went: per stage, per phase, per operation and what the budget left out, in
summary.md, summary.json, index.html and requests-by-operation.csv."""

import csv
import json

from mypref_harness.budget import StageSpend
from mypref_harness.contract.results import ContractResult
from mypref_harness.gate import stages
from mypref_harness.gate.model import GateOptions, StageResult
from mypref_harness.gate.run import run_gate


def _contract_spending(target, options, budget):
    spend = budget.stage("contract")
    spend.record(requests=30, seconds=3.0, phase="examples", operation="GET /{clientId}/Programs")
    spend.record(requests=900, seconds=60.0, phase="coverage", operation="POST /{clientId}/Profile")
    spend.record(requests=70, seconds=5.0, phase="coverage", operation="GET /{clientId}/Programs")
    spend.left_out.append("fuzzing phase: not run (budget spent)")
    return StageResult("contract", "pass", 0)


def test_the_summaries_say_where_the_requests_went_and_what_was_left_out(tmp_path, target, fake_stages):
    fake_stages["contract"] = _contract_spending
    run_gate(target, GateOptions(report_dir=tmp_path, budget_requests=1200, rate_limit="20/s"),
             progress=lambda _: None)
    md = (tmp_path / "summary.md").read_text()
    assert "## Where the requests went" in md
    assert "budget 1200 requests, 05:00, 20/s: spent 1000 requests" in md
    assert "| Contract (Schemathesis) | 1000 | 100% |" in md
    assert "| coverage | 970 |" in md and "| examples | 30 |" in md
    assert md.index("| POST /{clientId}/Profile | 900 |") < md.index("| GET /{clientId}/Programs | 100 |")
    assert "- Contract (Schemathesis): fuzzing phase: not run (budget spent)" in md
    budget = json.loads((tmp_path / "summary.json").read_text())["budget"]
    assert (budget["requests"], budget["rate_per_s"], budget["spent_requests"]) == (1200, 20.0, 1000)
    assert budget["stages"]["contract"]["phases"]["coverage"] == {"requests": 970, "seconds": 65.0}
    assert budget["stages"]["contract"]["left_out"] == ["fuzzing phase: not run (budget spent)"]
    rows = list(csv.DictReader((tmp_path / "requests-by-operation.csv").open()))
    assert [(r["stage"], r["operation"], r["requests"]) for r in rows] == [
        ("contract", "POST /{clientId}/Profile", "900"), ("contract", "GET /{clientId}/Programs", "100")
    ]
    html = (tmp_path / "index.html").read_text()
    assert 'id="requests"' in html and "fuzzing phase: not run (budget spent)" in html
    assert '<a href="requests-by-operation.csv">' in html


def test_an_unlimited_run_says_so_and_that_nothing_was_left_out(tmp_path, target, fake_stages):
    run_gate(target, GateOptions(report_dir=tmp_path, budget_requests=0, budget_time_s=0.0),
             progress=lambda _: None)
    md = (tmp_path / "summary.md").read_text()
    assert "no budget (unlimited): spent 0 requests" in md
    assert "Nothing was left out because of the budget." in md


def test_the_contract_stage_books_the_schemathesis_ledger_by_phase(tmp_path, target, monkeypatch):
    from mypref_harness.budget import Budget
    from mypref_harness.contract import runner

    ledger = StageSpend()
    ledger.record(requests=40, phase="coverage", operation="GET /{clientId}/Programs")
    ledger.left_out.append("12 operations not fuzzed")

    result = ContractResult(target="t", cases=40, budget=ledger)
    monkeypatch.setattr(runner, "run_contract", lambda given_target, options: result)
    budget = Budget()
    budget.stage("contract").record(requests=3, operation="GET /ACME/Profile/1")  # the hook's, in-process
    stages.run_contract_stage(target, GateOptions(report_dir=tmp_path), budget)
    spend = budget.stage("contract")
    assert spend.requests == 43
    assert spend.phases["coverage"].requests == 40
    assert spend.left_out == ["12 operations not fuzzed"]
