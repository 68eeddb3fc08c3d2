"""Harness-written JUnit files carry measured durations, not time="0.000" everywhere."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from mypref_harness import report
from mypref_harness.config import Target
from mypref_harness.contract.reporting import record_cases
from mypref_harness.contract.results import CheckRecord, Status
from mypref_harness.gate import GateOptions, GateResult, StageResult, _write_reports


def test_the_suite_time_is_the_measured_run_time_when_given():
    cases = [report.JUnitCase("a", "c", time=1.5), report.JUnitCase("b", "c")]
    root = ET.fromstring(report.junit_xml("s", cases, elapsed_s=42.25))
    assert root.get("time") == "42.250"
    assert [c.get("time") for c in root.iter("testcase")] == ["1.500", "0.000"]
    assert ET.fromstring(report.junit_xml("s", cases)).get("time") == "1.500"  # no run time: the sum


def test_checks_and_scenarios_keep_their_own_wall_time_in_junit():
    records = [
        CheckRecord("pnauth.future-timestamp", "pnauth.future-timestamp", Status.PASSED, elapsed_s=0.75),
        CheckRecord("unicode_names", "unicode_names", Status.FAILED, "500", elapsed_s=3.2),
    ]
    assert [c.time for c in record_cases(records, "auth")] == [0.75, 3.2]


def test_a_gate_written_stage_file_has_the_stage_time(tmp_path):
    stage = StageResult(
        "profile",
        "error",
        2,
        detail="bad profile",
        elapsed_s=12.5,
        junit_cases=[report.JUnitCase("profile", "gate.profile", error="bad profile")],
    )
    gate = GateResult([stage], [], 13.0, tmp_path)
    _write_reports(gate, Target(), GateOptions(report_dir=tmp_path))
    root = ET.parse(tmp_path / "junit-gate-profile.xml").getroot()
    assert root.get("time") == "12.500"
    assert next(root.iter("testcase")).get("time") == "12.500"
