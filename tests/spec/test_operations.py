"""spec.operations: the one walk over `paths` (methods, order, path-item references, parameters)."""

from __future__ import annotations

from typing import Any

from mypref_harness.spec.operations import (
    METHODS,
    Operation,
    iter_operations,
    operation_names,
    operation_objects,
    operation_parameters,
    request_body_schemas,
    takes_request_body,
)

DOCUMENT: dict[str, Any] = {
    "paths": {
        "/{clientId}/Things": {
            "parameters": [{"$ref": "#/components/parameters/ClientId"}],
            "post": {"operationId": "createThing", "tags": ["Data"], "x-route-confidence": "high"},
            "get": {"operationId": "getThings", "parameters": [{"name": "q", "in": "query"}]},
            "summary": "not an operation",
            "x-extension": {"operationId": "not an operation either"},
        },
        "/{clientId}/Aliased": {"$ref": "#/x-path-items/Shared"},
        "/{clientId}/Odd": ["not a path item"],
        "/{clientId}/Head": {"head": {}, "trace": {"operationId": "traceIt"}},
    },
    "x-path-items": {"Shared": {"delete": {"operationId": "deleteShared"}}},
    "components": {"parameters": {"ClientId": {"name": "clientId", "in": "path", "required": True}}},
}


def test_the_method_list_is_openapis_path_item_operations() -> None:
    assert METHODS == ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def test_every_operation_in_path_order_then_method_order() -> None:
    labels = [found.label for found in operation_objects(DOCUMENT)]
    assert labels == [
        "GET /{clientId}/Things",
        "POST /{clientId}/Things",
        "DELETE /{clientId}/Aliased",
        "HEAD /{clientId}/Head",
        "TRACE /{clientId}/Head",
    ]


def test_operations_carry_id_tags_and_confidence() -> None:
    ops = list(iter_operations(DOCUMENT))
    assert ops[1] == Operation("POST", "/{clientId}/Things", "createThing", ("Data",), "high")
    assert ops[0].area == "(untagged)" and ops[0].confidence == "unknown"
    assert ops[3].operation_id is None


def test_operation_names_map_ids_and_unnamed_operations_to_labels() -> None:
    assert operation_names(DOCUMENT) == {
        "getThings": "GET /{clientId}/Things",
        "createThing": "POST /{clientId}/Things",
        "deleteShared": "DELETE /{clientId}/Aliased",
        "HEAD /{clientId}/Head": "HEAD /{clientId}/Head",
        "traceIt": "TRACE /{clientId}/Head",
    }


def test_parameters_are_the_path_items_then_the_operations_resolved() -> None:
    get = next(found for found in operation_objects(DOCUMENT) if found.method == "get")
    assert operation_parameters(DOCUMENT, get.item, get.raw) == [
        {"name": "clientId", "in": "path", "required": True},
        {"name": "q", "in": "query"},
    ]


def test_a_parameter_reference_to_nothing_is_left_out() -> None:
    item = {"parameters": [{"$ref": "#/components/parameters/Missing"}]}
    assert operation_parameters(DOCUMENT, item, {"parameters": [{"name": "x", "in": "query"}]}) == [
        {"name": "x", "in": "query"}
    ]


def test_request_body_schemas_of_swagger2_and_openapi3_operations() -> None:
    swagger2: dict[str, Any] = {
        "swagger": "2.0",
        "parameters": {"Body": {"name": "body", "in": "body", "schema": {"$ref": "#/definitions/B"}}},
        "paths": {
            "/a": {
                "put": {"parameters": [{"$ref": "#/parameters/Body"}]},
                "post": {"parameters": [{"name": "f", "in": "formData", "type": "string"}]},
                "get": {"parameters": [{"name": "q", "in": "query", "type": "string"}]},
            }
        },
    }
    found = {f.method: f for f in operation_objects(swagger2)}
    assert request_body_schemas(swagger2, found["put"]) == [{"$ref": "#/definitions/B"}]
    assert request_body_schemas(swagger2, found["post"]) == []  # form fields are no body schema ...
    assert [takes_request_body(swagger2, found[m]) for m in ("put", "post", "get")] == [True, True, False]
    openapi: dict[str, Any] = {
        "openapi": "3.0.3",
        "components": {
            "requestBodies": {"R": {"content": {"application/json": {"schema": {"type": "array"}}}}}
        },
        "paths": {"/a": {"patch": {"requestBody": {"$ref": "#/components/requestBodies/R"}}, "get": {}}},
    }
    found = {f.method: f for f in operation_objects(openapi)}
    assert request_body_schemas(openapi, found["patch"]) == [{"type": "array"}]
    assert [takes_request_body(openapi, found[m]) for m in ("patch", "get")] == [True, False]
