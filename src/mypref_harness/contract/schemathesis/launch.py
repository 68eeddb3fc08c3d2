"""Launch a prepared Schemathesis run in its own process group; progress, timeout and stop."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

from mypref_harness import procs
from mypref_harness.contract.schemathesis.prepare import PreparedRun
from mypref_harness.contract.schemathesis.progress import ENV_PROGRESS
from mypref_harness.errors import RunIncomplete

PROGRESS_EVERY_S = 2.0


def run_schemathesis(
    prepared: PreparedRun, *, timeout_s: float, cwd: Path, quiet: bool = True
) -> tuple[int, float]:
    """Run the subprocess in its own process group (procs: stopped as a group on timeout or signal)."""
    started = time.perf_counter()
    with prepared.output_path.open("wb") as output:
        try:
            with procs.running(
                prepared.command, name="schemathesis", env=prepared.env, cwd=cwd, stdout=output,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            ) as child:
                rc = _wait_publishing(child, prepared, timeout_s, started)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: Schemathesis is stopped; say so in its reports
            mark_incomplete_reports(prepared, "Schemathesis was stopped by a signal (Ctrl-C or SIGTERM)")
            raise
        finally:  # the live progress file served its purpose: not a report
            if prepared.env.get(ENV_PROGRESS):
                Path(prepared.env[ENV_PROGRESS]).unlink(missing_ok=True)
        if rc is None:
            note = f"\n[mypref-harness] INCOMPLETE: stopped after {timeout_s:g} s (--timeout)\n"
            output.write(note.encode())
            mark_incomplete_reports(prepared, f"Schemathesis was stopped after {timeout_s:g} s (--timeout)")
            raise RunIncomplete(
                f"Schemathesis did not finish within {timeout_s:g} s and was stopped: no verdict "
                f"(partial output in {prepared.output_path}, its reports marked incomplete); raise --timeout "
                "or lower --max-examples"
            )
    if not quiet:
        sys.stdout.write(prepared.output_path.read_text(encoding="utf-8", errors="replace"))
    return rc, time.perf_counter() - started


def mark_incomplete_reports(prepared: PreparedRun, why: str) -> list[Path]:
    """After Schemathesis was killed: its JUnit and JSON reports are valid files that say so.

    A report it finished writing is kept as it is; an empty or cut one (the usual case: it writes them
    at the end) is replaced by a valid one holding only the reason. Returns the files replaced.
    """
    from xml.etree import ElementTree

    from mypref_harness import report

    replaced = []
    try:
        ElementTree.parse(prepared.junit_path)  # noqa: S314 - Schemathesis's own report
    except (OSError, ElementTree.ParseError):
        case = report.JUnitCase(name="schemathesis run", classname="contract.schemathesis",
                                error=f"INCOMPLETE: {why}; partial output in {prepared.output_path.name}")
        report.write_junit(prepared.junit_path, "schemathesis (incomplete)", [case])
        replaced.append(prepared.junit_path)
    try:
        json.loads(prepared.json_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        prepared.json_path.write_text(json.dumps({"incomplete": True, "reason": why}, indent=2) + "\n",
                                      encoding="utf-8")
        replaced.append(prepared.json_path)
    return replaced


def _wait_publishing(
    child: procs.Child, prepared: PreparedRun, timeout_s: float, started: float
) -> int | None:
    """Wait for Schemathesis (None when out of time), publishing its progress every few seconds."""
    from mypref_harness import progress
    from mypref_harness.budget import report_in_flight
    from mypref_harness.contract.schemathesis.progress import read_progress

    deadline = started + timeout_s
    progress_path = Path(prepared.env.get(ENV_PROGRESS, "")) if prepared.env.get(ENV_PROGRESS) else None
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return None
        try:
            return child.wait(timeout=min(PROGRESS_EVERY_S, remaining))
        except subprocess.TimeoutExpired:
            if progress_path is not None:
                seen = read_progress(progress_path, prepared.output_path, time.perf_counter() - started)
                if seen.cases:  # nothing to say while Schemathesis still loads the spec
                    progress.publish("contract", seen.line)
                    report_in_flight(str(progress_path), seen.cases)  # the gate's "spent / budget"


def schemathesis_error_line(output: str) -> str:
    """The most telling line of a Schemathesis usage/schema error output."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for i, line in enumerate(lines):
        if re.search(r"error|invalid|failed to|unable|cannot", line, re.IGNORECASE) and not line.startswith(
            "━"
        ):
            detail = lines[i + 1] if i + 1 < len(lines) and len(line) < 60 else ""
            return (line + (": " + detail if detail else ""))[:300]
    return lines[-1][:300] if lines else "no output"
