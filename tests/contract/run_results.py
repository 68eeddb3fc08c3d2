"""Hand-made run results the report tests render (one with a failure, one with only a warning)."""

from __future__ import annotations

from mypref_harness.contract.results import (
    CheckRecord,
    CheckTally,
    ConformanceResult,
    ContractResult,
    Fact,
    Status,
)


def result() -> ContractResult:
    finding = CheckRecord(
        "GET /x", "response_schema_conformance", Status.FAILED, "extra field", "GET /x", "ST108", 2
    )
    conformance = ConformanceResult(
        target="t",
        checks=[
            CheckRecord("missing header rejected", "pnauth.missing-header", Status.PASSED, "HTTP 401"),
            CheckRecord("expired token", "oauth.expired-token", Status.SKIPPED, "lifetime too long"),
        ],
        facts=[Fact("effective expiry window", "900 s", "bisection")],
    )
    return ContractResult(
        target="http://127.0.0.1:1/Profiles/v4",
        cases=10,
        findings=[finding],
        tallies=[CheckTally("response_schema_conformance", 10, 2), CheckTally("not_a_server_error", 10, 0)],
        scenarios=[CheckRecord("put", "put_replaces", Status.PASSED, "ok")],
        conformance=conformance,
        schemathesis_elapsed_s=2.0,
    )


def warned_result() -> ContractResult:
    from mypref_harness.basis import Basis
    from mypref_harness.contract.route_verdicts import RouteState, RouteVerdict

    run = result()
    run.findings = [
        CheckRecord(
            "POST /y",
            "status_code_conformance",
            Status.WARNED,
            "402",
            "POST /y",
            "ST103",
            1,
            Basis.ASSUMPTION,
        )
    ]
    run.tallies = [CheckTally("status_code_conformance", 10, 1)]
    run.routes = [
        RouteVerdict("GET", "/{clientId}/Programs", "getPrograms", "high", RouteState.CONFIRMED, {"200": 3}),
        RouteVerdict("GET", "/{clientId}/Nope", "nope", "guess", RouteState.NOT_FOUND, {"404": 2}, "all 404"),
    ]
    run.policy = "documented and catalog findings fail"
    return run
