"""The result model of a contract run and of an auth-conformance run.

Both runs report the same kind of record (`CheckRecord`: name, passed, evidence, check) so that the
release gate, the Markdown summary and the JUnit writer treat them alike. Evidence is always redacted
before it is stored here: a record may be printed or written anywhere.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mypref_harness.basis import Basis, VerdictPolicy
from mypref_harness.budget import StageSpend
from mypref_harness.errors import ExitCode

if TYPE_CHECKING:
    from mypref_harness.contract.route_verdicts import RouteVerdict


class Status(enum.Enum):
    PASSED = "passed"
    FAILED = "failed"
    WARNED = "warned"  # a finding whose basis the verdict policy reports without failing the run
    SKIPPED = "skipped"
    # no verdict: the target's answers decided nothing (5xx, 429, timeouts after retries); never a pass
    ERRORED = "errored"


@dataclass(frozen=True)
class CheckRecord:
    """One verdict: a named check on a named subject (an operation, or an auth behaviour).

    ``check`` is the name of the check that produced the verdict (a Schemathesis check such as
    ``response_schema_conformance``, one of our custom checks, or an auth-conformance check id);
    ``name`` says what was checked (``GET /{clientId}/Programs`` or ``pnauth.future-timestamp``).
    """

    name: str
    check: str
    status: Status
    evidence: str = ""
    operation: str | None = None
    code: str | None = None  # Schemathesis failure code (ST108, ...) when there is one
    count: int = 1  # how many cases showed this same failure
    basis: Basis = Basis.DOCUMENTED  # where the check's rule comes from (mypref_harness.basis)
    # The command that re-sends the failing request ("mypref-harness replay reports/contract/cases/<id>.json";
    # contract/cases.py), when the run kept one.
    replay: str = ""
    answer: str = ""  # the target's answer to that request: "500 Internal Server Error: {...}" (shortened)
    elapsed_s: float = 0.0  # wall time of the check or scenario, where it ran on its own (JUnit time)

    @property
    def passed(self) -> bool:
        return self.status is not Status.FAILED

    @property
    def warned(self) -> bool:
        return self.status is Status.WARNED

    @property
    def skipped(self) -> bool:
        return self.status is Status.SKIPPED


@dataclass(frozen=True)
class CheckTally:
    """How often one check ran in a Schemathesis run and how often it failed (the gate's checks table)."""

    check: str
    runs: int | None  # None when Schemathesis's NDJSON stream was not recorded (the default)
    failures: int

    @property
    def passed(self) -> bool:
        return self.failures == 0


FactValue = str | int | float | bool | tuple[str, ...] | None


@dataclass(frozen=True)
class Fact:
    """A discovery-probe result: something the documentation leaves open, measured on the target.

    ``name`` is a stable id (``FACT_NAMES`` of ``mypref_harness.contract.auth_conformance.discovery``
    lists them with their value formats); ``value`` is typed data (None when undetermined) so that a
    profile can pin it and a later run can compare; ``evidence`` says how it was measured, or why it
    could not be.
    """

    name: str
    value: FactValue
    evidence: str = ""
    determined: bool = True

    @classmethod
    def undetermined(cls, name: str, reason: str) -> Fact:
        return cls(name, None, reason, determined=False)

    @property
    def text(self) -> str:
        """The value for people: ``899 s``, ``form and percent``, ``yes``, ``undetermined``."""
        value = self.value
        if not self.determined or value is None:
            return "undetermined"
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, tuple):
            return " and ".join(value) if value else "none"
        if isinstance(value, int | float) and self.name.endswith("_s"):
            return f"{value:g} s"
        return str(value)


@dataclass
class ConformanceResult:
    target: str
    checks: list[CheckRecord] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    report_files: list[Path] = field(default_factory=list)
    elapsed_s: float = 0.0
    policy: str = ""  # the verdict policy the checks were judged by (VerdictPolicy.describe())

    @property
    def failures(self) -> list[CheckRecord]:
        return [c for c in self.checks if not c.passed]

    @property
    def counts(self) -> dict[str, int]:
        return _count(self.checks)

    @property
    def errored(self) -> list[CheckRecord]:
        """Checks without a verdict because the target's answers decided nothing."""
        return [c for c in self.checks if c.status is Status.ERRORED]

    @property
    def unhealthy(self) -> bool:
        """Nothing could be measured or decided: every fact undetermined and no check decided."""
        decided = any(c.status not in (Status.ERRORED, Status.SKIPPED) for c in self.checks)
        measured = any(f.determined for f in self.facts)
        attempted = bool(self.errored or self.facts)
        return attempted and not decided and not measured

    @property
    def passed(self) -> bool:
        return not self.failures and not self.errored and not self.unhealthy

    @property
    def exit_code(self) -> int:
        """1 for findings; 3 when the target was too unhealthy to decide some verdict; else 0."""
        if self.failures:
            return int(ExitCode.FINDINGS)
        if self.errored or self.unhealthy:
            return int(ExitCode.UNREACHABLE)
        return int(ExitCode.OK)

    def failed_checks(self) -> set[str]:
        return {c.check for c in self.failures}


@dataclass
class ContractResult:
    target: str
    cases: int = 0  # test cases Schemathesis generated and sent
    operations_selected: int = 0
    operations_tested: int = 0
    findings: list[CheckRecord] = field(default_factory=list)  # failed or warned (by policy), grouped
    tallies: list[CheckTally] = field(default_factory=list)
    scenarios: list[CheckRecord] = field(default_factory=list)  # package-level read-back scenarios
    conformance: ConformanceResult | None = None
    errors: list[str] = field(default_factory=list)  # Schemathesis errors (not findings), redacted
    warnings: list[str] = field(default_factory=list)
    strict: bool = True
    seed: int | None = None
    links_added: int = 0  # stateful links added by role to a spec that declares none (role_links.py)
    # request-body rules the spec leaves out, restored in the run's copy: one line each (body_rules.py)
    body_rules: list[str] = field(default_factory=list)
    schemathesis_exit_code: int | None = None
    elapsed_s: float = 0.0
    schemathesis_elapsed_s: float = 0.0  # Schemathesis's own running time (its JSON report)
    subprocess_elapsed_s: float = 0.0  # wall time of the Schemathesis subprocess, start-up included
    report_files: list[Path] = field(default_factory=list)
    routes: list[RouteVerdict] = field(default_factory=list)  # the route table (contract/route_verdicts.py)
    policy: str = ""  # the verdict policy the records were judged by (VerdictPolicy.describe())
    workers: int = 1  # Schemathesis workers, and how that number was chosen (schemathesis/prepare.py)
    workers_why: str = ""
    # Schemathesis's requests per phase and operation, and what a budget left out (schemathesis/session.py)
    budget: StageSpend | None = None

    @property
    def failures(self) -> list[CheckRecord]:
        """Every failed verdict of the run: Schemathesis findings, scenarios and auth conformance."""
        out = [f for f in self.findings if not f.passed] + [s for s in self.scenarios if not s.passed]
        if self.conformance is not None:
            out += self.conformance.failures
        return out

    @property
    def warned(self) -> list[CheckRecord]:
        """Findings the verdict policy reports without failing the run (basis assumption/practice)."""
        out = [f for f in [*self.findings, *self.scenarios] if f.warned]
        if self.conformance is not None:
            out += [c for c in self.conformance.checks if c.warned]
        return out

    @property
    def records(self) -> list[CheckRecord]:
        """Every verdict of the run (for count_by_basis)."""
        out = [*self.findings, *self.scenarios]
        if self.conformance is not None:
            out += self.conformance.checks
        return out

    @property
    def passed(self) -> bool:
        undecided = self.conformance is not None and bool(self.conformance.errored)
        return not self.failures and not self.errors and not undecided

    @property
    def exit_code(self) -> int:
        return int(ExitCode.OK if self.passed else ExitCode.FINDINGS)

    @property
    def cases_per_second(self) -> float:
        return self.cases / self.schemathesis_elapsed_s if self.schemathesis_elapsed_s > 0 else 0.0

    def failed_checks(self) -> set[str]:
        return {f.check for f in self.failures}


def judged(record: CheckRecord, policy: VerdictPolicy) -> CheckRecord:
    """The record as the verdict policy sees it: a failed check whose basis only warns becomes WARNED."""
    if record.status is Status.FAILED and not policy.fails(record.check, record.basis):
        return dataclasses.replace(record, status=Status.WARNED)
    if record.status is Status.WARNED and policy.fails(record.check, record.basis):
        return dataclasses.replace(record, status=Status.FAILED)
    return record


def judge_all(records: Iterable[CheckRecord], policy: VerdictPolicy) -> list[CheckRecord]:
    return [judged(r, policy) for r in records]


def count_by_basis(records: Iterable[CheckRecord]) -> dict[str, dict[str, int]]:
    """Findings per basis: ``{"documented": {"failed": 2, "warned": 0}, ...}`` (the gate's table)."""
    out = {b.value: {"failed": 0, "warned": 0} for b in Basis}
    for r in records:
        if r.status is Status.FAILED:
            out[r.basis.value]["failed"] += 1
        elif r.status is Status.WARNED:
            out[r.basis.value]["warned"] += 1
    return out


def _count(records: Iterable[CheckRecord]) -> dict[str, int]:
    counts = {s.value: 0 for s in Status}
    for r in records:
        counts[r.status.value] += 1
    return counts
