"""A contract run under a small request budget still catches a seeded defect, and the sandbox counts
no more requests than the budget."""

from __future__ import annotations

import json
from pathlib import Path

from mypref_harness.config import Target
from mypref_harness.contract.options import ContractOptions
from mypref_harness.contract.runner import run_contract
from mypref_harness.contract.schemathesis.session import UNSEEN_PHASE

BUDGET = 60


def _api_requests(log: Path) -> int:
    """Requests the sandbox served, less its own readiness probes (the harness waiting for start-up)."""
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.strip()]
    return sum(1 for line in lines if line.get("path") != "/health")


def test_a_small_budget_still_catches_the_undeclared_field_and_stays_within_it(tmp_path: Path):
    log = tmp_path / "requests.jsonl"
    options = ContractOptions(
        operations=["getProfile", "getPrograms", "createProfile"],
        budget_requests=BUDGET,
        seed=1,
        report_dir=tmp_path / "reports",
        scenarios=False,
        auth_conformance=False,
        sandbox_options={"defects": ("undeclared-field",), "extra_args": ("--request-log", str(log))},
    )
    result = run_contract(Target(), options)
    caught = [f for f in result.failures if f.check == "response_schema_conformance"]
    assert caught, [(f.check, f.operation) for f in result.failures] + result.errors
    sent = _api_requests(log)
    assert 0 < sent <= BUDGET, sent
    assert result.budget is not None
    seen = sum(s.requests for name, s in result.budget.phases.items() if name != UNSEEN_PHASE)
    assert seen <= sent  # the hooks see only the cases, not the checks' own requests
    assert {"examples", "coverage"} <= set(result.budget.phases)
    # what was left out is said, so a team can raise the budget knowingly
    assert result.budget.left_out[0].startswith(f"budget {BUDGET} requests: ")
    assert any(line.startswith("coverage: ") and "not sent" in line for line in result.budget.left_out)
