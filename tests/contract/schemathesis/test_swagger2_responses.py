"""content_type_conformance on Swagger 2.0: a response object without a schema declares no body
(contract/schemathesis/swagger2_responses.py)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from mypref_harness.contract.schemathesis import swagger2_responses
from mypref_harness.contract.schemathesis.swagger2_responses import bodyless_aware, declares_no_body

ERROR = {"description": "bad request", "schema": {"$ref": "#/definitions/Error"}}
OPERATION = {
    "produces": ["application/json", "text/json"],
    "responses": {
        "200": {"description": "OK", "schema": {"type": "object"}},
        "204": {"description": "No Content"},
        "400": ERROR,
        "404": {"$ref": "#/responses/NotFound"},  # a shared response, without a schema
    },
}
SWAGGER2 = {"swagger": "2.0", "responses": {"NotFound": {"description": "Not found (no body)"}}}


@pytest.mark.parametrize(
    ("status", "expected"),
    [(204, True), (404, True), (200, False), (400, False), (500, False)],  # 500: not declared at all
)
def test_a_response_object_without_schema_declares_no_body(status: int, expected: bool) -> None:
    assert declares_no_body(SWAGGER2, OPERATION, status) is expected


def test_default_answers_for_an_undeclared_status() -> None:
    operation = {"responses": {"200": {"description": "OK", "schema": {}}, "default": {"description": "x"}}}
    assert declares_no_body(SWAGGER2, operation, 418) is True


def test_openapi3_says_it_per_response_itself() -> None:
    assert declares_no_body({"openapi": "3.0.3"}, OPERATION, 204) is False


class Builtin:
    """Stands in for Schemathesis's check: records its calls and fails like it on a missing Content-Type."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, ctx: Any, response: Any, case: Any) -> None:
        self.calls += 1
        if "Content-Type" not in response.headers:
            raise AssertionError("Missing Content-Type header")


def case_and_response(status: int, headers: dict[str, str] | None = None) -> tuple[Any, Any]:
    operation = SimpleNamespace(
        schema=SimpleNamespace(raw_schema=SWAGGER2), definition=SimpleNamespace(raw=OPERATION)
    )
    return SimpleNamespace(operation=operation), SimpleNamespace(status_code=status, headers=headers or {})


def test_the_wrapper_is_silent_on_a_declared_empty_answer_and_the_check_elsewhere() -> None:
    builtin = Builtin()
    check = bodyless_aware(builtin)
    assert check.__name__ == "content_type_conformance"  # config, --checks and reports know it so
    case, empty_404 = case_and_response(404)
    assert check(None, empty_404, case) is None and builtin.calls == 0
    case, bad_400 = case_and_response(400)
    with pytest.raises(AssertionError, match="Missing Content-Type"):
        check(None, bad_400, case)
    case, good_200 = case_and_response(200, {"Content-Type": "application/json"})
    check(None, good_200, case)
    assert builtin.calls == 2


def test_install_replaces_schemathesiss_check_once() -> None:
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    original = CHECKS.get_one("content_type_conformance")
    try:
        swagger2_responses.install()
        installed = CHECKS.get_one("content_type_conformance")
        swagger2_responses.install()
        assert CHECKS.get_one("content_type_conformance") is installed  # idempotent: not wrapped twice
        assert getattr(installed, "__mypref_swagger2_bodyless__", False)
        assert installed.__doc__ == original.__doc__
    finally:
        CHECKS.register(original)
