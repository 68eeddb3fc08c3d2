"""Configuration (Experience API): contact/customer/group/consent types, custom fields, picklists, update
rules, consent statuses, tags and group names.

Rules emulated: ``Id`` (0 or absent = all) selects one item (404 when unknown); ``locale`` keeps only the
localized entries of that locale and answers 404 when no item has it; creating an item whose name exists
(case-insensitive) is a 409; updates are JSON Patch (add/remove/replace/test) validated against the
item's input schema.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mypref_harness.sandbox.operations import cache as response_cache
from mypref_harness.sandbox.operations import profile_model as model
from mypref_harness.sandbox.operations.base import STATE_CONFLICT, HttpError, OpRequest, Reply, operation
from mypref_harness.sandbox.operations.common import PROFILE, save_profile
from mypref_harness.sandbox.store import Tx


class Family:
    """One configurable collection (e.g. AddressTypes) and how its items are named and localized."""

    def __init__(
        self,
        kind: str,
        list_key: str,
        id_field: str,
        name_field: str,
        input_schema: str,
        locale_fields: tuple[str, ...],
        singular: str,
    ) -> None:
        self.kind = kind
        self.list_key = list_key
        self.id_field = id_field
        self.name_field = name_field
        self.input_schema = input_schema
        self.locale_fields = locale_fields  # list-valued properties whose entries carry a Locale
        self.singular = singular


TYPE_FAMILIES = {
    name: Family(name, name, "TypeId", "TypeName", "ConfigTypeInput", ("LocalizedFields",), name[:-1])
    for name in (
        "AddressTypes",
        "AlternateIdTypes",
        "CustomerTypes",
        "EmailTypes",
        "PhoneTypes",
        "GroupTypes",
    )
}
CONSENT_TYPES = Family(
    "ConsentTypes",
    "ConsentTypes",
    "TypeId",
    "TypeName",
    "ConsentTypeInput",
    ("Versions.LocalizedFields",),
    "ConsentType",
)
CUSTOM_FIELD_FAMILIES = {
    kind: Family(
        f"CustomFields{kind}",
        f"{kind}Fields",
        "Id",
        "Name",
        f"{kind}CustomFieldInput",
        ("LocalizedDisplayNames",),
        f"CustomField/{kind}",
    )
    for kind in ("DateTime", "Numeric", "SelectList", "Text")
}
PICKLISTS = Family(
    "Picklists", "Picklists", "Id", "Name", "PicklistInput", ("Items.LocalizedFields",), "Picklist"
)
ALL_FAMILIES = [*TYPE_FAMILIES.values(), CONSENT_TYPES, *CUSTOM_FIELD_FAMILIES.values(), PICKLISTS]

UPDATE_RULES = [
    {"Id": 1, "Name": "Always"},
    {"Id": 2, "Name": "Never"},
    {"Id": 3, "Name": "If Current Value Is Blank"},
    {"Id": 4, "Name": "If New Value Is Not Blank"},
]
CONSENT_STATUSES = [
    {"Id": 1, "Name": "Granted"},
    {"Id": 2, "Name": "Denied"},
    {"Id": 3, "Name": "Revoked"},
    {"Id": 4, "Name": "NotSet"},
]


def _localized_lists(item: dict[str, Any], path: str) -> list[list[dict[str, Any]]]:
    """The lists of localized entries under a dotted path (``Versions.LocalizedFields`` walks versions)."""
    head, _, rest = path.partition(".")
    value = item.get(head)
    if not rest:
        return [value] if isinstance(value, list) else []
    out: list[list[dict[str, Any]]] = []
    for child in value or []:
        if isinstance(child, dict):
            out.extend(_localized_lists(child, rest))
    return out


def localize(items: list[dict[str, Any]], family: Family, locale: str | None) -> list[dict[str, Any]]:
    """Keep only entries of ``locale``; 404 when no item has that locale (documented)."""
    if locale is None or locale == "":
        return items
    wanted = locale.lower()
    out, hit = [], False
    for item in items:
        copied = model.clone(item)
        for path in family.locale_fields:
            for entries in _localized_lists(copied, path):
                kept = [e for e in entries if str(e.get("Locale", "")).lower() == wanted]
                hit = hit or bool(kept)
                entries[:] = kept
        out.append(copied)
    if not hit:
        raise HttpError(404, f"No item has localized fields for locale '{locale[:15]}'.")
    return out


def select(req: OpRequest, tx: Tx, family: Family) -> list[dict[str, Any]]:
    items = tx.all(req.tenant, family.kind)
    wanted = req.query_param("Id")
    if wanted not in (None, 0):
        items = [i for i in items if i.get(family.id_field) == wanted]
        if not items:
            raise HttpError(404, f"{family.singular} {wanted} was not found.")
    return localize(items, family, req.query_param("locale"))


def _edited(req: OpRequest, previous: dict[str, Any] | None) -> dict[str, Any]:
    edited = dict((previous or {}).get("Edited") or {"CreatedDate": req.stamp, "CreatedBy": req.user_id})
    edited["ModifiedDate"] = req.stamp
    edited["ModifiedBy"] = req.user_id
    return edited


def create_items(req: OpRequest, family: Family) -> Reply:
    incoming = (req.body or {}).get(family.list_key) or []
    created = []
    with req.store.write() as tx:
        names = {str(i.get(family.name_field, "")).lower() for i in tx.all(req.tenant, family.kind)}
        for item in incoming:
            name = str(item.get(family.name_field, "")).lower()
            if name in names:
                raise HttpError(409, f"{family.singular} '{item.get(family.name_field)}' already exists.")
            names.add(name)
            new_id = tx.next_id(req.tenant, family.kind)
            fields = {k: v for k, v in item.items() if k not in (family.id_field, "Edited")}
            stored = {family.id_field: new_id, **fields, "Edited": _edited(req, None)}
            stored.setdefault("IsActive", True)
            tx.put(req.tenant, family.kind, new_id, stored)
            created.append(stored)
        tx.next_id(req.tenant, response_cache.CONFIG_VERSION)  # invalidates cached configuration reads
    collection = "/".join(req.template.strip("/").split("/")[1:])
    location = f"/Profiles/v4/{req.tenant}/{collection}?Id={created[0][family.id_field]}"
    return Reply(201, {family.list_key: created}, {"Location": location})


def patch_item(req: OpRequest, family: Family) -> Reply:
    item_id = req.path_param("typeId", "Id")
    with req.store.write() as tx:
        current = tx.get(req.tenant, family.kind, item_id)
        if current is None:
            raise HttpError(404, f"{family.singular} {item_id} was not found.")
        editable = {k: v for k, v in current.items() if k not in (family.id_field, "Edited")}
        patched = model.apply_patch(editable, req.body or [])
        problem = req.schemas.component_error(family.input_schema, patched)
        if problem:
            raise HttpError(model.PATCH_CONFLICT, f"The patched {family.singular} is invalid: {problem}")
        name = str(patched.get(family.name_field, "")).lower()
        for other in tx.all(req.tenant, family.kind):
            if other[family.id_field] != item_id and str(other.get(family.name_field, "")).lower() == name:
                raise HttpError(
                    STATE_CONFLICT, f"{family.singular} '{patched.get(family.name_field)}' already exists."
                )
        stored = {family.id_field: item_id, **patched, "Edited": _edited(req, current)}
        tx.put(req.tenant, family.kind, item_id, stored)
        tx.next_id(req.tenant, response_cache.CONFIG_VERSION)
    return Reply(200, stored)


def _register(family: Family, plural_path: str, singular_path: str, suffix: str) -> None:
    def get_items(req: OpRequest) -> Reply:
        with req.store.read() as tx:
            return Reply(200, {family.list_key: select(req, tx, family)})

    def create(req: OpRequest) -> Reply:
        return create_items(req, family)

    def patch(req: OpRequest) -> Reply:
        return patch_item(req, family)

    operation("GET", f"/{{clientId}}/{plural_path}", f"get{suffix}s")(get_items)
    operation("POST", f"/{{clientId}}/{plural_path}", f"create{suffix}s")(create)
    operation("PATCH", f"/{{clientId}}/{singular_path}/{{id}}", f"update{suffix}")(patch)


for _family in TYPE_FAMILIES.values():
    _register(_family, _family.kind, _family.singular, _family.singular)
_register(PICKLISTS, "Picklists", "Picklist", "Picklist")
for _kind, _family in CUSTOM_FIELD_FAMILIES.items():
    _register(_family, f"CustomFields/{_kind}", f"CustomField/{_kind}", f"{_kind}CustomField")


@operation("GET", "/{clientId}/ConsentTypes", "getConsentTypes")
def get_consent_types(req: OpRequest) -> Reply:
    with req.store.read() as tx:
        return Reply(200, {"ConsentTypes": select(req, tx, CONSENT_TYPES)})


@operation("POST", "/{clientId}/ConsentTypes", "createConsentTypes")
def create_consent_types(req: OpRequest) -> Reply:
    return create_items(req, CONSENT_TYPES)


@operation("PATCH", "/{clientId}/ConsentType/{typeId}", "updateConsentType")
def update_consent_type(req: OpRequest) -> Reply:
    reply = patch_item(req, CONSENT_TYPES)
    return Reply(200, {"ConsentTypes": [reply.body]})


@operation("GET", "/{clientId}/CustomFields", "getCustomFields")
def get_custom_fields(req: OpRequest) -> Reply:
    wanted = req.query_param("Id")
    locale = req.query_param("locale")
    out: dict[str, list[dict[str, Any]]] = {}
    hit = False
    with req.store.read() as tx:
        for family in CUSTOM_FIELD_FAMILIES.values():
            items = tx.all(req.tenant, family.kind)
            if wanted not in (None, 0):
                items = [i for i in items if i.get("Id") == wanted]
            try:
                items = localize(items, family, locale)
                hit = hit or bool(items)
            except HttpError:
                items = []
            out[family.list_key] = items
    if (locale or wanted not in (None, 0)) and not hit:
        raise HttpError(404, "No custom field matches the Id and locale.")
    return Reply(200, out)


@operation("GET", "/{clientId}/UpdateRules", "getUpdateRules")
def get_update_rules(req: OpRequest) -> Reply:
    return Reply(200, {"UpdateRules": UPDATE_RULES})


@operation("GET", "/{clientId}/ConsentStatus", "getConsentStatus")
def get_consent_status(req: OpRequest) -> Reply:
    return Reply(200, {"ConsentStatus": CONSENT_STATUSES})


@operation("GET", "/{clientId}/Tags", "getTags")
def get_tags(req: OpRequest) -> Reply:
    with req.store.read() as tx:
        counts = tx.index_values(req.tenant, "tag")
        spelled = _tag_spellings(tx, req.tenant)
    return Reply(
        200,
        {
            "TagCounts": [
                {"Tag": {"Name": spelled.get(value, value)}, "Count": count}
                for key, value, count in counts
                if key == "tag"
            ]
        },
    )


def _tag_spellings(tx: Tx, tenant: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for tag in tx.all(tenant, "tag"):
        out[tag["Name"].lower()] = tag["Name"]
    return out


@operation("DELETE", "/{clientId}/Tags", "deleteTags")
def delete_tags(req: OpRequest) -> Reply:
    names = {str(t.get("Name", "")).lower() for t in (req.body or {}).get("Tags") or []}
    with req.store.write() as tx:
        known = {value for key, value, _ in tx.index_values(req.tenant, "tag") if key == "tag"}
        known |= set(_tag_spellings(tx, req.tenant))
        missing = sorted(names - known)
        if missing:
            raise HttpError(404, f"Tag '{missing[0][:100]}' was not found.")
        for name in names:
            for profile_id in tx.find_profiles(req.tenant, "tag", name):
                current = tx.get(req.tenant, PROFILE, profile_id)
                if current is None:
                    continue
                new = dict(
                    current,
                    ProfileTags=[t for t in current.get("ProfileTags") or [] if str(t).lower() != name],
                )
                save_profile(req, tx, new, current, "profile.updated")
            tx.delete(req.tenant, "tag", name)
    return Reply(204)


@operation("GET", "/{clientId}/GroupNames", "getGroupNames")
def get_group_names(req: OpRequest) -> Reply:
    wanted = req.query_param("Id")
    with req.store.read() as tx:
        types = tx.all(req.tenant, "GroupTypes")
        if wanted not in (None, 0):
            types = [t for t in types if t["TypeId"] == wanted]
            if not types:
                raise HttpError(404, f"GroupType {wanted} was not found.")
        values = tx.index_values(req.tenant, "group:")
        spelled = {k.lower(): v for k, v in ((g["_key"], g["Name"]) for g in tx.all(req.tenant, "groupname"))}
    out = []
    for group_type in types:
        key = f"group:{group_type['TypeName'].lower()}"
        names = [spelled.get(f"{key}|{v}", v) for k, v, _ in values if k == key]
        out.append({"TypeId": group_type["TypeId"], "TypeName": group_type["TypeName"], "GroupNames": names})
    return Reply(200, {"GroupTypeNames": out})


@operation("POST", "/{clientId}/Groups/{groupType}", "renameGroup")
def rename_group(req: OpRequest) -> Reply:
    group_type = str(req.path_param("groupType"))
    body = req.body or {}
    old, new = str(body.get("OldGroupName", "")), str(body.get("NewGroupName", ""))
    with req.store.write() as tx:
        if not any(t["TypeName"].lower() == group_type.lower() for t in tx.all(req.tenant, "GroupTypes")):
            raise HttpError(404, f"GroupType '{group_type[:100]}' was not found.")
        key = f"group:{group_type.lower()}"
        members = tx.find_profiles(req.tenant, key, old.lower())
        if not members:
            raise HttpError(404, f"Group '{old[:100]}' was not found.")
        if (
            old.lower() != new.lower()
            and tx.find_profiles(req.tenant, key, new.lower())
            and not body.get("AllowMerge")
        ):
            raise HttpError(
                STATE_CONFLICT, f"Group '{new[:100]}' exists; set AllowMerge to merge the groups."
            )
        for profile_id in members:
            current = tx.get(req.tenant, PROFILE, profile_id)
            if current is None:
                continue
            groups, seen = [], set()
            for group in current.get("Groups") or []:
                if (
                    str(group.get("GroupType", "")).lower() == group_type.lower()
                    and str(group.get("GroupName", "")).lower() == old.lower()
                ):
                    group = {**group, "GroupName": new}
                ident = (str(group.get("GroupType", "")).lower(), str(group.get("GroupName", "")).lower())
                if ident not in seen:
                    seen.add(ident)
                    groups.append(group)
            save_profile(req, tx, dict(current, Groups=groups), current, "profile.updated")
        tx.put(req.tenant, "groupname", f"{key}|{new.lower()}", {"_key": f"{key}|{new.lower()}", "Name": new})
    return Reply(200)


Handler = Callable[[OpRequest], Reply]
