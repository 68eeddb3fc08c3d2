"""The OAuth token endpoint and JWKS of the sandbox (client credentials, RFC 6749 / 7523 / 7517)."""

from __future__ import annotations

import base64
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt import PyJWKSet

from mypref_harness import demo

from ..helpers import ACME_BASIC, ROOT

TOKEN = "/oauth2/v1/token"
FORM = {"grant_type": "client_credentials", "scope": "ACME_CORP/John.Doe"}


def _error(response: Any) -> str:
    return str(response.json()["error"])


def test_basic_credentials_issue_a_verifiable_rs256_token(client: Any) -> None:
    before = int(time.time())
    response = client.post(TOKEN, data=FORM, auth=ACME_BASIC)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == "ACME_CORP/John.Doe"
    assert set(body) == {"access_token", "expires_in", "token_type", "scope"}

    jwks = client.get("/oauth2/v1/keys").json()
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256"
    key = PyJWKSet.from_dict(jwks)[header["kid"]]
    claims = jwt.decode(
        body["access_token"],
        key.key,
        algorithms=["RS256"],
        audience=f"{ROOT}/Profiles/v4",
        issuer=f"{ROOT}/oauth2/v1",
    )
    assert claims["sub"] == "ACME_CORP/John.Doe"
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["nbf"] <= claims["iat"] + 1
    assert before - 1 <= claims["iat"] <= int(time.time()) + 1
    assert len(claims["jti"]) >= 16


def test_credentials_in_the_body_work_and_each_token_is_unique(client: Any) -> None:
    form = {**FORM, "client_id": ACME_BASIC[0], "client_secret": ACME_BASIC[1]}
    first = client.post(TOKEN, data=form)
    second = client.post(TOKEN, data=form)
    assert first.status_code == second.status_code == 200
    claims = [
        jwt.decode(r.json()["access_token"], options={"verify_signature": False}) for r in (first, second)
    ]
    assert claims[0]["jti"] != claims[1]["jti"]


def test_basic_credentials_are_form_urldecoded(client: Any) -> None:
    # RFC 6749 §2.3.1: id and secret are form-urlencoded before Base64; demo values encode to themselves,
    # so build the header by hand with a percent-encoded character to prove decoding happens.
    encoded_id = ACME_BASIC[0].replace("0", "%30", 1)
    raw = base64.b64encode(f"{encoded_id}:{ACME_BASIC[1]}".encode()).decode()
    response = client.post(TOKEN, data=FORM, headers={"Authorization": f"Basic {raw}"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("auth", "extra"),
    [
        ((ACME_BASIC[0], "x" * 64), {}),
        (("nobody-0000000000000000000000000000000000000000", ACME_BASIC[1]), {}),
        (None, {}),
        (None, {"client_id": ACME_BASIC[0], "client_secret": ACME_BASIC[1][:-1]}),
    ],
    ids=["wrong-secret", "unknown-client", "no-credentials", "wrong-secret-in-body"],
)
def test_bad_client_credentials_are_invalid_client_401(client: Any, auth: Any, extra: dict[str, str]) -> None:
    response = client.post(TOKEN, data={**FORM, **extra}, auth=auth)
    assert response.status_code == 401
    assert _error(response) == "invalid_client"
    assert response.headers["www-authenticate"].startswith("Basic realm=")


@pytest.mark.parametrize(
    "scope",
    [None, "", "ACME_CORP", "SanchezAssociates/RickSanchez", "ACME_CORP/Nobody", "acme_corp/John.Doe"],
    ids=["missing", "empty", "no-user", "foreign-tenant", "unknown-user", "wrong-case"],
)
def test_bad_scopes_are_invalid_scope(client: Any, scope: str | None) -> None:
    form = {"grant_type": "client_credentials"}
    if scope is not None:
        form["scope"] = scope
    response = client.post(TOKEN, data=form, auth=ACME_BASIC)
    assert response.status_code == 400
    assert _error(response) == "invalid_scope"


def test_grant_type_is_checked(client: Any) -> None:
    wrong = client.post(TOKEN, data={**FORM, "grant_type": "password"}, auth=ACME_BASIC)
    assert (wrong.status_code, _error(wrong)) == (400, "unsupported_grant_type")
    missing = client.post(TOKEN, data={"scope": FORM["scope"]}, auth=ACME_BASIC)
    assert (missing.status_code, _error(missing)) == (400, "invalid_request")


def test_malformed_requests_are_invalid_request(client: Any) -> None:
    as_json = client.post(TOKEN, json=FORM, auth=ACME_BASIC)
    assert (as_json.status_code, _error(as_json)) == (400, "invalid_request")
    repeated = client.post(
        TOKEN,
        content=b"grant_type=client_credentials&scope=ACME_CORP%2FJohn.Doe&scope=ACME_CORP%2FJohn.Doe",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        auth=ACME_BASIC,
    )
    assert (repeated.status_code, _error(repeated)) == (400, "invalid_request")
    two_methods = client.post(
        TOKEN, data={**FORM, "client_id": ACME_BASIC[0], "client_secret": ACME_BASIC[1]}, auth=ACME_BASIC
    )
    assert (two_methods.status_code, _error(two_methods)) == (400, "invalid_request")
    bad_utf8 = client.post(
        TOKEN, content=b"grant_type=\xff\xfe", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert (bad_utf8.status_code, _error(bad_utf8)) == (400, "invalid_request")


def test_token_endpoint_only_accepts_post(client: Any) -> None:
    response = client.get(TOKEN)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


def test_token_lifetime_is_configurable(make_client: Any) -> None:
    response = make_client(token_lifetime=300).post(TOKEN, data=FORM, auth=ACME_BASIC)
    assert response.json()["expires_in"] == 300
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 300


def test_token_outage_window_answers_503(make_client: Any) -> None:
    during = make_client(token_outage=(0.0, 3600.0), started_at=time.time())
    response = during.post(TOKEN, data=FORM, auth=ACME_BASIC)
    assert response.status_code == 503
    assert response.json()["error"] == "temporarily_unavailable"
    after = make_client(token_outage=(0.0, 1.0), started_at=time.time() - 10)
    assert after.post(TOKEN, data=FORM, auth=ACME_BASIC).status_code == 200


# -- certificate (RFC 7523 private_key_jwt) ------------------------------------------------------
def _cert_files(state_dir: Path) -> tuple[Any, str]:
    key = serialization.load_pem_private_key((state_dir / "demo-oauth-client-key.pem").read_bytes(), None)
    cert = x509.load_pem_x509_certificate((state_dir / "demo-oauth-client-cert.pem").read_bytes())
    import hashlib

    der = cert.public_bytes(serialization.Encoding.DER)
    x5t = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()  # noqa: S324
    return key, x5t


def _assertion(key: Any, x5t: str, **overrides: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": demo.ACME_CERT_OAUTH_CLIENT_ID,
        "sub": demo.ACME_CERT_OAUTH_CLIENT_ID,
        "aud": f"{ROOT}/oauth2/v1/token",
        "iat": now,
        "exp": now + 60,
        "jti": uuid.uuid4().hex,
        **overrides,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"x5t": x5t})


def _assertion_form(assertion: str) -> dict[str, str]:
    return {
        **FORM,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
    }


def test_certificate_client_gets_a_token_with_a_signed_assertion(client: Any, state_dir: Path) -> None:
    key, x5t = _cert_files(state_dir)
    response = client.post(TOKEN, data=_assertion_form(_assertion(key, x5t)))
    assert response.status_code == 200, response.text
    claims = jwt.decode(response.json()["access_token"], options={"verify_signature": False})
    assert claims["sub"] == "ACME_CORP/John.Doe"


def test_certificate_assertion_failures_are_invalid_client(client: Any, state_dir: Path) -> None:
    key, x5t = _cert_files(state_dir)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    replayed = _assertion(key, x5t)
    assert client.post(TOKEN, data=_assertion_form(replayed)).status_code == 200
    cases = {
        "other-key": _assertion(other_key, x5t),
        # another thumbprint: x5t[:-2] + "AA" was the same one when x5t ended in "AA" (1 in 1,024 runs)
        "wrong-x5t": _assertion(key, ("B" if x5t[0] == "A" else "A") + x5t[1:]),
        "expired": _assertion(key, x5t, iat=int(time.time()) - 600, exp=int(time.time()) - 300),
        "wrong-audience": _assertion(key, x5t, aud="https://elsewhere.invalid/token"),
        "secret-client-as-issuer": _assertion(key, x5t, iss=ACME_BASIC[0], sub=ACME_BASIC[0]),
        "replay": replayed,
        "garbage": "not.a.jwt",
    }
    for name, assertion in cases.items():
        response = client.post(TOKEN, data=_assertion_form(assertion))
        assert (name, response.status_code, _error(response)) == (name, 401, "invalid_client")


def test_demo_certificate_is_created_once_and_reused(state_dir: Path, make_client: Any) -> None:
    cert_file = state_dir / "demo-oauth-client-cert.pem"
    before = cert_file.read_bytes()
    make_client()
    assert cert_file.read_bytes() == before
    assert oct((state_dir / "demo-oauth-client-key.pem").stat().st_mode & 0o777) == "0o600"
