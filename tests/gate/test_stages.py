"""The stage runners: what each passes to its suite and how it translates the suite's result."""

import xml.etree.ElementTree as ET

import pytest

from mypref_harness.config import Target
from mypref_harness.errors import ConfigError
from mypref_harness.gate import stages
from mypref_harness.gate.model import GateOptions, GateResult, LatencyPoint
from mypref_harness.gate.summary import latency_chart_svg

SVG = "{http://www.w3.org/2000/svg}"


def test_a_bad_policy_file_is_a_configuration_error(tmp_path, target):
    bad = tmp_path / "policy.toml"
    bad.write_text('[checks]\nx = "maybe"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="expected \"fail\" or \"warn\""):
        stages.stage_policy(target, GateOptions(policy_path=bad))
    good = tmp_path / "good.toml"
    good.write_text('[checks]\nx = "fail"\n', encoding="utf-8")
    assert stages.stage_policy(target, GateOptions(policy_path=good, strict=True)).strict is True
    assert stages.stage_policy(target, GateOptions(policy_path=good)).strict is False  # a configured target


def test_the_contract_stage_tests_only_the_chosen_operations(tmp_path, target, monkeypatch):
    from mypref_harness.contract import runner
    from mypref_harness.contract.results import ContractResult

    seen = {}

    def fake_run_contract(given_target, options):
        seen["operations"] = options.operations
        return ContractResult(target="fake")

    monkeypatch.setattr(runner, "run_contract", fake_run_contract)
    options = GateOptions(stages=("contract",), report_dir=tmp_path, operations=("getPrograms", "GET /x"))
    stages.run_contract_stage(target, options)
    assert seen["operations"] == ("getPrograms", "GET /x")


def test_gate_schemathesis_html_asks_the_contract_run_for_schemathesis_html_report(monkeypatch, tmp_path):
    from mypref_harness.contract import runner
    from mypref_harness.contract.results import ContractResult

    seen = {}

    def fake_run_contract(target, options):
        seen["html"] = options.html
        return ContractResult(target="t")

    monkeypatch.setattr(runner, "run_contract", fake_run_contract)
    target = Target(base_url="http://127.0.0.1:9/Profiles/v4", client_id="C", user_id="U", api_key="k" * 20)
    stages.run_contract_stage(target, GateOptions(report_dir=tmp_path, schemathesis_html=True))
    assert seen == {"html": True}



def test_gate_allow_missing_roles_reaches_the_contract_run(monkeypatch, tmp_path, target):
    from mypref_harness.contract import runner
    from mypref_harness.contract.results import ContractResult

    seen = []

    def fake_run_contract(given_target, options):
        seen.append(options.allow_missing_roles)
        return ContractResult(target="t")

    monkeypatch.setattr(runner, "run_contract", fake_run_contract)
    stages.run_contract_stage(target, GateOptions(report_dir=tmp_path))
    stages.run_contract_stage(target, GateOptions(report_dir=tmp_path, allow_missing_roles=True))
    assert seen == [False, True]

def _fake_load(monkeypatch, **figures):
    from mypref_harness.load import runner
    from mypref_harness.load.result import LoadResult
    from mypref_harness.load.slo import SloResult
    from mypref_harness.load.summary import TimelinePoint

    timeline = [  # second, requests, failures, p95, users, p50 (Locust's rolling percentiles)
        TimelinePoint(0, 5, 0, None, 2, None),
        TimelinePoint(1, 6, 0, 30.0, 2, 12.0),
        TimelinePoint(2, 7, 0, 34.0, 2, 14.0),
    ]
    slos = [SloResult("latency.lookup.p50_ms", "<=", 150, 13.0, True),
            SloResult("latency.lookup.p95_ms", "<=", 400, 33.0, True),
            SloResult("run.min_rps", ">=", 100, 6.0, False)]
    result = LoadResult(passed=False, exit_code=1, requests=18, timeline=timeline, slo_results=slos,
                        **figures)
    monkeypatch.setattr(runner, "run_load", lambda target, options: result)


def test_the_load_stage_carries_both_percentiles_to_the_latency_chart(tmp_path, target, monkeypatch):
    _fake_load(monkeypatch)
    stage = stages.run_load_stage(target, GateOptions(stages=("load",), report_dir=tmp_path))
    assert stage.timeline == [
        LatencyPoint(0.0, p50=None, p95=None),
        LatencyPoint(1.0, p50=12.0, p95=30.0),
        LatencyPoint(2.0, p50=14.0, p95=34.0),
    ]
    assert stage.thresholds == {"SLO p50 lookup": 150.0, "SLO p95 lookup": 400.0}
    svg = ET.fromstring(latency_chart_svg(GateResult([stage], [], 3.0, tmp_path)) or "")
    points = {line.get("stroke"): len(line.get("points", "").split()) for line in svg.iter(f"{SVG}polyline")}
    assert points == {"#1f77b4": 2, "#d62728": 2}  # p50 and p95: two measured seconds each
    assert {"p50 (all requests)", "p95 (all requests)"} <= {t.text for t in svg.iter(f"{SVG}text")}


def test_the_load_stage_counts_its_slo_breaches_as_typed_failures(tmp_path, target, monkeypatch):
    _fake_load(monkeypatch, p95_ms=33.4)
    stage = stages.run_load_stage(target, GateOptions(stages=("load",), report_dir=tmp_path))
    assert (stage.outcome, stage.exit_code, stage.failures) == ("fail", 1, 1)
    assert stage.figures["p95"] == "33 ms"  # display text; the verdict never reads it


def test_the_profile_stage_without_a_pinned_profile_is_a_configuration_error(tmp_path, target):
    with pytest.raises(ConfigError, match="--profile"):
        stages.run_profile_stage(target, GateOptions(report_dir=tmp_path))


def test_the_contract_stage_gets_the_rate_and_what_is_left_of_the_budget(tmp_path, target, monkeypatch):
    from mypref_harness.budget import Budget
    from mypref_harness.contract import runner
    from mypref_harness.contract.results import ContractResult

    seen = {}

    def fake_run_contract(given_target, options):
        seen.update(rate=options.rate_limit, requests=options.budget_requests, seconds=options.budget_time_s)
        return ContractResult(target="fake", cases=700)

    monkeypatch.setattr(runner, "run_contract", fake_run_contract)
    budget = Budget(requests=1000, rate=5.0)
    budget.stage("vectors")
    budget.reserve("load", 200)
    stages.run_contract_stage(target, GateOptions(report_dir=tmp_path, rate_limit="5/s"), budget)
    assert seen == {"rate": "5/s", "requests": 800, "seconds": None}
    assert budget.stage("contract").requests == 700  # the subprocess's requests, booked on the ledger


def test_the_load_stage_is_paced_by_the_runs_rate_and_books_its_requests(tmp_path, target, monkeypatch):
    from mypref_harness.budget import Budget
    from mypref_harness.load import runner
    from mypref_harness.load.result import LoadResult

    seen = {}

    def fake_run_load(given_target, options):
        seen["rate"] = options.rate_limit
        return LoadResult(passed=True, exit_code=0, requests=321)

    monkeypatch.setattr(runner, "run_load", fake_run_load)
    budget = Budget(rate=7.0)
    stages.run_load_stage(target, GateOptions(stages=("load",), report_dir=tmp_path), budget)
    assert seen == {"rate": 7.0}
    assert budget.stage("load").requests == 321
