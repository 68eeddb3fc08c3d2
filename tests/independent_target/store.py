"""In-memory data of one server instance: profiles with their history, and configuration objects.

Ids that the spec's examples use (profile 1001, program 10, group 2, type 7, resource 24) exist, so
example requests reach real data; generated ids mostly do not and get a 404 with a Message.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def edit_info(user: str, created: dict[str, Any] | None = None) -> dict[str, Any]:
    stamp = now_iso()
    first = created or {"CreatedDate": stamp, "CreatedBy": user}
    return {**first, "ModifiedDate": stamp, "ModifiedBy": user}


PROGRAM: dict[str, Any] = {
    "ProgramId": 10,
    "ProgramTypeId": 1,
    "ProgramGroupId": 2,
    "Name": "Newsletter",
    "Description": "Monthly newsletter",
    "CustomProperties": [{"Key": "Channel", "Value": "Email"}],
    "Filters": [{"FilterId": "NEWSLETTER", "Name": "Newsletter"}],
}
PROGRAM_GROUP: dict[str, Any] = {
    "ProgramGroupId": 2,
    "Name": "Marketing",
    "Description": None,
    "Programs": [PROGRAM],
}
CONSENT_STATUS = [
    {"Id": 1, "Name": "Granted"},
    {"Id": 2, "Name": "Denied"},
    {"Id": 3, "Name": "Revoked"},
    {"Id": 4, "Name": "NotSet"},
]


def _config_type(type_id: int, name: str) -> dict[str, Any]:
    return {"TypeId": type_id, "TypeName": name, "IsDefault": type_id == 1, "IsActive": True}


@dataclass
class Store:
    profiles: dict[int, dict[str, Any]] = field(default_factory=dict)
    history: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    next_profile_id: int = 1001
    config_types: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)
    consent_types: dict[int, dict[str, Any]] = field(default_factory=dict)
    numeric_fields: dict[int, dict[str, Any]] = field(default_factory=dict)
    picklists: dict[int, dict[str, Any]] = field(default_factory=dict)
    tags: dict[str, int] = field(default_factory=dict)
    exports: dict[int, str] = field(default_factory=dict)
    next_id: int = 100

    @classmethod
    def seeded(cls) -> Store:
        store = cls()
        for kind in ("AddressTypes", "AlternateIdTypes", "PhoneTypes"):
            store.config_types[kind] = {1: _config_type(1, "Home"), 7: _config_type(7, "Work")}
        store.consent_types[7] = {"TypeId": 7, "TypeName": "Marketing", "IsActive": True, "Versions": []}
        store.numeric_fields[24] = {
            "Id": 24,
            "Name": "Score",
            "IsActive": True,
            "MinValue": 0,
            "MaxValue": 100,
        }
        store.picklists[24] = {"Id": 24, "Name": "Colours", "IsActive": True, "Items": []}
        store.tags = {"VIP": 1}
        store.add_profile({"CustomerName": {"FirstName": "Ada", "LastName": "Seed"}}, "seed")
        return store

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def add_profile(self, fields: dict[str, Any], user: str) -> dict[str, Any]:
        profile_id = self.next_profile_id
        self.next_profile_id += 1
        profile = {
            "IsActive": True,
            **copy.deepcopy(fields),
            "ProfileId": profile_id,
            "Edited": edit_info(user),
        }
        self.profiles[profile_id] = profile
        self.history[profile_id] = [self._snapshot(profile)]
        return profile

    def save_profile(self, profile: dict[str, Any], user: str) -> dict[str, Any]:
        profile["Edited"] = edit_info(user, self.profiles[profile["ProfileId"]].get("Edited"))
        self.profiles[profile["ProfileId"]] = profile
        self.history[profile["ProfileId"]].append(self._snapshot(profile))
        return profile

    @staticmethod
    def _snapshot(profile: dict[str, Any]) -> dict[str, Any]:
        return {**copy.deepcopy(profile), "HistoryDate": now_iso()}
