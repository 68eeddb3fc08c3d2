"""Bad input never produces a 5xx: every case answers 4xx with {"Message": ...}."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

BASE = "/Profiles/v4/ACME_CORP"


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("POST", "/Profile", {"content": b"{not json", "headers": {"Content-Type": "application/json"}}, 400),
        (
            "POST",
            "/Profile",
            {"content": b'{"IsActive": NaN}', "headers": {"Content-Type": "application/json"}},
            400,
        ),
        (
            "POST",
            "/Profile",
            {"content": b"\xff\xfe{}", "headers": {"Content-Type": "application/json"}},
            400,
        ),
        ("POST", "/Profile", {"content": b"{}", "headers": {"Content-Type": "text/plain"}}, 415),
        ("POST", "/Profile", {"content": b"", "headers": {"Content-Type": "application/json"}}, 400),
        (
            "POST",
            "/Profile",
            {"content": b"[" * 100_000 + b"]" * 100_000, "headers": {"Content-Type": "application/json"}},
            400,
        ),
        ("POST", "/Profile", {"json": {"CustomerName": {"FirstName": 5}}}, 400),
        # read-only properties must not be sent (Schemathesis treats them as invalid too)
        (
            "POST",
            "/Profile",
            {"json": {"PhoneNumbers": [{"PhoneNumber": "1", "PhoneNumberNumeric": "1"}]}},
            400,
        ),
        ("GET", "/Profile/abc", {}, 400),
        ("GET", "/Profile/0", {}, 400),  # minimum 1
        ("GET", "/Profile/99999999999999999999999", {}, 400),
        ("GET", "/Profile/%ff%fe", {}, 400),
        ("GET", "/Profile/1001?implied=maybe", {}, 400),
        ("GET", "/No/Such/Thing", {}, 404),
        ("GET", "/Profile/1001/%2e%2e/%00", {}, 404),
        ("GET", "/Profile/AlternateId", {}, 400),  # required query parameters missing
        ("GET", "/Webhooks/Subscriptions?subscriptionId=x", {}, 400),
        (
            "POST",
            "/Webhooks/Subscriptions",
            {"json": {"Name": "n", "Url": "http://insecure.example.com"}},
            400,
        ),
    ],
)
def test_bad_input_is_a_4xx_with_message(
    client: TestClient, method: str, path: str, kwargs: dict, status: int
) -> None:
    response = client.request(method, BASE + path, **kwargs)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"Message"}


def test_wrong_method_is_405_with_exact_allow(client: TestClient) -> None:
    response = client.request("DELETE", f"{BASE}/Profile/AlternateId")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, PATCH, POST, PUT"
    response = client.request("PUT", f"{BASE}/Programs/IncludeMatching")
    assert (response.status_code, response.headers["Allow"]) == (405, "GET")


def test_literal_segment_wins_over_template(client: TestClient) -> None:
    assert client.get(f"{BASE}/Programs/IncludeAll").json()["Programs"]
    assert client.get(f"{BASE}/Programs/10").json()["Programs"][0]["ProgramId"] == 10


def test_locale_filters_and_404s(client: TestClient) -> None:
    types = client.get(f"{BASE}/EmailTypes", params={"locale": "FR-CA"}).json()["EmailTypes"]
    assert {f["Locale"] for t in types for f in t["LocalizedFields"]} == {"fr-ca"}
    assert client.get(f"{BASE}/EmailTypes", params={"locale": "de-de"}).status_code == 404
    assert client.get(f"{BASE}/EmailTypes", params={"Id": 99}).status_code == 404
