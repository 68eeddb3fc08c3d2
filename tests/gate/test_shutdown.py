"""SIGTERM to the gate (what CI sends on cancel or timeout): nothing left running, nothing left on disk.

The gate runs as a real subprocess with a private TMPDIR and a marker in its environment; every
child inherits both, so "our" processes and folders are exactly those carrying the marker or living
in that TMPDIR. The signal is sent once Schemathesis is seen running, not after a fixed delay.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid

import pytest

from ..live_processes import processes_with, wait_for


@pytest.mark.slow
def test_sigterm_during_the_contract_stage_stops_everything_and_marks_the_reports_incomplete(tmp_path):
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    reports = tmp_path / "reports"
    marker = f"MYPREF_TEST_SHUTDOWN_PROBE_{uuid.uuid4().hex}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYPREF_")}
    env.update({"TMPDIR": str(private_tmp), "XDG_CACHE_HOME": str(tmp_path / "cache"), marker: "1"})
    env["SHUTDOWN_PROBE"] = marker  # a name the contract runner does not strip (it drops MYPREF_*)
    log = (tmp_path / "gate.log").open("wb")
    gate = subprocess.Popen(
        [sys.executable, "-m", "mypref_harness", "gate", "--quick", "--stages", "vectors,contract,load",
         "--report-dir", str(reports)],
        env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    try:
        schemathesis = wait_for(
            lambda: {p: c for p, c in processes_with(marker).items() if "schemathesis" in c}, within=180
        )
        assert schemathesis, "Schemathesis never started: " + (tmp_path / "gate.log").read_text()[-2000:]
        assert gate.poll() is None
        assert len(processes_with(marker)) >= 3  # the gate, the sandbox and Schemathesis at least
        gate.send_signal(signal.SIGTERM)
        code = gate.wait(timeout=60)
    finally:
        if gate.poll() is None:
            gate.kill()
        log.close()
    output = (tmp_path / "gate.log").read_text()
    assert code == 128 + signal.SIGTERM, output[-2000:]
    assert "stopped by SIGTERM" in output
    # Stray group members get a SIGKILL that lands asynchronously: give them a moment to go.
    left = wait_for(lambda: not processes_with(marker), within=10) or processes_with(marker)
    assert left is True, f"processes left behind: {left}"
    assert sorted(p.name for p in private_tmp.iterdir()) == []
    summary = json.loads((reports / "summary.json").read_text())
    assert summary["verdict"] == "incomplete"
    assert summary["interrupted"] == "stopped by SIGTERM during contract"
    assert [(s["name"], s["outcome"]) for s in summary["stages"]] == [
        ("vectors", "pass"), ("contract", "incomplete")
    ]
    assert (reports / "summary.md").read_text().startswith("# Release gate: INCOMPLETE")


# ------------------------------------------------------------------ the gate's verdicts, fake stages


def _fake_runners(monkeypatch, **special):
    from mypref_harness.gate import stages
    from mypref_harness.gate.model import StageResult

    def passing(name):
        return lambda target, options, budget=None: StageResult(name, "pass", 0, figures={"failures": 0})

    runners = {name: special.get(name) or passing(name) for name in ("vectors", "contract", "auth", "load")}
    monkeypatch.setattr(stages, "RUNNERS", runners)


def _target():
    from mypref_harness.config import Target

    return Target(base_url="http://127.0.0.1:9/Profiles/v4", client_id="ACME_CORP", user_id="John.Doe",
                  api_key="shutdown-test-key-0123456789")


def test_a_stage_that_runs_out_of_time_makes_the_gate_incomplete_with_exit_4(tmp_path, monkeypatch):
    from mypref_harness.errors import ExitCode, RunIncomplete
    from mypref_harness.gate.model import GateOptions
    from mypref_harness.gate.run import run_gate

    def out_of_time(target, options, budget=None):
        raise RunIncomplete("Schemathesis did not finish within 5 s and was stopped: no verdict")

    _fake_runners(monkeypatch, contract=out_of_time)
    result = run_gate(_target(), GateOptions(report_dir=tmp_path), progress=lambda _: None)
    assert result.exit_code == ExitCode.INCOMPLETE == 4
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["verdict"] == "incomplete"
    assert [s["outcome"] for s in summary["stages"]] == ["pass", "incomplete", "pass", "pass"]


def test_findings_elsewhere_still_fail_a_gate_with_an_incomplete_stage(tmp_path, monkeypatch):
    from mypref_harness.errors import RunIncomplete
    from mypref_harness.gate.model import GateOptions, StageResult
    from mypref_harness.gate.run import run_gate

    def out_of_time(target, options, budget=None):
        raise RunIncomplete("Locust did not finish in time")

    def findings(target, options, budget=None):
        return StageResult("contract", "fail", 1, failures=2, figures={"failures": 2})

    _fake_runners(monkeypatch, load=out_of_time, contract=findings)
    result = run_gate(_target(), GateOptions(report_dir=tmp_path), progress=lambda _: None)
    assert result.exit_code == 1
    assert json.loads((tmp_path / "summary.json").read_text())["verdict"] == "fail"


def test_a_signal_during_a_stage_writes_the_partial_summary_then_unwinds(tmp_path, monkeypatch):
    from mypref_harness import procs
    from mypref_harness.gate.model import GateOptions
    from mypref_harness.gate.run import run_gate

    def terminated(target, options, budget=None):
        budget.stage("auth").record(requests=7)  # sent before the signal came
        raise procs.Terminated(signal.SIGTERM)

    _fake_runners(monkeypatch, auth=terminated)
    with pytest.raises(procs.Terminated):
        run_gate(_target(), GateOptions(report_dir=tmp_path), progress=lambda _: None)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["verdict"] == "incomplete"
    assert summary["exit_code"] == 143
    assert summary["interrupted"] == "stopped by SIGTERM during auth"
    assert [(s["name"], s["outcome"]) for s in summary["stages"]] == [
        ("vectors", "pass"), ("contract", "pass"), ("auth", "incomplete")
    ]
    assert "later stages did not run" in (tmp_path / "summary.md").read_text()
    assert summary["budget"]["stages"]["auth"]["requests"] == 7  # where the requests went, so far


def test_schemathesis_out_of_time_is_exit_4_with_the_partial_output_marked(tmp_path):
    from mypref_harness.contract.schemathesis.launch import run_schemathesis
    from mypref_harness.contract.schemathesis.prepare import PreparedRun
    from mypref_harness.errors import ExitCode, RunIncomplete

    sleeper = [sys.executable, "-c", "import time; print('started', flush=True); time.sleep(600)"]
    paths = {name: tmp_path / name for name in ("c", "s", "n", "j", "o", "u")}
    prepared = PreparedRun(sleeper, dict(os.environ), paths["c"], paths["s"], paths["n"], paths["j"],
                           paths["o"], paths["u"], strict=True)
    with pytest.raises(RunIncomplete) as info:
        run_schemathesis(prepared, timeout_s=0.5, cwd=tmp_path)
    assert info.value.exit_code == ExitCode.INCOMPLETE
    assert "INCOMPLETE: stopped after 0.5 s" in paths["o"].read_text()
