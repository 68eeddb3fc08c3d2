"""Per-process cache of serialized GET responses, validated against the database on every hit.

Configuration reads (types, custom fields, picklists, programs, ...) carry the tenant's configuration
version (a counter every configuration write bumps, in the same transaction), and a profile read carries
the stored JSON text of the profile: a hit costs one indexed query and no parsing, shaping or encoding,
and can never be stale, also with several worker processes on one database.
"""

from __future__ import annotations

from typing import Any

CONFIG_VERSION = "config-version"
MAX_ENTRIES = 20_000

CONFIG_READS = frozenset(
    {
        "getAddressTypes",
        "getAlternateIdTypes",
        "getCustomerTypes",
        "getEmailTypes",
        "getPhoneTypes",
        "getGroupTypes",
        "getConsentTypes",
        "getConsentStatus",
        "getUpdateRules",
        "getCustomFields",
        "getDateTimeCustomFields",
        "getNumericCustomFields",
        "getSelectListCustomFields",
        "getTextCustomFields",
        "getPicklists",
        "getPrograms",
        "getProgram",
        "getProgramByProgramGroup",
        "getProgramsByProgramType",
        "getProgramsIncludeMatching",
        "getProgramsIncludeAll",
        "getProgramGroups",
        "getProgramGroup",
        "getProgramGroupsIncludeMatching",
        "getProgramGroupsIncludeAll",
        "getFilter",
    }
)

_entries: dict[Any, tuple[str, bytes]] = {}


def lookup(key: Any, tag: str) -> bytes | None:
    hit = _entries.get(key)
    if hit is not None and hit[0] == tag:
        return hit[1]
    return None


def remember(key: Any, tag: str, payload: bytes) -> None:
    if len(_entries) >= MAX_ENTRIES:
        _entries.clear()  # crude but bounded; the working set of a load test is far smaller
    _entries[key] = (tag, payload)


def clear() -> None:
    _entries.clear()
