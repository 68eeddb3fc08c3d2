"""Authentication of API requests: PNAUTHINFO3 and Bearer, the documented 401s, unknown ClientId 404."""

from __future__ import annotations

import base64
import hmac
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from mypref_harness import demo
from mypref_harness.auth.pnauth import sign_header

from ..helpers import AUTHENTICATED, BASE, ROOT, get_token, outcome

SANCHEZ = demo.SANCHEZ
PROGRAMS = f"{BASE}/SanchezAssociates/Programs"
ACME_PROGRAMS = f"{BASE}/ACME_CORP/Programs"


def _utc(seconds_ago: float = 0) -> str:
    return (datetime.now(UTC) - timedelta(seconds=seconds_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _manual_header(
    user: str,
    stamp: str,
    key: str = SANCHEZ.api_key,
    client_id: str = SANCHEZ.client_id,
    scheme: str = "PNAUTHINFO3-HMAC-SHA256",
    digest: str = "sha256",
) -> str:
    """The documented keyed formula, written out here independently of the project's signer."""
    message = f"{client_id}:{user}:{stamp}".encode()
    signature = base64.b64encode(hmac.new(key.encode(), message, digest).digest()).decode()
    return f"{scheme} Credential={user}/{stamp} Signature={signature}"


def _assert_401(response: Any, phrase: str) -> None:
    assert response.status_code == 401, response.text
    assert phrase in response.json()["Message"]
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["pragma"] == "no-cache"
    assert response.headers["expires"] == "-1"
    assert f'PNAUTHINFO3 realm="{ROOT}"' in response.headers.get_list("www-authenticate")


# -- PNAUTHINFO3 ---------------------------------------------------------------------------------
def test_documented_example_header_is_accepted_at_its_documented_time(make_client: Any) -> None:
    # The docs' example: 2015-08-10T20:11:00 (Eastern, EDT in August = 00:11:00Z) and its signature.
    documented_now = datetime(2015, 8, 11, 0, 12, 0, tzinfo=UTC).timestamp()
    client = make_client(clock_offset=documented_now - time.time())
    header = (
        "PNAUTHINFO3-HMAC-SHA256 Credential=RickSanchez/2015-08-10T20:11:00 "
        "Signature=Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0="
    )
    assert outcome(client.get(PROGRAMS, headers={"Authorization": header})) == AUTHENTICATED
    # ...and 15 minutes later it has expired.
    later = make_client(clock_offset=documented_now + 900 - time.time())
    _assert_401(later.get(PROGRAMS, headers={"Authorization": header}), "too large")


def test_independently_signed_header_is_accepted(client: Any) -> None:
    response = client.get(PROGRAMS, headers={"Authorization": _manual_header("RickSanchez", _utc())})
    assert outcome(response) == AUTHENTICATED


@pytest.mark.parametrize(
    "scheme", ["PNAUTHINFO3-HMAC-SHA512", "PNAUTHINFO3-SHA256", "pnauthinfo3-hmac-sha384"]
)
def test_other_documented_schemes_are_accepted(client: Any, scheme: str) -> None:
    header = sign_header(
        key=SANCHEZ.api_key, client_id=SANCHEZ.client_id, user_id="RickSanchez", scheme=scheme
    )
    assert outcome(client.get(PROGRAMS, headers={"Authorization": header})) == AUTHENTICATED


def test_user_with_a_space_is_accepted_url_encoded(client: Any) -> None:
    header = sign_header(key=SANCHEZ.api_key, client_id=SANCHEZ.client_id, user_id="Morty Smith")
    assert "Morty" in header and " Smith" not in header
    assert outcome(client.get(PROGRAMS, headers={"Authorization": header})) == AUTHENTICATED


@pytest.mark.parametrize(
    ("header", "phrase"),
    [
        (None, "Missing Authorization Header"),
        (
            "PNAUTHINFO100-SHA256 Credential=RickSanchez/2015-08-10T20:11:00 Signature=AAAA",
            "The scheme is invalid",
        ),
        ("Basic dXNlcjpwYXNz", "The scheme is invalid"),
        (_manual_header("RickSanchez", "2015-13-45T20:11:00"), "does not match an expected ISO 8601 format"),
        (_manual_header("RickSanchez", "not-a-date"), "does not match an expected ISO 8601 format"),
        (
            "PNAUTHINFO3-HMAC-SHA256 Credential=RickSanchez/2015-08-10T20:11:00",
            "Unable to authenticate request",
        ),
        (_manual_header("RickSanchez", _utc(), key="wrong-key"), "Unable to authenticate request"),
        (_manual_header("Nobody", _utc()), "Unable to authenticate request"),
        (_manual_header("RickSanchez", _utc(), client_id="ACME_CORP"), "Unable to authenticate request"),
    ],
    ids=[
        "missing",
        "unknown-scheme",
        "basic",
        "not-iso",
        "garbage-date",
        "incomplete",
        "bad-signature",
        "unknown-user",
        "signed-for-other-client",
    ],
)
def test_documented_401_messages(client: Any, header: str | None, phrase: str) -> None:
    headers = {"Authorization": header} if header is not None else {}
    _assert_401(client.get(PROGRAMS, headers=headers), phrase)


def test_future_and_expired_timestamps(client: Any) -> None:
    future = _manual_header("RickSanchez", _utc(seconds_ago=-120))
    _assert_401(
        client.get(PROGRAMS, headers={"Authorization": future}), "does not match an expected ISO 8601"
    )
    expired = _manual_header("RickSanchez", _utc(seconds_ago=901))
    _assert_401(client.get(PROGRAMS, headers={"Authorization": expired}), "too large")
    recent = _manual_header("RickSanchez", _utc(seconds_ago=600))
    assert outcome(client.get(PROGRAMS, headers={"Authorization": recent})) == AUTHENTICATED


def test_pnauth_window_is_configurable(make_client: Any) -> None:
    short = make_client(pnauth_window=60)
    header = _manual_header("RickSanchez", _utc(seconds_ago=120))
    _assert_401(short.get(PROGRAMS, headers={"Authorization": header}), "too large")


def test_clock_offset_moves_the_servers_now(make_client: Any) -> None:
    ahead = make_client(clock_offset=3600)
    header = _manual_header("RickSanchez", _utc())
    _assert_401(ahead.get(PROGRAMS, headers={"Authorization": header}), "too large")
    date = ahead.get(PROGRAMS, headers={"Authorization": header}).headers["date"]
    from email.utils import parsedate_to_datetime

    assert abs(parsedate_to_datetime(date).timestamp() - (time.time() + 3600)) < 5


# -- unknown ClientId ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        f"{BASE}/Nobody/Programs",
        f"{BASE}/Async/Nobody/Import",
        f"{BASE}/",
        f"{BASE}",
        f"{BASE}/%FF/x",
    ],
)
def test_unknown_client_is_404_without_body_before_auth(client: Any, path: str) -> None:
    response = client.get(path)  # no Authorization header at all: the 404 comes first
    assert response.status_code == 404
    assert response.content == b""
    assert "content-type" not in response.headers


def test_clientid_in_another_case_fails_authentication(client: Any) -> None:
    # The docs: signed for SanchezAssociates but sent to /SANCHEZASSOCIATES/... -> authorization fails.
    header = _manual_header("RickSanchez", _utc())
    _assert_401(
        client.get(f"{BASE}/SANCHEZASSOCIATES/Programs", headers={"Authorization": header}),
        "Unable to authenticate request",
    )
    token = get_token(client)
    _bearer_401(client.get(f"{BASE}/acme_corp/Programs", headers={"Authorization": f"Bearer {token}"}))


def test_async_paths_take_the_client_from_the_second_segment(client: Any) -> None:
    response = client.get(f"{BASE}/Async/SanchezAssociates/Import")
    _assert_401(response, "Missing Authorization Header")


# -- Bearer ----------------------------------------------------------------------------------------
def _bearer_401(response: Any) -> str:
    assert response.status_code == 401, response.text
    challenges = response.headers.get_list("www-authenticate")
    assert challenges[0].startswith('Bearer error="invalid_token", error_description="')
    assert f'PNAUTHINFO3 realm="{ROOT}"' in challenges
    message: str = response.json()["Message"]
    assert message.startswith("Unable to authenticate request")
    return challenges[0]


def test_bearer_token_is_accepted_for_its_own_tenant(client: Any) -> None:
    token = get_token(client)
    response = client.get(ACME_PROGRAMS, headers={"Authorization": f"Bearer {token}"})
    assert outcome(response) == AUTHENTICATED
    lower = client.get(ACME_PROGRAMS, headers={"Authorization": f"bearer {token}"})
    assert outcome(lower) == AUTHENTICATED


def test_bearer_token_of_another_tenant_is_rejected(client: Any) -> None:
    token = get_token(client)
    assert "another ClientId" in _bearer_401(
        client.get(PROGRAMS, headers={"Authorization": f"Bearer {token}"})
    )


def test_expired_bearer_token_is_rejected(make_client: Any) -> None:
    issuing = make_client(token_lifetime=60)
    token = get_token(issuing)
    later = make_client(clock_offset=61)  # same signing key (state dir) and URL, clock past exp
    assert "expired" in _bearer_401(later.get(ACME_PROGRAMS, headers={"Authorization": f"Bearer {token}"}))


def test_not_yet_valid_bearer_token_is_rejected(make_client: Any) -> None:
    token = get_token(make_client(clock_offset=120))
    now = make_client()
    assert "not valid yet" in _bearer_401(
        now.get(ACME_PROGRAMS, headers={"Authorization": f"Bearer {token}"})
    )


def _tamper(token: str, **changes: Any) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims.update(changes)
    new_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{new_payload}.{signature}"


def test_tampered_unsigned_and_foreign_tokens_are_rejected(client: Any) -> None:
    token = get_token(client)
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(token)["kid"]
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    bad = {
        "tampered": _tamper(token, sub="ACME_CORP/Someone.Else"),
        "alg-none": jwt.encode(claims, None, algorithm="none"),
        "other-key": jwt.encode(claims, other_key, algorithm="RS256", headers={"kid": kid}),
        "hs256-with-public-jwk": jwt.encode(claims, "s" * 32, algorithm="HS256", headers={"kid": kid}),
        "wrong-audience": jwt.encode(
            {**claims, "aud": "https://pm.mypreferences.com/Profiles/v4"},
            other_key,
            algorithm="RS256",
            headers={"kid": kid},
        ),
        "garbage": "abc.def",
    }
    for name, value in bad.items():
        response = client.get(ACME_PROGRAMS, headers={"Authorization": f"Bearer {value}"})
        assert (name, response.status_code) == (name, 401)
        _bearer_401(response)


# -- body limit and misc -------------------------------------------------------------------------
def test_bodies_over_the_limit_get_413(client: Any) -> None:
    big = b"{" + b" " * (1024 * 1024) + b"}"
    declared = client.post(
        f"{BASE}/ACME_CORP/Profile", content=big, headers={"Content-Type": "application/json"}
    )
    assert declared.status_code == 413
    assert "too large" in declared.json()["Message"]

    def chunks() -> Any:  # no Content-Length: the limit is counted while streaming
        for _ in range(20):
            yield b" " * 65536

    streamed = client.post(f"{BASE}/ACME_CORP/Profile", content=chunks())
    assert streamed.status_code == 413
    assert "too large" in streamed.json()["Message"]


def test_health_and_jwks(client: Any) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    keys = client.get("/oauth2/v1/keys").json()["keys"]
    assert [k["kty"] for k in keys] == ["RSA"]
    assert "d" not in keys[0]  # public part only
    assert client.get("/nowhere").status_code == 404


def test_openapi_is_served_with_this_servers_url(client: Any) -> None:
    response = client.get("/openapi.json")
    if response.status_code == 404:
        pytest.skip("contracts/openapi/mypreferences-v4.yaml is not in the tree yet")
    assert response.json()["servers"][0]["url"] == f"{ROOT}{BASE}"
    assert client.get("/openapi.yaml").text.startswith("openapi:")


# -- verified-credential caches still enforce time -------------------------------------------------
def test_a_cached_pnauth_header_still_expires(make_client: Any) -> None:
    client = make_client()
    header = _manual_header("RickSanchez", _utc())
    assert outcome(client.get(PROGRAMS, headers={"Authorization": header})) == AUTHENTICATED
    assert outcome(client.get(PROGRAMS, headers={"Authorization": header})) == AUTHENTICATED  # cached
    client.app.state.sandbox.authenticator.clock.offset = 901  # the same header, 15 min later
    _assert_401(client.get(PROGRAMS, headers={"Authorization": header}), "too large")
    client.app.state.sandbox.authenticator.clock.offset = -60  # ... or seen from a clock behind it
    _assert_401(
        client.get(PROGRAMS, headers={"Authorization": header}), "does not match an expected ISO 8601"
    )


def test_a_cached_bearer_token_still_expires(make_client: Any) -> None:
    client = make_client(token_lifetime=60)
    headers = {"Authorization": f"Bearer {get_token(client)}"}
    assert outcome(client.get(ACME_PROGRAMS, headers=headers)) == AUTHENTICATED
    assert outcome(client.get(ACME_PROGRAMS, headers=headers)) == AUTHENTICATED  # cached
    client.app.state.sandbox.authenticator.clock.offset = 61
    assert "expired" in _bearer_401(client.get(ACME_PROGRAMS, headers=headers))


def test_a_cached_header_is_not_valid_for_another_client_spelling(client: Any) -> None:
    header = _manual_header("RickSanchez", _utc())
    assert outcome(client.get(PROGRAMS, headers={"Authorization": header})) == AUTHENTICATED
    wrong_case = client.get(f"{BASE}/sanchezassociates/Programs", headers={"Authorization": header})
    _assert_401(wrong_case, "Unable to authenticate request")
