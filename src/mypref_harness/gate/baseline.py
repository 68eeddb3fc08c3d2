"""The gate's baseline stage (``--baseline-spec FILE``): the target's spec against the pinned one.

A team pins the spec it built its client against; before the gate sends anything, the spec the
target is tested with (ours, or ``--spec``) is compared with it (``spec diff``). A breaking change
fails the gate: the pinned contract is what the client was documented to rely on, so the basis is
``documented``. Non-breaking changes are listed (the stage's report and JUnit cases), never failed.
The stage reads two files and sends no request, which is why the command runs it before the
target is checked or the sandbox started, and hands its result to ``run_gate``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from mypref_harness import report
from mypref_harness.basis import Basis
from mypref_harness.errors import ConfigError, ExitCode
from mypref_harness.gate.model import STAGE_TITLES, GateOptions, StageResult
from mypref_harness.spec.diff import Change, SpecDiff, diff_specs, render

NAME = "baseline"


def run_baseline_stage(spec_source: str, options: GateOptions) -> StageResult:
    """Compare ``spec_source`` (the spec under test) with ``options.baseline_spec`` and judge it."""
    if options.baseline_spec is None:
        raise ConfigError("the baseline stage needs a pinned spec (--baseline-spec FILE)")
    result = diff_specs(options.baseline_spec, spec_source)
    out = options.report_dir / NAME
    out.mkdir(parents=True, exist_ok=True)
    markdown, as_json = out / "spec-diff.md", out / "spec-diff.json"
    markdown.write_text(render(result, "md"), encoding="utf-8")
    as_json.write_text(render(result, "json"), encoding="utf-8")
    breaking = len(result.breaking)
    by_basis = {b.value: {"failed": 0, "warned": 0} for b in Basis}
    by_basis[Basis.DOCUMENTED.value]["failed"] = breaking
    return StageResult(
        NAME,
        "fail" if breaking else "pass",
        int(ExitCode.FINDINGS if breaking else ExitCode.OK),
        failures=breaking,
        figures={"breaking": breaking, "non-breaking": len(result.non_breaking), "failures": breaking},
        detail=f"{result.summary()} from {Path(options.baseline_spec).name}",
        report_files=[markdown, as_json],
        junit_cases=_cases(result),
        by_basis=by_basis,
        findings=[_finding(c) for c in result.breaking],
    )


def judge_before_sending(
    spec_source: str, options: GateOptions, progress: Callable[[str], None] = print
) -> StageResult:
    """The stage with the gate's progress lines, for the command to run before any request."""
    progress(f"[00:00] {NAME}: running ({STAGE_TITLES[NAME]})")
    started = time.monotonic()
    result = run_baseline_stage(spec_source, options)
    result.elapsed_s = time.monotonic() - started
    progress(f"[00:00] {NAME}: {result.outcome.upper()} in {result.elapsed_s:.1f}s - {result.detail}")
    return result


def _cases(result: SpecDiff) -> list[report.JUnitCase]:
    cases = [
        report.JUnitCase(
            name=" ".join(part for part in (c.operation, c.where) if part) + f": {c.kind}",
            classname=f"{NAME}.{'breaking' if c.breaking else 'non_breaking'}",
            failure=c.message if c.breaking else None,
        )
        for c in result.changes
    ]
    return cases or [report.JUnitCase(name="no change from the pinned spec", classname=NAME)]


def _finding(change: Change) -> dict[str, str]:
    return {
        "subject": change.operation,
        "check": change.kind,
        "status": "failed",
        "evidence": f"{change.where}: {change.message}" if change.where else change.message,
        "replay": "",
        "answer": "",
    }
