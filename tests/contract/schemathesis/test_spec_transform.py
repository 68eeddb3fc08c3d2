"""Lenient mode relaxes response schemas only; pinned path parameters lose their constraints."""

from __future__ import annotations

from mypref_harness.contract.schemathesis.spec_transform import (
    LENIENT_SUFFIX,
    lenient_spec,
    unconstrain_path_parameters,
)

STRICT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"Name": {"type": "string"}, "Child": {"$ref": "#/components/schemas/Child"}},
}


def openapi3() -> dict:
    return {
        "openapi": "3.0.3",
        "paths": {
            "/{clientId}/P": {
                "post": {
                    "requestBody": {
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/P"}}}
                    },
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"type": "array", "items": {"$ref": "#/components/schemas/P"}}
                                }
                            },
                        },
                        "400": {"$ref": "#/components/responses/Bad"},
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "P": STRICT,
                "Child": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {"Me": {"$ref": "#/components/schemas/Child"}},
                },
            },
            "responses": {
                "Bad": {
                    "description": "bad",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {"Message": {"type": "string"}},
                            }
                        }
                    },
                }
            },
            "parameters": {
                "ClientId": {
                    "name": "clientId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "maxLength": 50},
                }
            },
        },
    }


def test_response_schemas_are_relaxed_through_references_and_recursion():
    doc, relaxed = lenient_spec(openapi3())
    schemas = doc["components"]["schemas"]
    item_ref = doc["paths"]["/{clientId}/P"]["post"]["responses"]["200"]["content"]["application/json"][
        "schema"
    ]
    assert item_ref["items"]["$ref"] == f"#/components/schemas/P{LENIENT_SUFFIX}"
    assert "additionalProperties" not in schemas[f"P{LENIENT_SUFFIX}"]
    assert "additionalProperties" not in schemas[f"Child{LENIENT_SUFFIX}"]
    assert schemas[f"Child{LENIENT_SUFFIX}"]["properties"]["Me"]["$ref"].endswith(f"Child{LENIENT_SUFFIX}")
    bad = doc["paths"]["/{clientId}/P"]["post"]["responses"]["400"]
    assert "additionalProperties" not in bad["content"]["application/json"]["schema"]
    assert relaxed == 3


def test_request_bodies_and_shared_components_stay_strict():
    original = openapi3()
    doc, _ = lenient_spec(original)
    body = doc["paths"]["/{clientId}/P"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/P"}
    assert doc["components"]["schemas"]["P"]["additionalProperties"] is False
    assert (
        doc["components"]["responses"]["Bad"]["content"]["application/json"]["schema"]["additionalProperties"]
        is False
    )
    assert original == openapi3()  # the input is not modified


def test_swagger2_definitions_are_relaxed():
    doc = {
        "swagger": "2.0",
        "definitions": {"P": dict(STRICT, properties={"Name": {"type": "string"}})},
        "paths": {
            "/x": {
                "get": {"responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/P"}}}}
            }
        },
    }
    relaxed, count = lenient_spec(doc)
    assert (
        relaxed["paths"]["/x"]["get"]["responses"]["200"]["schema"]["$ref"]
        == f"#/definitions/P{LENIENT_SUFFIX}"
    )
    assert count == 1 and relaxed["definitions"]["P"]["additionalProperties"] is False


def test_examples_are_data_not_schema():
    doc = openapi3()
    doc["components"]["schemas"]["P"] = dict(STRICT, example={"additionalProperties": False})
    relaxed, _ = lenient_spec(doc)
    assert relaxed["components"]["schemas"][f"P{LENIENT_SUFFIX}"]["example"] == {
        "additionalProperties": False
    }


def test_pinned_path_parameters_accept_any_string():
    doc, changed = unconstrain_path_parameters(openapi3(), {"clientId"})
    assert doc["components"]["parameters"]["ClientId"]["schema"] == {"type": "string"}
    assert changed == 1
    swagger = {
        "swagger": "2.0",
        "paths": {
            "/{clientId}": {
                "get": {
                    "parameters": [
                        {"name": "clientId", "in": "path", "type": "string", "maxLength": 5, "pattern": "^A"}
                    ]
                }
            }
        },
    }
    fixed, _ = unconstrain_path_parameters(swagger, {"clientId"})
    assert fixed["paths"]["/{clientId}"]["get"]["parameters"][0] == {
        "name": "clientId",
        "in": "path",
        "type": "string",
    }


def test_selection_keeps_whole_paths_and_drops_dangling_links():
    from mypref_harness.contract.schemathesis.spec_transform import select_operations

    links = {"B": {"operationId": "getB"}, "A2": {"operationId": "putA"}}
    get_a = {"operationId": "getA", "responses": {"200": {"description": "ok", "links": links}}}
    get_b = {"operationId": "getB", "responses": {"200": {"x-links": {"A": {"operationId": "getA"}}}}}
    doc = {
        "openapi": "3.0.3",
        "paths": {
            "/a": {"get": get_a, "put": {"operationId": "putA", "responses": {}}},
            "/b": {"get": get_b},
        },
    }
    selected, count = select_operations(doc, lambda label: label == "GET /a")
    assert set(selected["paths"]) == {"/a"} and set(selected["paths"]["/a"]) == {"get", "put"}
    assert count == 2
    assert selected["paths"]["/a"]["get"]["responses"]["200"]["links"] == {}  # putA is kept, not selected
    both, _ = select_operations(doc, lambda label: label in ("GET /a", "PUT /a"))
    assert both["paths"]["/a"]["get"]["responses"]["200"]["links"] == {"A2": {"operationId": "putA"}}
    only_a = select_operations(doc, lambda label: label in ("GET /a", "GET /b"))[0]
    assert only_a["paths"]["/b"]["get"]["responses"]["200"]["x-links"] == {"A": {"operationId": "getA"}}
    from_unselected = select_operations(doc, lambda label: label == "GET /a" or label == "GET /b")[0]
    assert from_unselected["paths"]["/a"]["put"]["responses"] == {}


def test_free_form_query_objects_are_left_out_of_the_run():
    from mypref_harness.contract.schemathesis.spec_transform import drop_free_form_query_objects

    custom = {
        "name": "customProperties",
        "in": "query",
        "style": "form",
        "explode": True,
        "schema": {"type": "object", "additionalProperties": {"type": "string", "minLength": 1}},
    }
    locale = {"name": "locale", "in": "query", "schema": {"type": "string"}}
    deep = {
        **custom,
        "name": "filter",
        "style": "deepObject",
    }  # its keys are bracketed: it has an invalid form
    document = {"paths": {"/{clientId}/Programs/IncludeAll": {"get": {"parameters": [custom, locale, deep]}}}}
    copy_, dropped = drop_free_form_query_objects(document)
    assert dropped == 1
    assert [p["name"] for p in copy_["paths"]["/{clientId}/Programs/IncludeAll"]["get"]["parameters"]] == [
        "locale",
        "filter",
    ]
    assert len(document["paths"]["/{clientId}/Programs/IncludeAll"]["get"]["parameters"]) == 3  # not mutated


def test_the_bundled_spec_has_four_free_form_query_objects():
    from mypref_harness import resources
    from mypref_harness.contract.schemathesis.spec_transform import drop_free_form_query_objects
    from mypref_harness.contract.spec_document import load_spec_document

    _, dropped = drop_free_form_query_objects(load_spec_document(str(resources.spec_file())))
    assert dropped == 4  # customProperties of Programs and ProgramGroups, IncludeAll and IncludeMatching
