"""Compare two JSON schemas of one message and say which differences break a client.

The direction decides: a client *sends* a request, so a request schema that accepts less than
before (a type changed, an enum value removed, a new or tighter maxLength/pattern, a new required
field) breaks it; a client *reads* a response, so a response schema that may now carry more or
other than before (a field removed or no longer required, a type changed, a new enum value, a
looser limit) breaks it. The opposite differences are listed as non-breaking. This is the rule
oasdiff and openapi-diff apply; both schemas may be written with local ``$ref`` chains and
``allOf`` (Swashbuckle writes both), which are followed and merged.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from mypref_harness.spec.refs import resolve_or

Direction = Literal["request", "response"]


@dataclass(frozen=True)
class SchemaChange:
    kind: str  # e.g. "type-changed", "enum-value-removed", "property-removed"
    breaking: bool
    where: str  # "/Profile/Email", "[]" for array items; "" for the schema itself
    message: str


# Limits: (keyword, True when a larger value accepts more). A limit that appears counts as tighter.
_LIMITS = (
    ("maxLength", True),
    ("minLength", False),
    ("maximum", True),
    ("minimum", False),
    ("maxItems", True),
    ("minItems", False),
)
# A type change a reader can absorb: every integer is a number.
_WIDER_TYPE = {("integer", "number")}


# What one pair of named schemas ($ref, $ref, direction) differs by, relative to where they stand.
Memo = dict[tuple[str, str, str], list[SchemaChange]]


class _Walk:
    def __init__(
        self, old_doc: Mapping[str, Any], new_doc: Mapping[str, Any], direction: Direction, memo: Memo
    ) -> None:
        self.old_doc, self.new_doc, self.direction = old_doc, new_doc, direction
        self.changes: list[SchemaChange] = []
        # The schema pairs being compared on the way down: a recursive schema ($ref to an ancestor) ends.
        self._open: set[tuple[str, str]] = set()
        self._cuts = 0  # how often a recursion was cut: a result cut short is not remembered
        self._memo = memo

    def add(self, kind: str, *, tighter: bool, where: str, message: str) -> None:
        """A difference that makes the schema accept less (``tighter``) or more: which one breaks
        depends on who writes the message."""
        breaking = tighter if self.direction == "request" else not tighter
        self.changes.append(SchemaChange(kind, breaking, where, message))

    def compare(self, old: Any, new: Any, where: str) -> None:
        pair = (_identity(old), _identity(new))
        if pair in self._open:
            self._cuts += 1
            return
        # A named schema (Profile, Error) stands under many operations and statuses: compared once.
        key = (*pair, self.direction) if not any(p.startswith("@") for p in pair) else None
        if key is not None and key in self._memo:
            self.changes += [dataclasses.replace(c, where=where + c.where) for c in self._memo[key]]
            return
        start, cuts = len(self.changes), self._cuts
        self._open.add(pair)
        try:
            self._compare(_flat(self.old_doc, old), _flat(self.new_doc, new), where)
        finally:
            self._open.discard(pair)
        if key is not None and self._cuts == cuts:
            found = self.changes[start:]
            self._memo[key] = [dataclasses.replace(c, where=c.where[len(where) :]) for c in found]

    def _compare(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str) -> None:
        self._types(old, new, where)
        self._null(old, new, where)
        self._enum(old, new, where)
        self._limits(old, new, where)
        self._pattern(old, new, where)
        self._properties(old, new, where)
        if "items" in old or "items" in new:
            self.compare(old.get("items", {}), new.get("items", {}), where + "[]")

    def _types(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str) -> None:
        before, after = _type_of(old), _type_of(new)
        if before == after:
            return
        if not before or not after:
            tighter = not before  # a type that appears narrows "anything"; one that goes widens it
            self.add(
                "type-changed",
                tighter=tighter,
                where=where,
                message=f"type {before or 'any'} -> {after or 'any'}",
            )
            return
        if (before, after) in _WIDER_TYPE:
            self.add("type-widened", tighter=False, where=where, message=f"type {before} -> {after}")
        elif (after, before) in _WIDER_TYPE:
            self.add("type-narrowed", tighter=True, where=where, message=f"type {before} -> {after}")
        else:  # neither accepts the other's values: breaking whoever writes
            self.changes.append(SchemaChange("type-changed", True, where, f"type {before} -> {after}"))

    def _null(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str) -> None:
        before, after = _nullable(old), _nullable(new)
        if before != after:
            self.add(
                "nullable-changed",
                tighter=before,
                where=where,
                message="no longer nullable" if before else "became nullable",
            )

    def _enum(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str) -> None:
        before, after = _enum_of(old), _enum_of(new)
        if before == after:
            return
        if before is None or after is None:
            kind = "enum-added" if before is None else "enum-removed"
            self.add(kind, tighter=before is None, where=where, message=kind.replace("-", " "))
            return
        for value in sorted(before - after):
            self.add("enum-value-removed", tighter=True, where=where, message=f"enum value {value} removed")
        for value in sorted(after - before):
            self.add("enum-value-added", tighter=False, where=where, message=f"enum value {value} added")

    def _limits(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str) -> None:
        for keyword, larger_accepts_more in _LIMITS:
            before, after = _number(old.get(keyword)), _number(new.get(keyword))
            if before == after:
                continue
            if before is None or after is None:
                tighter = before is None
            else:
                tighter = (after < before) if larger_accepts_more else (after > before)
            self.add(
                f"{keyword}-changed",
                tighter=tighter,
                where=where,
                message=f"{keyword} {_shown(before)} -> {_shown(after)}",
            )

    def _pattern(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str) -> None:
        before, after = old.get("pattern"), new.get("pattern")
        if before == after:
            return
        message = f"pattern {before or 'none'} -> {after or 'none'}"
        if before and after:  # two regexes cannot be ordered: either side may now fail
            self.changes.append(SchemaChange("pattern-changed", True, where, message))
        else:
            self.add("pattern-changed", tighter=not before, where=where, message=message)

    def _properties(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str) -> None:
        before, after = _properties_of(old, self.direction), _properties_of(new, self.direction)
        if not before and not after:
            return
        was_required, is_required = _required(old), _required(new)
        for name in before.keys() - after.keys():
            # A request field that went is ignored or refused alike; a response field that went is missed.
            self.changes.append(
                SchemaChange(
                    "property-removed",
                    self.direction == "response",
                    f"{where}/{name}",
                    f"property {name} removed",
                )
            )
        for name in after.keys() - before.keys():
            required = name in is_required
            breaking = self.direction == "request" and required
            kind = "required-property-added" if required else "property-added"
            self.changes.append(SchemaChange(kind, breaking, f"{where}/{name}", kind.replace("-", " ")))
        for name in before.keys() & after.keys():
            if (name in was_required) != (name in is_required):
                now = "required" if name in is_required else "optional"
                self.add(
                    f"property-became-{now}",
                    tighter=name in is_required,
                    where=f"{where}/{name}",
                    message=f"property {name} became {now}",
                )
            self.compare(before[name], after[name], f"{where}/{name}")


def compare_schemas(
    old_doc: Mapping[str, Any],
    old: Any,
    new_doc: Mapping[str, Any],
    new: Any,
    direction: Direction,
    memo: Memo | None = None,
) -> list[SchemaChange]:
    """Every difference between schema ``old`` (of ``old_doc``) and ``new`` (of ``new_doc``). ``memo``:
    shared by the calls on one pair of documents, so that each pair of named schemas is compared once."""
    walk = _Walk(old_doc, new_doc, direction, {} if memo is None else memo)
    walk.compare(old, new, "")
    return walk.changes


def _flat(document: Mapping[str, Any], schema: Any) -> Mapping[str, Any]:
    """The schema with its local $ref followed and its allOf parts merged (properties and required
    add up; the first part that has a keyword gives it)."""
    schema = resolve_or(document, schema, {})
    if not isinstance(schema, Mapping):
        return {}
    alternatives = schema.get("oneOf", schema.get("anyOf"))
    if isinstance(alternatives, list) and alternatives:
        schema = _union(document, schema, alternatives)
    parts = schema.get("allOf")
    if not isinstance(parts, list):
        return schema
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
    properties = dict(merged.get("properties") or {})
    required = list(merged.get("required") or [])
    for part in parts:
        part = _flat(document, part)
        properties.update(part.get("properties") or {})
        required += [r for r in part.get("required") or [] if r not in required]
        for key, value in part.items():
            merged.setdefault(key, value)
    merged["properties"], merged["required"] = properties, required
    return merged


def _union(document: Mapping[str, Any], schema: Mapping[str, Any], alternatives: list[Any]) -> dict[str, Any]:
    """One schema that stands for oneOf/anyOf alternatives (what Swagger 2.0, which has neither, writes
    for them): every property of any alternative, required what all require, every enum value, the
    type they share."""
    flat = [_flat(document, a) for a in alternatives]
    merged: dict[str, Any] = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
    for key, value in flat[0].items():  # what every alternative says alike holds for the union
        if key not in ("properties", "required", "enum") and all(a.get(key) == value for a in flat[1:]):
            merged.setdefault(key, value)
    if any(_nullable(a) for a in flat):  # null passes when one alternative takes it
        merged["nullable"] = True
    types = {_type_of(a) for a in flat}
    if len(types) == 1 and "" not in types:
        merged.setdefault("type", types.pop())
    by_name: dict[str, list[Any]] = {}
    for alternative in flat:
        for name, value in (alternative.get("properties") or {}).items():
            by_name.setdefault(str(name), []).append(value)
    properties = {n: v[0] if len(v) == 1 else _union(document, {}, v) for n, v in by_name.items()}
    if properties:
        properties.update(merged.get("properties") or {})
        merged["properties"] = properties
        common = set.intersection(*(_required(a) for a in flat))
        merged["required"] = sorted(common | _required(merged))
    enums = [a.get("enum") for a in flat]
    if all(isinstance(e, list) for e in enums):
        merged.setdefault("enum", [v for e in enums for v in e])  # type: ignore[union-attr]
    return merged


def _type_of(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):  # OpenAPI 3.1: ["string", "null"] (null is _nullable's)
        return "|".join(sorted(str(k) for k in kind if k != "null"))
    if kind is None and "properties" in schema:
        return "object"
    return str(kind) if kind else ""


def _nullable(schema: Mapping[str, Any]) -> bool:
    """null is a value: OpenAPI 3.0 nullable, Swagger 2.0's x-nullable (Swashbuckle), 3.1 "null" in type."""
    kind = schema.get("type")
    in_type = isinstance(kind, list) and "null" in kind
    return schema.get("nullable") is True or schema.get("x-nullable") is True or in_type


def _enum_of(schema: Mapping[str, Any]) -> frozenset[str] | None:
    values = schema.get("enum")
    if not isinstance(values, list):
        return None
    return frozenset(json.dumps(v, sort_keys=True) for v in values)


def _properties_of(schema: Mapping[str, Any], direction: Direction) -> dict[str, Any]:
    """The properties a writer of this message deals with: a readOnly one is never sent, a writeOnly
    one never read."""
    hidden = "readOnly" if direction == "request" else "writeOnly"
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return {}
    return {str(k): v for k, v in properties.items() if not (isinstance(v, Mapping) and v.get(hidden))}


def _required(schema: Mapping[str, Any]) -> set[str]:
    required = schema.get("required")
    return {str(r) for r in required} if isinstance(required, list) else set()


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _shown(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def _identity(schema: Any) -> str:
    """A schema's name for the cycle guard: its reference, else the object itself."""
    if isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
        return str(schema["$ref"])
    return f"@{id(schema)}"
