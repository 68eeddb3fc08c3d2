"""OpenAPI 3.0 -> JSON Schema conversion and response pruning."""

from __future__ import annotations

from typing import Any

from mypref_harness.sandbox.validation import SchemaSet, compile_plan, first_error, prune

COMPONENTS: dict[str, Any] = {
    "Item": {
        "type": "object",
        "additionalProperties": False,
        "required": ["Id", "Name"],
        "properties": {
            "Id": {"type": "integer", "readOnly": True},
            "Name": {"type": "string", "nullable": True},
            "When": {"type": "string", "format": "date-time"},
            "Tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
        },
    },
    "Tag": {"type": "object", "additionalProperties": False, "properties": {"Name": {"type": "string"}}},
}
REF = {"$ref": "#/components/schemas/Item"}


def test_read_only_is_forbidden_in_requests_and_required_drops() -> None:
    requests = SchemaSet(COMPONENTS, request=True)
    validator = requests.validator(REF)
    assert first_error(validator, {"Name": None}) is None  # nullable; Id no longer required
    assert first_error(validator, {"Name": "a", "Id": 3}) is not None
    assert first_error(validator, {"Name": "a", "When": "yesterday"}) is not None  # formats are checked


def test_responses_keep_read_only_and_require_it() -> None:
    validator = SchemaSet(COMPONENTS, request=False).validator(REF)
    assert first_error(validator, {"Id": 1, "Name": "a"}) is None
    assert first_error(validator, {"Name": "a"}) is not None


def test_prune_drops_undeclared_and_fills_required() -> None:
    plan = compile_plan(REF, SchemaSet(COMPONENTS, request=False))
    repairs: list[str] = []
    out = prune({"Name": "a", "Secret": 1, "Tags": [{"Name": "t", "Extra": True}]}, plan, repairs)
    assert out == {"Name": "a", "Tags": [{"Name": "t"}], "Id": 0}
    assert len(repairs) == 3


def test_a_named_component_validates_a_body_a_handler_assembled() -> None:
    requests = SchemaSet(COMPONENTS, request=True)
    assert requests.component_error("Item", {"Name": "a"}) is None
    assert (
        requests.component_error("Item", {"Name": "a", "Tags": [{"Name": 3}]})
        == "Tags/0/Name: 3 is not of type 'string'"
    )


def test_read_only_members_of_a_named_component_are_stripped() -> None:
    requests = SchemaSet(COMPONENTS, request=True)
    assert requests.without_read_only("Item", {"Id": 7, "Name": "a"}) == {"Name": "a"}
