"""The gate's flow with fake stages: order, exit codes, stopping early, the secret scan, progress."""

import json
import re
from pathlib import Path

from mypref_harness.errors import ConfigError, TargetUnreachable
from mypref_harness.gate import run as gate_run
from mypref_harness.gate.model import GateOptions, StageResult, parse_stages
from mypref_harness.gate.run import run_gate


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


def test_findings_in_one_stage_fail_the_gate_with_exit_1(tmp_path, target, fake_stages, make_stage):
    fake_stages["contract"] = make_stage("contract", "fail", 1, failures=3)
    result = run_gate(target, GateOptions(report_dir=tmp_path), progress=lambda _: None)
    assert result.exit_code == 1
    md = (tmp_path / "summary.md").read_text()
    assert "# Release gate: FAIL" in md
    assert "boom: it broke" in md


def test_the_findings_so_far_count_the_typed_failures_not_the_display_figures(tmp_path, target, fake_stages):
    # its table shows no "failures" figure: the count must not need one
    def contract(target, options, budget=None):
        return StageResult("contract", "fail", 1, failures=2, figures={"cases": 40})

    def auth(target, options, budget=None):
        return StageResult("auth", "fail", 1, failures=1, figures={"checks": 9})

    fake_stages["contract"], fake_stages["auth"] = contract, auth
    lines = []
    run_gate(target, GateOptions(report_dir=tmp_path), progress=lines.append)
    done = [line for line in lines if "findings so far" in line]
    assert [re.search(r"findings so far: (\d+)", line).group(1) for line in done] == ["0", "2", "3", "3"]


def test_unreachable_wins_over_findings(tmp_path, target, fake_stages, make_stage):
    def unreachable(target, options, budget=None):
        raise TargetUnreachable("connection refused by 127.0.0.1:9")

    fake_stages["contract"] = make_stage("contract", "fail", 1, failures=1)
    fake_stages["auth"] = unreachable
    result = run_gate(target, GateOptions(report_dir=tmp_path), progress=lambda _: None)
    assert result.exit_code == 3
    outcomes = {s.name: (s.outcome, s.exit_code) for s in result.stages}
    assert outcomes["auth"] == ("error", 3)


def test_a_configuration_error_in_a_stage_stops_the_gate_and_is_printed_once(tmp_path, target, fake_stages):
    ran = []

    def bad_config(target, options, budget=None):
        raise ConfigError("MYPREF_API_KEY is not set")

    def recording(name):
        def runner(target, options, budget=None):
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


def test_a_secret_in_any_artifact_fails_the_gate_and_names_the_file(tmp_path, target, fake_stages, api_key):
    def leaky(target, options, budget=None):
        path = tmp_path / "load" / "locust.log"
        path.parent.mkdir()
        path.write_text(f"debug: key={api_key}\n")
        return StageResult("load", "pass", 0, report_files=[path])

    fake_stages["load"] = leaky
    result = run_gate(target, GateOptions(report_dir=tmp_path), progress=lambda _: None)
    assert result.exit_code == 1
    assert [leak.path.name for leak in result.leaks] == ["locust.log"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["leaks"] == [{"file": "load/locust.log", "kind": "api_key"}]
    # The summaries themselves never carry the secret.
    assert api_key not in (tmp_path / "summary.md").read_text()


def test_only_the_chosen_stages_run_in_gate_order(tmp_path, target, fake_stages):
    result = run_gate(target, GateOptions(stages=parse_stages("load,vectors"), report_dir=tmp_path),
                      progress=lambda _: None)
    assert [s.name for s in result.stages] == ["vectors", "load"]


def test_a_long_stage_keeps_saying_it_is_alive(tmp_path, target, fake_stages, monkeypatch):
    import time

    monkeypatch.setattr(gate_run, "HEARTBEAT_SECONDS", 0.05)

    def slow(target, options, budget=None):
        time.sleep(0.3)
        return StageResult("contract", "pass", 0)

    fake_stages["contract"] = slow
    lines = []
    run_gate(target, GateOptions(stages=("contract",), report_dir=tmp_path), progress=lines.append)
    beats = [line for line in lines if "contract: still running" in line]
    assert len(beats) >= 2
    assert lines.index(beats[-1]) < next(i for i, line in enumerate(lines) if "contract: PASS" in line)


def test_a_configured_target_gets_the_default_budget_and_the_sandbox_none(target):
    from mypref_harness.config import Target
    from mypref_harness.gate.model import DEFAULT_BUDGET_REQUESTS, DEFAULT_BUDGET_TIME_S

    configured = gate_run.make_budget(target, GateOptions())
    assert (configured.requests, configured.seconds) == (DEFAULT_BUDGET_REQUESTS, DEFAULT_BUDGET_TIME_S)
    assert configured.rate is None  # 127.0.0.1: loopback, no rate limit unless asked
    # The load stage's share (20 users x 1/s x 20 s) and the auth checks' are kept from the contract.
    assert configured.share_for("contract")[0] == DEFAULT_BUDGET_REQUESTS - 400 - 150
    sandbox = Target(base_url="http://127.0.0.1:5/Profiles/v4", client_id="C", user_id="U",
                     sandbox_root_url="http://127.0.0.1:5")
    assert not gate_run.make_budget(sandbox, GateOptions()).limited  # `make gate` is as it was
    asked = gate_run.make_budget(sandbox, GateOptions(budget_requests=300, rate_limit="10/s"))
    assert (asked.requests, asked.seconds, asked.rate) == (300, None, 10.0)
    unlimited = gate_run.make_budget(target, GateOptions(budget_requests=0, budget_time_s=0.0))
    assert not unlimited.limited
    with_profile = gate_run.make_budget(target, GateOptions(stages=("contract",), profile=Path("p.toml")))
    assert set(with_profile.reserved) == {"profile"}  # only the stages that will run keep a share


def test_a_remote_target_is_paced_at_20_per_second_by_default():
    from mypref_harness.config import Target

    remote = Target(base_url="https://staging.example.invalid/Profiles/v4", client_id="C", user_id="U")
    assert gate_run.make_budget(remote, GateOptions()).rate == 20.0
    assert gate_run.make_budget(remote, GateOptions(rate_limit="5/s")).rate == 5.0


def test_every_stage_gets_the_one_budget_and_books_on_its_own_line(tmp_path, target, fake_stages):
    seen = {}

    def contract(target, options, budget):
        seen["contract"] = budget
        budget.stage("contract").record(requests=40, phase="coverage", operation="GET /x")
        return StageResult("contract", "pass", 0)

    def auth(target, options, budget):
        seen["auth"] = budget
        return StageResult("auth", "pass", 0)

    fake_stages["contract"], fake_stages["auth"] = contract, auth
    result = run_gate(target, GateOptions(report_dir=tmp_path, budget_requests=1000), progress=lambda _: None)
    assert seen["contract"] is seen["auth"] is result.budget
    assert result.budget.stage("contract").requests == 40
    assert result.budget.requests == 1000
