"""spec.refs: the one follower of local $ref pointers (sandbox router, contract checks and routes)."""

from __future__ import annotations

from typing import Any

import pytest

from mypref_harness.errors import ConfigError
from mypref_harness.spec.refs import UnresolvableRef, resolve, resolve_if_possible, resolve_or

DOCUMENT: dict[str, Any] = {
    "components": {
        "parameters": {"Id": {"name": "id", "in": "path"}, "Alias": {"$ref": "#/components/parameters/Id"}},
        "schemas": {"Thing": {"type": "object"}},
        "responses": {
            "a/b": {"description": "slash in a name"},
            "Loop": {"$ref": "#/components/responses/Loop"},
        },
    }
}


def test_a_chain_of_local_references_is_followed_to_the_node() -> None:
    assert resolve(DOCUMENT, {"$ref": "#/components/parameters/Alias"}) == {"name": "id", "in": "path"}


def test_escaped_pointer_segments_are_unescaped() -> None:
    assert resolve(DOCUMENT, {"$ref": "#/components/responses/a~1b"}) == {"description": "slash in a name"}


def test_a_node_that_is_no_reference_comes_back_as_it_is() -> None:
    node = {"name": "q", "in": "query"}
    assert resolve(DOCUMENT, node) is node
    assert resolve(DOCUMENT, None) is None


def test_a_reference_to_another_document_is_not_followed() -> None:
    node = {"$ref": "other.yaml#/components/schemas/Thing"}
    assert resolve(DOCUMENT, node) is node


def test_stop_at_leaves_references_under_that_prefix_alone() -> None:
    node = {"$ref": "#/components/schemas/Thing"}
    assert resolve(DOCUMENT, node, stop_at="#/components/schemas/") is node
    assert resolve(DOCUMENT, node) == {"type": "object"}


def test_a_reference_to_nothing_or_a_loop_is_a_one_line_config_error() -> None:
    with pytest.raises(UnresolvableRef, match="names nothing"):
        resolve(DOCUMENT, {"$ref": "#/components/parameters/Missing"})
    with pytest.raises(ConfigError, match="cycle"):
        resolve(DOCUMENT, {"$ref": "#/components/responses/Loop"})


def test_the_lenient_forms_answer_a_default_or_the_node_itself() -> None:
    missing = {"$ref": "#/components/parameters/Missing"}
    assert resolve_or(DOCUMENT, missing, {}) == {}
    assert resolve_if_possible(DOCUMENT, missing) is missing
    assert resolve_if_possible(DOCUMENT, {"$ref": "#/components/parameters/Id"}) == {
        "name": "id",
        "in": "path",
    }
