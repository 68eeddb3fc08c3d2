"""One adapter per gate stage: run the suite, translate its result into a `StageResult`.

Kept apart from gate.py so the gate's flow and reports can be tested with fake stages, and so the
suites (Schemathesis, Locust runners) are imported only when a gate really runs.
"""

from __future__ import annotations

from collections.abc import Callable

from mypref_harness.config import Target
from mypref_harness.gate import GateOptions, StageResult

StageRunner = Callable[[Target, GateOptions], StageResult]

RUNNERS: dict[str, StageRunner] = {}
