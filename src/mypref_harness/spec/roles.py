"""Operation roles: which operation of a spec plays a part the harness needs.

The read-back scenarios, the route probes and the target profile each need "the operation that
creates a profile", "the one that reads it back", and so on. They ask here, by role, instead of each
naming an operationId of our spec. Today a role is found by the operationId our reconstructed spec
gives it (the table below); a spec that names its operations otherwise plays no role, and whoever
asked skips what needed it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from mypref_harness.spec.operations import OperationObject, operation_objects


class Role(enum.StrEnum):
    CREATE_PROFILE = "create_profile"
    READ_PROFILE = "read_profile"  # one profile by its ProfileId
    UPDATE_PROFILE = "update_profile"  # POST: partial merge
    REPLACE_PROFILE = "replace_profile"  # PUT: full overwrite
    PATCH_PROFILE = "patch_profile"  # JSON Patch
    DELETE_PROFILE = "delete_profile"
    STANDARD_FIELDS_HISTORY = "standard_fields_history"
    SEARCH_BY_NAME = "search_by_name"  # the search whose result the documented cap of 50 limits


# The operationId each role has in our reconstructed spec (contracts/openapi/mypreferences-v4.yaml).
ROLE_OPERATION_IDS: Mapping[Role, str] = {
    Role.CREATE_PROFILE: "createProfile",
    Role.READ_PROFILE: "getProfile",
    Role.UPDATE_PROFILE: "updateProfile",
    Role.REPLACE_PROFILE: "replaceProfile",
    Role.PATCH_PROFILE: "patchProfile",
    Role.DELETE_PROFILE: "deleteProfile",
    Role.STANDARD_FIELDS_HISTORY: "getStandardFieldsHistory",
    Role.SEARCH_BY_NAME: "getProfilesByName",
}


def resolve(document: Mapping[str, Any], role: Role) -> OperationObject | None:
    """The operation of ``document`` that plays ``role``; None when the spec has none."""
    return resolve_all(document).get(role)


def resolve_all(document: Mapping[str, Any]) -> dict[Role, OperationObject]:
    """Every role the spec can play, with its operation (one walk over the document)."""
    by_id = {found.operation_id: found for found in operation_objects(document) if found.operation_id}
    return {role: by_id[op_id] for role, op_id in ROLE_OPERATION_IDS.items() if op_id in by_id}


def expected_operation_id(role: Role) -> str:
    """The operationId a role is found by, for a message that says what the spec lacks."""
    return ROLE_OPERATION_IDS[role]
