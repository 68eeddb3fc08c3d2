"""Component schemas and examples of the reconstructed MyPreferences v4 spec.

Hand-written from the catalog (endpoints.md / endpoints.json, "Shared models" and the per-route
field lists). Where the catalog did not capture a name, the name chosen here is listed in
ASSUMPTIONS so that docs/spec.md and the descriptions can say so.

Rule of thumb used throughout:
- *response* top-level objects are closed (additionalProperties: false) so that an undeclared
  field is detected by response_schema_conformance;
- *request* schemas are open (the ASP.NET service ignores unknown JSON members);
- nested contact/preference objects are open because the docs list only part of their members
  (e.g. the Cass* address fields).
"""

from __future__ import annotations

import copy
from typing import Any

Schema = dict[str, Any]

DT = "2026-11-02T14:30:00Z"
DT2 = "2026-11-20T09:15:00Z"


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def s(max_length: int | None = None, min_length: int | None = None, **kw: Any) -> Schema:
    out: Schema = {"type": "string"}
    if min_length is not None:
        out["minLength"] = min_length
    if max_length is not None:
        out["maxLength"] = max_length
    out.update(kw)
    return out


def ro(schema: Schema) -> Schema:
    out = dict(schema)
    out["readOnly"] = True
    return out


def arr(items: Schema, **kw: Any) -> Schema:
    return {"type": "array", "items": items, **kw}


# a phone number must contain at least one digit (separators and a leading + are allowed around them)
PHONE_PATTERN = "[0-9]"
BOOL: Schema = {"type": "boolean"}
INT: Schema = {"type": "integer", "format": "int32"}
ID64: Schema = {"type": "integer", "format": "int64", "minimum": 1}
DATETIME: Schema = {"type": "string", "format": "date-time"}


def obj(
    props: dict[str, Schema],
    *,
    closed: bool = False,
    required: list[str] | None = None,
    description: str | None = None,
) -> Schema:
    out: Schema = {"type": "object"}
    if description:
        out["description"] = description
    if required:
        out["required"] = required
    out["properties"] = props
    if closed:
        out["additionalProperties"] = False
    return out


# --------------------------------------------------------------------------- shared pieces
EDIT_INFO = obj(
    {
        "CreatedDate": {**DATETIME, "nullable": True},
        "CreatedBy": s(nullable=True),
        "ModifiedDate": {**DATETIME, "nullable": True},
        "ModifiedBy": s(nullable=True),
    },
    description="Audit fields, set by the service on create/modify (read-only). ASSUMPTION: member names "
    "(the catalog names the type EditInfo but not its members).",
)

ERROR = obj(
    {"Message": s(nullable=True, description="Human-readable reason; may be null.")},
    closed=True,
    description="Error body of the v4 API: an object with a nullable Message string.",
)

KEY_VALUE = obj({"Key": s(), "Value": s(nullable=True)})

LOCALIZED_FIELD = obj(
    {"Locale": s(15), "Name": s(nullable=True), "Description": s(nullable=True)},
    description="Locale-specific name/description pair.",
)

_PATCH_PATH = s(
    pattern="^(/[^/]*)+$",
    description="JSON Pointer (RFC 6901) into the target document, e.g. /CustomerName/FirstName",
)
_PATCH_FROM = s(description="Listed in the service schema; only used by move/copy, which are unsupported.")
JSON_PATCH_OP: Schema = {
    "description": "One JSON Patch operation. RFC 6902 subset: move and copy are NOT supported (rejected "
    "with 400); add, replace and test need a value, remove does not.",
    "oneOf": [
        obj(
            {
                "op": s(enum=["add", "replace", "test"]),
                "path": _PATCH_PATH,
                "from": _PATCH_FROM,
                "value": {"description": "Value for add/replace/test (any JSON type)."},
            },
            required=["op", "path", "value"],
        ),
        obj({"op": s(enum=["remove"]), "path": _PATCH_PATH, "from": _PATCH_FROM}, required=["op", "path"]),
    ],
}
JSON_PATCH = arr(
    ref("JsonPatchOperation"),
    minItems=1,
    description="JSON Patch document (RFC 6902 subset: add, remove, replace, test). "
    "Send removes of several array elements in descending index order and put replace "
    "before remove.",
)

# --------------------------------------------------------------------------- profile model
CHANNELS = ["Phone", "Fax", "Text", "Email", "Mail"]

PROFILE_PREFERENCE = obj(
    {
        "FilterId": s(50, 1),
        "PreferenceType": {"type": "integer", "enum": [1, 2], "description": "1 = Opt-In, 2 = Opt-Out"},
        "FrequencyId": s(20, nullable=True, description="Filter default applied (and returned) if omitted."),
        "PreferenceAttributes": arr(ref("KeyValue"), description="Free-form, no configuration needed."),
        "CustomerDate": {
            **DATETIME,
            "nullable": True,
            "description": "Default now (UTC). A value with a UTC designator is stored as is; otherwise it "
            "is read as US Eastern time and converted. Date-only Opt-In -> 00:00 ET, Opt-Out "
            "-> 23:59:59 ET.",
        },
        "ProgramId": ro({**ID64}),
        "ChannelId": ro(s(enum=CHANNELS)),
        "MatchType": ro(s(enum=["Expressed", "Implied"])),
        "ReasonCode": ro(s(nullable=True)),
        "ExpirationDate": ro({**DATETIME, "nullable": True, "description": "Blank if no expiry."}),
        "PreferenceStatus": ro(s(enum=["Active", "Expired"])),
        "LastModifiedDate": ro({**DATETIME}),
        "UserId": ro(s()),
        "SourceId": ro(s(nullable=True)),
    },
    required=["FilterId", "PreferenceType"],
    description="A preference (opt-in/opt-out on a filter). Read-only members are set by the service.",
)

CUSTOMER_CONSENT = obj(
    {
        "ConsentType": s(min_length=1),
        "ConsentVersion": s(nullable=True),
        "Locale": s(15, nullable=True),
        "ConsentStatus": {
            "type": "integer",
            "enum": [1, 2, 3, 4],
            "description": "1 Granted, 2 Denied, 3 Revoked, 4 NotSet",
        },
        "ConsentDate": {**DATETIME, "nullable": True},
    },
    required=["ConsentType", "ConsentStatus"],
)

ADDRESS = obj(
    {
        "AddressType": s(100, nullable=True),
        "IsDefault": BOOL,
        "Address1": s(125, 1),
        "Address2": s(125, nullable=True),
        "City": s(50, 1),
        "StateProvince": s(50, 2),
        "PostalCode": s(15, 1),
        "CountryCode_Numeric": s(3, 3, nullable=True),
        "CountryCode_Alpha2": s(2, 2, nullable=True),
        "CountryCode_Alpha3": s(3, 3, nullable=True),
        "Country": ro(s(nullable=True)),
        "CassStatus": ro(s(enum=["Y", "N"], nullable=True)),
        "IsActive": ro(BOOL),
        "Edited": ro(ref("EditInfo")),
        "AddressPreferences": arr(ref("ProfilePreference")),
    },
    required=["Address1", "City", "StateProvince", "PostalCode"],
    description="Postal address with its preferences. Open object: the CASS-standardized read-only "
    "fields (Cass*) are not all named in the docs.",
)

PHONE = obj(
    {
        "PhoneType": s(nullable=True),
        "PhoneNumber": s(min_length=1, pattern=PHONE_PATTERN),
        "PhoneNumberNumeric": ro(s(nullable=True)),
        "IsDefault": BOOL,
        "IsMobile": {**BOOL, "description": "Referenced by the import docs (ASSUMPTION on presence here)."},
        "IsActive": ro(BOOL),
        "PhoneNumberPreferences": arr(ref("ProfilePreference")),
    },
    required=["PhoneNumber"],
)

EMAIL = obj(
    {
        "EmailAddressType": s(100, nullable=True),
        "EmailAddress": s(256, 1),
        "IsDefault": {**BOOL, "description": "Only one default email per profile."},
        "IsActive": ro(BOOL),
        "Edited": ro(ref("EditInfo")),
        "EmailPreferences": arr(ref("ProfilePreference")),
    },
    required=["EmailAddress"],
)

CUSTOMER_NAME = obj(
    {
        "Prefix": s(nullable=True),
        "FirstName": s(nullable=True),
        "MiddleName": s(nullable=True),
        "LastName": s(nullable=True),
        "Suffix": s(nullable=True),
    },
    description="ASSUMPTION: member names from the bulk/v3 models "
    "(the v4 child attributes were not captured).",
)

ALTERNATE_ID = obj(
    {"AlternateIdType": s(min_length=1), "AlternateId": s(min_length=1)},
    required=["AlternateIdType", "AlternateId"],
    description="External id (type + value). ASSUMPTION: member names mirror the alternateIdType/"
    "alternateId query parameters.",
)

CUSTOM_FIELD_VALUE = obj(
    {"Name": s(min_length=1), "Value": s(nullable=True)},
    required=["Name"],
    description="ASSUMPTION: member names (catalog: 'custom field values').",
)
GROUP_MEMBERSHIP = obj(
    {"GroupType": s(min_length=1), "GroupName": s(min_length=1), "IsPrimary": BOOL},
    required=["GroupType", "GroupName"],
    description="ASSUMPTION: member names (catalog: 'GroupType, GroupName, primary flag').",
)

PROFILE_PROPS: dict[str, Schema] = {
    "ProfileId": ro({**ID64, "description": "System generated."}),
    "IsActive": BOOL,
    "Edited": ro(ref("EditInfo")),
    "RegistrationConfirmed": {**BOOL, "default": False},
    "CustomerType": s(100, nullable=True, description="Default type applied if omitted."),
    "PreserveConsents": {**BOOL, "default": True},
    "PreservePreferences": {**BOOL, "default": True},
    "CustomerName": ref("CustomerName"),
    "DefaultLocale": s(15, nullable=True, description="Account default if omitted."),
    "ReasonCode": ro(s(256, nullable=True, description="Set through deactivate (pre-v4 help).")),
    "AlternateIds": arr(ref("AlternateIdEntry")),
    "Addresses": arr(ref("AddressPreference")),
    "PhoneNumbers": arr(ref("PhoneNumberPreference")),
    "Emails": arr(ref("EmailPreference")),
    "ProfilePreferences": arr(ref("ProfilePreference")),
    "Consents": arr(ref("CustomerConsent")),
    "CustomFields": arr(ref("CustomFieldValue")),
    "Groups": arr(ref("GroupMembership")),
    "ProfileTags": arr(s(min_length=1)),
}

PROFILE = obj(
    dict(PROFILE_PROPS),
    closed=True,
    required=["ProfileId"],
    description="A user profile as returned by the service (closed: undeclared members are "
    "contract violations). The docs mention a read-only status member documented as 'Complete' "
    "whose name was truncated: it is not modelled.",
)
PROFILE_INPUT = obj(
    {k: v for k, v in PROFILE_PROPS.items() if not v.get("readOnly")},
    description="A profile as sent by a client (create, POST partial update, PUT full "
    "replace). Read-only members are omitted; unknown members are ignored by the service.",
)

PROFILE_LIST = arr(
    ref("Profile"), maxItems=50, description="Search result: at most 50 profiles (more matches -> 403)."
)

HISTORY = arr(ref("HistoricalProfile"), description="Historical entries, oldest first.")
HISTORICAL_PROFILE = obj(
    {**{k: v for k, v in PROFILE_PROPS.items()}, "HistoryDate": ro({**DATETIME})},
    description="One historical snapshot. ASSUMPTION: shape = a profile carrying only the collection the "
    "route is about (the docs say 'each entry carries profileId and current alternateIds' and "
    "'history endpoints omit unrelated collections'); HistoryDate is an assumed name.",
)

ARCHIVE_REQUEST = obj(
    {
        "GlobalDeactivate": BOOL,
        "Reason_Code": s(nullable=True),
        "PhoneNumbers": arr(ref("PhoneNumberPreference")),
        "Addresses": arr(ref("AddressPreference")),
        "Emails": arr(ref("EmailPreference")),
        "ProfilePreferences": arr(ref("ProfilePreference")),
    },
)
DEACTIVATE_REQUEST = obj({"Reason": s(256, nullable=True)})
CONSENTS_REQUEST = obj({"Consents": arr(ref("CustomerConsent"), minItems=1)}, required=["Consents"])
PREFERENCES_UPSERT = obj(
    {
        "ProfilePreferences": arr(ref("ProfilePreference")),
        "Addresses": arr(ref("AddressPreference")),
        "PhoneNumbers": arr(ref("PhoneNumberPreference")),
        "Emails": arr(ref("EmailPreference")),
    },
)
FILTER_CONSENTS = arr(
    obj({"FilterId": s(50, 1), "Consents": arr(ref("CustomerConsent"))}),
    description="ASSUMPTION: response shape not documented (filter id + its consents).",
)

# --------------------------------------------------------------------------- configuration
CONFIG_TYPE_PROPS: dict[str, Schema] = {
    "TypeId": ro({**ID64, "description": "System id."}),
    "TypeName": s(min_length=1),
    "LocalizedFields": arr(ref("LocalizedField")),
    "IsDefault": BOOL,
    "IsActive": BOOL,
    "Edited": ro(ref("EditInfo")),
}
CONFIG_TYPE = obj(
    dict(CONFIG_TYPE_PROPS),
    closed=True,
    required=["TypeId", "TypeName"],
    description="Address, alternate id, customer, email, phone or group type.",
)
CONFIG_TYPE_INPUT = obj(
    {k: v for k, v in CONFIG_TYPE_PROPS.items() if not v.get("readOnly")}, required=["TypeName"]
)

CONSENT_VERSION = obj(
    {
        "ConsentVersion": s(min_length=1),
        "ExpirationInDays": {**INT, "minimum": 0, "nullable": True},
        "IsActive": BOOL,
        "IsAssociatedWithProfiles": {
            **BOOL,
            "description": "Profile-only (global) consent vs channel consent.",
        },
        "LocalizedFields": arr(
            obj(
                {
                    "ConsentLanguage": s(nullable=True),
                    "Locale": s(15),
                    "Name": s(nullable=True),
                    "Description": s(nullable=True),
                }
            )
        ),
    },
    required=["ConsentVersion"],
)
CONSENT_TYPE_PROPS: dict[str, Schema] = {
    "TypeId": ro({**ID64}),
    "TypeName": s(min_length=1),
    "IsActive": BOOL,
    "Versions": arr(ref("ConsentVersion")),
    "Edited": ro(ref("EditInfo")),
}
CONSENT_TYPE = obj(dict(CONSENT_TYPE_PROPS), closed=True, required=["TypeId", "TypeName"])
CONSENT_TYPE_INPUT = obj(
    {k: v for k, v in CONSENT_TYPE_PROPS.items() if not v.get("readOnly")}, required=["TypeName"]
)
CONSENT_STATUS_LIST = obj(
    {
        "ConsentStatus": arr(
            obj(
                {
                    "Id": {"type": "integer", "enum": [1, 2, 3, 4]},
                    "Name": s(enum=["Granted", "Denied", "Revoked", "NotSet"]),
                },
                closed=True,
                required=["Id", "Name"],
            )
        )
    },
    closed=True,
    required=["ConsentStatus"],
    description="Static enumeration: Granted(1), Denied(2), Revoked(3), NotSet(4).",
)

CUSTOM_FIELD_BASE: dict[str, Schema] = {
    "Id": ro({**ID64}),
    "Edited": ro(ref("EditInfo")),
    "Name": s(min_length=1),
    "LocalizedDisplayNames": arr(obj({"Locale": s(15), "DisplayName": s(nullable=True)})),
    "Description": s(256, nullable=True),
    "UpdateRuleId": {
        **INT,
        "description": "See GET UpdateRules (1 = unrestricted, 2 = locked after first "
        "value, 4 = editable but not clearable).",
    },
    "DisplayOrder": INT,
    "IsReadOnly": BOOL,
    "IsRequired": BOOL,
    "IsActive": BOOL,
}
CUSTOM_FIELD_EXTRA: dict[str, dict[str, Schema]] = {
    "DateTime": {},
    "Numeric": {
        "MinValue": {"type": "number", "nullable": True},
        "MaxValue": {"type": "number", "nullable": True},
        "DecimalPlaces": {**INT, "minimum": 0},
        "DefaultValue": {"type": "number", "nullable": True},
        "FieldMask": s(4000, nullable=True, description="UI input mask."),
    },
    "SelectList": {"PicklistId": {**ID64}, "DisplayType": s(nullable=True), "DefaultState": s(nullable=True)},
    "Text": {
        "MinLength": {**INT, "minimum": 0},
        "MaxLength": {**INT, "minimum": 0},
        "DefaultValue": s(nullable=True),
        "ValidationRegex": s(nullable=True, description="ASSUMPTION: name (catalog: '(validation regex)')."),
        "FieldMask": s(4000, nullable=True, description="UI input mask."),
    },
}

PICKLIST_PROPS: dict[str, Schema] = {
    "Id": ro({**ID64}),
    "Name": s(min_length=1),
    "Description": s(nullable=True),
    "IsActive": BOOL,
    "Items": arr(
        obj(
            {"Value": s(min_length=1), "DisplayOrder": INT, "LocalizedFields": arr(ref("LocalizedField"))},
            required=["Value"],
        )
    ),
    "Edited": ro(ref("EditInfo")),
}

TAG_COUNTS = obj(
    {
        "TagCounts": arr(
            obj(
                {
                    "Tag": obj({"Name": s(min_length=1)}, closed=True, required=["Name"]),
                    "Count": {**INT, "minimum": 0},
                },
                closed=True,
                required=["Tag", "Count"],
            )
        )
    },
    closed=True,
    required=["TagCounts"],
)
TAGS_DELETE = obj(
    {"Tags": arr(obj({"Name": s(min_length=1)}, required=["Name"]), minItems=1)},
    required=["Tags"],
    description="ASSUMPTION: item shape {Name} mirrors GET Tags.",
)
UPDATE_RULES = obj(
    {"UpdateRules": arr(obj({"Id": INT, "Name": s()}, closed=True, required=["Id", "Name"]))},
    closed=True,
    required=["UpdateRules"],
    description="ASSUMPTION: wrapper name 'UpdateRules' (GUESS in the catalog).",
)
GROUP_NAMES = obj(
    {
        "GroupTypeNames": arr(
            obj(
                {"TypeId": {**ID64}, "TypeName": s(), "GroupNames": arr(s())},
                closed=True,
                required=["TypeName", "GroupNames"],
            )
        )
    },
    closed=True,
    required=["GroupTypeNames"],
    description="ASSUMPTION: item members (the catalog names only the GroupTypeNames array).",
)
RENAME_GROUP = obj(
    {
        "OldGroupName": s(min_length=1),
        "NewGroupName": s(min_length=1),
        "AllowMerge": {**BOOL, "default": False},
    },
    required=["OldGroupName", "NewGroupName"],
)

FILTER = obj(
    {
        "FilterId": s(50, 1),
        "Name": s(nullable=True),
        "Description": s(nullable=True),
        "ChannelId": s(enum=CHANNELS, nullable=True),
        "DefaultPreferenceType": {"type": "integer", "enum": [1, 2], "nullable": True},
        "Frequencies": arr(obj({"FrequencyId": s(20), "Name": s(nullable=True)})),
        "TextTags": arr(obj({"Locale": s(15), "Key": s(), "Value": s(nullable=True)})),
        "CustomProperties": arr(ref("KeyValue")),
    },
    closed=True,
    required=["FilterId"],
    description="ASSUMPTION: child names (catalog: 'nested Filters (channel, frequencies, text tags, custom "
    "properties, default preference values); child attribute names not captured').",
)
PROGRAM = obj(
    {
        "ProgramId": {**ID64},
        "ProgramTypeId": {**ID64, "nullable": True},
        "ProgramGroupId": {**ID64, "nullable": True},
        "Name": s(),
        "Description": s(nullable=True),
        "CustomProperties": arr(ref("KeyValue")),
        "Filters": arr(ref("Filter")),
    },
    closed=True,
    required=["ProgramId", "Name"],
    description="ASSUMPTION: member names (child attribute names not captured in the docs). Expect the "
    "real API to differ here first.",
)
PROGRAM_GROUP = obj(
    {
        "ProgramGroupId": {**ID64},
        "Name": s(),
        "Description": s(nullable=True),
        "CustomProperties": arr(ref("KeyValue")),
        "Programs": arr(ref("Program")),
    },
    closed=True,
    required=["ProgramGroupId", "Name"],
    description="ASSUMPTION: member names (not captured in the docs).",
)

# --------------------------------------------------------------------------- bulk
IMPORT_STATUSES = ["Initiated", "Staging", "Queued", "Processing", "Completed", "Failed"]
EXPORT_STATUSES = ["Processing", "Error", "Expired", "Failed", "Complete", "Retrieved"]

IMPORT_INITIATE = obj(
    {
        "Name": s(nullable=True),
        "StagingRetentionDays": {
            **INT,
            "minimum": 0,
            "maximum": 10,
            "default": 3,
            "description": "ASSUMPTION: name (catalog: staging retention days, default 3, "
            "range 0..10, exact field name not captured).",
        },
        "ImportAction": s(enum=["Add", "Delete"], default="Add"),
        "MatchCriteria": s(
            enum=["AlternateIdType"],
            nullable=True,
            description="Absent => match on ProfileId; an unknown ProfileId creates a profile.",
        ),
        "MatchValue": s(
            100, nullable=True, description="AlternateIdType name when MatchCriteria=AlternateIdType."
        ),
        "RefreshAlternateIds": {**BOOL, "default": False},
        "RefreshContacts": {**BOOL, "default": False},
        "RefreshCustomFields": {**BOOL, "default": False},
        "RefreshGroups": {**BOOL, "default": False},
        "RefreshTags": {**BOOL, "default": False},
        "AllowPriorConsents": {**BOOL, "default": False},
    },
)
IMPORT_JOB = obj(
    {
        "AccessToken": {**ID64},
        "Name": s(nullable=True),
        "Status": s(enum=IMPORT_STATUSES),
        "ExpirationDate": {
            **DATETIME,
            "description": "ASSUMPTION: name (catalog: token expiry). Docs say 6 h "
            "in text and 12 h in the attribute description.",
        },
    },
    closed=True,
    required=["AccessToken", "Status"],
)
IMPORT_STATUS = obj(
    {
        "AccessToken": {**ID64},
        "Status": s(enum=IMPORT_STATUSES),
        "TotalRecordsReceived": {**INT, "minimum": 0},
        "ValidationSuccessful": {**INT, "minimum": 0},
        "ValidationFailed": {**INT, "minimum": 0, "description": "Includes permission failures."},
        "Processed": {**INT, "minimum": 0},
        "Pending": {**INT, "minimum": 0},
        "Exceptions": {**INT, "minimum": 0},
        "NotHonored": {**INT, "minimum": 0},
    },
    closed=True,
    required=["AccessToken", "Status"],
    description="Cumulative counters of an import. Processed/Exceptions/NotHonored stay 0 while staging.",
)
BULK_RECORD = obj(
    {
        **{k: v for k, v in PROFILE_PROPS.items() if not v.get("readOnly")},
        "ProfileId": {**ID64, "description": "Match key when MatchCriteria is absent."},
    },
    description="One profile record of a bulk import.",
)
IMPORT_STAGE = obj(
    {"UserProfilePreferences": arr(ref("BulkProfileRecord"), minItems=1)},
    required=["UserProfilePreferences"],
    description="Payload default max 25 MB, hard max 28 MB per request (413 beyond).",
)
EXCEPTION_DEF = obj(
    {"ExceptionCode": s(nullable=True), "Message": s(nullable=True), "Field": s(nullable=True)},
    description="ASSUMPTION: member names of ExceptionsDefinition (not captured).",
)
EXCEPTION_RECORD = obj(
    {
        **{k: v for k, v in PROFILE_PROPS.items() if not v.get("readOnly")},
        "ProfileId": {**ID64, "nullable": True},
        "SequenceNumber": ro({**INT, "minimum": 1, "description": "1-based position in the staged data."}),
        "Exceptions": arr(ref("ImportExceptionDefinition")),
    },
    required=["SequenceNumber", "Exceptions"],
)


def page_of(items_ref: str, description: str) -> Schema:
    return obj(
        {
            "Count": {**INT, "minimum": 0},
            "HasMore": BOOL,
            "Limit": {**INT, "minimum": 1},
            "Offset": {**INT, "minimum": 1, "description": "1-based."},
            "TotalResults": {**INT, "minimum": 0},
            "UserProfilePreferences": arr(ref(items_ref)),
        },
        closed=True,
        required=["Count", "HasMore", "UserProfilePreferences"],
        description=description,
    )


IMPORT_EXCEPTIONS = page_of(
    "ImportExceptionRecord",
    "ASSUMPTION: records array name 'UserProfilePreferences' "
    "(catalog: '(records) array (BulkUserProfilePreferenceException)').",
)
EXPORT_PAGE = page_of("Profile", "One page of exported profiles. Iterate until HasMore=false.")
_EXPORT_COMMON: dict[str, Schema] = {
    "LastDateTime": {
        **DATETIME,
        "nullable": True,
        "description": "Incremental start; milliseconds are rounded up to the 003/007/000(+1) boundaries.",
    },
    "Values": {**arr(s()), "nullable": True, "description": "Identifier values for MatchCriteria."},
    "CallbackURL": s(
        nullable=True,
        format="uri",
        description="Optional; status is POSTed there when done (older docs).",
    ),
}
EXPORT_INITIATE: Schema = {
    "description": "Export criteria, merged with the segment's own. MatchType is required (the alternate id "
    "type) when MatchCriteria is AlternateId, an optional type filter otherwise.",
    "oneOf": [
        obj(
            {
                **_EXPORT_COMMON,
                "MatchCriteria": s(enum=["AlternateId"]),
                "MatchType": s(min_length=1, description="The AlternateIdType."),
            },
            required=["MatchCriteria", "MatchType"],
        ),
        obj(
            {
                **_EXPORT_COMMON,
                "MatchCriteria": s(enum=["ProfileId", "PhoneNumber", "EmailAddress"], nullable=True),
                "MatchType": s(nullable=True, description="Optional customer/phone/email type filter."),
            }
        ),
    ],
}
EXPORT_JOB = obj({"AccessToken": {**ID64}}, closed=True, required=["AccessToken"])
EXPORT_STATUS = obj(
    {
        "AccessToken": {**ID64},
        "Status": s(enum=EXPORT_STATUSES),
        "RowCount": {**INT, "minimum": 0, "nullable": True, "description": "Only once complete."},
        "ByteCount": {
            "type": "integer",
            "format": "int64",
            "minimum": 0,
            "nullable": True,
            "description": "Only once complete.",
        },
    },
    closed=True,
    required=["AccessToken", "Status"],
)

# --------------------------------------------------------------------------- webhooks / events
SUBSCRIPTION_ITEM = obj(
    {
        "Entity": s(),
        "EventType": s(),
        "Filters": arr(s()),
        "ConsentTypes": arr(s()),
        "ContactTypes": arr(s()),
        "Groups": arr(s()),
        "CustomFields": arr(s()),
    },
    required=["Entity", "EventType"],
    description="Ids or wildcards (AllFilters, AllConsents, AllContactTypes, ...).",
)
WEBHOOK_PROPS: dict[str, Schema] = {
    "Id": ro({**ID64, "description": "System id."}),
    "Name": s(min_length=1),
    "Description": s(nullable=True),
    "LocaleId": s(15, nullable=True),
    # '^https://.+' (not '^https://'): with minLength 9 and format uri, Schemathesis's coverage phase
    # could not build any valid body from '^https://' and sent a negative body (0) in cases it labelled
    # positive, a false positive_data_acceptance finding (issue 12). Both accept the same URLs.
    "Url": s(min_length=9, format="uri", pattern="^https://.+", description="HTTPS only."),
    "State": s(
        enum=["Active", "Paused", "Inactive"],
        description="Create default Paused. The update docs list "
        "Active|Inactive, the create docs Active|Paused: all three are accepted.",
    ),
    "IsMinimized": {**BOOL, "description": "Thin notifications without data."},
    "IsActive": {**BOOL, "description": "false => subscription deleted."},
    "CatchUpOnResume": {**BOOL, "description": "Deliver events from the paused period (max 15 days)."},
    "Subscriptions": arr(ref("WebhookSubscriptionItem")),
    "AlternateIdType": s(
        nullable=True, description="If set, payload ProfileId is replaced by this alternate id."
    ),
}
WEBHOOK = obj(dict(WEBHOOK_PROPS), closed=True, required=["Id", "Name", "Url"])
WEBHOOK_INPUT = obj(
    {k: v for k, v in WEBHOOK_PROPS.items() if not v.get("readOnly")}, required=["Name", "Url"]
)
EVENT = obj(
    {
        "EventId": s(),
        "EventType": s(),
        "Subject": s(nullable=True),
        "Entity": s(),
        "SubscriptionId": s(nullable=True),
        "Name": s(nullable=True),
        "Description": s(nullable=True),
        "ProfileId": s(
            description="Profile id, or the alternate id value when the subscription sets AlternateIdType."
        ),
        "Data": {"type": "object", "nullable": True, "description": "Omitted/null when IsMinimized."},
        "PreviousData": {"type": "object", "nullable": True},
        "OccurredDate": {**DATETIME},
        "GeneratedDate": {**DATETIME, "nullable": True},
        "RecordedDate": {**DATETIME, "nullable": True},
        "RecordedBy": s(nullable=True),
    },
    closed=True,
    required=["EventId", "EventType"],
    description="ASSUMPTION: names of the four date/user members (catalog: '(event occurred date)', "
    "'(generated date)', '(recorded date)', '(recorded by user)').",
)
EVENT_LIST = arr(ref("Event"))


def wrapper(key: str, item: str, closed: bool = True, nullable: bool = False) -> Schema:
    items = arr(ref(item))
    if nullable:
        items["nullable"] = True
    return obj({key: items}, closed=closed, required=[key] if closed else None)


def custom_field(kind: str, *, request: bool) -> Schema:
    props = {**CUSTOM_FIELD_BASE, **CUSTOM_FIELD_EXTRA[kind]}
    if request:
        return obj({k: v for k, v in props.items() if not v.get("readOnly")}, required=["Name"])
    return obj(props, closed=True, required=["Id", "Name"])


CONFIG_TYPE_FAMILIES = [
    "AddressTypes",
    "AlternateIdTypes",
    "CustomerTypes",
    "EmailTypes",
    "PhoneTypes",
    "GroupTypes",
]
CUSTOM_FIELD_KINDS = ["DateTime", "Numeric", "SelectList", "Text"]


def all_schemas() -> dict[str, Schema]:
    out: dict[str, Schema] = {
        "Error": ERROR,
        "EditInfo": EDIT_INFO,
        "KeyValue": KEY_VALUE,
        "LocalizedField": LOCALIZED_FIELD,
        "JsonPatchOperation": JSON_PATCH_OP,
        "JsonPatch": JSON_PATCH,
        "ProfilePreference": PROFILE_PREFERENCE,
        "CustomerConsent": CUSTOMER_CONSENT,
        "AddressPreference": ADDRESS,
        "PhoneNumberPreference": PHONE,
        "EmailPreference": EMAIL,
        "CustomerName": CUSTOMER_NAME,
        "AlternateIdEntry": ALTERNATE_ID,
        "CustomFieldValue": CUSTOM_FIELD_VALUE,
        "GroupMembership": GROUP_MEMBERSHIP,
        "Profile": PROFILE,
        "ProfileInput": PROFILE_INPUT,
        "ProfileList": PROFILE_LIST,
        "HistoricalProfile": HISTORICAL_PROFILE,
        "ProfileHistory": HISTORY,
        "ArchivePreferencesRequest": ARCHIVE_REQUEST,
        "DeactivateProfileRequest": DEACTIVATE_REQUEST,
        "AddConsentsRequest": CONSENTS_REQUEST,
        "PreferencesUpsertRequest": PREFERENCES_UPSERT,
        "FilterConsents": FILTER_CONSENTS,
        "ConfigType": CONFIG_TYPE,
        "ConfigTypeInput": CONFIG_TYPE_INPUT,
        "ConsentVersion": CONSENT_VERSION,
        "ConsentType": CONSENT_TYPE,
        "ConsentTypeInput": CONSENT_TYPE_INPUT,
        "ConsentTypeList": wrapper("ConsentTypes", "ConsentType"),
        "ConsentTypeCreateRequest": obj(
            {"ConsentTypes": arr(ref("ConsentTypeInput"), minItems=1)}, required=["ConsentTypes"]
        ),
        "ConsentStatusList": CONSENT_STATUS_LIST,
        "Picklist": obj(dict(PICKLIST_PROPS), closed=True, required=["Id", "Name"]),
        "PicklistInput": obj(
            {k: v for k, v in PICKLIST_PROPS.items() if not v.get("readOnly")}, required=["Name"]
        ),
        "PicklistList": wrapper("Picklists", "Picklist"),
        "PicklistCreateRequest": obj(
            {"Picklists": arr(ref("PicklistInput"), minItems=1)}, required=["Picklists"]
        ),
        "TagCounts": TAG_COUNTS,
        "DeleteTagsRequest": TAGS_DELETE,
        "UpdateRuleList": UPDATE_RULES,
        "GroupNameList": GROUP_NAMES,
        "RenameGroupRequest": RENAME_GROUP,
        "Filter": FILTER,
        "FilterList": wrapper("Filters", "Filter"),
        "Program": PROGRAM,
        "ProgramList": wrapper("Programs", "Program"),
        "ProgramGroup": PROGRAM_GROUP,
        "ProgramGroupList": wrapper("ProgramGroup", "ProgramGroup", nullable=True),
        "ImportInitiateRequest": IMPORT_INITIATE,
        "ImportJob": IMPORT_JOB,
        "ImportStatus": IMPORT_STATUS,
        "BulkProfileRecord": BULK_RECORD,
        "ImportStageRequest": IMPORT_STAGE,
        "ImportExceptionDefinition": EXCEPTION_DEF,
        "ImportExceptionRecord": EXCEPTION_RECORD,
        "ImportExceptionPage": IMPORT_EXCEPTIONS,
        "ExportInitiateRequest": EXPORT_INITIATE,
        "ExportJob": EXPORT_JOB,
        "ExportStatus": EXPORT_STATUS,
        "ExportPage": EXPORT_PAGE,
        "WebhookSubscriptionItem": SUBSCRIPTION_ITEM,
        "WebhookSubscription": WEBHOOK,
        "WebhookSubscriptionInput": WEBHOOK_INPUT,
        "WebhookSubscriptionList": arr(ref("WebhookSubscription")),
        "Event": EVENT,
        "EventList": EVENT_LIST,
    }
    for family in CONFIG_TYPE_FAMILIES:
        out[f"{family}List"] = wrapper(family, "ConfigType")
        out[f"{family}CreateRequest"] = obj(
            {family: arr(ref("ConfigTypeInput"), minItems=1)}, required=[family]
        )
    for kind in CUSTOM_FIELD_KINDS:
        out[f"{kind}CustomField"] = custom_field(kind, request=False)
        out[f"{kind}CustomFieldInput"] = custom_field(kind, request=True)
        out[f"{kind}CustomFieldList"] = wrapper(f"{kind}Fields", f"{kind}CustomField")
        out[f"{kind}CustomFieldCreateRequest"] = obj(
            {f"{kind}Fields": arr(ref(f"{kind}CustomFieldInput"), minItems=1)}, required=[f"{kind}Fields"]
        )
    out["CustomFieldCatalog"] = obj(
        {f"{k}Fields": arr(ref(f"{k}CustomField")) for k in CUSTOM_FIELD_KINDS},
        closed=True,
        required=[f"{k}Fields" for k in CUSTOM_FIELD_KINDS],
    )
    _allow_null_in_enums(out)
    return copy.deepcopy(out)


def _allow_null_in_enums(node: Any) -> None:
    """OpenAPI 3.0.3: a nullable enum must list null explicitly, or null is rejected by validators."""
    if isinstance(node, dict):
        if node.get("nullable") and "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        for value in node.values():
            _allow_null_in_enums(value)
    elif isinstance(node, list):
        for value in node:
            _allow_null_in_enums(value)
