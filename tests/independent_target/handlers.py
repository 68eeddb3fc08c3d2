"""The operations this server implements, one small function each (operationId -> handler).

Where the catalog (endpoints.md) is explicit this server follows it: configuration creates answer
201 + Location, a same-name create answers 409, a patch with a bad op or path answers 400. Choices
where the document and the catalog are silent or leave a choice: creating a profile answers 200 (the
catalog says "200 or 201"), a state conflict (an inactive profile, a failed JSON Patch ``test``, an
alternate id taken) answers the configured ``conflict_status`` (400, or 402 "the parameters were
valid but the request failed"), an unknown id on an existing route answers 404 *with* a Message (only
an unknown URL or ClientId gets the documented empty 404).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .options import TargetOptions
from .patching import PatchError, PatchTestFailed, apply
from .store import CONSENT_STATUS, PROGRAM, PROGRAM_GROUP, Store, edit_info
from .validation import BadRequest, check_component

SEARCH_CAP = 50  # catalog: a search matching more than 50 profiles is refused with 403


@dataclass
class Call:
    client_id: str
    user_id: str
    params: dict[str, Any]
    body: Any
    store: Store
    options: TargetOptions


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


class Missing(Exception):
    """An unknown id on a route that exists: 404 with a Message."""


class Conflict(Exception):
    """A valid request that the resource's current state refuses."""


class NameTaken(Exception):
    """A create whose name exists: the catalog's "409 Conflict - instance with same name already exists"."""


def _created(kind: str, items: list[dict[str, Any]], call: Call, item_path: str) -> Reply:
    location = f"/Profiles/v4/{call.client_id}/{item_path}/{items[0]['TypeId']}"
    return Reply(201, {kind: items}, {"Location": location})


def _profile(call: Call) -> dict[str, Any]:
    profile = call.store.profiles.get(call.params["profileId"])
    if profile is None:
        raise Missing("The profile does not exist.")
    return profile


def _active_profile(call: Call) -> dict[str, Any]:
    profile = _profile(call)
    if not profile.get("IsActive", True):
        raise Conflict("The profile is inactive.")
    return profile


def _patched(document: dict[str, Any], patch: list[dict[str, Any]], schema: str, key: str) -> dict[str, Any]:
    """The patched document; 400 when it is no longer a valid ``schema`` object or ``key`` changed."""
    try:
        result = apply(document, patch)
    except PatchTestFailed as exc:
        raise Conflict(str(exc)) from exc
    except PatchError as exc:
        raise BadRequest(str(exc)) from exc
    if result.get(key) != document.get(key):
        raise BadRequest(f"{key} is read-only.")
    check_component(
        {k: v for k, v in result.items() if k != key} if schema == "ProfileInput" else result, schema
    )
    return result


# Configuration: programs, types, tags.


def get_programs(call: Call) -> Reply:
    return Reply(200, {"Programs": [PROGRAM]})


def get_program(call: Call) -> Reply:
    if call.params["programId"] != PROGRAM["ProgramId"]:
        raise Missing("The program does not exist.")
    if call.params.get("programGroupId", PROGRAM["ProgramGroupId"]) != PROGRAM["ProgramGroupId"]:
        raise Missing("The program is not in that program group.")
    return Reply(200, {"Programs": [PROGRAM]})


def get_programs_by_type(call: Call) -> Reply:
    matching = [PROGRAM] if call.params["programTypeId"] == PROGRAM["ProgramTypeId"] else []
    return Reply(200, {"Programs": matching})


def get_program_groups(call: Call) -> Reply:
    return Reply(200, {"ProgramGroup": [PROGRAM_GROUP]})


def get_consent_status(call: Call) -> Reply:
    return Reply(200, {"ConsentStatus": CONSENT_STATUS})


def _types_getter(kind: str) -> Callable[[Call], Reply]:
    def handler(call: Call) -> Reply:
        types = call.store.config_types[kind]
        wanted = call.params.get("Id", 0)
        if wanted and wanted not in types:
            raise Missing("The type does not exist.")
        return Reply(200, {kind: [t for i, t in types.items() if wanted in (0, i)]})

    return handler


def _types_creator(kind: str) -> Callable[[Call], Reply]:
    def handler(call: Call) -> Reply:
        types = call.store.config_types[kind]
        names = {t["TypeName"] for t in types.values()}
        created = []
        for item in call.body[kind]:
            if item["TypeName"] in names:
                raise NameTaken(f"A type named {item['TypeName']!r} exists.")
            names.add(item["TypeName"])
            created.append(
                {**copy.deepcopy(item), "TypeId": call.store.new_id(), "Edited": edit_info(call.user_id)}
            )
        types.update({t["TypeId"]: t for t in created})
        return _created(kind, created, call, kind[:-1])

    return handler


def update_phone_type(call: Call) -> Reply:
    types = call.store.config_types["PhoneTypes"]
    current = types.get(call.params["typeId"])
    if current is None:
        raise Missing("The type does not exist.")
    types[current["TypeId"]] = _patched(current, call.body, "ConfigType", "TypeId")
    return Reply(200, types[current["TypeId"]])


def get_consent_types(call: Call) -> Reply:
    wanted = call.params.get("Id", 0)
    if wanted and wanted not in call.store.consent_types:
        raise Missing("The consent type does not exist.")
    found = [t for i, t in call.store.consent_types.items() if wanted in (0, i)]
    return Reply(200, {"ConsentTypes": found})


def create_consent_types(call: Call) -> Reply:
    names = {t["TypeName"] for t in call.store.consent_types.values()}
    created = []
    for item in call.body["ConsentTypes"]:
        if item["TypeName"] in names:
            raise NameTaken(f"A consent type named {item['TypeName']!r} exists.")
        names.add(item["TypeName"])
        created.append(
            {**copy.deepcopy(item), "TypeId": call.store.new_id(), "Edited": edit_info(call.user_id)}
        )
    for item in created:
        call.store.consent_types[item["TypeId"]] = item
    return _created("ConsentTypes", created, call, "ConsentType")


def update_consent_type(call: Call) -> Reply:
    current = call.store.consent_types.get(call.params["typeId"])
    if current is None:
        raise Missing("The consent type does not exist.")
    updated = _patched(current, call.body, "ConsentType", "TypeId")
    call.store.consent_types[updated["TypeId"]] = updated
    return Reply(200, {"ConsentTypes": [updated]})


def _resource_patcher(attribute: str, schema: str) -> Callable[[Call], Reply]:
    def handler(call: Call) -> Reply:
        objects: dict[int, dict[str, Any]] = getattr(call.store, attribute)
        current = objects.get(call.params["Id"])
        if current is None:
            raise Missing("The object does not exist.")
        objects[current["Id"]] = _patched(current, call.body, schema, "Id")
        return Reply(200, objects[current["Id"]])

    return handler


def get_tags(call: Call) -> Reply:
    counts = [{"Tag": {"Name": name}, "Count": n} for name, n in call.store.tags.items()]
    return Reply(200, {"TagCounts": counts})


def delete_tags(call: Call) -> Reply:
    for tag in call.body["Tags"]:
        call.store.tags.pop(tag["Name"], None)
    return Reply(204)


# Profiles.


def create_profile(call: Call) -> Reply:
    fields = call.body or {}
    wanted = {(a["AlternateIdType"], a["AlternateId"]) for a in fields.get("AlternateIds", [])}
    for other in call.store.profiles.values():
        if wanted & {(a["AlternateIdType"], a["AlternateId"]) for a in other.get("AlternateIds", [])}:
            raise Conflict("Another profile has that alternate id.")
    return Reply(200, call.store.add_profile(fields, call.user_id))


def get_profile(call: Call) -> Reply:
    return Reply(200, _profile(call))


def merged(current: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Catalog, update profile (POST): "only elements present in the body are written; everything else
    on the profile is left unchanged" - objects merge member by member, anything else is replaced."""
    out = copy.deepcopy(current)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def update_profile(call: Call) -> Reply:
    profile = merged(_active_profile(call), call.body or {})
    return Reply(200, call.store.save_profile(profile, call.user_id))


def replace_profile(call: Call) -> Reply:
    current = _active_profile(call)
    profile = {**copy.deepcopy(call.body or {}), "ProfileId": current["ProfileId"]}
    profile.setdefault("IsActive", True)
    return Reply(200, call.store.save_profile(profile, call.user_id))


def patch_profile(call: Call) -> Reply:
    current = _active_profile(call)
    editable = {k: v for k, v in current.items() if k not in ("ProfileId", "Edited")}
    patched = _patched(
        {**editable, "ProfileId": current["ProfileId"]}, call.body, "ProfileInput", "ProfileId"
    )
    return Reply(200, call.store.save_profile(patched, call.user_id))


def delete_profile(call: Call) -> Reply:
    _profile(call)
    del call.store.profiles[call.params["profileId"]]
    return Reply(204)


def _activation(active: bool) -> Callable[[Call], Reply]:
    def handler(call: Call) -> Reply:
        profile = {**_profile(call), "IsActive": active}
        call.store.save_profile(profile, call.user_id)
        return Reply(200)

    return handler


def archive_preferences(call: Call) -> Reply:
    _active_profile(call)
    return Reply(204)


def add_consents(call: Call) -> Reply:
    profile = copy.deepcopy(_active_profile(call))
    profile["Consents"] = [*profile.get("Consents", []), *copy.deepcopy(call.body["Consents"])]
    call.store.save_profile(profile, call.user_id)
    return Reply(200)


def get_filter_consents(call: Call) -> Reply:
    profile = _profile(call)
    filters = [f["FilterId"] for f in PROGRAM["Filters"]]
    wanted = call.params.get("filterId")
    return Reply(
        200,
        [{"FilterId": f, "Consents": profile.get("Consents", [])} for f in filters if wanted in (None, f)],
    )


def upsert_preferences(call: Call) -> Reply:
    key = (call.params["alternateIdType"], call.params["alternateId"])
    for profile in call.store.profiles.values():
        if key in {(a["AlternateIdType"], a["AlternateId"]) for a in profile.get("AlternateIds", [])}:
            if not profile.get("IsActive", True):
                raise Conflict("The profile is inactive.")
            call.store.save_profile(
                {**copy.deepcopy(profile), **copy.deepcopy(call.body or {})}, call.user_id
            )
            return Reply(200)
    raise Missing("No profile has that alternate id.")


def search_by_address(call: Call) -> Reply:
    city, state = call.params["city"].lower(), call.params["stateProvince"].lower()
    found = [
        p
        for p in call.store.profiles.values()
        if any(
            a.get("City", "").lower() == city and a.get("StateProvince", "").lower() == state
            for a in p.get("Addresses", [])
        )
    ]
    if len(found) > SEARCH_CAP:
        return Reply(403, {"Message": "More than 50 profiles match the search criteria."})
    return Reply(200, found)


def standard_fields_history(call: Call) -> Reply:
    _profile(call)
    return Reply(200, call.store.history[call.params["profileId"]])


# Bulk export (the two medium routes).


def initiate_segment_export(call: Call) -> Reply:
    token = call.store.new_id() + 90000
    call.store.exports[token] = "Complete"
    return Reply(200, {"AccessToken": token})


def export_status(call: Call) -> Reply:
    status = call.store.exports.get(call.params["accessToken"])
    if status is None:
        raise Missing("The access token is invalid or expired.")
    return Reply(200, {"AccessToken": call.params["accessToken"], "Status": status, "RowCount": 0})


HANDLERS: dict[str, Callable[[Call], Reply]] = {
    "getPrograms": get_programs,
    "getProgramsIncludeAll": get_programs,
    "getProgramsIncludeMatching": get_programs,
    "getProgram": get_program,
    "getProgramByProgramGroup": get_program,
    "getProgramsByProgramType": get_programs_by_type,
    "getProgramGroups": get_program_groups,
    "getProgramGroupsIncludeAll": get_program_groups,
    "getProgramGroupsIncludeMatching": get_program_groups,
    "getConsentStatus": get_consent_status,
    "getAddressTypes": _types_getter("AddressTypes"),
    "getAlternateIdTypes": _types_getter("AlternateIdTypes"),
    "createAddressTypes": _types_creator("AddressTypes"),
    "createAlternateIdTypes": _types_creator("AlternateIdTypes"),
    "updatePhoneType": update_phone_type,
    "getConsentTypes": get_consent_types,
    "createConsentTypes": create_consent_types,
    "updateConsentType": update_consent_type,
    "updateNumericCustomField": _resource_patcher("numeric_fields", "NumericCustomField"),
    "updatePicklist": _resource_patcher("picklists", "Picklist"),
    "getTags": get_tags,
    "deleteTags": delete_tags,
    "createProfile": create_profile,
    "getProfile": get_profile,
    "updateProfile": update_profile,
    "replaceProfile": replace_profile,
    "patchProfile": patch_profile,
    "deleteProfile": delete_profile,
    "activateProfile": _activation(True),
    "deactivateProfile": _activation(False),
    "archivePreferences": archive_preferences,
    "addConsents": add_consents,
    "getFilterConsents": get_filter_consents,
    "upsertPreferencesByAlternateId": upsert_preferences,
    "getProfilesByAddress": search_by_address,
    "getStandardFieldsHistory": standard_fields_history,
    "initiateSegmentExport": initiate_segment_export,
    "getExportStatus": export_status,
}
