"""Auth conformance against the real embedded sandbox answering every API and token call with 503.

``sandbox --error-rate 1.0`` is deterministic: no answer decides anything, so every check is
errored, every fact undetermined, and the run exits 3 (target unhealthy), never 1 with "findings"
that look like the seeded day-long-window defect.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mypref_harness.auth.answers import RetryPolicy
from mypref_harness.config import Target
from mypref_harness.contract.auth_conformance.probe import ConformanceOptions
from mypref_harness.contract.auth_conformance.run import run_auth_conformance
from mypref_harness.contract.results import Status
from mypref_harness.errors import ExitCode


def test_a_sandbox_answering_only_503_gives_no_verdict_no_fact_and_exit_3(tmp_path: Path):
    options = ConformanceOptions(
        report_dir=tmp_path,
        sandbox_options={"extra_args": ("--error-rate", "1.0")},
        # The sandbox sends Retry-After: 1; waiting for it would only slow the test down.
        retry=RetryPolicy(backoff_s=0.01, max_wait_s=0.01),
    )
    result = run_auth_conformance(Target(), options)
    assert {c.status for c in result.checks} <= {Status.ERRORED, Status.SKIPPED}
    assert sum(c.status is Status.ERRORED for c in result.checks) >= 20
    assert all("HTTP 503" in c.evidence for c in result.errored)
    names = {f.name for f in result.facts}
    assert {"clock_skew_s", "pnauth_window_s", "future_tolerance_s", "naive_timestamp_zone"} <= names
    assert [f.name for f in result.facts if f.determined] == []
    assert result.unhealthy and result.exit_code == ExitCode.UNREACHABLE
    report = (tmp_path / "auth-conformance.md").read_text(encoding="utf-8")
    assert "Target unhealthy" in report and "ERRORED" in report and "undetermined" in report


@pytest.mark.slow
def test_a_rate_limited_sandbox_gives_the_true_facts_after_honouring_retry_after(tmp_path: Path):
    # Every 429 carries Retry-After (>= 1 s): waiting for it, not counting the 429 as an answer,
    # gives the same verdicts and facts as an unlimited sandbox.
    only = ("pnauth.accepted.pnauthinfo3-hmac-sha256", "pnauth.future-timestamp", "pnauth.expired-timestamp")
    options = ConformanceOptions(
        only=(*only, "probes"),
        write_reports=False,
        sandbox_options={"extra_args": ("--rate-limit", "5/s")},
    )
    result = run_auth_conformance(Target(), options)
    assert [(c.check, c.status) for c in result.checks] == [(check, Status.PASSED) for check in only]
    facts = {f.name: f.value for f in result.facts}
    # The sandbox's 900 s, measured with whole-second timestamps: the sub-second part of "now" and the
    # request's own time can cost a second.
    assert 898 <= facts["pnauth_window_s"] <= 900
    assert facts["future_tolerance_s"] == 0 and facts["naive_timestamp_zone"] == "us_eastern"
    assert any("retries" in w for w in result.warnings), result.warnings  # the limit was really hit
    assert result.exit_code == ExitCode.OK
