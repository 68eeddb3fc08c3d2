"""Live progress: what the runners publish, what the gate's heartbeat and the tickers show."""

from __future__ import annotations

import csv
import json

from mypref_harness import progress
from mypref_harness.contract.schemathesis.progress import CaseCounter, read_progress
from mypref_harness.gate.run import _still_running
from mypref_harness.load.summary import progress_line
from mypref_harness.progress import Ticker


def test_publish_latest_and_clear():
    progress.clear("contract")
    assert progress.latest("contract") is None
    progress.publish("contract", "1/3 operations")
    progress.publish("contract", "2/3 operations")
    assert progress.latest("contract") == "2/3 operations"
    progress.publish("load", "5 users")
    assert progress.latest_any() == ("load", "5 users")
    progress.clear("contract")
    progress.clear("load")
    assert progress.latest("contract") is None


def test_a_plain_ticker_prints_each_new_line_once():
    lines = []
    ticker = Ticker("contract", out=lines.append, interactive=False)
    progress.publish("contract", "10 cases")
    assert ticker.tick() == "contract: 10 cases"
    assert ticker.tick() is None  # nothing new: no repeated line in a CI log
    progress.publish("contract", "20 cases")
    ticker.tick()
    assert lines == ["contract: 10 cases", "contract: 20 cases"]
    progress.clear("contract")


def test_a_ticker_line_ends_with_the_runs_footer_while_it_has_one():
    lines = []
    ticker = Ticker("contract", out=lines.append, interactive=False)
    progress.publish("contract", "10 cases")
    progress.set_footer(lambda: "budget 10/5000 requests, 00:01/05:00")
    try:
        ticker.tick()
    finally:
        progress.set_footer(None)
    progress.publish("contract", "20 cases")
    ticker.tick()
    progress.clear("contract")
    assert lines == ["contract: 10 cases (budget 10/5000 requests, 00:01/05:00)", "contract: 20 cases"]


def test_the_gate_heartbeat_carries_the_stage_counts_and_the_budget_spent():
    from mypref_harness.budget import Budget

    lines = []
    budget = Budget(requests=5000)
    budget.stage("vectors")
    budget.stage("auth").record(requests=12)
    beat = _still_running(lines.append, "contract", 0.0, budget)
    progress.clear("contract")
    beat()
    progress.publish(
        "contract", "45/110 operations, 5032 cases, 2 failing operation(s) in finished phases, 80 cases/s"
    )
    beat()
    progress.clear("contract")
    assert "contract: still running (budget 12/5000 requests, " in lines[0]
    assert "contract: 45/110 operations, 5032 cases, 2 failing operation(s) in finished phases, 80 cases/s"\
        " (budget 12/5000 requests, " in lines[1]


def test_the_case_counter_writes_at_most_once_a_second(tmp_path):
    path = tmp_path / "progress.json"
    counter = CaseCounter(path)
    counter.observe("GET /a", now=100.0)
    counter.observe("GET /a", now=100.5)
    counter.observe("POST /b", now=100.9)
    assert json.loads(path.read_text()) == {"cases": 1, "operations": 1}
    counter.observe("POST /b", now=101.0)
    assert json.loads(path.read_text()) == {"cases": 4, "operations": 2}


def test_read_progress_combines_the_counts_and_schemathesis_phase_failures(tmp_path):
    (tmp_path / "p.json").write_text('{"cases": 300, "operations": 2}')
    (tmp_path / "out.txt").write_text(
        "     Operations:       3 selected / 110 total\n ❌  Examples (in 3.00s)\n\n     ❌ 3 failed\n"
        " ❌  Coverage (in 13.51s)\n\n     ✅ 1 passed  ❌ 2 failed\n",
        encoding="utf-8",
    )
    seen = read_progress(tmp_path / "p.json", tmp_path / "out.txt", elapsed_s=10.0)
    assert seen.line == "2/3 operations, 300 cases, 5 failing operation(s) in finished phases, 30 cases/s"
    empty = read_progress(tmp_path / "none.json", tmp_path / "none.txt", elapsed_s=0.0)
    assert empty.line == "0 operations, 0 cases, 0 failing operation(s) in finished phases, 0 cases/s"


def test_load_progress_line_is_the_last_aggregated_row(tmp_path):
    path = tmp_path / "locust_stats_history.csv"
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "Timestamp",
                "User Count",
                "Name",
                "Requests/s",
                "95%",
                "Total Request Count",
                "Total Failure Count",
            ]
        )
        out.writerow([1, 0, "Aggregated", "0", "0", "0", "0"])
        out.writerow([2, 5, "lookup: GET /x", "3.0", "99", "30", "0"])
        out.writerow([2, 5, "Aggregated", "9.5", "120", "40", "1"])
    assert progress_line(path) == "5 users, 9.5 req/s, p95 120 ms, 40 requests, 1 failures"
    assert progress_line(tmp_path / "missing.csv") is None
