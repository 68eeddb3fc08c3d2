import json

import pytest

from mypref_harness import gate_stages, report
from mypref_harness.config import Target
from mypref_harness.errors import ConfigError, HarnessError, TargetUnreachable
from mypref_harness.gate import GateOptions, StageResult, parse_stages, run_gate

API_KEY = "gate-test-api-key-value-0123456789"


@pytest.fixture
def target():
    return Target(base_url="http://127.0.0.1:9/Profiles/v4", client_id="ACME_CORP", user_id="John.Doe",
                  api_key=API_KEY)


def _stage(name, outcome="pass", code=0, failures=0, files=()):
    def runner(target, options):
        cases = [report.JUnitCase(name=f"{name}-case", classname=name,
                                  failure="boom: it broke" if failures else None)]
        return StageResult(name, outcome, code, figures={"failures": failures}, detail=f"{name} done",
                           report_files=list(files), junit_cases=cases)
    return runner


@pytest.fixture
def fake_stages(monkeypatch):
    runners = {name: _stage(name) for name in ("vectors", "contract", "auth", "load")}
    monkeypatch.setattr(gate_stages, "RUNNERS", runners)
    return runners


def test_all_stages_pass_gives_exit_0_and_writes_summaries(tmp_path, target, fake_stages):
    lines = []
    result = run_gate(target, GateOptions(report_dir=tmp_path), progress=lines.append)
    assert result.exit_code == 0
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["verdict"] == "pass"
    assert [s["name"] for s in summary["stages"]] == ["vectors", "contract", "auth", "load"]
    assert "# Release gate: PASS" in (tmp_path / "summary.md").read_text()
    assert (tmp_path / "junit-gate-contract.xml").exists()
    assert any("contract: PASS" in line for line in lines)


def test_findings_in_one_stage_fail_the_gate_with_exit_1(tmp_path, target, fake_stages):
    fake_stages["contract"] = _stage("contract", "fail", 1, failures=3)
    result = run_gate(target, GateOptions(report_dir=tmp_path), progress=lambda _: None)
    assert result.exit_code == 1
    md = (tmp_path / "summary.md").read_text()
    assert "# Release gate: FAIL" in md
    assert "boom: it broke" in md


def test_unreachable_wins_over_findings(tmp_path, target, fake_stages):
    def unreachable(target, options):
        raise TargetUnreachable("connection refused by 127.0.0.1:9")

    fake_stages["contract"] = _stage("contract", "fail", 1, failures=1)
    fake_stages["auth"] = unreachable
    result = run_gate(target, GateOptions(report_dir=tmp_path), progress=lambda _: None)
    assert result.exit_code == 3
    outcomes = {s.name: (s.outcome, s.exit_code) for s in result.stages}
    assert outcomes["auth"] == ("error", 3)


def test_a_configuration_error_in_a_stage_stops_the_gate_and_is_printed_once(tmp_path, target, fake_stages):
    ran = []

    def bad_config(target, options):
        raise ConfigError("MYPREF_API_KEY is not set")

    def recording(name):
        def runner(target, options):
            ran.append(name)
            return StageResult(name, "pass", 0)
        return runner

    fake_stages["contract"] = bad_config
    fake_stages["auth"], fake_stages["load"] = recording("auth"), recording("load")
    lines = []
    result = run_gate(target, GateOptions(report_dir=tmp_path), progress=lines.append)
    assert result.exit_code == 2
    assert ran == []
    assert [s.name for s in result.stages] == ["vectors", "contract"]
    assert sum("MYPREF_API_KEY is not set" in line for line in lines) == 1


def test_a_secret_in_any_artifact_fails_the_gate_and_names_the_file(tmp_path, target, fake_stages):
    def leaky(target, options):
        path = tmp_path / "load" / "locust.log"
        path.parent.mkdir()
        path.write_text(f"debug: key={API_KEY}\n")
        return StageResult("load", "pass", 0, report_files=[path])

    fake_stages["load"] = leaky
    result = run_gate(target, GateOptions(report_dir=tmp_path), progress=lambda _: None)
    assert result.exit_code == 1
    assert [leak.path.name for leak in result.leaks] == ["locust.log"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["leaks"] == [{"file": "load/locust.log", "kind": "api_key"}]
    # The summaries themselves never carry the secret.
    assert API_KEY not in (tmp_path / "summary.md").read_text()


def test_only_the_chosen_stages_run_in_gate_order(tmp_path, target, fake_stages):
    result = run_gate(target, GateOptions(stages=parse_stages("load,vectors"), report_dir=tmp_path),
                      progress=lambda _: None)
    assert [s.name for s in result.stages] == ["vectors", "load"]


def test_unknown_stage_is_a_usage_error():
    with pytest.raises(HarnessError, match="unknown stage"):
        parse_stages("contract,fuzz")


def test_latency_chart_is_written_from_the_load_timeline(tmp_path, target, fake_stages):
    def load_with_timeline(target, options):
        timeline = [{"t": float(t), "p50": 10.0 + t, "p95": 30.0 + t} for t in range(5)]
        return StageResult("load", "pass", 0, timeline=timeline)

    fake_stages["load"] = load_with_timeline
    run_gate(target, GateOptions(report_dir=tmp_path), progress=lambda _: None)
    assert "<polyline" in (tmp_path / "latency.svg").read_text()
    md = (tmp_path / "summary.md").read_text()
    assert "[latency.svg](latency.svg)" in md
    assert "![" not in md  # linked, not embedded: job pages do not render a relative image


def test_quick_mode_shrinks_every_budget_and_explicit_values_win():
    quick, default = GateOptions(quick=True), GateOptions()
    assert quick.effective_max_examples < default.effective_max_examples
    assert quick.effective_load_users < default.effective_load_users
    assert quick.effective_load_duration != default.effective_load_duration
    explicit = GateOptions(quick=True, max_examples=7, load_users=3, load_duration="5s")
    assert (explicit.effective_max_examples, explicit.effective_load_users,
            explicit.effective_load_duration) == (7, 3, "5s")


def test_a_long_stage_keeps_saying_it_is_alive(tmp_path, target, fake_stages, monkeypatch):
    import time

    import mypref_harness.gate as gate_module

    monkeypatch.setattr(gate_module, "HEARTBEAT_SECONDS", 0.05)

    def slow(target, options):
        time.sleep(0.3)
        return StageResult("contract", "pass", 0)

    fake_stages["contract"] = slow
    lines = []
    run_gate(target, GateOptions(stages=("contract",), report_dir=tmp_path), progress=lines.append)
    beats = [line for line in lines if "contract: still running" in line]
    assert len(beats) >= 2
    assert lines.index(beats[-1]) < next(i for i, line in enumerate(lines) if "contract: PASS" in line)


def _warning_stage(name):
    def runner(target, options):
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


def test_a_bad_policy_file_is_a_configuration_error(tmp_path, target):
    from mypref_harness.gate_stages import stage_policy

    bad = tmp_path / "policy.toml"
    bad.write_text('[checks]\nx = "maybe"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="expected \"fail\" or \"warn\""):
        stage_policy(target, GateOptions(policy_path=bad))
    good = tmp_path / "good.toml"
    good.write_text('[checks]\nx = "fail"\n', encoding="utf-8")
    assert stage_policy(target, GateOptions(policy_path=good, strict=True)).strict is True
    assert stage_policy(target, GateOptions(policy_path=good)).strict is False  # a configured target


def test_the_route_table_counts_are_in_the_gate_summaries(tmp_path, target, fake_stages):
    counts = {"guess": {"confirmed": 3, "not_found": 1, "undecided": 2, "not_exercised": 0},
              "high": {"confirmed": 7, "not_found": 0, "undecided": 0, "not_exercised": 0}}

    def contract(target, options):
        return StageResult("contract", "pass", 0, figures={"failures": 0}, route_counts=counts)

    fake_stages["contract"] = contract
    run_gate(target, GateOptions(report_dir=tmp_path), progress=lambda _: None)
    md = (tmp_path / "summary.md").read_text()
    assert "## Routes on the target" in md
    assert "| guess | 3 | 1 | 2 | 0 |" in md and "| high | 7 | 0 | 0 | 0 |" in md
    stages = json.loads((tmp_path / "summary.json").read_text())["stages"]
    assert next(s for s in stages if s["name"] == "contract")["route_counts"] == counts


def test_the_contract_stage_tests_only_the_chosen_operations(tmp_path, target, monkeypatch):
    from mypref_harness.contract import runner
    from mypref_harness.contract.results import ContractResult

    seen = {}

    def fake_run_contract(given_target, options):
        seen["operations"] = options.operations
        return ContractResult(target="fake")

    monkeypatch.setattr(runner, "run_contract", fake_run_contract)
    options = GateOptions(stages=("contract",), report_dir=tmp_path, operations=("getPrograms", "GET /x"))
    gate_stages.run_contract_stage(target, options)
    assert seen["operations"] == ("getPrograms", "GET /x")
