"""Request validation of the implemented operations, from the parameter and body tables of the catalog.

The catalog (endpoints.md) in machine form is the reconstructed spec's operation definitions: this module
reads only their *request* side (parameter types and constraints, body schemas) so that a bad request
gets a 400 as a real server's model binding would give it. Responses, status codes, auth, storage and
every choice the document leaves open are this server's own (handlers.py).
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

SPEC_PATH = Path(__file__).resolve().parents[2] / "contracts" / "openapi" / "mypreferences-v4.yaml"
_INTEGER = re.compile(r"^[+-]?\d{1,20}$")
_INT_BOUNDS = {"int32": 2**31, "int64": 2**63}
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    """A callback URL must at least be absolute (scheme:rest); jsonschema skips "uri" without rfc3987."""
    return not isinstance(value, str) or bool(_URI.match(value))


_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    parameters: tuple[dict[str, Any], ...]
    body: dict[str, Any] | None  # the requestBody object, $refs kept


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader parses the spec in a fraction
    doc: dict[str, Any] = yaml.load(SPEC_PATH.read_text(), Loader=loader)  # noqa: S506 (a safe loader)
    return doc


@lru_cache(maxsize=1)
def _components() -> dict[str, Any]:
    return {"schemas": _openapi_to_json_schema(copy.deepcopy(_document()["components"]["schemas"]))}


def _openapi_to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0's ``nullable`` as JSON Schema's null type; everything else is draft 4 already."""
    if isinstance(node, list):
        return [_openapi_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _openapi_to_json_schema(value) for key, value in node.items()}
    if out.pop("nullable", False):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    out.pop("readOnly", None)
    return out


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        section, name = node["$ref"].split("/")[-2:]
        node = _document()["components"][section][name]
    return node


def operations() -> dict[str, Operation]:
    found: dict[str, Operation] = {}
    for path, item in _document()["paths"].items():
        shared = item.get("parameters", [])
        for method, op in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            params = tuple(_resolve(p) for p in (*shared, *op.get("parameters", [])))
            found[op["operationId"]] = Operation(
                op["operationId"], method.upper(), path, params, op.get("requestBody")
            )
    return found


def _check(value: Any, schema: dict[str, Any], what: str) -> None:
    root = {**_openapi_to_json_schema(schema), "components": _components()}
    try:
        jsonschema.Draft4Validator(root, format_checker=_FORMATS).validate(value)
    except jsonschema.ValidationError as exc:
        raise BadRequest(f"The request is invalid: {what}: {exc.message[:200]}") from exc


def _coerce(text: str, schema: dict[str, Any], what: str) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        bound = _INT_BOUNDS.get(schema.get("format", "int64"), 2**63)
        if not _INTEGER.match(text) or not -bound <= int(text) < bound:
            raise BadRequest(f"The request is invalid: {what} must be an integer.")
        return int(text)
    if kind == "number":
        if not _NUMBER.match(text):
            raise BadRequest(f"The request is invalid: {what} must be a number.")
        return float(text)
    if kind == "boolean":
        if text.lower() not in ("true", "false"):
            raise BadRequest(f"The request is invalid: {what} must be true or false.")
        return text.lower() == "true"
    return text


def path_and_query(op: Operation, path_values: dict[str, str], query: dict[str, str]) -> dict[str, Any]:
    """Typed parameter values by name (query names are case-insensitive, as on ASP.NET)."""
    lowered = {k.lower(): v for k, v in query.items()}
    values: dict[str, Any] = {}
    _check_free_form(op, lowered)
    for param in op.parameters:
        name, where, schema = param["name"], param["in"], param.get("schema", {})
        if where == "path":
            raw: str | None = path_values.get(name)
        elif where == "query" and schema.get("type") not in ("object", "array"):
            raw = lowered.get(name.lower())
        else:
            continue
        if raw is None:
            if param.get("required"):
                raise BadRequest(f"The request is invalid: {name} is required.")
            continue
        value = _coerce(raw, schema, name)
        _check(value, schema, name)
        values[name] = value
    return values


def _check_free_form(op: Operation, lowered: dict[str, str]) -> None:
    """An object query parameter (form, explode) takes every undeclared query key as one of its members."""
    declared = {p["name"].lower() for p in op.parameters if p["in"] == "query"}
    for param in op.parameters:
        schema = param.get("schema", {})
        if param["in"] == "query" and schema.get("type") == "object":
            members = {k: v for k, v in lowered.items() if k not in declared}
            _check(members, schema, param["name"])


def body(op: Operation, content_type: str | None, raw: bytes) -> Any:
    """The parsed body, validated; None when the operation takes none."""
    if op.body is None:
        return None
    declared = op.body.get("content", {})
    media = (content_type or "").split(";")[0].strip().lower()
    if not raw.strip():
        if op.body.get("required"):
            raise BadRequest("The request is invalid: a body is required.")
        return None
    if media not in declared:
        raise BadRequest(f"The media type '{media}' is not supported.", status=415)
    try:
        parsed = json.loads(raw)
    except ValueError as exc:
        raise BadRequest("The request is invalid: the body is not JSON.") from exc
    _check(parsed, declared[media].get("schema", {}), "body")
    return parsed


def check_component(value: Any, name: str) -> None:
    """400 unless ``value`` is a valid ``name`` object (a patched document must stay one)."""
    _check(value, {"$ref": f"#/components/schemas/{name}"}, name)
