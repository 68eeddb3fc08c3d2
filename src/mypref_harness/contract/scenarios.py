"""Read-back scenarios: documented data behaviour that single requests cannot show.

Schemathesis checks each response on its own; these bugs only show when a write is read back:

* ``create_read_back``      create answers 200 or 201 with the new id (body or Location), and the
                            profile reads back as sent; anything but 201 + Location (the sandbox's
                            convention, not the document's) is only an ``assumption`` finding
* ``unicode_names``         non-ASCII names (beyond Latin-1 too) are stored, not a 5xx
* ``update_persists``       POST update (partial merge) keeps every supplied field
* ``put_replaces``          PUT is a full overwrite: omitted members become blank
* ``history_recorded``      a standard-field change appears in the standard-fields history
* ``updates_durable``       N acknowledged updates, each read back at once (N=100 by default, so a
                            bug losing 1 update in 20 is missed with probability 0.95**100 < 0.6 %,
                            and never against the sandbox's deterministic every-20th)
* ``search_cap_honoured``   a name search with more than 50 matches is a 403 (never a 200 with > 50)

Operations are found in the spec by their role (spec.roles: by path shape, operationId or the
``[operations]`` table). A scenario needing a role that does not resolve fails ("unresolved role
create-profile", basis catalog: the catalog lists the operation), or is skipped with
``allow_missing_roles`` (``--allow-missing-roles``).
Every profile created is deleted at the end. Evidence never carries credentials.
"""

from __future__ import annotations

import dataclasses
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from mypref_harness.auth.answers import json_body
from mypref_harness.basis import Basis, Rule, catalog, documented
from mypref_harness.budget import request_hooks
from mypref_harness.config import Target
from mypref_harness.contract.profile_api import ProfileApi, ScenarioError
from mypref_harness.contract.results import CheckRecord, Status
from mypref_harness.created import (
    CREATE_STATUSES,
    id_from_body,
    id_from_location,
    location_header,
)
from mypref_harness.spec.roles import Role

SEARCH_CAP = 50
SEARCH_LAST_NAME = "Smith"  # the sandbox seeds 60 of them; on other targets the check passes trivially

# Where each scenario's rule comes from (mypref_harness.basis; documented rules quote the overview).
# A scenario may report a finding on a weaker basis than its rule (create_read_back's convention).
SCENARIO_RULES: dict[str, Rule] = {
    "create_read_back": catalog("Create profile: 200 (or 201) with the new profile; it reads back as sent"),
    "unicode_names": documented(
        "In the Profiles area, you can store various data points including names, contact information, "
        "group affiliations, and a wide range of demographic and psychographic details."
    ),
    "update_persists": catalog(
        "Update profile (POST) = partial merge without needing a prior GET; only supplied elements change"
    ),
    "put_replaces": documented("PUT: To update (overwrite) an existing resource"),
    "history_recorded": documented(
        "You can retrieve the entire history for any data point associated with a user's profile, "
        "including standard fields, contact elements, custom fields, preferences, consents, and more."
    ),
    "updates_durable": documented(
        "Within the Data API collection, the UpdateProfile method is accessible through a POST request "
        "to efficiently update a profile."
    ),
    "search_cap_honoured": catalog(
        "All profile search endpoints (...) return at most 50 profiles; "
        "more than 50 matches -> 403 Forbidden."
    ),
}


def scenario_basis(check: str) -> Basis:
    rule = SCENARIO_RULES.get(check)
    return rule.basis if rule is not None else Basis.ASSUMPTION


_STRENGTH = {Basis.DOCUMENTED: 3, Basis.CATALOG: 2, Basis.ASSUMPTION: 1, Basis.PRACTICE: 1}


def weaker(a: Basis, b: Basis) -> Basis:
    return a if _STRENGTH[a] <= _STRENGTH[b] else b


def missing_fields(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where ``actual`` does not carry what ``expected`` (a subset) says, as "path: want x, got y"."""
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return [f"{path or '/'}: want an object, got {actual!r}"]
        problems: list[str] = []
        for key, value in expected.items():
            problems += missing_fields(value, actual.get(key), f"{path}.{key}" if path else key)
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) < len(expected):
            return [f"{path}: want {len(expected)} item(s), got {actual!r}"]
        problems = []
        for i, item in enumerate(expected):
            problems += missing_fields(item, actual[i], f"{path}[{i}]")
        return problems
    return [] if expected == actual else [f"{path}: want {expected!r}, got {actual!r}"]


def is_blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


# --- the scenarios -----------------------------------------------------------------------------


def _passed(check: str, title: str, evidence: str) -> CheckRecord:
    return CheckRecord(
        name=title, check=check, status=Status.PASSED, evidence=evidence, basis=scenario_basis(check)
    )


def _failed(check: str, title: str, evidence: str, basis: Basis | None = None) -> CheckRecord:
    basis = scenario_basis(check) if basis is None else basis
    return CheckRecord(name=title, check=check, status=Status.FAILED, evidence=evidence, basis=basis)


def _answer_failed(
    api: ProfileApi, role: Role, check: str, title: str, response: httpx.Response, what: str
) -> CheckRecord:
    """A scenario step answered with an unexpected status. A 404 may mean the route itself is wrong,
    so such a finding is no stronger than the spec's confidence in that route (a guessed history
    route that the target lacks warns; the route table names it)."""
    basis = scenario_basis(check)
    if response.status_code == 404:
        basis = weaker(basis, api.route_basis(role))
    return _failed(check, title, f"{what} answered HTTP {response.status_code}", basis)


def _new_profile(tag: str, **extra: Any) -> dict[str, Any]:
    return {"CustomerName": {"FirstName": "Ada", "LastName": f"Harness{tag}"}, **extra}


def _id_problems(response: httpx.Response, profile_id: Any) -> list[str]:
    """What the catalog's create rule ("200 or 201", the response carries the ProfileId) finds wrong."""
    status = response.status_code
    if status not in CREATE_STATUSES:
        return [f"create answered {status}, the catalog says 200 or 201"]
    if profile_id is None:
        return [f"create answered {status} with no ProfileId in the body and no Location"]
    in_body = id_from_body(json_body(response))
    in_location = id_from_location(location_header(response.headers))
    if in_body is not None and in_location is not None and in_body != in_location:
        return [f"the body says ProfileId {in_body} but Location names {in_location}"]
    return []


def create_read_back(api: ProfileApi, tag: str) -> CheckRecord:
    check, title = "create_read_back", "create answers 200/201 with the new id and reads back"
    body = _new_profile(
        tag, CustomerName={"FirstName": "Ada", "MiddleName": "Byron", "LastName": f"Create{tag}"}
    )
    response, profile_id = api.create(body)
    problems = _id_problems(response, profile_id)
    if problems:
        return _failed(check, title, "; ".join(problems), Basis.CATALOG)
    problems = missing_fields(body, api.read(profile_id))
    if problems:
        return _failed(check, title, "; ".join(problems), Basis.CATALOG)
    # Both pass the document; the sandbox's (our) convention is 201 + Location: a difference only warns
    # on a configured target and fails under --strict, which is how the sandbox's wrong-status-create
    # defect stays caught.
    convention = []
    if response.status_code != 201:
        convention.append(f"create answered {response.status_code}")
    if not location_header(response.headers):
        convention.append("no Location header")
    if convention:
        evidence = (
            f"profile {profile_id} read back as sent, but {' and '.join(convention)} "
            "(ASSUMPTION: 201 + Location, the sandbox's convention; the catalog allows 200 or 201)"
        )
        return _failed(check, title, evidence, Basis.ASSUMPTION)
    return _passed(check, title, f"profile {profile_id}: 201, Location, read back as sent")


UNICODE_NAMES = (
    {"FirstName": "José", "LastName": "Zoë"},
    {"FirstName": "Łukasz", "LastName": "Żółć"},
    {"FirstName": "美咲", "LastName": "北京"},
    {"FirstName": "Ana 😀", "LastName": "O'Brien-Ñúñez"},
)


def unicode_names(api: ProfileApi, tag: str) -> CheckRecord:
    check, title = "unicode_names", "non-ASCII names are stored (no 5xx)"
    problems = []
    for name in UNICODE_NAMES:
        body = {"CustomerName": {**name, "MiddleName": f"U{tag}"}}
        response, profile_id = api.create(body)
        if response.status_code >= 500:
            problems.append(f"create {name['FirstName']!r}: HTTP {response.status_code}")
        elif profile_id is not None:
            problems += missing_fields(body, api.read(profile_id))
    return (
        _failed(check, title, "; ".join(problems))
        if problems
        else _passed(check, title, f"{len(UNICODE_NAMES)} names created and read back")
    )


def update_persists(api: ProfileApi, tag: str) -> CheckRecord:
    check, title = "update_persists", "POST update keeps every supplied field"
    _, profile_id = api.create(_new_profile(tag))
    if profile_id is None:
        return _failed(check, title, "could not create a profile to update")
    update = {
        "CustomerName": {
            "Prefix": "Dr",
            "FirstName": "Grace",
            "MiddleName": "Brewster",
            "LastName": f"Update{tag}",
            "Suffix": "PhD",
        }
    }
    response = api.call(Role.UPDATE_PROFILE, profile_id, json=update)
    if response.status_code != 200:
        return _answer_failed(api, Role.UPDATE_PROFILE, check, title, response, "update")
    problems = missing_fields(update, api.read(profile_id))
    return (
        _failed(check, title, "acknowledged but not stored: " + "; ".join(problems))
        if problems
        else _passed(check, title, f"profile {profile_id}: all 5 supplied name fields read back")
    )


def put_replaces(api: ProfileApi, tag: str) -> CheckRecord:
    check, title = "put_replaces", "PUT overwrites: omitted members become blank"
    created = _new_profile(tag, ProfileTags=[f"harness-{tag}"])
    created["CustomerName"]["MiddleName"] = "Omitted"
    _, profile_id = api.create(created)
    if profile_id is None:
        return _failed(check, title, "could not create a profile to replace")
    replacement = {"CustomerName": {"FirstName": "Put", "LastName": f"Replace{tag}"}}
    response = api.call(Role.REPLACE_PROFILE, profile_id, json=replacement)
    if response.status_code != 200:
        return _answer_failed(api, Role.REPLACE_PROFILE, check, title, response, "PUT")
    stored = api.read(profile_id)
    problems = missing_fields(replacement, stored)
    if not is_blank((stored.get("CustomerName") or {}).get("MiddleName")):
        problems.append(f"CustomerName.MiddleName survived the PUT: {stored['CustomerName']['MiddleName']!r}")
    if not is_blank(stored.get("ProfileTags")):
        problems.append(f"ProfileTags survived the PUT: {stored.get('ProfileTags')!r}")
    return (
        _failed(check, title, "; ".join(problems))
        if problems
        else _passed(
            check, title, f"profile {profile_id}: omitted MiddleName and ProfileTags are blank after PUT"
        )
    )


def history_recorded(api: ProfileApi, tag: str) -> CheckRecord:
    check, title = "history_recorded", "a standard-field change is in the history"
    _, profile_id = api.create(_new_profile(tag))
    if profile_id is None:
        return _failed(check, title, "could not create a profile")
    marker = f"Hist{tag}"
    response = api.call(Role.UPDATE_PROFILE, profile_id, json={"CustomerName": {"FirstName": marker}})
    if response.status_code != 200:
        return _answer_failed(api, Role.UPDATE_PROFILE, check, title, response, "update")
    history = api.call(Role.STANDARD_FIELDS_HISTORY, profile_id)
    if history.status_code != 200:
        return _answer_failed(api, Role.STANDARD_FIELDS_HISTORY, check, title, history, "history")
    if marker not in history.text:
        return _failed(
            check,
            title,
            f"FirstName changed to {marker!r} but the standard-fields history "
            f"does not mention it ({len(history.content)} bytes)",
        )
    return _passed(check, title, f"profile {profile_id}: the FirstName change is in the history")


def updates_durable(api: ProfileApi, tag: str, updates: int) -> CheckRecord:
    check, title = "updates_durable", f"{updates} acknowledged updates all persisted"
    _, profile_id = api.create(_new_profile(tag))
    if profile_id is None:
        return _failed(check, title, "could not create a profile")
    lost: list[int] = []
    for i in range(updates):
        value = f"Durable{tag}n{i}"
        response = api.call(
            Role.UPDATE_PROFILE,
            profile_id,
            json={"CustomerName": {"FirstName": value, "LastName": f"Durable{tag}"}},
        )
        if response.status_code != 200:
            return _answer_failed(api, Role.UPDATE_PROFILE, check, title, response, f"update #{i + 1}")
        if (api.read(profile_id).get("CustomerName") or {}).get("FirstName") != value:
            lost.append(i + 1)
    if lost:
        shown = ", ".join(f"#{n}" for n in lost[:10])
        return _failed(
            check, title, f"{len(lost)} of {updates} acknowledged updates were not persisted ({shown})"
        )
    return _passed(check, title, f"profile {profile_id}: {updates} updates, each read back at once")


def search_cap(api: ProfileApi, tag: str) -> CheckRecord:
    check, title = "search_cap_honoured", f"name search never returns more than {SEARCH_CAP} profiles"
    response = api.call(Role.SEARCH_BY_NAME, params={"lastName": SEARCH_LAST_NAME})
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code == 200 and isinstance(body, list) and len(body) > SEARCH_CAP:
        return _failed(
            check,
            title,
            f"lastName={SEARCH_LAST_NAME}: 200 with {len(body)} profiles "
            f"(more than {SEARCH_CAP} matches must be 403)",
        )
    count = f", {len(body)} profiles" if isinstance(body, list) else ""
    return _passed(check, title, f"lastName={SEARCH_LAST_NAME}: HTTP {response.status_code}{count}")


Scenario = Callable[[ProfileApi, str], CheckRecord]


def _unresolved(check: str, lacking: str, allowed: bool) -> CheckRecord:
    """A scenario the spec cannot play: a catalog finding (the catalog lists every role's operation),
    or a skip when missing roles are allowed."""
    if allowed:
        return CheckRecord(
            name=check, check=check, status=Status.SKIPPED, basis=scenario_basis(check), evidence=lacking
        )
    return _failed(
        check,
        check,
        f"{lacking} (map it in mypref.toml [operations], or --allow-missing-roles)",
        Basis.CATALOG,
    )


def scenario_table(updates: int) -> list[tuple[str, tuple[Role, ...], Scenario]]:
    """(check name, operation roles needed, scenario) in run order."""
    return [
        ("create_read_back", (Role.CREATE_PROFILE, Role.READ_PROFILE), create_read_back),
        ("unicode_names", (Role.CREATE_PROFILE, Role.READ_PROFILE), unicode_names),
        ("update_persists", (Role.CREATE_PROFILE, Role.READ_PROFILE, Role.UPDATE_PROFILE), update_persists),
        ("put_replaces", (Role.CREATE_PROFILE, Role.READ_PROFILE, Role.REPLACE_PROFILE), put_replaces),
        (
            "history_recorded",
            (Role.CREATE_PROFILE, Role.UPDATE_PROFILE, Role.STANDARD_FIELDS_HISTORY),
            history_recorded,
        ),
        (
            "updates_durable",
            (Role.CREATE_PROFILE, Role.READ_PROFILE, Role.UPDATE_PROFILE),
            lambda api, tag: updates_durable(api, tag, updates),
        ),
        ("search_cap_honoured", (Role.SEARCH_BY_NAME,), search_cap),
    ]


def run_scenarios(
    target: Target,
    document: Mapping[str, Any],
    *,
    updates: int = 100,
    clock_offset: float = 0.0,
    only: tuple[str, ...] = (),
    client: httpx.Client | None = None,
    allow_missing_roles: bool = False,
) -> list[CheckRecord]:
    from mypref_harness.credentials import auth_for

    own = client is None
    client = client or httpx.Client(
        auth=auth_for(target, clock_offset=clock_offset), timeout=15.0, event_hooks=request_hooks()
    )
    api = ProfileApi(target, document, client)
    tag = secrets.token_hex(4)
    records: list[CheckRecord] = []
    try:
        for check, needs, scenario in scenario_table(updates):
            if only and check not in only:
                continue
            if not api.has(*needs):
                records.append(_unresolved(check, api.lacks(needs), allow_missing_roles))
                continue
            started = time.perf_counter()
            try:
                record = scenario(api, tag)
            except ScenarioError as exc:
                record = _failed(check, check, str(exc))
            except httpx.HTTPError as exc:
                record = _failed(check, check, f"{type(exc).__name__}: {exc}")
            records.append(dataclasses.replace(record, elapsed_s=time.perf_counter() - started))
    finally:
        api.cleanup()
        if own:
            client.close()
    return records
