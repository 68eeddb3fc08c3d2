"""Profile operations: create, read, update (POST merge / PUT replace / PATCH), upsert and read by alternate
id, delete, activate/deactivate, consents, preference upsert and archive."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

from mypref_harness.sandbox.operations import cache as response_cache
from mypref_harness.sandbox.operations import profile_model as model
from mypref_harness.sandbox.operations.base import HttpError, OpRequest, Reply, operation
from mypref_harness.sandbox.operations.common import (
    PROFILE,
    check_unknown_filters,
    find_by_alternate_id,
    load_profile,
    new_profile_id,
    record_event,
    require_by_alternate_id,
    save_profile,
    view,
)
from mypref_harness.sandbox.store import Tx

# lost-update: every LOST_UPDATE_EVERY-th acknowledged update of this process is rolled back.
LOST_UPDATE_EVERY = 20
_update_counter = itertools.count(1)
_WIDE_CHAR = re.compile(r"[^\x00-\xff]")


def undeclared_field(body: Any) -> Any:
    """The undeclared-field defect: a debugging property leaks into profile responses."""
    if isinstance(body, dict):
        return {**body, "InternalScore": 0.42}
    if isinstance(body, list):
        return [undeclared_field(b) for b in body]
    return body


def profile_reply(req: OpRequest, status: int, body: Any, headers: dict[str, str] | None = None) -> Reply:
    after = undeclared_field if req.defect("undeclared-field") else None
    return Reply(status, body, headers, after_shape=after)


def check_names(req: OpRequest, body: dict[str, Any]) -> None:
    """unicode-500: names with characters beyond Latin-1 crash a (simulated) legacy encoder."""
    if not req.defect("unicode-500"):
        return
    name = body.get("CustomerName")
    if isinstance(name, dict) and any(isinstance(v, str) and _WIDE_CHAR.search(v) for v in name.values()):
        raise HttpError(500, "An error has occurred.")


def _writer(req: OpRequest) -> Any:
    """The transaction for a profile update; the lost-update defect silently discards every 20th."""
    if req.defect("lost-update") and next(_update_counter) % LOST_UPDATE_EVERY == 0:
        return req.store.discard()
    return req.store.write()


def _drop_one_field(body: dict[str, Any]) -> dict[str, Any]:
    """update-drops-field: the last supplied CustomerName part (or DefaultLocale) is not written."""
    out = dict(body)
    name = out.get("CustomerName")
    if isinstance(name, dict) and name:
        trimmed = dict(name)
        trimmed.pop(list(trimmed)[-1])
        out["CustomerName"] = trimmed
    elif "DefaultLocale" in out:
        out.pop("DefaultLocale")
    return out


def _normalize_input(body: dict[str, Any]) -> dict[str, Any]:
    """ProfileTags are unique (case-insensitive); duplicates collapse to the first spelling."""
    tags = body.get("ProfileTags")
    if isinstance(tags, list):
        seen: set[str] = set()
        unique = []
        for tag in tags:
            if str(tag).lower() not in seen:
                seen.add(str(tag).lower())
                unique.append(tag)
        body = {**body, "ProfileTags": unique}
    return body


def _create(req: OpRequest, tx: Tx, body: dict[str, Any]) -> dict[str, Any]:
    check_unknown_filters(tx, req.tenant, body)
    profile_id = new_profile_id(tx, req.tenant)
    fields = {k: v for k, v in _normalize_input(body).items() if k not in model.READ_ONLY}
    doc = {**fields, "ProfileId": profile_id}
    return save_profile(req, tx, doc, None, "profile.created")


@operation("POST", "/{clientId}/Profile", "createProfile")
def create_profile(req: OpRequest) -> Reply:
    body = req.body or {}
    check_names(req, body)
    with req.store.write() as tx:
        stored = _create(req, tx, body)
    status = 200 if req.defect("wrong-status-create") else 201
    location = f"/Profiles/v4/{req.tenant}/Profile/{stored['ProfileId']}"
    return profile_reply(req, status, view(stored, req), {"Location": location})


@operation("GET", "/{clientId}/Profile/{profileId}", "getProfile")
def get_profile(req: OpRequest) -> Reply:
    profile_id = req.path_param("profileId")
    text = req.store.read_text(req.tenant, PROFILE, profile_id)
    if text is None:
        raise HttpError(404, f"Profile {profile_id} was not found.")
    key = (req.tenant, "getProfile", profile_id, tuple(req.raw_query), getattr(req.settings, "defects", None))
    payload = response_cache.lookup(key, text)
    if payload is not None:
        return Reply(200, raw=payload)
    reply = profile_reply(req, 200, view(json.loads(text), req))
    reply.cache = (key, text)
    return reply


def _update(req: OpRequest, tx: Tx, current: dict[str, Any], mode: str) -> dict[str, Any]:
    body = req.body
    if mode == "patch":
        patched = model.apply_patch(view(current, req), body or [])
        patched = req.schemas.without_read_only("Profile", patched)
        problem = req.schemas.component_error("ProfileInput", patched)
        if problem:
            raise HttpError(model.PATCH_CONFLICT, f"The patched profile is invalid: {problem}")
        new = {**patched, "ProfileId": current["ProfileId"]}
        internal = {k: v for k, v in current.items() if k.startswith("_")}
        new.update(internal)
        event = "profile.updated"
    else:
        body = _normalize_input(body or {})
        check_names(req, body)
        if mode == "post" and req.defect("update-drops-field"):
            body = _drop_one_field(body)
        if mode == "put" and not req.defect("put-as-post"):
            new = model.replace(current, body)
            new.update({k: v for k, v in current.items() if k.startswith("_")})
            event = "profile.replaced"
        else:
            new = model.merge(current, body)
            event = "profile.updated"
    for key in ("ReasonCode",):
        if key in current and key not in new:
            new[key] = current[key]
    check_unknown_filters(tx, req.tenant, new)
    return save_profile(req, tx, new, current, event)


def _update_by_id(req: OpRequest, mode: str) -> Reply:
    with _writer(req) as tx:
        current = load_profile(tx, req.tenant, req.path_param("profileId"))
        stored = _update(req, tx, current, mode)
    return profile_reply(req, 200, view(stored, req))


@operation("POST", "/{clientId}/Profile/{profileId}", "updateProfile")
def update_profile(req: OpRequest) -> Reply:
    return _update_by_id(req, "post")


@operation("PUT", "/{clientId}/Profile/{profileId}", "replaceProfile")
def replace_profile(req: OpRequest) -> Reply:
    return _update_by_id(req, "put")


@operation("PATCH", "/{clientId}/Profile/{profileId}", "patchProfile")
def patch_profile(req: OpRequest) -> Reply:
    return _update_by_id(req, "patch")


def _alt_params(req: OpRequest) -> tuple[str, str]:
    id_type, value = str(req.query_param("alternateIdType", "")), str(req.query_param("alternateId", ""))
    if not id_type.strip() or not value.strip():
        raise HttpError(404, "No profile has an empty alternate id.")
    return id_type, value


@operation("GET", "/{clientId}/Profile/AlternateId", "getProfileByAlternateId")
def get_by_alternate_id(req: OpRequest) -> Reply:
    id_type, value = _alt_params(req)
    with req.store.read() as tx:
        doc = require_by_alternate_id(tx, req.tenant, id_type, value)
    return profile_reply(req, 200, view(doc, req))


@operation("POST", "/{clientId}/Profile/AlternateId", "upsertProfileByAlternateId")
def upsert_by_alternate_id(req: OpRequest) -> Reply:
    id_type, value = _alt_params(req)
    body = dict(req.body or {})
    with _writer(req) as tx:
        profile_id = find_by_alternate_id(tx, req.tenant, id_type, value)
        if profile_id is None:
            check_names(req, body)
            alternate_ids = [
                a
                for a in body.get("AlternateIds") or []
                if str(a.get("AlternateIdType", "")).lower() != id_type.lower()
            ]
            body["AlternateIds"] = [{"AlternateIdType": id_type, "AlternateId": value}, *alternate_ids]
            stored = _create(req, tx, body)
        else:
            stored = _update(req, tx, load_profile(tx, req.tenant, profile_id), "post")
    return profile_reply(req, 200, view(stored, req))


@operation("PUT", "/{clientId}/Profile/AlternateId", "replaceProfileByAlternateId")
def replace_by_alternate_id(req: OpRequest) -> Reply:
    id_type, value = _alt_params(req)
    with _writer(req) as tx:
        current = require_by_alternate_id(tx, req.tenant, id_type, value)
        stored = _update(req, tx, current, "put")
    return profile_reply(req, 200, view(stored, req))


@operation("PATCH", "/{clientId}/Profile/AlternateId", "patchProfileByAlternateId")
def patch_by_alternate_id(req: OpRequest) -> Reply:
    id_type, value = _alt_params(req)
    with _writer(req) as tx:
        current = require_by_alternate_id(tx, req.tenant, id_type, value)
        stored = _update(req, tx, current, "patch")
    return profile_reply(req, 200, view(stored, req))


@operation("DELETE", "/{clientId}/Profile/{profileId}", "deleteProfile")
def delete_profile(req: OpRequest) -> Reply:
    profile_id = req.path_param("profileId")
    with req.store.write() as tx:
        current = load_profile(tx, req.tenant, profile_id)
        tx.delete(req.tenant, PROFILE, profile_id)
        tx.drop_profile_index(req.tenant, profile_id)
        record_event(req, tx, profile_id, "profile.deleted", None, current)
    return Reply(204)


@operation("POST", "/{clientId}/Profile/{profileId}/Deactivate", "deactivateProfile")
def deactivate_profile(req: OpRequest) -> Reply:
    reason = (req.body or {}).get("Reason")
    with req.store.write() as tx:
        current = load_profile(tx, req.tenant, req.path_param("profileId"))
        new = dict(current, IsActive=False, ReasonCode=reason)
        if current.get("PreservePreferences") is False:
            for pref in model._all_preferences(new).values():
                pref["PreferenceStatus"] = "Expired"
        save_profile(req, tx, new, current, "profile.deactivated")
    return Reply(200)


@operation("POST", "/{clientId}/Profile/{profileId}/Activate", "activateProfile")
def activate_profile(req: OpRequest) -> Reply:
    with req.store.write() as tx:
        current = load_profile(tx, req.tenant, req.path_param("profileId"))
        new = dict(current, IsActive=True)
        new.pop("ReasonCode", None)
        save_profile(req, tx, new, current, "profile.reactivated")
    return Reply(200)


@operation("POST", "/{clientId}/Consents/{profileId}", "addConsents")
def add_consents(req: OpRequest) -> Reply:
    consents = (req.body or {}).get("Consents") or []
    with req.store.write() as tx:
        current = load_profile(tx, req.tenant, req.path_param("profileId"))
        new = model.merge(current, {"Consents": consents})
        save_profile(req, tx, new, current, "consent.added")
    return Reply(200)


@operation("GET", "/{clientId}/Consents/{profileId}/Filters", "getFilterConsents")
def filter_consents(req: OpRequest) -> Reply:
    wanted = req.query_param("filterId")
    with req.store.read() as tx:
        doc = load_profile(tx, req.tenant, req.path_param("profileId"))
        filters = tx.all(req.tenant, "filter")
    if wanted is not None and not any(f["FilterId"].lower() == str(wanted).lower() for f in filters):
        raise HttpError(404, f"Filter '{str(wanted)[:50]}' was not found.")
    consents = [c for c in doc.get("Consents") or []]
    out = []
    for config in filters:
        if wanted is not None and config["FilterId"].lower() != str(wanted).lower():
            continue
        required = {t.lower() for t in config.get("_ConsentTypes") or []}
        out.append(
            {
                "FilterId": config["FilterId"],
                "Consents": [c for c in consents if str(c.get("ConsentType", "")).lower() in required],
            }
        )
    return Reply(200, out)


@operation(
    "POST",
    "/{clientId}/Profile/Preferences/AlternateIdType/{alternateIdType}/AlternateId/{alternateId}",
    "upsertPreferencesByAlternateId",
)
def upsert_preferences(req: OpRequest) -> Reply:
    id_type, value = str(req.path_param("alternateIdType")), str(req.path_param("alternateId"))
    body = req.body or {}
    with req.store.write() as tx:
        current = require_by_alternate_id(tx, req.tenant, id_type, value)
        _check_contact_types(tx, req.tenant, body)
        new = model.merge(current, body)
        check_unknown_filters(tx, req.tenant, new)
        save_profile(req, tx, new, current, "preference.updated")
    return Reply(200)


def _check_contact_types(tx: Tx, tenant: str, body: dict[str, Any]) -> None:
    """A contact naming an unknown type is a 404 (documented for preference upserts)."""
    for collection, field, kind in (
        ("Emails", "EmailAddressType", "EmailTypes"),
        ("PhoneNumbers", "PhoneType", "PhoneTypes"),
        ("Addresses", "AddressType", "AddressTypes"),
    ):
        names = {str(t.get("TypeName", "")).lower() for t in tx.all(tenant, kind)}
        for contact in body.get(collection) or []:
            type_name = contact.get(field)
            if type_name and str(type_name).lower() not in names:
                raise HttpError(404, f"{field} '{str(type_name)[:100]}' was not found.")


@operation("PUT", "/{clientId}/Profile/Preferences/{profileId}/Archive", "archivePreferences")
def archive_preferences(req: OpRequest) -> Reply:
    body = req.body or {}
    with req.store.write() as tx:
        current = load_profile(tx, req.tenant, req.path_param("profileId"))
        new, archived = _archive(current, body)
        new["_archived"] = [*(current.get("_archived") or []), *archived]
        save_profile(req, tx, new, current, "preference.archived")
    return Reply(204)


def _archive(current: dict[str, Any], body: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Remove the selected preferences; the documented selection rules, narrowed to what the body names."""
    new = model.merge(current, {})
    archived: list[dict[str, Any]] = []
    everything = body.get("GlobalDeactivate") is True

    def take(prefs: list[dict[str, Any]], selected: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
        wanted = None if selected is None else {str(p.get("FilterId", "")).lower() for p in selected}
        keep = []
        for pref in prefs:
            if wanted is None or not wanted or str(pref.get("FilterId", "")).lower() in wanted:
                archived.append(pref)
            else:
                keep.append(pref)
        return keep

    if everything or body.get("ProfilePreferences") is not None:
        new["ProfilePreferences"] = take(
            new.get("ProfilePreferences") or [], None if everything else body.get("ProfilePreferences")
        )
    for collection, inner in model.CONTACT_COLLECTIONS.items():
        requested = body.get(collection)
        if not everything and requested is None:
            continue
        key_of = model.COLLECTION_KEYS[collection]
        selected = {key_of(c): c for c in requested or []}
        for contact in new.get(collection) or []:
            chosen = selected.get(key_of(contact)) if requested else None
            if everything or chosen is not None:
                contact[inner] = take(
                    contact.get(inner) or [], None if everything else (chosen.get(inner) if chosen else None)
                )
    return new, archived
