"""Read-back scenarios against an in-memory profile store that can be told to misbehave."""

from __future__ import annotations

import itertools
import json

import httpx
import pytest

from mypref_harness.config import Target
from mypref_harness.contract.results import Status
from mypref_harness.contract.scenarios import ProfileApi, is_blank, missing_fields, run_scenarios

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


class Store:
    def __init__(self, bug: str | None = None) -> None:
        self.bug, self.profiles, self.history, self.ids = bug, {}, {}, itertools.count(1)
        self.updates = 0

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
            return httpx.Response(
                200 if self.bug == "status" else 201,
                json=self.profiles[pid],
                headers={"Location": f"/Profile/{pid}"},
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


def run(bug: str | None = None, updates: int = 40) -> dict[str, Status]:
    store = Store(bug)
    client = httpx.Client(transport=httpx.MockTransport(store.handle))
    records = run_scenarios(TARGET, DOCUMENT, updates=updates, client=client)
    assert store.profiles == {}  # everything created was deleted
    return {r.check: r.status for r in records}


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


def test_missing_operations_skip_the_scenario():
    document = {"paths": {"/{clientId}/Profile/Name": {"get": {"operationId": "getProfilesByName"}}}}
    client = httpx.Client(transport=httpx.MockTransport(Store().handle))
    records = {r.check: r for r in run_scenarios(TARGET, document, client=client)}
    assert records["search_cap_honoured"].status is Status.PASSED
    assert records["create_read_back"].status is Status.SKIPPED
    assert "createProfile" in records["create_read_back"].evidence


def test_missing_fields_and_blank():
    assert missing_fields({"a": {"b": 1}, "c": [1]}, {"a": {"b": 1, "x": 2}, "c": [1, 2]}) == []
    assert missing_fields({"a": {"b": 1}}, {"a": {"b": 2}}) == ["a.b: want 1, got 2"]
    assert missing_fields({"a": [1, 2]}, {"a": [1]})[0].startswith("a: want 2 item(s)")
    assert all(is_blank(v) for v in (None, "", [], {})) and not is_blank("x")


def test_urls_are_built_from_the_spec_templates():
    api = ProfileApi(TARGET, DOCUMENT, httpx.Client())
    assert (
        api.url("getStandardFieldsHistory", 7)
        == "http://api.test/Profiles/v4/ACME_CORP/Profile/7/History/StandardFields"
    )
