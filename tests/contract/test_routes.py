"""The route table: which operations of the spec the target really serves (issue 11, section 3)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import httpx

from mypref_harness.basis import Basis
from mypref_harness.contract.results import Status
from mypref_harness.contract.route_verdicts import RouteState, confirmed_routes, table_counts
from mypref_harness.contract.routes import (
    OperationEvidence,
    RouteRecorder,
    ScenarioRouteRecorder,
    names_no_resource,
    read_route_log,
    route_findings,
    route_table,
    spec_operations,
)

SPEC = {
    "paths": {
        "/{clientId}/Programs": {"get": {"operationId": "getPrograms", "x-route-confidence": "high"}},
        "/{clientId}/Profile": {"post": {"operationId": "createProfile", "x-route-confidence": "guess"}},
        "/{clientId}/Profile/Email": {"get": {"operationId": "byEmail", "x-route-confidence": "guess"}},
        "/{clientId}/Profile/{profileId}": {
            "get": {"operationId": "getProfile", "x-route-confidence": "guess"}
        },
        "/{clientId}/Groups": {"get": {"operationId": "getGroups", "x-route-confidence": "medium"}},
    }
}
NO_ROUTE = b'{"Message":"No HTTP resource was found that matches the request URI \'http://x/y\'."}'


def evidence(*answers: tuple[int, str | None]) -> OperationEvidence:
    ev = OperationEvidence()
    for status, reason in answers:
        ev.add(status, reason)
    return ev


def states(rows):
    return {r.operation_id: r.state for r in rows}


def test_states_from_positive_answers():
    rows = route_table(
        SPEC,
        {
            "GET /{clientId}/Programs": evidence((404, "a GET naming no resource"), (404, None)),
            "GET /{clientId}/Profile/{profileId}": evidence((404, None), (404, None)),  # random ids
            "GET /{clientId}/Profile/Email": evidence((404, None), (200, None)),
            "GET /{clientId}/Groups": evidence((401, None), (503, None), (429, None)),  # says nothing
        },
    )
    assert states(rows) == {
        "getPrograms": RouteState.NOT_FOUND,
        "createProfile": RouteState.NOT_EXERCISED,
        "byEmail": RouteState.CONFIRMED,
        "getProfile": RouteState.UNDECIDED,
        "getGroups": RouteState.UNDECIDED,
    }
    assert confirmed_routes(rows) == [("GET", "/{clientId}/Profile/Email")]
    assert table_counts(rows)["guess"] == {"confirmed": 1, "not_found": 0, "undecided": 1, "not_exercised": 1}


def test_a_served_route_is_confirmed_by_any_routed_answer_even_after_404s():
    for status in (200, 201, 204, 400, 402, 403, 409, 422):
        rows = route_table(SPEC, {"GET /{clientId}/Groups": evidence((404, "x"), (status, None))})
        assert states(rows)["getGroups"] is RouteState.CONFIRMED, status


def test_evidence_sets_merge():
    a = {"GET /{clientId}/Profile/{profileId}": evidence((404, None))}
    b = {
        "GET /{clientId}/Profile/{profileId}": evidence(
            (404, "id of a profile the scenario had just created")
        )
    }
    assert states(route_table(SPEC, a, b))["getProfile"] is RouteState.NOT_FOUND


def test_findings_name_method_path_and_confidence_and_take_its_basis():
    rows = route_table(
        SPEC,
        {
            "GET /{clientId}/Programs": evidence((404, "ASP.NET routing message")),
            "GET /{clientId}/Groups": evidence((404, "ASP.NET routing message")),
            "GET /{clientId}/Profile/{profileId}": evidence((404, "ASP.NET routing message")),
        },
    )
    found = {f.name: f for f in route_findings(rows, users_spec=False)}
    assert set(found) == {
        "GET /{clientId}/Programs",
        "GET /{clientId}/Groups",
        "GET /{clientId}/Profile/{profileId}",
    }
    programs = found["GET /{clientId}/Programs"]
    assert programs.status is Status.FAILED and programs.check == "route_exists"
    assert "route not found on target: GET /{clientId}/Programs (route confidence high)" in programs.evidence
    assert programs.basis is Basis.DOCUMENTED
    assert found["GET /{clientId}/Groups"].basis is Basis.CATALOG
    assert found["GET /{clientId}/Profile/{profileId}"].basis is Basis.ASSUMPTION
    assert {f.basis for f in route_findings(rows, users_spec=True)} == {Basis.DOCUMENTED}


def test_the_recorder_keeps_positive_answers_and_notes_deciding_404s(tmp_path):
    recorder = RouteRecorder(tmp_path / "log.json")
    label = "GET /{clientId}/Profile/{profileId}"
    recorder.observe(label, positive=True, names_no_resource=False, status=404, body=b"")
    recorder.observe(
        label, positive=False, names_no_resource=False, status=400, body=b""
    )  # negative: ignored
    recorder.observe(label, positive=True, names_no_resource=False, status=404, body=NO_ROUTE)
    recorder.observe("GET /{clientId}/Programs", positive=True, names_no_resource=True, status=404, body=b"")
    recorder.flush()
    log = read_route_log(tmp_path / "log.json")
    assert log[label].statuses == {404: 2} and log[label].deciding_404s == 1
    assert log["GET /{clientId}/Programs"].deciding_404s == 1


def _case(method="GET", path_parameters=None, query=None, body=None):
    return SimpleNamespace(method=method, path_parameters=path_parameters or {}, query=query, body=body)


def test_which_requests_name_no_resource():
    assert names_no_resource(_case(path_parameters={"clientId": "ACME"}))
    assert not names_no_resource(_case(path_parameters={"clientId": "ACME", "profileId": "7"}))
    assert not names_no_resource(_case(path_parameters={"clientId": "ACME"}, query={"subscriptionId": 5}))
    assert not names_no_resource(_case(method="POST", path_parameters={"clientId": "ACME"}, body={"a": 1}))



def test_a_client_id_parameter_named_by_client_id_param_names_no_resource():
    case = _case(path_parameters={"AccountId": "ACME"})
    assert not names_no_resource(case)
    assert names_no_resource(case, "accountId")
    account, profile = {"name": "AccountId", "in": "path"}, {"name": "profileId", "in": "path"}
    spec = {
        "paths": {
            "/{AccountId}/Programs": {"get": {"parameters": [account]}},
            "/{AccountId}/Profile/{profileId}": {"get": {"parameters": [account, profile]}},
        }
    }
    by_name = {op.label: op for op in spec_operations(spec)}
    configured = {op.label: op for op in spec_operations(spec, "accountid")}
    programs = "GET /{AccountId}/Programs"
    assert not by_name[programs].bare_get and configured[programs].bare_get
    read = "GET /{AccountId}/Profile/{profileId}"
    assert not by_name[read].profile_read and configured[read].profile_read


def _exchange(method: str, url: str, status: int, body: object = b"") -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.Response(status, content=content, request=httpx.Request(method, url))


def test_scenario_requests_with_a_just_created_id_decide():
    base = "http://127.0.0.1:9/Profiles/v4"
    recorder = ScenarioRouteRecorder(SPEC, base)
    recorder(_exchange("POST", f"{base}/ACME/Profile", 201, {"ProfileId": 77}))
    recorder(_exchange("GET", f"{base}/ACME/Profile/77", 404))  # created a moment ago: the route is missing
    recorder(_exchange("GET", f"{base}/ACME/Profile/Email?email=a", 404))  # literal route, not {profileId}
    rows = route_table(SPEC, recorder.evidence)
    assert states(rows)["getProfile"] is RouteState.NOT_FOUND
    assert states(rows)["createProfile"] is RouteState.CONFIRMED
    assert states(rows)["byEmail"] is RouteState.UNDECIDED


def test_scenario_404_for_an_unknown_id_decides_nothing():
    base = "http://127.0.0.1:9/Profiles/v4"
    recorder = ScenarioRouteRecorder(SPEC, base)
    recorder(_exchange("GET", f"{base}/ACME/Profile/12345", 404))
    assert states(route_table(SPEC, recorder.evidence))["getProfile"] is RouteState.UNDECIDED


def test_a_405_to_the_operations_own_method_decides_not_found():
    rows = route_table(SPEC, {"GET /{clientId}/Profile/{profileId}": evidence((405, None), (404, None))})
    assert states(rows)["getProfile"] is RouteState.NOT_FOUND
    assert "405" in rows[3].evidence


def test_a_created_id_from_location_counts_as_known():
    base = "http://127.0.0.1:9/Profiles/v4"
    recorder = ScenarioRouteRecorder(SPEC, base)
    created = httpx.Response(
        201,
        headers={"Location": f"{base}/ACME/Profile/88"},
        request=httpx.Request("POST", f"{base}/ACME/Profile"),
    )
    recorder(created)
    recorder(_exchange("GET", f"{base}/ACME/Profile/88", 404))
    assert states(route_table(SPEC, recorder.evidence))["getProfile"] is RouteState.NOT_FOUND


def test_the_load_stage_learns_the_routes_a_contract_run_did_not_prove(tmp_path):
    from mypref_harness.contract.route_verdicts import unproven_in_report

    report = tmp_path / "contract-result.json"
    rows = [
        {"method": "get", "path": "/{clientId}/Profile/Email", "state": "not_found"},
        {"method": "GET", "path": "/{clientId}/Programs", "state": "confirmed"},
        {"method": "POST", "path": "/{clientId}/Profile/Search", "state": "undecided"},
    ]
    report.write_text(json.dumps({"routes": rows}), encoding="utf-8")
    assert unproven_in_report(report) == {
        ("GET", "/{clientId}/Profile/Email"),
        ("POST", "/{clientId}/Profile/Search"),
    }
    assert unproven_in_report(tmp_path / "missing.json") == frozenset()
    report.write_text("{not json", encoding="utf-8")
    assert unproven_in_report(report) == frozenset()
