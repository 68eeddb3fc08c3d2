"""Routes built from the OpenAPI spec: path matching, typed parameters, body and response schemas.

Matching rules: a literal segment beats a template segment; a path that matches no template is 404; a
path that matches but not with this method is 405 with an ``Allow`` header listing exactly the spec's
methods of the most specific matching path.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jsonschema import Draft4Validator

from mypref_harness.sandbox.operations.base import (
    HANDLERS,
    HANDLERS_BY_ID,
    Handler,
    HttpError,
    OpRequest,
    Reply,
    normalize_template,
)
from mypref_harness.sandbox.validation import (
    PrunePlan,
    SchemaSet,
    compile_plan,
    first_error,
    prune,
)
from mypref_harness.spec.document import read_document
from mypref_harness.spec.operations import OperationObject, operation_objects, operation_parameters
from mypref_harness.spec.refs import resolve_or

if TYPE_CHECKING:
    from starlette.requests import Request

    from mypref_harness.sandbox.context import RequestContext
    from mypref_harness.sandbox.store import Store

log = logging.getLogger("mypref_harness.sandbox.data")

JSON_FAMILY = ("application/json", "text/json", "application/json-patch+json")
TENANT_PARAM = "clientid"


@dataclass
class Param:
    name: str
    location: str
    required: bool
    schema: dict[str, Any]
    validator: Draft4Validator

    @property
    def kinds(self) -> list[str]:
        kind = self.schema.get("type")
        return kind if isinstance(kind, list) else [kind] if kind else []

    def problem(self, value: Any) -> str | None:
        """Why a coerced value violates the parameter's schema (None if it does not)."""
        fast = _fast_check(self.schema)
        if fast is not None:
            return fast(value)
        return first_error(self.validator, value)

    def coerce(self, raw: str | list[str]) -> Any:
        kinds = self.kinds
        if "array" in kinds:
            values = raw if isinstance(raw, list) else [raw]
            if len(values) == 1 and "," in values[0] and self.location == "query":
                values = values[0].split(",")
            items = self.schema.get("items") or {}
            item_kinds = items.get("type") if isinstance(items, dict) else None
            kinds_of_items = (
                item_kinds if isinstance(item_kinds, list) else [item_kinds] if item_kinds else []
            )
            return [_coerce_scalar(v, kinds_of_items, self.name) for v in values]
        value = raw[-1] if isinstance(raw, list) else raw
        return _coerce_scalar(value, kinds, self.name)


_SIMPLE_KEYS = frozenset(
    {
        "type",
        "format",
        "minimum",
        "maximum",
        "minLength",
        "maxLength",
        "example",
        "description",
        "default",
        "title",
    }
)
_FAST: dict[int, Callable[[Any], str | None] | None] = {}


def _fast_check(schema: dict[str, Any]) -> Callable[[Any], str | None] | None:
    """A plain-Python check for the simple scalar schemas of most parameters (jsonschema is ~100x slower)."""
    key = id(schema)
    if key in _FAST:
        return _FAST[key]
    check: Callable[[Any], str | None] | None = None
    kind = schema.get("type")
    if set(schema) <= _SIMPLE_KEYS and kind in ("integer", "string", "boolean"):
        fmt = schema.get("format")
        if kind == "integer":
            bits = 31 if fmt == "int32" else 63
            low: int | float = max(schema.get("minimum", -(2**bits)), -(2**bits))
            high: int | float = min(schema.get("maximum", 2**bits - 1), 2**bits - 1)

            def check(value: Any) -> str | None:
                if not isinstance(value, int) or isinstance(value, bool):
                    return "not an integer"
                if value < low or value > high:
                    return f"{value} is outside {low}..{high}"
                return None
        elif kind == "string" and fmt is None:
            shortest, longest = schema.get("minLength", 0), schema.get("maxLength")

            def check(value: Any) -> str | None:
                if not isinstance(value, str):
                    return "not a string"
                if len(value) < shortest or (longest is not None and len(value) > longest):
                    return f"length {len(value)} is outside {shortest}..{longest}"
                return None
        elif kind == "boolean":

            def check(value: Any) -> str | None:
                return None if isinstance(value, bool) else "not a boolean"

    _FAST[key] = check
    return check


def _coerce_scalar(value: str, kinds: list[str], name: str) -> Any:
    if "integer" in kinds:
        try:
            return int(value.strip())
        except ValueError:
            if "string" not in kinds:
                raise HttpError(400, f"The value '{value[:60]}' is not valid for {name}.") from None
    if "number" in kinds:
        try:
            number = float(value.strip())
        except ValueError:
            if "string" not in kinds:
                raise HttpError(400, f"The value '{value[:60]}' is not valid for {name}.") from None
        else:
            if number != number or number in (float("inf"), float("-inf")):
                raise HttpError(400, f"The value '{value[:60]}' is not valid for {name}.")
            return number
    if "boolean" in kinds:
        lowered = value.strip().lower()
        if lowered in ("true", "false"):
            return lowered == "true"
        if "string" not in kinds:
            raise HttpError(400, f"The value '{value[:60]}' is not valid for {name}.")
    return value


@dataclass
class Body:
    required: bool
    media_types: tuple[str, ...]
    validator: Draft4Validator
    # Drops properties the input schema does not declare (its objects are open), so that stray client
    # fields are never stored and never echoed back in (closed) responses.
    plan: PrunePlan | None = None

    def clean(self, value: Any) -> Any:
        return prune(value, self.plan)

    def accepts(self, media: str) -> bool:
        if media in self.media_types:
            return True
        # ASP.NET's JSON formatter takes every JSON media type the spec lists for the operation.
        json_ok = any(m in JSON_FAMILY or m.endswith("+json") for m in self.media_types)
        return json_ok and (media in JSON_FAMILY or media.endswith("+json"))


@dataclass
class Route:
    operation_id: str
    method: str
    template: str
    segments: tuple[str | None, ...]  # literal (lower-case) or None for a parameter
    param_names: tuple[str | None, ...]
    path_params: dict[str, Param]
    query_params: dict[str, Param]  # by lower-case name
    body: Body | None
    response_schemas: dict[str, Any]  # status ("200", "default", "2XX") -> schema or None
    schemas: SchemaSet
    request_schemas: SchemaSet
    handler: Handler
    has_handler: bool
    _shapers: dict[int, Callable[[Any], Any] | None] = field(default_factory=dict)

    def bind(
        self,
        path_args: list[str],
        request: Request,
        body: Any,
        ctx: RequestContext,
        store: Store,
        settings: Any,
    ) -> OpRequest:
        """The handler's view of one request to this route: parameters parsed and typed (400 if not)."""
        raw_query = list(request.query_params.multi_items())
        now = dt.datetime.now(dt.UTC)
        offset = float(getattr(settings, "clock_offset", 0.0) or 0.0)
        if offset:
            now += dt.timedelta(seconds=offset)
        return OpRequest(
            template=self.template,
            schemas=self.request_schemas,
            tenant=ctx.client_id,
            user_id=ctx.user_id,
            path=self.parse_path(path_args),
            query=self.parse_query(raw_query),
            raw_query=raw_query,
            body=body,
            store=store,
            settings=settings,
            now=now,
        )

    def parse_path(self, args: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, raw in zip(self.param_names, args, strict=True):
            if name is None or name.lower() == TENANT_PARAM:
                continue
            param = self.path_params.get(name)
            if param is None:
                out[name] = raw
                continue
            value = param.coerce(raw)
            problem = param.problem(value)
            if problem:
                raise HttpError(400, f"The value '{raw[:60]}' is not valid for {name}: {problem}")
            out[name] = value
        return out

    def parse_query(self, items: list[tuple[str, str]]) -> dict[str, Any]:
        grouped: dict[str, list[str]] = {}
        for key, value in items:
            grouped.setdefault(key.lower(), []).append(value)
        out: dict[str, Any] = {}
        for lname, param in self.query_params.items():
            if lname not in grouped:
                if param.required:
                    raise HttpError(400, f"The query parameter '{param.name}' is required.")
                continue
            raw = grouped[lname]
            value = param.coerce(raw)
            problem = param.problem(value)
            if problem:
                raise HttpError(400, f"The query parameter '{param.name}' is invalid: {problem}")
            out[lname] = value
        return out

    def response_schema(self, status: int) -> tuple[bool, Any]:
        for key in (str(status), f"{str(status)[0]}XX", "default"):
            if key in self.response_schemas:
                return True, self.response_schemas[key]
        return False, None

    def shaper_for(self, status: int) -> Callable[[Any], Any] | None:
        """Prune a response to its documented schema (compiled once per operation and status)."""
        if status not in self._shapers:
            found, schema = self.response_schema(status)
            plan = compile_plan(schema, self.schemas) if found and schema is not None else None
            if plan is None:
                self._shapers[status] = None
            else:
                op_id = self.operation_id

                def shape(value: Any, _plan: PrunePlan = plan) -> Any:
                    repairs: list[str] = []
                    result = prune(value, _plan, repairs)
                    if repairs:
                        REPAIRS.setdefault(op_id, []).extend(repairs[:20])
                    return result

                self._shapers[status] = shape
        return self._shapers[status]


# operationId -> repairs the shaper had to make (tests assert this stays empty for sampled responses)
REPAIRS: dict[str, list[str]] = {}


@dataclass
class Match:
    status: int  # 200 = found, 404, 405
    route: Route | None = None
    path_args: list[str] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)


class _Node:
    """A path trie node: literal children (lower-case), one parameter child, methods where a path ends."""

    __slots__ = ("literals", "methods", "param")

    def __init__(self) -> None:
        self.literals: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.methods: dict[str, Route] | None = None


def _walk(node: _Node, lowered: list[str], original: list[str], depth: int) -> dict[str, Route] | None:
    """Depth-first, literal before parameter: the first complete match is the most specific one."""
    if depth == len(lowered):
        return node.methods
    child = node.literals.get(lowered[depth])
    if child is not None:
        found = _walk(child, lowered, original, depth + 1)
        if found is not None:
            return found
    if node.param is not None and original[depth] != "":  # an empty segment never fills a parameter
        return _walk(node.param, lowered, original, depth + 1)
    return None


@dataclass
class RouteTable:
    routes: list[Route]
    spec: dict[str, Any]
    root: _Node = field(default_factory=lambda: _Node())

    def index(self) -> None:
        groups: dict[tuple[str | None, ...], dict[str, Route]] = {}
        for route in self.routes:
            groups.setdefault(route.segments, {})[route.method] = route
        for segments, methods in groups.items():
            node = self.root
            for segment in segments:
                if segment is None:
                    node.param = node.param or _Node()
                    node = node.param
                else:
                    node = node.literals.setdefault(segment, _Node())
            node.methods = methods

    def match(self, segments: list[str], method: str) -> Match:
        """The most specific template matching the path decides: its method, or 405 with its methods."""
        methods = _walk(self.root, [s.lower() for s in segments], segments, 0)
        if methods is None:
            return Match(404)
        route = methods.get(method)
        if route is not None:
            return Match(200, route, segments)
        return Match(405, allow=sorted(methods))

    def unhandled(self) -> list[str]:
        return [f"{r.method} {r.template} ({r.operation_id})" for r in self.routes if not r.has_handler]


# Schema references stay as they are: the SchemaSet compiles them (and their cycles) itself.
SCHEMA_REFS = "#/components/schemas/"


def _deref(node: Any, spec: dict[str, Any]) -> Any:
    """A parameter, body or response with its reference followed; {} when it names nothing."""
    return resolve_or(spec, node, {}, stop_at=SCHEMA_REFS)


def _input_plan(schema: Any, requests: SchemaSet) -> PrunePlan | None:
    """Like a response plan, but every object counts as closed and nothing is filled in."""
    plan = compile_plan(schema, requests)
    seen: set[int] = set()

    def close(node: PrunePlan | None) -> None:
        if node is None or id(node) in seen:
            return
        seen.add(id(node))
        if node.kind == "open-object":
            node.kind = "object" if node.props else node.kind
        node.fill = []
        close(node.items)
        for child in node.props.values():
            close(child)

    close(plan)
    return plan


def _missing_handler(op_id: str) -> Handler:
    def handler(req: OpRequest) -> Reply:
        raise HttpError(501, f"The sandbox does not emulate {op_id} yet.")

    return handler


def build_route_table(spec_path: Path) -> RouteTable:
    spec = read_document(spec_path)
    components = (spec.get("components") or {}).get("schemas") or {}
    requests = SchemaSet(components, request=True)
    responses = SchemaSet(components, request=False)
    routes = [_build_route(spec, found, requests, responses) for found in operation_objects(spec)]
    table = RouteTable(routes, spec)
    table.index()
    missing = table.unhandled()
    if missing:
        log.warning("sandbox data layer: %d operations without a handler: %s", len(missing), missing)
    return table


def _build_route(
    spec: dict[str, Any], found: OperationObject, requests: SchemaSet, responses: SchemaSet
) -> Route:
    template, method, raw_op = found.path, found.method.upper(), found.raw
    params: dict[tuple[str, str], Mapping[str, Any]] = {}
    for p in operation_parameters(spec, found.item, raw_op):  # the operation's own win over the path's
        if "name" in p and "in" in p:
            params[(p["in"], p["name"])] = p
    path_params: dict[str, Param] = {}
    query_params: dict[str, Param] = {}
    for (location, name), p in params.items():
        schema = p.get("schema") or {}
        resolved = requests.resolve(schema) if "$ref" in schema else schema
        param = Param(name, location, bool(p.get("required")), resolved, requests.validator(schema))
        if location == "path":
            path_params[name] = param
        elif location == "query":
            query_params[name.lower()] = param
    body = None
    raw_body = _deref(raw_op.get("requestBody"), spec)
    if isinstance(raw_body, dict) and raw_body.get("content"):
        content = raw_body["content"]
        media_types = tuple(m.lower() for m in content)
        schema = next(
            (c.get("schema") for c in content.values() if isinstance(c, dict) and c.get("schema")), {}
        )
        body = Body(
            bool(raw_body.get("required")),
            media_types,
            requests.validator(schema or {}),
            _input_plan(schema or {}, requests),
        )
    response_schemas: dict[str, Any] = {}
    for status, raw_resp in (raw_op.get("responses") or {}).items():
        resp = _deref(raw_resp, spec)
        content = (resp or {}).get("content") or {}
        schema = None
        for media, entry in content.items():
            if "json" in media and isinstance(entry, dict):
                schema = entry.get("schema")
                break
        response_schemas[str(status).upper()] = schema
    op_id = str(raw_op.get("operationId") or f"{method} {template}")
    handler = HANDLERS_BY_ID.get(op_id) or HANDLERS.get((method, normalize_template(template)))
    segments: list[str | None] = []
    names: list[str | None] = []
    for part in template.strip("/").split("/"):
        if part.startswith("{") and part.endswith("}"):
            segments.append(None)
            names.append(part[1:-1])
        else:
            segments.append(part.lower())
            names.append(None)
    return Route(
        operation_id=op_id,
        method=method,
        template=template,
        segments=tuple(segments),
        param_names=tuple(names),
        path_params=path_params,
        query_params=query_params,
        body=body,
        response_schemas=response_schemas,
        schemas=responses,
        request_schemas=requests,
        handler=handler or _missing_handler(op_id),
        has_handler=handler is not None,
    )
