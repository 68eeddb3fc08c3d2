"""Request-body rules a spec leaves out, restored in the run's copy (contract/schemathesis/body_rules.py).

Expected schemas are written out by hand from RFC 6902 section 4 and the catalog; whether a body is
valid is decided by the jsonschema library, not by the code under test.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mypref_harness.contract.schemathesis.body_rules import BODY_RULES, describe_applied, restore_body_rules

REPO = Path(__file__).resolve().parents[3]
CATALOG = REPO / "tools" / "spec" / "endpoints.json"

PATCH_OPERATION = {
    "type": "object",
    "properties": {
        "op": {"type": "string"},
        "path": {"type": "string"},
        "from": {"type": "string"},
        "value": {},
    },
    "required": ["op", "path"],
}
EXPORT_REQUEST = {
    "type": "object",
    "properties": {
        "MatchCriteria": {
            "type": "string",
            "enum": ["AlternateId", "ProfileId", "PhoneNumber", "EmailAddress", None],
            "x-nullable": True,
        },
        "MatchType": {"type": "string", "x-nullable": True},
        "Values": {"type": "array", "items": {"type": "string"}},
    },
}


def swagger2(definitions: dict[str, Any], body_ref: str, response_ref: str | None = None) -> dict[str, Any]:
    """A Swagger 2.0 document with one PATCH whose body is ``body_ref`` (and 200 answer ``response_ref``)."""
    response: dict[str, Any] = {"description": "OK"}
    if response_ref:
        response["schema"] = {"$ref": response_ref}
    return {
        "swagger": "2.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/{ClientId}/Thing/{Id}": {
                "parameters": [{"name": "ClientId", "in": "path", "required": True, "type": "string"}],
                "patch": {
                    "operationId": "Thing_Update",
                    "parameters": [
                        {"name": "Id", "in": "path", "required": True, "type": "string"},
                        {"name": "body", "in": "body", "required": True, "schema": {"$ref": body_ref}},
                    ],
                    "responses": {"200": response},
                },
            }
        },
        "definitions": copy.deepcopy(definitions),
    }


def openapi3(request_body: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI 3 document with one PATCH /x taking ``request_body``."""
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/x": {"patch": {"requestBody": request_body, "responses": {"200": {"description": "OK"}}}}
        },
        "components": copy.deepcopy(components),
    }


def valid(schema: dict[str, Any], document: dict[str, Any], instance: Any) -> bool:
    """Whether ``instance`` is valid against ``schema`` (JSON Schema draft 4); its local references name
    the definitions of ``document``, which the root of the validated schema therefore carries."""
    root = {key: document[key] for key in ("definitions", "components") if key in document}
    return jsonschema.Draft4Validator({**root, "allOf": [schema]}).is_valid(instance)


def without_extensions(node: Any) -> Any:
    """Draft 4 ignores unknown keywords, but x-nullable must be spelled as a null type to be judged."""
    if isinstance(node, dict):
        out = {k: without_extensions(v) for k, v in node.items() if not k.startswith("x-")}
        if node.get("x-nullable") and "type" in out:
            out["type"] = [out["type"], "null"]
        return out
    if isinstance(node, list):
        return [without_extensions(v) for v in node]
    return node


# -- JSON Patch ------------------------------------------------------------------------------------------


def test_a_json_patch_operation_gets_one_alternative_per_kind_of_the_catalogs_subset() -> None:
    doc = swagger2(
        {"Op": PATCH_OPERATION, "Patch": {"type": "array", "items": {"$ref": "#/definitions/Op"}}},
        "#/definitions/Patch",
    )
    out, applied = restore_body_rules(doc)
    assert applied == {"json-patch-operation": 1}
    # RFC 6902 section 4, limited to the catalog's add/remove/replace/test (no move/copy).
    assert out["definitions"]["Op"]["oneOf"] == [
        {"properties": {"op": {"enum": ["add", "replace", "test"]}}, "required": ["op", "path", "value"]},
        {"properties": {"op": {"enum": ["remove"]}}, "required": ["op", "path"]},
    ]
    assert doc["definitions"]["Op"] == PATCH_OPERATION  # the input is not touched


@pytest.mark.parametrize(
    ("operation", "is_valid"),
    [
        ({"op": "add", "path": "/Tags/-", "value": "x"}, True),
        ({"op": "replace", "path": "/Name", "value": None}, True),
        ({"op": "test", "path": "/Name", "value": 1}, True),
        ({"op": "remove", "path": "/Tags/0"}, True),
        ({"op": "add", "path": "/Tags/-"}, False),  # what Schemathesis sent as valid data before
        ({"op": "replace", "path": "/Name"}, False),
        ({"op": "move", "from": "/A", "path": "/B"}, False),  # outside the catalog's subset
        ({"op": "copy", "from": "/A", "path": "/B"}, False),
    ],
)
def test_the_restored_patch_schema_accepts_exactly_the_catalogs_operations(
    operation: dict[str, Any], is_valid: bool
) -> None:
    doc = swagger2(
        {"Op": PATCH_OPERATION, "Patch": {"type": "array", "items": {"$ref": "#/definitions/Op"}}},
        "#/definitions/Patch",
    )
    out, _ = restore_body_rules(doc)
    assert valid({"$ref": "#/definitions/Patch"}, out, [operation]) is is_valid


def test_a_declared_op_enum_limits_the_alternatives() -> None:
    op = copy.deepcopy(PATCH_OPERATION)
    op["properties"]["op"]["enum"] = ["replace", "remove", "move"]
    out, _ = restore_body_rules(swagger2({"Op": op}, "#/definitions/Op"))
    assert out["definitions"]["Op"]["oneOf"] == [
        {"properties": {"op": {"enum": ["replace"]}}, "required": ["op", "path", "value"]},
        {"properties": {"op": {"enum": ["remove"]}}, "required": ["op", "path"]},
    ]


def test_asp_net_cores_operation_type_member_is_part_of_the_shape() -> None:
    op = copy.deepcopy(PATCH_OPERATION)
    op["properties"]["operationType"] = {"type": "integer", "enum": [0, 1, 2, 3, 4, 5, 6]}
    _, applied = restore_body_rules(swagger2({"Op": op}, "#/definitions/Op"))
    assert applied == {"json-patch-operation": 1}


def test_an_object_with_more_than_a_patch_operations_members_is_not_one() -> None:
    op = copy.deepcopy(PATCH_OPERATION)
    op["properties"]["comment"] = {"type": "string"}
    out, applied = restore_body_rules(swagger2({"Op": op}, "#/definitions/Op"))
    assert applied == {}
    assert out["definitions"]["Op"] == op


# -- MatchCriteria / MatchType ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "is_valid"),
    [
        ({"MatchCriteria": "AlternateId", "MatchType": "Loyalty"}, True),
        ({"MatchCriteria": "AlternateId"}, False),  # the 400 the sandbox rightly answered
        ({"MatchCriteria": "AlternateId", "MatchType": ""}, False),
        ({"MatchCriteria": "AlternateId", "MatchType": None}, False),
        ({"MatchCriteria": "ProfileId"}, True),
        ({"MatchCriteria": "EmailAddress", "MatchType": "Work"}, True),
        ({"MatchCriteria": None}, True),
        ({}, True),
        ({"MatchCriteria": "Nickname"}, False),
    ],
)
def test_match_type_is_required_with_alternate_id_only(body: dict[str, Any], is_valid: bool) -> None:
    out, applied = restore_body_rules(swagger2({"Export": EXPORT_REQUEST}, "#/definitions/Export"))
    assert applied == {"alternate-id-match-type": 1}
    assert valid({"$ref": "#/definitions/Export"}, without_extensions(out), body) is is_valid


def test_a_non_nullable_match_criteria_gets_no_null_alternative() -> None:
    schema = copy.deepcopy(EXPORT_REQUEST)
    schema["properties"]["MatchCriteria"] = {"type": "string", "enum": ["AlternateId", "ProfileId"]}
    out, _ = restore_body_rules(swagger2({"Export": schema}, "#/definitions/Export"))
    assert out["definitions"]["Export"]["oneOf"][1] == {
        "properties": {"MatchCriteria": {"enum": ["ProfileId"]}}
    }


def test_alternate_id_as_the_only_criterion_needs_its_match_type_whenever_it_is_given() -> None:
    schema = copy.deepcopy(EXPORT_REQUEST)
    schema["properties"]["MatchCriteria"] = {"type": "string", "enum": ["AlternateId"]}
    out, _ = restore_body_rules(swagger2({"Export": schema}, "#/definitions/Export"))
    bodies = ({}, {"MatchCriteria": "AlternateId"}, {"MatchCriteria": "AlternateId", "MatchType": "T"})
    assert [valid({"$ref": "#/definitions/Export"}, out, body) for body in bodies] == [True, False, True]
    assert out["definitions"]["Export"]["oneOf"][1] == {"not": {"required": ["MatchCriteria"]}}


@pytest.mark.parametrize(
    "change",
    [
        lambda s: s.update(required=["MatchType"]),  # already stated
        lambda s: s["properties"]["MatchCriteria"].update(enum=["ProfileId", None]),  # no AlternateId
        lambda s: s["properties"].pop("MatchType"),
    ],
)
def test_the_match_type_rule_leaves_other_shapes_alone(change: Any) -> None:
    schema = copy.deepcopy(EXPORT_REQUEST)
    change(schema)
    _, applied = restore_body_rules(swagger2({"Export": schema}, "#/definitions/Export"))
    assert applied == {}


# -- where the rules apply ----------------------------------------------------------------------------------


def test_the_files_own_x_one_of_becomes_one_of_in_swagger2_and_wins_over_the_catalog() -> None:
    alternatives = [{"properties": {"op": {"enum": ["remove"]}}, "required": ["op", "path"]}]
    op = {**copy.deepcopy(PATCH_OPERATION), "x-oneOf": alternatives}
    out, applied = restore_body_rules(swagger2({"Op": op}, "#/definitions/Op"))
    assert applied == {"x-one-of": 1}
    assert out["definitions"]["Op"]["oneOf"] == alternatives
    assert "x-oneOf" not in out["definitions"]["Op"]


def test_an_openapi3_schema_with_its_own_one_of_is_left_as_written() -> None:
    alternatives = [{"properties": {"op": {"enum": ["remove"]}}, "required": ["op", "path"]}]
    op = {**copy.deepcopy(PATCH_OPERATION), "oneOf": alternatives}
    body = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Op"}}}}
    doc = openapi3(body, {"schemas": {"Op": op}})
    out, applied = restore_body_rules(doc)
    assert applied == {}
    assert out == doc


def test_an_openapi3_body_without_alternatives_gets_the_catalogs() -> None:
    patch = {"content": {"application/json": {"schema": {"type": "array", "items": PATCH_OPERATION}}}}
    doc = openapi3({"$ref": "#/components/requestBodies/Patch"}, {"requestBodies": {"Patch": patch}})
    out, applied = restore_body_rules(doc)
    assert applied == {"json-patch-operation": 1}
    schema = out["components"]["requestBodies"]["Patch"]["content"]["application/json"]["schema"]
    assert len(schema["items"]["oneOf"]) == 2


def test_a_schema_only_responses_use_is_not_changed() -> None:
    doc = swagger2(
        {"Export": EXPORT_REQUEST, "Op": PATCH_OPERATION},
        "#/definitions/Export",
        response_ref="#/definitions/Op",
    )
    out, applied = restore_body_rules(doc)
    assert applied == {"alternate-id-match-type": 1}
    assert out["definitions"]["Op"] == PATCH_OPERATION


def test_our_own_specs_need_nothing_but_their_x_one_of() -> None:
    """The OpenAPI 3 spec states its oneOf; its 2.0 rendition keeps them in x-oneOf: every PATCH body (a
    JSON Patch) and both segment exports (MatchCriteria/MatchType)."""
    import yaml

    openapi = yaml.safe_load((REPO / "contracts" / "openapi" / "mypreferences-v4.yaml").read_text("utf-8"))
    rendition = json.loads(
        (REPO / "contracts" / "openapi" / "mypreferences-v4.swagger2.json").read_text("utf-8")
    )
    patches = sum("patch" in item for item in rendition["paths"].values())
    exports = sum("/Export/Segment" in path for path in rendition["paths"])
    assert (patches, exports) == (14, 2)
    assert restore_body_rules(openapi)[1] == {}
    assert restore_body_rules(rendition)[1] == {"x-one-of": patches + exports}


def test_a_definition_shared_by_two_bodies_counts_both_operations() -> None:
    doc = swagger2({"Op": PATCH_OPERATION}, "#/definitions/Op")
    item = doc["paths"]["/{ClientId}/Thing/{Id}"]
    item["put"] = copy.deepcopy(item["patch"]) | {"operationId": "Thing_Replace"}
    out, applied = restore_body_rules(doc)
    assert applied == {"json-patch-operation": 2}
    assert len(out["definitions"]["Op"]["oneOf"]) == 2


def test_the_catalog_rules_quote_the_catalog() -> None:
    catalog = CATALOG.read_text(encoding="utf-8")
    for body_rule in BODY_RULES:
        if body_rule.basis == "catalog":
            quoted = body_rule.source.removeprefix("MatchType: ")
            assert quoted in catalog, body_rule.name


def test_describe_applied_names_count_rule_and_basis() -> None:
    lines = describe_applied({"json-patch-operation": 14})
    assert len(lines) == 1
    assert lines[0].startswith("14 operation(s) ")
    assert "json-patch-operation (catalog: JSON Patch (RFC 6902) subset" in lines[0]
