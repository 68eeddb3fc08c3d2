"""From probe facts, route tables and two status probes to a profile; from drift to check records."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from mypref_harness.basis import Basis, VerdictPolicy
from mypref_harness.config import Target
from mypref_harness.contract.results import Fact, Status
from mypref_harness.profile import TargetProfile
from mypref_harness.profile_measure import (
    RouteTable,
    drift_records,
    facts_from_probes,
    measure_statuses,
    routes_from_report,
    routes_from_verdicts,
)

TARGET = Target(
    base_url="http://127.0.0.1:9/Profiles/v4", client_id="ACME_CORP", user_id="John.Doe", api_key="k" * 8
)
DOCUMENT = {
    "paths": {
        "/{clientId}/Profile": {"post": {"operationId": "createProfile"}},
        "/{clientId}/Profile/{profileId}": {
            "patch": {"operationId": "patchProfile"},
            "delete": {"operationId": "deleteProfile"},
        },
    }
}


def test_probe_facts_map_by_name_and_undetermined_stays_unknown() -> None:
    values, evidence = facts_from_probes([
        Fact("pnauth_window_s", 899, "bisection"),
        Fact("userid_encodings_accepted", ("percent", "form")),
        Fact.undetermined("token_lifetime_s", "not measured: lifetime 3600 s > 15 s"),
        Fact("some_other_fact", "x"),
    ])
    assert values == {
        "pnauth_window_s": 899,
        "userid_encodings_accepted": ("form", "percent"),
        "token_lifetime_s": None,
    }
    assert evidence["token_lifetime_s"].startswith("not measured")


@pytest.mark.parametrize(
    ("verdicts", "expected"),
    [
        (None, None),
        ([], None),
        (
            [
                {"method": "GET", "path": "/{clientId}/Programs", "state": "confirmed"},
                {"method": "get", "path": "/{clientId}/Guess", "state": "not_found"},
                {"method": "POST", "path": "/{clientId}/Other", "state": "undecided"},
                {"method": "PUT", "path": "/{clientId}/Other", "state": "not_exercised"},
            ],
            RouteTable(
                ("GET /{clientId}/Programs",), ("GET /{clientId}/Guess",), ("POST /{clientId}/Other",)
            ),
        ),
    ],
)
def test_route_tables(verdicts: list[dict[str, str]] | None, expected: RouteTable | None) -> None:
    assert routes_from_verdicts(verdicts) == expected


def test_routes_from_a_contract_report(tmp_path: Path) -> None:
    report = tmp_path / "contract-result.json"
    report.write_text(json.dumps({"routes": [{"method": "GET", "path": "/a", "state": "confirmed"}]}))
    assert routes_from_report(report) == RouteTable(("GET /a",), ())
    assert routes_from_report(tmp_path / "missing.json") is None


CREATED = httpx.Response(201, json={"ProfileId": 7})


def _server(create: httpx.Response, patch_status: int, seen: list[str]) -> httpx.Client:
    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.method} {request.url.path}")
        if request.method == "POST":
            return create
        if request.method == "PATCH":
            assert request.headers["content-type"] == "application/json-patch+json"
            assert json.loads(request.content)[0]["op"] == "test"
            return httpx.Response(patch_status, json={"Message": "test failed"})
        return httpx.Response(204)

    return httpx.Client(transport=httpx.MockTransport(handle))


@pytest.mark.parametrize(
    ("create", "patch_status", "expected"),
    [
        (CREATED, 409, {"create_status": 201, "state_conflict_status": 409}),
        (
            httpx.Response(200, headers={"Location": "/Profiles/v4/ACME_CORP/Profile/7"}),
            400,
            {"create_status": 200, "state_conflict_status": 400},
        ),
        (CREATED, 402, {"create_status": 201, "state_conflict_status": 402}),
        # a missing PATCH route says nothing about conflicts
        (CREATED, 404, {"create_status": 201, "state_conflict_status": None}),
    ],
)
def test_status_probes_create_conflict_and_clean_up(
    create: httpx.Response, patch_status: int, expected: dict[str, int | None]
) -> None:
    seen: list[str] = []
    values, _ = measure_statuses(TARGET, DOCUMENT, _server(create, patch_status, seen))
    assert values == expected
    assert seen == [
        "POST /Profiles/v4/ACME_CORP/Profile",
        "PATCH /Profiles/v4/ACME_CORP/Profile/7",
        "DELETE /Profiles/v4/ACME_CORP/Profile/7",
    ]


def test_a_failed_create_leaves_both_undetermined() -> None:
    seen: list[str] = []
    values, evidence = measure_statuses(TARGET, DOCUMENT, _server(httpx.Response(400), 409, seen))
    assert values == {"create_status": None, "state_conflict_status": None}
    assert "HTTP 400" in evidence["create_status"]
    assert seen == ["POST /Profiles/v4/ACME_CORP/Profile"]


PINNED = TargetProfile(
    facts={"pnauth_window_s": 899, "state_conflict_status": 409, "create_status": 201, "clock_skew_s": 1.0},
    confirmed_routes=("GET /a",),
)


@pytest.mark.parametrize(
    ("now_facts", "strict", "expected"),
    [
        (
            {"pnauth_window_s": 899, "state_conflict_status": 409, "create_status": 201},
            False,
            {"pnauth_window_s": Status.PASSED, "state_conflict_status": Status.PASSED,
             "create_status": Status.PASSED, "confirmed_routes": Status.PASSED},
        ),
        (  # an assumption drifts: a warning by default, a failure when strict; documented fails
            {"pnauth_window_s": 600, "state_conflict_status": 400, "create_status": None},
            False,
            {"pnauth_window_s": Status.FAILED, "state_conflict_status": Status.WARNED,
             "create_status": Status.SKIPPED, "confirmed_routes": Status.PASSED},
        ),
        (
            {"pnauth_window_s": 899, "state_conflict_status": 400, "create_status": 201},
            True,
            {"pnauth_window_s": Status.PASSED, "state_conflict_status": Status.FAILED,
             "create_status": Status.PASSED, "confirmed_routes": Status.PASSED},
        ),
    ],
)
def test_drift_records(now_facts: dict[str, object], strict: bool, expected: dict[str, Status]) -> None:
    now = TargetProfile(facts=now_facts, confirmed_routes=("GET /a",))  # type: ignore[arg-type]
    records = drift_records(PINNED, now, VerdictPolicy(strict=strict))
    assert {r.check.removeprefix("profile.drift."): r.status for r in records} == expected


def test_a_route_gone_is_a_failing_drift_record() -> None:
    now = TargetProfile(facts=PINNED.facts, confirmed_routes=(), not_found_routes=("GET /a",))
    [route] = [r for r in drift_records(PINNED, now) if r.check == "profile.drift.confirmed_routes"]
    assert (route.status, route.basis) == (Status.FAILED, Basis.DOCUMENTED)
    assert "GET /a not found" in route.evidence


def test_a_secret_in_probe_evidence_never_reaches_the_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    from mypref_harness import profile_measure

    key = "k" * 8  # TARGET's api_key
    leaky = [Fact("pnauth_window_s", 899, f"key {key}")]
    monkeypatch.setattr(profile_measure, "probe_facts", lambda target, slow=False: leaky)
    measured = profile_measure.measure_profile(TARGET, statuses=False)
    assert measured.value("pnauth_window_s") == 899
    assert key not in measured.evidence["pnauth_window_s"]


def test_a_spec_without_a_create_profile_role_leaves_both_undetermined() -> None:
    seen: list[str] = []
    document = {"paths": {"/{clientId}/Programs": {"get": {"operationId": "getPrograms"}}}}
    values, evidence = measure_statuses(TARGET, document, _server(httpx.Response(201), 409, seen))
    assert values == {"create_status": None, "state_conflict_status": None}
    assert evidence["create_status"] == "unresolved role create-profile"
    assert seen == []


def test_the_create_status_evidence_names_the_route_that_plays_the_role() -> None:
    _, evidence = measure_statuses(TARGET, DOCUMENT, _server(CREATED, 409, []))
    assert evidence["create_status"].startswith("POST /{clientId}/Profile (create-profile) -> HTTP 201")
