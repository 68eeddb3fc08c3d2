"""Fixtures for the gate's tests: a configured target that is never contacted, and fake stages."""

from __future__ import annotations

import pytest

from mypref_harness import report
from mypref_harness.config import Target
from mypref_harness.gate import stages
from mypref_harness.gate.model import GateOptions, LatencyPoint, StageResult
from mypref_harness.gate.run import run_gate

API_KEY = "gate-test-api-key-value-0123456789"
REPLAY = "mypref-harness replay reports/contract/cases/0cXSDM.json"


@pytest.fixture
def api_key():
    return API_KEY


@pytest.fixture
def target():
    return Target(base_url="http://127.0.0.1:9/Profiles/v4", client_id="ACME_CORP", user_id="John.Doe",
                  api_key=API_KEY)


def fake_stage(name, outcome="pass", code=0, failures=0, files=(), **extra):
    """A runner that returns one StageResult without running any suite."""
    def runner(target, options, budget=None):
        cases = [report.JUnitCase(name=f"{name}-case", classname=name,
                                  failure="boom: it broke" if failures else None)]
        return StageResult(name, outcome, code, failures=failures, figures={"failures": failures},
                           detail=f"{name} done", report_files=list(files), junit_cases=cases, **extra)
    return runner


@pytest.fixture
def make_stage():
    return fake_stage


@pytest.fixture
def fake_stages(monkeypatch):
    runners = {name: fake_stage(name) for name in ("vectors", "contract", "auth", "load")}
    monkeypatch.setattr(stages, "RUNNERS", runners)
    return runners


@pytest.fixture
def gate_dir(tmp_path, fake_stages):
    """The reports of a gate with a failing contract stage (one finding with its replay), an auth stage
    with counts per basis and a load stage with a latency timeline and two SLO limits."""
    timeline = [LatencyPoint(0.0, p50=None, p95=None)] + [
        LatencyPoint(float(t), p50=10.0 + t, p95=40.0 + 2 * t) for t in range(1, 8)
    ]
    findings = [
        {
            "subject": "POST /{clientId}/Profile",
            "check": "not_a_server_error",
            "status": "failed",
            "evidence": "Server error <500>",
            "replay": REPLAY,
        }
    ]
    fake_stages["contract"] = fake_stage(
        "contract", "fail", 1, findings=findings, route_counts={"high": {"confirmed": 3, "not_found": 1}}
    )
    fake_stages["auth"] = fake_stage("auth", by_basis={"documented": {"failed": 0, "warned": 1}})
    fake_stages["load"] = fake_stage(
        "load", timeline=timeline, thresholds={"SLO p95 lookup": 400.0, "SLO p50 lookup": 150.0}
    )
    target = Target(
        base_url="http://127.0.0.1:9/Profiles/v4",
        client_id="ACME_CORP",
        user_id="John.Doe",
        api_key="html-test-api-key-0123456789",
    )
    run_gate(target, GateOptions(report_dir=tmp_path / "reports"), progress=lambda _: None)
    return tmp_path / "reports"
