"""The options of a contract run (`run_contract`), shared by the run and the Schemathesis launcher."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ALL_PHASES = ("examples", "coverage", "fuzzing", "stateful")
DEFAULT_REPORT_DIR = Path("reports/contract")


@dataclass
class ContractOptions:
    """What one contract run does: its budget, the operations and phases chosen, the verdict policy, the
    extra parts (scenarios, auth conformance) and where its reports go."""

    max_examples: int = 20
    seed: int | None = None
    operations: Sequence[str] = ()  # operationIds or regexes over "METHOD /path"
    exclude_operations: Sequence[str] = ()
    phases: Sequence[str] = ALL_PHASES
    mode: str = "all"  # positive | negative | all
    # "Our assumptions are the truth": undeclared response fields fail AND every finding fails whatever
    # its basis (contract/verdicts.py). None: strict on the embedded sandbox, lenient on real targets.
    strict: bool | None = None
    policy_file: Path | None = None  # --policy: promote/demote checks by name (basis.VerdictPolicy.load)
    report_dir: Path = DEFAULT_REPORT_DIR
    # None: from the measurement off loopback (budget.workers_for: rate x round trip), 1 on loopback,
    # where more workers were slower on 2 cores (tooling notes).
    workers: int | None = None
    checks: Sequence[str] = ()  # empty: every enabled check
    exclude_checks: Sequence[str] = ()
    auth_conformance: bool = True
    scenarios: bool = True  # package-level read-back scenarios (update, PUT, history, lost update)
    scenario_updates: int = 100
    allow_missing_roles: bool = False  # a scenario whose role does not resolve is skipped, not failed
    html: bool = False  # Schemathesis's own HTML report
    rate_limit: str | None = None  # None: unlimited on loopback, DEFAULT_REMOTE_RATE_LIMIT elsewhere
    # This run's share of the budget (the gate's Budget.share_for("contract"), or contract's own
    # --budget-requests/--budget-time), spent by value (contract/budget_plan.py); None: unlimited, every
    # case Schemathesis generates (~15,000 on our spec).
    budget_requests: int | None = None
    budget_time_s: float | None = None
    unexpected_methods: bool | None = None  # None: on for loopback targets only
    timeout_s: float = 1800.0
    slow: bool = False  # let auth conformance wait for token expiry
    sandbox_options: Mapping[str, Any] = field(default_factory=dict)
    config_file: Path | None = None  # static Schemathesis config; default contracts/schemathesis.toml
    quiet: bool = True  # do not stream Schemathesis's terminal output
    # Schemathesis's NDJSON event stream is parsed, then deleted: it is large (64 MB for a full-spec run
    # with -n 5) and scrubbing + scanning it costs ~80 s. Keep it (scrubbed) for debugging.
    keep_events: bool = False
