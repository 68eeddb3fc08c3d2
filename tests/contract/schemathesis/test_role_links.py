"""Stateful links by role: added to a spec without links, never to one with its own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mypref_harness import resources
from mypref_harness.contract.schemathesis.role_links import add_role_links, has_links
from mypref_harness.spec.document import read_document

from ...fixtures.specs import make_swashbuckle


def _links(document: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    """(operationId, status, link name) -> link, over every response of ``document``."""
    out = {}
    for item in document["paths"].values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                for key in ("links", "x-links"):
                    for name, link in (response.get(key) or {}).items():
                        out[(operation["operationId"], status, name)] = link
    return out


def _without_links(document: dict[str, Any]) -> dict[str, Any]:
    stripped = json.loads(json.dumps(document))
    for item in stripped["paths"].values():
        for operation in item.values():
            for response in (
                (operation.get("responses") or {}).values() if isinstance(operation, dict) else []
            ):
                response.pop("links", None)
                response.pop("x-links", None)
    return stripped


@pytest.fixture(scope="module")
def ours() -> dict[str, Any]:
    return read_document(resources.spec_file())


def test_our_spec_declares_links_so_none_are_added(ours: dict[str, Any]) -> None:
    document, added = add_role_links(ours)
    assert added == 0
    assert document == ours


def test_our_spec_without_its_links_gets_back_the_profile_links_it_declared(ours: dict[str, Any]) -> None:
    stripped = _without_links(ours)
    assert not has_links(stripped)
    document, added = add_role_links(stripped)
    # createProfile answers 200 and 201 with a Profile: 6 links each (read, update, replace, patch,
    # standard-fields history, delete); update, replace and patch answer 200: 2 links each.
    assert added == 6 * 2 + 3 * 2
    declared = {
        (op, status, link["operationId"], json.dumps(link["parameters"], sort_keys=True))
        for (op, status, _), link in _links(ours).items()
    }
    for (op, status, _), link in _links(document).items():
        assert (op, status, link["operationId"], json.dumps(link["parameters"], sort_keys=True)) in declared


def test_a_swagger2_file_gets_x_links() -> None:
    document = read_document(resources.swagger2_spec_file())
    stripped = _without_links(document)
    linked, added = add_role_links(stripped)
    assert added == 18
    create = linked["paths"]["/{clientId}/Profile"]["post"]["responses"]["201"]
    assert "links" not in create
    assert create["x-links"]["ReadProfile"] == {
        "operationId": "getProfile",
        "parameters": {"clientId": "$request.path.clientId", "profileId": "$response.body#/ProfileId"},
    }


def test_the_swashbuckle_fixture_gets_the_links_by_role_with_its_own_names() -> None:
    fixture = read_document(make_swashbuckle.FIXTURE)
    assert not has_links(fixture)
    linked, added = add_role_links(fixture)
    assert added == 18
    create = linked["paths"]["/{ClientId}/Profile"]["post"]["responses"]["201"]
    assert create["x-links"]["DeleteProfile"] == {
        "operationId": "Profile_Delete",
        "parameters": {"ClientId": "$request.path.ClientId", "profileId": "$response.body#/ProfileId"},
    }


def test_a_shared_response_gets_its_links_in_a_copy_of_its_own() -> None:
    document = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/{c}/Profile": {
                "post": {
                    "operationId": "createProfile",
                    "responses": {"200": {"$ref": "#/components/responses/P"}},
                }
            },
            "/{c}/Profile/{p}": {
                "get": {
                    "operationId": "getProfile",
                    "responses": {"200": {"$ref": "#/components/responses/P"}},
                }
            },
        },
        "components": {
            "responses": {
                "P": {
                    "description": "a profile",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Profile"}}},
                }
            },
            "schemas": {"Profile": {"type": "object", "properties": {"profileId": {"type": "integer"}}}},
        },
    }
    linked, added = add_role_links(document)
    assert added == 1
    create = linked["paths"]["/{c}/Profile"]["post"]["responses"]["200"]
    assert create["links"] == {
        "ReadProfile": {
            "operationId": "getProfile",
            "parameters": {"c": "$request.path.c", "p": "$response.body#/profileId"},
        }
    }
    assert "links" not in linked["components"]["responses"]["P"]


def test_a_role_that_does_not_resolve_gets_no_links_until_the_operations_table_names_it() -> None:
    renamed = read_document(make_swashbuckle.RENAMED_FIXTURE)  # create-profile: POST /{ClientId}/Profiles
    _, added = add_role_links(renamed)
    assert added == 3 * 2  # update, replace and patch -> read, standard-fields history
    linked, added = add_role_links(renamed, {"create-profile": "Profiles_Post"})
    assert added == 18
    assert linked["paths"]["/{ClientId}/Profiles"]["post"]["responses"]["200"]["x-links"]["ReadProfile"] == {
        "operationId": "Profile_Get",
        "parameters": {"ClientId": "$request.path.ClientId", "profileId": "$response.body#/ProfileId"},
    }


def test_the_run_spec_of_a_selection_keeps_the_added_links_between_selected_operations(tmp_path) -> None:
    from mypref_harness.config import Target
    from mypref_harness.contract.options import ContractOptions
    from mypref_harness.contract.schemathesis.prepare import prepare_run

    fixture = read_document(make_swashbuckle.FIXTURE)
    target = Target(
        base_url="http://127.0.0.1:9/Profiles/v4", client_id="ACME_CORP", user_id="John.Doe", api_key="k" * 32
    )
    options = ContractOptions(report_dir=tmp_path, operations=["Profile_Create", "Profile_Get"])
    prepared = prepare_run(target, options, fixture)
    assert prepared.links_added == 18  # added on the whole spec, before the selection
    run_spec = json.loads(prepared.spec_path.read_text(encoding="utf-8"))
    create = run_spec["paths"]["/{ClientId}/Profile"]["post"]["responses"]
    assert set(create["200"]["x-links"]) == set(create["201"]["x-links"]) == {"ReadProfile"}
