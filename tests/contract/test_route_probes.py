"""The harness's own requests that decide undecided routes: a bare GET, a search for a profile it made."""

from __future__ import annotations

from types import SimpleNamespace

import httpx

from mypref_harness.contract.route_probes import (
    bare_get_probes,
    search_probes,
    send_bare_gets,
    send_known_searches,
)
from mypref_harness.contract.route_verdicts import RouteState
from mypref_harness.contract.routes import route_table

from .test_routes import evidence, states


class _FakeClient:
    def __init__(self, answers: dict[str, tuple[int, bytes]]) -> None:
        self.answers, self.urls = answers, []

    def get(self, url: str):
        self.urls.append(url)
        status, body = self.answers.get(url, (404, b""))
        return SimpleNamespace(status_code=status, content=body)


def test_an_undecided_get_naming_no_resource_is_decided_by_one_bare_get():
    spec = {
        "paths": {
            "/{clientId}/Programs/IncludeAll": {
                "get": {
                    "operationId": "includeAll",
                    "x-route-confidence": "high",
                    "parameters": [
                        {"name": "clientId", "in": "path", "required": True},
                        {"name": "locale", "in": "query", "required": False},
                    ],
                }
            },
            "/{clientId}/Profile/{profileId}": {
                "get": {"operationId": "getProfile", "parameters": [{"name": "profileId", "in": "path"}]}
            },
            "/{clientId}/Profile/Email": {
                "get": {
                    "operationId": "byEmail",
                    "parameters": [{"name": "email", "in": "query", "required": True}],
                }
            },
        }
    }
    schemathesis_answers = {
        "GET /{clientId}/Programs/IncludeAll": evidence(
            (404, None)
        ),  # with ?locale=xx: may be an unknown locale
        "GET /{clientId}/Profile/{profileId}": evidence((404, None)),
        "GET /{clientId}/Profile/Email": evidence((404, None)),
    }
    rows = route_table(spec, schemathesis_answers)
    probes = bare_get_probes(spec, rows)
    assert [p.operation_id for p in probes] == ["includeAll"]  # ids or required criteria decide nothing
    client = _FakeClient({})
    extra = send_bare_gets(probes, client, "http://127.0.0.1:9/Profiles/v4/", "ACME CORP")
    assert client.urls == ["http://127.0.0.1:9/Profiles/v4/ACME%20CORP/Programs/IncludeAll"]
    assert states(route_table(spec, schemathesis_answers, extra))["includeAll"] is RouteState.NOT_FOUND
    served = send_bare_gets(
        probes, _FakeClient({client.urls[0]: (200, b"[]")}), "http://127.0.0.1:9/Profiles/v4", "ACME CORP"
    )
    assert states(route_table(spec, schemathesis_answers, served))["includeAll"] is RouteState.CONFIRMED


class _SearchClient:
    """Answers like a target without the email search route but with create, name search and delete."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, object]] = []

    def post(self, url, json=None):
        self.calls.append(("POST", url, json))
        return httpx.Response(201, json={"ProfileId": 4711}, request=httpx.Request("POST", url))

    def get(self, url, params=None):
        self.calls.append(("GET", url, params))
        status = 404 if url.endswith("/Email") else 200
        return httpx.Response(status, request=httpx.Request("GET", url))

    def delete(self, url):
        self.calls.append(("DELETE", url, None))
        return httpx.Response(204, request=httpx.Request("DELETE", url))


def test_searches_are_decided_by_a_profile_created_for_the_purpose():
    def search(name):
        return {
            "get": {
                "operationId": f"by{name}",
                "parameters": [{"name": name, "in": "query", "required": True}],
            }
        }

    spec = {
        "paths": {
            "/{clientId}/Profile": {"post": {"operationId": "createProfile", "requestBody": {}}},
            "/{clientId}/Profile/{profileId}": {"delete": {"operationId": "deleteProfile"}},
            "/{clientId}/Profile/Email": search("emailAddress"),
            "/{clientId}/Profile/Name": search("lastName"),
            "/{clientId}/Profile/Phone": search("phoneNumber"),  # nothing known to fill it with
        }
    }
    undecided = {f"GET /{{clientId}}/Profile/{n}": evidence((404, None)) for n in ("Email", "Name", "Phone")}
    rows = route_table(spec, undecided)
    probes = search_probes(spec, rows)
    assert [p.operation_id for p in probes] == ["byemailAddress", "bylastName"]
    client = _SearchClient()
    extra = send_known_searches(probes, client, "http://127.0.0.1:9/Profiles/v4", "ACME", spec)
    decided = states(route_table(spec, undecided, extra))
    assert decided["byemailAddress"] is RouteState.NOT_FOUND
    assert decided["bylastName"] is RouteState.CONFIRMED
    assert decided["byphoneNumber"] is RouteState.UNDECIDED
    created = client.calls[0][2]
    email_search = next(c for c in client.calls if c[1].endswith("/Email"))
    assert email_search[2] == {"emailAddress": created["Emails"][0]["EmailAddress"]}
    assert client.calls[-1] == ("DELETE", "http://127.0.0.1:9/Profiles/v4/ACME/Profile/4711", None)


def test_a_profile_read_is_decided_with_the_profile_created_for_the_purpose():
    spec = {
        "paths": {
            "/{clientId}/Profile": {"post": {"operationId": "createProfile", "requestBody": {}}},
            "/{clientId}/Profile/{profileId}": {"delete": {"operationId": "deleteProfile"}},
            "/{clientId}/Profile/{profileId}/History/Consents": {
                "get": {"operationId": "consentsHistory", "parameters": [{"name": "profileId", "in": "path"}]}
            },
        }
    }
    label = "GET /{clientId}/Profile/{profileId}/History/Consents"
    undecided = {label: evidence((404, None))}  # random ids: decides nothing
    probes = search_probes(spec, route_table(spec, undecided))
    assert [p.operation_id for p in probes] == ["consentsHistory"]
    client = _SearchClient()  # answers 200 to every GET not ending in /Email
    served = send_known_searches(probes, client, "http://127.0.0.1:9/Profiles/v4", "ACME", spec)
    assert ("GET", "http://127.0.0.1:9/Profiles/v4/ACME/Profile/4711/History/Consents", {}) in client.calls
    assert states(route_table(spec, undecided, served))["consentsHistory"] is RouteState.CONFIRMED


def test_a_vendor_spec_creates_and_deletes_by_role_with_its_own_client_id_spelling():
    spec = {
        "paths": {
            "/{ClientId}/Profiles": {"post": {"operationId": "Profiles_Post", "requestBody": {}}},
            "/{ClientId}/Profile/{Id}": {"delete": {"operationId": "Profile_Delete"}},
            "/{ClientId}/Profile/Name": {
                "get": {
                    "operationId": "Profile_GetByName",
                    "parameters": [{"name": "lastName", "in": "query", "required": True}],
                }
            },
        }
    }
    undecided = {"GET /{ClientId}/Profile/Name": evidence((404, None))}
    probes = search_probes(spec, route_table(spec, undecided))
    client = _SearchClient()
    base = "http://127.0.0.1:9/Profiles/v4"
    # no create-profile role (neither its shape nor its name): nothing is sent
    assert send_known_searches(probes, client, base, "ACME", spec) == {}
    assert client.calls == []
    table = {"create-profile": "Profiles_Post"}
    served = send_known_searches(probes, client, base, "ACME", spec, table=table)
    assert client.calls[0][:2] == ("POST", f"{base}/ACME/Profiles")
    assert ("DELETE", f"{base}/ACME/Profile/4711", None) in client.calls
    assert states(route_table(spec, undecided, served))["Profile_GetByName"] is RouteState.CONFIRMED
