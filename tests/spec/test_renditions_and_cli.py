"""Schemathesis loads both renditions and generates requests; the CLI; the generator is reproducible."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import Config

from mypref_harness import resources
from mypref_harness.cli import main

REPO = Path(__file__).resolve().parents[2]
BASE = "http://127.0.0.1:9/Profiles/v4"  # never contacted: nothing is sent in these tests
# operations with the trickiest parameters/bodies: JSON Patch, free-form query object, indexed lists,
# typed ids next to literals, bulk bodies
SAMPLED = [
    "createProfile",
    "patchProfile",
    "getProgramsIncludeAll",
    "getProfilesByCustomFields",
    "stageImport",
]


def _operations(path: Path) -> dict[str, object]:
    schema = schemathesis.openapi.from_path(str(path), config=Config.from_dict({"base-url": BASE}))
    ops = {}
    for result in schema.get_all_operations():
        op = result.ok()  # raises if Schemathesis cannot build the operation
        ops[op.definition.raw["operationId"]] = op
    return ops


@pytest.mark.slow
@pytest.mark.parametrize(
    "path", [resources.spec_file(), resources.swagger2_spec_file()], ids=["openapi3", "swagger2"]
)
def test_schemathesis_loads_every_operation_and_generates_cases(path):
    ops = _operations(path)
    assert len(ops) == 110
    for operation_id in SAMPLED:
        case = _one_case(ops[operation_id])
        assert case.path_parameters.get("clientId") is not None, operation_id


def _one_case(operation):
    seen = []

    @settings(max_examples=1, database=None, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def generate(case):
        seen.append(case)

    generate()
    return seen[0]


def run_cli(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_cli_stats_text_and_json(capsys):
    code, out, _ = run_cli(capsys, "spec", "stats")
    assert code == 0
    assert "operations: 110" in out and "Integration: Bulk" in out and "guess" in out
    code, out, _ = run_cli(capsys, "spec", "stats", "--json", "--spec", str(resources.swagger2_spec_file()))
    stats = json.loads(out)
    assert code == 0 and stats["version"] == "2.0" and stats["by_confidence"]["high"] == 7


def test_cli_validate_and_list(capsys):
    code, out, _ = run_cli(capsys, "spec", "validate")
    assert code == 0 and "110 operations" in out and "examples: 0 invalid" in out
    code, out, _ = run_cli(capsys, "spec", "list", "--confidence", "high")
    assert code == 0 and len(out.strip().splitlines()) == 7 and "getPrograms " in out


def test_cli_validate_reports_invalid_examples_with_exit_1(capsys, tmp_path):
    text = (
        resources.spec_file()
        .read_text(encoding="utf-8")
        .replace("ConsentStatus: 1\n", "ConsentStatus: 9\n", 1)
    )
    bad = tmp_path / "bad-example.yaml"
    bad.write_text(text, encoding="utf-8")
    code, out, _ = run_cli(capsys, "spec", "validate", "--spec", str(bad))
    assert code == 1 and "9 is not one of [1, 2, 3, 4]" in out


def test_cli_bad_spec_is_one_line_exit_2(capsys, tmp_path):
    code, _, err = run_cli(capsys, "spec", "stats", "--spec", str(tmp_path / "missing.yaml"))
    assert code == 2
    assert err.strip().count("\n") == 0 and "spec not found" in err and "Traceback" not in err


def test_generator_reproduces_the_committed_files():
    result = subprocess.run(
        [sys.executable, "-m", "tools.spec.generate", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
