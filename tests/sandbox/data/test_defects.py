"""Each seeded data defect is observable the way the contract and load suites look for it."""

from __future__ import annotations

from starlette.testclient import TestClient

from mypref_harness.sandbox.operations import profiles
from mypref_harness.sandbox.store import Store

from .helpers import client_for

BASE = "/Profiles/v4/ACME_CORP"


def test_clean_sandbox_has_none_of_them(client: TestClient) -> None:
    assert "InternalScore" not in client.get(f"{BASE}/Profile/1001").json()
    assert client.post(f"{BASE}/Profile", json={"CustomerName": {"LastName": "Ωmega"}}).status_code == 201


def test_undeclared_field(store: Store) -> None:
    body = client_for(store, frozenset({"undeclared-field"})).get(f"{BASE}/Profile/1001").json()
    assert body["InternalScore"] == 0.42


def test_wrong_status_create(store: Store) -> None:
    assert (
        client_for(store, frozenset({"wrong-status-create"})).post(f"{BASE}/Profile", json={}).status_code
        == 200
    )


def test_unicode_500(store: Store) -> None:
    client = client_for(store, frozenset({"unicode-500"}))
    assert client.post(f"{BASE}/Profile", json={"CustomerName": {"LastName": "Müller"}}).status_code == 201
    response = client.post(f"{BASE}/Profile", json={"CustomerName": {"LastName": "Ωmega"}})
    assert response.status_code == 500
    assert response.json() == {"Message": "An error has occurred."}


def test_update_drops_field(store: Store) -> None:
    client = client_for(store, frozenset({"update-drops-field"}))
    client.post(f"{BASE}/Profile/1002", json={"CustomerName": {"FirstName": "Johnny", "MiddleName": "B"}})
    name = client.get(f"{BASE}/Profile/1002").json()["CustomerName"]
    assert name["FirstName"] == "Johnny"
    assert name["MiddleName"] is None  # the supplied "B" was silently dropped


def test_history_not_recorded(store: Store) -> None:
    client = client_for(store, frozenset({"history-not-recorded"}))
    before = len(client.get(f"{BASE}/Profile/1002/History/StandardFields").json())
    client.post(f"{BASE}/Profile/1002", json={"DefaultLocale": "fr-ca"})
    assert len(client.get(f"{BASE}/Profile/1002/History/StandardFields").json()) == before
    custom = client.post(f"{BASE}/Profile/1002", json={"CustomFields": [{"Name": "Nickname", "Value": "J"}]})
    assert custom.status_code == 200  # the other families are still recorded
    assert (
        client.get(f"{BASE}/Profile/1002/History/CustomFields").json()[-1]["CustomFields"][0]["Value"] == "J"
    )


def test_search_cap_ignored(store: Store) -> None:
    response = client_for(store, frozenset({"search-cap-ignored"})).get(
        f"{BASE}/Profile/Name", params={"lastName": "Smith"}
    )
    assert response.status_code == 200
    assert len(response.json()) > 50


def test_put_as_post(store: Store) -> None:
    client = client_for(store, frozenset({"put-as-post"}))
    client.put(f"{BASE}/Profile/1002", json={"CustomerName": {"FirstName": "Only"}})
    stored = client.get(f"{BASE}/Profile/1002").json()
    assert stored["CustomerName"]["LastName"] == "Roe"  # merged, not replaced
    assert stored["Emails"]


def test_lost_update_drops_every_20th_acknowledged_update(store: Store) -> None:
    client = client_for(store, frozenset({"lost-update"}))
    profiles._update_counter = __import__("itertools").count(1)
    lost = []
    for n in range(40):
        response = client.post(
            f"{BASE}/Profile/1003", json={"CustomFields": [{"Name": "Visits", "Value": str(n)}]}
        )
        assert response.status_code == 200
        assert {"Name": "Visits", "Value": str(n)} in response.json()["CustomFields"]
        stored = client.get(f"{BASE}/Profile/1003").json()["CustomFields"]
        if {"Name": "Visits", "Value": str(n)} not in stored:
            lost.append(n)
    assert lost == [19, 39]
