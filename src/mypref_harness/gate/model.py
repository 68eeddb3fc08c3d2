"""The gate's data: its options, one stage's result, the whole gate's result and verdict.

``StageResult.figures`` is display data (the verdict table's "key figures", ``figures`` in
summary.json); everything the gate decides with has its own typed field (``failures``, ``timeline``,
``by_basis``, ...), so a change of wording in the table never changes a verdict.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mypref_harness import report
from mypref_harness.budget import Budget
from mypref_harness.errors import ExitCode, HarnessError
from mypref_harness.load.shapes import parse_duration

STAGES: tuple[str, ...] = ("vectors", "contract", "auth", "load")
STAGE_TITLES = {
    "vectors": "Auth vector corpus",
    "contract": "Contract (Schemathesis)",
    "auth": "Auth conformance",
    "load": "Load smoke with SLOs",
    "profile": "Target profile drift",  # only with --profile: runs after the others
    "preflight": "Preflight (reachable, credentials accepted)",  # a configured target's, before any stage
    "baseline": "Spec vs pinned baseline",  # only with --baseline-spec: before anything is sent
}
# Budgets: the default is a real gate that still fits in a CI job; --quick is for a first look.
DEFAULT_MAX_EXAMPLES, QUICK_MAX_EXAMPLES = 10, 3
DEFAULT_LOAD_DURATION, QUICK_LOAD_DURATION = "20s", "10s"
# 20 preference-center/integration users with their think times give ~10 requests/s: enough samples
# for p95 per request group in 20 s, and far from saturating a 2-core machine shared with the sandbox.
DEFAULT_LOAD_USERS, QUICK_LOAD_USERS = 20, 5
# What the smoke's users send with their think times, token and setup requests included: measured 366
# requests in 20 s for 20 users on the embedded sandbox (0.9 per user and second); kept for the load stage.
LOAD_REQUESTS_PER_USER_S = 1.0
# The budget of a gate on a configured target (issue 15): a verdict in about 5 minutes at 20 requests/s
# with ~100 ms round trips; 5,000 requests leave room for the stages' start-up and the token requests.
# The embedded sandbox gets no budget by default (`make gate` stays as it is).
DEFAULT_BUDGET_REQUESTS = 5000
DEFAULT_BUDGET_TIME_S = 300.0
STAGE_START_S = 10.0  # a subprocess stage's start-up and wind-down (Locust), kept with its share
# Auth conformance: a fixed set of checks and probes (requests, seconds at 20/s with 100 ms answers);
# measured 89 requests on the sandbox. The profile stage re-measures the same kind of facts.
AUTH_RESERVE = (150, 30.0)
PROFILE_RESERVE = AUTH_RESERVE

Figure = int | float | str  # one key figure as shown: a count, a rate, or a formatted value ("12 ms")


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
    baseline_spec: Path | None = None  # a pinned spec: breaking changes of the target's spec fail the gate
    # Verdict policy (contract/verdicts.py): None = strict on the embedded sandbox, lenient elsewhere.
    strict: bool | None = None
    policy_path: Path | None = None  # promote/demote checks by name (basis.VerdictPolicy.load)
    allow_missing_roles: bool = False  # contract: a scenario whose role does not resolve is skipped
    schemathesis_html: bool = False  # also Schemathesis's own HTML report (contract/schemathesis-html/)
    # The contract stage's operations (operationIds or regexes over "METHOD /path"); empty = all.
    operations: Sequence[str] = ()
    # One rate for every stage that sends requests ("20/s"); None: none on loopback, 20/s elsewhere.
    rate_limit: str | None = None
    # The run's budget, shared by the stages (mypref_harness.budget). None: the default for the target
    # (DEFAULT_BUDGET_* on a configured target, unlimited on the embedded sandbox); 0: unlimited.
    budget_requests: int | None = None
    budget_time_s: float | None = None

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

    def budget_for(self, *, is_embedded: bool) -> tuple[int | None, float | None]:
        """(requests, seconds) of this run's budget; None = unlimited (0 given = unlimited too)."""
        requests, seconds = self.budget_requests, self.budget_time_s
        if requests is None:
            requests = None if is_embedded else DEFAULT_BUDGET_REQUESTS
        if seconds is None:
            seconds = None if is_embedded else DEFAULT_BUDGET_TIME_S
        return (requests or None), (seconds or None)

    def reservations(self, rate: float | None) -> dict[str, tuple[int, float]]:
        """(requests, seconds) kept up front for the stages after the contract stage, so that the contract
        stage gets what is left: the load stage's users' pace (capped by the rate) for its duration, and
        the small, fixed auth conformance checks."""
        kept: dict[str, tuple[int, float]] = {}
        if "load" in self.stages:
            pace = self.effective_load_users * LOAD_REQUESTS_PER_USER_S
            if rate:
                pace = min(pace, rate)
            duration = parse_duration(self.effective_load_duration)
            kept["load"] = (math.ceil(pace * duration), duration + STAGE_START_S)
        if "auth" in self.stages:
            kept["auth"] = AUTH_RESERVE
        if self.profile is not None:
            kept["profile"] = PROFILE_RESERVE
        return kept


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


@dataclass(frozen=True)
class LatencyPoint:
    """One second of the load stage: Locust's rolling p50/p95 in ms, None where nothing was measured
    (a gap in the chart, never an invented 0)."""

    t: float  # seconds since the first request
    p50: float | None = None
    p95: float | None = None


@dataclass
class StageResult:
    name: str
    outcome: str  # "pass" | "fail" | "error" | "incomplete"
    exit_code: int
    # Findings of this stage that fail the gate: the gate's running count reads this, never `figures`.
    failures: int = 0
    figures: dict[str, Figure] = field(default_factory=dict)  # display only (see the module docstring)
    detail: str = ""
    report_files: list[Path] = field(default_factory=list)
    junit_cases: list[report.JUnitCase] = field(default_factory=list)
    elapsed_s: float = 0.0
    timeline: list[LatencyPoint] = field(default_factory=list)  # the load stage's seconds
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
    # The run's budget and its ledger: where the requests and the time went (None: a gate that
    # stopped before its stages).
    budget: Budget | None = None

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
