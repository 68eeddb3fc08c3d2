"""Custom checks for behaviour the MyPreferences documents promise (beyond what the spec types).

Each check is a pure function over an `Exchange` (what was asked, what came back) returning a
violation message or None, so it is unit-tested without Schemathesis. One registry: the
``@custom_check(rule)`` decorator takes the check's name from the function, its text from the
docstring and its `Rule` (mypref_harness.basis: where the rule comes from; documented rules quote the
API overview verbatim). contract/schemathesis/checks.py wraps every registered check as a Schemathesis
check function (raise AssertionError) for the hooks; ``contract --list-checks`` prints them with their
basis.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mypref_harness.basis import Rule, assumption, catalog, documented
from mypref_harness.spec.params import is_client_id_param
from mypref_harness.spec.refs import resolve_if_possible
from mypref_harness.spec.roles import SEARCH_ROLES, Role

ERROR_STATUSES_WITH_MESSAGE = frozenset({400, 401, 402, 403, 409, 422})
SEARCH_CAP = 50


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
    configured_client_id: str | None = None  # the target's ClientId (None: unknown, check skipped)
    client_id_param: str | None = None  # mypref.toml client_id_param (None: found by name, spec/params.py)
    roles: frozenset[Role] = frozenset()  # the roles its operation plays in the run's spec (spec.roles)

    def client_id(self) -> str | None:
        for name, value in self.path_parameters.items():
            if is_client_id_param(name, self.client_id_param):
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


# --- the registry ------------------------------------------------------------------------------

RuleFunction = Callable[[Exchange], "str | None"]


@dataclass(frozen=True)
class CustomCheck:
    """One registered check: its name (the function's), rule, text (the docstring) and function."""

    name: str
    rule: Rule
    text: str
    function: RuleFunction


CUSTOM_CHECKS: dict[str, CustomCheck] = {}


def custom_check(rule: Rule) -> Callable[[RuleFunction], RuleFunction]:
    """Register a check function under its own name, with the docstring as its text."""

    def register(function: RuleFunction) -> RuleFunction:
        text = inspect.getdoc(function)
        if not text:
            raise ValueError(f"custom check {function.__name__} needs a docstring (its --list-checks text)")
        if function.__name__ in CUSTOM_CHECKS:
            raise ValueError(f"custom check {function.__name__} registered twice")
        CUSTOM_CHECKS[function.__name__] = CustomCheck(
            function.__name__, rule, text.split("\n\n")[0], function
        )
        return function

    return register


def _has_message(ex: Exchange) -> bool:
    body = ex.json_body()
    return isinstance(body, dict) and "Message" in body


def _short_body(ex: Exchange, limit: int = 120) -> str:
    text = ex.body[:limit].decode("utf-8", "replace")
    return text + ("..." if len(ex.body) > limit else "")


@custom_check(
    documented(
        "When a request is rejected due to an authorization failure, the HTTP Status Code 401- Unauthorized "
        "is returned with a detailed error description in the body."
    )
)
def unauthorized_documented(ex: Exchange) -> str | None:
    """Every 401 names the scheme in WWW-Authenticate and explains itself in Message (as documented)."""
    if ex.status != 401:
        return None
    problems = []
    if not ex.headers.get("www-authenticate", "").strip():
        problems.append("no WWW-Authenticate header")
    if not _has_message(ex):
        problems.append(f"body has no Message: {_short_body(ex)!r}")
    return "401 response: " + "; ".join(problems) if problems else None


@custom_check(
    documented(
        "Additionally, this status code is also returned when the ClientId specified in your request is "
        "invalid or not found. Please note that this failed request will not supply a message in the body."
    )
)
def unknown_client_404_empty(ex: Exchange, configured_client_id: str | None = None) -> str | None:
    """A ClientId that is not the configured one (ignoring case) is unknown: 404 with an empty body.

    A ClientId that differs only in case is NOT unknown: the docs say it fails authentication (401).
    """
    configured_client_id = configured_client_id or ex.configured_client_id
    if not configured_client_id:
        return None
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


@custom_check(
    assumption(
        'error bodies other than 401 have the documented 401 body shape {"Message": ...} '
        "(ASP.NET Web API's error object); neither the overview nor the catalog says so"
    )
)
def error_body_has_message(ex: Exchange) -> str | None:
    """Error bodies (400/401/402/403/409/422) are JSON objects with Message."""
    if ex.status not in ERROR_STATUSES_WITH_MESSAGE:
        return None
    if _has_message(ex):
        return None
    return f"{ex.status} error body is not a JSON object with Message: {_short_body(ex)!r}"


@custom_check(catalog("201 Created (create-type endpoints, with Location header)"))
def created_has_location(ex: Exchange) -> str | None:
    """A 201 carries Location where the spec declares that header for the 201 response."""
    if ex.status != 201 or "location" not in ex.declared_201_headers:
        return None
    if ex.headers.get("location", "").strip():
        return None
    return "201 Created without the Location header the spec declares"


@custom_check(
    catalog(
        "All profile search endpoints (...) return at most 50 profiles; "
        "more than 50 matches -> 403 Forbidden."
    )
)
def search_cap_honoured(ex: Exchange) -> str | None:
    """Profile searches never answer 200 with more than 50 profiles (more matches must give 403).

    The searches are known by their role (spec.roles.SEARCH_ROLES), whatever their path in the spec.
    """
    if ex.status != 200 or not ex.roles & SEARCH_ROLES:
        return None
    body = ex.json_body()
    if isinstance(body, list) and len(body) > SEARCH_CAP:
        return (
            f"search returned {len(body)} profiles with 200; the documented cap is {SEARCH_CAP} "
            "(more matches must give 403)"
        )
    return None


# --- what the spec declares ---------------------------------------------------------------------


def declared_headers(
    document: Mapping[str, Any], operation: Mapping[str, Any], status: str
) -> frozenset[str]:
    """Lower-case names of the headers a response MUST carry: OpenAPI 3 ``required: true`` (an optional
    header is no promise); Swagger 2.0 has no ``required`` for response headers, so every declared one."""
    responses = resolve_if_possible(document, operation.get("responses") or {})
    response = resolve_if_possible(
        document, responses.get(status) if isinstance(responses, Mapping) else None
    )
    if not isinstance(response, Mapping):
        return frozenset()
    headers = resolve_if_possible(document, response.get("headers") or {})
    if not isinstance(headers, Mapping):
        return frozenset()
    swagger2 = "swagger" in document
    return frozenset(
        str(name).lower()
        for name, header in headers.items()
        if swagger2
        or (isinstance(h := resolve_if_possible(document, header), Mapping) and h.get("required") is True)
    )
