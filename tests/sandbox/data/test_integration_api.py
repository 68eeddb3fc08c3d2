"""Bulk import/export lifecycles and webhook subscriptions."""

from __future__ import annotations

from starlette.testclient import TestClient

BASE = "/Profiles/v4/ACME_CORP"
ASYNC = "/Profiles/v4/Async/ACME_CORP"


def test_import_lifecycle_by_status_polls(client: TestClient) -> None:
    job = client.post(
        f"{ASYNC}/Import",
        json={"Name": "t", "ImportAction": "Add", "MatchCriteria": "AlternateIdType", "MatchValue": "CRM"},
    ).json()
    token = job["AccessToken"]
    assert (token, job["Status"]) == (90002, "Initiated")  # 90001 is seeded
    records = [
        {
            "AlternateIds": [{"AlternateIdType": "CRM", "AlternateId": "CRM-IMP-1"}],
            "CustomerName": {"FirstName": "Imp", "LastName": "Orted"},
        },
        {"CustomerName": {"FirstName": "No", "LastName": "Crm"}},
    ]
    staged = client.post(f"{ASYNC}/Import/{token}/Stage", json={"UserProfilePreferences": records}).json()
    assert (staged["Status"], staged["ValidationSuccessful"], staged["ValidationFailed"]) == ("Staging", 1, 1)
    assert client.post(f"{ASYNC}/Import/{token}/Execute").json()["Status"] == "Queued"
    assert (
        client.post(f"{ASYNC}/Import/{token}/Stage", json={"UserProfilePreferences": records}).status_code
        == 409
    )
    assert client.get(f"{ASYNC}/Import/{token}/Status").json()["Status"] == "Processing"
    done = client.get(f"{ASYNC}/Import/{token}/Status").json()
    assert (done["Status"], done["Processed"], done["Pending"]) == ("Completed", 1, 0)
    found = client.get(
        f"{BASE}/Profile/AlternateId", params={"alternateIdType": "CRM", "alternateId": "crm-imp-1"}
    )
    assert found.json()["CustomerName"]["LastName"] == "Orted"
    exceptions = client.get(f"{ASYNC}/Import/{token}/Exceptions").json()
    assert exceptions["TotalResults"] == 1
    assert exceptions["UserProfilePreferences"][0]["SequenceNumber"] == 2


def test_export_lifecycle_pages_and_expiry(client: TestClient) -> None:
    token = client.post(
        f"{ASYNC}/Export/Segment/AllActive",
        json={"MatchCriteria": "ProfileId", "Values": ["1001", "1002", "1003"]},
    ).json()["AccessToken"]
    assert client.get(f"{ASYNC}/Export/{token}", params={"limit": 2}).status_code == 409  # not ready yet
    assert client.get(f"{ASYNC}/Export/{token}/Status").json()["Status"] == "Processing"
    status = client.get(f"{ASYNC}/Export/{token}/Status").json()
    assert (status["Status"], status["RowCount"]) == ("Complete", 3)
    first = client.get(f"{ASYNC}/Export/{token}", params={"limit": 2}).json()
    assert (first["Count"], first["HasMore"], first["TotalResults"]) == (2, True, 3)
    last = client.get(f"{ASYNC}/Export/{token}", params={"limit": 2, "offset": 3}).json()
    assert [p["ProfileId"] for p in last["UserProfilePreferences"]] == [1003]
    assert client.get(f"{ASYNC}/Export/{token}/Status").json()["Status"] == "Retrieved"
    assert client.get(f"{ASYNC}/Export/{token}").status_code == 404
    assert client.post(f"{ASYNC}/Export/Segment/NoSuchSegment", json={}).status_code == 404


def test_webhook_subscription_rules(client: TestClient) -> None:
    body = {
        "Name": "mine",
        "Url": "https://hooks.example.com/x",
        "Subscriptions": [{"Entity": "Profile", "EventType": "profile.deleted"}],
    }
    created = client.post(f"{BASE}/Webhooks/Subscriptions", json=body)
    assert created.status_code == 200
    sub = created.json()
    assert (sub["Id"], sub["State"], sub["IsActive"]) == (502, "Paused", True)
    assert client.post(f"{BASE}/Webhooks/Subscriptions", json=body).status_code == 409  # same URL + event
    other_event = {**body, "Subscriptions": [{"Entity": "Profile", "EventType": "profile.created"}]}
    assert client.post(f"{BASE}/Webhooks/Subscriptions", json=other_event).status_code == 200
    plain_http = {**body, "Url": "http://hooks.example.com/x"}
    assert client.post(f"{BASE}/Webhooks/Subscriptions", json=plain_http).status_code == 400
    replaced = client.put(
        f"{BASE}/Webhooks/Subscriptions/502", json={"Name": "renamed", "Url": body["Url"], "State": "Active"}
    ).json()
    assert (replaced["Name"], replaced["Subscriptions"]) == ("renamed", [])  # full replace
    assert (
        client.put(f"{BASE}/Webhooks/Subscriptions/502", json={**body, "IsActive": False}).status_code == 200
    )
    assert client.get(f"{BASE}/Webhooks/Subscriptions", params={"subscriptionId": 502}).status_code == 404


def test_events_by_subscription_follow_its_event_types(client: TestClient) -> None:
    client.post(f"{BASE}/Profile/1004", json={"DefaultLocale": "fr-ca"})
    events = client.get(f"{BASE}/Events/Subscription/501").json()  # seeded: profile.updated/created
    assert events and {e["EventType"] for e in events} <= {"profile.updated", "profile.created"}
    assert all(e["SubscriptionId"] == "501" for e in events)
    assert (
        client.get(
            f"{BASE}/Events", params={"startAt": "2030-01-01T00:00:00Z", "endAt": "2029-01-01T00:00:00Z"}
        ).json()
        == []
    )
