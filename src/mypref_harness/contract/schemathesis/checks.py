"""Our checks as Schemathesis sees them: which checks a run executes (its built-in ones and our custom
checks), and each custom check (contract/checks.py, one registry) wrapped as a Schemathesis check function."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import unquote

from mypref_harness.config import Target
from mypref_harness.contract.checks import CUSTOM_CHECKS, CustomCheck, Exchange, declared_headers
from mypref_harness.contract.options import ContractOptions
from mypref_harness.guards import is_loopback
from mypref_harness.spec.roles import RoleMap, resolve_roles

# Schemathesis 4.x built-in checks that apply to OpenAPI (object_level_authorization is off in
# contracts/schemathesis.toml; max_response_time only runs when configured).
BUILTIN_CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
    "missing_required_header",
    "unsupported_method",
    "allow_header_conformance",
    "use_after_free",
    "ensure_resource_availability",
    "ignored_auth",
)


def enabled_checks(target: Target, options: ContractOptions) -> list[str]:
    """The checks a run executes (for the checks table when only the JSON/JUnit reports are read)."""
    names = list(options.checks) if options.checks else [*BUILTIN_CHECKS, *CUSTOM_CHECKS]
    local = is_loopback(target.base_url) if options.unexpected_methods is None else options.unexpected_methods
    excluded = set(options.exclude_checks) | (set() if local else {"unsupported_method"})
    return [n for n in names if n not in excluded]


# All custom checks see the same (case, response) one after another: build its Exchange once.
_LAST_EXCHANGE = threading.local()
_DECLARED_201: dict[int, frozenset[str]] = {}  # id(raw operation) -> declared 201 headers
# (id(the run's document), its [operations] table) -> (the document, its roles): resolved once per run;
# the document is kept so that its id cannot be reused by another one
_ROLE_MAPS: dict[tuple[int, tuple[tuple[str, str], ...]], tuple[Mapping[str, Any], RoleMap]] = {}


def exchange_from_schemathesis(case: Any, response: Any, target: Target | None = None) -> Exchange:
    key = (id(case), id(response))
    cached = getattr(_LAST_EXCHANGE, "value", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    exchange = _build_exchange(case, response, target or Target())
    _LAST_EXCHANGE.value = (key, exchange)
    return exchange


def _build_exchange(case: Any, response: Any, target: Target) -> Exchange:
    operation = case.operation
    raw_operation = getattr(operation.definition, "raw", {}) or {}
    document = getattr(operation.schema, "raw_schema", {}) or {}
    declared = _DECLARED_201.get(id(raw_operation))
    if declared is None:
        declared = _DECLARED_201[id(raw_operation)] = declared_headers(document, raw_operation, "201")
    headers = {
        k.lower(): (v[0] if isinstance(v, list) and v else str(v)) for k, v in response.headers.items()
    }
    params = {k: unquote(str(v)) for k, v in (case.path_parameters or {}).items()}
    return Exchange(
        method=str(case.method),
        path_template=str(case.path),
        path_parameters=params,
        status=int(response.status_code),
        headers=headers,
        body=bytes(response.content or b""),
        declared_201_headers=declared,
        configured_client_id=target.client_id,
        client_id_param=target.client_id_param,
        roles=_roles(document, target).roles_of(str(case.method), str(case.path)),
    )


def _roles(document: Mapping[str, Any], target: Target) -> RoleMap:
    """The run's roles, resolved once (the search cap knows the searches by role)."""
    key = (id(document), tuple(sorted(target.operations.items())))
    cached = _ROLE_MAPS.get(key)
    if cached is None or cached[0] is not document:
        cached = _ROLE_MAPS[key] = (document, resolve_roles(document, target.operations))
    return cached[1]


CheckFn = Callable[[Any, Any, Any], None]


def _as_schemathesis(check: CustomCheck, target: Target) -> CheckFn:
    def run(ctx: Any, response: Any, case: Any) -> None:
        problem = check.function(exchange_from_schemathesis(case, response, target))
        if problem:
            raise AssertionError(problem)

    run.__name__ = run.__qualname__ = check.name
    run.__doc__ = check.text
    return run


def schemathesis_checks(target: Target) -> list[CheckFn]:
    """Every registered custom check as a Schemathesis check function (named like the check), judging
    for ``target`` (its ClientId, client_id_param and [operations] table)."""
    return [_as_schemathesis(check, target) for check in CUSTOM_CHECKS.values()]
