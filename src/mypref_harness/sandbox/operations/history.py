"""History: standard fields, preferences, consents and custom fields, by profile id or alternate id.

Every write stores one row per changed item (family, field, old, new, at). A response lists one
HistoricalProfile per write (ascending): the profile's id, its current alternate ids and name, the
``HistoryDate`` and only the items of the requested family as they were written then.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from mypref_harness.sandbox.operations import profile_model as model
from mypref_harness.sandbox.operations.base import HttpError, OpRequest, Reply, operation
from mypref_harness.sandbox.operations.common import load_profile, require_by_alternate_id
from mypref_harness.sandbox.store import HistoryRow, Tx


def _value(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _base(doc: dict[str, Any], at: str) -> dict[str, Any]:
    return {
        "ProfileId": doc["ProfileId"],
        "AlternateIds": doc.get("AlternateIds") or [],
        "CustomerName": doc.get("CustomerName") or {},
        "HistoryDate": at,
    }


def _grouped(rows: list[HistoryRow]) -> list[tuple[str, list[HistoryRow]]]:
    out: list[tuple[str, list[HistoryRow]]] = []
    for row in rows:
        if out and out[-1][0] == row.at:
            out[-1][1].append(row)
        else:
            out.append((row.at, [row]))
    return out


def _standard(doc: dict[str, Any], at: str, rows: list[HistoryRow], req: OpRequest) -> dict[str, Any] | None:
    entry = _base(doc, at)
    name: dict[str, Any] = {}
    for row in rows:
        if row.field.startswith("CustomerName."):
            name[row.field.split(".", 1)[1]] = row.new
        elif row.field in model.STANDARD_SCALARS:
            value = _value(row.new) if row.field not in ("CustomerType", "DefaultLocale") else row.new
            if value is not None:
                entry[row.field] = value
    if name:
        entry["CustomerName"] = name
    entry["Edited"] = {"ModifiedDate": at, "ModifiedBy": rows[0].user_id}
    return entry


def _preferences(
    doc: dict[str, Any], at: str, rows: list[HistoryRow], req: OpRequest
) -> dict[str, Any] | None:
    wanted = req.query_param("filterId")
    entry = _base(doc, at)
    contacts: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in model.CONTACT_COLLECTIONS}
    current = {
        c: {model.COLLECTION_KEYS[c](x): x for x in doc.get(c) or []} for c in model.CONTACT_COLLECTIONS
    }
    profile_prefs = []
    for row in rows:
        pref = _value(row.new)
        if not isinstance(pref, dict):
            continue  # removed preference: the removal itself is not a preference record
        if wanted is not None and str(pref.get("FilterId", "")).lower() != str(wanted).lower():
            continue
        owner = row.field.split("|", 1)[0]
        if owner == "Profile":
            profile_prefs.append(pref)
            continue
        collection, _, contact_key = owner.partition(":")
        contact = current.get(collection, {}).get(contact_key)
        if contact is None:
            continue
        inner = model.CONTACT_COLLECTIONS[collection]
        slot = contacts[collection].setdefault(
            contact_key,
            {**{k: v for k, v in contact.items() if k not in model.CONTACT_COLLECTIONS.values()}, inner: []},
        )
        slot[inner].append(pref)
    if not profile_prefs and not any(contacts.values()):
        return None
    entry["ProfilePreferences"] = profile_prefs
    for collection, slots in contacts.items():
        if slots:
            entry[collection] = list(slots.values())
    return entry


def _consents(doc: dict[str, Any], at: str, rows: list[HistoryRow], req: OpRequest) -> dict[str, Any] | None:
    consents = [v for v in (_value(r.new) for r in rows) if isinstance(v, dict)]
    if not consents:
        return None
    consents.sort(
        key=lambda c: (str(c.get("ConsentType")), str(c.get("ConsentVersion")), str(c.get("ConsentDate")))
    )
    return {**_base(doc, at), "Consents": consents}


def _custom(doc: dict[str, Any], at: str, rows: list[HistoryRow], req: OpRequest) -> dict[str, Any] | None:
    names = {model._key_custom(f): f.get("Name") for f in doc.get("CustomFields") or []}
    fields = [{"Name": names.get(r.field, r.field), "Value": r.new} for r in rows]
    return {**_base(doc, at), "CustomFields": fields}


Builder = Callable[[dict[str, Any], str, list[HistoryRow], OpRequest], dict[str, Any] | None]


def _history(req: OpRequest, tx: Tx, doc: dict[str, Any], family: str, build: Builder) -> Reply:
    rows = tx.history(req.tenant, int(doc["ProfileId"]), family)
    entries = [build(doc, at, group, req) for at, group in _grouped(rows)]
    return Reply(200, [e for e in entries if e is not None])


def _by_id(family: str, build: Builder) -> Callable[[OpRequest], Reply]:
    def handler(req: OpRequest) -> Reply:
        with req.store.read() as tx:
            return _history(req, tx, load_profile(tx, req.tenant, req.path_param("profileId")), family, build)

    return handler


def _by_alternate_id(family: str, build: Builder) -> Callable[[OpRequest], Reply]:
    def handler(req: OpRequest) -> Reply:
        id_type, value = str(req.query_param("alternateIdType", "")), str(req.query_param("alternateId", ""))
        if not id_type.strip() or not value.strip():
            raise HttpError(404, "No profile has an empty alternate id.")
        with req.store.read() as tx:
            return _history(req, tx, require_by_alternate_id(tx, req.tenant, id_type, value), family, build)

    return handler


for _name, _family, _build in (
    ("StandardFields", model.FAMILY_STANDARD, _standard),
    ("Preferences", model.FAMILY_PREFERENCES, _preferences),
    ("Consents", model.FAMILY_CONSENTS, _consents),
    ("CustomFields", model.FAMILY_CUSTOM, _custom),
):
    operation("GET", f"/{{clientId}}/Profile/{{profileId}}/History/{_name}", f"get{_name}History")(
        _by_id(_family, _build)
    )
    operation("GET", f"/{{clientId}}/Profile/AlternateId/History/{_name}", f"get{_name}HistoryByAlternateId")(
        _by_alternate_id(_family, _build)
    )
