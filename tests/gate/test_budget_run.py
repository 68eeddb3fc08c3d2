"""The gate's budget and rate limit end to end on the embedded sandbox, counted at the server.

The sandbox's request log (``--request-log``) sees every request a stage sends, whatever client sent it
(Schemathesis, Locust, our own httpx clients, token requests), so these tests do not trust the ledger
they check. No timed assertion but one loose bound on a rate (a pace can only be checked over time):
requests per second over at least 3 s must stay within the limit plus 20 %.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from mypref_harness.config import Target
from mypref_harness.embedded import resolved_target
from mypref_harness.gate.model import GateOptions, GateResult
from mypref_harness.gate.run import run_gate
from mypref_harness.sandbox.request_log import LoggedRequest, api_requests, read_request_log

pytestmark = pytest.mark.slow

TINY_BUDGET = 1000  # a fifth of the default; unbudgeted, Schemathesis alone sends ~16,000


def _gate(tmp_path: Path, options: GateOptions) -> tuple[GateResult, list[LoggedRequest], dict[str, float]]:
    """Run the gate on a fresh sandbox; its result, the requests the sandbox saw and when each stage began."""
    log = tmp_path / "requests.jsonl"
    began: dict[str, float] = {}

    def progress(line: str) -> None:
        if line.endswith(")") and ": running (" in line:
            began[line.split("] ", 1)[1].split(":", 1)[0]] = time.time()

    with resolved_target(Target(), extra_args=["--request-log", str(log)]) as target:
        result = run_gate(target, options, progress=progress)
        began["end"] = time.time()
    return result, api_requests(read_request_log(log)), began


def test_a_tiny_budget_is_kept_and_what_it_left_out_is_reported(tmp_path: Path) -> None:
    options = GateOptions(stages=("contract", "auth"), seed=1, report_dir=tmp_path / "reports",
                          budget_requests=TINY_BUDGET)
    result, sent, _ = _gate(tmp_path, options)
    assert result.budget is not None
    assert 0 < len(sent) <= TINY_BUDGET, f"{len(sent)} requests reached the sandbox"
    left_out = [line for spend in result.budget.stages.values() for line in spend.left_out]
    assert left_out, "a budget this small must leave something out, and say so"
    md = (options.report_dir / "summary.md").read_text(encoding="utf-8")
    assert "Left out because of the budget" in md
    assert all(line in md for line in left_out[:3])


def _rate_between(sent: list[LoggedRequest], start: float, end: float) -> tuple[int, float]:
    window = [r.t for r in sent if start <= r.t <= end]
    return len(window), (window[-1] - window[0]) if len(window) > 1 else 0.0


def test_the_rate_limit_paces_every_stage(tmp_path: Path) -> None:
    # Unpaced, auth conformance sends ~90 requests in under a second and the load smoke's 20 users
    # ~18 requests/s: both well above 4/s.
    rate = 4.0
    options = GateOptions(stages=("auth", "load"), report_dir=tmp_path / "reports", rate_limit=f"{rate:g}/s",
                          load_duration="8s", budget_requests=0, budget_time_s=0.0)
    _, sent, began = _gate(tmp_path, options)
    for stage, end in (("auth", began["load"]), ("load", began["end"])):
        count, seconds = _rate_between(sent, began[stage], end)
        assert seconds >= 3.0, f"{stage}: {count} requests in {seconds:.1f} s, too few to judge a pace"
        assert (count - 1) / seconds <= rate * 1.2, f"{stage}: {count} requests in {seconds:.1f} s"
