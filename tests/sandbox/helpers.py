"""Constants and helpers shared by the sandbox tests (tests.sandbox and its auth and process packages)."""

from __future__ import annotations

from typing import Any

from mypref_harness import demo

ROOT = "http://127.0.0.1:8000"
BASE = "/Profiles/v4"
AUTHENTICATED = 501  # in-process apps without lifespan have no data layer: 501 = "auth passed"
ACME_BASIC = (demo.ACME.oauth_client_id or "", demo.ACME.oauth_client_secret or "")


def get_token(client: Any, scope: str = "ACME_CORP/John.Doe") -> str:
    response = client.post(
        "/oauth2/v1/token", data={"grant_type": "client_credentials", "scope": scope}, auth=ACME_BASIC
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token
