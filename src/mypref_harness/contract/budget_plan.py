"""How a contract run spends a request budget: by what a request can show, not by the spec's size.

Unlimited, Schemathesis sends every case its phases generate (~15,000 on our spec, ~14,000 of them in
the coverage phase). With a budget of B requests the run spends, in this order:

1. per operation its documented examples (Schemathesis's examples phase) and one positive case, so every
   operation is touched;
2. boundary and negative cases of the coverage phase, one per *equivalence class*: cases of one
   operation that exercise the same scenario on the same parameter with the same kind of data (positive
   or negative) expect the same status, so they can show only one thing; a per-operation allowance keeps
   one large operation from eating everyone's share;
3. fuzzing (and the stateful phase when enough is left) with what is left, operations with findings or
   low coverage first.

This module is the pure part: the plan computed before a run (``plan_budget``), the admission rule the
Schemathesis subprocess applies to every generated case (``CaseAdmission``, via a ``filter_case`` hook),
and the share of the leftover per operation (``fuzzing_allowance``). Schemathesis's own controls do the
rest (phases, per-operation ``max-examples``, ``no-shrink``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

ENV_PLAN = "MYPREF_CONTRACT_BUDGET_PLAN"
LEFT_OUT_NAME = "schemathesis-left-out.json"  # cases the admission did not send, written next to the plan

# Requests of the contract stage that are not Schemathesis cases, counted at the embedded sandbox
# (its --request-log; docs/contract.md): the read-back scenarios (131 + their --scenario-updates), the
# auth-conformance checks (90) and, per operation and Schemathesis run, the requests its checks send
# besides the case (ignored_auth re-sends a case without and with wrong credentials: ~2).
SCENARIO_REQUESTS = 140
AUTH_CONFORMANCE_REQUESTS = 100
CHECK_REQUESTS_PER_OPERATION = 2
# Per Schemathesis run, its probing phase (GET <base>/ and two schemathesis-probe paths).
PROBE_REQUESTS_PER_RUN = 3
# Per contract run: our preflight (2) and the probes of the two passes.
RUN_REQUESTS = 2 + 2 * PROBE_REQUESTS_PER_RUN
# Of what Schemathesis may send: this share goes to examples + deduplicated coverage, the rest to fuzzing.
COVERAGE_SHARE = 0.6
# Fewer fuzzing cases per operation than this on average and the stateful phase is left out (its
# sequences cost several requests each and start from scratch every time).
STATEFUL_MIN_PER_OPERATION = 5
# The stateful phase's max-examples under a budget: at 20 it sent 207 requests on our spec (up to 6 steps
# a sequence, plus the checks' own requests), at 10 about half; the second pass reserves 150 for it.
STATEFUL_MAX_EXAMPLES = 10


@dataclass(frozen=True)
class CoverageClass:
    """What a coverage case can show: two cases with equal classes expect the same answer."""

    operation: str
    method: str  # the method sent (the coverage phase also sends undeclared methods)
    mode: str  # positive | negative
    scenario: str  # Schemathesis's CoverageScenario, e.g. incorrect_type, string_above_max_length
    location: str  # path, query, header, body
    parameter: str  # parameter name or the body's schema location


def coverage_class(
    operation: str,
    method: str,
    mode: str,
    scenario: str,
    location: str | None,
    parameter: str | None,
    declared_method: str,
) -> CoverageClass:
    """The equivalence class of one coverage case.

    An undeclared method (405 expected) is one class per operation whatever the method: the same
    ``unsupported_method`` answer is expected of each.
    """
    if method.lower() != declared_method.lower():
        return CoverageClass(operation, "*", "negative", "unexpected_method", "", "")
    return CoverageClass(operation, method.upper(), mode, scenario, location or "", parameter or "")


@dataclass(frozen=True)
class BudgetPlan:
    """The limits of one Schemathesis run under a budget (written as JSON for the subprocess)."""

    cases: int  # at most this many cases in all phases of the run
    coverage_per_operation: int  # deduplicated coverage cases per operation, beyond its first positive one
    fuzzing_per_operation: Mapping[str, int] = field(default_factory=dict)  # label -> max-examples
    fuzzing_default: int = 0  # max-examples of an operation not named above
    stateful: bool = False

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1, sort_keys=True), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> BudgetPlan:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            cases=int(data["cases"]),
            coverage_per_operation=int(data["coverage_per_operation"]),
            fuzzing_per_operation={
                str(k): int(v) for k, v in (data.get("fuzzing_per_operation") or {}).items()
            },
            fuzzing_default=int(data.get("fuzzing_default") or 0),
            stateful=bool(data.get("stateful")),
        )


def requests_within(requests: int | None, seconds: float | None, rate: float | None) -> int | None:
    """The request budget of a run limited to ``requests`` and/or ``seconds`` at ``rate`` requests/s.

    A time budget becomes requests only under a rate limit (rate x seconds); without one (loopback) the
    time is not a request count and only ``requests`` applies. None: unlimited.
    """
    from_time = int(rate * seconds) if seconds is not None and rate else None
    limits = [n for n in (requests, from_time) if n is not None]
    return min(limits) if limits else None


def outside_reserve(
    *, scenarios: bool, scenario_updates: int, auth_conformance: bool, operations: int
) -> int:
    """Requests of the contract stage that are not Schemathesis cases (see the constants above)."""
    return (
        (SCENARIO_REQUESTS + scenario_updates if scenarios else 0)
        + (AUTH_CONFORMANCE_REQUESTS if auth_conformance else 0)
        + CHECK_REQUESTS_PER_OPERATION * operations
        + RUN_REQUESTS
    )


def plan_budget(
    budget: int, operations: int, *, reserve: int, coverage_share: float = COVERAGE_SHARE
) -> BudgetPlan:
    """The limits of a run of ``operations`` operations that may send ``budget`` requests, ``reserve`` of
    them outside Schemathesis's cases (``outside_reserve``).

    The coverage allowance comes first (examples + one positive case + deduplicated classes); fuzzing
    gets the rest spread evenly (``fuzzing_allowance`` re-spreads it by findings when they are known).
    """
    operations = max(1, operations)
    cases = max(operations, budget - reserve)  # every operation is touched, even on a tiny budget
    coverage = int(cases * coverage_share)
    per_operation = max(0, coverage // operations - 2)  # ~1 example + 1 positive case are counted apart
    fuzzing = max(0, (cases - coverage) // operations)
    return BudgetPlan(
        cases=cases,
        coverage_per_operation=per_operation,
        fuzzing_default=fuzzing,
        stateful=fuzzing >= STATEFUL_MIN_PER_OPERATION,
    )


def fuzzing_allowance(
    leftover: int,
    operations: Iterable[str],
    *,
    findings: Mapping[str, int],
    coverage: Mapping[str, int],
    most_per_operation: int,
) -> dict[str, int]:
    """Spread ``leftover`` fuzzing cases over ``operations``, each getting at most ``most_per_operation``.

    Operations with findings first, each its most (most findings first): effort goes where defects are
    found. Then the others round by round, one case each in the order of the fewest coverage cases sent,
    so a small leftover reaches the least covered operations and a large one every operation. An
    operation left with 0 is not fuzzed.
    """
    ordered = sorted(operations, key=lambda label: (-findings.get(label, 0), coverage.get(label, 0), label))
    share = dict.fromkeys(ordered, 0)
    left = max(0, leftover)
    for label in (label for label in ordered if findings.get(label, 0) > 0):
        share[label] = min(most_per_operation, left)
        left -= share[label]
    rest = [label for label in ordered if findings.get(label, 0) <= 0]
    while left > 0 and any(share[label] < most_per_operation for label in rest):
        for label in rest:
            if left == 0:
                break
            if share[label] < most_per_operation:
                share[label] += 1
                left -= 1
    return share


class CaseAdmission:
    """Which generated cases the Schemathesis subprocess sends under a plan (its ``filter_case`` hook).

    Thread-safe: Schemathesis workers are threads. A case admitted is counted as spent.
    """

    def __init__(self, plan: BudgetPlan) -> None:
        self.plan = plan
        self.admitted = 0
        self.left_out: dict[str, dict[str, int]] = {}  # phase -> operation -> cases not sent
        self._classes: set[CoverageClass] = set()
        self._coverage: dict[str, int] = {}
        self._touched: set[str] = set()  # operations that had a positive case sent
        self._lock = threading.Lock()

    def admit(
        self, phase: str, operation: str, *, positive: bool, klass: CoverageClass | None = None
    ) -> bool:
        with self._lock:
            allowed = self._allowed(phase, operation, positive=positive, klass=klass)
            if allowed:
                self.admitted += 1
                if positive:
                    self._touched.add(operation)
            else:
                per_operation = self.left_out.setdefault(phase, {})
                per_operation[operation] = per_operation.get(operation, 0) + 1
            return allowed

    def _allowed(self, phase: str, operation: str, *, positive: bool, klass: CoverageClass | None) -> bool:
        if phase == "stateful":
            # Sized by its own max-examples (the plan's stateful reserve); a state machine whose steps are
            # filtered out keeps drawing new ones for minutes instead of stopping.
            return True
        if self.admitted >= self.plan.cases:
            return False
        if phase != "coverage":
            return True  # examples are all sent; fuzzing is sized by its max-examples
        if positive and operation not in self._touched:
            return True  # the first positive case of an operation: always (step 1)
        if klass is not None and klass in self._classes:
            return False  # shows nothing a case already sent could not
        if self._coverage.get(operation, 0) >= self.plan.coverage_per_operation:
            return False
        if klass is not None:
            self._classes.add(klass)
        self._coverage[operation] = self._coverage.get(operation, 0) + 1
        return True

    def write_left_out(self, path: Path) -> None:
        with self._lock:
            data = {phase: dict(sorted(ops.items())) for phase, ops in sorted(self.left_out.items())}
        path.write_text(json.dumps(data, indent=1), encoding="utf-8")
