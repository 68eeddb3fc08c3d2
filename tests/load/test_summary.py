import csv
import json

from mypref_harness.load.summary import build_summary, build_timeline, read_history, render_markdown

from .helpers import entry


def _history(path, rows):
    with path.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Timestamp", "User Count", "Type", "Name", "Requests/s", "Failures/s", "50%", "95%"])
        for ts, users, p95 in rows:
            out.writerow([ts, users, "GET", "lookup: GET /x", "1", "0", "5", "99"])
            out.writerow([ts, users, "", "Aggregated", "1", "0", "5", p95])


def test_timeline_has_one_point_per_second_with_exact_counts(tmp_path):
    hist = tmp_path / "h.csv"
    _history(hist, [(1000, 2, "12"), (1001, 4, "N/A"), (1003, 4, "15")])
    entries = [
        entry("lookup: GET /x", [5] * 6, per_second={1000: 3, 1001: 1, 1003: 2}),
        entry("write: POST /y", [9] * 2, per_second={1001: 2}),
    ]
    points = build_timeline(entries, read_history(hist))
    assert [(p.second, p.requests, p.p95_ms, p.users) for p in points] == [
        (0, 3, 12.0, 2),
        (1, 3, None, 4),
        (2, 0, None, None),
        (3, 2, 15.0, 4),
    ]
    assert [p.p50_ms for p in points] == [5.0, 5.0, None, 5.0]


def test_timeline_has_no_invented_zero_before_the_first_request(tmp_path):
    hist = tmp_path / "h.csv"
    with hist.open("w", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["Timestamp", "User Count", "Type", "Name", "50%", "95%", "Total Request Count"])
        out.writerow([1000, 1, "", "Aggregated", "0", "0", "0"])
        out.writerow([1001, 2, "", "Aggregated", "0", "0", "2"])  # Locust's window not filled yet
        out.writerow([1002, 2, "", "Aggregated", "8", "20", "3"])
    assert read_history(hist) == {1000: (None, 1, None), 1001: (None, 2, None), 1002: (20.0, 2, 8.0)}


def test_summary_json_and_markdown(tmp_path):
    from mypref_harness.load.slo import SloResult

    entries = [entry("lookup: GET /x", [5, 7, 9]), entry("token: POST /t", [30])]
    slo = [SloResult("latency.lookup.p95_ms", "<=", 5, 9, False, detail="3 requests")]
    summary = build_summary(
        entries=entries,
        slo_results=slo,
        integrity=None,
        timeline=[],
        processes=[],
        run={"target": "http://x", "auth": "oauth", "load": "L", "processes": 1},
        passed=False,
        exit_code=1,
    )
    assert summary["totals"]["token_requests"] == 1 and summary["business"]["requests"] == 3
    assert json.loads(json.dumps(summary))["slo"][0]["status"] == "FAIL"
    md = render_markdown(summary)
    assert md.startswith("## Load test FAILED (exit 1)")
    assert "| latency.lookup.p95_ms | <= 5 | 9 | FAIL | 3 requests |" in md
