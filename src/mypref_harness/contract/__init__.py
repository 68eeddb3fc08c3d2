"""The contract suite: Schemathesis conformance, read-back scenarios and auth conformance.

Public entry points::

    run_contract(target, ContractOptions(...)) -> ContractResult
    run_auth_conformance(target, ConformanceOptions(...)) -> ConformanceResult

Both accept an embedded Target (``Target()`` with no base URL): the sandbox is started for the run.
"""

from __future__ import annotations

from mypref_harness.contract.auth_conformance.probe import ConformanceOptions
from mypref_harness.contract.auth_conformance.run import run_auth_conformance
from mypref_harness.contract.options import ContractOptions
from mypref_harness.contract.results import (
    CheckRecord,
    CheckTally,
    ConformanceResult,
    ContractResult,
    Fact,
    Status,
)
from mypref_harness.contract.runner import run_contract

__all__ = [
    "CheckRecord",
    "CheckTally",
    "ConformanceOptions",
    "ConformanceResult",
    "ContractOptions",
    "ContractResult",
    "Fact",
    "Status",
    "run_auth_conformance",
    "run_contract",
]
