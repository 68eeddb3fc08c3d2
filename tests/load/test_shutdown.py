"""SIGTERM to `mypref-harness load` (a CI cancel): Locust and the sandbox stopped, nothing left in TMPDIR,
and the summary says the run is incomplete. The signal is sent once Locust is seen running."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid

import pytest

from ..live_processes import processes_with, wait_for


@pytest.mark.slow
def test_sigterm_stops_locust_and_the_sandbox_and_writes_an_incomplete_summary(tmp_path):
    private_tmp, reports = tmp_path / "tmp", tmp_path / "reports"
    private_tmp.mkdir()
    marker = f"LOAD_SHUTDOWN_PROBE_{uuid.uuid4().hex}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYPREF_")}
    env.update({"TMPDIR": str(private_tmp), marker: "1"})
    with (tmp_path / "load.log").open("wb") as log:
        load = subprocess.Popen(
            [sys.executable, "-m", "mypref_harness", "load", "-u", "3", "-t", "5m", "--think-time", "0.2:0.5",
             "--report-dir", str(reports)],
            env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        try:
            # Locust is running and has answered: its per-process stats history has a data row.
            history = reports / "locust_stats_history.csv"
            running = wait_for(lambda: history.exists() and len(history.read_text().splitlines()) > 2, 120)
            assert running, (tmp_path / "load.log").read_text()[-2000:]
            load.send_signal(signal.SIGTERM)
            code = load.wait(timeout=60)
        finally:
            if load.poll() is None:
                load.kill()
    assert code == 128 + signal.SIGTERM, (tmp_path / "load.log").read_text()[-2000:]
    left = wait_for(lambda: not processes_with(marker), within=10) or processes_with(marker)
    assert left is True, f"processes left behind: {left}"
    assert list(private_tmp.iterdir()) == []
    summary = json.loads((reports / "summary.json").read_text())
    assert summary["incomplete"] == "stopped by SIGTERM"
    assert summary["passed"] is False
    assert summary["exit_code"] == 143
    assert "INCOMPLETE" in (reports / "summary.md").read_text()


@pytest.mark.slow
def test_a_run_out_of_time_exits_4_without_a_verdict(tmp_path):
    from mypref_harness.config import Target
    from mypref_harness.errors import ExitCode, RunIncomplete
    from mypref_harness.load import LoadOptions, run_load

    with pytest.raises(RunIncomplete) as info:
        run_load(Target(), LoadOptions(users=1, duration="5m", timeout=3, report_dir=tmp_path / "reports",
                                       sandbox_options={"state_dir": tmp_path / "state"}))
    assert info.value.exit_code == ExitCode.INCOMPLETE == 4
    assert "did not finish in time" in str(info.value)
