"""The CI examples a team pastes: every JUnit file published, caches, GitLab rules, reports kept."""

from __future__ import annotations

from pathlib import Path

import yaml

EXAMPLES = Path(__file__).resolve().parents[2] / "ci-examples"
# Every JUnit file a gate writes (names as the gate and the suites write them).
GATE_JUNIT_FILES = (
    "junit-gate-profile.xml",
    "vectors/junit-vectors.xml",
    "contract/junit.xml",
    "contract/schemathesis-junit.xml",
    "auth/junit.xml",
    "load/junit-slo.xml",
)


def _published(glob: str, tmp_path: Path) -> set[str]:
    for name in GATE_JUNIT_FILES:
        path = tmp_path / "reports" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("<testsuites/>")
    return {str(p.relative_to(tmp_path / "reports")) for p in tmp_path.glob(glob)}


def test_github_example_publishes_every_junit_file_caches_and_keeps_reports(tmp_path):
    workflow = yaml.safe_load((EXAMPLES / "github-actions.yml").read_text())
    job = workflow["jobs"]["gate"]
    assert job["env"]["MYPREF_TARGET"] == "configured"
    steps = {step.get("name", step.get("uses")): step for step in job["steps"]}
    glob = steps["Publish test results"]["with"]["report_paths"]
    assert _published(glob, tmp_path) == set(GATE_JUNIT_FILES)
    assert ".venv" in steps["Cache uv and the venv"]["with"]["path"]
    assert "uv.lock" in steps["Cache uv and the venv"]["with"]["key"]
    assert steps["Job summary"]["if"] == "always()" and "GITHUB_STEP_SUMMARY" in steps["Job summary"]["run"]
    assert steps["Keep the reports"]["if"] == "always()"


def test_gitlab_example_has_rules_caches_and_publishes_every_junit_file(tmp_path):
    job = yaml.safe_load((EXAMPLES / "gitlab-ci.yml").read_text())["mypref-gate"]
    assert job["rules"] and job["variables"]["MYPREF_TARGET"] == "configured"
    assert ".venv" in job["cache"][0]["paths"] and "uv.lock" in job["cache"][0]["key"]["files"]
    assert job["artifacts"]["when"] == "always"
    assert _published(job["artifacts"]["reports"]["junit"], tmp_path) == set(GATE_JUNIT_FILES)
    assert any("summary.md" in line for line in job["after_script"])
