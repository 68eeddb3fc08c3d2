"""Launching Schemathesis: a killed or timed-out run leaves valid report files that say the run is
incomplete; a run that could not start is summed up by its most telling output line."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from mypref_harness.contract.schemathesis.launch import mark_incomplete_reports, schemathesis_error_line
from mypref_harness.contract.schemathesis.prepare import PreparedRun


def prepared(tmp_path: Path) -> PreparedRun:
    return PreparedRun(
        command=[],
        env={},
        config_path=tmp_path / "c.toml",
        spec_path=tmp_path / "s.json",
        ndjson_path=tmp_path / "e.ndjson",
        json_path=tmp_path / "schemathesis-run.json",
        output_path=tmp_path / "schemathesis-output.txt",
        junit_path=tmp_path / "schemathesis-junit.xml",
        strict=True,
    )


def test_empty_or_cut_reports_are_replaced_by_valid_ones_that_say_incomplete(tmp_path):
    run = prepared(tmp_path)
    run.junit_path.write_bytes(b"")  # what a killed Schemathesis left behind
    run.json_path.write_text('{"operations": {"sel', encoding="utf-8")
    replaced = mark_incomplete_reports(run, "Schemathesis was stopped after 5 s (--timeout)")
    assert replaced == [run.junit_path, run.json_path]
    root = ET.parse(run.junit_path).getroot()
    error = root.find("testsuite/testcase/error")
    assert error is not None and "INCOMPLETE: Schemathesis was stopped after 5 s" in error.get("message", "")
    assert root.get("errors") == "1"
    assert json.loads(run.json_path.read_text()) == {
        "incomplete": True,
        "reason": "Schemathesis was stopped after 5 s (--timeout)",
    }


def test_reports_schemathesis_finished_are_kept(tmp_path):
    run = prepared(tmp_path)
    run.junit_path.write_text('<testsuites><testsuite name="schemathesis"/></testsuites>', encoding="utf-8")
    run.json_path.write_text('{"test_cases": {"generated": 5}}', encoding="utf-8")
    assert mark_incomplete_reports(run, "stopped") == []
    assert json.loads(run.json_path.read_text()) == {"test_cases": {"generated": 5}}


def test_error_line_picks_the_telling_line():
    output = "Schemathesis v4\n━━━━\n\nSchema Loading Error\n\nUnable to load schema: bad ref\n"
    assert schemathesis_error_line(output).startswith("Schema Loading Error: Unable to load schema")
    assert schemathesis_error_line("") == "no output"
