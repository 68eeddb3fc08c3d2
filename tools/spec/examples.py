"""Realistic examples, consistent across operations (demo tenant ACME_CORP, profile 1001, @example.com).

Response examples are written here in full; request examples are derived from them by the generator
(read-only members stripped), so both stay consistent. Every example is validated against its own
schema by tests/spec.
"""

from __future__ import annotations

from typing import Any

from tools.spec.schemas import DT, DT2

EDITED = {"CreatedDate": DT, "CreatedBy": "John.Doe", "ModifiedDate": DT2, "ModifiedBy": "John.Doe"}

PREFERENCE = {
    "FilterId": "NEWSLETTER",
    "PreferenceType": 1,
    "FrequencyId": "WEEKLY",
    "PreferenceAttributes": [{"Key": "Source", "Value": "web-signup"}],
    "CustomerDate": DT,
    "ProgramId": 10,
    "ChannelId": "Email",
    "MatchType": "Expressed",
    "ReasonCode": None,
    "ExpirationDate": None,
    "PreferenceStatus": "Active",
    "LastModifiedDate": DT,
    "UserId": "John.Doe",
    "SourceId": None,
}

PROFILE: dict[str, Any] = {
    "ProfileId": 1001,
    "IsActive": True,
    "Edited": EDITED,
    "RegistrationConfirmed": True,
    "CustomerType": "Consumer",
    "PreserveConsents": True,
    "PreservePreferences": True,
    "CustomerName": {
        "Prefix": None,
        "FirstName": "Jane",
        "MiddleName": None,
        "LastName": "Roe",
        "Suffix": None,
    },
    "DefaultLocale": "en-us",
    "AlternateIds": [{"AlternateIdType": "CRM", "AlternateId": "CRM-000123"}],
    "Addresses": [
        {
            "AddressType": "Home",
            "IsDefault": True,
            "Address1": "100 Main Street",
            "Address2": None,
            "City": "Atlanta",
            "StateProvince": "GA",
            "PostalCode": "30301",
            "CountryCode_Alpha2": "US",
            "Country": "United States",
            "IsActive": True,
            "Edited": EDITED,
            "AddressPreferences": [],
        }
    ],
    "PhoneNumbers": [
        {
            "PhoneType": "Mobile",
            "PhoneNumber": "404-555-0100",
            "PhoneNumberNumeric": "4045550100",
            "IsDefault": True,
            "IsMobile": True,
            "IsActive": True,
            "PhoneNumberPreferences": [],
        }
    ],
    "Emails": [
        {
            "EmailAddressType": "Personal",
            "EmailAddress": "jane.roe@example.com",
            "IsDefault": True,
            "IsActive": True,
            "Edited": EDITED,
            "EmailPreferences": [PREFERENCE],
        }
    ],
    "ProfilePreferences": [],
    "Consents": [
        {
            "ConsentType": "Marketing",
            "ConsentVersion": "1.0",
            "Locale": "en-us",
            "ConsentStatus": 1,
            "ConsentDate": DT,
        }
    ],
    "CustomFields": [{"Name": "LoyaltyTier", "Value": "Gold"}],
    "Groups": [{"GroupType": "Household", "GroupName": "Roe Family", "IsPrimary": True}],
    "ProfileTags": ["vip"],
}

PROFILE_2 = {
    **PROFILE,
    "ProfileId": 1002,
    "CustomerName": {"FirstName": "John", "LastName": "Roe"},
    "Emails": [
        {
            "EmailAddressType": "Personal",
            "EmailAddress": "john.roe@example.com",
            "IsDefault": True,
            "IsActive": True,
            "EmailPreferences": [],
        }
    ],
    "AlternateIds": [{"AlternateIdType": "CRM", "AlternateId": "CRM-000124"}],
}

CONFIG_TYPE = {
    "TypeId": 7,
    "TypeName": "Home",
    "LocalizedFields": [{"Locale": "en-us", "Name": "Home", "Description": "Home address"}],
    "IsDefault": True,
    "IsActive": True,
    "Edited": EDITED,
}

CONSENT_TYPE = {
    "TypeId": 3,
    "TypeName": "Marketing",
    "IsActive": True,
    "Edited": EDITED,
    "Versions": [
        {
            "ConsentVersion": "1.0",
            "ExpirationInDays": 365,
            "IsActive": True,
            "IsAssociatedWithProfiles": True,
            "LocalizedFields": [
                {
                    "ConsentLanguage": "I agree to receive marketing messages.",
                    "Locale": "en-us",
                    "Name": "Marketing",
                    "Description": "Marketing consent",
                }
            ],
        }
    ],
}

CUSTOM_FIELDS = {
    "DateTime": {
        "Id": 21,
        "Edited": EDITED,
        "Name": "BirthDate",
        "LocalizedDisplayNames": [{"Locale": "en-us", "DisplayName": "Birth date"}],
        "Description": "Customer birth date",
        "UpdateRuleId": 1,
        "DisplayOrder": 1,
        "IsReadOnly": False,
        "IsRequired": False,
        "IsActive": True,
    },
    "Numeric": {
        "Id": 22,
        "Edited": EDITED,
        "Name": "LoyaltyPoints",
        "LocalizedDisplayNames": [],
        "Description": None,
        "UpdateRuleId": 1,
        "DisplayOrder": 2,
        "IsReadOnly": False,
        "IsRequired": False,
        "IsActive": True,
        "MinValue": 0,
        "MaxValue": 1000000,
        "DecimalPlaces": 0,
        "DefaultValue": 0,
        "FieldMask": None,
    },
    "SelectList": {
        "Id": 23,
        "Edited": EDITED,
        "Name": "FavoriteStore",
        "LocalizedDisplayNames": [],
        "Description": None,
        "UpdateRuleId": 1,
        "DisplayOrder": 3,
        "IsReadOnly": False,
        "IsRequired": False,
        "IsActive": True,
        "PicklistId": 5,
        "DisplayType": "DropDown",
        "DefaultState": None,
    },
    "Text": {
        "Id": 24,
        "Edited": EDITED,
        "Name": "LoyaltyTier",
        "LocalizedDisplayNames": [],
        "Description": "Loyalty tier",
        "UpdateRuleId": 1,
        "DisplayOrder": 4,
        "IsReadOnly": False,
        "IsRequired": False,
        "IsActive": True,
        "MinLength": 0,
        "MaxLength": 20,
        "DefaultValue": None,
        "ValidationRegex": None,
        "FieldMask": None,
    },
}

PICKLIST = {
    "Id": 5,
    "Name": "Stores",
    "Description": "Store list",
    "IsActive": True,
    "Edited": EDITED,
    "Items": [{"Value": "Atlanta Midtown", "DisplayOrder": 1, "LocalizedFields": []}],
}

FILTER = {
    "FilterId": "NEWSLETTER",
    "Name": "Newsletter",
    "Description": "Weekly newsletter",
    "ChannelId": "Email",
    "DefaultPreferenceType": 2,
    "Frequencies": [{"FrequencyId": "WEEKLY", "Name": "Weekly"}],
    "TextTags": [{"Locale": "en-us", "Key": "Title", "Value": "Our newsletter"}],
    "CustomProperties": [],
}
PROGRAM = {
    "ProgramId": 10,
    "ProgramTypeId": 1,
    "ProgramGroupId": 2,
    "Name": "Email Marketing",
    "Description": "Marketing emails",
    "CustomProperties": [{"Key": "Brand", "Value": "ACME"}],
    "Filters": [FILTER],
}
PROGRAM_GROUP = {
    "ProgramGroupId": 2,
    "Name": "Marketing",
    "Description": None,
    "CustomProperties": [{"Key": "Brand", "Value": "ACME"}],
    "Programs": [PROGRAM],
}

WEBHOOK = {
    "Id": 501,
    "Name": "Profile changes",
    "Description": "Feed for the CRM",
    "LocaleId": "en_US",
    "Url": "https://hooks.example.com/mypreferences",
    "State": "Paused",
    "IsMinimized": False,
    "IsActive": True,
    "CatchUpOnResume": True,
    "AlternateIdType": None,
    "Subscriptions": [{"Entity": "profile", "EventType": "profile.updated", "Filters": ["AllFilters"]}],
}
EVENT = {
    "EventId": "evt-0001",
    "EventType": "profile.updated",
    "Subject": None,
    "Entity": "profile",
    "SubscriptionId": "501",
    "Name": "Profile updated",
    "Description": "A profile was updated",
    "ProfileId": "1001",
    "Data": {"ProfileId": 1001},
    "PreviousData": None,
    "OccurredDate": DT,
    "GeneratedDate": DT,
    "RecordedDate": DT,
    "RecordedBy": "John.Doe",
}

IMPORT_STATUS = {
    "AccessToken": 90001,
    "Status": "Staging",
    "TotalRecordsReceived": 2,
    "ValidationSuccessful": 2,
    "ValidationFailed": 0,
    "Processed": 0,
    "Pending": 2,
    "Exceptions": 0,
    "NotHonored": 0,
}

# createProfile: a new person without alternate ids, so repeated runs never collide on a unique key
NEW_PROFILE = {
    "CustomerName": {"FirstName": "Alex", "LastName": "Poe"},
    "DefaultLocale": "en-us",
    "Emails": [
        {
            "EmailAddressType": "Personal",
            "EmailAddress": "alex.poe@example.com",
            "IsDefault": True,
            "EmailPreferences": [{"FilterId": "NEWSLETTER", "PreferenceType": 1, "CustomerDate": DT}],
        }
    ],
    "Consents": [
        {"ConsentType": "Marketing", "ConsentVersion": "1.0", "Locale": "en-us", "ConsentStatus": 1}
    ],
    "ProfileTags": ["newsletter"],
}
CREATED_PROFILE = {
    **NEW_PROFILE,
    "ProfileId": 1301,
    "IsActive": True,
    "Edited": {"CreatedDate": DT2, "CreatedBy": "John.Doe", "ModifiedDate": DT2, "ModifiedBy": "John.Doe"},
    "RegistrationConfirmed": False,
    "PreserveConsents": True,
    "PreservePreferences": True,
}

RESPONSE_EXAMPLES: dict[str, Any] = {
    "CreatedProfile": CREATED_PROFILE,
    "Error": {"Message": "The request is invalid."},
    "Profile": PROFILE,
    "ProfileList": [PROFILE, PROFILE_2],
    "ProfileHistory": [
        {
            "ProfileId": 1001,
            "AlternateIds": PROFILE["AlternateIds"],
            "CustomerName": {"FirstName": "Jane", "LastName": "Doe"},
            "HistoryDate": DT,
        },
        {
            "ProfileId": 1001,
            "AlternateIds": PROFILE["AlternateIds"],
            "CustomerName": {"FirstName": "Jane", "LastName": "Roe"},
            "HistoryDate": DT2,
        },
    ],
    "FilterConsents": [{"FilterId": "NEWSLETTER", "Consents": PROFILE["Consents"]}],
    "ConsentTypeList": {"ConsentTypes": [CONSENT_TYPE]},
    "ConsentStatusList": {
        "ConsentStatus": [
            {"Id": 1, "Name": "Granted"},
            {"Id": 2, "Name": "Denied"},
            {"Id": 3, "Name": "Revoked"},
            {"Id": 4, "Name": "NotSet"},
        ]
    },
    "ConfigType": CONFIG_TYPE,
    "Picklist": PICKLIST,
    "PicklistList": {"Picklists": [PICKLIST]},
    "TagCounts": {"TagCounts": [{"Tag": {"Name": "vip"}, "Count": 12}]},
    "UpdateRuleList": {"UpdateRules": [{"Id": 1, "Name": "Always"}, {"Id": 2, "Name": "Never"}]},
    "GroupNameList": {
        "GroupTypeNames": [{"TypeId": 4, "TypeName": "Household", "GroupNames": ["Roe Family"]}]
    },
    "FilterList": {"Filters": [FILTER]},
    "ProgramList": {"Programs": [PROGRAM]},
    "ProgramGroupList": {"ProgramGroup": [PROGRAM_GROUP]},
    "ImportJob": {
        "AccessToken": 90001,
        "Name": "Nightly CRM sync",
        "Status": "Initiated",
        "ExpirationDate": "2026-11-02T20:30:00Z",
    },
    "ImportStatus": IMPORT_STATUS,
    "ImportExceptionPage": {
        "Count": 1,
        "HasMore": False,
        "Limit": 1000,
        "Offset": 1,
        "TotalResults": 1,
        "UserProfilePreferences": [
            {
                "SequenceNumber": 2,
                "ProfileId": None,
                "Emails": [{"EmailAddress": "not-an-email"}],
                "Exceptions": [
                    {
                        "ExceptionCode": "InvalidEmail",
                        "Message": "EmailAddress is invalid",
                        "Field": "Emails[0].EmailAddress",
                    }
                ],
            }
        ],
    },
    "ExportJob": {"AccessToken": 90001},
    "ExportStatus": {"AccessToken": 90001, "Status": "Complete", "RowCount": 2, "ByteCount": 4096},
    "ExportPage": {
        "Count": 2,
        "HasMore": False,
        "Limit": 1000,
        "Offset": 1,
        "TotalResults": 2,
        "UserProfilePreferences": [PROFILE, PROFILE_2],
    },
    "WebhookSubscription": WEBHOOK,
    "WebhookSubscriptionList": [WEBHOOK],
    "Event": EVENT,
    "EventList": [EVENT],
}
for _family in [
    "AddressTypes",
    "AlternateIdTypes",
    "CustomerTypes",
    "EmailTypes",
    "PhoneTypes",
    "GroupTypes",
]:
    RESPONSE_EXAMPLES[f"{_family}List"] = {_family: [CONFIG_TYPE]}
for _kind, _field in CUSTOM_FIELDS.items():
    RESPONSE_EXAMPLES[f"{_kind}CustomField"] = _field
    RESPONSE_EXAMPLES[f"{_kind}CustomFieldList"] = {f"{_kind}Fields": [_field]}
RESPONSE_EXAMPLES["CustomFieldCatalog"] = {f"{k}Fields": [v] for k, v in CUSTOM_FIELDS.items()}


def _strip_ids(value: dict[str, Any]) -> dict[str, Any]:
    return value


# names used by the create examples: not seeded, so a create example answers 201 on a fresh sandbox
NEW_CONFIG_NAMES = {
    "AddressTypes": "Vacation Home",
    "AlternateIdTypes": "LOYALTY_ID",
    "CustomerTypes": "Partner",
    "EmailTypes": "School",
    "PhoneTypes": "Car Phone",
    "GroupTypes": "Club",
    "ConsentTypes": "Loyalty Program",
    "Picklists": "Regions",
    "DateTimeFields": "AnniversaryDate",
    "NumericFields": "PetCount",
    "SelectListFields": "PreferredRegion",
    "TextFields": "Nickname",
}
NEW_WEBHOOK = {
    "Name": "New endpoint",
    "Description": "Consent changes for the data warehouse",
    "LocaleId": "en_US",
    "Url": "https://hooks.example.com/new-endpoint",
    "State": "Paused",
    "IsMinimized": True,
    "CatchUpOnResume": False,
    "Subscriptions": [{"Entity": "consent", "EventType": "consent.updated", "ConsentTypes": ["AllConsents"]}],
}

REQUEST_EXAMPLES: dict[str, Any] = {
    "NewWebhookSubscriptionExample": NEW_WEBHOOK,
    "NewProfileExample": NEW_PROFILE,
    # JSON Patch documents per resource family (a profile path would not exist on a type)
    "ConfigTypePatchExample": [{"op": "replace", "path": "/IsActive", "value": True}],
    "DescriptionPatchExample": [{"op": "replace", "path": "/Description", "value": "Updated by the harness"}],
    # request examples whose shape differs from a response example; the rest are derived
    "ProfileInput": PROFILE,
    "JsonPatch": [
        {"op": "replace", "path": "/CustomerName/LastName", "value": "Smith"},
        {"op": "add", "path": "/ProfileTags/-", "value": "newsletter"},
    ],
    "ConfigTypeCreate": None,  # filled per family by the generator
    "ArchivePreferencesRequest": {
        "GlobalDeactivate": False,
        "Reason_Code": "CUSTOMER_REQUEST",
        "Emails": [{"EmailAddress": "jane.roe@example.com"}],
    },
    "DeactivateProfileRequest": {"Reason": "Customer closed the account"},
    "AddConsentsRequest": {
        "Consents": [
            {
                "ConsentType": "Marketing",
                "ConsentVersion": "1.0",
                "Locale": "en-us",
                "ConsentStatus": 1,
                "ConsentDate": DT,
            }
        ]
    },
    "PreferencesUpsertRequest": {
        "ProfilePreferences": [{"FilterId": "NEWSLETTER", "PreferenceType": 2, "CustomerDate": DT}]
    },
    "DeleteTagsRequest": {"Tags": [{"Name": "vip"}]},
    "RenameGroupRequest": {
        "OldGroupName": "Roe Family",
        "NewGroupName": "Roe Household",
        "AllowMerge": False,
    },
    "ImportInitiateRequest": {
        "Name": "Nightly CRM sync",
        "StagingRetentionDays": 3,
        "ImportAction": "Add",
        "MatchCriteria": "AlternateIdType",
        "MatchValue": "CRM",
        "RefreshTags": False,
    },
    "ImportStageRequest": {
        "UserProfilePreferences": [
            {
                "CustomerName": {"FirstName": "Jane", "LastName": "Roe"},
                "AlternateIds": [{"AlternateIdType": "CRM", "AlternateId": "CRM-000123"}],
                "Emails": [{"EmailAddress": "jane.roe@example.com", "IsDefault": True}],
            },
            {
                "CustomerName": {"FirstName": "John", "LastName": "Roe"},
                "AlternateIds": [{"AlternateIdType": "CRM", "AlternateId": "CRM-000124"}],
                "Emails": [{"EmailAddress": "john.roe@example.com", "IsDefault": True}],
            },
        ]
    },
    "ExportInitiateRequest": {
        "LastDateTime": DT,
        "MatchCriteria": None,
        "MatchType": None,
        "Values": None,
        "CallbackURL": None,
    },
}
