"""The run's summary: per-second timeline, JSON for machines (the gate), Markdown for CI job pages.

Figures come from Locust's ``--json-file`` (exact totals and per-second request counts) and from its
``_stats_history.csv`` (user count and the p95 of the last ~10 s, written once a second with
``--csv-full-history``). The timeline's requests/s are exact; its p95 is Locust's rolling window.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import mypref_harness.load.stats as st
from mypref_harness.load.integrity import IntegrityReport
from mypref_harness.load.slo import SloResult


@dataclass(frozen=True)
class TimelinePoint:
    second: int  # seconds since the first request
    requests: int  # requests completed in that second (all entries)
    failures: int
    p95_ms: float | None  # Locust's rolling (~10 s) p95 at that second
    users: int | None
    p50_ms: float | None = None  # Locust's rolling median at that second


def _num(text: str | None) -> float | None:
    if text is None or text.strip() in ("", "N/A"):
        return None
    try:
        return float(text)
    except ValueError:
        return None


def read_history(path: Path) -> dict[int, tuple[float | None, int | None, float | None]]:
    """Unix second -> (rolling p95 ms, user count, rolling p50 ms) from the Aggregated rows of a
    stats_history CSV. Locust writes 0 for a rolling percentile it cannot compute (``... or 0`` in its
    CSV writer: before the first request, and while its 10 s window fills), so 0 is no measurement: None
    (a chart would otherwise start with invented 0 ms points)."""
    out: dict[int, tuple[float | None, int | None, float | None]] = {}
    if not path.exists():
        return out
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get("Name") != "Aggregated":
                continue
            ts = _num(row.get("Timestamp"))
            if ts is None:
                continue
            users = _num(row.get("User Count"))
            measured = _num(row.get("Total Request Count")) != 0  # None (no such column) counts as measured
            p95 = (_num(row.get("95%")) or None) if measured else None
            p50 = (_num(row.get("50%")) or None) if measured else None
            out[int(ts)] = (p95, int(users) if users is not None else None, p50)
    return out


def progress_line(path: Path) -> str | None:
    """The latest Aggregated row of a stats_history CSV as one line: users, req/s, p95, failures."""
    last: dict[str, str] | None = None
    try:
        with path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row.get("Name") == "Aggregated":
                    last = row
    except OSError:
        return None
    if last is None:
        return None
    users, rps = _num(last.get("User Count")), _num(last.get("Requests/s"))
    requests, failures = _num(last.get("Total Request Count")), _num(last.get("Total Failure Count"))
    p95 = (_num(last.get("95%")) or None) if requests else None
    return (f"{int(users or 0)} users, {rps or 0:.1f} req/s, p95 {'-' if p95 is None else f'{p95:.0f} ms'}, "
            f"{int(requests or 0)} requests, {int(failures or 0)} failures")


def build_timeline(
    entries: Sequence[st.EntryStats], history: dict[int, tuple[float | None, int | None, float | None]]
) -> list[TimelinePoint]:
    counts = st.per_second_counts(entries)
    if not counts:
        return []
    first, last = min(counts), max(counts)
    points = []
    for second in range(first, last + 1):
        reqs, fails = counts.get(second, (0, 0))
        p95, users, p50 = history.get(second, (None, None, None))
        points.append(TimelinePoint(second - first, reqs, fails, p95, users, p50))
    return points


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def entry_rows(entries: Sequence[st.EntryStats]) -> list[dict[str, Any]]:
    rows = []
    for e in sorted(entries, key=lambda x: x.name):
        sel = st.Selection((e,))
        rows.append(
            {
                "name": e.name,
                "method": e.method,
                "requests": e.num_requests,
                "failures": e.num_failures,
                "p50_ms": _r(sel.percentile(0.5)),
                "p95_ms": _r(sel.percentile(0.95)),
                "p99_ms": _r(sel.percentile(0.99)),
                "avg_ms": _r(sel.average_ms),
            }
        )
    return rows


def build_summary(
    *,
    entries: Sequence[st.EntryStats],
    slo_results: Sequence[SloResult],
    integrity: IntegrityReport | None,
    timeline: Sequence[TimelinePoint],
    processes: Sequence[dict[str, Any]],
    run: dict[str, Any],
    passed: bool,
    exit_code: int,
    incomplete: str = "",
) -> dict[str, Any]:
    """``incomplete``: why the run ended early (e.g. "stopped by SIGTERM"); its figures are partial."""
    total = st.select(entries)
    business = st.business(entries)
    throttled = st.throttled(entries).requests
    return {
        "passed": passed,
        "exit_code": exit_code,
        "incomplete": incomplete or None,
        "run": run,
        "totals": {
            "requests": total.requests,
            # failures of every kind but throttling; 429s are counted apart (they say the target
            # holds us back, not that it broke)
            "failures": total.failures - throttled,
            "fail_ratio": round((total.failures - throttled) / total.requests, 6) if total.requests else 0.0,
            "throttled": throttled,
            "rps": round(total.rps, 2),
            "duration_s": round(total.duration, 2),
            "token_requests": st.token_requests(entries),
        },
        "business": {
            "requests": business.requests,
            "failures": business.failures,
            "p50_ms": _r(business.percentile(0.5)),
            "p95_ms": _r(business.percentile(0.95)),
            "p99_ms": _r(business.percentile(0.99)),
        },
        "slo": [asdict(r) | {"status": r.status} for r in slo_results],
        "integrity": integrity.to_dict() if integrity is not None else None,
        "processes": list(processes),
        "entries": entry_rows(entries),
        "timeline": [asdict(p) for p in timeline],
    }


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.4f}" if abs(value) < 1 and value != 0 else f"{value:g}"
    return str(value)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(v: Any) -> str:
        return _fmt(v).replace("|", "\\|")

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(summary: dict[str, Any]) -> str:
    """A Markdown report for CI job pages (GitHub step summary, GitLab, Jenkins)."""
    verdict = "PASSED" if summary["passed"] else "FAILED"
    if summary.get("incomplete"):
        verdict = f"INCOMPLETE ({summary['incomplete']}; figures cover the run up to then)"
    run, totals, business = summary["run"], summary["totals"], summary["business"]
    out = [
        f"## Load test {verdict} (exit {summary['exit_code']})",
        "",
        f"Target `{run.get('target')}`, auth {run.get('auth')}, {run.get('load')}, "
        f"{run.get('processes')} load process(es).",
        "",
        *([f"Scenarios {run['left_out']}.", ""] if run.get("left_out") else []),
        _table(
            ["requests", "failures", "fail ratio", "throttled (429)", "req/s", "p50 ms", "p95 ms", "p99 ms",
             "token requests"],
            [
                [
                    totals["requests"],
                    totals["failures"],
                    totals["fail_ratio"],
                    totals["throttled"],
                    totals["rps"],
                    business["p50_ms"],
                    business["p95_ms"],
                    business["p99_ms"],
                    totals["token_requests"],
                ]
            ],
        ),
        "",
        "### Service level objectives",
        "",
    ]
    slo_rows = [
        [s["name"], f"{s['comparison']} {_fmt(s['limit'])}", s["actual"], s["status"], s["detail"]]
        for s in summary["slo"]
    ]
    out.append(_table(["objective", "limit", "actual", "status", "detail"], slo_rows) if slo_rows else "none")
    integrity = summary.get("integrity")
    out += ["", "### Data integrity", ""]
    if integrity is None:
        out.append("not checked")
    else:
        out.append(
            f"{integrity['acknowledged_writes']} acknowledged writes, {integrity['checked']} of "
            f"{integrity['keys']} keys read back ({integrity['mode']}): **{integrity['lost']} lost**, "
            f"{integrity['unreadable']} unreadable."
        )
        if integrity["lost_examples"]:
            out += [
                "",
                _table(
                    ["profile", "field", "expected", "found", "operation"],
                    [
                        [x["profile_id"], x["field"], x["expected"], x["found"], x["operation"]]
                        for x in integrity["lost_examples"][:20]
                    ],
                ),
            ]
    out += ["", "### Requests", ""]
    out.append(
        _table(
            ["name", "requests", "failures", "p50 ms", "p95 ms", "p99 ms"],
            [
                [e["name"], e["requests"], e["failures"], e["p50_ms"], e["p95_ms"], e["p99_ms"]]
                for e in summary["entries"]
            ],
        )
    )
    return "\n".join(out) + "\n"


def write_summary(directory: Path, summary: dict[str, Any]) -> tuple[Path, Path]:
    json_path = directory / "summary.json"
    md_path = directory / "summary.md"
    json_path.write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    md_path.write_text(render_markdown(summary), encoding="utf-8")
    return json_path, md_path
