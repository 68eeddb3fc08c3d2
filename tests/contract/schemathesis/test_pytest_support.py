"""`pytest contracts/` works for users (contracts/pytest.ini re-enables the Schemathesis plugin)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[3]


def test_pytest_runs_the_schemathesis_suite_against_the_embedded_sandbox():
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYPREF_")}
    env["MYPREF_CONTRACT_MAX_EXAMPLES"] = "1"
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "contracts/", "-q", "-p", "no:cacheprovider", "-k", "Programs"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output[-3000:]
    assert " passed" in output and "deselected" in output  # one test per operation, selectable by name
