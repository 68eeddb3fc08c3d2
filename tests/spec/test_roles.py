"""spec.roles: the operation that plays each part the harness needs, found by name in a spec."""

from __future__ import annotations

from typing import Any

from mypref_harness.spec.document import load_spec
from mypref_harness.spec.roles import Role, expected_operation_id, resolve, resolve_all

DOCUMENT: dict[str, Any] = {
    "paths": {
        "/{clientId}/Profile": {"post": {"operationId": "createProfile"}},
        "/{clientId}/Profile/{profileId}": {
            "get": {"operationId": "getProfile"},
            "delete": {"operationId": "deleteProfile"},
        },
        "/{clientId}/Other": {"get": {"operationId": "somethingElse"}},
    }
}


def test_a_role_is_the_operation_with_its_operation_id() -> None:
    create = resolve(DOCUMENT, Role.CREATE_PROFILE)
    assert create is not None and create.label == "POST /{clientId}/Profile"
    read = resolve(DOCUMENT, Role.READ_PROFILE)
    assert read is not None and read.label == "GET /{clientId}/Profile/{profileId}"


def test_a_spec_without_the_operation_plays_no_such_role() -> None:
    assert resolve(DOCUMENT, Role.SEARCH_BY_NAME) is None
    assert set(resolve_all(DOCUMENT)) == {Role.CREATE_PROFILE, Role.READ_PROFILE, Role.DELETE_PROFILE}


def test_a_missing_role_is_named_by_the_operation_id_searched_for() -> None:
    assert expected_operation_id(Role.STANDARD_FIELDS_HISTORY) == "getStandardFieldsHistory"


def test_our_spec_plays_every_role() -> None:
    labels = {role: found.label for role, found in resolve_all(load_spec(validate=False).document).items()}
    assert labels == {
        Role.CREATE_PROFILE: "POST /{clientId}/Profile",
        Role.READ_PROFILE: "GET /{clientId}/Profile/{profileId}",
        Role.UPDATE_PROFILE: "POST /{clientId}/Profile/{profileId}",
        Role.REPLACE_PROFILE: "PUT /{clientId}/Profile/{profileId}",
        Role.PATCH_PROFILE: "PATCH /{clientId}/Profile/{profileId}",
        Role.DELETE_PROFILE: "DELETE /{clientId}/Profile/{profileId}",
        Role.STANDARD_FIELDS_HISTORY: "GET /{clientId}/Profile/{profileId}/History/StandardFields",
        Role.SEARCH_BY_NAME: "GET /{clientId}/Profile/Name",
    }
