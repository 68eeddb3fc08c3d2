"""A judged load run: :class:`LoadResult`, what ``run_load`` returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mypref_harness.load.slo as slo_mod
from mypref_harness.load.integrity import IntegrityReport
from mypref_harness.load.summary import TimelinePoint


@dataclass
class LoadResult:
    """A judged run. ``requests``/``failures``/``fail_ratio``/``rps`` count every request (token and
    setup requests included); ``p50_ms``/``p95_ms``/``p99_ms`` are over business traffic only
    (config, lookup, write, history). ``timeline`` has one point per second of the run."""

    passed: bool
    exit_code: int
    requests: int = 0
    failures: int = 0  # every kind but throttling
    fail_ratio: float = 0.0
    throttled: int = 0  # requests answered 429, token endpoint included (an error kind of its own)
    rps: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    token_requests: int = 0
    processes: int = 1
    duration_s: float = 0.0
    slo_results: list[slo_mod.SloResult] = field(default_factory=list)
    integrity: IntegrityReport | None = None
    report_files: list[Path] = field(default_factory=list)
    timeline: list[TimelinePoint] = field(default_factory=list)
    process_counters: list[dict[str, Any]] = field(default_factory=list)
    report_dir: Path | None = None
    message: str = ""
    left_out: str = ""  # the scenarios the spec could not serve, one line ("" = none)

    @property
    def breaches(self) -> list[slo_mod.SloResult]:
        return slo_mod.breaches(self.slo_results)
