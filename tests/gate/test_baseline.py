"""The gate's baseline stage: the spec under test against a pinned one, judged before anything is sent."""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import mypref_harness.embedded as embedded
import mypref_harness.gate.baseline as baseline
import mypref_harness.gate.run as gate_run
from mypref_harness import cli
from mypref_harness.config import Target
from mypref_harness.errors import ConfigError
from mypref_harness.gate.model import GateOptions
from mypref_harness.resources import spec_file
from mypref_harness.spec.document import load_spec

OURS = load_spec(None, validate=False).document


def _pinned(tmp_path: Path, edit: str = "") -> Path:
    """A pinned copy of our spec; ``edit``: "extra-operation" (so ours lacks one: breaking) or
    "missing-status" (so ours has one more response status: non-breaking)."""
    doc: dict[str, Any] = copy.deepcopy(OURS)
    programs = doc["paths"]["/{clientId}/Programs"]
    if edit == "extra-operation":
        programs["post"] = copy.deepcopy(programs["get"]) | {"operationId": "addProgram"}
    elif edit == "missing-status":
        del programs["get"]["responses"]["404"]
    path = tmp_path / f"pinned-{edit or 'same'}.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _options(tmp_path: Path, pinned: Path) -> GateOptions:
    return GateOptions(stages=("vectors",), report_dir=tmp_path / "reports", baseline_spec=pinned)


def test_the_same_spec_passes(tmp_path: Path) -> None:
    stage = baseline.run_baseline_stage(str(spec_file()), _options(tmp_path, _pinned(tmp_path)))
    assert (stage.outcome, stage.exit_code, stage.failures) == ("pass", 0, 0)
    assert [c.name for c in stage.junit_cases] == ["no change from the pinned spec"]
    assert all(p.exists() for p in stage.report_files)


def test_a_breaking_change_fails_with_a_documented_finding(tmp_path: Path) -> None:
    stage = baseline.run_baseline_stage(
        str(spec_file()), _options(tmp_path, _pinned(tmp_path, "extra-operation"))
    )
    assert (stage.outcome, stage.exit_code, stage.failures) == ("fail", 1, 1)
    assert stage.by_basis is not None and stage.by_basis["documented"] == {"failed": 1, "warned": 0}
    assert [(f["subject"], f["check"]) for f in stage.findings] == [
        ("POST /{clientId}/Programs", "operation-removed")
    ]
    assert [(c.name, c.outcome, c.failure) for c in stage.junit_cases] == [
        (
            "POST /{clientId}/Programs: operation-removed",
            "failure",
            "/Profiles/v4/{clientId}/Programs removed",
        )
    ]


def test_a_non_breaking_change_is_listed_and_passes(tmp_path: Path) -> None:
    stage = baseline.run_baseline_stage(
        str(spec_file()), _options(tmp_path, _pinned(tmp_path, "missing-status"))
    )
    assert (stage.outcome, stage.failures) == ("pass", 0)
    assert [(c.classname, c.outcome) for c in stage.junit_cases] == [("baseline.non_breaking", "passed")]
    assert "response-status-added" in (tmp_path / "reports" / "baseline" / "spec-diff.md").read_text()


def test_without_a_pinned_spec_the_stage_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        baseline.run_baseline_stage(str(spec_file()), GateOptions(report_dir=tmp_path))


# --- through the command: the verdict comes before the target is checked or started ------------------


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What happened, in order: the comparison, the configured target's preflight, the target resolved
    (the embedded sandbox started). Preflight and the sandbox are recorded, not run: this gate's one
    stage (vectors) sends nothing either."""
    happened: list[str] = []
    real_diff = baseline.diff_specs

    def diff_specs(old: Any, new: Any) -> Any:
        happened.append("compared")
        return real_diff(old, new)

    @contextlib.contextmanager
    def resolved_target(target: Target) -> Iterator[Target]:
        happened.append("target resolved")
        yield target

    monkeypatch.setattr(baseline, "diff_specs", diff_specs)
    monkeypatch.setattr(embedded, "resolved_target", resolved_target)
    monkeypatch.setattr(gate_run, "check_target", lambda target: happened.append("preflight"))
    for name in ("MYPREF_BASE_URL", "MYPREF_SPEC", "MYPREF_TARGET", "MYPREF_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    return happened


def _gate(tmp_path: Path, pinned: Path) -> tuple[int, dict[str, Any]]:
    reports = tmp_path / "reports"
    code = cli.main(
        ["gate", "--stages", "vectors", "--baseline-spec", str(pinned), "--report-dir", str(reports)]
    )
    return code, json.loads((reports / "summary.json").read_text(encoding="utf-8"))


def test_a_breaking_baseline_fails_the_gate_before_the_sandbox_starts(
    tmp_path: Path, events: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no mypref.toml of the checkout
    code, summary = _gate(tmp_path, _pinned(tmp_path, "extra-operation"))
    assert code == 1
    assert summary["verdict"] == "fail"
    assert [s["name"] for s in summary["stages"]] == ["baseline", "vectors"]
    assert events == ["compared", "target resolved"]


def test_an_equal_baseline_passes_and_is_judged_before_a_configured_target_is_asked(
    tmp_path: Path, events: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MYPREF_BASE_URL", "http://127.0.0.1:9/Profiles/v4")
    monkeypatch.setenv("MYPREF_CLIENT_ID", "ACME_CORP")
    monkeypatch.setenv("MYPREF_USER_ID", "John.Doe")
    monkeypatch.setenv("MYPREF_API_KEY", "a-key-that-is-long-enough")
    code, summary = _gate(tmp_path, _pinned(tmp_path))
    assert code == 0
    assert [(s["name"], s["outcome"]) for s in summary["stages"]] == [
        ("baseline", "pass"),
        ("vectors", "pass"),
    ]
    assert events == ["compared", "preflight", "target resolved"]


def test_an_unreadable_baseline_is_a_usage_error_before_anything(
    tmp_path: Path, events: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, summary = _gate(tmp_path, tmp_path / "missing.yaml")
    assert code == 2
    assert summary["verdict"] == "error"
    assert events == ["compared"]  # tried, failed: neither preflight nor the sandbox followed
