"""Profile rules: create, POST merge, PUT replace, JSON Patch, alternate-id upsert, search cap, activation,
archive, delete, history and events."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

BASE = "/Profiles/v4/ACME_CORP"
NEW = {
    "CustomerName": {"FirstName": "Ada", "LastName": "Lovelace"},
    "AlternateIds": [{"AlternateIdType": "CRM", "AlternateId": "CRM-ADA-1"}],
    "Emails": [{"EmailAddress": "ada@example.com", "EmailAddressType": "Personal"}],
    "PhoneNumbers": [{"PhoneNumber": "(678) 555-0199", "PhoneType": "Mobile"}],
    "ProfilePreferences": [{"FilterId": "NEWSLETTER", "PreferenceType": 1}],
    "CustomFields": [{"Name": "FavoriteColor", "Value": "Teal"}],
    "ProfileTags": ["Pioneer"],
}


def create(client: TestClient, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = client.post(f"{BASE}/Profile", json=body or NEW)
    assert response.status_code == 201, response.text
    return response.json()


def test_create_answers_201_with_location_and_server_fields(client: TestClient) -> None:
    response = client.post(f"{BASE}/Profile", json=NEW)
    assert response.status_code == 201
    created = response.json()
    assert created["ProfileId"] == 1301  # seeded ids end at 1300
    assert response.headers["Location"] == f"{BASE}/Profile/1301"
    assert created["PhoneNumbers"][0]["PhoneNumberNumeric"] == "6785550199"
    pref = created["ProfilePreferences"][0]
    assert (pref["ProgramId"], pref["ChannelId"], pref["MatchType"]) == (10, "Email", "Expressed")
    assert created["Edited"]["CreatedBy"] == "John.Doe"
    assert client.get(f"{BASE}/Profile/1301").json() == created


def test_post_update_merges_only_supplied_elements(client: TestClient) -> None:
    profile_id = create(client)["ProfileId"]
    response = client.post(
        f"{BASE}/Profile/{profile_id}",
        json={
            "CustomerName": {"MiddleName": "King"},
            "Emails": [{"EmailAddress": "ada@work.example.com", "EmailAddressType": "Work"}],
        },
    )
    assert response.status_code == 200
    stored = client.get(f"{BASE}/Profile/{profile_id}").json()
    assert stored["CustomerName"]["FirstName"] == "Ada"
    assert stored["CustomerName"]["MiddleName"] == "King"
    assert [e["EmailAddress"] for e in stored["Emails"]] == ["ada@example.com", "ada@work.example.com"]
    assert stored["ProfileTags"] == ["Pioneer"]


def test_put_replaces_and_blanks_omitted_collections(client: TestClient) -> None:
    profile_id = create(client)["ProfileId"]
    response = client.put(f"{BASE}/Profile/{profile_id}", json={"CustomerName": {"FirstName": "Augusta"}})
    assert response.status_code == 200
    stored = client.get(f"{BASE}/Profile/{profile_id}").json()
    assert stored["CustomerName"] == {"FirstName": "Augusta"}
    assert "Emails" not in stored and "ProfileTags" not in stored
    assert client.get(f"{BASE}/Profile/Email", params={"emailAddress": "ada@example.com"}).json() == []


def test_patch_add_replace_remove_test(client: TestClient) -> None:
    profile_id = create(client)["ProfileId"]
    ops = [
        {"op": "test", "path": "/CustomerName/LastName", "value": "Lovelace"},
        {"op": "replace", "path": "/CustomerName/FirstName", "value": "Augusta"},
        {"op": "add", "path": "/ProfileTags/-", "value": "Analyst"},
        {"op": "remove", "path": "/CustomFields/0"},
    ]
    response = client.patch(
        f"{BASE}/Profile/{profile_id}", json=ops, headers={"Content-Type": "application/json-patch+json"}
    )
    assert response.status_code == 200, response.text
    stored = client.get(f"{BASE}/Profile/{profile_id}").json()
    assert stored["CustomerName"]["FirstName"] == "Augusta"
    assert stored["ProfileTags"] == ["Pioneer", "Analyst"]
    assert stored.get("CustomFields") == []


def test_patch_failed_test_or_missing_path_is_409_and_changes_nothing(client: TestClient) -> None:
    profile_id = create(client)["ProfileId"]
    before = client.get(f"{BASE}/Profile/{profile_id}").json()
    for ops in (
        [
            {"op": "replace", "path": "/CustomerName/FirstName", "value": "X"},
            {"op": "test", "path": "/CustomerName/LastName", "value": "Babbage"},
        ],
        [{"op": "remove", "path": "/Nope"}],
    ):
        assert client.patch(f"{BASE}/Profile/{profile_id}", json=ops).status_code == 409
    assert client.get(f"{BASE}/Profile/{profile_id}").json() == before
    bad_op = [{"op": "move", "from": "/a", "path": "/b"}]
    assert client.patch(f"{BASE}/Profile/{profile_id}", json=bad_op).status_code == 400


def test_upsert_by_alternate_id_creates_then_updates_case_insensitively(client: TestClient) -> None:
    params = {"alternateIdType": "Loyaltyid", "alternateId": "L-77"}
    first = client.post(
        f"{BASE}/Profile/AlternateId", params=params, json={"CustomerName": {"LastName": "Hopper"}}
    )
    assert first.status_code == 200
    again = client.post(
        f"{BASE}/Profile/AlternateId",
        params={"alternateIdType": "LOYALTYID", "alternateId": "l-77"},
        json={"CustomerName": {"FirstName": "Grace"}},
    )
    assert again.json()["ProfileId"] == first.json()["ProfileId"]
    read = client.get(
        f"{BASE}/Profile/AlternateId", params={"alternateIdType": "loyaltyid", "alternateId": "L-77"}
    )
    assert read.json()["CustomerName"] == {"FirstName": "Grace", "LastName": "Hopper"}


def test_alternate_id_of_another_profile_is_409(client: TestClient) -> None:
    body = {"AlternateIds": [{"AlternateIdType": "CRM", "AlternateId": "crm-000123"}]}
    assert client.post(f"{BASE}/Profile", json=body).status_code == 409


def test_search_cap_more_than_50_is_403(client: TestClient) -> None:
    response = client.get(f"{BASE}/Profile/Name", params={"lastName": "smith"})
    assert response.status_code == 403
    assert "50" in response.json()["Message"]
    narrowed = client.get(f"{BASE}/Profile/Name", params={"lastName": "Roe", "firstName": "Jane"})
    assert [p["ProfileId"] for p in narrowed.json()] == [1001]


def test_searches_find_by_contact_and_partial_name(client: TestClient) -> None:
    assert [
        p["ProfileId"]
        for p in client.get(f"{BASE}/Profile/Phone", params={"phoneNumber": "(404) 555 0100"}).json()
    ] == [1001]
    assert [
        p["ProfileId"]
        for p in client.get(f"{BASE}/Profile/Email", params={"emailAddress": "JANE.ROE@example.com"}).json()
    ] == [1001]
    partial = client.get(f"{BASE}/Profile/PartialName", params={"lastName": "Ro", "firstName": "Ja"}).json()
    assert 1001 in [p["ProfileId"] for p in partial]
    group = client.get(
        f"{BASE}/Profile/Group/Name", params={"groupType": "Household", "groupName": "Roe Family"}
    )
    assert sorted(p["ProfileId"] for p in group.json()) == [1001, 1002]


def test_deactivated_profile_only_by_id(client: TestClient) -> None:
    assert client.post(f"{BASE}/Profile/1001/Deactivate", json={"Reason": "moved"}).status_code == 200
    assert client.get(f"{BASE}/Profile/Email", params={"emailAddress": "jane.roe@example.com"}).json() == []
    found = client.get(
        f"{BASE}/Profile/Email", params={"emailAddress": "jane.roe@example.com", "includeInactive": "true"}
    ).json()
    assert [p["ProfileId"] for p in found] == [1001]
    profile = client.get(f"{BASE}/Profile/1001").json()
    assert (profile["IsActive"], profile["ReasonCode"]) == (False, "moved")
    assert client.post(f"{BASE}/Profile/1001/Activate").status_code == 200
    assert "ReasonCode" not in client.get(f"{BASE}/Profile/1001").json()


def test_archive_removes_preferences_from_responses(client: TestClient) -> None:
    body = {
        "Emails": [
            {
                "EmailAddress": "jane.roe@example.com",
                "EmailPreferences": [{"FilterId": "NEWSLETTER", "PreferenceType": 1}],
            }
        ]
    }
    assert client.put(f"{BASE}/Profile/Preferences/1001/Archive", json=body).status_code == 204
    email = client.get(f"{BASE}/Profile/1001").json()["Emails"][0]
    assert [p["FilterId"] for p in email["EmailPreferences"]] == ["PROMO-EMAIL"]


def test_delete_is_permanent(client: TestClient) -> None:
    assert client.delete(f"{BASE}/Profile/1300").status_code == 204
    assert client.get(f"{BASE}/Profile/1300").status_code == 404
    assert client.delete(f"{BASE}/Profile/1300").status_code == 404


def test_history_keeps_every_family(client: TestClient) -> None:
    profile_id = create(client)["ProfileId"]
    client.post(
        f"{BASE}/Profile/{profile_id}",
        json={
            "CustomerName": {"LastName": "King"},
            "CustomFields": [{"Name": "FavoriteColor", "Value": "Red"}],
            "ProfilePreferences": [{"FilterId": "NEWSLETTER", "PreferenceType": 2}],
        },
    )
    client.post(
        f"{BASE}/Consents/{profile_id}",
        json={"Consents": [{"ConsentType": "TermsOfService", "ConsentVersion": "2.0", "ConsentStatus": 1}]},
    )
    standard = client.get(f"{BASE}/Profile/{profile_id}/History/StandardFields").json()
    assert [h["CustomerName"].get("LastName") for h in standard] == ["Lovelace", "King"]
    custom = client.get(f"{BASE}/Profile/{profile_id}/History/CustomFields").json()
    assert [h["CustomFields"][0]["Value"] for h in custom] == ["Teal", "Red"]
    prefs = client.get(
        f"{BASE}/Profile/{profile_id}/History/Preferences", params={"filterId": "NEWSLETTER"}
    ).json()
    assert [h["ProfilePreferences"][0]["PreferenceType"] for h in prefs] == [1, 2]
    consents = client.get(
        f"{BASE}/Profile/AlternateId/History/Consents",
        params={"alternateIdType": "CRM", "alternateId": "CRM-ADA-1"},
    ).json()
    assert consents[-1]["Consents"][0]["ConsentType"] == "TermsOfService"


def test_profile_writes_record_events(client: TestClient) -> None:
    profile_id = create(client)["ProfileId"]
    client.post(f"{BASE}/Profile/{profile_id}", json={"DefaultLocale": "fr-ca"})
    events = client.get(f"{BASE}/Events/Profile/{profile_id}").json()
    assert [e["EventType"] for e in events] == ["profile.created", "profile.updated"]
    one = client.get(f"{BASE}/Events/{events[0]['EventId']}").json()
    assert one == events[0]


def test_custom_field_update_rules(client: TestClient) -> None:
    # Nickname (text field 21) becomes "Never" (once set it cannot change);
    # Employer (22) becomes "If New Value Is Not Blank"
    for field_id, rule in ((21, 2), (22, 4)):
        ops = [{"op": "replace", "path": "/UpdateRuleId", "value": rule}]
        assert client.patch(f"{BASE}/CustomField/Text/{field_id}", json=ops).status_code == 200
    profile_id = create(
        client,
        {
            **NEW,
            "CustomFields": [
                {"Name": "Nickname", "Value": "Ada"},
                {"Name": "Employer", "Value": "Analytical"},
            ],
        },
    )["ProfileId"]
    client.post(
        f"{BASE}/Profile/{profile_id}",
        json={"CustomFields": [{"Name": "Nickname", "Value": "Countess"}, {"Name": "Employer", "Value": ""}]},
    )
    values = {
        f["Name"]: f["Value"] for f in client.get(f"{BASE}/Profile/{profile_id}").json()["CustomFields"]
    }
    assert values == {"Nickname": "Ada", "Employer": "Analytical"}
    client.post(
        f"{BASE}/Profile/{profile_id}", json={"CustomFields": [{"Name": "Employer", "Value": "Babbage & Co"}]}
    )
    values = {
        f["Name"]: f["Value"] for f in client.get(f"{BASE}/Profile/{profile_id}").json()["CustomFields"]
    }
    assert values["Employer"] == "Babbage & Co"
