"""Our custom checks wrapped as Schemathesis check functions (fake cases and responses, no run)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mypref_harness.contract.checks import CUSTOM_CHECKS
from mypref_harness.contract.schemathesis.checks import schemathesis_checks


class FakeResponse:
    def __init__(self, status: int, headers: dict[str, list[str]], content: bytes) -> None:
        self.status_code, self.headers, self.content = status, headers, content


class FakeCase:
    def __init__(self) -> None:
        self.method, self.path = "POST", "/{clientId}/Profile"
        self.operation = SimpleNamespace(
            definition=SimpleNamespace(
                raw={"responses": {"201": {"headers": {"Location": {"required": True}}}}}
            ),
            schema=SimpleNamespace(raw_schema={}),
        )
        self.path_parameters = {"clientId": "ACME%5FCORP"}  # percent-encoded as Schemathesis keeps it


def test_schemathesis_adapters_raise_assertion_errors_named_like_the_checks():
    checks = {c.__name__: c for c in schemathesis_checks("ACME_CORP")}
    assert tuple(checks) == tuple(CUSTOM_CHECKS)
    ok = FakeResponse(201, {"location": ["/Profiles/v4/ACME_CORP/Profile/9"]}, b"{}")
    checks["created_has_location"](None, ok, FakeCase())
    checks["unknown_client_404_empty"](None, ok, FakeCase())  # ACME%5FCORP decodes to the configured client
    with pytest.raises(AssertionError, match="Location"):
        checks["created_has_location"](None, FakeResponse(201, {}, b"{}"), FakeCase())
