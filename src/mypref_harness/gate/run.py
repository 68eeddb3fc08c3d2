"""The gate's flow: run the chosen stages in order, print progress, write the reports, scan them.

Each stage's runner (``stages.RUNNERS``) turns its suite's result into a `StageResult`; the gate
prints progress as it goes (a heartbeat while a stage is quiet), writes a JUnit file per stage,
``summary.md``, ``summary.json``, ``index.html`` and a latency chart, and finally scans every artifact
for secrets: a leak fails the gate and names the file.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence

# The module, not its RUNNERS: a test swaps stages.RUNNERS for fake stages.
import mypref_harness.gate.stages as stages
from mypref_harness import budget as budgets
from mypref_harness import progress as live
from mypref_harness import report
from mypref_harness.config import Target
from mypref_harness.errors import ExitCode, HarnessError
from mypref_harness.gate.model import STAGE_TITLES, GateOptions, GateResult, StageResult
from mypref_harness.gate.reports import write_reports

Progress = Callable[[str], None]
HEARTBEAT_SECONDS = 30.0  # a stage quiet for this long still says it is alive
STOPPING_CODES = (int(ExitCode.USAGE), int(ExitCode.UNREACHABLE))


def check_target(target: Target) -> None:
    """Once, before any stage of a configured target: reachable (exit 3) and our credentials accepted
    (exit 2). Every stage would otherwise report the same error again."""
    from mypref_harness.guards import check_reachable
    from mypref_harness.preflight import preflight

    check_reachable(target)
    preflight(target)


def rate_limit_text(target: Target, options: GateOptions) -> str | None:
    """The one rate of every stage: --rate-limit, else none on loopback and 20/s anywhere else."""
    from mypref_harness.guards import is_loopback

    if options.rate_limit is not None:
        return options.rate_limit
    return None if is_loopback(target.base_url or "") else budgets.DEFAULT_REMOTE_RATE_LIMIT


def make_budget(target: Target, options: GateOptions) -> budgets.Budget:
    """The run's budget (limits for the target, its rate) with the load stage's share reserved up front."""
    # is_sandbox, not is_embedded: the target run_gate gets is already resolved (the sandbox has a URL).
    requests, seconds = options.budget_for(is_embedded=target.is_sandbox)
    rate = budgets.rate_of(rate_limit_text(target, options))
    budget = budgets.Budget(requests, seconds, rate=rate)
    if budget.limited:
        for stage, (kept, kept_s) in options.reservations(rate).items():
            budget.reserve(stage, kept, kept_s)
    return budget


def run_gate(
    target: Target,
    options: GateOptions,
    progress: Progress = print,
    *,
    before: Sequence[StageResult] = (),
    budget: budgets.Budget | None = None,
) -> GateResult:
    """Run the chosen stages against an already resolved target and write the reports. ``before``: stages
    that already ran without the target (the baseline spec stage), reported first. ``budget``: the run's,
    when the caller already spent some of it (the CLI's preflight of a configured target); else made here."""
    options.report_dir.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    results: list[StageResult] = list(before)
    budget = budget or make_budget(target, options)
    live.set_footer(lambda: f"budget {budget.progress_text()}")  # a terminal's status line shows it too
    try:
        results = _run_stages(target, options, progress, results, budget, started)
    finally:
        live.set_footer(None)
    gate = GateResult(results, [], time.monotonic() - started, options.report_dir, budget=budget)
    write_reports(gate, target, options)
    gate.leaks = report.scan_for_secrets([options.report_dir], target.named_secrets())
    if gate.leaks:
        # Rewrite the summaries so the verdict they show includes the leak (they hold no secret).
        write_reports(gate, target, options)
    return gate


def _run_stages(
    target: Target,
    options: GateOptions,
    progress: Progress,
    results: list[StageResult],
    budget: budgets.Budget,
    started: float,
) -> list[StageResult]:
    """Each chosen stage in turn, its result appended to ``results`` (stops early on a stopping error)."""
    findings_so_far = sum(r.failures for r in results)
    for name in (*options.stages, *(("profile",) if options.profile else ())):
        progress(f"[{_clock(started)}] {name}: running ({STAGE_TITLES[name]})")
        stage_started = time.monotonic()
        try:
            live.clear(name)
            with _Heartbeat(_still_running(progress, name, started, budget)), budgets.spending(budget, name):
                result = stages.RUNNERS[name](target, options, budget)
        except HarnessError as exc:
            outcome = "incomplete" if exc.exit_code == ExitCode.INCOMPLETE else "error"
            result = StageResult(name, outcome, int(exc.exit_code), detail=str(exc))
            result.junit_cases = [report.JUnitCase(name=name, classname=f"gate.{name}", error=str(exc))]
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM (procs.Terminated): report, then stop
            _write_interrupted(results, name, stage_started, exc, started, target, options, budget)
            raise
        result.elapsed_s = time.monotonic() - stage_started
        results.append(result)
        findings_so_far += result.failures
        progress(
            f"[{_clock(started)}] {name}: {result.outcome.upper()} in {result.elapsed_s:.1f}s"
            f" - {result.detail} (findings so far: {findings_so_far}; budget {budget.progress_text()})"
        )
        if result.outcome == "error" and result.exit_code in STOPPING_CODES:
            # Configuration and reachability errors are the same for every later stage: say it once.
            progress(f"[{_clock(started)}] gate: stopped after {name}: the later stages would fail alike")
            break
    return results


def _write_interrupted(
    results: list[StageResult],
    name: str,
    stage_started: float,
    exc: KeyboardInterrupt,
    started: float,
    target: Target,
    options: GateOptions,
    budget: budgets.Budget,
) -> None:
    """The partial summary of a gate stopped during stage ``name``, marked incomplete (with the requests
    booked so far)."""
    signum = getattr(exc, "signum", signal.SIGINT)
    why = f"stopped by {signal.Signals(signum).name} during {name}"
    stage = StageResult(name, "incomplete", 128 + signum, detail=why,
                        elapsed_s=time.monotonic() - stage_started)
    stage.junit_cases = [report.JUnitCase(name=name, classname=f"gate.{name}", error=why)]
    gate = GateResult([*results, stage], [], time.monotonic() - started, options.report_dir, interrupted=why,
                      budget=budget)
    write_reports(gate, target, options)


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


def _still_running(
    progress: Progress, name: str, started: float, budget: budgets.Budget
) -> Callable[[], None]:
    """The heartbeat line: the stage's latest progress (its counts) when it publishes any, and the
    budget spent so far (requests booked by the stages finished and this stage's in-process ones)."""
    return lambda: progress(
        f"[{_clock(started)}] {name}: {live.latest(name) or 'still running'}"
        f" (budget {budget.progress_text()})"
    )


def _clock(started: float) -> str:
    elapsed = int(time.monotonic() - started)
    return f"{elapsed // 60:02d}:{elapsed % 60:02d}"
