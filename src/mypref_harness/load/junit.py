"""The load run's verdicts as a JUnit file (``junit-slo.xml``) for CI test-report pages."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import mypref_harness.load.slo as slo_mod
from mypref_harness.config import Target
from mypref_harness.load.integrity import IntegrityReport
from mypref_harness.report import JUnitCase, write_junit


def write_slo_junit(
    path: Path, results: Sequence[slo_mod.SloResult], integrity: IntegrityReport | None, target: Target
) -> Path:
    """One JUnit case per objective, plus one for the acknowledged writes when they were read back."""
    cases = []
    for r in results:
        verb = "violates" if not r.passed else "meets"
        text = f"{r.name}: actual {r.actual} {verb} {r.comparison} {r.limit}"
        if r.skipped:
            text = f"{r.name}: no data"
        if r.detail:
            text += f" ({r.detail})"
        cases.append(
            JUnitCase(
                name=r.name,
                classname="load.slo",
                failure=None if r.passed else text,
                skipped=text if r.skipped else None,
                stdout=None if not r.passed else text,
            )
        )
    if integrity is not None:
        line = integrity.summary_line()
        cases.append(
            JUnitCase(
                name="integrity.acknowledged_writes",
                classname="load.integrity",
                failure=None if integrity.passed else line,
                stdout=line,
            )
        )
    return write_junit(path, "mypref-harness load SLOs", cases, secrets=target.secrets())
