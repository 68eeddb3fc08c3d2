"""Progress of a running Schemathesis subprocess, for the harness's live progress line.

In the subprocess, the after_call hook counts every case per operation and writes the totals to a small
JSON file at most once a second (the NDJSON event stream would tell the same, but its writer made
coverage-heavy runs ~3x slower). The harness reads that file and the failing-operation counts that
Schemathesis prints at the end of each phase, and publishes one line (mypref_harness.progress).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_PROGRESS = "MYPREF_CONTRACT_PROGRESS"
# Where the subprocess leaves its ledger at exit: requests per phase and operation (a report, kept).
ENV_LEDGER = "MYPREF_CONTRACT_LEDGER"
FLUSH_EVERY_S = 1.0
_OPERATIONS = re.compile(r"Operations:\s+(\d+) selected")
_PHASE_FAILED = re.compile(r"❌ (\d+) failed")


class CaseCounter:
    """Cases per operation label and phase; thread-safe (Schemathesis workers are threads)."""

    def __init__(self, path: Path, ledger_path: Path | None = None) -> None:
        self.path = path
        self.ledger_path = ledger_path
        self.cases = 0
        self.operations: set[str] = set()
        self.by_phase: dict[str, dict[str, int]] = {}  # phase -> operation label -> cases sent
        self.phase_span: dict[str, tuple[float, float]] = {}  # phase -> (first, last) case, monotonic
        self.operation_seconds: dict[str, float] = {}  # operation label -> summed response times
        self._lock = threading.Lock()
        self._last_flush = 0.0

    def observe(self, label: str, now: float | None = None, phase: str = "", seconds: float = 0.0) -> None:
        """One case of operation ``label`` answered (``seconds``: its response time)."""
        now = time.monotonic() if now is None else now
        phase = phase or "unknown"
        with self._lock:
            self.cases += 1
            self.operations.add(label)
            per_operation = self.by_phase.setdefault(phase, {})
            per_operation[label] = per_operation.get(label, 0) + 1
            first, _ = self.phase_span.get(phase, (now, now))
            self.phase_span[phase] = (first, now)
            self.operation_seconds[label] = self.operation_seconds.get(label, 0.0) + seconds
            due = now - self._last_flush >= FLUSH_EVERY_S
            if due:
                self._last_flush = now
                snapshot = {"cases": self.cases, "operations": len(self.operations)}
        if due:
            write_atomically(self.path, json.dumps(snapshot))

    def write_ledger(self) -> None:
        """The final counts (called at the subprocess's exit: the progress file is written at most once a
        second, so it misses the last cases)."""
        if self.ledger_path is None:
            return
        with self._lock:
            ledger = {
                "cases": self.cases,
                "by_phase": {
                    phase: dict(sorted(ops.items())) for phase, ops in sorted(self.by_phase.items())
                },
                # a phase's wall time from its first to its last answer; an operation's summed response times
                "phase_seconds": {
                    phase: round(last - first, 3) for phase, (first, last) in self.phase_span.items()
                },
                "operation_seconds": {
                    label: round(s, 3) for label, s in sorted(self.operation_seconds.items())
                },
            }
        write_atomically(self.ledger_path, json.dumps(ledger, indent=1))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CaseCounter | None:
        raw = env.get(ENV_PROGRESS, "").strip()
        if not raw:
            return None
        ledger = env.get(ENV_LEDGER, "").strip()
        counter = cls(Path(raw), Path(ledger) if ledger else None)
        if ledger:
            atexit.register(counter.write_ledger)
        return counter


def read_ledger(path: Path) -> dict[str, dict[str, int]]:
    """Requests per phase and operation label from a finished run's ledger (empty when it left none)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    by_phase = data.get("by_phase") if isinstance(data, dict) else None
    if not isinstance(by_phase, dict):
        return {}
    return {
        str(phase): {str(label): int(n) for label, n in ops.items()}
        for phase, ops in by_phase.items()
        if isinstance(ops, dict)
    }


def write_atomically(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)  # a reader never sees half a file


@dataclass(frozen=True)
class ContractProgress:
    cases: int
    operations: int
    total_operations: int | None
    failing: int  # operations that failed in the phases finished so far
    elapsed_s: float

    @property
    def line(self) -> str:
        total = f"/{self.total_operations}" if self.total_operations else ""
        rate = self.cases / self.elapsed_s if self.elapsed_s > 0 else 0.0
        return (
            f"{self.operations}{total} operations, {self.cases} cases, {self.failing} failing "
            f"operation(s) in finished phases, {rate:.0f} cases/s"
        )


def read_progress(progress_path: Path, output_path: Path, elapsed_s: float) -> ContractProgress:
    """What the subprocess has done so far (zeros before its first case)."""
    try:
        counts = json.loads(progress_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        counts = {}
    try:
        output = output_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        output = ""
    total = _OPERATIONS.search(output)
    return ContractProgress(
        cases=int(counts.get("cases") or 0),
        operations=int(counts.get("operations") or 0),
        total_operations=int(total.group(1)) if total else None,
        failing=sum(int(n) for n in _PHASE_FAILED.findall(output)),
        elapsed_s=elapsed_s,
    )


def read_ledger_seconds(path: Path) -> tuple[dict[str, float], dict[str, float]]:
    """(seconds per phase, summed response seconds per operation) from a finished run's ledger."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}, {}
    if not isinstance(data, dict):
        return {}, {}

    def floats(key: str) -> dict[str, float]:
        raw = data.get(key)
        return {str(k): float(v) for k, v in raw.items()} if isinstance(raw, dict) else {}

    return floats("phase_seconds"), floats("operation_seconds")
