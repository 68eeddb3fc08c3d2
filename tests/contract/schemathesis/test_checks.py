"""Our custom checks wrapped as Schemathesis check functions (fake cases and responses, no run)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mypref_harness.config import Target
from mypref_harness.contract.checks import CUSTOM_CHECKS
from mypref_harness.contract.schemathesis.checks import schemathesis_checks


class FakeResponse:
    def __init__(self, status: int, headers: dict[str, list[str]], content: bytes) -> None:
        self.status_code, self.headers, self.content = status, headers, content


class FakeCase:
    def __init__(
        self, method: str = "POST", path: str = "/{clientId}/Profile", document: dict | None = None
    ) -> None:
        self.method, self.path = method, path
        self.operation = SimpleNamespace(
            definition=SimpleNamespace(
                raw={"responses": {"201": {"headers": {"Location": {"required": True}}}}}
            ),
            schema=SimpleNamespace(raw_schema={} if document is None else document),
        )
        self.path_parameters = {"clientId": "ACME%5FCORP"}  # percent-encoded as Schemathesis keeps it


def test_schemathesis_adapters_raise_assertion_errors_named_like_the_checks():
    checks = {c.__name__: c for c in schemathesis_checks(Target(client_id="ACME_CORP"))}
    assert tuple(checks) == tuple(CUSTOM_CHECKS)
    ok = FakeResponse(201, {"location": ["/Profiles/v4/ACME_CORP/Profile/9"]}, b"{}")
    checks["created_has_location"](None, ok, FakeCase())
    checks["unknown_client_404_empty"](None, ok, FakeCase())  # ACME%5FCORP decodes to the configured client
    with pytest.raises(AssertionError, match="Location"):
        checks["created_has_location"](None, FakeResponse(201, {}, b"{}"), FakeCase())


# A vendor file whose name search is neither at our path nor named like ours: the table names it.
VENDOR = {"paths": {"/{ClientId}/Profile/ByLastName": {"get": {"operationId": "Profile_FindByLastName"}}}}


@pytest.mark.parametrize(
    ("document", "path", "operations", "capped"),
    [
        ({"paths": {"/{clientId}/Profile/Name": {"get": {}}}}, "/{clientId}/Profile/Name", {}, True),
        (VENDOR, "/{ClientId}/Profile/ByLastName", {}, False),
        (VENDOR, "/{ClientId}/Profile/ByLastName", {"search-by-name": "Profile_FindByLastName"}, True),
        ({"paths": {"/{clientId}/Programs": {"get": {}}}}, "/{clientId}/Programs", {}, False),
    ],
)
def test_the_search_cap_knows_the_searches_by_role(document, path, operations, capped):
    target = Target(client_id="ACME_CORP", operations=operations)
    check = {c.__name__: c for c in schemathesis_checks(target)}["search_cap_honoured"]
    too_many = FakeResponse(200, {}, b"[" + b",".join([b"{}"] * 51) + b"]")
    if capped:
        with pytest.raises(AssertionError, match="51 profiles"):
            check(None, too_many, FakeCase("GET", path, document))
    else:
        check(None, too_many, FakeCase("GET", path, document))
