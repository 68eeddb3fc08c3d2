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
