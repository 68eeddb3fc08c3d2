"""What every operation module shares: the request object, the reply, errors and the handler registry."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mypref_harness.sandbox.store import Store
from mypref_harness.sandbox.validation import SchemaSet


class HttpError(Exception):
    """Answer with ``status`` and ``{"Message": message}``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


# A schema-valid request that cannot be carried out in the resource's current state (a JSON Patch whose
# path is missing or whose test fails, a job in the wrong state, an alternate id owned by another profile):
# the spec documents 409 (components/responses/StateConflict) on every operation where this can happen.
STATE_CONFLICT = 409


def not_found(what: str) -> HttpError:
    return HttpError(404, f"{what} was not found.")


def bad_request(message: str) -> HttpError:
    return HttpError(400, message)


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] | None = None
    # Applied after the response was shaped to the schema (defects that add undeclared fields).
    after_shape: Callable[[Any], Any] | None = None
    raw: bytes | None = None  # an already serialized JSON body (a cache hit)
    cache: tuple[Any, str] | None = None  # (key, validity tag): remember the serialized body


@dataclass
class OpRequest:
    """One request as a handler sees it: typed parameters, the validated body and where to keep data."""

    template: str  # the spec path it matched, e.g. "/{clientId}/Profile/{profileId}"
    schemas: SchemaSet  # the spec's component schemas, request direction
    tenant: str
    user_id: str
    path: dict[str, Any]  # typed path parameters by their spec names (clientId excluded)
    query: dict[str, Any]  # typed query parameters by lower-case name (only those the spec declares)
    raw_query: list[tuple[str, str]]  # every query item as sent, for free-form criteria
    body: Any
    store: Store
    settings: Any
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def query_param(self, name: str, default: Any = None) -> Any:
        """A declared query parameter by case-insensitive name, typed; ``default`` when absent."""
        value = self.query.get(name.lower())
        return default if value is None else value

    def raw(self, name: str) -> str | None:
        """A query value by case-insensitive name, declared in the spec or not."""
        lowered = name.lower()
        for key, value in self.raw_query:
            if key.lower() == lowered:
                return value
        return None

    def path_param(self, *names: str) -> Any:
        """The first path parameter found under one of ``names`` (case-insensitive), else the only one."""
        lowered = {k.lower(): v for k, v in self.path.items()}
        for name in names:
            if name.lower() in lowered:
                return lowered[name.lower()]
        if len(self.path) == 1:
            return next(iter(self.path.values()))
        raise KeyError(f"path parameter {names} not in {sorted(self.path)}")

    def defect(self, name: str) -> bool:
        check = getattr(self.settings, "has_defect", None)
        return bool(check and check(name))

    @property
    def stamp(self) -> str:
        return self.now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{self.now.microsecond // 1000:03d}Z"


Handler = Callable[[OpRequest], Reply]

# (METHOD, normalized template) -> handler; templates are normalized with every {param} as {} and
# lower-cased, so a renamed path parameter in the spec does not break the binding.
HANDLERS: dict[tuple[str, str], Handler] = {}
HANDLERS_BY_ID: dict[str, Handler] = {}


def normalize_template(template: str) -> str:
    parts = []
    for part in template.strip("/").split("/"):
        parts.append("{}" if part.startswith("{") and part.endswith("}") else part.lower())
    return "/" + "/".join(parts)


def operation(method: str, template: str, *operation_ids: str) -> Callable[[Handler], Handler]:
    """Register a handler for a (method, path template) and, optionally, for operationIds."""

    def register(func: Handler) -> Handler:
        handler = with_target_statuses(func)
        HANDLERS[(method.upper(), normalize_template(template))] = handler
        for op_id in operation_ids:
            HANDLERS_BY_ID[op_id] = handler
        return func

    return register


def with_target_statuses(func: Handler) -> Handler:
    """The target-profile knobs (``sandbox --profile``): answer a state conflict with the settings'
    ``conflict_status`` and a successful create with their ``create_status`` (defaults 409 and 201)."""

    @functools.wraps(func)
    def handler(req: OpRequest) -> Reply:
        try:
            reply = func(req)
        except HttpError as exc:
            if exc.status == STATE_CONFLICT:
                exc.status = getattr(req.settings, "conflict_status", STATE_CONFLICT)
            raise
        if reply.status == 201:
            reply.status = getattr(req.settings, "create_status", 201)
        return reply

    return handler
