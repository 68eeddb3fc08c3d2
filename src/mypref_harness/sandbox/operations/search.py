"""Profile searches: every one returns at most 50 profiles; more than 50 matches is a 403 (documented)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from mypref_harness.sandbox.operations import profile_model as model
from mypref_harness.sandbox.operations.base import HttpError, OpRequest, Reply, operation
from mypref_harness.sandbox.operations.common import PROFILE, SEARCH_CAP, load_profile, view
from mypref_harness.sandbox.operations.profiles import profile_reply
from mypref_harness.sandbox.store import Tx

Predicate = Callable[[dict[str, Any]], bool]
_INDEXED = re.compile(r"^(?P<name>[A-Za-z]+)\[(?P<i>\d{1,3})\](?:\.(?P<field>[A-Za-z]+))?$")


def _lower(value: Any) -> str:
    return str(value or "").strip().lower()


def indexed(req: OpRequest, name: str) -> list[dict[str, str]]:
    """``name[0].Key=a&name[0].Value=b`` (or ``name[0]=a``) -> [{"key": "a", "value": "b"}] in index order."""
    found: dict[int, dict[str, str]] = {}
    for key, value in req.raw_query:
        m = _INDEXED.match(key)
        if m and m.group("name").lower() == name.lower():
            field = (m.group("field") or "value").lower()
            found.setdefault(int(m.group("i")), {})[field] = value
    return [found[i] for i in sorted(found)]


def _finish(
    req: OpRequest, tx: Tx, ids: list[int], predicate: Predicate | None = None, include_inactive: bool = False
) -> Reply:
    docs = tx.get_many(req.tenant, PROFILE, ids)
    matches = [
        d
        for d in docs
        if (include_inactive or d.get("IsActive", True)) and (predicate is None or predicate(d))
    ]
    if len(matches) > SEARCH_CAP and not req.defect("search-cap-ignored"):
        raise HttpError(
            403,
            f"{len(matches)} profiles match; a search may return at most {SEARCH_CAP}. Narrow the criteria.",
        )
    return profile_reply(req, 200, [view(d, req, search=True) for d in matches])


def _contact_type(
    doc: dict[str, Any], collection: str, field: str, key: str, value: str, type_field: str, wanted_type: Any
) -> bool:
    for contact in doc.get(collection) or []:
        if model.COLLECTION_KEYS[collection](contact) == value and (
            wanted_type is None or _lower(contact.get(type_field)) == _lower(wanted_type)
        ):
            return True
    return False


def _email_ids(req: OpRequest, tx: Tx) -> tuple[list[int], Predicate | None]:
    email = _lower(req.query_param("emailAddress"))
    if not email:
        return [], None
    kind = req.query_param("emailType")
    return tx.find_profiles(req.tenant, "email", email), lambda d: _contact_type(
        d, "Emails", "EmailAddress", "email", email, "EmailAddressType", kind
    )


def _phone_ids(req: OpRequest, tx: Tx) -> tuple[list[int], Predicate | None]:
    phone = model.digits(req.query_param("phoneNumber"))
    if not phone:
        return [], None
    kind = req.query_param("phoneType")
    return tx.find_profiles(req.tenant, "phone", phone), lambda d: _contact_type(
        d, "PhoneNumbers", "PhoneNumber", "phone", phone, "PhoneType", kind
    )


def _alt_ids(req: OpRequest, tx: Tx) -> tuple[list[int], Predicate | None]:
    id_type, value = _lower(req.query_param("alternateIdType")), _lower(req.query_param("alternateId"))
    if not id_type or not value:
        return [], None
    return tx.find_profiles(req.tenant, f"alt:{id_type}", value), None


@operation("GET", "/{clientId}/Profile/Email", "getProfilesByEmail")
def by_email(req: OpRequest) -> Reply:
    with req.store.read() as tx:
        ids, predicate = _email_ids(req, tx)
        return _finish(req, tx, ids, predicate, bool(req.query_param("includeInactive", False)))


@operation("GET", "/{clientId}/Profile/Phone", "getProfilesByPhone")
def by_phone(req: OpRequest) -> Reply:
    with req.store.read() as tx:
        ids, predicate = _phone_ids(req, tx)
        return _finish(req, tx, ids, predicate, bool(req.query_param("includeInactive", False)))


def _name_matches(doc: dict[str, Any], req: OpRequest, partial: bool, skip_last: bool = False) -> bool:
    name = doc.get("CustomerName") or {}
    for field, param in (("FirstName", "firstName"), ("MiddleName", "middleName"), ("LastName", "lastName")):
        if skip_last and field == "LastName":
            continue
        wanted = req.query_param(param)
        if wanted is None or wanted == "":
            continue
        have = _lower(name.get(field))
        if (partial and not have.startswith(_lower(wanted))) or (not partial and have != _lower(wanted)):
            return False
    return True


@operation("GET", "/{clientId}/Profile/Name", "getProfilesByName")
def by_name(req: OpRequest) -> Reply:
    last = _lower(req.query_param("lastName"))
    if not last:
        return profile_reply(req, 200, [])
    with req.store.read() as tx:
        ids = tx.find_profiles(req.tenant, "last", last)
        return _finish(req, tx, ids, lambda d: _name_matches(d, req, partial=False, skip_last=True))


@operation("GET", "/{clientId}/Profile/PartialName", "getProfilesByPartialName")
def by_partial_name(req: OpRequest) -> Reply:
    last = _lower(req.query_param("lastName"))
    if not last:
        return profile_reply(req, 200, [])
    with req.store.read() as tx:
        ids = tx.find_profiles_prefix(req.tenant, "last", last)
        return _finish(req, tx, ids, lambda d: _name_matches(d, req, partial=True))


@operation("GET", "/{clientId}/Profile/Address", "getProfilesByAddress")
def by_address(req: OpRequest) -> Reply:
    city, state = _lower(req.query_param("city")), _lower(req.query_param("stateProvince"))
    if not city or not state:
        return profile_reply(req, 200, [])
    partial_address = bool(req.query_param("partialAddress1Match", False))
    partial_name = bool(req.query_param("partialNameMatch", False))

    def matches(doc: dict[str, Any]) -> bool:
        if not _name_matches(doc, req, partial=partial_name):
            return False
        for address in doc.get("Addresses") or []:
            if _lower(address.get("City")) != city or _lower(address.get("StateProvince")) != state:
                continue
            ok = True
            for field, param in (
                ("Address2", "address2"),
                ("PostalCode", "postalCode"),
                ("AddressType", "addressType"),
            ):
                wanted = req.query_param(param)
                if wanted not in (None, "") and _lower(address.get(field)) != _lower(wanted):
                    ok = False
            wanted1 = req.query_param("address1")
            if wanted1 not in (None, ""):
                have = _lower(address.get("Address1"))
                if (partial_address and not have.startswith(_lower(wanted1))) or (
                    not partial_address and have != _lower(wanted1)
                ):
                    ok = False
            if ok:
                return True
        return False

    with req.store.read() as tx:
        return _finish(req, tx, tx.find_profiles(req.tenant, "city", city), matches)


def _all_of(tx: Tx, tenant: str, lookups: list[tuple[str, str]]) -> list[int]:
    result: set[int] | None = None
    for key, value in lookups:
        ids = set(tx.find_profiles(tenant, key, value))
        result = ids if result is None else result & ids
    return sorted(result or set())


def _matching_all(req: OpRequest, lookups: list[tuple[str, str]]) -> Reply:
    """Profiles matching every (index key, value) lookup; no criteria match nothing."""
    if not lookups:
        return profile_reply(req, 200, [])
    with req.store.read() as tx:
        return _finish(req, tx, _all_of(tx, req.tenant, lookups))


def _custom_field_search(req: OpRequest) -> Reply:
    criteria = indexed(req, "customFields")
    return _matching_all(
        req, [(f"cf:{_lower(c.get('name'))}", _lower(c.get("value"))) for c in criteria if c.get("name")]
    )


@operation("GET", "/{clientId}/Profile/CustomFields", "getProfilesByCustomFields")
def by_custom_fields(req: OpRequest) -> Reply:
    return _custom_field_search(req)


@operation("GET", "/{clientId}/Profile/SelectListCustomFields", "getProfilesBySelectListCustomFields")
def by_select_list(req: OpRequest) -> Reply:
    return _custom_field_search(req)


@operation("GET", "/{clientId}/Profile/Tags", "getProfilesByTags")
def by_tags(req: OpRequest) -> Reply:
    tags = indexed(req, "tags")
    return _matching_all(req, [("tag", _lower(t.get("value"))) for t in tags if t.get("value")])


def _attribute_search(req: OpRequest, prefix: str) -> Reply:
    criteria = indexed(req, "attributes")
    return _matching_all(
        req, [(f"{prefix}:{_lower(c.get('key'))}", _lower(c.get("value"))) for c in criteria if c.get("key")]
    )


@operation("GET", "/{clientId}/Profile/ConsentAttributes", "getProfilesByConsentAttributes")
def by_consent_attributes(req: OpRequest) -> Reply:
    return _attribute_search(req, "consentattr")


@operation("GET", "/{clientId}/Profile/PreferenceAttributes", "getProfilesByPreferenceAttributes")
def by_preference_attributes(req: OpRequest) -> Reply:
    return _attribute_search(req, "prefattr")


# -- group searches: find the member profile(s), then everyone in their group of that type -----------


def _group_members(req: OpRequest, tx: Tx, members: list[dict[str, Any]]) -> Reply:
    group_type = _lower(req.query_param("groupType"))
    group_name = req.query_param("groupName")
    if not group_type:
        return _finish(req, tx, [])
    names: set[str] = set()
    for doc in members:
        for group in doc.get("Groups") or []:
            if _lower(group.get("GroupType")) == group_type and (
                group_name in (None, "") or _lower(group.get("GroupName")) == _lower(group_name)
            ):
                names.add(_lower(group.get("GroupName")))
    ids: set[int] = set()
    for name in names:
        ids.update(tx.find_profiles(req.tenant, f"group:{group_type}", name))
    return _finish(req, tx, sorted(ids))


@operation("GET", "/{clientId}/Profile/{profileId}/Group", "getGroupProfilesByProfileId")
def group_by_profile(req: OpRequest) -> Reply:
    with req.store.read() as tx:
        return _group_members(req, tx, [load_profile(tx, req.tenant, req.path_param("profileId"))])


def _group_via(
    req: OpRequest, finder: Callable[[OpRequest, Tx], tuple[list[int], Predicate | None]]
) -> Reply:
    with req.store.read() as tx:
        ids, predicate = finder(req, tx)
        members = [d for d in tx.get_many(req.tenant, PROFILE, ids) if predicate is None or predicate(d)]
        return _group_members(req, tx, members)


@operation("GET", "/{clientId}/Profile/Group/AlternateId", "getGroupProfilesByAlternateId")
def group_by_alternate_id(req: OpRequest) -> Reply:
    return _group_via(req, _alt_ids)


@operation("GET", "/{clientId}/Profile/Group/Email", "getGroupProfilesByEmail")
def group_by_email(req: OpRequest) -> Reply:
    return _group_via(req, _email_ids)


@operation("GET", "/{clientId}/Profile/Group/Phone", "getGroupProfilesByPhone")
def group_by_phone(req: OpRequest) -> Reply:
    return _group_via(req, _phone_ids)


@operation("GET", "/{clientId}/Profile/Group/Name", "getGroupProfilesByGroupName")
def group_by_name(req: OpRequest) -> Reply:
    group_type, group_name = _lower(req.query_param("groupType")), _lower(req.query_param("groupName"))
    if not group_type or not group_name:
        return profile_reply(req, 200, [])
    with req.store.read() as tx:
        return _finish(req, tx, tx.find_profiles(req.tenant, f"group:{group_type}", group_name))
