"""The gate's report files: a JUnit file per stage that wrote none of its own, with measured times."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from mypref_harness import report
from mypref_harness.config import Target
from mypref_harness.gate.model import GateOptions, GateResult, StageResult
from mypref_harness.gate.reports import write_reports


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
    write_reports(gate, Target(), GateOptions(report_dir=tmp_path))
    root = ET.parse(tmp_path / "junit-gate-profile.xml").getroot()
    assert root.get("time") == "12.500"
    assert next(root.iter("testcase")).get("time") == "12.500"
