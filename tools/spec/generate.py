#!/usr/bin/env python3
"""Generate contracts/openapi/mypreferences-v4.yaml (+ the OAuth spec and the Swagger 2.0 fixture).

Inputs: the endpoint catalog (endpoints.json: methods, paths, parameters, statuses, rules, confidence)
and the hand-written overrides in this directory (schemas.py, examples.py, the OPERATIONS table below).
The committed YAML is the source of truth; this script exists so that it is reproducible:

    .venv/bin/python -m tools.spec.generate [--catalog ../shared/reference/endpoints.json] [--check]

Run it from the repository's root: ``tools`` is a package, its modules import each other by name.

--check regenerates in memory and exits 1 if the committed files differ.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from tools.spec import examples as ex
from tools.spec import schemas as sc
from tools.spec.to_swagger2 import convert

HERE = Path(__file__).resolve().parent

REPO = HERE.parent.parent
OUT_DIR = REPO / "contracts" / "openapi"
V4_PATH = OUT_DIR / "mypreferences-v4.yaml"
OAUTH_PATH = OUT_DIR / "mypreferences-oauth.yaml"
SWAGGER2_PATH = OUT_DIR / "mypreferences-v4.swagger2.json"
DEFAULT_CATALOG = HERE / "endpoints.json"  # copy of ../shared/reference/endpoints.json (research notes)

OAUTH_INDEX = 1  # catalog #1: token endpoint -> own spec
WEBHOOK_DELIVERY_INDEX = 108  # catalog #108: delivery to the client's URL -> callbacks on create subscription

AREAS = {
    "Experience/Configuration": "Configuration of the account: consent/contact types, custom fields, groups, "
    "picklists, tags, programs, program groups and filters.",
    "Data": "Profiles: create, read, search, update, archive, delete.",
    "Data History": "Historical standard fields, preferences, consents and custom fields of a profile.",
    "Integration: Bulk": "Asynchronous bulk import and segment export jobs.",
    "Events": "Retrieval of recorded events.",
    "Webhooks": "Webhook subscriptions (and the delivery callback).",
}


def area_of(group: str) -> str:
    if group.startswith("Experience/Configuration"):
        return "Experience/Configuration"
    if group.startswith("Data - Profile History"):
        return "Data History"
    if group.startswith("Data"):
        return "Data"
    if group.startswith("Integration - Bulk"):
        return "Integration: Bulk"
    if group.startswith("Integration - Events"):
        return "Events"
    if group.startswith("Integration - Webhooks"):
        return "Webhooks"
    raise ValueError(f"no area for catalog group {group!r}")


# --------------------------------------------------------------------------- per-operation overrides
# index -> operationId, request body schema, success status and response schema (None = no body).
# Keys: id, body, body_types, ok, resp, location, notes (list of conflict/assumption notes), search
CONFIG_FAMILIES = {  # create index -> family
    6: "AddressTypes",
    9: "AlternateIdTypes",
    12: "CustomerTypes",
    15: "EmailTypes",
    18: "PhoneTypes",
    35: "GroupTypes",
}
CUSTOM_FIELDS = {21: "DateTime", 24: "Numeric", 27: "SelectList", 30: "Text"}
PATCH_TYPES = ["application/json-patch+json", "application/json"]
SEARCHES = set(range(58, 74)) - {58, 69}  # ranges of profile searches returning an array (403 if > 50)

OPS: dict[int, dict[str, Any]] = {
    2: {
        "id": "createConsentTypes",
        "body": "ConsentTypeCreateRequest",
        "ok": 201,
        "resp": "ConsentTypeList",
        "location": True,
    },
    3: {"id": "getConsentTypes", "resp": "ConsentTypeList"},
    4: {"id": "getConsentStatus", "resp": "ConsentStatusList"},
    5: {
        "id": "updateConsentType",
        "body": "JsonPatch",
        "resp": "ConsentTypeList",
        "body_example": "ConfigTypePatchExample",
    },
    33: {"id": "getUpdateRules", "resp": "UpdateRuleList"},
    34: {"id": "getCustomFields", "resp": "CustomFieldCatalog"},
    37: {"id": "getGroupNames", "resp": "GroupNameList"},
    39: {
        "id": "renameGroup",
        "body": "RenameGroupRequest",
        "resp": None,
        "method": "post",
        "notes": [
            "Catalog path was 'GUESS: PUT /{clientId}/Groups/{groupType}' (method and path both unknown). "
            "The API overview's method list of the Experience API gives POST for this entry (the Groups "
            "block reads POST, GET, GET, PATCH, POST), so the spec uses POST; the path stays a guess.",
            "ASSUMPTION: 200 without a body (no response body documented).",
        ],
    },
    40: {
        "id": "createPicklists",
        "body": "PicklistCreateRequest",
        "ok": 201,
        "resp": "PicklistList",
        "location": True,
    },
    41: {"id": "getPicklists", "resp": "PicklistList"},
    42: {
        "id": "updatePicklist",
        "body": "JsonPatch",
        "body_example": "DescriptionPatchExample",
        "resp": "Picklist",
        "notes": ["ASSUMPTION: the updated Picklist is returned (response not documented)."],
    },
    43: {"id": "getTags", "resp": "TagCounts"},
    44: {"id": "deleteTags", "body": "DeleteTagsRequest", "ok": 204, "resp": None},
    45: {"id": "getPrograms", "resp": "ProgramList"},
    46: {"id": "getProgram", "resp": "ProgramList"},
    47: {"id": "getProgramByProgramGroup", "resp": "ProgramList"},
    48: {"id": "getProgramsByProgramType", "resp": "ProgramList"},
    49: {"id": "getProgramsIncludeMatching", "resp": "ProgramList"},
    50: {"id": "getProgramsIncludeAll", "resp": "ProgramList"},
    51: {"id": "getProgramGroups", "resp": "ProgramGroupList"},
    52: {"id": "getProgramGroup", "resp": "ProgramGroupList"},
    53: {"id": "getProgramGroupsIncludeMatching", "resp": "ProgramGroupList"},
    54: {"id": "getProgramGroupsIncludeAll", "resp": "ProgramGroupList"},
    55: {"id": "getFilter", "resp": "FilterList"},
    56: {
        "id": "createProfile",
        "body": "ProfileInput",
        "body_example": "NewProfileExample",
        "ok": 201,
        "ok_also": (200,),
        "resp": "Profile",
        "resp_example": "CreatedProfile",
        "location": "optional",
        "notes": [
            "CONFLICT: the catalog lists '200 or 201 (GUESS)' for create. The spec declares both: the "
            "body is the created profile with its ProfileId, and Location is declared but optional (the "
            "catalog does not mention it for profiles). Clients take the new id from the body or from "
            "Location, whichever is present.",
            "CONFLICT: pre-v4 help says consents are NOT accepted on create; the v4 page says they can be "
            "submitted in the same call. The spec follows v4 (Consents accepted).",
        ],
    },
    57: {"id": "getProfile", "resp": "Profile"},
    58: {"id": "getProfileByAlternateId", "resp": "Profile"},
    59: {"id": "getProfilesByPhone"},
    60: {"id": "getProfilesByEmail"},
    61: {"id": "getProfilesByAddress"},
    62: {"id": "getProfilesByName"},
    63: {"id": "getProfilesByPartialName"},
    64: {"id": "getProfilesByCustomFields"},
    65: {"id": "getProfilesBySelectListCustomFields"},
    66: {"id": "getProfilesByTags"},
    67: {"id": "getProfilesByConsentAttributes"},
    68: {"id": "getProfilesByPreferenceAttributes"},
    69: {"id": "getGroupProfilesByProfileId", "resp": "ProfileList"},
    70: {"id": "getGroupProfilesByAlternateId"},
    71: {"id": "getGroupProfilesByPhone"},
    72: {"id": "getGroupProfilesByEmail"},
    73: {"id": "getGroupProfilesByGroupName"},
    74: {
        "id": "updateProfile",
        "body": "ProfileInput",
        "resp": "Profile",
        "notes": ["POST = partial update: only the elements included are changed."],
    },
    75: {
        "id": "replaceProfile",
        "body": "ProfileInput",
        "resp": "Profile",
        "notes": ["PUT = full replacement: elements omitted are removed/deactivated."],
    },
    76: {"id": "patchProfile", "body": "JsonPatch", "body_types": PATCH_TYPES, "resp": "Profile"},
    77: {"id": "upsertProfileByAlternateId", "body": "ProfileInput", "resp": "Profile"},
    78: {"id": "replaceProfileByAlternateId", "body": "ProfileInput", "resp": "Profile"},
    79: {
        "id": "patchProfileByAlternateId",
        "body": "JsonPatch",
        "body_types": PATCH_TYPES,
        "resp": "Profile",
        "notes": [
            "CONFLICT: the catalog names the body 'Operations: array' here but a JSON Patch array root on "
            "PATCH by profile id; the spec uses the same JSON Patch array for both."
        ],
    },
    80: {"id": "archivePreferences", "body": "ArchivePreferencesRequest", "ok": 204, "resp": None},
    81: {
        "id": "deleteProfile",
        "ok": 204,
        "resp": None,
        "path_examples": {"profileId": 1300},
        "notes": [
            "The example deletes profile 1300, not 1001, so that the other examples keep their record."
        ],
    },
    82: {"id": "getStandardFieldsHistory", "resp": "ProfileHistory"},
    83: {"id": "getStandardFieldsHistoryByAlternateId", "resp": "ProfileHistory"},
    84: {"id": "getPreferencesHistory", "resp": "ProfileHistory"},
    85: {"id": "getPreferencesHistoryByAlternateId", "resp": "ProfileHistory"},
    86: {"id": "getConsentsHistory", "resp": "ProfileHistory"},
    87: {"id": "getConsentsHistoryByAlternateId", "resp": "ProfileHistory"},
    88: {"id": "getCustomFieldsHistory", "resp": "ProfileHistory"},
    89: {"id": "getCustomFieldsHistoryByAlternateId", "resp": "ProfileHistory"},
    90: {
        "id": "deactivateProfile",
        "body": "DeactivateProfileRequest",
        "resp": None,
        "path_examples": {"profileId": 1299},
        "notes": ["ASSUMPTION: 200 without a body (response not documented)."],
    },
    91: {
        "id": "activateProfile",
        "resp": None,
        "path_examples": {"profileId": 1299},
        "notes": ["ASSUMPTION: 200 without a body (response not documented)."],
    },
    92: {
        "id": "addConsents",
        "body": "AddConsentsRequest",
        "resp": None,
        "notes": ["ASSUMPTION: 200 without a body (response not documented)."],
    },
    93: {"id": "getFilterConsents", "resp": "FilterConsents"},
    94: {
        "id": "upsertPreferencesByAlternateId",
        "body": "PreferencesUpsertRequest",
        "resp": None,
        "notes": ["ASSUMPTION: 200 without a body (response not documented)."],
    },
    95: {
        "id": "initiateImport",
        "body": "ImportInitiateRequest",
        "resp": "ImportJob",
        "notes": [
            "CONFLICT: token validity is 6 hours in the text and 12 hours in the attribute description."
        ],
    },
    96: {"id": "stageImport", "body": "ImportStageRequest", "resp": "ImportStatus"},
    97: {"id": "executeImport", "resp": "ImportStatus"},
    98: {
        "id": "getImportStatus",
        "resp": "ImportStatus",
        "notes": [
            "CONFLICT: import jobs end in 'Completed' while export jobs end in 'Complete'. The spec keeps "
            "each job type's documented spelling."
        ],
    },
    99: {"id": "getImportExceptions", "resp": "ImportExceptionPage"},
    100: {"id": "initiateSegmentExport", "body": "ExportInitiateRequest", "resp": "ExportJob"},
    101: {"id": "initiateSegmentGroupExport", "body": "ExportInitiateRequest", "resp": "ExportJob"},
    102: {
        "id": "getExportStatus",
        "resp": "ExportStatus",
        "notes": [
            "CONFLICT: export jobs end in 'Complete', import jobs in 'Completed'; each kept as documented."
        ],
    },
    103: {"id": "getExportData", "resp": "ExportPage"},
    104: {
        "id": "commitExport",
        "resp": "ExportStatus",
        "notes": ["ASSUMPTION: the export status (Retrieved) is returned (response not documented)."],
    },
    105: {
        "id": "createWebhookSubscription",
        "body": "WebhookSubscriptionInput",
        "body_example": "NewWebhookSubscriptionExample",
        "resp": "WebhookSubscription",
        "ok_also": (201,),
        "notes": [
            "CONFLICT: the catalog lists '200/201 created (GUESS)'. The spec declares both, each with the "
            "created subscription."
        ],
    },
    106: {"id": "getWebhookSubscriptions", "resp": "WebhookSubscriptionList"},
    107: {
        "id": "updateWebhookSubscription",
        "body": "WebhookSubscriptionInput",
        "resp": "WebhookSubscription",
    },
    109: {"id": "getEvents", "resp": "EventList"},
    110: {"id": "getEventsBySubscription", "resp": "EventList"},
    111: {"id": "getEventsByProfileId", "resp": "EventList"},
    112: {"id": "getEvent", "resp": "Event"},
}
for _idx, _fam in CONFIG_FAMILIES.items():
    _singular = _fam[:-1]
    OPS[_idx] = {
        "id": f"create{_fam}",
        "body": f"{_fam}CreateRequest",
        "ok": 201,
        "resp": f"{_fam}List",
        "location": True,
    }
    OPS[_idx + 1] = {"id": f"get{_fam}", "resp": f"{_fam}List"}
for _idx, _fam in {
    8: "AddressTypes",
    11: "AlternateIdTypes",
    14: "CustomerTypes",
    17: "EmailTypes",
    20: "PhoneTypes",
    38: "GroupTypes",
}.items():
    OPS[_idx] = {
        "id": f"update{_fam[:-1]}",
        "body": "JsonPatch",
        "resp": "ConfigType",
        "body_example": "ConfigTypePatchExample",
    }
OPS[36] = {"id": "getGroupTypes", "resp": "GroupTypesList"}
for _idx, _kind in CUSTOM_FIELDS.items():
    OPS[_idx] = {
        "id": f"create{_kind}CustomFields",
        "body": f"{_kind}CustomFieldCreateRequest",
        "ok": 201,
        "resp": f"{_kind}CustomFieldList",
        "location": True,
    }
    OPS[_idx + 1] = {"id": f"get{_kind}CustomFields", "resp": f"{_kind}CustomFieldList"}
    OPS[_idx + 2] = {
        "id": f"update{_kind}CustomField",
        "body": "JsonPatch",
        "resp": f"{_kind}CustomField",
        "body_example": "DescriptionPatchExample",
    }
for _idx in SEARCHES:
    OPS[_idx].setdefault("resp", "ProfileList")
    OPS[_idx]["search"] = True
OPS[69]["search"] = True

# --------------------------------------------------------------------------- parameters
# typed path parameters: integers for ids so that literal siblings (/Profile/AlternateId vs
# /Profile/{profileId}, /Programs/IncludeAll vs /Programs/{programId}) can never match a template.
PATH_PARAMS: dict[str, dict[str, Any]] = {
    "clientId": {
        "schema": {"type": "string", "minLength": 1},
        "example": "ACME_CORP",
        "description": "MyPreferences account (client) id. An unknown value -> 404 with an empty body. The "
        "PNAUTHINFO3 signature covers its exact case: a ClientId in another case than the signed one fails "
        "authentication. No length limit is documented.",
    },
    "profileId": {"schema": sc.ID64, "example": 1001, "description": "System profile id (integer)."},
    "programId": {
        "schema": sc.ID64,
        "example": 10,
        "description": "Program id (integer; typed so that "
        "/Programs/IncludeAll and /Programs/ProgramTypes never match this template).",
    },
    "programGroupId": {"schema": sc.ID64, "example": 2, "description": "Program group id (integer)."},
    "programTypeId": {"schema": sc.ID64, "example": 1, "description": "Program type id (integer)."},
    "typeId": {"schema": sc.ID64, "example": 7, "description": "Type id (integer)."},
    "Id": {"schema": sc.ID64, "example": 24, "description": "Custom field or picklist id (integer)."},
    "accessToken": {
        "schema": sc.ID64,
        "example": 90001,
        "description": "Job access token (integer) from the "
        "initiate call; an invalid or expired token -> 401. Typed so that /Export/Segment/... never "
        "matches /Export/{accessToken}/...",
    },
    "subscriptionId": {
        "schema": sc.ID64,
        "example": 501,
        "description": "Webhook subscription id (integer).",
    },
    "filterId": {"schema": {"type": "string", "minLength": 1, "maxLength": 50}, "example": "NEWSLETTER"},
    "eventId": {"schema": {"type": "string", "minLength": 1}, "example": "evt-0001"},
    "groupType": {"schema": {"type": "string", "minLength": 1}, "example": "Household"},
    "segmentName": {"schema": {"type": "string", "minLength": 1}, "example": "AllActive"},
    "segmentGroupName": {
        "schema": {"type": "string", "minLength": 1},
        "example": "Marketing",
    },
    "alternateIdType": {"schema": {"type": "string", "minLength": 1}, "example": "CRM"},
    "alternateId": {"schema": {"type": "string", "minLength": 1}, "example": "CRM-000123"},
}
COMPONENT_PARAM_NAME = {name: name[0].upper() + name[1:] for name in PATH_PARAMS}
COMPONENT_PARAM_NAME["Id"] = "ResourceId"

QUERY_EXAMPLES: dict[str, Any] = {
    "alternateIdType": "CRM",
    "alternateId": "CRM-000123",
    "emailAddress": "jane.roe@example.com",
    "emailType": "Personal",
    "phoneNumber": "404-555-0100",
    "phoneType": "Mobile",
    "firstName": "Jane",
    "lastName": "Roe",
    "address1": "100 Main Street",
    "city": "Atlanta",
    "stateProvince": "GA",
    "postalCode": "30301",
    "groupType": "Household",
    "groupName": "Roe Family",
    "locale": "en-us",
    "filterId": "NEWSLETTER",
    "eventType": "profile.updated",
    "reasonCode": "CUSTOMER_REQUEST",
}
N_INDEXED = 3  # indexed list parameters are declared for indexes 0..N_INDEXED-1
PHONE_PATTERN = sc.PHONE_PATTERN


def _query_type(catalog_type: str) -> dict[str, Any]:
    t = catalog_type.lower()
    if "bool" in t:
        return {"type": "boolean"}
    if "int" in t:
        return {"type": "integer", "format": "int32"}
    if "date" in t:
        return {"type": "string", "format": "date-time"}
    return {"type": "string"}


# example values of index 0 of the indexed lists (match the demo profile 1001 where the catalog allows)
INDEXED_EXAMPLES = {
    "customFields[0].Name": "LoyaltyTier",
    "customFields[0].Value": "Gold",
    "attributes[0].Key": "Source",
    "attributes[0].Value": "web-signup",
    "tags[0]": "vip",
}


def _indexed(
    base: str, suffixes: list[str], description: str, *, first_required: bool = True
) -> list[dict[str, Any]]:
    """Index 0 of a search criterion list is required: a search without any criterion is meaningless
    (ASSUMPTION, the docs list the parameters as optional); filters such as sourceGroupIds are not."""
    out = []
    for i in range(N_INDEXED):
        for suffix in suffixes:
            param: dict[str, Any] = {
                "name": f"{base}[{i}]{suffix}",
                "in": "query",
                "required": first_required and i == 0,
                "schema": {"type": "string", "minLength": 1},
                "description": description
                + (
                    " Index 0 is required (ASSUMPTION: a search needs at least one criterion; the docs "
                    "list the parameters as optional)."
                    if first_required and i == 0
                    else ""
                ),
            }
            if param["name"] in INDEXED_EXAMPLES:
                param["example"] = INDEXED_EXAMPLES[param["name"]]
            out.append(param)
    return out


def query_params(entry: dict[str, Any], notes: list[str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for p in entry["params"]:
        if p["in"] != "query":
            continue
        name, desc = p["name"], p["description"]
        if name == "{customPropertyKey}":
            out.append(
                {
                    "name": "customProperties",
                    "in": "query",
                    "required": False,
                    "style": "form",
                    "explode": True,
                    "schema": {"type": "object", "additionalProperties": {"type": "string", "minLength": 1}},
                    "description": "Program custom properties as free-form query parameters "
                    "(?Brand=ACME&Region=South): each key is a custom property name.",
                }
            )
            continue
        if name in ("customFields[n].Name", "customFields[n].Value"):
            if name.endswith("Name"):
                out += _indexed("customFields", [".Name", ".Value"], "Indexed custom field criterion.")
            continue
        if name == "(criteria)":
            out += _indexed("customFields", [".Name", ".Value"], "Indexed SelectList custom field criterion.")
            notes.append(
                "ASSUMPTION: the indexed criteria parameters (not captured) are named like the "
                "custom-field search: customFields[n].Name / customFields[n].Value."
            )
            continue
        if name == "(tags)":
            out += _indexed("tags", [""], "Indexed tag name.")
            notes.append("ASSUMPTION: the tag parameters (not captured) are an indexed list tags[n].")
            continue
        if name.startswith("attributes[n]"):
            if not any(q["name"].startswith("attributes[") for q in out):
                out += _indexed("attributes", [".Key", ".Value"], "Indexed attribute criterion.")
            continue
        if name == "sourceGroupIds[n]":
            out += _indexed("sourceGroupIds", [""], "Indexed source group id.", first_required=False)
            continue
        if name == "(active subscriptions only)":
            name = "activeSubscriptionsOnly"
            notes.append("ASSUMPTION: parameter name activeSubscriptionsOnly (not captured).")
        schema = _query_type(p["type"])
        if name in ("limit", "offset"):
            schema["minimum"] = 1
        if name == "locale":
            schema["maxLength"] = 15
        if schema["type"] == "string" and "format" not in schema and p["required"]:
            schema["minLength"] = 1  # a required criterion cannot be empty
        if name == "phoneNumber":
            schema["pattern"] = PHONE_PATTERN
        if p.get("default") is not None:
            schema["default"] = p["default"]
        param: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": bool(p["required"]),
            "schema": schema,
            "description": desc,
        }
        if name in QUERY_EXAMPLES:
            param["example"] = QUERY_EXAMPLES[name]
        out.append(param)
    return out


def path_params(path: str, examples: dict[str, Any]) -> list[dict[str, Any]]:
    """Shared component parameters, inlined only where an operation needs its own example value."""
    out: list[dict[str, Any]] = []
    for name in re.findall(r"{(\w+)}", path):
        if name in examples:
            out.append(
                {
                    "name": name,
                    "in": "path",
                    "required": True,
                    **copy.deepcopy(PATH_PARAMS[name]),
                    "example": examples[name],
                }
            )
        else:
            out.append({"$ref": f"#/components/parameters/{COMPONENT_PARAM_NAME[name]}"})
    return out


# --------------------------------------------------------------------------- responses
# Body examples live once in components/examples (the Profile example alone is used ~40 times) and are
# referenced from each media type; EXAMPLES collects them while the operations are built.
EXAMPLES: dict[str, Any] = {}


def _example_ref(name: str, value: Any) -> dict[str, Any]:
    if name in EXAMPLES and EXAMPLES[name]["value"] != value:
        raise ValueError(f"two different examples named {name}")
    EXAMPLES[name] = {"value": copy.deepcopy(value)}
    return {name: {"$ref": f"#/components/examples/{name}"}}


def _json(schema_name: str, example: Any = None, *, shared: bool = False) -> dict[str, Any]:
    media: dict[str, Any] = {"schema": sc.ref(schema_name)}
    if example is not None:
        if shared:
            media["examples"] = _example_ref(schema_name, example)
        else:
            media["example"] = example
    return {"application/json": media}


# The API overview's status code list (200, 400, 401, 402, 403, 404) and the sentence it gives for 402.
OVERVIEW_STATUSES = frozenset({200, 400, 401, 402, 403, 404})
REQUEST_FAILED_QUOTE = "402 Request Failed: The parameters were valid but the request failed."


def common_responses() -> dict[str, Any]:
    """Shared error responses. ``x-basis`` says where each comes from (documented: the API overview's
    status list; catalog: the endpoint catalog only; assumption: our choice), so a reader and the
    harness can tell a documented rule from ours."""

    def err(desc: str, message: str, basis: str) -> dict[str, Any]:
        return {"description": desc, "x-basis": basis, "content": _json("Error", {"Message": message})}

    unauthorized = err("Missing or invalid credentials.", "Unable to authenticate request", "documented")
    unauthorized["headers"] = {
        "WWW-Authenticate": {
            "required": True,
            "description": 'Challenge, e.g. PNAUTHINFO3 realm="https://pm.mypreferences.com"',
            "schema": {"type": "string", "minLength": 1},
            "example": 'PNAUTHINFO3 realm="https://pm.mypreferences.com"',
        }
    }
    return {
        "BadRequest": err(
            "Bad request (invalid parameters or body).", "The request is invalid.", "documented"
        ),
        "Unauthorized": unauthorized,
        "RequestFailed": err(
            f"API overview: '{REQUEST_FAILED_QUOTE}' Declared wherever a valid request can fail on the "
            "state of the resource (every operation that declares 409, and every write that names an "
            "existing resource).",
            "The request failed.",
            "documented",
        ),
        "Forbidden": err("The API user lacks the permission.", "Forbidden", "documented"),
        "SearchForbidden": err(
            "More than 50 profiles match, or the API user lacks the permission.",
            "More than 50 profiles match the search criteria.",
            "catalog",
        ),
        "NotFound": {
            "description": "Unknown clientId (the body is EMPTY, as documented) or unknown resource. "
            "No body is declared so that the documented empty body conforms.",
            "x-basis": "documented",
        },
        "Conflict": err(
            "An instance with the same name already exists (catalog: creates of types and webhook "
            "subscriptions).",
            "An instance with the same name exists.",
            "catalog",
        ),
        "StateConflict": err(
            "ASSUMPTION: the request is valid but conflicts with the current state of the resource. 409 is "
            "not in the API overview's status list and the catalog lists 400 for these routes; a server "
            "may answer 400 or 402 (documented) instead.",
            "The request conflicts with the current state of the resource.",
            "assumption",
        ),
        "PayloadTooLarge": err("Payload larger than the 28 MB hard limit.", "Payload too large.", "catalog"),
        "ServerError": err("Server error.", "An error has occurred.", "catalog"),
        "ServiceUnavailable": err(
            "Service unavailable (documented as 'Server error').", "An error has occurred.", "catalog"
        ),
    }


STATUS_REF = {
    400: "BadRequest",
    401: "Unauthorized",
    402: "RequestFailed",
    403: "Forbidden",
    404: "NotFound",
    409: "Conflict",
    413: "PayloadTooLarge",
    500: "ServerError",
    503: "ServiceUnavailable",
}
ALWAYS = (400, 401, 403, 404)

# Schema-valid requests that conflict with the STATE of a resource. The catalog only lists "400 Bad request"
# for these routes; the spec documents 409 (RFC 9110/5789 conflicting state) so that a schema-valid request
# is never answered with 400 (which contract testing rightly reports as a rejected valid request).
_PATCH_CONFLICT = (
    "ASSUMPTION: 409 when a schema-valid JSON Patch cannot be applied (path missing, test failed, patched "
    "document invalid); the catalog lists 400 for bad op/path."
)
_ALT_ID_CONFLICT = (
    "ASSUMPTION: 409 when an alternate id in the body belongs to another profile (or a type is repeated); "
    "the catalog lists only 400."
)
_PATCHED_TYPES = (
    "ConsentType",
    "AddressType",
    "AlternateIdType",
    "CustomerType",
    "EmailType",
    "PhoneType",
    "GroupType",
    "Picklist",
    "DateTimeCustomField",
    "NumericCustomField",
    "SelectListCustomField",
    "TextCustomField",
)
STATE_CONFLICT_OPS: dict[str, str] = {
    **{f"update{name}": _PATCH_CONFLICT for name in _PATCHED_TYPES},
    "patchProfile": _PATCH_CONFLICT + " " + _ALT_ID_CONFLICT,
    "patchProfileByAlternateId": _PATCH_CONFLICT + " " + _ALT_ID_CONFLICT,
    "updateProfile": _ALT_ID_CONFLICT,
    "replaceProfile": _ALT_ID_CONFLICT,
    "upsertProfileByAlternateId": _ALT_ID_CONFLICT,
    "replaceProfileByAlternateId": _ALT_ID_CONFLICT,
    "updateWebhookSubscription": "ASSUMPTION: 409 when the same Url is already subscribed to the same event "
    "in another subscription (documented for create).",
    "stageImport": "ASSUMPTION: 409 when the import is no longer Initiated/Staging.",
    "executeImport": "ASSUMPTION: 409 when the import is not Staging.",
    "getExportData": "ASSUMPTION: 409 when the export is not Complete yet.",
    "commitExport": "ASSUMPTION: 409 when the export is not Complete.",
    "renameGroup": "ASSUMPTION: 409 when NewGroupName exists and AllowMerge is false (the catalog says "
    "'400 Bad request / merge not allowed').",
}


def success_response(meta: dict[str, Any], status: int, meaning: str) -> dict[str, Any]:
    """``meta["location"]``: True = Location required (documented for the route), "optional" = declared
    but not required (the id may come from the body alone)."""
    resp_name = meta.get("resp")
    out: dict[str, Any] = {"description": meaning or "OK"}
    if status != 204 and resp_name:
        example_name = meta.get("resp_example", resp_name)
        media: dict[str, Any] = {"schema": sc.ref(resp_name)}
        media["examples"] = _example_ref(example_name, ex.RESPONSE_EXAMPLES[example_name])
        out["content"] = {"application/json": media}
    if meta.get("location"):
        out["headers"] = {
            "Location": {
                "required": meta["location"] is True,
                "description": "URL of the created resource.",
                "schema": {"type": "string", "minLength": 1},
            }
        }
    return out


# --------------------------------------------------------------------------- examples of request bodies
def strip_read_only(value: Any, schema: dict[str, Any], components: dict[str, Any]) -> Any:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[1]]
    if isinstance(value, dict):
        props = schema.get("properties", {})
        out = {}
        for k, v in value.items():
            sub = props.get(k, {})
            resolved = sub
            while "$ref" in resolved:
                resolved = components[resolved["$ref"].rsplit("/", 1)[1]]
            if sub.get("readOnly") or resolved.get("readOnly"):
                continue
            out[k] = strip_read_only(v, sub, components)
        return out
    if isinstance(value, list) and "items" in schema:
        return [strip_read_only(v, schema["items"], components) for v in value]
    return value


def request_example(name: str, components: dict[str, Any]) -> Any:
    if name in ex.REQUEST_EXAMPLES and ex.REQUEST_EXAMPLES[name] is not None:
        raw = ex.REQUEST_EXAMPLES[name]
    elif name.endswith("CreateRequest"):
        key = next(iter(components[name]["properties"]))
        item_ref = components[name]["properties"][key]["items"]["$ref"].rsplit("/", 1)[1]
        # creates use names that are NOT seeded (the examples phase then sees a 201, not a 409)
        source: dict[str, Any] | None = {
            "ConfigTypeInput": ex.CONFIG_TYPE,
            "ConsentTypeInput": ex.CONSENT_TYPE,
            "PicklistInput": ex.PICKLIST,
        }.get(item_ref)
        if source is None:
            source = ex.CUSTOM_FIELDS[item_ref.removesuffix("CustomFieldInput")]
        fresh: dict[str, Any] = copy.deepcopy(source)
        name_key = "TypeName" if "TypeName" in fresh else "Name"
        fresh[name_key] = ex.NEW_CONFIG_NAMES[key]
        for localized in fresh.get("LocalizedFields", []):
            localized["Name"] = ex.NEW_CONFIG_NAMES[key]
        raw = {key: [fresh]}
    elif name == "WebhookSubscriptionInput":
        raw = ex.WEBHOOK
    else:
        raise KeyError(f"no request example for {name}")
    return strip_read_only(copy.deepcopy(raw), sc.ref(name), components)


# --------------------------------------------------------------------------- links
def _config_create_link(op_id: str) -> dict[str, Any]:
    """Configuration creates answer with the created collection: link its first item to the update."""
    client = "$request.path.clientId"
    if op_id in {f"create{fam}" for fam in CONFIG_FAMILIES.values()} | {"createConsentTypes"}:
        family = op_id.removeprefix("create")
        target, param, pointer = f"update{family[:-1]}", "typeId", f"/{family}/0/TypeId"
    elif op_id in {f"create{kind}CustomFields" for kind in CUSTOM_FIELDS.values()}:
        kind = op_id.removeprefix("create").removesuffix("CustomFields")
        target, param, pointer = f"update{kind}CustomField", "Id", f"/{kind}Fields/0/Id"
    elif op_id == "createPicklists":
        target, param, pointer = "updatePicklist", "Id", "/Picklists/0/Id"
    else:
        return {}
    name = target[0].upper() + target[1:]
    return {
        name: {
            "operationId": target,
            "parameters": {"clientId": client, param: f"$response.body#{pointer}"},
            "description": "Update the first created item.",
        }
    }


def links_for(op_id: str) -> dict[str, Any]:
    client = "$request.path.clientId"
    profile = {"clientId": client, "profileId": "$response.body#/ProfileId"}
    token = {"clientId": client, "accessToken": "$response.body#/AccessToken"}

    def link(target: str, params: dict[str, str], desc: str) -> dict[str, Any]:
        return {"operationId": target, "parameters": params, "description": desc}

    created = _config_create_link(op_id)
    if created:
        return created
    if op_id == "createProfile":
        return {
            "GetProfile": link("getProfile", profile, "Read the created profile."),
            "UpdateProfile": link("updateProfile", profile, "Partial update (POST)."),
            "ReplaceProfile": link("replaceProfile", profile, "Full update (PUT)."),
            "PatchProfile": link("patchProfile", profile, "JSON Patch update."),
            "GetStandardFieldsHistory": link(
                "getStandardFieldsHistory", profile, "History of standard fields."
            ),
            "GetPreferencesHistory": link("getPreferencesHistory", profile, "History of preferences."),
            "GetConsentsHistory": link("getConsentsHistory", profile, "History of consents."),
            "DeleteProfile": link("deleteProfile", profile, "Delete the profile."),
        }
    if op_id in ("updateProfile", "replaceProfile", "patchProfile"):
        return {
            "GetProfile": link("getProfile", profile, "Read back the updated profile."),
            "GetStandardFieldsHistory": link("getStandardFieldsHistory", profile, "History after update."),
        }
    if op_id == "initiateImport":
        return {
            "StageImport": link("stageImport", token, "Stage records (repeatable)."),
            "ExecuteImport": link("executeImport", token, "Execute the import."),
            "GetImportStatus": link("getImportStatus", token, "Poll the status."),
            "GetImportExceptions": link("getImportExceptions", token, "Read the exceptions."),
        }
    if op_id == "stageImport":
        return {
            "ExecuteImport": link("executeImport", token, "Execute the staged import."),
            "GetImportStatus": link("getImportStatus", token, "Poll the status."),
        }
    if op_id == "executeImport":
        return {"GetImportStatus": link("getImportStatus", token, "Poll until Completed or Failed.")}
    if op_id == "getImportStatus":
        return {"GetImportExceptions": link("getImportExceptions", token, "Read the exceptions.")}
    if op_id in ("initiateSegmentExport", "initiateSegmentGroupExport"):
        return {
            "GetExportStatus": link("getExportStatus", token, "Poll the status."),
            "GetExportData": link("getExportData", token, "Read the pages once Complete."),
            "CommitExport": link("commitExport", token, "Commit (only when read with keepAlive=true)."),
        }
    if op_id == "getExportStatus":
        return {"GetExportData": link("getExportData", token, "Read the pages.")}
    if op_id == "getExportData":
        return {"CommitExport": link("commitExport", token, "Commit after reading with keepAlive=true.")}
    if op_id == "createWebhookSubscription":
        sub = {"clientId": client, "subscriptionId": "$response.body#/Id"}
        return {
            "UpdateWebhookSubscription": link("updateWebhookSubscription", sub, "Update (e.g. activate)."),
            "GetEventsBySubscription": link("getEventsBySubscription", sub, "Events of the subscription."),
        }
    if op_id == "updateWebhookSubscription":
        sub = {"clientId": client, "subscriptionId": "$response.body#/Id"}
        return {
            "GetEventsBySubscription": link("getEventsBySubscription", sub, "Events of the subscription.")
        }
    return {}


def webhook_callback(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "WebhookDelivery": {
            "{$request.body#/Url}": {
                "post": {
                    "operationId": "deliverWebhookEvent",
                    "summary": entry["operation"],
                    "description": "Catalog #108 (confidence "
                    + entry["confidence"]
                    + "): MyPreferences POSTs each event "
                    "to the subscription Url (HTTPS). "
                    + " ".join(entry["rules"])
                    + " ASSUMPTION: the envelope is the "
                    "Event object of the event-retrieval routes; the receiver answers 2xx.",
                    "x-route-confidence": entry["confidence"],
                    "x-catalog-index": WEBHOOK_DELIVERY_INDEX,
                    "requestBody": {"required": True, "content": _json("Event", copy.deepcopy(ex.EVENT))},
                    "responses": {"200": {"description": "Event accepted by the receiver (any 2xx)."}},
                }
            }
        }
    }


# --------------------------------------------------------------------------- build
def clean_path(raw: str) -> tuple[str, str | None]:
    path = raw.removeprefix("GUESS: ").strip()
    if " " in path:  # e.g. "PUT /{clientId}/Groups/{groupType}" (#39)
        path = path.split(" ", 1)[1]
    return path, (raw if path != raw else None)


SUCCESS_MEANING = {200: "OK", 201: "Created"}


def success_statuses(meta: dict[str, Any], documented: dict[int, str], notes: list[str]) -> list[int]:
    """The declared 2xx statuses: the override's ``ok`` (else the catalog's lowest) plus ``ok_also``
    (creates the catalog marks "200 or 201" declare both)."""
    listed = sorted(c for c in documented if c < 300)
    ok = meta.get("ok") or listed[0]
    successes = sorted({ok, *meta.get("ok_also", ())})
    extra = [c for c in successes if c not in documented]
    if extra:
        notes.append(f"Success status {', '.join(map(str, extra))} declared besides the catalog's {listed}.")
    return successes


def writes_existing_resource(method: str, path: str) -> bool:
    """A write that names a resource beyond the client (a profile, a job, a segment): a valid request can
    fail on that resource's state (e.g. an inactive profile)."""
    named = [n for n in re.findall(r"{(\w+)}", path) if n != "clientId"]
    return method in ("post", "put", "patch", "delete") and bool(named)


def error_responses(
    meta: dict[str, Any], documented: dict[int, str], notes: list[str], *, state_dependent: bool = False
) -> list[tuple[int, str]]:
    """(status, shared response name) of the error statuses, with a note for each one the catalog does
    not list for the route, saying where it comes from (the API overview's status list, or ours).
    ``state_dependent``: a valid request can fail on the state of the resource it names (-> 402)."""
    state_conflict = meta["id"] in STATE_CONFLICT_OPS
    codes = set(documented) | set(ALWAYS)
    if meta.get("location") or state_conflict:
        codes.add(409)
    if 409 in codes or state_dependent:
        codes.add(402)  # a valid request that fails on the resource's state: the document's 402
    out: list[tuple[int, str]] = []
    from_overview: list[int] = []
    assumed: list[int] = []
    for code in sorted(c for c in codes if c >= 300):
        name = STATUS_REF[code]
        if code == 403 and meta.get("search"):
            name = "SearchForbidden"
        if code == 409 and 409 not in documented:
            if state_conflict:
                name = "StateConflict"
                notes.append(STATE_CONFLICT_OPS[meta["id"]])
            else:
                notes.append(
                    "ASSUMPTION: 409 when the new resource collides with an existing one (e.g. an "
                    "alternate id already taken); the catalog does not list 409 for this route and the "
                    "API overview has no 409."
                )
        out.append((code, name))
        if code not in documented:
            (from_overview if code in OVERVIEW_STATUSES else assumed).append(code)
    if from_overview:
        notes.append(
            "Responses added from the API overview's status code list (not listed for this route in the "
            f"catalog): {', '.join(map(str, from_overview))}."
        )
    if 402 in codes:
        notes.append(
            f"402 ('{REQUEST_FAILED_QUOTE}', API overview) is declared because a valid request can fail on "
            "the state of the resource: a state conflict may come back as "
            + ("400, 402 or 409." if 409 in codes else "400 or 402.")
        )
    if assumed:
        notes.append(
            f"Responses added by the spec's own choice (ASSUMPTION): {', '.join(map(str, assumed))}."
        )
    return out


def build_operation(index: int, entry: dict[str, Any], components: dict[str, Any]) -> tuple[str, str, dict]:
    meta = OPS[index]
    notes: list[str] = list(meta.get("notes", []))
    path, original = clean_path(entry["path"])
    params = path_params(path, meta.get("path_examples", {})) + query_params(entry, notes)
    documented = {int(s["code"]): s["meaning"] for s in entry["status_codes"]}
    successes = success_statuses(meta, documented, notes)
    responses: dict[str, Any] = {
        str(code): success_response(meta, code, documented.get(code) or SUCCESS_MEANING.get(code, "OK"))
        for code in successes
    }
    method = meta.get("method") or entry["method"].removeprefix("GUESS:").strip().lower()
    state_dependent = writes_existing_resource(method, path)
    for code, name in error_responses(meta, documented, notes, state_dependent=state_dependent):
        responses[str(code)] = {"$ref": f"#/components/responses/{name}"}
    description = [f"Catalog #{index} ({entry['group']}). Route confidence: **{entry['confidence']}**."]
    if original:
        description.append(f"Catalog path: `{original}`.")
    description += [f"- {r}" for r in entry["rules"]]
    if notes:
        description.append("Notes:")
        description += [f"- {n}" for n in notes]
    description.append("Sources: " + ", ".join(entry["source"]))
    op: dict[str, Any] = {
        "operationId": meta["id"],
        "summary": entry["operation"],
        "description": "\n".join(description),
        "tags": [area_of(entry["group"])],
        "x-route-confidence": entry["confidence"],
        "x-catalog-index": index,
        "x-catalog-group": entry["group"],
        "parameters": params,
    }
    if meta.get("body"):
        body_name = meta["body"]
        example_name = meta.get("body_example", f"{body_name}Example")
        if example_name in ex.REQUEST_EXAMPLES:
            example = copy.deepcopy(ex.REQUEST_EXAMPLES[example_name])
        else:
            example = request_example(body_name, components)
        op["requestBody"] = {
            "required": True,
            "content": {
                t: {"schema": sc.ref(body_name), "examples": _example_ref(example_name, example)}
                for t in meta.get("body_types", ["application/json"])
            },
        }
    op["responses"] = responses
    links = links_for(meta["id"])
    if links:
        for code in successes:
            op["responses"][str(code)]["links"] = copy.deepcopy(links)
    return path, method, op


def security_schemes() -> dict[str, Any]:
    return {
        "oauth2ClientCredentials": {
            "type": "oauth2",
            "description": "OAuth 2.0 client credentials (see mypreferences-oauth.yaml). scope = "
            "'{MyPreferencesClientId}/{UserId}', e.g. ACME_CORP/John.Doe. "
            "Sent as Authorization: Bearer <token>.",
            "flows": {
                "clientCredentials": {
                    "tokenUrl": "https://authstg.mypreferences.com/oauth2/v1/token",
                    "scopes": {},
                }
            },
        },
        "pnAuthInfo3": {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "PNAUTHINFO3 custom scheme: `Authorization: PNAUTHINFO3-HMAC-SHA256 "
            "Credential=<UserId>/<ISO 8601 issued timestamp> Signature=<Base64(HMAC(key, "
            "ClientId:UserId:Timestamp))>`; the two parameters are delimited by a space, as in the API "
            "overview's example `Credential=RickSanchez/2015-08-10T20:11:00 Signature=...` (un-keyed "
            "variants PNAUTHINFO3-SHA256 etc. hash Key:ClientId:UserId:Timestamp:Key).",
        },
    }


def build_v4(catalog: list[dict[str, Any]]) -> dict[str, Any]:
    schemas = sc.all_schemas()
    EXAMPLES.clear()
    paths: dict[str, dict[str, Any]] = {}
    callbacks_entry = catalog[WEBHOOK_DELIVERY_INDEX - 1]
    for index, entry in enumerate(catalog, 1):
        if index in (OAUTH_INDEX, WEBHOOK_DELIVERY_INDEX):
            continue
        path, method, op = build_operation(index, entry, schemas)
        if op["operationId"] == "createWebhookSubscription":
            op["callbacks"] = webhook_callback(callbacks_entry)
        if method in paths.setdefault(path, {}):
            raise ValueError(f"duplicate operation {method.upper()} {path}")
        paths[path][method] = op
    parameters = {}
    for name, spec in PATH_PARAMS.items():
        parameters[COMPONENT_PARAM_NAME[name]] = {
            "name": name,
            "in": "path",
            "required": True,
            **copy.deepcopy(spec),
        }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "MyPreferences 3.0 Version 4 REST API (reconstructed)",
            "version": "4.0.0-reconstructed.1",
            "description": "Reconstructed from the public documentation (the official Swagger file is not "
            "public). Each operation carries `x-route-confidence` (high: method and path verbatim in a v4 "
            "source; medium: from a help page of the same service; guess: route inferred). "
            "Run it against the "
            "real sandbox with the guesses doubted first. Anything not backed by the catalog is marked "
            "ASSUMPTION in the descriptions; documented conflicts are marked CONFLICT with the choice made. "
            "JSON bodies use PascalCase members, query parameters camelCase. The OAuth token endpoint is in "
            "mypreferences-oauth.yaml (other host). Generated by tools/spec/generate.py.",
        },
        "servers": [
            {"url": "https://pm.mypreferences.com/Profiles/v4", "description": "Production"},
            {"url": "https://pmstg.mypreferences.com/Profiles/v4", "description": "Sandbox (staging)"},
            {
                "url": "http://{host}:{port}/Profiles/v4",
                "description": "Embedded sandbox (mypref-harness sandbox)",
                "variables": {"host": {"default": "127.0.0.1"}, "port": {"default": "8080"}},
            },
        ],
        "security": [{"oauth2ClientCredentials": []}, {"pnAuthInfo3": []}],
        "tags": [{"name": name, "description": desc} for name, desc in AREAS.items()],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": security_schemes(),
            "parameters": parameters,
            "responses": common_responses(),
            "examples": dict(sorted(EXAMPLES.items())),
            "schemas": schemas,
        },
    }


def oauth_rules(rules: list[str]) -> list[str]:
    """The catalog's rules for the token request, minus the two the API overview contradicts: it shows the
    token URL (the catalog's PATH BASIS says it was not found) and the exact Bearer header form."""
    kept = [r for r in rules if not r.startswith("PATH BASIS") and "GUESS on exact header form" not in r]
    return [
        *kept,
        "The token is sent to the REST API as `Authorization: Bearer <access_token>` (API overview, "
        "'Usage of Access Token').",
    ]


def build_oauth(entry: dict[str, Any]) -> dict[str, Any]:
    oauth_error = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "string",
                "enum": [
                    "invalid_request",
                    "invalid_client",
                    "invalid_grant",
                    "unauthorized_client",
                    "unsupported_grant_type",
                    "invalid_scope",
                ],
            },
            "error_description": {"type": "string"},
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "MyPreferences OAuth 2.0 authorization server (reconstructed)",
            "version": "1.0.0-reconstructed.1",
            "description": "Catalog #1. The catalog rates the token route a guess, but the API overview "
            "shows its request line verbatim (`POST /oauth2/v1/token HTTP/1.1`, Host: "
            "authstg.mypreferences.com), so its route confidence is high. "
            + " ".join(r.rstrip(".") + "." for r in oauth_rules(entry["rules"]))
            + " ASSUMPTION: the JWKS path /oauth2/v1/keys, the production host auth.mypreferences.com "
            "and the RFC 6749 error body.",
        },
        "servers": [
            {"url": "https://auth.mypreferences.com", "description": "Production (ASSUMPTION: host name)"},
            {"url": "https://authstg.mypreferences.com", "description": "Sandbox (staging)"},
            {
                "url": "http://{host}:{port}",
                "description": "Embedded sandbox",
                "variables": {"host": {"default": "127.0.0.1"}, "port": {"default": "8080"}},
            },
        ],
        "paths": {
            "/oauth2/v1/token": {
                "post": {
                    "operationId": "requestAccessToken",
                    "summary": entry["operation"],
                    "tags": ["OAuth"],
                    "x-route-confidence": "high",
                    "x-catalog-confidence": entry["confidence"],
                    "x-catalog-index": OAUTH_INDEX,
                    "description": "Documented request line: `POST /oauth2/v1/token HTTP/1.1` (API "
                    "overview, OAuth section). Client credentials grant. Credentials as HTTP Basic "
                    "(client_secret_basic) "
                    "or in "
                    "the body (client_secret_post). client_id is the 48-char OAuth client id, NOT the "
                    "MyPreferences ClientId.",
                    "security": [{"clientSecretBasic": []}, {}],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/x-www-form-urlencoded": {
                                "schema": {
                                    "type": "object",
                                    "required": ["grant_type", "scope"],
                                    "properties": {
                                        "grant_type": {"type": "string", "enum": ["client_credentials"]},
                                        "client_id": {
                                            "type": "string",
                                            "description": "48 chars; required unless Basic is used.",
                                        },
                                        "client_secret": {
                                            "type": "string",
                                            "description": "64 chars; or a certificate.",
                                        },
                                        "scope": {
                                            "type": "string",
                                            "description": "{MyPreferencesClientId}/{UserId}",
                                        },
                                        "client_assertion_type": {
                                            "type": "string",
                                            "description": "ASSUMPTION (certificate clients, RFC 7523).",
                                        },
                                        "client_assertion": {
                                            "type": "string",
                                            "description": "ASSUMPTION (signed JWT).",
                                        },
                                    },
                                },
                                "example": {
                                    "grant_type": "client_credentials",
                                    "scope": "ACME_CORP/John.Doe",
                                },
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "Token issued.",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["access_token", "token_type", "expires_in"],
                                        "properties": {
                                            "access_token": {"type": "string"},
                                            "token_type": {"type": "string", "enum": ["Bearer"]},
                                            "expires_in": {"type": "integer", "minimum": 1},
                                            "scope": {"type": "string"},
                                        },
                                    },
                                    "example": {
                                        "access_token": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
                                        "token_type": "Bearer",
                                        "expires_in": 3600,
                                        "scope": "ACME_CORP/John.Doe",
                                    },
                                }
                            },
                        },
                        "400": {
                            "description": "Invalid request.",
                            "content": {
                                "application/json": {
                                    "schema": oauth_error,
                                    "example": {"error": "invalid_request"},
                                }
                            },
                        },
                        "401": {
                            "description": "Invalid client.",
                            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
                            "content": {
                                "application/json": {
                                    "schema": oauth_error,
                                    "example": {"error": "invalid_client"},
                                }
                            },
                        },
                    },
                }
            },
            "/oauth2/v1/keys": {
                "get": {
                    "operationId": "getSigningKeys",
                    "summary": "JSON Web Key Set (ASSUMPTION)",
                    "tags": ["OAuth"],
                    "x-route-confidence": "guess",
                    "security": [],
                    "description": "ASSUMPTION: not in the catalog. Public keys to verify access tokens.",
                    "responses": {
                        "200": {
                            "description": "JWKS",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["keys"],
                                        "properties": {
                                            "keys": {
                                                "type": "array",
                                                "items": {
                                                    "type": "object",
                                                    "required": ["kty"],
                                                    "properties": {
                                                        "kty": {"type": "string"},
                                                        "kid": {"type": "string"},
                                                        "use": {"type": "string"},
                                                        "alg": {"type": "string"},
                                                        "n": {"type": "string"},
                                                        "e": {"type": "string"},
                                                    },
                                                },
                                            }
                                        },
                                    },
                                    "example": {
                                        "keys": [
                                            {
                                                "kty": "RSA",
                                                "kid": "k1",
                                                "use": "sig",
                                                "alg": "RS256",
                                                "n": "0vx7",
                                                "e": "AQAB",
                                            }
                                        ]
                                    },
                                }
                            },
                        }
                    },
                }
            },
        },
        "components": {"securitySchemes": {"clientSecretBasic": {"type": "http", "scheme": "basic"}}},
    }


def dump_yaml(doc: dict[str, Any]) -> str:
    class NoAliasDumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True

    header = (
        "# GENERATED by tools/spec/generate.py from endpoints.json + tools/spec overrides. "
        "Edit the generator.\n"
    )
    return header + yaml.dump(doc, Dumper=NoAliasDumper, sort_keys=False, allow_unicode=True, width=120)


def render(catalog: list[dict[str, Any]]) -> dict[Path, str]:
    v4 = build_v4(catalog)
    return {
        V4_PATH: dump_yaml(v4),
        OAUTH_PATH: dump_yaml(build_oauth(catalog[OAUTH_INDEX - 1])),
        SWAGGER2_PATH: json.dumps(convert(v4), indent=1, ensure_ascii=False) + "\n",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", type=Path, default=DEFAULT_CATALOG)
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed files are out of date")
    args = parser.parse_args(argv)
    catalog = json.loads(args.catalog.read_text(encoding="utf-8"))
    outputs = render(catalog)
    stale = [p for p, text in outputs.items() if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"out of date: {p.relative_to(REPO)}")
        return 1 if stale else 0
    for p, text in outputs.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
        print(f"wrote {p.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
