"""Two Authorization headers are ambiguous credentials: the documented 401, never "the first wins"."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from mypref_harness import demo
from mypref_harness.auth.pnauth import sign_header

from ..helpers import AUTHENTICATED, ROOT, outcome

ACME = demo.ACME
PROGRAMS = "/Profiles/v4/ACME_CORP/Programs"
BASIC = (ACME.oauth_client_id or "", ACME.oauth_client_secret or "")


def pnauth() -> str:
    return sign_header(key=ACME.api_key, client_id=ACME.client_id, user_id=ACME.user_id)


def bearer(client: TestClient) -> str:
    response = client.post(
        "/oauth2/v1/token",
        data={"grant_type": "client_credentials", "scope": "ACME_CORP/John.Doe"},
        auth=BASIC,
    )
    assert response.status_code == 200, response.text
    return f"Bearer {response.json()['access_token']}"


def get_with(client: TestClient, *values: str) -> Any:
    return client.get(PROGRAMS, headers=[("Authorization", v) for v in values])


def assert_documented_401(response: Any) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["Message"].startswith("Unable to authenticate request.")
    assert "more than one Authorization header" in response.json()["Message"]
    assert f'PNAUTHINFO3 realm="{ROOT}"' in response.headers.get_list("www-authenticate")


@pytest.fixture
def client(make_auth_client: Callable[..., TestClient]) -> TestClient:
    return make_auth_client()


def test_one_valid_header_passes(client: TestClient) -> None:
    assert outcome(get_with(client, pnauth())) == AUTHENTICATED
    assert outcome(get_with(client, bearer(client))) == AUTHENTICATED


@pytest.mark.parametrize("order", ["valid-first", "valid-last"])
def test_valid_pnauth_next_to_garbage_is_a_401(client: TestClient, order: str) -> None:
    values = [pnauth(), "garbage"] if order == "valid-first" else ["garbage", pnauth()]
    assert_documented_401(get_with(client, *values))


def test_two_valid_pnauth_headers_are_a_401(client: TestClient) -> None:
    header = pnauth()
    assert_documented_401(get_with(client, header, header))


@pytest.mark.parametrize("order", ["valid-first", "valid-last"])
def test_valid_bearer_next_to_garbage_is_a_401_with_a_bearer_challenge(
    client: TestClient, order: str
) -> None:
    token = bearer(client)
    values = [token, "Bearer garbage"] if order == "valid-first" else ["Bearer garbage", token]
    response = get_with(client, *values)
    assert_documented_401(response)
    challenges = response.headers.get_list("www-authenticate")
    assert (
        challenges[0]
        == 'Bearer error="invalid_request", error_description="more than one Authorization header"'
    )


def test_the_token_endpoint_refuses_two_basic_headers(client: TestClient) -> None:
    good = "Basic " + base64.b64encode(f"{BASIC[0]}:{BASIC[1]}".encode()).decode()
    response = client.post(
        "/oauth2/v1/token",
        data={"grant_type": "client_credentials", "scope": "ACME_CORP/John.Doe"},
        headers=[("Authorization", good), ("Authorization", "Basic Z2FyYmFnZTpnYXJiYWdl")],
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"


def test_a_bearer_challenge_stays_within_rfc6750_characters() -> None:
    from mypref_harness.sandbox.api_auth import AuthFailure, unauthorized_response

    failure = AuthFailure("Unable to authenticate request.", bearer_description='bad "kid" \u2028 é \\ end')
    challenge = unauthorized_response(failure, ROOT).headers.getlist("www-authenticate")[0]
    assert challenge == 'Bearer error="invalid_token", error_description="bad \'kid\' ? ? ? end"'
