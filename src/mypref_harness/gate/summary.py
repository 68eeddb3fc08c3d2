"""The gate's results as text: the verdict table, summary.md, summary.json and the latency chart (SVG).

Rendering only: nothing here runs a stage or writes a file (``reports`` does).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mypref_harness import report
from mypref_harness.chart import Series, Threshold, line_chart_svg
from mypref_harness.gate.model import STAGE_TITLES, GateResult
from mypref_harness.gate.spend import spend_markdown

if TYPE_CHECKING:
    from mypref_harness.config import Target

BASES = ("documented", "catalog", "assumption", "practice")
ROUTE_STATES = ("confirmed", "not_found", "undecided", "not_exercised")
FAILED_LINE_LIMIT = 300  # characters of a failed case's first line in summary.md and index.html


def describe_target(target: Target | None) -> str:
    if target is None:
        return "not resolved (the configuration could not be used)"
    if target.is_embedded or target.is_sandbox:
        where = f" at {target.base_url}" if target.base_url else ""
        return f"embedded sandbox{where} (auth {target.auth})"
    return (f"configured target {target.base_url} (client {target.client_id}, user {target.user_id},"
            f" auth {target.auth})")


def relative(path: Path, base: Path) -> str:
    """``path`` as a link from the report directory ``base`` (unchanged when it lies outside)."""
    try:
        return str(Path(path).resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def verdict_rows(gate: GateResult) -> list[list[str]]:
    rows = []
    for stage in gate.stages:
        figures = ", ".join(f"{k} {v}" for k, v in stage.figures.items())
        links = ", ".join(relative(p, gate.report_dir) for p in stage.report_files[:4])
        rows.append([STAGE_TITLES[stage.name], stage.outcome.upper(), figures or stage.detail, links])
    if gate.leaks:
        files = sorted({relative(leak.path, gate.report_dir) for leak in gate.leaks})
        rows.append(["Secret scan of artifacts", "FAIL", f"{len(gate.leaks)} leak(s)", ", ".join(files)])
    return rows


def latency_chart_svg(gate: GateResult) -> str | None:
    """The load stage's p50/p95 over time, its latency SLOs as dashed lines (None without a load stage)."""
    load = next((s for s in gate.stages if s.name == "load" and s.timeline), None)
    if load is None:
        return None
    series = [
        Series("p50 (all requests)", [(point.t, point.p50) for point in load.timeline], "#1f77b4"),
        Series("p95 (all requests)", [(point.t, point.p95) for point in load.timeline], "#d62728"),
    ]
    colours = {"p50": "#6baed6", "p95": "#fc9272"}
    thresholds = [
        Threshold(f"{label} {value:g} ms", value, colours.get(label.split()[1], "#7f7f7f"))
        for label, value in sorted(load.thresholds.items(), key=lambda item: item[1])
    ]
    return line_chart_svg("Load smoke: latency over time (Locust rolling percentiles)", series,
                          y_label="ms", thresholds=thresholds)


# ------------------------------------------------------------------------------------ summary.md


def render_markdown(gate: GateResult, target: Target | None, chart: Path | None = None) -> str:
    lines = [
        f"# Release gate: {gate.verdict.upper()}",
        "",
        f"Target: {report.md_escape(describe_target(target))}  ",
        f"Elapsed: {gate.elapsed_s:.0f} s, exit code {gate.exit_code}"
        + (f" ({gate.interrupted}: later stages did not run)" if gate.interrupted else ""),
        "",
    ]
    if gate.error:
        lines += [f"**Stopped before any stage:** {report.md_escape(gate.error)}", ""]
    lines.append(report.markdown_table(["Stage", "Result", "Key figures", "Reports"], verdict_rows(gate)))
    lines += findings_markdown(gate) + basis_markdown(gate) + routes_markdown(gate)
    lines += spend_markdown(gate.budget)
    if chart is not None:
        # Linked, not embedded: a job page ($GITHUB_STEP_SUMMARY, GitLab) does not render a relative image.
        lines += [f"Latency over time: [{chart.name}]({chart.name}) (p50/p95 with the SLO lines; "
                  "also in index.html)", ""]
    for stage in gate.stages:
        failed = [c for c in stage.junit_cases if c.outcome in ("failure", "error")]
        if failed:
            body = "\n".join(
                f"{c.name}: {report.first_line(c.failure or c.error, FAILED_LINE_LIMIT)}" for c in failed
            )
            lines.append(report.markdown_details(f"{STAGE_TITLES[stage.name]}: {len(failed)} failed", body))
    return "\n".join(lines) + "\n"


def findings_markdown(gate: GateResult) -> list[str]:
    """Every finding with the command that re-sends its request (CI readers copy it from here)."""
    found = [(stage, f) for stage in gate.stages for f in stage.findings]
    if not found:
        return []
    lines = ["", f"## Findings: {len(found)}, each with its reproduction", ""]
    for stage, f in found:
        lines.append(f"- {STAGE_TITLES[stage.name]}, {f['status']}: {report.md_escape(f['subject'])} "
                     f"[{report.md_escape(f['check'])}] {report.md_escape(f['evidence'])}")
        if f.get("answer"):
            lines.append(f"  answered: {report.md_escape(f['answer'])}")
        if f.get("replay"):
            lines.append(f"  reproduce: `{f['replay']}`")
    lines.append("")
    return lines


def basis_rows(gate: GateResult) -> list[list[str]]:
    """Per stage with a basis: "failed / warned" for each basis (the gate's table of counts per basis)."""
    rows = []
    for stage in gate.stages:
        if stage.by_basis is None:
            continue
        counts = [stage.by_basis.get(b, {}) for b in BASES]
        cells = [f"{c.get('failed', 0)} / {c.get('warned', 0)}" for c in counts]
        rows.append([STAGE_TITLES[stage.name], *cells])
    return rows


def basis_markdown(gate: GateResult) -> list[str]:
    """Counts per basis, then every warning (listed, never silently dropped)."""
    rows = basis_rows(gate)
    if not rows:
        return []
    lines = ["", "## Findings by basis (failed / warned)", "",
             report.markdown_table(["Stage", *BASES], rows, ["l", "r", "r", "r", "r"])]
    warned = [(stage, w) for stage in gate.stages for w in stage.warnings]
    if warned:
        lines += ["", f"## Warnings: {len(warned)} finding(s) that do not fail the gate", "",
                  "Their rule is our assumption or common practice, not the vendor's documents "
                  "(`--strict` or a `--policy` file makes them fail).", ""]
        lines += [f"- {STAGE_TITLES[stage.name]}: {report.md_escape(w)}" for stage, w in warned]
    lines.append("")
    return lines


def routes_markdown(gate: GateResult) -> list[str]:
    """Which routes of the spec the target serves, by route confidence (details: contract/summary.md)."""
    stage = next((s for s in gate.stages if s.route_counts), None)
    if stage is None or stage.route_counts is None:
        return []
    rows = [[conf, *(str(row.get(state, 0)) for state in ROUTE_STATES)]
            for conf, row in sorted(stage.route_counts.items())]
    return ["## Routes on the target (positive requests of the contract stage)", "",
            report.markdown_table(["route confidence", *ROUTE_STATES], rows, ["l", "r", "r", "r", "r"]), ""]


# ------------------------------------------------------------------------------------ summary.json


def render_json(gate: GateResult, target: Target | None) -> dict[str, Any]:
    return {
        "verdict": gate.verdict,
        "exit_code": gate.exit_code,
        "interrupted": gate.interrupted or None,
        "error": gate.error or None,
        "elapsed_s": round(gate.elapsed_s, 2),
        "target": None if target is None else {
            "kind": "sandbox" if target.is_embedded or target.is_sandbox else "configured",
            "base_url": target.base_url,
            "client_id": target.client_id,
            "user_id": target.user_id,
            "auth": target.auth,
        },
        "stages": [
            {
                "name": s.name,
                "outcome": s.outcome,
                "exit_code": s.exit_code,
                "elapsed_s": round(s.elapsed_s, 2),
                "figures": s.figures,
                "detail": s.detail,
                "by_basis": s.by_basis,
                "warnings": s.warnings,
                "route_counts": s.route_counts,
                "findings": s.findings,
                "reports": [relative(p, gate.report_dir) for p in s.report_files],
            }
            for s in gate.stages
        ],
        "leaks": [{"file": relative(leak.path, gate.report_dir), "kind": leak.kind} for leak in gate.leaks],
        # Where the requests went: limits, rate, per stage / phase / operation, what was left out.
        "budget": None if gate.budget is None else gate.budget.to_json(),
    }
