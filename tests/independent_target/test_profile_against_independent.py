"""Issue 11 acceptance, the pinned profile: discover -> --profile against a server it was not written with.

`discover --no-routes` pins the independent target's facts; auth conformance with that profile against
a fresh target with the same knobs reports no drift, and with one knob changed fails naming exactly
the fact that changed (profile.drift.<fact>).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import harness_env
from .options import TargetOptions
from .server import running_target

pytestmark = pytest.mark.slow

DRIFT = re.compile(r"^\s*(?:FAILED|WARNED)\s+profile\.drift\.(\w+)", re.MULTILINE)
TIMEOUT = 300


def _harness(options: TargetOptions, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    with running_target(options) as target:
        return subprocess.run(
            [sys.executable, "-m", "mypref_harness", *args],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            env=harness_env(target),
            cwd=cwd,
        )


@pytest.fixture(scope="module")
def pinned(tmp_path_factory: pytest.TempPathFactory) -> Path:
    where = tmp_path_factory.mktemp("profile")
    proc = _harness(TargetOptions(), where, "discover", "--no-routes", "-o", "pinned.toml")
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return where / "pinned.toml"


def _drifts(options: TargetOptions, pinned: Path) -> tuple[int, set[str], str]:
    proc = _harness(
        options,
        pinned.parent,
        "auth-conformance",
        "--profile",
        str(pinned),
        "--report-dir",
        str(pinned.parent / f"r{abs(hash(options))}"),
    )
    output = proc.stdout + proc.stderr
    return proc.returncode, set(DRIFT.findall(output)), output


def test_the_same_server_shows_no_drift(pinned):
    code, drifts, output = _drifts(TargetOptions(), pinned)
    assert drifts == set(), output[-3000:]
    assert code == 0, output[-3000:]


@pytest.mark.parametrize(
    ("changed", "fact"),
    [
        (TargetOptions(pnauth_window=600), "pnauth_window_s"),
        (TargetOptions(token_lifetime=1800), "token_expires_in_s"),
    ],
)
def test_one_changed_knob_fails_naming_exactly_that_fact(pinned, changed, fact):
    code, drifts, output = _drifts(changed, pinned)
    assert drifts == {fact}, output[-3000:]
    assert code == 1, output[-3000:]
