"""Judging a run: what a run stopped early leaves behind (the live verdicts are in test_live)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from mypref_harness.config import Target
from mypref_harness.errors import RunIncomplete
from mypref_harness.load.judge import judge, judge_partial
from mypref_harness.load.options import LoadOptions
from mypref_harness.load.plan import plan
from mypref_harness.load.slo import parse_slo
from mypref_harness.load.stats import load_locust_json
from mypref_harness.load.templates import templates_for_spec

from .helpers import locust_json_entry, our_templates

RENAMED = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "swashbuckle-v4-renamed.json"
TARGET = Target(base_url="http://127.0.0.1:9/Profiles/v4", client_id="ACME_CORP", user_id="John.Doe",
                api_key="partial-summary-test-key-0123")


def test_the_partial_summary_of_a_run_out_of_time_says_incomplete(tmp_path):
    prefix = tmp_path / "locust"
    json_path = tmp_path / "locust.json"
    json_path.write_text(json.dumps([locust_json_entry("lookup: GET /a", [10, 12, 15])]))
    options = LoadOptions(users=1, duration="5m", report_dir=tmp_path)
    judge_partial(plan(options), options, TARGET, parse_slo({}), json_path, tmp_path, prefix,
                  RunIncomplete("Locust process did not finish in time"), 0.0, our_templates())
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["incomplete"] == "ran out of time (--timeout)"
    assert (summary["passed"], summary["exit_code"]) == (False, 4)
    assert summary["totals"]["requests"] == 3


def _judged(tmp_path, target, templates, **options):
    """A finished run of three config reads judged with ``templates`` (no write to read back)."""
    json_path = tmp_path / "locust.json"
    json_path.write_text(json.dumps([locust_json_entry("config: GET /{ClientId}/Programs", [10, 12, 15])]))
    opts = LoadOptions(users=1, duration="5s", report_dir=tmp_path, **options)
    entries = load_locust_json(json_path)
    return judge(plan(opts), opts, target, parse_slo({}), None, entries, tmp_path, tmp_path / "locust",
                 templates=templates)


@pytest.mark.parametrize(
    ("where", "allow", "passed"),
    [
        ("configured", False, False),
        ("configured", True, True),
        ("sandbox", False, False),
        ("sandbox", True, True),
    ],
)
def test_scenarios_the_spec_lacks_are_a_finding_unless_allowed(tmp_path, where, allow, passed):
    target = TARGET if where == "configured" else dataclasses.replace(TARGET, sandbox_root_url="http://127.0.0.1:9")
    result = _judged(tmp_path, target, templates_for_spec(str(RENAMED)), allow_missing_roles=allow)
    assert (result.passed, result.exit_code) == (passed, 0 if passed else 1)
    assert result.left_out.startswith("left out of the mix (roles the spec lacks): no operation plays create")
    assert ("no operation plays create-profile" in result.message) is not passed
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["run"]["left_out"] == result.left_out
    assert f"Scenarios {result.left_out}." in (tmp_path / "summary.md").read_text()


def test_a_spec_that_serves_every_scenario_leaves_no_line(tmp_path):
    result = _judged(tmp_path, TARGET, our_templates())
    assert (result.passed, result.left_out) == (True, "")
    assert "Scenarios" not in (tmp_path / "summary.md").read_text()
