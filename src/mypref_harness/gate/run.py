"""The release gate: vectors -> contract -> auth conformance -> load smoke -> one verdict, one report.

Each stage turns its suite's result into a `StageResult` (outcome, key figures, JUnit cases, report
files); the gate prints progress as it goes, then the verdict table, writes `summary.md`,
`summary.json`, a JUnit file per stage and a latency chart, and finally scans every artifact for
secrets: a leak fails the gate and names the file.
"""

from __future__ import annotations

import dataclasses
import json
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mypref_harness import report
from mypref_harness.config import Target
from mypref_harness.errors import ExitCode, HarnessError

STAGES: tuple[str, ...] = ("vectors", "contract", "auth", "load")
STAGE_TITLES = {
    "vectors": "Auth vector corpus",
    "contract": "Contract (Schemathesis)",
    "auth": "Auth conformance",
    "load": "Load smoke with SLOs",
    "profile": "Target profile drift",  # only with --profile: runs after the others
}
# Budgets: the default is a real gate that still fits in a CI job; --quick is for a first look.
DEFAULT_MAX_EXAMPLES, QUICK_MAX_EXAMPLES = 10, 3
DEFAULT_LOAD_DURATION, QUICK_LOAD_DURATION = "20s", "10s"
# 20 preference-center/integration users with their think times give ~10 requests/s: enough samples
# for p95 per request group in 20 s, and far from saturating a 2-core machine shared with the sandbox.
DEFAULT_LOAD_USERS, QUICK_LOAD_USERS = 20, 5

Progress = Callable[[str], None]
HEARTBEAT_SECONDS = 30.0  # a stage quiet for this long still says it is alive


@dataclass
class GateOptions:
    stages: Sequence[str] = STAGES
    quick: bool = False
    max_examples: int | None = None
    load_duration: str | None = None
    load_users: int | None = None
    seed: int | None = None
    report_dir: Path = Path("reports")
    vectors_dir: Path | None = None
    slo_path: Path | None = None
    profile: Path | None = None  # a pinned target profile: the profile stage reports its drift
    # Verdict policy (contract/verdicts.py): None = strict on the embedded sandbox, lenient elsewhere.
    strict: bool | None = None
    policy_path: Path | None = None  # promote/demote checks by name (basis.VerdictPolicy.load)
    schemathesis_html: bool = False  # also Schemathesis's own HTML report (contract/schemathesis-html/)
    # The contract stage's operations (operationIds or regexes over "METHOD /path"); empty = all.
    operations: Sequence[str] = ()

    @property
    def effective_max_examples(self) -> int:
        if self.max_examples is not None:
            return self.max_examples
        return QUICK_MAX_EXAMPLES if self.quick else DEFAULT_MAX_EXAMPLES

    @property
    def effective_load_users(self) -> int:
        if self.load_users is not None:
            return self.load_users
        return QUICK_LOAD_USERS if self.quick else DEFAULT_LOAD_USERS

    @property
    def effective_load_duration(self) -> str:
        if self.load_duration is not None:
            return self.load_duration
        return QUICK_LOAD_DURATION if self.quick else DEFAULT_LOAD_DURATION


@dataclass
class StageResult:
    name: str
    outcome: str  # "pass" | "fail" | "error"
    exit_code: int
    figures: dict[str, Any] = field(default_factory=dict)
    detail: str = ""
    report_files: list[Path] = field(default_factory=list)
    junit_cases: list[report.JUnitCase] = field(default_factory=list)
    elapsed_s: float = 0.0
    # The load stage's seconds: {"t", "p50", "p95"}, a percentile None where nothing was measured.
    timeline: list[dict[str, float | None]] = field(default_factory=list)
    # Findings per basis ({"documented": {"failed": 1, "warned": 0}, ...}) for stages whose checks
    # have one (contract, auth), and one line per warning (a finding the policy does not fail on).
    by_basis: dict[str, dict[str, int]] | None = None
    warnings: list[str] = field(default_factory=list)
    # The contract stage's route table as counts: {confidence: {state: n}} (contract/routes.py).
    route_counts: dict[str, dict[str, int]] | None = None
    # One entry per finding (failed or warned) with the command that reproduces it, when there is one:
    # {"subject", "check", "status", "evidence", "replay", "answer"}.
    findings: list[dict[str, str]] = field(default_factory=list)
    # Latency SLO limits to draw on the chart ({"SLO p95 lookup": 400.0}), load stage only.
    thresholds: dict[str, float] = field(default_factory=dict)


@dataclass
class GateResult:
    stages: list[StageResult]
    leaks: list[report.Leak]
    elapsed_s: float
    report_dir: Path
    summary_md: Path | None = None
    summary_json: Path | None = None
    interrupted: str = ""  # why the gate stopped before its end (e.g. "stopped by SIGTERM during load")
    # A configuration or reachability error that stopped the gate before (or instead of) its stages,
    # with its exit code (2 or 3): printed once, and the summaries say it.
    error: str = ""
    error_code: int = 0

    @property
    def exit_code(self) -> int:
        if self.error:
            return self.error_code
        if self.interrupted and self.stages:
            return self.stages[-1].exit_code  # 128 + the signal, as the CLI exits
        codes = [s.exit_code for s in self.stages]
        if self.leaks:
            codes.append(int(ExitCode.FINDINGS))
        # The most actionable code wins: unreachable, then usage/config, then findings, then a stage
        # that ran out of time (no verdict from it).
        for code in (ExitCode.UNREACHABLE, ExitCode.USAGE, ExitCode.FINDINGS, ExitCode.INCOMPLETE):
            if int(code) in codes:
                return int(code)
        return int(ExitCode.OK)

    @property
    def passed(self) -> bool:
        return self.exit_code == ExitCode.OK and not self.interrupted

    @property
    def verdict(self) -> str:
        """pass | fail | incomplete (stopped, or a stage ran out of time, and nothing failed so far) |
        error (configuration or reachability: nothing was judged)."""
        if self.error:
            return "error"
        if self.passed:
            return "pass"
        settled = [s.exit_code for s in self.stages if s.outcome != "incomplete"]
        failing = (ExitCode.FINDINGS, ExitCode.USAGE, ExitCode.UNREACHABLE)
        return "fail" if self.leaks or any(code in failing for code in settled) else "incomplete"


STOPPING_CODES = (int(ExitCode.USAGE), int(ExitCode.UNREACHABLE))


def write_error_reports(error: HarnessError, target: Target | None, options: GateOptions) -> GateResult:
    """The summaries of a gate stopped before any stage by a configuration or reachability error.

    CI steps that publish reports/summary.md still find one, and it says why nothing ran.
    """
    options.report_dir.mkdir(parents=True, exist_ok=True)
    gate = GateResult([], [], 0.0, options.report_dir, error=str(error), error_code=int(error.exit_code))
    gate.summary_md = options.report_dir / "summary.md"
    gate.summary_md.write_text(render_markdown(gate, target), encoding="utf-8")
    gate.summary_json = options.report_dir / "summary.json"
    gate.summary_json.write_text(json.dumps(render_json(gate, target), indent=2) + "\n", encoding="utf-8")
    write_html(gate, target)
    return gate


def check_target(target: Target) -> None:
    """Once, before any stage of a configured target: reachable (exit 3) and our credentials accepted
    (exit 2). Every stage would otherwise report the same error again."""
    from mypref_harness.auth.clock import signing_offset_for
    from mypref_harness.contract.probes import measure_clock_skew, preflight
    from mypref_harness.guards import check_reachable

    check_reachable(target)
    preflight(target, signing_offset_for(measure_clock_skew(target)))


def parse_stages(text: str | None) -> tuple[str, ...]:
    """`--stages vectors,load` -> ("vectors", "load") in the gate's own order; unknown names are an error."""
    if not text:
        return STAGES
    wanted = [s.strip().lower() for s in text.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in STAGES]
    if unknown:
        raise HarnessError(f"unknown stage(s) {', '.join(unknown)}; choose from {', '.join(STAGES)}")
    if not wanted:
        raise HarnessError("--stages names no stage")
    return tuple(s for s in STAGES if s in wanted)


def run_gate(target: Target, options: GateOptions, progress: Progress = print) -> GateResult:
    """Run the chosen stages against an already resolved target and write the reports."""
    from mypref_harness import gate_stages  # the suites are imported only when a gate really runs
    from mypref_harness import progress as live

    options.report_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    results: list[StageResult] = []
    findings_so_far = 0
    for name in (*options.stages, *(("profile",) if options.profile else ())):
        progress(f"[{_clock(started)}] {name}: running ({STAGE_TITLES[name]})")
        stage_started = time.monotonic()
        try:
            live.clear(name)
            with _Heartbeat(_still_running(progress, name, started)):
                result = gate_stages.RUNNERS[name](target, options)
        except HarnessError as exc:
            outcome = "incomplete" if exc.exit_code == ExitCode.INCOMPLETE else "error"
            result = StageResult(name, outcome, int(exc.exit_code), detail=str(exc))
            result.junit_cases = [report.JUnitCase(name=name, classname=f"gate.{name}", error=str(exc))]
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (procs.Terminated): report, then stop
            _write_interrupted(results, name, stage_started, exc, started, target, options)
            raise
        result.elapsed_s = time.monotonic() - stage_started
        results.append(result)
        findings_so_far += int(result.figures.get("failures", 0) or 0)
        progress(
            f"[{_clock(started)}] {name}: {result.outcome.upper()} in {result.elapsed_s:.1f}s"
            f" - {result.detail} (findings so far: {findings_so_far})"
        )
        if result.outcome == "error" and result.exit_code in STOPPING_CODES:
            # Configuration and reachability errors are the same for every later stage: say it once.
            progress(f"[{_clock(started)}] gate: stopped after {name}: the later stages would fail alike")
            break
    gate = GateResult(results, [], time.monotonic() - started, options.report_dir)
    _write_reports(gate, target, options)
    gate.leaks = report.scan_for_secrets([options.report_dir], target.named_secrets())
    if gate.leaks:
        # Rewrite the summaries so the verdict they show includes the leak (they hold no secret).
        _write_reports(gate, target, options)
    return gate


def _write_interrupted(
    results: list[StageResult],
    name: str,
    stage_started: float,
    exc: KeyboardInterrupt,
    started: float,
    target: Target,
    options: GateOptions,
) -> None:
    """The partial summary of a gate stopped during stage ``name``, marked incomplete."""
    signum = getattr(exc, "signum", signal.SIGINT)
    why = f"stopped by {signal.Signals(signum).name} during {name}"
    stage = StageResult(name, "incomplete", 128 + signum, detail=why,
                        elapsed_s=time.monotonic() - stage_started)
    stage.junit_cases = [report.JUnitCase(name=name, classname=f"gate.{name}", error=why)]
    gate = GateResult([*results, stage], [], time.monotonic() - started, options.report_dir, interrupted=why)
    _write_reports(gate, target, options)


class _Heartbeat:
    """Calls ``beat`` every HEARTBEAT_SECONDS from a daemon thread while the block runs."""

    def __init__(self, beat: Callable[[], None], every: float | None = None) -> None:
        self._beat, self._every = beat, HEARTBEAT_SECONDS if every is None else every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self._beat()

    def __enter__(self) -> None:
        self._thread.start()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _still_running(progress: Progress, name: str, started: float) -> Callable[[], None]:
    """The heartbeat line: the stage's latest progress (its counts) when it publishes any."""
    from mypref_harness import progress as live

    return lambda: progress(f"[{_clock(started)}] {name}: {live.latest(name) or 'still running'}")


def _clock(started: float) -> str:
    elapsed = int(time.monotonic() - started)
    return f"{elapsed // 60:02d}:{elapsed % 60:02d}"


# ------------------------------------------------------------------------------------ reports


def verdict_rows(gate: GateResult) -> list[list[str]]:
    rows = []
    for stage in gate.stages:
        figures = ", ".join(f"{k} {v}" for k, v in stage.figures.items())
        links = ", ".join(_relative(p, gate.report_dir) for p in stage.report_files[:4])
        rows.append([STAGE_TITLES[stage.name], stage.outcome.upper(), figures or stage.detail, links])
    if gate.leaks:
        files = sorted({_relative(leak.path, gate.report_dir) for leak in gate.leaks})
        rows.append(["Secret scan of artifacts", "FAIL", f"{len(gate.leaks)} leak(s)", ", ".join(files)])
    return rows


def _relative(path: Path, base: Path) -> str:
    try:
        return str(Path(path).resolve().relative_to(base.resolve()))
    except ValueError:
        return str(path)


def _write_reports(gate: GateResult, target: Target, options: GateOptions) -> None:
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
    gate.summary_md = options.report_dir / "summary.md"
    gate.summary_md.write_text(render_markdown(gate, target, chart), encoding="utf-8")
    gate.summary_json = options.report_dir / "summary.json"
    gate.summary_json.write_text(json.dumps(render_json(gate, target), indent=2) + "\n", encoding="utf-8")
    write_html(gate, target, svg)


def write_html(gate: GateResult, target: Target | None, chart_svg: str | None = None) -> Path:
    """reports/index.html: the same report for a browser (html_report.py)."""
    from mypref_harness.html_report import render_html

    path = gate.report_dir / "index.html"
    path.write_text(render_html(gate, target, chart_svg), encoding="utf-8")
    return path


def latency_chart_svg(gate: GateResult) -> str | None:
    """The load stage's p50/p95 over time, its latency SLOs as dashed lines (None without a load stage)."""
    from mypref_harness.chart import Series, Threshold, line_chart_svg

    load = next((s for s in gate.stages if s.name == "load" and s.timeline), None)
    if load is None:
        return None
    series = [
        Series(label, [(float(row["t"] or 0), row.get(key)) for row in load.timeline], color)
        for label, key, color in (("p50 (all requests)", "p50", "#1f77b4"),
                                  ("p95 (all requests)", "p95", "#d62728"))
    ]
    colours = {"p50": "#6baed6", "p95": "#fc9272"}
    thresholds = [
        Threshold(f"{label} {value:g} ms", value, colours.get(label.split()[1], "#7f7f7f"))
        for label, value in sorted(load.thresholds.items(), key=lambda item: item[1])
    ]
    return line_chart_svg("Load smoke: latency over time (Locust rolling percentiles)", series,
                          y_label="ms", thresholds=thresholds)


def describe_target(target: Target | None) -> str:
    if target is None:
        return "not resolved (the configuration could not be used)"
    if target.is_embedded or target.is_sandbox:
        where = f" at {target.base_url}" if target.base_url else ""
        return f"embedded sandbox{where} (auth {target.auth})"
    return (f"configured target {target.base_url} (client {target.client_id}, user {target.user_id},"
            f" auth {target.auth})")


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
    if chart is not None:
        # Linked, not embedded: a job page ($GITHUB_STEP_SUMMARY, GitLab) does not render a relative image.
        lines += [f"Latency over time: [{chart.name}]({chart.name}) (p50/p95 with the SLO lines; "
                  "also in index.html)", ""]
    for stage in gate.stages:
        failed = [c for c in stage.junit_cases if c.outcome in ("failure", "error")]
        if failed:
            body = "\n".join(f"{c.name}: {_first_line(c.failure or c.error)}" for c in failed)
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


BASES = ("documented", "catalog", "assumption", "practice")


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


ROUTE_STATES = ("confirmed", "not_found", "undecided", "not_exercised")


def routes_markdown(gate: GateResult) -> list[str]:
    """Which routes of the spec the target serves, by route confidence (details: contract/summary.md)."""
    stage = next((s for s in gate.stages if s.route_counts), None)
    if stage is None or stage.route_counts is None:
        return []
    rows = [[conf, *(str(row.get(state, 0)) for state in ROUTE_STATES)]
            for conf, row in sorted(stage.route_counts.items())]
    return ["## Routes on the target (positive requests of the contract stage)", "",
            report.markdown_table(["route confidence", *ROUTE_STATES], rows, ["l", "r", "r", "r", "r"]), ""]


def _first_line(text: str | None, limit: int = 300) -> str:
    return (text or "").strip().splitlines()[0][:limit] if (text or "").strip() else ""


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
                "reports": [_relative(p, gate.report_dir) for p in s.report_files],
            }
            for s in gate.stages
        ],
        "leaks": [{"file": _relative(leak.path, gate.report_dir), "kind": leak.kind} for leak in gate.leaks],
    }
