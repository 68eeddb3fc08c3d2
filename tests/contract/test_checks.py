"""The custom checks as pure functions over hand-made exchanges (no Schemathesis, no server)."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from mypref_harness.basis import Basis
from mypref_harness.contract.checks import (
    CUSTOM_CHECKS,
    Exchange,
    created_has_location,
    declared_headers,
    error_body_has_message,
    search_cap_honoured,
    unauthorized_documented,
    unknown_client_404_empty,
)
from mypref_harness.spec.roles import Role


def ex(
    status: int,
    body: object = b"",
    headers: dict[str, str] | None = None,
    *,
    method: str = "GET",
    path: str = "/{clientId}/Programs",
    client: str = "ACME_CORP",
    declared: frozenset[str] = frozenset(),
):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Exchange(
        method=method,
        path_template=path,
        path_parameters={"clientId": client},
        status=status,
        headers=headers or {},
        body=raw,
        declared_201_headers=declared,
    )


CHALLENGE = {"www-authenticate": 'PNAUTHINFO3 realm="x"'}


def test_documented_401_passes():
    assert unauthorized_documented(ex(401, {"Message": "Missing Authorization Header."}, CHALLENGE)) is None


@pytest.mark.parametrize(
    ("headers", "body", "needle"),
    [
        ({}, {"Message": "x"}, "no WWW-Authenticate"),
        (CHALLENGE, b"", "no Message"),
        (CHALLENGE, {"message": "lower-case key"}, "no Message"),
        (CHALLENGE, b"<html>Unauthorized</html>", "no Message"),
    ],
)
def test_undocumented_401_is_reported(headers, body, needle):
    problem = unauthorized_documented(ex(401, body, headers))
    assert problem is not None and needle in problem


def test_non_401_is_not_judged_by_the_401_rule():
    assert unauthorized_documented(ex(200, [])) is None


def test_unknown_client_must_be_an_empty_404():
    assert unknown_client_404_empty(ex(404, b"", client="Nobody"), "ACME_CORP") is None
    with_body = unknown_client_404_empty(
        ex(404, {"Message": "Client not found"}, client="Nobody"), "ACME_CORP"
    )
    assert with_body is not None and "empty body" in with_body
    wrong_status = unknown_client_404_empty(ex(401, {"Message": "x"}, client="Nobody"), "ACME_CORP")
    assert wrong_status is not None and "got 401" in wrong_status


def test_wrong_case_of_the_configured_client_is_not_unknown():
    # The docs: a ClientId in the wrong case fails authentication (401), it is not an unknown client.
    assert unknown_client_404_empty(ex(401, {"Message": "x"}, client="acme_corp"), "ACME_CORP") is None
    assert unknown_client_404_empty(ex(200, [], client="ACME_CORP"), "ACME_CORP") is None


def test_an_unknown_client_in_a_parameter_named_by_client_id_param():
    def account(param: str | None) -> Exchange:
        return Exchange(
            method="GET", path_template="/{accountId}/Programs", path_parameters={"accountId": "Nobody"},
            status=200, headers={}, body=b"[]", configured_client_id="ACME_CORP", client_id_param=param,
        )

    assert unknown_client_404_empty(account(None)) is None  # no ClientId parameter by name: not judged
    problem = unknown_client_404_empty(account("accountId"))
    assert problem is not None and "unknown ClientId 'Nobody'" in problem


@pytest.mark.parametrize("status", [400, 401, 402, 403, 409, 422])
def test_error_bodies_need_message(status):
    assert error_body_has_message(ex(status, {"Message": None})) is None
    assert error_body_has_message(ex(status, {"error": "x"})) is not None
    assert error_body_has_message(ex(status, b"")) is not None


@pytest.mark.parametrize("status", [200, 201, 204, 404, 405, 500])
def test_other_statuses_are_not_judged_by_the_message_rule(status):
    assert error_body_has_message(ex(status, b"")) is None


def test_created_needs_location_only_where_declared():
    declared = frozenset({"location"})
    assert created_has_location(ex(201, {}, {"location": "/x/1"}, declared=declared)) is None
    assert created_has_location(ex(201, {}, {}, declared=declared)) is not None
    assert created_has_location(ex(201, {}, {}, declared=frozenset())) is None
    assert created_has_location(ex(200, {}, {}, declared=declared)) is None


def test_search_cap():
    def search(status: int, body: object, roles: frozenset[Role]) -> Exchange:
        return dataclasses.replace(ex(status, body, path="/{clientId}/Profile/Name"), roles=roles)

    name = frozenset({Role.SEARCH_BY_NAME})
    assert search_cap_honoured(search(200, [{}] * 50, name)) is None
    problem = search_cap_honoured(search(200, [{}] * 51, name))
    assert problem is not None and "51 profiles" in problem
    assert search_cap_honoured(search(403, {"Message": "x"}, name)) is None
    group = frozenset({Role.GROUP_SEARCH_BY_EMAIL})
    assert search_cap_honoured(search(200, [{}] * 51, group)) is not None
    # an operation that plays no search role is not capped, whatever its path looks like
    assert search_cap_honoured(search(200, [{}] * 80, frozenset({Role.PROGRAMS}))) is None
    assert search_cap_honoured(search(200, [{}] * 80, frozenset())) is None


def test_declared_headers_follow_references():
    created = {"description": "c", "headers": {"Location": {"required": True}}}
    document = {"components": {"responses": {"Created": created}}}
    operation = {"responses": {"201": {"$ref": "#/components/responses/Created"}}}
    assert declared_headers(document, operation, "201") == frozenset({"location"})
    assert declared_headers(document, {"responses": {}}, "201") == frozenset()


def test_an_optional_header_is_no_promise():
    # createProfile answers 200 or 201; its Location is declared with required: false (spec owner)
    operation = {"responses": {"201": {"headers": {"Location": {"required": False}, "X-Other": {}}}}}
    assert declared_headers({"openapi": "3.0.3"}, operation, "201") == frozenset()
    swagger2 = {"swagger": "2.0"}  # no `required` for response headers there: every declared one counts
    assert declared_headers(swagger2, {"responses": {"201": {"headers": {"Location": {}}}}}, "201") == {
        "location"
    }


# The vendor document lies in shared/ beside the checkout (tests that need it skip without it).
OVERVIEW = Path(__file__).resolve().parents[3] / "shared" / "reference" / "mypreferences-v4-api-overview.txt"


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_registry_names_checks_after_their_functions_with_docstring_text():
    assert list(CUSTOM_CHECKS) == [check.name for check in CUSTOM_CHECKS.values()]
    assert set(CUSTOM_CHECKS) == {
        "unauthorized_documented",
        "unknown_client_404_empty",
        "error_body_has_message",
        "created_has_location",
        "search_cap_honoured",
    }
    for name, check in CUSTOM_CHECKS.items():
        assert check.function.__name__ == name
        assert check.text and check.text == check.function.__doc__.strip().split("\n\n")[0].strip()


def test_bases_of_the_custom_checks():
    bases = {name: check.rule.basis for name, check in CUSTOM_CHECKS.items()}
    assert bases == {
        "unauthorized_documented": Basis.DOCUMENTED,
        "unknown_client_404_empty": Basis.DOCUMENTED,
        "error_body_has_message": Basis.ASSUMPTION,
        "created_has_location": Basis.CATALOG,
        "search_cap_honoured": Basis.CATALOG,
    }


@pytest.mark.skipif(not OVERVIEW.is_file(), reason="the vendor's API overview is not on this machine")
def test_documented_rules_quote_the_overview_verbatim():
    overview = _normalised(OVERVIEW.read_text(encoding="utf-8"))
    quoted = [c for c in CUSTOM_CHECKS.values() if c.rule.basis is Basis.DOCUMENTED]
    assert quoted, "no documented check to verify"
    for check in quoted:
        assert _normalised(check.rule.source) in overview, f"{check.name}: quote not in the overview"


def test_unknown_client_check_needs_the_configured_client():
    nobody = ex(200, [], client="Nobody")
    assert CUSTOM_CHECKS["unknown_client_404_empty"].function(nobody) is None  # nothing to compare with
    configured = Exchange(**{**nobody.__dict__, "configured_client_id": "ACME_CORP"})
    assert "expected 404" in (CUSTOM_CHECKS["unknown_client_404_empty"].function(configured) or "")
