"""Lenient response validation: a copy of the spec whose RESPONSE schemas allow undeclared fields.

Strict mode runs the spec as written: its response objects say ``additionalProperties: false``, so
Schemathesis's ``response_schema_conformance`` reports every undeclared field. Lenient mode (default on
real targets, whose responses often carry fields the docs do not list) runs this transformed copy.

Only what responses use is relaxed: a component schema that a response references is cloned as
``<Name>__lenient`` (recursively) and the response is pointed at the clone, so request bodies keep
their ``additionalProperties: false`` and negative-data generation is unchanged. Works for OpenAPI
3.x (``#/components/schemas``) and Swagger 2.0 (``#/definitions``).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from mypref_harness.spec.operations import operation_objects

LENIENT_SUFFIX = "__lenient"


def _schema_container(document: dict[str, Any], ref: str) -> tuple[dict[str, Any], str] | None:
    """(dict holding the named schema, name) for a '#/components/schemas/X' or '#/definitions/X' ref."""
    for prefix, path in (
        ("#/components/schemas/", ("components", "schemas")),
        ("#/definitions/", ("definitions",)),
    ):
        if ref.startswith(prefix):
            node: Any = document
            for part in path:
                node = node.get(part) if isinstance(node, dict) else None
            name = ref[len(prefix) :]
            if isinstance(node, dict) and name in node:
                return node, name
    return None


class _Relaxer:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.cloned: set[str] = set()
        self.relaxed = 0

    def schema(self, node: Any) -> Any:
        if isinstance(node, list):
            return [self.schema(item) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str):
            return {**node, "$ref": self.clone(ref)}
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "additionalProperties" and value is False:
                self.relaxed += 1
                continue
            if key in ("properties", "patternProperties", "definitions", "$defs") and isinstance(value, dict):
                out[key] = {k: self.schema(v) for k, v in value.items()}
            elif key in ("example", "examples", "default", "enum", "const"):
                out[key] = value  # data, not schema
            else:
                out[key] = self.schema(value)
        return out

    def clone(self, ref: str) -> str:
        found = _schema_container(self.document, ref)
        if found is None:
            return ref
        container, name = found
        if name.endswith(LENIENT_SUFFIX):
            return ref
        new_name = name + LENIENT_SUFFIX
        new_ref = ref[: -len(name)] + new_name
        if new_name not in self.cloned:
            self.cloned.add(new_name)
            container[new_name] = {}  # placeholder first: recursive schemas terminate
            container[new_name] = self.schema(copy.deepcopy(container[name]))
        return new_ref

    def response(self, response: Any) -> Any:
        if not isinstance(response, dict):
            return response
        ref = response.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/responses/"):
            target = (self.document.get("components") or {}).get("responses", {}).get(ref.rsplit("/", 1)[-1])
            if isinstance(target, dict):
                response = copy.deepcopy(target)  # inline, so the shared response stays strict
        out = dict(response)
        if isinstance(out.get("content"), dict):  # OpenAPI 3
            out["content"] = {
                media: (
                    {**body, "schema": self.schema(body["schema"])}
                    if isinstance(body, dict) and "schema" in body
                    else body
                )
                for media, body in out["content"].items()
            }
        if "schema" in out:  # Swagger 2.0
            out["schema"] = self.schema(out["schema"])
        return out


def _operations(doc: dict[str, Any]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(path item, operation) of every operation of ``doc``, a copy this module changes in place, through
    the spec's one operation walk (spec.operations)."""
    for found in operation_objects(doc):
        if isinstance(found.item, dict) and isinstance(found.raw, dict):
            yield found.item, found.raw


def _path_items(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Each path item that holds an operation, once (their ``parameters`` apply to all of them)."""
    seen: set[int] = set()
    for item, _ in _operations(doc):
        if id(item) not in seen:
            seen.add(id(item))
            yield item


def lenient_spec(document: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """A relaxed deep copy of ``document`` and the number of ``additionalProperties: false`` removed."""
    doc = copy.deepcopy(dict(document))
    relaxer = _Relaxer(doc)
    for _, operation in _operations(doc):
        responses = operation.get("responses")
        if isinstance(responses, dict):
            operation["responses"] = {status: relaxer.response(r) for status, r in responses.items()}
    return doc, relaxer.relaxed


def unconstrain_path_parameters(document: Mapping[str, Any], names: set[str]) -> tuple[dict[str, Any], int]:
    """A copy where the path parameters ``names`` accept any string.

    The run pins them (``[parameters]`` in the run's toml): Schemathesis would still generate
    "negative" values for their constraints (e.g. a ClientId over maxLength), send the pinned valid
    value instead, and then report the accepted request as a negative_data_rejection failure. With
    no constraints there is no negative space, so no such false findings.
    """
    doc = copy.deepcopy(dict(document))
    changed = 0

    def fix(params: Any) -> None:
        nonlocal changed
        for p in params if isinstance(params, list) else []:
            if isinstance(p, dict) and p.get("in") == "path" and p.get("name") in names:
                if "schema" in p:
                    p["schema"] = {"type": "string"}
                else:  # Swagger 2.0: the schema keywords sit on the parameter itself
                    for keyword in ("minLength", "maxLength", "pattern", "enum", "format"):
                        p.pop(keyword, None)
                changed += 1

    components = doc.get("components")
    if isinstance(components, dict) and isinstance(components.get("parameters"), dict):
        fix(list(components["parameters"].values()))
    if isinstance(doc.get("parameters"), dict):
        fix(list(doc["parameters"].values()))
    for item in _path_items(doc):
        fix(item.get("parameters"))
    for _, operation in _operations(doc):
        fix(operation.get("parameters"))
    return doc, changed


def select_operations(document: Mapping[str, Any], keep: Callable[[str], bool]) -> tuple[dict[str, Any], int]:
    """A copy holding only the paths with at least one operation that ``keep`` accepts ("METHOD /path").

    Schemathesis spends seconds loading all 110 operations even when a filter selects two, so a
    targeted run gets a smaller spec. Whole path items are kept: dropping a sibling method would make
    it "undeclared" (unsupported_method would then expect 405, allow_header_conformance would object to
    the Allow header). The run still selects the operations with --include-name-regex. Links to
    operations outside the selection go too. Returns the copy and the number of operations kept.
    """
    doc = copy.deepcopy(dict(document))
    chosen = {found.path for found in operation_objects(doc) if keep(found.label)}
    doc["paths"] = {path: item for path, item in (doc.get("paths") or {}).items() if path in chosen}
    kept = list(operation_objects(doc))
    operations = [found.raw for found in kept if isinstance(found.raw, dict)]
    # Links are kept only between selected operations: Schemathesis reports an error when every link
    # of the spec points at an operation the filter excludes.
    selected_ids = {found.operation_id for found in kept if found.operation_id and keep(found.label)}
    for operation in operations:
        source_selected = operation.get("operationId") in selected_ids
        for response in (operation.get("responses") or {}).values():
            for key in ("links", "x-links"):  # OpenAPI 3 / Swagger 2.0
                links = response.get(key) if isinstance(response, dict) else None
                if isinstance(links, dict):
                    response[key] = {
                        name: link
                        for name, link in links.items()
                        if source_selected
                        and (not isinstance(link, dict) or link.get("operationId") in selected_ids)
                    }
    return doc, len(operations)


def drop_free_form_query_objects(document: Mapping[str, Any]) -> tuple[dict[str, Any], int]:
    """A copy without exploded form-style object query parameters (``?Brand=ACME&Region=South``).

    Such a parameter makes every query key a value of it, and on the wire every value is a string, so it
    has no invalid form: Schemathesis's "negative" data for it (a number, ``null``, an odd key) reaches
    the target as another valid custom property, and a target that rightly accepts it got a
    ``negative_data_rejection`` finding (``GET /{clientId}/Programs/IncludeAll``, seed-dependent, on a
    clean target). Only the run's copy drops them; requests simply carry no custom properties.
    Returns the copy and the number of parameters dropped.
    """
    doc = copy.deepcopy(dict(document))
    dropped = 0

    def free_form(p: Any) -> bool:
        if not isinstance(p, dict) or p.get("in") != "query":
            return False
        schema = p.get("schema")
        is_object = isinstance(schema, dict) and (
            schema.get("type") == "object" or "additionalProperties" in schema
        )
        return is_object and p.get("style", "form") == "form" and p.get("explode", True) is not False

    def keep(params: Any) -> Any:
        nonlocal dropped
        if not isinstance(params, list):
            return params
        kept = [p for p in params if not free_form(p)]
        dropped += len(params) - len(kept)
        return kept

    for item in _path_items(doc):
        if "parameters" in item:
            item["parameters"] = keep(item["parameters"])
    for _, operation in _operations(doc):
        if "parameters" in operation:
            operation["parameters"] = keep(operation["parameters"])
    return doc, dropped
