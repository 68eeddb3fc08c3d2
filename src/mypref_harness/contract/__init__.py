"""The contract suite: Schemathesis conformance, read-back scenarios and auth conformance.

Entry points (import them from their modules; this package's ``__init__`` imports nothing, so that a
command that only declares its options does not load httpx and the suite)::

    mypref_harness.contract.runner.run_contract(target, ContractOptions(...)) -> ContractResult
    mypref_harness.contract.auth_conformance.run.run_auth_conformance(target, ConformanceOptions(...))
        -> ConformanceResult

``ContractOptions`` is in ``contract.options``, ``ConformanceOptions`` in ``contract.auth_conformance.probe``,
the results in ``contract.results``. Both runs accept an embedded Target (``Target()`` with no base URL):
the sandbox is started for the run. docs/contract.md lists every module.
"""
