"""Custom checks for behaviour the MyPreferences documentation promises (beyond what the spec types).

Each check is a pure function over an `Exchange` (what was asked, what came back) returning a
violation message or None, so it is unit-tested without Schemathesis. `schemathesis_checks()` wraps
them as Schemathesis check functions (raise AssertionError); contracts/hooks.py registers them.

Documented rules checked here (API overview "Errors", endpoint catalog "General rules"):
- every 401 carries ``WWW-Authenticate`` and a JSON body with ``Message``;
- an unknown ClientId gives 404 with an empty body;
- error bodies (400/401/402/403/409/422) are JSON objects with ``Message``;
- a 201 carries ``Location`` when the spec declares that header for the 201 response;
- profile searches never answer 200 with more than 50 profiles (more than 50 matches -> 403).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

ERROR_STATUSES_WITH_MESSAGE = frozenset({400, 401, 402, 403, 409, 422})
SEARCH_CAP = 50
CLIENT_ID_PARAM_NAMES = frozenset({"clientid", "client_id"})


@dataclass(frozen=True)
class Exchange:
    """One request/response pair, reduced to what the checks need. Header names are lower-case."""

    method: str
    path_template: str  # as in the spec, e.g. "/{clientId}/Profile/{profileId}"
    path_parameters: Mapping[str, str]  # decoded (unquoted) values
    status: int
    headers: Mapping[str, str]
    body: bytes
    declared_201_headers: frozenset[str] = field(default_factory=frozenset)  # lower-case names

    def client_id(self) -> str | None:
        for name, value in self.path_parameters.items():
            if name.lower() in CLIENT_ID_PARAM_NAMES:
                return value
        return None

    def json_body(self) -> Any:
        """The parsed JSON body, or a sentinel `_NOT_JSON` when the body is not JSON."""
        if not self.body.strip():
            return _NOT_JSON
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError):
            return _NOT_JSON


_NOT_JSON = object()


def _has_message(ex: Exchange) -> bool:
    body = ex.json_body()
    return isinstance(body, dict) and "Message" in body


def _short_body(ex: Exchange, limit: int = 120) -> str:
    text = ex.body[:limit].decode("utf-8", "replace")
    return text + ("..." if len(ex.body) > limit else "")


def unauthorized_documented(ex: Exchange) -> str | None:
    """Every 401 names the scheme in WWW-Authenticate and explains itself in Message."""
    if ex.status != 401:
        return None
    problems = []
    if not ex.headers.get("www-authenticate", "").strip():
        problems.append("no WWW-Authenticate header")
    if not _has_message(ex):
        problems.append(f"body has no Message: {_short_body(ex)!r}")
    return "401 response: " + "; ".join(problems) if problems else None


def unknown_client_404_empty(ex: Exchange, configured_client_id: str) -> str | None:
    """A ClientId that is not the configured one (ignoring case) is unknown: 404, empty body.

    A ClientId that differs only in case is NOT unknown: the docs say it fails authentication (401).
    """
    client = ex.client_id()
    if client is None or not client or "/" in client:
        return None
    if client.lower() == configured_client_id.lower():
        return None
    if ex.status != 404:
        return f"unknown ClientId {client!r}: expected 404 with an empty body, got {ex.status}"
    if ex.body.strip():
        return f"unknown ClientId {client!r}: 404 must have an empty body, got {_short_body(ex)!r}"
    return None


def error_body_has_message(ex: Exchange) -> str | None:
    if ex.status not in ERROR_STATUSES_WITH_MESSAGE:
        return None
    if _has_message(ex):
        return None
    return f"{ex.status} error body is not a JSON object with Message: {_short_body(ex)!r}"


def created_has_location(ex: Exchange) -> str | None:
    if ex.status != 201 or "location" not in ex.declared_201_headers:
        return None
    if ex.headers.get("location", "").strip():
        return None
    return "201 Created without the Location header the spec declares"


def is_profile_search(method: str, path_template: str) -> bool:
    """Profile searches: GET /{clientId}/Profile/<criterion> (not a single profile by id)."""
    parts = [p for p in path_template.split("/") if p]
    if method.upper() != "GET" or len(parts) < 3 or parts[1].lower() != "profile":
        return False
    return not parts[2].startswith("{") and parts[-1].lower() != "history"


def search_cap_honoured(ex: Exchange) -> str | None:
    if ex.status != 200 or not is_profile_search(ex.method, ex.path_template):
        return None
    body = ex.json_body()
    if isinstance(body, list) and len(body) > SEARCH_CAP:
        return (
            f"search returned {len(body)} profiles with 200; the documented cap is {SEARCH_CAP} "
            "(more matches must give 403)"
        )
    return None


# --- Schemathesis adapters -----------------------------------------------------------------------


def _resolve(document: Mapping[str, Any], node: Any, depth: int = 0) -> Any:
    """Follow local JSON references ("#/a/b") a few levels deep."""
    while isinstance(node, Mapping) and isinstance(node.get("$ref"), str) and depth < 8:
        ref = node["$ref"]
        if not ref.startswith("#/"):
            return node
        target: Any = document
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(target, Mapping) or part not in target:
                return node
            target = target[part]
        node, depth = target, depth + 1
    return node


def declared_headers(
    document: Mapping[str, Any], operation: Mapping[str, Any], status: str
) -> frozenset[str]:
    responses = _resolve(document, operation.get("responses") or {})
    response = _resolve(document, responses.get(status) if isinstance(responses, Mapping) else None)
    if not isinstance(response, Mapping):
        return frozenset()
    headers = _resolve(document, response.get("headers") or {})
    return frozenset(str(h).lower() for h in headers) if isinstance(headers, Mapping) else frozenset()


# All custom checks see the same (case, response) one after another: build its Exchange once.
_LAST_EXCHANGE = threading.local()
_DECLARED_201: dict[int, frozenset[str]] = {}  # id(raw operation) -> declared 201 headers


def exchange_from_schemathesis(case: Any, response: Any) -> Exchange:
    key = (id(case), id(response))
    cached = getattr(_LAST_EXCHANGE, "value", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    exchange = _build_exchange(case, response)
    _LAST_EXCHANGE.value = (key, exchange)
    return exchange


def _build_exchange(case: Any, response: Any) -> Exchange:
    operation = case.operation
    raw_operation = getattr(operation.definition, "raw", {}) or {}
    declared = _DECLARED_201.get(id(raw_operation))
    if declared is None:
        document = getattr(operation.schema, "raw_schema", {}) or {}
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
    )


CheckFn = Callable[[Any, Any, Any], None]


def _as_schemathesis(name: str, rule: Callable[[Exchange], str | None], doc: str) -> CheckFn:
    def check(ctx: Any, response: Any, case: Any) -> None:
        problem = rule(exchange_from_schemathesis(case, response))
        if problem:
            raise AssertionError(problem)

    check.__name__ = check.__qualname__ = name
    check.__doc__ = doc
    return check


CUSTOM_CHECK_NAMES = (
    "unauthorized_documented",
    "unknown_client_404_empty",
    "error_body_has_message",
    "created_has_location",
    "search_cap_honoured",
)


def schemathesis_checks(configured_client_id: str) -> list[CheckFn]:
    """The custom checks as Schemathesis check functions (names as in CUSTOM_CHECK_NAMES)."""
    return [
        _as_schemathesis(
            "unauthorized_documented",
            unauthorized_documented,
            "Every 401 has WWW-Authenticate and a Message.",
        ),
        _as_schemathesis(
            "unknown_client_404_empty",
            lambda ex: unknown_client_404_empty(ex, configured_client_id),
            "An unknown ClientId gives 404 with an empty body.",
        ),
        _as_schemathesis(
            "error_body_has_message", error_body_has_message, "Error bodies are JSON objects with Message."
        ),
        _as_schemathesis(
            "created_has_location",
            created_has_location,
            "201 responses carry Location where the spec declares it.",
        ),
        _as_schemathesis(
            "search_cap_honoured", search_cap_honoured, "Profile searches never return more than 50 profiles."
        ),
    ]
