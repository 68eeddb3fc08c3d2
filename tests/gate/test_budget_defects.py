"""Under the default request budget the gate still catches seeded defects (issue 15).

The detection curve (bench/bench_time_to_verdict.py) runs every matrix defect at every budget; this test
samples three, one per way the gate catches a defect: a Schemathesis check (undeclared-field:
response_schema_conformance on the profile responses), a read-back scenario (search-cap-ignored:
search_cap_honoured) and an auth-conformance check (sha1-accepted). Each touches its own part of the API
(response bodies, the search cap, the auth scheme) and is caught by its own checks, so one sandbox
carries all three and one gate run of the contract and auth stages is enough.

The budget is the default request budget of a configured target, without its time limit: what a request
budget buys must not depend on how fast the machine is. The requests are counted at the sandbox.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mypref_harness.config import Target
from mypref_harness.contract.matrix import default_plans
from mypref_harness.embedded import resolved_target
from mypref_harness.gate.model import DEFAULT_BUDGET_REQUESTS, GateOptions
from mypref_harness.gate.run import run_gate
from mypref_harness.sandbox.request_log import api_requests, read_request_log

pytestmark = pytest.mark.slow

SAMPLED = ("undeclared-field", "search-cap-ignored", "sha1-accepted")


def test_sampled_defects_are_caught_within_the_default_request_budget(tmp_path: Path) -> None:
    expected = {plan.defect: set(plan.expected) for plan in default_plans() if plan.defect in SAMPLED}
    assert set(expected) == set(SAMPLED)  # the matrix still names what catches each sampled defect
    log = tmp_path / "requests.jsonl"
    options = GateOptions(stages=("contract", "auth"), seed=1, report_dir=tmp_path / "reports",
                          budget_requests=DEFAULT_BUDGET_REQUESTS, budget_time_s=0)
    with resolved_target(Target(), defects=SAMPLED, extra_args=["--request-log", str(log)]) as target:
        result = run_gate(target, options, progress=lambda _line: None)
    found = {finding["check"] for stage in result.stages for finding in stage.findings}
    missed = {defect: sorted(checks) for defect, checks in expected.items() if not checks & found}
    assert missed == {}, f"not caught under the default budget (found: {sorted(found)})"
    sent = len(api_requests(read_request_log(log)))
    assert 0 < sent <= DEFAULT_BUDGET_REQUESTS
