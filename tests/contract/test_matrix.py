"""The proof that the suite catches bugs: clean sandbox passes, every seeded defect is detected.

One sandbox per defect (two at a time), each with only the checks and operations that should catch
it (see mypref_harness.contract.matrix). Prints the detection table; 100 % is the bar.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mypref_harness.contract.matrix import default_plans, run_matrix
from mypref_harness.sandbox.defects import DEFECTS

pytestmark = pytest.mark.slow


def test_clean_run_passes_and_every_seeded_defect_is_detected(tmp_path: Path, capsys):
    plans = default_plans()
    assert {p.defect for p in plans} == set(DEFECTS)  # a new defect needs a plan
    result = run_matrix(plans, report_dir=tmp_path, workers=2)
    with capsys.disabled():
        print("\n" + result.table())
    assert result.clean_failures == [], [f"{f.check}: {f.evidence[:200]}" for f in result.clean_failures]
    missed = [r.defect for r in result.rows if not r.detected]
    assert missed == [], f"not detected: {missed}"
    for row in result.rows:
        assert row.caught_by and row.evidence, row.defect  # the failure names the check and shows why
    assert result.detection_rate == 1.0
