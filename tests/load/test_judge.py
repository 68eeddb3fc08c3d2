"""Judging a run: what a run stopped early leaves behind (the live verdicts are in test_live)."""

from __future__ import annotations

import json

from mypref_harness.config import Target
from mypref_harness.errors import RunIncomplete
from mypref_harness.load.judge import judge_partial
from mypref_harness.load.options import LoadOptions
from mypref_harness.load.plan import plan
from mypref_harness.load.slo import parse_slo

from .helpers import locust_json_entry


def test_the_partial_summary_of_a_run_out_of_time_says_incomplete(tmp_path):
    prefix = tmp_path / "locust"
    json_path = tmp_path / "locust.json"
    json_path.write_text(json.dumps([locust_json_entry("lookup: GET /a", [10, 12, 15])]))
    options = LoadOptions(users=1, duration="5m", report_dir=tmp_path)
    target = Target(base_url="http://127.0.0.1:9/Profiles/v4", client_id="ACME_CORP", user_id="John.Doe",
                    api_key="partial-summary-test-key-0123")
    judge_partial(plan(options), options, target, parse_slo({}), json_path, tmp_path, prefix,
                   RunIncomplete("Locust process did not finish in time"), 0.0)
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["incomplete"] == "ran out of time (--timeout)"
    assert (summary["passed"], summary["exit_code"]) == (False, 4)
    assert summary["totals"]["requests"] == 3
