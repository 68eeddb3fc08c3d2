"""Convert the OpenAPI 3.0 constructs used by mypreferences-v4.yaml to Swagger 2.0.

Not a general converter: it covers exactly what the v4 spec uses (paths, parameters, requestBody ->
body parameter, responses with schema/examples/headers, securitySchemes -> securityDefinitions,
components/schemas -> definitions, shared responses/parameters). 3.0-only features are kept as
extensions so that nothing is silently lost: links -> x-links, callbacks -> x-callbacks,
nullable -> x-nullable, free-form object query parameters -> x-dropped-parameters.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import urlparse

REF_MAP = {
    "#/components/schemas/": "#/definitions/",
    "#/components/parameters/": "#/parameters/",
    "#/components/responses/": "#/responses/",
}
SIMPLE_KEYS = (
    "type",
    "format",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "enum",
    "default",
    "items",
)


def _rewrite(node: Any) -> Any:
    """Rewrite $refs and 3.0-only schema keywords recursively."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                for old, new in REF_MAP.items():
                    value = value.replace(old, new)
                out[key] = value
            elif key == "nullable":
                out["x-nullable"] = value
            elif key == "oneOf":
                out.update(_merge_alternatives([_rewrite(v) for v in value]))
                out["x-oneOf"] = _rewrite(value)
            else:
                out[key] = _rewrite(value)
        return out
    if isinstance(node, list):
        return [_rewrite(v) for v in node]
    return node


def _merge_alternatives(alternatives: list[dict[str, Any]]) -> dict[str, Any]:
    """Swagger 2.0 has no oneOf: describe the union loosely (all properties, enums united, only the members
    every alternative requires). The exact alternatives stay in x-oneOf."""
    properties: dict[str, Any] = {}
    required: set[str] | None = None
    for alternative in alternatives:
        for name, prop in alternative.get("properties", {}).items():
            if name not in properties:
                properties[name] = copy.deepcopy(prop)
            elif "enum" in properties[name] and "enum" in prop:
                merged = properties[name]["enum"] + [
                    v for v in prop["enum"] if v not in properties[name]["enum"]
                ]
                properties[name]["enum"] = merged
            else:
                properties[name].pop("enum", None)
            if prop.get("x-nullable"):
                properties[name]["x-nullable"] = True
            if properties[name].get("minLength", 0) > prop.get("minLength", 0):
                properties[name].pop("minLength")
        needed = set(alternative.get("required", []))
        required = needed if required is None else required & needed
    out: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        out["required"] = sorted(required)
    return out


def _parameter(param: dict[str, Any]) -> dict[str, Any] | None:
    if "$ref" in param:
        return _rewrite(param)
    schema = param.get("schema", {})
    if schema.get("type") == "object":
        return None  # free-form query objects have no 2.0 equivalent
    out = {k: v for k, v in param.items() if k not in ("schema", "example", "style", "explode")}
    for key in SIMPLE_KEYS:
        if key in schema:
            out[key] = copy.deepcopy(schema[key])
    if "example" in param:
        out["x-example"] = param["example"]
    return _rewrite(out)


def _media_example(media: dict[str, Any], examples: dict[str, Any]) -> Any:
    """The single example of a media type, with a components/examples reference resolved."""
    if "example" in media:
        return media["example"]
    for named in media.get("examples", {}).values():
        if "$ref" in named:
            named = examples[named["$ref"].rsplit("/", 1)[1]]
        return named["value"]
    return None


def _response(resp: dict[str, Any], examples: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in resp:
        return _rewrite(resp)
    out: dict[str, Any] = {"description": resp.get("description", "")}
    content = resp.get("content", {})
    if content:
        media = next(iter(content.values()))
        out["schema"] = _rewrite(media["schema"])
        found = {mt: _media_example(m, examples) for mt, m in content.items()}
        found = {mt: value for mt, value in found.items() if value is not None}
        if found:
            out["examples"] = copy.deepcopy(found)
    if "headers" in resp:
        out["headers"] = {}
        for name, header in resp["headers"].items():
            h = {k: v for k, v in header.get("schema", {}).items() if k in SIMPLE_KEYS}
            if "description" in header:
                h["description"] = header["description"]
            out["headers"][name] = h
    if "links" in resp:
        out["x-links"] = copy.deepcopy(resp["links"])
    out.update({k: copy.deepcopy(v) for k, v in resp.items() if k.startswith("x-")})  # e.g. x-basis
    return out


def _operation(op: dict[str, Any], examples: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in op.items():
        if key in ("parameters", "requestBody", "responses", "callbacks"):
            continue
        out[key] = copy.deepcopy(value)
    params: list[dict[str, Any]] = []
    dropped = []
    for p in op.get("parameters", []):
        converted = _parameter(p)
        if converted is None:
            dropped.append(p["name"])
        else:
            params.append(converted)
    body = op.get("requestBody")
    if body:
        media_types = list(body["content"])
        media = body["content"][media_types[0]]
        out["consumes"] = media_types
        body_param: dict[str, Any] = {
            "name": "body",
            "in": "body",
            "required": body.get("required", False),
            "schema": _rewrite(media["schema"]),
        }
        example = _media_example(media, examples)
        if example is not None:
            body_param["x-example"] = copy.deepcopy(example)
        params.append(body_param)
    if params:
        out["parameters"] = params
    if dropped:
        out["x-dropped-parameters"] = dropped
    out["produces"] = ["application/json"]
    out["responses"] = {code: _response(r, examples) for code, r in op["responses"].items()}
    if "callbacks" in op:
        out["x-callbacks"] = _rewrite(op["callbacks"])
    return out


def _security_definitions(schemes: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, scheme in schemes.items():
        if scheme["type"] == "oauth2":
            flow = scheme["flows"]["clientCredentials"]
            out[name] = {
                "type": "oauth2",
                "flow": "application",
                "tokenUrl": flow["tokenUrl"],
                "scopes": dict(flow.get("scopes", {})),
            }
        elif scheme["type"] == "http" and scheme.get("scheme") == "basic":
            out[name] = {"type": "basic"}
        else:
            out[name] = {k: scheme[k] for k in ("type", "in", "name") if k in scheme}
        if "description" in scheme:
            out[name]["description"] = scheme["description"]
    return out


def convert(spec: dict[str, Any]) -> dict[str, Any]:
    server = urlparse(spec["servers"][0]["url"])
    components = spec.get("components", {})
    examples = components.get("examples", {})
    paths: dict[str, Any] = {}
    for path, item in spec["paths"].items():
        paths[path] = {method: _operation(op, examples) for method, op in item.items()}
    parameters = {name: _parameter(p) for name, p in components.get("parameters", {}).items()}
    return {
        "swagger": "2.0",
        "info": {
            **copy.deepcopy(spec["info"]),
            "description": spec["info"].get("description", "") + " (Swagger 2.0 rendition generated by "
            "tools/spec/to_swagger2.py from the OpenAPI 3.0 spec; the other servers are listed in "
            "x-servers.)",
        },
        "host": server.netloc,
        "basePath": server.path,
        "schemes": [server.scheme],
        "x-servers": copy.deepcopy(spec["servers"]),
        "consumes": ["application/json"],
        "produces": ["application/json"],
        "security": copy.deepcopy(spec.get("security", [])),
        "tags": copy.deepcopy(spec.get("tags", [])),
        "paths": paths,
        "parameters": parameters,
        "responses": {name: _response(r, examples) for name, r in components.get("responses", {}).items()},
        "securityDefinitions": _security_definitions(components.get("securitySchemes", {})),
        "definitions": _rewrite(components.get("schemas", {})),
    }
