"""What a client of an operation depends on, read the same way from Swagger 2.0 and OpenAPI 3.x.

``spec diff`` compares two versions of an API and ``spec compare`` matches our spec against a
vendor's file; both need an operation's *surface*: where it lives (its full path, base path
included, so a file with ``basePath: /Profiles/v4`` and one whose paths carry the prefix meet),
its parameters, its request body, its responses and its security. The two OpenAPI generations
spell these differently (a Swagger 2.0 ``in: body`` parameter is a 3.x ``requestBody``, a 2.0
parameter carries its type itself, a 3.x one in ``schema``); this module is the one place that
knows both spellings, so the comparison code sees one shape.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from mypref_harness.spec.operations import operation_objects, operation_parameters
from mypref_harness.spec.paths import base_path
from mypref_harness.spec.refs import resolve_or

# The members of a Swagger 2.0 non-body parameter that describe its value (a 3.x one has them in `schema`).
_SWAGGER2_VALUE_KEYS = (
    "type",
    "format",
    "enum",
    "items",
    "maxLength",
    "minLength",
    "pattern",
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "maxItems",
    "minItems",
    "default",
)
_JSON_MEDIA = re.compile(r"^application/([\w.+-]*\+)?json\b")
_TEMPLATE_PARAMETER = re.compile(r"\{[^}/]*\}")
# Swagger 2.0 OAuth flow names -> their OpenAPI 3.x names, so the two renditions of a scheme are equal.
_OAUTH_FLOWS = {"application": "clientCredentials", "accessCode": "authorizationCode"}

Security = frozenset[frozenset[str]]  # alternatives (any one suffices), each a set of scheme names


@dataclass(frozen=True)
class Body:
    """A request or response body: the schema of its JSON (or first) media type."""

    schema: Any  # may still be a local $ref; None when the body declares no schema
    required: bool = False
    media_types: frozenset[str] = frozenset()  # what it may be sent or answered as; empty: not said
    headers: frozenset[str] = frozenset()  # a response's declared headers, lower case


@dataclass
class Surface:
    method: str  # upper case
    path: str  # as the spec writes it
    full_path: str  # base path + path: where the operation really lives on the server
    operation_id: str | None
    confidence: str | None  # our x-route-confidence, None in a file without it
    parameters: dict[tuple[str, str], Mapping[str, Any]] = field(default_factory=dict)
    request_body: Body | None = None
    responses: dict[str, Body] = field(default_factory=dict)  # status ("200", "default") -> body
    security: Security = frozenset()
    deprecated: bool = False

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def route_key(self) -> tuple[str, str]:
        """(METHOD, full path, every path parameter as "{}"): a renamed path parameter is the same route."""
        return self.method, route_shape(self.full_path)


def route_shape(path: str) -> str:
    """A path with its parameter names blanked ("/{clientId}/Profile" -> "/{}/Profile")."""
    return _TEMPLATE_PARAMETER.sub("{}", path).rstrip("/") or "/"


def parameter_key(parameter: Mapping[str, Any], position: int) -> tuple[str, str]:
    """How a parameter is matched across versions: (location, name); header names in any case are one
    (HTTP says so), a path parameter by its place in the template (clients never send its name)."""
    location, name = str(parameter.get("in", "")), str(parameter.get("name", ""))
    if location == "header":
        return location, name.lower()
    if location == "path":
        return location, f"#{position}"
    return location, name


def is_swagger2(document: Mapping[str, Any]) -> bool:
    return str(document.get("swagger", "")).startswith("2.")


def surfaces(document: Mapping[str, Any]) -> Iterator[Surface]:
    """The surface of every operation of ``document`` (document order)."""
    prefix = base_path(document)
    swagger2 = is_swagger2(document)
    default_security = _security(document.get("security"))
    for found in operation_objects(document):
        raw = found.raw
        confidence = raw.get("x-route-confidence")
        surface = Surface(
            method=found.method.upper(),
            path=found.path,
            full_path=prefix + "/" + found.path.lstrip("/"),
            operation_id=found.operation_id,
            confidence=str(confidence) if confidence else None,
            security=_security(raw["security"]) if "security" in raw else default_security,
            deprecated=raw.get("deprecated") is True,
        )
        parameters = operation_parameters(document, found.item, raw)
        _add_parameters(surface, parameters, swagger2=swagger2)
        if swagger2:  # one media type list per operation (else the document's) for bodies and answers
            consumes, produces = (_types(raw.get(k, document.get(k))) for k in ("consumes", "produces"))
            surface.request_body = _swagger2_body(parameters, consumes)
        else:
            produces = frozenset()
            surface.request_body = _openapi3_body(document, raw.get("requestBody"))
        surface.responses = _responses(document, raw.get("responses"), swagger2=swagger2, produces=produces)
        yield surface


def _types(media_types: Any) -> frozenset[str]:
    return frozenset(str(m) for m in media_types) if isinstance(media_types, list) else frozenset()


def _content_types(content: Any) -> frozenset[str]:
    return frozenset(str(m) for m in content) if isinstance(content, Mapping) else frozenset()


def _add_parameters(surface: Surface, parameters: list[Mapping[str, Any]], *, swagger2: bool) -> None:
    path_names = [name.strip("{}") for name in _TEMPLATE_PARAMETER.findall(surface.path)]
    for parameter in parameters:
        if parameter.get("in") in ("body", "formData"):
            continue  # Swagger 2.0: these make the request body
        name = str(parameter.get("name", ""))
        position = path_names.index(name) if name in path_names else len(path_names)
        value = dict(parameter)
        if swagger2:
            value["schema"] = {k: parameter[k] for k in _SWAGGER2_VALUE_KEYS if k in parameter}
        surface.parameters[parameter_key(parameter, position)] = value


def _swagger2_body(parameters: list[Mapping[str, Any]], consumes: frozenset[str]) -> Body | None:
    for parameter in parameters:
        if parameter.get("in") == "body":
            return Body(parameter.get("schema"), bool(parameter.get("required")), consumes)
    form = [p for p in parameters if p.get("in") == "formData"]
    if not form:
        return None
    properties = {str(p.get("name")): {k: p[k] for k in _SWAGGER2_VALUE_KEYS if k in p} for p in form}
    required = [str(p.get("name")) for p in form if p.get("required")]
    return Body({"type": "object", "properties": properties, "required": required}, bool(required), consumes)


def _media_schema(content: Any) -> Any:
    """The schema of the JSON media type of an OpenAPI 3.x ``content`` (else of its first one)."""
    if not isinstance(content, Mapping) or not content:
        return None
    json_types = [media for media in content if _JSON_MEDIA.match(str(media))]
    media = content[json_types[0] if json_types else next(iter(content))]
    return media.get("schema") if isinstance(media, Mapping) else None


def _openapi3_body(document: Mapping[str, Any], body: Any) -> Body | None:
    body = resolve_or(document, body, None)
    if not isinstance(body, Mapping):
        return None
    content = body.get("content")
    return Body(_media_schema(content), bool(body.get("required")), _content_types(content))


def _responses(
    document: Mapping[str, Any], responses: Any, *, swagger2: bool, produces: frozenset[str]
) -> dict[str, Body]:
    out: dict[str, Body] = {}
    for status, response in (responses or {}).items() if isinstance(responses, Mapping) else ():
        response = resolve_or(document, response, {})
        if not isinstance(response, Mapping):
            response = {}
        headers = response.get("headers")
        names = frozenset(str(h).lower() for h in headers) if isinstance(headers, Mapping) else frozenset()
        if swagger2:
            schema = response.get("schema")
            media = produces if schema is not None else frozenset()
        else:
            content = response.get("content")
            schema, media = _media_schema(content), _content_types(content)
        out[str(status)] = Body(schema, media_types=media, headers=names)
    return out


def _security(requirements: Any) -> Security:
    if not isinstance(requirements, list):
        return frozenset()
    return frozenset(frozenset(str(name) for name in r) for r in requirements if isinstance(r, Mapping))


def security_schemes(document: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Every security scheme by name, in one spelling for both generations (what a client configures:
    type, where the credential goes, the OAuth flows and their token URLs)."""
    if is_swagger2(document):
        raw = document.get("securityDefinitions") or {}
    else:
        raw = (document.get("components") or {}).get("securitySchemes") or {}
    return {str(name): _scheme(resolve_or(document, scheme, {})) for name, scheme in raw.items()}


def _scheme(scheme: Any) -> dict[str, Any]:
    if not isinstance(scheme, Mapping):
        return {}
    kind = str(scheme.get("type", ""))
    if kind == "basic":  # Swagger 2.0's basic is 3.x's http + basic
        return {"type": "http", "scheme": "basic"}
    out: dict[str, Any] = {"type": kind}
    if kind == "apiKey":
        out.update({"in": scheme.get("in"), "name": str(scheme.get("name", "")).lower()})
    elif kind == "http":
        out["scheme"] = str(scheme.get("scheme", "")).lower()
    elif kind == "oauth2":
        if "flow" in scheme:  # Swagger 2.0: one flow
            flows = {_OAUTH_FLOWS.get(str(scheme["flow"]), str(scheme["flow"])): scheme}
        else:
            flows = dict(scheme.get("flows") or {})
        out["flows"] = {
            name: {"tokenUrl": flow.get("tokenUrl"), "authorizationUrl": flow.get("authorizationUrl")}
            for name, flow in sorted(flows.items())
            if isinstance(flow, Mapping)
        }
    elif kind == "openIdConnect":
        out["openIdConnectUrl"] = scheme.get("openIdConnectUrl")
    return out
