"""Deterministic seed data per tenant (fixed random seed), written once per database.

Per tenant: contact/customer/group/consent types (ids 1..8, localized en-us and fr-ca), custom fields
and picklists (ids 20..25 in every kind), 3 program groups with 6 programs and 8 filters, 300 profiles
(ids 1001..1300) with contacts, preferences, consents, custom fields, groups and tags, one webhook
subscription (501), one event (evt-0001), one completed import and export job (90001). The spec's
examples point at this data: profile 1001 is Jane Roe (jane.roe@example.com, 404-555-0100, CRM-000123,
household "Roe Family"). LastName "Smith" is shared by 60 profiles: the search-cap (> 50 -> 403) case.

``seed_if_empty`` runs inside one write transaction and checks a marker first, so several worker
processes starting on the same database seed it exactly once.
"""

from __future__ import annotations

import datetime as dt
import random
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from mypref_harness.sandbox.operations import profile_model as model
from mypref_harness.sandbox.operations.common import PROFILE, enrich
from mypref_harness.sandbox.store import Store, Tx

SEED_VERSION = "1"
PROFILE_COUNT = 300
FIRST_PROFILE = 1001
SHARED_LAST_NAME = "Smith"
SHARED_EVERY = 5  # every 5th profile is a Smith: 60 of 300
SEED_STAMP = "2024-01-15T12:00:00.000Z"
SEED_USER = "seed"
LOCALES = ("en-us", "fr-ca")

TYPE_NAMES = {
    "AddressTypes": ["Home", "Business", "Shipping", "Billing", "Vacation", "Mailing", "Campus", "Other"],
    "AlternateIdTypes": [
        "CRM",
        "Salesforce",
        "Marketo",
        "LoyaltyId",
        "DeviceId",
        "AppUserId",
        "ERP",
        "LegacyId",
    ],
    "CustomerTypes": ["Customer", "Prospect", "Lead", "Partner", "Employee", "Vendor", "Member", "Guest"],
    "EmailTypes": ["Personal", "Work", "School", "Billing", "Support", "Alternate", "Newsletter", "Other"],
    "PhoneTypes": ["Mobile", "Home", "Work", "Fax", "Pager", "Main", "Alternate", "Other"],
    "GroupTypes": ["Household", "Company", "Team", "Club", "Family", "Account", "Region", "Other"],
}
CONSENT_TYPES = [
    "TermsOfService",
    "PrivacyPolicy",
    "MarketingEmail",
    "SMSConsent",
    "PhoneConsent",
    "CookieConsent",
    "DataSharing",
    "Research",
]
CUSTOM_FIELDS = {
    "Text": ["FavoriteColor", "Nickname", "Employer", "JobTitle", "Hobby", "Notes"],
    "Numeric": ["LoyaltyPoints", "Age", "HouseholdSize", "CreditScore", "Visits", "Spend"],
    "DateTime": ["Birthday", "Anniversary", "LastVisit", "SignupDate", "RenewalDate", "LastPurchase"],
    "SelectList": ["ShirtSize", "PreferredStore", "Language", "Tier", "Region", "Channel"],
}
FIRST_CONFIG_ID = 20
PROGRAM_GROUPS = [
    (1, "Transactional", [("Jurisdiction", "US")]),
    (2, "Marketing", [("Jurisdiction", "EU"), ("OnlineOnly", "True")]),
    (3, "Research", [("Jurisdiction", "US")]),
]
# program id, group id, type id, name, custom properties
PROGRAMS = [
    (10, 2, 2, "Newsletters", [("OnlineOnly", "True")]),
    (11, 2, 2, "Promotions", [("OnlineOnly", "False")]),
    (12, 1, 1, "Orders", []),
    (13, 3, 3, "Surveys", [("Panel", "Consumer")]),
    (14, 1, 5, "Do Not Contact", []),
    (15, 2, 4, "Consents", []),
]
# filter id, program id, channel, name, consent types required
FILTERS = [
    ("NEWSLETTER", 10, "Email", "Weekly newsletter", ["MarketingEmail"]),
    ("PROMO-EMAIL", 11, "Email", "Promotional email", ["MarketingEmail"]),
    ("PROMO-SMS", 11, "Text", "Promotional texts", ["SMSConsent"]),
    ("ORDER-UPDATES", 12, "Email", "Order updates", []),
    ("ORDER-SMS", 12, "Text", "Order texts", ["SMSConsent"]),
    ("SURVEY-PHONE", 13, "Phone", "Phone surveys", ["PhoneConsent"]),
    ("CATALOG-MAIL", 11, "Mail", "Printed catalog", []),
    ("DNC-PHONE", 14, "Phone", "Do not call", []),
]
FIRST_NAMES = [
    "Alex",
    "Maria",
    "Sam",
    "Priya",
    "Chen",
    "Fatima",
    "Lucas",
    "Olga",
    "Kwame",
    "Emma",
    "Diego",
    "Yuki",
    "Noah",
    "Amara",
    "Liam",
    "Sofia",
    "Ivan",
    "Zoe",
    "Omar",
    "Hana",
]
LAST_NAMES = [
    "Johnson",
    "Garcia",
    "Nguyen",
    "Patel",
    "Kim",
    "Okafor",
    "Muller",
    "Rossi",
    "Silva",
    "Cohen",
    "Dubois",
    "Tanaka",
    "Brown",
    "Lopez",
    "Novak",
    "Haddad",
]
CITIES = [
    ("Atlanta", "GA", "303"),
    ("Boston", "MA", "021"),
    ("Chicago", "IL", "606"),
    ("Denver", "CO", "802"),
    ("Austin", "TX", "787"),
    ("Montreal", "QC", "H2X"),
]
TAGS = ["Gold", "Silver", "Beta", "Newsletter", "Student"]


class TenantLike(Protocol):
    @property
    def client_id(self) -> str: ...


@dataclass
class SeedWriter:
    """What the profile writer needs to know about the seeding 'request'."""

    tenant: str
    user_id: str = SEED_USER

    @property
    def stamp(self) -> str:
        return SEED_STAMP

    def defect(self, name: str) -> bool:
        return False


def seed_if_empty(store: Store, tenants: Iterable[TenantLike]) -> list[str]:
    """Seed every tenant that has no seed yet; returns the tenants seeded by this call."""
    seeded = []
    for tenant in tenants:
        with store.write() as tx:
            if tx.meta(tenant.client_id, "seed") is not None:
                continue
            seed_tenant(tx, tenant.client_id)
            tx.set_meta(tenant.client_id, "seed", SEED_VERSION)
            seeded.append(tenant.client_id)
    return seeded


def _localized(name: str) -> list[dict[str, Any]]:
    return [
        {"Locale": "en-us", "Name": name, "Description": f"{name} (English)"},
        {"Locale": "fr-ca", "Name": f"{name} (fr)", "Description": f"{name} (français)"},
    ]


def _edited() -> dict[str, Any]:
    return {
        "CreatedDate": SEED_STAMP,
        "CreatedBy": SEED_USER,
        "ModifiedDate": SEED_STAMP,
        "ModifiedBy": SEED_USER,
    }


def seed_tenant(tx: Tx, tenant: str) -> None:
    rng = random.Random(zlib.crc32(tenant.encode("utf-8")))  # noqa: S311 - deterministic test data
    _seed_config(tx, tenant)
    _seed_programs(tx, tenant)
    writer = SeedWriter(tenant)
    for number in range(PROFILE_COUNT):
        doc = _profile(rng, FIRST_PROFILE + number)
        stored = enrich(writer, tx, doc, None)
        tx.put(tenant, PROFILE, stored["ProfileId"], stored)
        tx.reindex_profile(tenant, stored["ProfileId"], model.index_entries(stored))
        tx.add_history(tenant, stored["ProfileId"], model.diff(None, stored), SEED_STAMP, SEED_USER)
    tx.bump_counter_to(tenant, "profile", FIRST_PROFILE + PROFILE_COUNT - 1)
    for tag in [*TAGS, "VIP"]:
        tx.put(tenant, "tag", tag.lower(), {"Name": tag})
    tx.put(
        tenant,
        "groupname",
        "group:household|roe family",
        {"_key": "group:household|roe family", "Name": "Roe Family"},
    )
    _seed_integration(tx, tenant)


def _seed_config(tx: Tx, tenant: str) -> None:
    for kind, names in TYPE_NAMES.items():
        for number, name in enumerate(names, start=1):
            tx.put(
                tenant,
                kind,
                number,
                {
                    "TypeId": number,
                    "TypeName": name,
                    "LocalizedFields": _localized(name),
                    "IsDefault": number == 1,
                    "IsActive": True,
                    "Edited": _edited(),
                },
            )
        tx.bump_counter_to(tenant, kind, len(names))
    for number, name in enumerate(CONSENT_TYPES, start=1):
        versions = [
            {
                "ConsentVersion": version,
                "ExpirationInDays": 365 if version == "2.0" else None,
                "IsActive": version == "2.0",
                "IsAssociatedWithProfiles": True,
                "LocalizedFields": [
                    {
                        "ConsentLanguage": f"I agree to {name} v{version}.",
                        "Locale": "en-us",
                        "Name": name,
                        "Description": f"{name} version {version}",
                    },
                    {
                        "ConsentLanguage": f"J'accepte {name} v{version}.",
                        "Locale": "fr-ca",
                        "Name": name,
                        "Description": f"{name} version {version}",
                    },
                ],
            }
            for version in ("1.0", "2.0")
        ]
        tx.put(
            tenant,
            "ConsentTypes",
            number,
            {"TypeId": number, "TypeName": name, "IsActive": True, "Versions": versions, "Edited": _edited()},
        )
    tx.bump_counter_to(tenant, "ConsentTypes", len(CONSENT_TYPES))
    for kind, names in CUSTOM_FIELDS.items():
        for offset, name in enumerate(names):
            field_id = FIRST_CONFIG_ID + offset
            field: dict[str, Any] = {
                "Id": field_id,
                "Edited": _edited(),
                "Name": name,
                "LocalizedDisplayNames": [
                    {"Locale": "en-us", "DisplayName": name},
                    {"Locale": "fr-ca", "DisplayName": f"{name} (fr)"},
                ],
                "Description": f"{kind} custom field {name}",
                "UpdateRuleId": 1,
                "DisplayOrder": offset + 1,
                "IsReadOnly": False,
                "IsRequired": False,
                "IsActive": True,
            }
            if kind == "Numeric":
                field.update(
                    MinValue=0, MaxValue=1_000_000, DecimalPlaces=0, DefaultValue=None, FieldMask=None
                )
            elif kind == "Text":
                field.update(
                    MinLength=0, MaxLength=200, DefaultValue=None, ValidationRegex=None, FieldMask=None
                )
            elif kind == "SelectList":
                field.update(PicklistId=FIRST_CONFIG_ID + offset, DisplayType="DropDown", DefaultState=None)
            tx.put(tenant, f"CustomFields{kind}", field_id, field)
        tx.bump_counter_to(tenant, f"CustomFields{kind}", FIRST_CONFIG_ID + len(names) - 1)
    for offset, name in enumerate(CUSTOM_FIELDS["SelectList"]):
        picklist_id = FIRST_CONFIG_ID + offset
        items = [
            {
                "Value": f"{name}-{letter}",
                "DisplayOrder": i + 1,
                "LocalizedFields": [
                    {"Locale": "en-us", "Name": f"{name} {letter}", "Description": None},
                    {"Locale": "fr-ca", "Name": f"{name} {letter} (fr)", "Description": None},
                ],
            }
            for i, letter in enumerate("ABC")
        ]
        tx.put(
            tenant,
            "Picklists",
            picklist_id,
            {
                "Id": picklist_id,
                "Name": f"{name}Options",
                "Description": f"Options of {name}",
                "IsActive": True,
                "Items": items,
                "Edited": _edited(),
            },
        )
    tx.bump_counter_to(tenant, "Picklists", FIRST_CONFIG_ID + len(CUSTOM_FIELDS["SelectList"]) - 1)


def _props(pairs: list[tuple[str, str]]) -> list[dict[str, Any]]:
    return [{"Key": k, "Value": v} for k, v in pairs]


def _seed_programs(tx: Tx, tenant: str) -> None:
    for group_id, name, props in PROGRAM_GROUPS:
        tx.put(
            tenant,
            "programgroup",
            group_id,
            {
                "ProgramGroupId": group_id,
                "Name": name,
                "Description": f"{name} programs",
                "CustomProperties": _props(props),
            },
        )
    for program_id, group_id, type_id, name, props in PROGRAMS:
        tx.put(
            tenant,
            "program",
            program_id,
            {
                "ProgramId": program_id,
                "ProgramTypeId": type_id,
                "ProgramGroupId": group_id,
                "Name": name,
                "Description": f"{name} program",
                "CustomProperties": _props(props),
            },
        )
    for filter_id, program_id, channel, name, consents in FILTERS:
        tx.put(
            tenant,
            "filter",
            filter_id,
            {
                "FilterId": filter_id,
                "Name": name,
                "Description": f"{name} ({channel})",
                "ChannelId": channel,
                "DefaultPreferenceType": 2 if filter_id == "DNC-PHONE" else 1,
                "Frequencies": [
                    {"FrequencyId": "WEEKLY", "Name": "Weekly"},
                    {"FrequencyId": "MONTHLY", "Name": "Monthly"},
                ],
                "TextTags": [
                    {"Locale": "en-us", "Key": "Label", "Value": name},
                    {"Locale": "fr-ca", "Key": "Label", "Value": f"{name} (fr)"},
                ],
                "CustomProperties": _props(
                    [("Channel", channel), ("OnlineOnly", "True" if channel != "Mail" else "False")]
                ),
                "_ProgramId": program_id,
                "_ConsentTypes": consents,
            },
        )


def _profile(rng: random.Random, profile_id: int) -> dict[str, Any]:
    number = profile_id - FIRST_PROFILE
    first = rng.choice(FIRST_NAMES)
    last = SHARED_LAST_NAME if number % SHARED_EVERY == SHARED_EVERY - 1 else rng.choice(LAST_NAMES)
    city, state, postal = CITIES[number % len(CITIES)]
    doc: dict[str, Any] = {
        "ProfileId": profile_id,
        "IsActive": number % 37 != 36,
        "RegistrationConfirmed": rng.random() < 0.7,
        "CustomerType": rng.choice(["Customer", "Prospect", "Lead"]),
        "PreserveConsents": True,
        "PreservePreferences": True,
        "CustomerName": {
            "Prefix": None,
            "FirstName": first,
            "MiddleName": None,
            "LastName": last,
            "Suffix": None,
        },
        "DefaultLocale": "fr-ca" if state == "QC" else "en-us",
        "AlternateIds": [{"AlternateIdType": "CRM", "AlternateId": f"CRM-{profile_id:06d}"}],
        "Emails": [
            {
                "EmailAddressType": "Personal",
                "EmailAddress": f"user{profile_id}@example.com",
                "IsDefault": True,
                "EmailPreferences": [_pref(rng, "NEWSLETTER"), _pref(rng, "PROMO-EMAIL")],
            }
        ],
        "PhoneNumbers": [
            {
                "PhoneType": "Mobile",
                "PhoneNumber": f"404-555-{profile_id:04d}",
                "IsDefault": True,
                "IsMobile": True,
                "PhoneNumberPreferences": [_pref(rng, "PROMO-SMS")],
            }
        ],
        "Addresses": [
            {
                "AddressType": "Home",
                "IsDefault": True,
                "Address1": f"{100 + number} Oak Street",
                "Address2": None,
                "City": city,
                "StateProvince": state,
                "PostalCode": f"{postal}{number % 100:02d}",
                "CountryCode_Alpha2": "CA" if state == "QC" else "US",
                "AddressPreferences": [_pref(rng, "CATALOG-MAIL")] if rng.random() < 0.3 else [],
            }
        ],
        "ProfilePreferences": [_pref(rng, "ORDER-UPDATES")],
        "Consents": [
            {
                "ConsentType": "TermsOfService",
                "ConsentVersion": "2.0",
                "Locale": "en-us",
                "ConsentStatus": 1,
                "ConsentDate": SEED_STAMP,
            },
            {
                "ConsentType": "MarketingEmail",
                "ConsentVersion": "1.0",
                "Locale": "en-us",
                "ConsentStatus": rng.choice([1, 2, 4]),
                "ConsentDate": SEED_STAMP,
            },
        ],
        "CustomFields": [
            {"Name": "FavoriteColor", "Value": rng.choice(["Blue", "Green", "Red", "Yellow"])},
            {"Name": "LoyaltyPoints", "Value": str(rng.randrange(0, 5000))},
            {"Name": "ShirtSize", "Value": rng.choice(["ShirtSize-A", "ShirtSize-B", "ShirtSize-C"])},
        ],
        "Groups": [
            {
                "GroupType": "Household",
                "GroupName": f"{last} Household {number // 3}",
                "IsPrimary": number % 3 == 0,
            }
        ],
        "ProfileTags": rng.sample(TAGS, rng.randrange(0, 3)),
    }
    if profile_id == FIRST_PROFILE:
        _make_jane_roe(doc)
    elif profile_id == FIRST_PROFILE + 1:
        doc["CustomerName"].update(FirstName="John", LastName="Roe")
        doc["Groups"] = [{"GroupType": "Household", "GroupName": "Roe Family", "IsPrimary": False}]
    return doc


def _make_jane_roe(doc: dict[str, Any]) -> None:
    doc["IsActive"] = True
    doc["CustomerName"] = {
        "Prefix": "Ms.",
        "FirstName": "Jane",
        "MiddleName": "Q",
        "LastName": "Roe",
        "Suffix": None,
    }
    doc["AlternateIds"] = [{"AlternateIdType": "CRM", "AlternateId": "CRM-000123"}]
    doc["Emails"][0]["EmailAddress"] = "jane.roe@example.com"
    doc["PhoneNumbers"][0]["PhoneNumber"] = "404-555-0100"
    doc["Addresses"][0].update(
        Address1="100 Main Street", City="Atlanta", StateProvince="GA", PostalCode="30301"
    )
    doc["Groups"] = [{"GroupType": "Household", "GroupName": "Roe Family", "IsPrimary": True}]
    doc["ProfileTags"] = ["VIP", "Gold"]
    doc["ProfilePreferences"][0]["PreferenceAttributes"] = [{"Key": "Source", "Value": "Web"}]
    doc["Consents"][1]["ConsentStatus"] = 1


def _pref(rng: random.Random, filter_id: str) -> dict[str, Any]:
    return {
        "FilterId": filter_id,
        "PreferenceType": 1 if rng.random() < 0.75 else 2,
        "FrequencyId": rng.choice(["WEEKLY", "MONTHLY"]),
        "PreferenceAttributes": [{"Key": "Source", "Value": rng.choice(["Web", "Store", "CallCenter"])}],
    }


def _seed_integration(tx: Tx, tenant: str) -> None:
    tx.put(
        tenant,
        "subscription",
        501,
        {
            "Id": 501,
            "Name": "Profile changes",
            "Description": "Seeded subscription (never delivered)",
            "LocaleId": "en_US",
            "Url": "https://hooks.example.com/mypreferences",
            "State": "Paused",
            "IsMinimized": False,
            "IsActive": True,
            "CatchUpOnResume": False,
            "Subscriptions": [
                {"Entity": "Profile", "EventType": "profile.updated"},
                {"Entity": "Profile", "EventType": "profile.created"},
            ],
            "AlternateIdType": None,
        },
    )
    tx.bump_counter_to(tenant, "subscription", 501)
    now = dt.datetime.now(dt.UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
    tx.add_event(
        tenant,
        "evt-0001",
        FIRST_PROFILE,
        "profile.created",
        {
            "EventId": "evt-0001",
            "EventType": "profile.created",
            "Subject": f"Profile {FIRST_PROFILE}",
            "Entity": "Profile",
            "SubscriptionId": None,
            "Name": "profile.created",
            "Description": "Seeded event",
            "ProfileId": str(FIRST_PROFILE),
            "Data": {"ProfileId": FIRST_PROFILE},
            "PreviousData": None,
            "OccurredDate": stamp,
            "GeneratedDate": stamp,
            "RecordedDate": stamp,
            "RecordedBy": SEED_USER,
        },
    )
    # Import 90001 is staged and waiting for Execute, so the spec's examples can walk its lifecycle.
    staged = {
        "CustomerName": {"FirstName": "Imported", "LastName": "Customer"},
        "AlternateIds": [{"AlternateIdType": "CRM", "AlternateId": "CRM-IMPORT-1"}],
    }
    rejected = {
        "DefaultLocale": "en-us",
        "SequenceNumber": 2,
        "Exceptions": [
            {
                "ExceptionCode": "NoIdentity",
                "Message": "The record has no profile id, alternate id, contact or name.",
                "Field": None,
            }
        ],
    }
    tx.put(
        tenant,
        "importjob",
        90001,
        {
            "AccessToken": 90001,
            "Name": "Seeded import",
            "Status": "Staging",
            "ExpirationDate": "2099-01-01T00:00:00Z",
            "_options": {"ImportAction": "Add"},
            "_records": [staged],
            "_exceptions": [rejected],
            "_polls": 0,
            "TotalRecordsReceived": 2,
            "ValidationSuccessful": 1,
            "ValidationFailed": 1,
            "Processed": 0,
            "Pending": 0,
            "Exceptions": 0,
            "NotHonored": 0,
        },
    )
    tx.bump_counter_to(tenant, "importjob", 90001)
    ids = list(range(FIRST_PROFILE, FIRST_PROFILE + 10))
    tx.put(
        tenant,
        "exportjob",
        90001,
        {
            "AccessToken": 90001,
            "Status": "Complete",
            "RowCount": len(ids),
            "ByteCount": 10_000,
            "_segment": "AllActive",
            "_profiles": ids,
            "_started_at": time.time(),
            "_polls": 2,
            "_callback": None,
        },
    )
    tx.bump_counter_to(tenant, "exportjob", 90001)
