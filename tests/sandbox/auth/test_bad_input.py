"""Bad input at the auth layer and the token endpoint never produces a 5xx or a non-JSON error."""

from __future__ import annotations

from typing import Any

import pytest

from ..helpers import ACME_BASIC, BASE

ODD_AUTH_HEADERS = [
    "",
    " ",
    "Bearer",
    "Bearer ",
    "Bearer a.b.c",
    "Bearer " + "A" * 5000,
    "bearer eyJhbGciOiJub25lIn0.e30.",
    "PNAUTHINFO3-HMAC-SHA256",
    "PNAUTHINFO3-HMAC-SHA256 Credential=/ Signature=",
    "PNAUTHINFO3-HMAC-SHA256 Credential=RickSanchez/2015-08-10T20:11:00 Signature=!!!",
    "PNAUTHINFO3-HMAC-SHA256 Credential=%FF%FE/2015-08-10T20:11:00 Signature=AAAA",
    "PNAUTHINFO3-HMAC-SHA256 Credential=Rick%00Sanchez/9999-99-99T99:99:99 Signature=AAAA",
    "PNAUTHINFO3-HMAC-SHA256 Credential=RickSanchez/2015-08-10T20:11:00Z Signature=AAAA Signature=AAAA",
    "PNAUTHINFO3-HMAC-SHA256 Credential=Ricksanchez/+275760-09-13T00:00:00Z Signature=AAAA",
    "PNAUTHINFO3-HMAC-SHA256 Credential=\u00e9\u00e8/2015-08-10T20:11:00 Signature=AAAA",
    "PNAUTHINFO3-SHA1 Credential=RickSanchez/2015-08-10T20:11:00 Signature=AAAA",
]


@pytest.mark.parametrize("header", ODD_AUTH_HEADERS)
def test_odd_authorization_headers_get_a_json_401(client: Any, header: str) -> None:
    response = client.get(
        f"{BASE}/SanchezAssociates/Programs", headers={"Authorization": header.encode("utf-8")}
    )
    assert response.status_code == 401
    assert isinstance(response.json()["Message"], str)


@pytest.mark.parametrize(
    "path",
    [
        "/%00/Programs",
        "/..%2F..%2Fetc/passwd",
        "/" + "x" * 4000,
        "/%E2%82/Programs",
        "/Async",
        "/Async/",
        "//Programs",
        "/SanchezAssociates%2FPrograms",
    ],
)
def test_odd_paths_are_plain_404s(client: Any, path: str) -> None:
    response = client.get(BASE + path)
    assert response.status_code == 404
    assert response.content == b""


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"%zz%", "application/x-www-form-urlencoded"),
        (b"grant_type", "application/x-www-form-urlencoded"),
        (b"&&&", "application/x-www-form-urlencoded"),
        (b"\x00\x01\x02", "application/x-www-form-urlencoded"),
        (b"grant_type=client_credentials&scope=" + b"A" * 20000, "application/x-www-form-urlencoded"),
        (b"{}", "application/json"),
        (b"", ""),
    ],
)
def test_malformed_token_requests_get_rfc6749_errors(client: Any, body: bytes, content_type: str) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/oauth2/v1/token", content=body, headers=headers, auth=ACME_BASIC)
    assert 400 <= response.status_code < 500
    assert response.json()["error"] in {
        "invalid_request",
        "invalid_client",
        "unsupported_grant_type",
        "invalid_scope",
    }


@pytest.mark.parametrize("basic", ["Basic", "Basic !!!", "Basic " + "QQ==", "Basic w6k6w6k="])
def test_malformed_basic_credentials_are_invalid_client(client: Any, basic: str) -> None:
    response = client.post(
        "/oauth2/v1/token",
        data={"grant_type": "client_credentials", "scope": "ACME_CORP/John.Doe"},
        headers={"Authorization": basic},
    )
    assert response.status_code in (400, 401)
    assert response.json()["error"] in {"invalid_client", "invalid_request"}
