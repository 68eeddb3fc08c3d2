"""Swagger 2.0 responses without a body, read as Swagger 2.0 defines them (for ``content_type_conformance``).

Swagger 2.0 has one ``produces`` per operation. A response object says whether it has a body by its
``schema``: "If this field does not exist, it means no content is returned as part of the response."
(Swagger 2.0, Response Object). Schemathesis 4.x reads ``produces`` for every response of an operation
(``response_content_types_v2``), so ``content_type_conformance`` expects a JSON Content-Type on answers
that the file itself declares empty: the 204 of a DELETE, and above all every 404, which the overview
says "will not supply a message in the body". Against a target that we did not write, with a
Swashbuckle export as the spec, that was 158 false failures in one `gate --quick` (all "Missing
Content-Type header" on an empty 404).

The built-in check is therefore run through a wrapper of the same name: on a Swagger 2.0 response object
without a ``schema`` it has nothing to compare (as Schemathesis does for an OpenAPI 3 response without
``content``); everywhere else it is Schemathesis's own check, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from mypref_harness.spec.refs import resolve_if_possible
from mypref_harness.spec.surface import is_swagger2

CHECK_NAME = "content_type_conformance"
_WRAPPED = "__mypref_swagger2_bodyless__"


def declares_no_body(document: Mapping[str, Any], operation: Mapping[str, Any], status: int) -> bool:
    """Whether a Swagger 2.0 ``operation`` declares the answer ``status`` without a body: its response
    object (the status's own, else ``default``) has no ``schema``. False for OpenAPI 3 and for a status
    the operation does not declare (that is status_code_conformance's finding)."""
    if not is_swagger2(document):
        return False
    responses = operation.get("responses")
    if not isinstance(responses, Mapping):
        return False
    for key in (str(status), status, "default"):
        if key in responses:
            response = resolve_if_possible(document, responses[key])
            return isinstance(response, Mapping) and "schema" not in response
    return False


CheckFunction = Callable[[Any, Any, Any], Any]


def bodyless_aware(builtin: CheckFunction) -> CheckFunction:
    """``builtin`` (Schemathesis's content_type_conformance), silent where the file declares no body."""

    def content_type_conformance(ctx: Any, response: Any, case: Any) -> Any:
        operation = case.operation
        document = getattr(operation.schema, "raw_schema", None) or {}
        raw = getattr(operation.definition, "raw", None) or {}
        if declares_no_body(document, raw, int(response.status_code)):
            return None
        return builtin(ctx, response, case)

    content_type_conformance.__doc__ = builtin.__doc__
    setattr(content_type_conformance, _WRAPPED, True)
    return content_type_conformance


def install() -> None:
    """Put the wrapper in the place of Schemathesis's check, under the same name (so the run's toml,
    --checks and the reports know it as before). Idempotent."""
    # The registry itself: schemathesis.check() refuses a check named like a built-in one. Its OpenAPI
    # checks are registered on first use, so they are loaded first.
    from schemathesis.checks import CHECKS, load_all_checks

    load_all_checks()
    builtin = CHECKS.get_one(CHECK_NAME)
    if not getattr(builtin, _WRAPPED, False):
        CHECKS.register(bodyless_aware(builtin))
