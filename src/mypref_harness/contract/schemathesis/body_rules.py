"""Request-body rules that a spec leaves out, restored in the run's copy: each with its basis.

Schemathesis takes a request body's schema as the whole truth: what the schema allows is "valid" data,
and a target that rejects it gets a ``positive_data_acceptance`` finding. A Swagger 2.0 file cannot say
"one of" at all, so its bodies are looser than the API: a Swashbuckle export of the v4 API lets a JSON
Patch operation be ``{"op": "add", "path": "/x"}`` without a value, and a segment export name
``MatchCriteria: AlternateId`` without its ``MatchType``. A target that rightly rejects those got 16
findings on a clean sandbox (issue 13). The run's copy of the spec gets the missing alternatives back:

- ``x-one-of``: the file's own ``x-oneOf`` / ``x-anyOf`` extension (how a 2.0 file, ours among them,
  keeps the alternatives it could not state) becomes ``oneOf`` / ``anyOf``. Basis: the file itself.
- ``json-patch-operation``: an object of the shape of an RFC 6902 operation (``op`` and ``path``, with
  at most ``from`` and ``value`` besides) gets one alternative per kind of operation: ``value`` for
  add/replace/test, ``from`` for move/copy, neither for remove (RFC 6902 section 4), limited to the
  catalog's subset. Basis: the catalog.
- ``alternate-id-match-type``: an object with ``MatchCriteria`` (one of whose values is ``AlternateId``)
  and ``MatchType`` needs the type name with ``AlternateId``. Basis: the catalog.

A rule only adds alternatives where the schema states none: a spec with its own ``oneOf`` is left as its
author wrote it. Only schemas that request bodies reach are changed (the shared definitions they name
are changed in the run's copy, where responses that name them see the same, stricter, schema).
Each alternative only narrows what the schema already allows, so negative data keeps its meaning.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from mypref_harness.spec.operations import operation_objects, request_body_schemas
from mypref_harness.spec.refs import UnresolvableRef, is_local_ref, pointer_target

# RFC 6902 section 4: the members each kind of operation needs besides op and path.
RFC6902_MEMBERS: dict[str, tuple[str, ...]] = {
    "add": ("value",),
    "remove": (),
    "replace": ("value",),
    "move": ("from",),
    "copy": ("from",),
    "test": ("value",),
}
# ASP.NET Core's JsonPatch Operation class also has an ``operationType`` (ignored by its JSON writer, but
# listed by a Swashbuckle that does not read Newtonsoft's [JsonIgnore]).
PATCH_OPERATION_KEYS = frozenset({"op", "path", "from", "value", "operationType"})
# The catalog's JSON Patch subset (endpoints.json, every PATCH operation's rules).
CATALOG_PATCH_OPS = ("add", "remove", "replace", "test")
ALTERNATE_ID = "AlternateId"
_COMBINATORS = ("oneOf", "anyOf")


@dataclass(frozen=True)
class BodyRule:
    """A rule of request bodies that a spec may leave out: its name, basis, and how to apply it."""

    name: str
    basis: str  # "spec": the file says it itself; "catalog": the endpoint catalog (quoted in source)
    source: str
    rewrite: Callable[[dict[str, Any], bool], bool]  # (schema, swagger2) -> changed it

    def describe(self) -> str:
        return f"{self.name} ({self.basis}: {self.source})"


def _promote_extension(schema: dict[str, Any], swagger2: bool) -> bool:
    if not swagger2:
        return False
    changed = False
    for combinator in _COMBINATORS:
        alternatives = schema.get(f"x-{combinator}")
        if isinstance(alternatives, list) and alternatives and combinator not in schema:
            schema[combinator] = schema.pop(f"x-{combinator}")
            changed = True
    return changed


def _is_patch_operation(schema: Mapping[str, Any]) -> bool:
    properties = schema.get("properties")
    return (
        isinstance(properties, Mapping)
        and {"op", "path"} <= set(properties)
        and set(properties) <= PATCH_OPERATION_KEYS
    )


def _json_patch_operation(schema: dict[str, Any], swagger2: bool) -> bool:
    if not _is_patch_operation(schema):
        return False
    declared = (
        schema["properties"]["op"].get("enum") if isinstance(schema["properties"]["op"], Mapping) else None
    )
    ops = [op for op in (declared or RFC6902_MEMBERS) if op in CATALOG_PATCH_OPS]
    kinds: dict[tuple[str, ...], list[str]] = {}
    for op in ops:
        kinds.setdefault(RFC6902_MEMBERS[op], []).append(op)
    if not kinds:  # only operations outside the catalog's subset: nothing valid to describe
        return False
    schema["oneOf"] = [
        {"properties": {"op": {"enum": kind_ops}}, "required": ["op", "path", *members]}
        for members, kind_ops in kinds.items()
    ]
    return True


def _is_nullable(schema: Mapping[str, Any], swagger2: bool) -> bool:
    return bool(schema.get("x-nullable" if swagger2 else "nullable")) or None in (schema.get("enum") or [])


def _alternate_id_match_type(schema: dict[str, Any], swagger2: bool) -> bool:
    properties = schema.get("properties")
    if not isinstance(properties, Mapping) or "MatchType" not in properties:
        return False
    criteria = properties.get("MatchCriteria")
    if not isinstance(criteria, Mapping):
        return False
    values = criteria.get("enum")
    if (
        not isinstance(values, list)
        or ALTERNATE_ID not in values
        or "MatchType" in (schema.get("required") or [])
    ):
        return False
    others = [value for value in values if value != ALTERNATE_ID and value is not None]
    if _is_nullable(criteria, swagger2):
        others.append(None)
    # absent, null or another criterion (JSON Schema wants an enum of one value at least)
    without = (
        {"properties": {"MatchCriteria": {"enum": others}}}
        if others
        else {"not": {"required": ["MatchCriteria"]}}
    )
    schema["oneOf"] = [
        {
            "properties": {
                "MatchCriteria": {"enum": [ALTERNATE_ID]},
                "MatchType": {"type": "string", "minLength": 1},
            },
            "required": ["MatchCriteria", "MatchType"],
        },
        without,
    ]
    return True


BODY_RULES: tuple[BodyRule, ...] = (
    BodyRule("x-one-of", "spec", "its own x-oneOf / x-anyOf: Swagger 2.0 has no oneOf", _promote_extension),
    BodyRule(
        "json-patch-operation",
        "catalog",
        "JSON Patch (RFC 6902) subset: add, remove, replace, test only; move/copy rejected",
        _json_patch_operation,
    ),
    BodyRule(
        "alternate-id-match-type",
        "catalog",
        "MatchType: required for AlternateId (AlternateIdType); optional type filter otherwise"
        " (customer/phone/email type)",
        _alternate_id_match_type,
    ),
)


def restore_body_rules(document: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    """A copy of ``document`` whose request-body schemas carry the alternatives of BODY_RULES where they
    state none; and for each rule that changed something, how many operations' bodies it reaches."""
    doc = copy.deepcopy(dict(document))
    swagger2 = str(doc.get("swagger", "")).startswith("2.")
    rule_at: dict[int, str] = {}  # id of a changed schema -> the rule that changed it
    applied: dict[str, int] = {}

    def visit(node: Any, alternative: bool, seen: set[int], reached: set[str]) -> None:
        while is_local_ref(node):
            try:
                node = pointer_target(doc, node["$ref"])
            except UnresolvableRef:  # an unresolvable reference is the spec loader's to report, not ours
                return
        if not isinstance(node, dict) or id(node) in seen:
            return
        seen.add(id(node))
        if id(node) in rule_at:  # a definition another operation's body reached first
            reached.add(rule_at[id(node)])
        # An alternative of a oneOf is already one of the cases a rule would spell out.
        elif not alternative and not any(combinator in node for combinator in _COMBINATORS):
            for body_rule in BODY_RULES:
                if body_rule.rewrite(node, swagger2):
                    rule_at[id(node)] = body_rule.name
                    reached.add(body_rule.name)
                    break
        for child, is_alternative in _subschemas(node):
            visit(child, is_alternative, seen, reached)

    for found in operation_objects(doc):
        schemas = request_body_schemas(doc, found)
        reached: set[str] = set()
        for schema in schemas:
            visit(schema, False, set(), reached)
        for name in reached:
            applied[name] = applied.get(name, 0) + 1
    return doc, {
        body_rule.name: applied[body_rule.name] for body_rule in BODY_RULES if body_rule.name in applied
    }


def _subschemas(schema: Mapping[str, Any]) -> Iterator[tuple[Any, bool]]:
    """Each schema nested in ``schema``, and whether it is an alternative of a combinator."""
    for key in ("properties", "patternProperties"):
        if isinstance(schema.get(key), Mapping):
            yield from ((child, False) for child in schema[key].values())
    for key in ("items", "additionalProperties", "not"):
        if isinstance(schema.get(key), Mapping):
            yield schema[key], False
    for key in ("allOf", "oneOf", "anyOf", "x-oneOf", "x-anyOf"):
        if isinstance(schema.get(key), list):  # allOf's parts all apply: none is an alternative
            yield from ((child, key != "allOf") for child in schema[key])


def describe_applied(applied: Mapping[str, int]) -> list[str]:
    """One line per rule that changed the run's spec: how many operations' bodies, why, on what basis."""
    rules = {body_rule.name: body_rule for body_rule in BODY_RULES}
    return [
        f"{count} operation(s) given the alternatives of {rules[name].describe()}"
        for name, count in applied.items()
        if name in rules
    ]
