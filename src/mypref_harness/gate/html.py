"""reports/index.html: the gate's report for a browser (CI artifact viewers, a laptop after a run).

One self-contained file, no script, no external resource: the verdict, the target, one section per
stage (outcome, key figures, links to its reports, its findings with their `mypref-harness replay`
commands and its warnings), counts per basis, the route table and the latency chart inline (SVG).
Every text from a run is HTML-escaped; the file goes through the gate's secret scan like the others.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

import mypref_harness.gate.spend as spend
from mypref_harness.gate.model import STAGE_TITLES, GateResult, StageResult
from mypref_harness.gate.summary import (
    BASES,
    FAILED_LINE_LIMIT,
    ROUTE_STATES,
    describe_target,
    verdict_rows,
)
from mypref_harness.report import first_line

if TYPE_CHECKING:
    from mypref_harness.config import Target

VERDICT_COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "incomplete": "#9a6700", "error": "#cf222e"}
OUTCOME_COLOURS = {"pass": "#1a7f37", "fail": "#cf222e", "error": "#cf222e", "incomplete": "#9a6700"}

STYLE = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2em auto;
       max-width: 72em; color: #1f2328; line-height: 1.45; padding: 0 1em; }
h1 .verdict { color: white; padding: 0.1em 0.5em; border-radius: 0.3em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #d0d7de; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f6f8fa; }
td.num { text-align: right; }
.outcome { font-weight: bold; }
code { background: #f6f8fa; padding: 0.1em 0.3em; border-radius: 0.2em; font-size: 0.92em; }
section.stage { border-left: 4px solid #d0d7de; padding-left: 1em; margin: 1.5em 0; }
li { margin: 0.3em 0; }
.muted { color: #59636e; }
"""


def render_html(gate: GateResult, target: Target | None, chart_svg: str | None = None) -> str:
    verdict = gate.verdict
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Release gate: {escape(verdict.upper())}</title>",
        f"<style>{STYLE}</style></head><body>",
        f'<h1 id="verdict">Release gate: <span class="verdict" style="background:'
        f'{VERDICT_COLOURS.get(verdict, "#59636e")}">{escape(verdict.upper())}</span></h1>',
        f"<p>Target: {escape(describe_target(target))}<br>",
        f"Elapsed: {gate.elapsed_s:.0f} s, exit code {gate.exit_code}"
        + (f" ({escape(gate.interrupted)}: later stages did not run)" if gate.interrupted else "")
        + "</p>",
    ]
    if gate.error:
        parts.append(f'<p id="error"><strong>Stopped before any stage:</strong> {escape(gate.error)}</p>')
    parts += _overview(gate)
    parts += _basis_table(gate)
    parts += _spend_section(gate)
    if chart_svg:
        parts += ['<h2 id="latency">Load latency over time</h2>', chart_svg]
    for stage in gate.stages:
        parts += _stage_section(stage, STAGE_TITLES[stage.name], gate.report_dir)
    if gate.leaks:
        parts.append('<h2 id="leaks">Secrets found in artifacts</h2><ul>')
        parts += [f"<li>{escape(leak.kind)} in {escape(str(leak.path))}</li>" for leak in gate.leaks]
        parts.append("</ul>")
    parts.append('<p class="muted">Written by mypref-harness gate; summary.md and summary.json hold the '
                 "same.</p>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _overview(gate: GateResult) -> list[str]:
    rows = verdict_rows(gate)
    if not rows:
        return []
    out = ['<h2 id="stages">Stages</h2>', "<table><tr><th>Stage</th><th>Result</th><th>Key figures</th></tr>"]
    for stage, row in zip(gate.stages, rows, strict=False):
        colour = OUTCOME_COLOURS.get(stage.outcome, "#59636e")
        out.append(
            f'<tr><td><a href="#stage-{escape(stage.name)}">{escape(row[0])}</a></td>'
            f'<td class="outcome" style="color:{colour}">{escape(row[1])}</td><td>{escape(row[2])}</td></tr>'
        )
    for row in rows[len(gate.stages) :]:  # the secret scan's row
        out.append(f"<tr><td>{escape(row[0])}</td><td class='outcome'>{escape(row[1])}</td>"
                   f"<td>{escape(row[2])}</td></tr>")
    out.append("</table>")
    return out


def _basis_table(gate: GateResult) -> list[str]:
    rows = [s for s in gate.stages if s.by_basis is not None]
    if not rows:
        return []
    out = ['<h2 id="basis">Findings by basis (failed / warned)</h2>', "<table><tr><th>Stage</th>"]
    out.append("".join(f"<th>{b}</th>" for b in BASES) + "</tr>")
    for stage in rows:
        counts = [(stage.by_basis or {}).get(b, {}) for b in BASES]
        cells = "".join(f'<td class="num">{c.get("failed", 0)} / {c.get("warned", 0)}</td>' for c in counts)
        out.append(f"<tr><td>{escape(STAGE_TITLES[stage.name])}</td>{cells}</tr>")
    out.append("</table>")
    return out


def _stage_section(stage: StageResult, title: str, report_dir: Path) -> list[str]:
    colour = OUTCOME_COLOURS.get(stage.outcome, "#59636e")
    out = [
        f'<section class="stage" id="stage-{escape(stage.name)}" style="border-color:{colour}">',
        f'<h2>{escape(title)}: <span class="outcome" style="color:{colour}">{escape(stage.outcome.upper())}'
        f"</span></h2>",
        f"<p>{escape(stage.detail)} <span class='muted'>({stage.elapsed_s:.1f} s)</span></p>",
    ]
    if stage.figures:
        out.append("<table>" + "".join(
            f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>" for k, v in stage.figures.items()
        ) + "</table>")
    links = _links(stage.report_files, report_dir)
    if links:
        out.append("<p>Reports: " + ", ".join(links) + "</p>")
    if stage.findings:
        out.append(f"<h3>Findings ({len(stage.findings)})</h3><ul>")
        for f in stage.findings:
            replay = f"<br>answered: {escape(f['answer'])}" if f.get("answer") else ""
            replay += f"<br>reproduce: <code>{escape(f['replay'])}</code>" if f.get("replay") else ""
            out.append(
                f"<li><strong>{escape(f['status'])}</strong> {escape(f['subject'])} "
                f"[{escape(f['check'])}] {escape(f['evidence'])}{replay}</li>"
            )
        out.append("</ul>")
    elif stage.junit_cases:
        failed = [c for c in stage.junit_cases if c.outcome in ("failure", "error")]
        if failed:
            out.append(f"<h3>Failed ({len(failed)})</h3><ul>")
            for case in failed:
                line = first_line(case.failure or case.error, FAILED_LINE_LIMIT)
                out.append(f"<li>{escape(case.name)}: {escape(line)}</li>")
            out.append("</ul>")
    if stage.route_counts:
        out += _route_table(stage.route_counts)
    out.append("</section>")
    return out


def _route_table(route_counts: dict[str, dict[str, int]]) -> list[str]:
    out = ["<h3>Routes on the target</h3>", "<table><tr><th>route confidence</th>"]
    out.append("".join(f"<th>{s}</th>" for s in ROUTE_STATES) + "</tr>")
    for confidence, row in sorted(route_counts.items()):
        cells = "".join(f'<td class="num">{row.get(s, 0)}</td>' for s in ROUTE_STATES)
        out.append(f"<tr><td>{escape(confidence)}</td>{cells}</tr>")
    out.append("</table>")
    return out


def _links(files: Sequence[Path], report_dir: Path) -> list[str]:
    out = []
    for path in files:
        try:
            relative = Path(path).resolve().relative_to(report_dir.resolve())
        except ValueError:
            continue  # outside reports/: not reachable from the page
        out.append(f'<a href="{escape(relative.as_posix())}">{escape(relative.as_posix())}</a>')
    return out


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric_from: int = 1) -> str:
    cells = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="num">{escape(c)}</td>' if i >= numeric_from else f"<td>{escape(c)}</td>"
            for i, c in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    return f"<table><tr>{cells}</tr>{body}</table>"


def _spend_section(gate: GateResult) -> list[str]:
    """Where the requests went: per stage, per phase, the top operations, what the budget left out."""
    budget = gate.budget
    if budget is None:
        return []
    parts = ['<h2 id="requests">Where the requests went</h2>', f"<p>{escape(spend.limits_line(budget))}</p>"]
    if budget.stages:
        parts.append(_table(["Stage", "requests", "share", "time"], spend.stage_rows(budget)))
    for name, stage in budget.stages.items():
        if stage.phases:
            parts += [f"<p>{escape(STAGE_TITLES.get(name, name))} by phase:</p>",
                      _table(["phase", "requests", "time"], spend.phase_rows(stage))]
        if stage.operations:
            parts += [f"<p>{escape(STAGE_TITLES.get(name, name))}: the operations with the most requests "
                      f'(all: <a href="{spend.OPERATIONS_FILE}">{spend.OPERATIONS_FILE}</a>)</p>',
                      _table(["operation", "requests", "time"], spend.operation_rows(stage))]
    left_out = spend.left_out_lines(budget)
    if left_out:
        parts.append("<p>Left out because of the budget (raise <code>--budget-requests</code> / "
                     "<code>--budget-time</code> to include):</p><ul>")
        parts += [f"<li>{escape(line)}</li>" for line in left_out]
        parts.append("</ul>")
    else:
        parts.append('<p class="muted">Nothing was left out because of the budget.</p>')
    return parts
