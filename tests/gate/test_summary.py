"""summary.md and summary.json: the verdict table, counts per basis, warnings, routes, the latency chart."""

import json

from mypref_harness.gate.model import GateOptions, LatencyPoint, StageResult
from mypref_harness.gate.run import run_gate

from .conftest import REPLAY


def test_latency_chart_is_written_from_the_load_timeline(tmp_path, target, fake_stages):
    def load_with_timeline(target, options, budget=None):
        timeline = [LatencyPoint(float(t), p50=10.0 + t, p95=30.0 + t) for t in range(5)]
        return StageResult("load", "pass", 0, timeline=timeline)

    fake_stages["load"] = load_with_timeline
    run_gate(target, GateOptions(report_dir=tmp_path), progress=lambda _: None)
    assert "<polyline" in (tmp_path / "latency.svg").read_text()
    md = (tmp_path / "summary.md").read_text()
    assert "[latency.svg](latency.svg)" in md
    assert "![" not in md  # linked, not embedded: job pages do not render a relative image


def _warning_stage(name):
    def runner(target, options, budget=None):
        bases = ("documented", "catalog", "assumption", "practice")
        by_basis = {b: {"failed": 0, "warned": 0} for b in bases}
        by_basis["assumption"]["warned"] = 2
        by_basis["practice"]["warned"] = 1
        warnings = [
            "POST /{clientId}/Groups [status_code_conformance] (basis assumption): 409 undeclared",
            "GET /{clientId}/Nope [route_exists] (basis assumption): route not found on target",
            "oauth.expired-token [oauth.expired-token] (basis practice): no invalid_token",
        ]
        return StageResult(name, "pass", 0, figures={"failures": 0, "warnings": 3}, detail="ok",
                           by_basis=by_basis, warnings=warnings)
    return runner


def test_a_gate_with_only_warnings_passes_and_lists_them(tmp_path, target, fake_stages):
    fake_stages["contract"] = _warning_stage("contract")
    result = run_gate(target, GateOptions(report_dir=tmp_path), progress=lambda _: None)
    assert result.exit_code == 0
    md = (tmp_path / "summary.md").read_text()
    assert "## Findings by basis (failed / warned)" in md
    assert "| Contract (Schemathesis) | 0 / 0 | 0 / 0 | 0 / 2 | 0 / 1 |" in md
    assert "## Warnings: 3 finding(s) that do not fail the gate" in md
    assert "route not found on target" in md
    stages = json.loads((tmp_path / "summary.json").read_text())["stages"]
    stage = next(s for s in stages if s["name"] == "contract")
    assert stage["by_basis"]["assumption"] == {"failed": 0, "warned": 2}
    assert len(stage["warnings"]) == 3


def test_stages_without_a_basis_do_not_appear_in_the_basis_table(tmp_path, target, fake_stages):
    run_gate(target, GateOptions(report_dir=tmp_path), progress=lambda _: None)
    assert "Findings by basis" not in (tmp_path / "summary.md").read_text()


def test_the_route_table_counts_are_in_the_gate_summaries(tmp_path, target, fake_stages):
    counts = {"guess": {"confirmed": 3, "not_found": 1, "undecided": 2, "not_exercised": 0},
              "high": {"confirmed": 7, "not_found": 0, "undecided": 0, "not_exercised": 0}}

    def contract(target, options, budget=None):
        return StageResult("contract", "pass", 0, figures={"failures": 0}, route_counts=counts)

    fake_stages["contract"] = contract
    run_gate(target, GateOptions(report_dir=tmp_path), progress=lambda _: None)
    md = (tmp_path / "summary.md").read_text()
    assert "## Routes on the target" in md
    assert "| guess | 3 | 1 | 2 | 0 |" in md and "| high | 7 | 0 | 0 | 0 |" in md
    stages = json.loads((tmp_path / "summary.json").read_text())["stages"]
    assert next(s for s in stages if s["name"] == "contract")["route_counts"] == counts


def test_summary_md_is_self_contained_and_lists_each_finding_with_its_replay(gate_dir):
    md = (gate_dir / "summary.md").read_text()
    assert "![" not in md and "<svg" not in md
    assert "[latency.svg](latency.svg)" in md
    assert f"reproduce: `{REPLAY}`" in md
    summary = json.loads((gate_dir / "summary.json").read_text())
    assert summary["stages"][1]["findings"][0]["replay"] == REPLAY
