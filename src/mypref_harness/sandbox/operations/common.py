"""Profile persistence shared by the operation modules: load, save (history, search index, events), views."""

from __future__ import annotations

import uuid
from typing import Any, Protocol

from mypref_harness.sandbox.operations import profile_model as model
from mypref_harness.sandbox.operations.base import STATE_CONFLICT, HttpError, OpRequest
from mypref_harness.sandbox.store import Tx

PROFILE = "profile"
FILTER = "filter"
TAG = "tag"
SEARCH_CAP = 50
FIRST_PROFILE_ID = 1001
INTERNAL_PREFIX = "_"  # stored-only keys (archived preferences, ...), never in a response


class Writer(Protocol):
    """Who writes and when: an OpRequest, or the seeder."""

    tenant: str
    user_id: str

    @property
    def stamp(self) -> str: ...

    def defect(self, name: str) -> bool: ...


def load_profile(tx: Tx, tenant: str, profile_id: int) -> dict[str, Any]:
    doc = tx.get(tenant, PROFILE, profile_id)
    if doc is None:
        raise HttpError(404, f"Profile {profile_id} was not found.")
    return doc


def find_by_alternate_id(tx: Tx, tenant: str, id_type: str, value: str) -> int | None:
    ids = tx.find_profiles(tenant, f"alt:{id_type.strip().lower()}", value.strip().lower())
    return ids[0] if ids else None


def require_by_alternate_id(tx: Tx, tenant: str, id_type: str, value: str) -> dict[str, Any]:
    profile_id = find_by_alternate_id(tx, tenant, id_type, value)
    if profile_id is None:
        raise HttpError(404, f"No profile has the alternate id '{value[:100]}' of type '{id_type[:100]}'.")
    return load_profile(tx, tenant, profile_id)


def enrich(req: Writer, tx: Tx, doc: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """Fill the read-only, service-maintained parts of a profile after a write."""
    out = model.clone(doc)
    stamp, user = req.stamp, req.user_id
    edited = dict((previous or {}).get("Edited") or {})
    edited.setdefault("CreatedDate", stamp)
    edited.setdefault("CreatedBy", user)
    edited["ModifiedDate"] = stamp
    edited["ModifiedBy"] = user
    out["Edited"] = edited
    out.setdefault("IsActive", True)
    for key, default in (
        ("RegistrationConfirmed", False),
        ("PreserveConsents", True),
        ("PreservePreferences", True),
        ("CustomerType", "Customer"),
        ("DefaultLocale", "en-us"),
    ):
        if out.get(key) is None:
            out[key] = default
    filters = {f["FilterId"].lower(): f for f in tx.all(req.tenant, FILTER)}
    old_prefs = model._all_preferences(previous or {})
    for collection, inner in model.CONTACT_COLLECTIONS.items():
        for contact in out.get(collection) or []:
            contact["IsActive"] = True
            if collection == "PhoneNumbers":
                contact["PhoneNumberNumeric"] = model.digits(contact.get("PhoneNumber"))
            if collection in ("Emails", "Addresses"):
                contact.setdefault("Edited", {"CreatedDate": stamp, "CreatedBy": user})
                contact["Edited"]["ModifiedDate"] = stamp
                contact["Edited"]["ModifiedBy"] = user
            for pref in contact.get(inner) or []:
                _enrich_preference(pref, filters, stamp, user)
    for pref in out.get("ProfilePreferences") or []:
        _enrich_preference(pref, filters, stamp, user)
    # preferences whose content did not change keep their original modification date
    new_prefs = model._all_preferences(out)
    for key, pref in new_prefs.items():
        old = old_prefs.get(key)
        if old is not None and _pref_payload(old) == _pref_payload(pref):
            pref["LastModifiedDate"] = old.get("LastModifiedDate", pref["LastModifiedDate"])
    for consent in out.get("Consents") or []:
        if not consent.get("ConsentDate"):
            consent["ConsentDate"] = stamp
    return out


def _pref_payload(pref: dict[str, Any]) -> tuple[Any, ...]:
    return (pref.get("PreferenceType"), pref.get("FrequencyId"), pref.get("PreferenceAttributes"))


def _enrich_preference(pref: dict[str, Any], filters: dict[str, Any], stamp: str, user: str) -> None:
    config = filters.get(str(pref.get("FilterId", "")).lower())
    if config is not None:
        pref["ProgramId"] = config["_ProgramId"]
        if config.get("ChannelId"):
            pref["ChannelId"] = config["ChannelId"]
        if not pref.get("FrequencyId") and config.get("Frequencies"):
            pref["FrequencyId"] = config["Frequencies"][0]["FrequencyId"]
    pref["MatchType"] = "Expressed"
    pref.setdefault("PreferenceStatus", "Active")
    pref.setdefault("ExpirationDate", None)
    pref["LastModifiedDate"] = stamp
    pref["UserId"] = user
    pref.setdefault("SourceId", "API")
    if not pref.get("CustomerDate"):
        pref["CustomerDate"] = stamp


def check_unknown_filters(tx: Tx, tenant: str, doc: dict[str, Any]) -> None:
    """Preferences must name a configured filter (the service answers 404 for unknown ones)."""
    known = {f.lower() for f in tx.ids(tenant, FILTER)}
    for pref in model._all_preferences(doc).values():
        if str(pref.get("FilterId", "")).lower() not in known:
            raise HttpError(404, f"Filter '{str(pref.get('FilterId'))[:50]}' was not found.")


def check_alternate_ids_unique(
    tx: Tx, tenant: str, doc: dict[str, Any], profile_id: int, status: int = STATE_CONFLICT
) -> None:
    seen: set[str] = set()
    for id_type, value in model.alternate_ids(doc):
        if id_type in seen:
            raise HttpError(status, f"Alternate id type '{id_type[:100]}' appears more than once.")
        seen.add(id_type)
        owner = find_by_alternate_id(tx, tenant, id_type, value)
        if owner is not None and owner != profile_id:
            raise HttpError(
                status, f"Alternate id '{value[:100]}' of type '{id_type[:100]}' belongs to another profile."
            )


# Custom field update rules (GET /UpdateRules): 1 Always, 2 Never (once set, it cannot be changed or
# cleared), 3 If Current Value Is Blank, 4 If New Value Is Not Blank. A refused change is silently ignored.
RULE_NEVER, RULE_IF_CURRENT_BLANK, RULE_IF_NEW_NOT_BLANK = 2, 3, 4
CUSTOM_FIELD_KINDS = (
    "CustomFieldsDateTime",
    "CustomFieldsNumeric",
    "CustomFieldsSelectList",
    "CustomFieldsText",
)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def apply_update_rules(tx: Tx, tenant: str, doc: dict[str, Any], previous: dict[str, Any]) -> dict[str, Any]:
    """Keep the previous value of every custom field whose update rule refuses the change."""
    rules: dict[str, int] = {}
    for kind in CUSTOM_FIELD_KINDS:
        for field in tx.all(tenant, kind):
            rule = field.get("UpdateRuleId")
            if isinstance(rule, int) and rule in (RULE_NEVER, RULE_IF_CURRENT_BLANK, RULE_IF_NEW_NOT_BLANK):
                rules[str(field.get("Name", "")).lower()] = rule
    if not rules:
        return doc
    before = {str(f.get("Name", "")).lower(): f for f in previous.get("CustomFields") or []}
    after = {str(f.get("Name", "")).lower(): f for f in doc.get("CustomFields") or []}
    kept: list[dict[str, Any]] = []
    for name in [*after, *(n for n in before if n not in after)]:
        old, new, rule = before.get(name), after.get(name), rules.get(name)
        old_value = None if old is None else old.get("Value")
        new_value = None if new is None else new.get("Value")
        refuse = (
            (rule == RULE_NEVER and not _blank(old_value) and new_value != old_value)
            or (rule == RULE_IF_CURRENT_BLANK and not _blank(old_value) and new_value != old_value)
            or (rule == RULE_IF_NEW_NOT_BLANK and _blank(new_value) and not _blank(old_value))
        )
        chosen = old if refuse else new
        if chosen is not None:
            kept.append(chosen)
    return {**doc, "CustomFields": kept}


def save_profile(
    req: Writer,
    tx: Tx,
    doc: dict[str, Any],
    previous: dict[str, Any] | None,
    event_type: str,
    *,
    record_history: bool = True,
) -> dict[str, Any]:
    """Store a profile version with its search keys, history rows and events; returns the stored doc."""
    profile_id = int(doc["ProfileId"])
    check_alternate_ids_unique(tx, req.tenant, doc, profile_id)
    if previous is not None and (doc.get("CustomFields") or previous.get("CustomFields")):
        doc = apply_update_rules(tx, req.tenant, doc, previous)
    stored = enrich(req, tx, doc, previous)
    tx.put(req.tenant, PROFILE, profile_id, stored)
    tx.reindex_profile(req.tenant, profile_id, model.index_entries(stored))
    for tag in stored.get("ProfileTags") or []:
        if tx.get(req.tenant, TAG, str(tag).lower()) is None:
            tx.put(req.tenant, TAG, str(tag).lower(), {"Name": str(tag)})
    rows = model.diff(previous, stored)
    if req.defect("history-not-recorded"):
        rows = [r for r in rows if r[0] != model.FAMILY_STANDARD]
    if record_history and rows:
        tx.add_history(req.tenant, profile_id, rows, req.stamp, req.user_id)
    record_event(req, tx, profile_id, event_type, stored, previous)
    families = {r[0] for r in rows}
    if model.FAMILY_PREFERENCES in families and previous is not None:
        record_event(req, tx, profile_id, "preference.updated", stored, previous)
    if model.FAMILY_CONSENTS in families and previous is not None:
        record_event(req, tx, profile_id, "consent.updated", stored, previous)
    return stored


def record_event(
    req: Writer,
    tx: Tx,
    profile_id: int,
    event_type: str,
    data: dict[str, Any] | None,
    previous: dict[str, Any] | None,
) -> None:
    event_id = f"evt-{uuid.uuid4().hex[:16]}"
    entity = event_type.split(".", 1)[0].capitalize()
    tx.add_event(
        req.tenant,
        event_id,
        profile_id,
        event_type,
        {
            "EventId": event_id,
            "EventType": event_type,
            "Subject": f"Profile {profile_id}",
            "Entity": entity,
            "SubscriptionId": None,
            "Name": event_type,
            "Description": f"{event_type} for profile {profile_id}",
            "ProfileId": str(profile_id),
            "Data": {"ProfileId": profile_id, "IsActive": (data or {}).get("IsActive")} if data else None,
            "PreviousData": {"IsActive": previous.get("IsActive")} if previous else None,
            "OccurredDate": req.stamp,
            "GeneratedDate": req.stamp,
            "RecordedDate": req.stamp,
            "RecordedBy": req.user_id,
        },
    )


def view(doc: dict[str, Any], req: OpRequest, *, search: bool = False) -> dict[str, Any]:
    """A stored profile as the API shows it (internal keys removed, query flags applied)."""
    out = {k: v for k, v in doc.items() if not k.startswith(INTERNAL_PREFIX)}
    if req.query_param("includeConsentHistory", True) is False and out.get("Consents"):
        latest: dict[str, dict[str, Any]] = {}
        for consent in out["Consents"]:
            key = str(consent.get("ConsentType", "")).lower()
            if key not in latest or str(consent.get("ConsentDate") or "") >= str(
                latest[key].get("ConsentDate") or ""
            ):
                latest[key] = consent
        out["Consents"] = list(latest.values())
    if search:
        for collection in ("Emails", "PhoneNumbers", "Addresses"):
            if out.get(collection):
                out[collection] = [c for c in out[collection] if c.get("IsActive", True)]
    return out


def new_profile_id(tx: Tx, tenant: str) -> int:
    tx.bump_counter_to(tenant, "profile", FIRST_PROFILE_ID - 1)
    return tx.next_id(tenant, "profile")
