"""spec.roles: the operation that plays each part the harness needs, by table, path shape or name."""

from __future__ import annotations

from typing import Any

import pytest

from mypref_harness.errors import ConfigError
from mypref_harness.spec.document import load_spec
from mypref_harness.spec.operations import operation_objects
from mypref_harness.spec.roles import (
    CATALOG,
    SEARCH_ROLES,
    How,
    Role,
    path_shape,
    resolve,
    resolve_all,
    resolve_roles,
    role_table,
)

OURS: dict[str, Any] = {
    "paths": {
        "/{clientId}/Profile": {"post": {"operationId": "createProfile"}},
        "/{clientId}/Profile/{profileId}": {
            "get": {"operationId": "getProfile"},
            "delete": {"operationId": "deleteProfile"},
        },
        "/{clientId}/Other": {"get": {"operationId": "somethingElse"}},
    }
}

# A vendor file: other operationIds, {ClientId}, other case, an API prefix in the paths, and one
# operation whose path differs from ours but whose operationId is ours.
VENDOR: dict[str, Any] = {
    "paths": {
        "/Profiles/v4/{ClientId}/profile": {"post": {"operationId": "Profile_Create"}},
        "/Profiles/v4/{ClientId}/Profile/{Id}": {"get": {"operationId": "Profile_Get"}},
        "/Profiles/v4/{ClientId}/Profiles/{Id}/Remove": {"post": {"operationId": "deleteProfile"}},
        "/Profiles/v4/{ClientId}/Profile/ByName": {"get": {"operationId": "Profile_GetByName"}},
    }
}


@pytest.mark.parametrize(
    ("document", "table", "role", "how", "label"),
    [
        (OURS, {}, Role.CREATE_PROFILE, How.SHAPE, "POST /{clientId}/Profile"),
        (VENDOR, {}, Role.CREATE_PROFILE, How.SHAPE, "POST /Profiles/v4/{ClientId}/profile"),
        (VENDOR, {}, Role.READ_PROFILE, How.SHAPE, "GET /Profiles/v4/{ClientId}/Profile/{Id}"),
        (VENDOR, {}, Role.DELETE_PROFILE, How.NAME, "POST /Profiles/v4/{ClientId}/Profiles/{Id}/Remove"),
        (VENDOR, {}, Role.SEARCH_BY_NAME, How.UNRESOLVED, None),
        (
            VENDOR,
            {"search-by-name": "Profile_GetByName"},
            Role.SEARCH_BY_NAME,
            How.TABLE,
            "GET /Profiles/v4/{ClientId}/Profile/ByName",
        ),
        # an explicit entry wins over a shape match, and may name "METHOD /path"
        (
            VENDOR,
            {"read_profile": "GET /Profiles/v4/{ClientId}/Profile/ByName"},
            Role.READ_PROFILE,
            How.TABLE,
            "GET /Profiles/v4/{ClientId}/Profile/ByName",
        ),
    ],
)
def test_a_role_resolves_by_table_then_shape_then_name(
    document: dict[str, Any], table: dict[str, str], role: Role, how: How, label: str | None
) -> None:
    roles = resolve_roles(document, table)
    assert roles.how(role) is how
    found = roles.get(role)
    assert (found.label if found is not None else None) == label


def test_a_table_entry_the_spec_lacks_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"create-profile = 'Profile_Make'"):
        resolve_roles(VENDOR, {"create-profile": "Profile_Make"})


def test_a_table_entry_for_an_unknown_role_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"unknown role 'make-profile'"):
        role_table({"make-profile": "Profile_Create"})


def test_unresolved_roles_are_reported() -> None:
    roles = resolve_roles(OURS)
    assert roles.unresolved([Role.CREATE_PROFILE, Role.UPDATE_PROFILE, Role.PROGRAMS]) == [
        Role.UPDATE_PROFILE,
        Role.PROGRAMS,
    ]
    assert resolve(OURS, Role.SEARCH_BY_NAME) is None
    assert set(resolve_all(OURS)) == {Role.CREATE_PROFILE, Role.READ_PROFILE, Role.DELETE_PROFILE}


def test_the_roles_an_operation_plays() -> None:
    roles = resolve_roles(VENDOR)
    assert roles.roles_of("POST", "/Profiles/v4/{ClientId}/profile") == {Role.CREATE_PROFILE}
    assert roles.roles_of("GET", "/Profiles/v4/{ClientId}/profile") == set()


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("/{clientId}/Profile/{profileId}", ("{}", "profile", "{}")),
        ("/Profiles/v4/{ClientId}/PROFILE/{Id}/", ("{}", "profile", "{}")),
        ("/Programs", ("programs",)),
    ],
)
def test_a_path_shape_ignores_parameter_names_case_and_the_api_prefix(
    path: str, shape: tuple[str, ...]
) -> None:
    assert path_shape(path) == shape


def test_the_catalog_is_our_spec() -> None:
    ours = {found.operation_id: found for found in operation_objects(load_spec(validate=False).document)}
    for role, route in CATALOG.items():
        found = ours[route.operation_id]
        assert (found.method, found.path) == (route.method, route.path), role


def test_our_spec_plays_every_role_by_shape() -> None:
    roles = resolve_roles(load_spec(validate=False).document)
    assert {role: roles.how(role) for role in Role} == dict.fromkeys(Role, How.SHAPE)


def test_the_search_roles_are_the_profile_searches_of_our_spec() -> None:
    assert {CATALOG[r].operation_id for r in SEARCH_ROLES} == {
        "getProfilesByName",
        "getProfilesByPartialName",
        "getProfilesByEmail",
        "getProfilesByPhone",
        "getProfilesByAddress",
        "getProfileByAlternateId",
        "getProfilesByCustomFields",
        "getProfilesBySelectListCustomFields",
        "getProfilesByTags",
        "getProfilesByConsentAttributes",
        "getProfilesByPreferenceAttributes",
        "getGroupProfilesByAlternateId",
        "getGroupProfilesByEmail",
        "getGroupProfilesByGroupName",
        "getGroupProfilesByPhone",
    }
