"""Writing the gate's report files: a JUnit file per stage, latency.svg, summary.md, summary.json and
index.html (the same on a finished, an interrupted and a stopped-before-any-stage gate)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING

from mypref_harness import report
from mypref_harness.errors import HarnessError
from mypref_harness.gate.html import render_html
from mypref_harness.gate.model import GateOptions, GateResult
from mypref_harness.gate.spend import OPERATIONS_FILE, operations_csv
from mypref_harness.gate.summary import latency_chart_svg, render_json, render_markdown

if TYPE_CHECKING:
    from mypref_harness.config import Target


def write_reports(gate: GateResult, target: Target, options: GateOptions) -> None:
    secrets = target.secrets()
    for stage in gate.stages:
        # One JUnit file per stage: the suite's own when it wrote one, else the gate's.
        own_junit = any(p.suffix == ".xml" and "junit" in p.name for p in stage.report_files)
        if stage.junit_cases and not own_junit:
            path = options.report_dir / f"junit-gate-{stage.name}.xml"
            cases = stage.junit_cases
            if len(cases) == 1 and not cases[0].time:  # the stage is its one case: its time is the stage's
                cases = [dataclasses.replace(cases[0], time=stage.elapsed_s)]
            report.write_junit(path, f"gate.{stage.name}", cases, secrets=secrets, elapsed_s=stage.elapsed_s)
    svg = latency_chart_svg(gate)
    chart = None
    if svg is not None:
        chart = options.report_dir / "latency.svg"
        chart.write_text(svg, encoding="utf-8")
    if gate.budget is not None:  # every operation's requests (the summaries show the top ones)
        (options.report_dir / OPERATIONS_FILE).write_text(operations_csv(gate.budget), encoding="utf-8")
    _write_summaries(gate, target, chart)
    write_html(gate, target, svg)


def write_error_reports(error: HarnessError, target: Target | None, options: GateOptions) -> GateResult:
    """The summaries of a gate stopped before any stage by a configuration or reachability error.

    CI steps that publish reports/summary.md still find one, and it says why nothing ran.
    """
    options.report_dir.mkdir(parents=True, exist_ok=True)
    gate = GateResult([], [], 0.0, options.report_dir, error=str(error), error_code=int(error.exit_code))
    _write_summaries(gate, target)
    write_html(gate, target)
    return gate


def _write_summaries(gate: GateResult, target: Target | None, chart: Path | None = None) -> None:
    gate.summary_md = gate.report_dir / "summary.md"
    gate.summary_md.write_text(render_markdown(gate, target, chart), encoding="utf-8")
    gate.summary_json = gate.report_dir / "summary.json"
    gate.summary_json.write_text(json.dumps(render_json(gate, target), indent=2) + "\n", encoding="utf-8")


def write_html(gate: GateResult, target: Target | None, chart_svg: str | None = None) -> Path:
    """reports/index.html: the same report for a browser (gate/html.py)."""
    path = gate.report_dir / "index.html"
    path.write_text(render_html(gate, target, chart_svg), encoding="utf-8")
    return path
