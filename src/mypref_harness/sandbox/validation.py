"""Request validation and response shaping from the spec's OpenAPI 3.0 schemas.

Schemas are converted once to JSON Schema Draft 4 (what OpenAPI 3.0 builds on) with the same rules
Schemathesis applies, so that what the suite calls "invalid" is what the sandbox rejects:
- ``nullable: true`` adds ``null`` to the type (and the enum);
- in requests a ``readOnly`` property must not be sent (it becomes forbidden and leaves ``required``);
  in responses the same happens to ``writeOnly`` properties;
- formats are checked (date-time, date, email, uuid, uri, int32, int64, ...).

``compile_plan``/``prune`` project a handler's output onto a response schema: undeclared properties are
dropped and missing required ones filled with neutral values. It is a safety net (the handlers build the
documented shapes themselves; tests check that no repair happens), never a way to add fields. The same
pruning, without filling, cleans request bodies so stray client fields are never stored.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
import re
import sys
import uuid
from typing import Any

import jsonschema
from jsonschema import Draft4Validator, FormatChecker

REF_PREFIX = "#/components/schemas/"

FORMAT_CHECKER = FormatChecker(formats=())

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+$")
_URI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$")


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME_RE.match(value):
        return False
    dt.datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    return True


@FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_RE.match(value):
        return False
    dt.date.fromisoformat(value)
    return True


@FORMAT_CHECKER.checks("email")
def _is_email(value: object) -> bool:
    return not isinstance(value, str) or bool(_EMAIL_RE.match(value))


@FORMAT_CHECKER.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(_URI_RE.match(value))


@FORMAT_CHECKER.checks("uuid", raises=ValueError)
def _is_uuid(value: object) -> bool:
    if isinstance(value, str):
        uuid.UUID(value)
    return True


@FORMAT_CHECKER.checks("int32")
def _is_int32(value: object) -> bool:
    return not isinstance(value, int) or -(2**31) <= value < 2**31


@FORMAT_CHECKER.checks("int64")
def _is_int64(value: object) -> bool:
    return not isinstance(value, int) or -(2**63) <= value < 2**63


def _use_schemathesis_formats() -> None:
    """Check formats exactly as Schemathesis does (it validates with jsonschema-rs) when that is installed.

    A format judged differently on the two sides turns into false findings: e.g. a URL our regex accepts
    but jsonschema-rs rejects is "invalid data accepted" (negative_data_rejection) and then "response
    violates schema" when echoed back. jsonschema-rs ships with Schemathesis; without it the regex checks
    above stay in force.
    """
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - always present next to schemathesis
        return
    for name in (
        "uri",
        "uri-reference",
        "email",
        "date-time",
        "date",
        "time",
        "uuid",
        "ipv4",
        "ipv6",
        "hostname",
    ):
        rs = jsonschema_rs.Draft4Validator({"type": "string", "format": name}, validate_formats=True)

        def check(value: object, _rs: Any = rs) -> bool:
            return not isinstance(value, str) or bool(_rs.is_valid(value))

        FORMAT_CHECKER.checks(name)(check)


_use_schemathesis_formats()


# -- JSON at the door ------------------------------------------------------------------------------
# What json.loads lets through but nothing downstream can keep: a lone UTF-16 surrogate escape
# ("\ud800") becomes a str that cannot be encoded as UTF-8 (SQLite and every response would fail with
# UnicodeEncodeError), and 1e999 becomes float('inf'), which json.dumps writes as the non-JSON token
# Infinity. Both are refused here, before any operation sees the body.


class UnsafeJson(ValueError):
    """A request body that is valid JSON text but holds a value the service cannot store or echo."""


def _reject_constant(name: str) -> Any:
    raise UnsafeJson(f"{name} is not a JSON value")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise UnsafeJson(f"the number {text[:40]} is outside the range of a double")
    return value


def _double_range_int(text: str) -> int:
    value = int(text)  # Python refuses more than sys.int_info.str_digits_check_threshold digits itself
    if abs(value) > sys.float_info.max:
        # RFC 8259 §6: numbers beyond IEEE 754 double range are not interoperable (.NET cannot read them).
        raise UnsafeJson(f"the number {text[:40]}... is outside the range of a double")
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _has_lone_surrogate(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not item.isascii() and _SURROGATE.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def parse_request_json(text: str) -> Any:
    """``json.loads`` for request bodies; raises ValueError (UnsafeJson for the cases above) on bad input.

    Rejects NaN/Infinity, numbers outside the range of a double (``1e999``) and lone surrogate escapes
    in any string or key. A surrogate can only come from a ``\\u`` escape (the UTF-8 decoder refuses
    encoded surrogates), so the walk is skipped when the text has none.
    """
    value = json.loads(
        text, parse_constant=_reject_constant, parse_float=_finite_float, parse_int=_double_range_int
    )
    if "\\u" in text and _has_lone_surrogate(value):
        raise UnsafeJson("a string holds a lone UTF-16 surrogate escape (\\ud800-\\udfff), not a character")
    return value


# -- conversion ----------------------------------------------------------------------------------


def _is_flagged(schema: Any, flag: str, components: dict[str, Any]) -> bool:
    seen: set[str] = set()
    while isinstance(schema, dict):
        if schema.get(flag) is True:
            return True
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith(REF_PREFIX) or ref in seen:
            all_of = schema.get("allOf")
            if isinstance(all_of, list):
                return any(_is_flagged(s, flag, components) for s in all_of)
            return False
        seen.add(ref)
        schema = components.get(ref[len(REF_PREFIX) :])
    return False


def convert(schema: Any, components: dict[str, Any], *, request: bool) -> Any:
    """An OpenAPI 3.0 schema object -> JSON Schema Draft 4 (a new object; the input is untouched)."""
    if isinstance(schema, list):
        return [convert(s, components, request=request) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("properties", "patternProperties"):
            out[key] = {name: convert(sub, components, request=request) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[key] = convert(value, components, request=request)
        elif key in ("example", "examples", "discriminator", "xml", "externalDocs", "deprecated") or (
            key.startswith("x-")
        ):
            continue
        else:
            out[key] = copy.deepcopy(value)
    if out.get("nullable") is True:
        kind = out.get("type")
        if isinstance(kind, str):
            out["type"] = [kind, "null"]
        if isinstance(out.get("enum"), list) and None not in out["enum"]:
            out["enum"] = [*out["enum"], None]
        if "$ref" in out or not kind:
            # `nullable` next to a $ref or without a type: allow null explicitly.
            ref_or_rest = {k: v for k, v in out.items() if k != "nullable"}
            out = {"anyOf": [ref_or_rest, {"type": "null"}]}
    out.pop("nullable", None)
    forbidden_flag = "readOnly" if request else "writeOnly"
    props = out.get("properties")
    if isinstance(props, dict):
        original = schema.get("properties") or {}
        for name in list(props):
            if _is_flagged(original.get(name), forbidden_flag, components):
                props[name] = {"not": {}}
                req = out.get("required")
                if isinstance(req, list) and name in req:
                    req.remove(name)
        if isinstance(out.get("required"), list) and not out["required"]:
            del out["required"]
    return out


class SchemaSet:
    """The spec's component schemas converted for one direction (request or response)."""

    def __init__(self, components: dict[str, Any], *, request: bool) -> None:
        self.request = request
        self.raw = components
        self.converted = {name: convert(s, components, request=request) for name, s in components.items()}
        self._root = {"components": {"schemas": self.converted}}
        self._component_validators: dict[str, Draft4Validator] = {}

    def validator(self, schema: dict[str, Any]) -> Draft4Validator:
        converted = convert(schema, self.raw, request=self.request)
        document = {"allOf": [converted], **self._root}
        return Draft4Validator(document, format_checker=FORMAT_CHECKER)

    def component_error(self, name: str, value: Any) -> str | None:
        """Why ``value`` violates the named component schema, None when it is valid (for a handler that
        validates a body it has assembled, e.g. a profile after a JSON Patch)."""
        validator = self._component_validators.get(name)
        if validator is None:
            validator = self._component_validators[name] = self.validator({"$ref": f"{REF_PREFIX}{name}"})
        return first_error(validator, value)

    def without_read_only(self, name: str, value: Any) -> Any:
        """``value`` without the members the named component schema marks readOnly."""
        return strip_read_only(value, {"$ref": f"{REF_PREFIX}{name}"}, self.raw)

    def resolve(self, schema: Any) -> Any:
        seen: set[str] = set()
        while isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if not ref.startswith(REF_PREFIX) or ref in seen:
                return {}
            seen.add(ref)
            schema = self.converted.get(ref[len(REF_PREFIX) :], {})
        return schema


def first_error(validator: Draft4Validator, instance: Any) -> str | None:
    """The most relevant violation as one readable line, or None when the instance is valid."""
    try:
        if validator.is_valid(instance):  # the common case, without building error objects
            return None
        error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    except RecursionError:
        return "The request is nested too deeply."
    if error is None:
        return None
    where = "/".join(str(p) for p in error.absolute_path)
    message = error.message if len(error.message) <= 200 else error.message[:200] + "..."
    return f"{where}: {message}" if where else message


def _merge_all_of(schema: dict[str, Any], schemas: SchemaSet) -> dict[str, Any]:
    branches = schema.get("allOf")
    if not isinstance(branches, list):
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    props: dict[str, Any] = dict(merged.get("properties") or {})
    required: list[str] = list(merged.get("required") or [])
    for branch in branches:
        resolved = _merge_all_of(schemas.resolve(branch), schemas)
        props.update(resolved.get("properties") or {})
        required.extend(r for r in resolved.get("required") or [] if r not in required)
        for key in ("type", "additionalProperties"):
            if key in resolved and key not in merged:
                merged[key] = resolved[key]
    if props:
        merged["properties"] = props
    if required:
        merged["required"] = required
    return merged


def _neutral(schema: Any, schemas: SchemaSet, depth: int = 0) -> Any:
    """The plainest value a schema accepts (used to fill required properties the data lacks)."""
    schema = _merge_all_of(schemas.resolve(schema), schemas) if isinstance(schema, dict) else {}
    if "default" in schema:
        return schema["default"]
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    if "null" in kinds:
        return None
    if "object" in kinds or "properties" in schema:
        if depth > 10:
            return {}
        props = schema.get("properties") or {}
        return {k: _neutral(props[k], schemas, depth + 1) for k in schema.get("required") or [] if k in props}
    if "array" in kinds:
        return []
    if "boolean" in kinds:
        return False
    if "integer" in kinds:
        return max(int(schema.get("minimum", 0) or 0), 0)
    if "number" in kinds:
        return float(schema.get("minimum", 0) or 0)
    fmt = schema.get("format")
    if fmt == "date-time":
        return "2000-01-01T00:00:00Z"
    if fmt == "date":
        return "2000-01-01"
    return "x" * int(schema.get("minLength", 0) or 0)


def strip_read_only(value: Any, schema: Any, components: dict[str, Any], depth: int = 0) -> Any:
    """A copy of ``value`` without the properties the (raw OpenAPI) schema marks readOnly.

    Used before validating a patched document as a request body: a PATCH works on the resource as the
    API returns it, read-only parts included, but those parts are the service's, not the client's.
    """
    seen: set[str] = set()
    while isinstance(schema, dict) and isinstance(schema.get("$ref"), str) and schema["$ref"] not in seen:
        seen.add(schema["$ref"])
        schema = components.get(schema["$ref"][len(REF_PREFIX) :], {})
    if not isinstance(schema, dict) or depth > 30:
        return value
    if isinstance(value, list):
        return [strip_read_only(v, schema.get("items", {}), components, depth + 1) for v in value]
    if not isinstance(value, dict):
        return value
    props: dict[str, Any] = dict(schema.get("properties") or {})
    for branch in schema.get("allOf") or []:
        resolved = branch
        if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
            resolved = components.get(branch["$ref"][len(REF_PREFIX) :], {})
        if isinstance(resolved, dict):
            props.update(resolved.get("properties") or {})
    out = {}
    for key, item in value.items():
        sub = props.get(key)
        if sub is not None and _is_flagged(sub, "readOnly", components):
            continue
        out[key] = strip_read_only(item, sub, components, depth + 1) if sub is not None else item
    return out


# -- compiled pruning (the hot path) ---------------------------------------------------------------


class PrunePlan:
    """What pruning does at one schema node, computed once: keep declared properties, fill required."""

    __slots__ = ("fill", "items", "kind", "props")

    def __init__(self, kind: str) -> None:
        self.kind = kind  # "object" (closed: undeclared keys dropped), "open-object", "array"
        self.props: dict[str, PrunePlan | None] = {}
        self.fill: list[tuple[str, Any]] = []
        self.items: PrunePlan | None = None


def compile_plan(
    schema: Any, schemas: SchemaSet, _memo: dict[int, PrunePlan | None] | None = None
) -> PrunePlan | None:
    """A pruning plan for a (converted) schema; None where nothing needs to be done."""
    memo = {} if _memo is None else _memo
    resolved = schemas.resolve(schema)
    if not isinstance(resolved, dict):
        return None
    key = id(resolved)
    if key in memo:
        return memo[key]
    if "anyOf" in resolved or "oneOf" in resolved:
        memo[key] = None
        return None
    merged = _merge_all_of(resolved, schemas)
    kind = merged.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    if "array" in kinds:
        plan = PrunePlan("array")
        memo[key] = plan
        plan.items = compile_plan(merged.get("items", {}), schemas, memo)
        if plan.items is None:
            memo[key] = None
            return None
        return plan
    props = merged.get("properties")
    if not isinstance(props, dict) or not props:
        memo[key] = None
        return None
    extra = merged.get("additionalProperties", False)
    plan = PrunePlan("open-object" if extra is True or isinstance(extra, dict) else "object")
    memo[key] = plan
    for name, sub in props.items():
        plan.props[name] = None if sub == {"not": {}} else compile_plan(sub, schemas, memo)
    forbidden = {name for name, sub in props.items() if sub == {"not": {}}}
    plan.props = {k: v for k, v in plan.props.items() if k not in forbidden}
    for name in merged.get("required") or []:
        if name in props and name not in forbidden:
            plan.fill.append((name, _neutral(props[name], schemas)))
    return plan


def prune(value: Any, plan: PrunePlan | None, repairs: list[str] | None = None, where: str = "") -> Any:
    """Apply a plan: drop undeclared properties of closed objects, fill missing required ones."""
    if plan is None:
        return value
    if plan.kind == "array":
        if not isinstance(value, list):
            return value
        return [prune(v, plan.items, repairs, f"{where}/{i}") for i, v in enumerate(value)]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    props = plan.props
    closed = plan.kind == "object"
    for key, item in value.items():
        if key in props:
            child = props[key]
            out[key] = item if child is None else prune(item, child, repairs, f"{where}/{key}")
        elif not closed:
            out[key] = item
        elif repairs is not None:
            repairs.append(f"{where or '/'}: dropped undeclared {key!r}")
    for key, neutral in plan.fill:
        if key not in out:
            if repairs is not None:
                repairs.append(f"{where or '/'}: filled missing required {key!r}")
            out[key] = copy.deepcopy(neutral)
    return out
