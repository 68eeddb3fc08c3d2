"""The operations of a document: the HTTP methods OpenAPI knows and the one walk over ``paths``.

Every module that needs "each operation of the spec" asks here, so that a path item written as a
reference, a non-mapping entry or a method key in any case is handled the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mypref_harness.spec.refs import is_local_ref, resolve_if_possible, resolve_or

# The operation keys of an OpenAPI path item (Swagger 2.0 has the same ones but trace), in the
# order the OpenAPI specification lists them; a path's operations are visited in this order.
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
CONFIDENCE_LEVELS = ("high", "medium", "guess")
UNKNOWN_CONFIDENCE = "unknown"  # operations of a spec without x-route-confidence (e.g. the official file)
UNTAGGED = "(untagged)"


@dataclass(frozen=True)
class OperationObject:
    """One operation as the document writes it: where it stands and its raw objects."""

    path: str  # template as written in the spec, e.g. "/{clientId}/Profile/{profileId}"
    method: str  # lower case, the key in the path item
    item: Mapping[str, Any]  # the path item (its ``parameters`` apply to every operation under it)
    raw: Mapping[str, Any]  # the operation object

    @property
    def operation_id(self) -> str | None:
        value = self.raw.get("operationId")
        return str(value) if value else None

    @property
    def label(self) -> str:
        """The name Schemathesis gives the operation: METHOD /path."""
        return f"{self.method.upper()} {self.path}"


@dataclass(frozen=True)
class Operation:
    method: str  # upper case, e.g. "GET"
    path: str  # template as written in the spec, e.g. "/{clientId}/Profile/{profileId}"
    operation_id: str | None
    tags: tuple[str, ...]
    confidence: str  # high | medium | guess | unknown

    @property
    def area(self) -> str:
        return self.tags[0] if self.tags else UNTAGGED

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"


def operation_objects(document: Mapping[str, Any]) -> Iterator[OperationObject]:
    """Every operation of ``document``: paths in document order, each path's methods in METHODS order.

    A path item given as a local ``$ref`` is followed (an unresolvable one has no operations).
    """
    for path, item in (document.get("paths") or {}).items():
        if is_local_ref(item):
            item = resolve_or(document, item, {})
        if not isinstance(item, Mapping):
            continue
        for method in METHODS:
            raw = item.get(method)
            if isinstance(raw, Mapping):
                yield OperationObject(str(path), method, item, raw)


def iter_operations(document: Mapping[str, Any]) -> Iterator[Operation]:
    for found in operation_objects(document):
        yield Operation(
            method=found.method.upper(),
            path=found.path,
            operation_id=found.raw.get("operationId"),
            tags=tuple(str(t) for t in found.raw.get("tags") or ()),
            confidence=str(found.raw.get("x-route-confidence") or UNKNOWN_CONFIDENCE),
        )


def operation_names(document: Mapping[str, Any]) -> dict[str, str]:
    """operationId (or "METHOD /path" when missing) -> Schemathesis label "METHOD /path"."""
    return {found.operation_id or found.label: found.label for found in operation_objects(document)}


def operation_parameters(
    document: Mapping[str, Any], item: Mapping[str, Any], operation: Mapping[str, Any]
) -> list[Mapping[str, Any]]:
    """The parameter objects that apply to an operation: its path item's, then its own, references
    followed (one that cannot be followed is left out)."""
    declared = [*(item.get("parameters") or []), *(operation.get("parameters") or [])]
    resolved = (resolve_if_possible(document, p) for p in declared)
    return [p for p in resolved if isinstance(p, Mapping) and not is_local_ref(p)]


def request_body_schemas(document: Mapping[str, Any], found: OperationObject) -> list[Any]:
    """The schema of each form of an operation's request body: its Swagger 2.0 ``in: body`` parameter's,
    or each media type's of its OpenAPI 3 ``requestBody`` (references to request bodies followed)."""
    schemas = [
        p.get("schema")
        for p in operation_parameters(document, found.item, found.raw)
        if p.get("in") == "body"
    ]
    body = resolve_if_possible(document, found.raw.get("requestBody"))
    content = body.get("content") if isinstance(body, Mapping) else None
    if isinstance(content, Mapping):
        schemas += [media.get("schema") for media in content.values() if isinstance(media, Mapping)]
    return schemas


def takes_request_body(document: Mapping[str, Any], found: OperationObject) -> bool:
    """Whether an operation takes a request body: an OpenAPI 3 ``requestBody``, or Swagger 2.0 body or
    form parameters."""
    if found.raw.get("requestBody") is not None:
        return True
    return any(
        p.get("in") in ("body", "formData") for p in operation_parameters(document, found.item, found.raw)
    )
