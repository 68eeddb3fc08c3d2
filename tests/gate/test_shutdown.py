"""SIGTERM to the gate (what CI sends on cancel or timeout): nothing left running, nothing left on disk.

The gate runs as a real subprocess with a private TMPDIR and a marker in its environment; every
child inherits both, so "our" processes and folders are exactly those carrying the marker or living
in that TMPDIR. The signal is sent once Schemathesis is seen running, not after a fixed delay.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def processes_with(marker: str) -> dict[int, str]:
    """pid -> command line of every live process whose environment carries ``marker``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() not in (entry / "environ").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile, or not ours
        if state != "Z":
            found[int(entry.name)] = cmdline
    return found


def wait_for(condition, within: float, step: float = 0.2):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()


def test_sigterm_during_the_contract_stage_stops_everything_and_marks_the_reports_incomplete(tmp_path):
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    reports = tmp_path / "reports"
    marker = f"MYPREF_TEST_SHUTDOWN_PROBE_{uuid.uuid4().hex}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYPREF_")}
    env.update({"TMPDIR": str(private_tmp), "XDG_CACHE_HOME": str(tmp_path / "cache"), marker: "1"})
    env["SHUTDOWN_PROBE"] = marker  # a name the contract runner does not strip (it drops MYPREF_*)
    log = (tmp_path / "gate.log").open("wb")
    gate = subprocess.Popen(
        [sys.executable, "-m", "mypref_harness", "gate", "--quick", "--stages", "vectors,contract,load",
         "--report-dir", str(reports)],
        env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    try:
        schemathesis = wait_for(
            lambda: {p: c for p, c in processes_with(marker).items() if "schemathesis" in c}, within=180
        )
        assert schemathesis, "Schemathesis never started: " + (tmp_path / "gate.log").read_text()[-2000:]
        assert gate.poll() is None
        assert len(processes_with(marker)) >= 3  # the gate, the sandbox and Schemathesis at least
        gate.send_signal(signal.SIGTERM)
        code = gate.wait(timeout=60)
    finally:
        if gate.poll() is None:
            gate.kill()
        log.close()
    output = (tmp_path / "gate.log").read_text()
    assert code == 128 + signal.SIGTERM, output[-2000:]
    assert "stopped by SIGTERM" in output
    # Stray group members get a SIGKILL that lands asynchronously: give them a moment to go.
    left = wait_for(lambda: not processes_with(marker), within=10) or processes_with(marker)
    assert left is True, f"processes left behind: {left}"
    assert sorted(p.name for p in private_tmp.iterdir()) == []
    summary = json.loads((reports / "summary.json").read_text())
    assert summary["verdict"] == "incomplete"
    assert summary["interrupted"] == "stopped by SIGTERM during contract"
    assert [(s["name"], s["outcome"]) for s in summary["stages"]] == [
        ("vectors", "pass"), ("contract", "incomplete")
    ]
    assert (reports / "summary.md").read_text().startswith("# Release gate: INCOMPLETE")
