"""Operation roles: which operation of a spec plays a part the harness needs.

The read-back scenarios, seeding, the load flows, the route probes, auth conformance's probe request and
the search-cap check each need "the operation that creates a profile", "the one that reads it back",
and so on. They ask here, by role, instead of naming an operationId of our spec: a vendor's own file
names its operations otherwise (``Profile_Create``) and spells its parameters otherwise
(``{ClientId}``).

A role resolves, in this order:

1. ``table``: an explicit ``[operations]`` entry in mypref.toml (``create-profile = "Profile_Create"``,
   an operationId or ``"METHOD /path"``) wins; a name the spec lacks is a ConfigError;
2. ``shape``: the method and path shape of the role in our catalog (parameter names ignored, case
   ignored, literal segments before the ClientId (an API prefix such as /Profiles/v4) ignored);
3. ``name``: the operationId our reconstructed spec gives it;
4. otherwise ``unresolved`` (whoever needs it reports that, or skips).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mypref_harness.errors import ConfigError
from mypref_harness.spec.operations import METHODS, OperationObject, operation_objects


class Role(enum.StrEnum):
    CREATE_PROFILE = "create-profile"
    READ_PROFILE = "read-profile"  # one profile by its ProfileId
    UPDATE_PROFILE = "update-profile"  # POST: partial merge
    REPLACE_PROFILE = "replace-profile"  # PUT: full overwrite
    PATCH_PROFILE = "patch-profile"  # JSON Patch
    DELETE_PROFILE = "delete-profile"
    STANDARD_FIELDS_HISTORY = "standard-fields-history"
    PREFERENCES_HISTORY = "preferences-history"
    CONSENTS_HISTORY = "consents-history"
    PROGRAMS = "programs"  # the vendor's example request: preflight's and auth conformance's probe
    PROGRAM_GROUPS = "program-groups"
    CONSENT_TYPES = "consent-types"
    ALTERNATE_ID_TYPES = "alternate-id-types"
    ADD_CONSENTS = "add-consents"
    UPSERT_PREFERENCES = "upsert-preferences"  # by alternate id
    SEARCH_BY_NAME = "search-by-name"
    SEARCH_BY_PARTIAL_NAME = "search-by-partial-name"
    SEARCH_BY_EMAIL = "search-by-email"
    SEARCH_BY_PHONE = "search-by-phone"
    SEARCH_BY_ADDRESS = "search-by-address"
    SEARCH_BY_ALTERNATE_ID = "search-by-alternate-id"
    SEARCH_BY_CUSTOM_FIELDS = "search-by-custom-fields"
    SEARCH_BY_SELECT_LIST_CUSTOM_FIELDS = "search-by-select-list-custom-fields"
    SEARCH_BY_TAGS = "search-by-tags"
    SEARCH_BY_CONSENT_ATTRIBUTES = "search-by-consent-attributes"
    SEARCH_BY_PREFERENCE_ATTRIBUTES = "search-by-preference-attributes"
    GROUP_SEARCH_BY_ALTERNATE_ID = "group-search-by-alternate-id"
    GROUP_SEARCH_BY_EMAIL = "group-search-by-email"
    GROUP_SEARCH_BY_NAME = "group-search-by-name"
    GROUP_SEARCH_BY_PHONE = "group-search-by-phone"


class How(enum.StrEnum):
    """How a role found its operation (``spec roles`` prints it)."""

    TABLE = "table"
    SHAPE = "shape"
    NAME = "name"
    UNRESOLVED = "unresolved"


@dataclass(frozen=True)
class CatalogRoute:
    """Where a role stands in our reconstructed spec (contracts/openapi/mypreferences-v4.yaml)."""

    method: str  # lower case, like OperationObject.method
    path: str
    operation_id: str

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"


def _route(label: str, operation_id: str) -> CatalogRoute:
    method, path = label.split(" ", 1)
    return CatalogRoute(method.lower(), path, operation_id)


# tests/spec/test_roles.py checks each line against our spec (same method, path and operationId).
CATALOG: Mapping[Role, CatalogRoute] = {
    Role.CREATE_PROFILE: _route("POST /{clientId}/Profile", "createProfile"),
    Role.READ_PROFILE: _route("GET /{clientId}/Profile/{profileId}", "getProfile"),
    Role.UPDATE_PROFILE: _route("POST /{clientId}/Profile/{profileId}", "updateProfile"),
    Role.REPLACE_PROFILE: _route("PUT /{clientId}/Profile/{profileId}", "replaceProfile"),
    Role.PATCH_PROFILE: _route("PATCH /{clientId}/Profile/{profileId}", "patchProfile"),
    Role.DELETE_PROFILE: _route("DELETE /{clientId}/Profile/{profileId}", "deleteProfile"),
    Role.STANDARD_FIELDS_HISTORY: _route(
        "GET /{clientId}/Profile/{profileId}/History/StandardFields", "getStandardFieldsHistory"
    ),
    Role.PREFERENCES_HISTORY: _route(
        "GET /{clientId}/Profile/{profileId}/History/Preferences", "getPreferencesHistory"
    ),
    Role.CONSENTS_HISTORY: _route(
        "GET /{clientId}/Profile/{profileId}/History/Consents", "getConsentsHistory"
    ),
    Role.PROGRAMS: _route("GET /{clientId}/Programs", "getPrograms"),
    Role.PROGRAM_GROUPS: _route("GET /{clientId}/ProgramGroups", "getProgramGroups"),
    Role.CONSENT_TYPES: _route("GET /{clientId}/ConsentTypes", "getConsentTypes"),
    Role.ALTERNATE_ID_TYPES: _route("GET /{clientId}/AlternateIdTypes", "getAlternateIdTypes"),
    Role.ADD_CONSENTS: _route("POST /{clientId}/Consents/{profileId}", "addConsents"),
    Role.UPSERT_PREFERENCES: _route(
        "POST /{clientId}/Profile/Preferences/AlternateIdType/{alternateIdType}/AlternateId/{alternateId}",
        "upsertPreferencesByAlternateId",
    ),
    Role.SEARCH_BY_NAME: _route("GET /{clientId}/Profile/Name", "getProfilesByName"),
    Role.SEARCH_BY_PARTIAL_NAME: _route("GET /{clientId}/Profile/PartialName", "getProfilesByPartialName"),
    Role.SEARCH_BY_EMAIL: _route("GET /{clientId}/Profile/Email", "getProfilesByEmail"),
    Role.SEARCH_BY_PHONE: _route("GET /{clientId}/Profile/Phone", "getProfilesByPhone"),
    Role.SEARCH_BY_ADDRESS: _route("GET /{clientId}/Profile/Address", "getProfilesByAddress"),
    Role.SEARCH_BY_ALTERNATE_ID: _route("GET /{clientId}/Profile/AlternateId", "getProfileByAlternateId"),
    Role.SEARCH_BY_CUSTOM_FIELDS: _route("GET /{clientId}/Profile/CustomFields", "getProfilesByCustomFields"),
    Role.SEARCH_BY_SELECT_LIST_CUSTOM_FIELDS: _route(
        "GET /{clientId}/Profile/SelectListCustomFields", "getProfilesBySelectListCustomFields"
    ),
    Role.SEARCH_BY_TAGS: _route("GET /{clientId}/Profile/Tags", "getProfilesByTags"),
    Role.SEARCH_BY_CONSENT_ATTRIBUTES: _route(
        "GET /{clientId}/Profile/ConsentAttributes", "getProfilesByConsentAttributes"
    ),
    Role.SEARCH_BY_PREFERENCE_ATTRIBUTES: _route(
        "GET /{clientId}/Profile/PreferenceAttributes", "getProfilesByPreferenceAttributes"
    ),
    Role.GROUP_SEARCH_BY_ALTERNATE_ID: _route(
        "GET /{clientId}/Profile/Group/AlternateId", "getGroupProfilesByAlternateId"
    ),
    Role.GROUP_SEARCH_BY_EMAIL: _route("GET /{clientId}/Profile/Group/Email", "getGroupProfilesByEmail"),
    Role.GROUP_SEARCH_BY_NAME: _route("GET /{clientId}/Profile/Group/Name", "getGroupProfilesByGroupName"),
    Role.GROUP_SEARCH_BY_PHONE: _route("GET /{clientId}/Profile/Group/Phone", "getGroupProfilesByPhone"),
}

# The profile searches the catalog caps at 50 results ("All profile search endpoints ...").
SEARCH_ROLES = frozenset(role for role in Role if role.value.startswith(("search-", "group-search-")))


@dataclass(frozen=True)
class Resolution:
    role: Role
    how: How
    operation: OperationObject | None  # None when unresolved


@dataclass(frozen=True)
class RoleMap:
    """Every role of one spec: the operation that plays it (or none) and how it was found."""

    resolutions: Mapping[Role, Resolution]

    def get(self, role: Role) -> OperationObject | None:
        return self.resolutions[role].operation

    def how(self, role: Role) -> How:
        return self.resolutions[role].how

    def resolved(self) -> dict[Role, OperationObject]:
        return {r: res.operation for r, res in self.resolutions.items() if res.operation is not None}

    def unresolved(self, roles: Iterable[Role] | None = None) -> list[Role]:
        wanted = list(Role) if roles is None else list(roles)
        return [role for role in wanted if self.resolutions[role].operation is None]

    def roles_of(self, method: str, path: str) -> frozenset[Role]:
        """The roles the operation at ``method path`` (as the spec writes it) plays."""
        return frozenset(
            role
            for role, res in self.resolutions.items()
            if res.operation is not None
            and res.operation.method == method.lower()
            and res.operation.path == path
        )


def resolve_roles(document: Mapping[str, Any], table: Mapping[str, str] | None = None) -> RoleMap:
    """Resolve every role in ``document`` (one walk); ``table`` maps role names to operation names."""
    operations = list(operation_objects(document))
    explicit = {role: _named(operations, role, name) for role, name in role_table(table or {}).items()}
    by_shape: dict[tuple[str, tuple[str, ...]], list[OperationObject]] = {}
    for found in operations:
        by_shape.setdefault((found.method, path_shape(found.path)), []).append(found)
    by_id = {found.operation_id: found for found in operations if found.operation_id}
    resolutions: dict[Role, Resolution] = {}
    for role, ours in CATALOG.items():
        if role in explicit:
            resolutions[role] = Resolution(role, How.TABLE, explicit[role])
        elif shaped := by_shape.get((ours.method, path_shape(ours.path))):
            resolutions[role] = Resolution(role, How.SHAPE, _closest(shaped, ours))
        elif ours.operation_id in by_id:
            resolutions[role] = Resolution(role, How.NAME, by_id[ours.operation_id])
        else:
            resolutions[role] = Resolution(role, How.UNRESOLVED, None)
    return RoleMap(resolutions)


def resolve(
    document: Mapping[str, Any], role: Role, table: Mapping[str, str] | None = None
) -> OperationObject | None:
    """The operation of ``document`` that plays ``role``; None when none does."""
    return resolve_roles(document, table).get(role)


def resolve_all(
    document: Mapping[str, Any], table: Mapping[str, str] | None = None
) -> dict[Role, OperationObject]:
    """Every role the spec can play, with its operation."""
    return resolve_roles(document, table).resolved()


def role_table(entries: Mapping[str, Any], origin: str = "[operations]") -> dict[Role, str]:
    """An ``[operations]`` table as roles: keys are role names (``create-profile``; ``_`` for ``-``
    accepted), values operation names. An unknown role or a non-string value is a ConfigError."""
    table: dict[Role, str] = {}
    for key, value in entries.items():
        try:
            role = Role(str(key).strip().lower().replace("_", "-"))
        except ValueError:
            known = ", ".join(r.value for r in Role)
            raise ConfigError(f"{origin}: unknown role {key!r} (roles: {known})") from None
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(f"{origin}: {key} must name an operation (operationId or 'METHOD /path')")
        table[role] = value.strip()
    return table


def path_shape(path: str) -> tuple[str, ...]:
    """A path compared by shape: lower case, every parameter alike, the literal segments before the
    first parameter (an API prefix such as /Profiles/v4; our paths start with the ClientId) dropped."""
    segments = [s for s in path.strip("/").split("/") if s]
    shape = ["{}" if _PARAM.fullmatch(s) else s.lower() for s in segments]
    first_param = shape.index("{}") if "{}" in shape else 0
    return tuple(shape[first_param:])


_PARAM = re.compile(r"\{[^}]+\}")


def _closest(candidates: list[OperationObject], ours: CatalogRoute) -> OperationObject:
    """Of several operations with our shape, the one spelled like ours (then the first)."""
    for found in candidates:
        if found.path.lower().endswith(ours.path.lower()):
            return found
    return candidates[0]


def _named(operations: list[OperationObject], role: Role, name: str) -> OperationObject:
    """The operation an ``[operations]`` entry names: an operationId, or ``METHOD /path`` as written."""
    for found in operations:
        if found.operation_id == name:
            return found
    method, _, path = name.partition(" ")
    if method.lower() in METHODS:
        for found in operations:
            if found.method == method.lower() and found.path == path.strip():
                return found
    raise ConfigError(
        f"[operations] {role.value} = {name!r}: the spec has no operation with that operationId "
        "(or METHOD /path)"
    )
