"""Read-back scenarios against an in-memory profile store that can be told to misbehave."""

from __future__ import annotations

import itertools
import json

import httpx
import pytest

from mypref_harness.basis import Basis, VerdictPolicy
from mypref_harness.config import Target
from mypref_harness.contract.profile_api import ProfileApi
from mypref_harness.contract.results import Status, judged
from mypref_harness.contract.scenarios import is_blank, missing_fields, run_scenarios
from mypref_harness.spec.roles import Role

DOCUMENT = {
    "paths": {
        "/{clientId}/Profile": {"post": {"operationId": "createProfile"}},
        "/{clientId}/Profile/{profileId}": {
            "get": {"operationId": "getProfile"},
            "post": {"operationId": "updateProfile"},
            "put": {"operationId": "replaceProfile"},
            "delete": {"operationId": "deleteProfile"},
        },
        "/{clientId}/Profile/{profileId}/History/StandardFields": {
            "get": {"operationId": "getStandardFieldsHistory"}
        },
        "/{clientId}/Profile/Name": {"get": {"operationId": "getProfilesByName"}},
    }
}
TARGET = Target(base_url="http://api.test/Profiles/v4", client_id="ACME_CORP", user_id="u", api_key="k" * 8)


def merge(old: dict, new: dict) -> dict:
    out = dict(old)
    for key, value in new.items():
        out[key] = merge(out.get(key) or {}, value) if isinstance(value, dict) else value
    return out


# How a create answers: (status, id in the body, Location header). "201-both" is the sandbox's way.
CREATE_STYLES = {
    "201-both": (201, True, True),
    "200-body": (200, True, False),
    "201-location": (201, False, True),
    "201-body": (201, True, False),
}


class Store:
    def __init__(self, bug: str | None = None, create_style: str = "201-both") -> None:
        self.bug, self.profiles, self.history, self.ids = bug, {}, {}, itertools.count(1)
        self.updates = 0
        self.create_style = create_style

    def handle(self, request: httpx.Request) -> httpx.Response:
        parts = request.url.path.split("/")[4:]  # after /Profiles/v4/<client>
        body = json.loads(request.content) if request.content else None
        if parts == ["Profile", "Name"]:
            count = 60 if request.url.params.get("lastName") == "Smith" else 1
            if count > 50 and self.bug != "search-cap":
                return httpx.Response(403, json={"Message": "Too many matches"})
            return httpx.Response(200, json=[{}] * count)
        if parts == ["Profile"]:
            if self.bug == "unicode" and any(ord(c) > 255 for c in json.dumps(body, ensure_ascii=False)):
                return httpx.Response(500, json={"Message": "boom"})
            pid = next(self.ids)
            self.profiles[pid] = {**body, "ProfileId": pid}
            status, with_body, with_location = CREATE_STYLES[self.create_style]
            return httpx.Response(
                200 if self.bug == "status" else status,
                json=self.profiles[pid] if with_body else None,
                headers={"Location": f"/Profiles/v4/ACME_CORP/Profile/{pid}"} if with_location else {},
            )
        pid = int(parts[1])
        if len(parts) == 4:
            return httpx.Response(200, json=self.history.get(pid, []))
        if request.method == "GET":
            return httpx.Response(200, json=self.profiles[pid])
        if request.method == "DELETE":
            self.profiles.pop(pid, None)
            return httpx.Response(204)
        self.updates += 1
        new = dict(body)
        if request.method == "POST" and self.bug == "drop":
            new["CustomerName"] = dict(list(new["CustomerName"].items())[:-1])
        stored = (
            merge(self.profiles[pid], new)
            if request.method == "POST" or self.bug == "put-merge"
            else {**new, "ProfileId": pid}
        )
        if not (self.bug == "lost" and self.updates % 20 == 0):
            self.profiles[pid] = stored
        if self.bug != "history":
            self.history.setdefault(pid, []).append(stored)
        return httpx.Response(200, json=stored)


def run_records(bug: str | None = None, updates: int = 40, create_style: str = "201-both") -> dict:
    store = Store(bug, create_style)
    client = httpx.Client(transport=httpx.MockTransport(store.handle))
    records = run_scenarios(TARGET, DOCUMENT, updates=updates, client=client)
    assert store.profiles == {}  # everything created was deleted
    return {r.check: r for r in records}


def run(bug: str | None = None, updates: int = 40, create_style: str = "201-both") -> dict[str, Status]:
    return {check: r.status for check, r in run_records(bug, updates, create_style).items()}


def test_a_correct_store_passes_every_scenario():
    assert set(run().values()) == {Status.PASSED}


@pytest.mark.parametrize(
    ("bug", "check"),
    [
        ("status", "create_read_back"),
        ("unicode", "unicode_names"),
        ("drop", "update_persists"),
        ("put-merge", "put_replaces"),
        ("history", "history_recorded"),
        ("lost", "updates_durable"),
        ("search-cap", "search_cap_honoured"),
    ],
)
def test_each_bug_is_caught_by_its_scenario(bug, check):
    assert run(bug)[check] is Status.FAILED


@pytest.mark.parametrize("style", ["200-body", "201-location", "201-body"])
def test_every_create_style_the_document_allows_feeds_every_other_scenario(style):
    """200 or 201, the id in the body or only in Location: the scenarios still find their profile."""
    statuses = run(updates=5, create_style=style)
    assert {s for check, s in statuses.items() if check != "create_read_back"} == {Status.PASSED}


def test_a_201_with_only_location_passes_the_create_scenario():
    record = run_records(updates=1, create_style="201-location")["create_read_back"]
    assert record.status is Status.PASSED, record.evidence


@pytest.mark.parametrize(("style", "said"), [("200-body", "answered 200"), ("201-body", "no Location")])
def test_a_create_other_than_201_with_location_is_only_an_assumption_finding(style, said):
    """201 + Location is our sandbox's convention, not the document's: it warns on a configured target
    (default policy) and fails under --strict (the embedded sandbox's default)."""
    record = run_records(updates=1, create_style=style)["create_read_back"]
    assert record.status is Status.FAILED and said in record.evidence
    assert record.basis is Basis.ASSUMPTION
    assert judged(record, VerdictPolicy()).status is Status.WARNED
    assert judged(record, VerdictPolicy(strict=True)).status is Status.FAILED


def test_a_create_that_gives_no_id_at_all_fails_on_the_catalogs_rule():
    def no_id(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path.endswith("/Profile"):
            return httpx.Response(201, json={"CustomerName": {}})
        return httpx.Response(404)

    client = httpx.Client(transport=httpx.MockTransport(no_id))
    records = {r.check: r for r in run_scenarios(TARGET, DOCUMENT, only=("create_read_back",), client=client)}
    record = records["create_read_back"]
    assert record.status is Status.FAILED and record.basis is Basis.CATALOG
    assert "no ProfileId in the body and no Location" in record.evidence


def test_a_location_that_names_another_profile_than_the_body_fails():
    store = Store()

    def lying_location(request: httpx.Request) -> httpx.Response:
        response = store.handle(request)
        if request.method == "POST" and request.url.path.endswith("/Profile"):
            response.headers["Location"] = "/Profiles/v4/ACME_CORP/Profile/999"
        return response

    client = httpx.Client(transport=httpx.MockTransport(lying_location))
    records = {r.check: r for r in run_scenarios(TARGET, DOCUMENT, only=("create_read_back",), client=client)}
    record = records["create_read_back"]
    assert record.status is Status.FAILED and record.basis is not Basis.ASSUMPTION
    assert "Location names 999" in record.evidence


ONLY_A_SEARCH = {"paths": {"/{clientId}/Profile/Name": {"get": {"operationId": "getProfilesByName"}}}}


def test_a_role_that_does_not_resolve_is_a_catalog_finding():
    client = httpx.Client(transport=httpx.MockTransport(Store().handle))
    records = {r.check: r for r in run_scenarios(TARGET, ONLY_A_SEARCH, client=client)}
    assert records["search_cap_honoured"].status is Status.PASSED
    record = records["create_read_back"]
    assert record.status is Status.FAILED and record.basis is Basis.CATALOG
    assert "unresolved role create-profile, read-profile" in record.evidence


def test_missing_roles_allowed_skip_the_scenario():
    client = httpx.Client(transport=httpx.MockTransport(Store().handle))
    records = {
        r.check: r for r in run_scenarios(TARGET, ONLY_A_SEARCH, client=client, allow_missing_roles=True)
    }
    assert records["create_read_back"].status is Status.SKIPPED
    assert records["create_read_back"].evidence == "unresolved role create-profile, read-profile"


def test_missing_fields_and_blank():
    assert missing_fields({"a": {"b": 1}, "c": [1]}, {"a": {"b": 1, "x": 2}, "c": [1, 2]}) == []
    assert missing_fields({"a": {"b": 1}}, {"a": {"b": 2}}) == ["a.b: want 1, got 2"]
    assert missing_fields({"a": [1, 2]}, {"a": [1]})[0].startswith("a: want 2 item(s)")
    assert all(is_blank(v) for v in (None, "", [], {})) and not is_blank("x")


def test_urls_are_built_from_the_spec_templates():
    api = ProfileApi(TARGET, DOCUMENT, httpx.Client())
    assert (
        api.url(Role.STANDARD_FIELDS_HISTORY, 7)
        == "http://api.test/Profiles/v4/ACME_CORP/Profile/7/History/StandardFields"
    )


def _history_gone(request: httpx.Request, store: Store) -> httpx.Response:
    if request.url.path.endswith("/History/StandardFields"):
        return httpx.Response(404)  # the route does not exist on this target
    return store.handle(request)


@pytest.mark.parametrize(
    ("confidence", "expected"),
    [
        ("guess", Basis.ASSUMPTION),
        ("medium", Basis.CATALOG),
        ("high", Basis.DOCUMENTED),
        (None, Basis.DOCUMENTED),
    ],
)
def test_a_404_from_a_scenarios_route_is_no_stronger_than_the_routes_confidence(confidence, expected):
    document = json.loads(json.dumps(DOCUMENT))
    history = document["paths"]["/{clientId}/Profile/{profileId}/History/StandardFields"]["get"]
    if confidence is not None:  # None: an operation of the vendor's own spec, which has no confidence
        history["x-route-confidence"] = confidence
    store = Store()
    client = httpx.Client(transport=httpx.MockTransport(lambda request: _history_gone(request, store)))
    record = {r.check: r for r in run_scenarios(TARGET, document, client=client, only=("history_recorded",))}[
        "history_recorded"
    ]
    assert record.status is Status.FAILED and "history answered HTTP 404" in record.evidence
    assert record.basis is expected


def test_a_history_that_exists_but_misses_the_change_stays_documented_on_a_guessed_route():
    document = json.loads(json.dumps(DOCUMENT))
    document["paths"]["/{clientId}/Profile/{profileId}/History/StandardFields"]["get"][
        "x-route-confidence"
    ] = "guess"
    store = Store("history")
    client = httpx.Client(transport=httpx.MockTransport(store.handle))
    record = {r.check: r for r in run_scenarios(TARGET, document, client=client, only=("history_recorded",))}[
        "history_recorded"
    ]
    assert record.status is Status.FAILED and record.basis is Basis.DOCUMENTED
