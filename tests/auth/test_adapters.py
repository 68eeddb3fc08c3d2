"""adapters: PnAuth signs verifiably, BearerAuth refreshes once only on token errors, requests twins."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime

import httpx
import pytest

from mypref_harness.auth.adapters import (
    BearerAuth,
    BearerAuthRequests,
    PnAuth,
    PnAuthRequests,
    is_token_error,
)
from mypref_harness.auth.oauth import TokenSource
from mypref_harness.auth.pnauth import PnAuthError, Reason
from mypref_harness.auth.verifier import ClientRecord, Verifier, static_lookup
from mypref_harness.secret import Secret

KEY = "SeemslikearareopportunityMorty!"
NOW = 1_700_000_000.0
HEADER_RE = re.compile(
    r"^PNAUTHINFO3-HMAC-SHA256 Credential=(?P<user>[^/ ]+)/(?P<ts>\S+) Signature=(?P<sig>\S+)$"
)


def independent_signature(key: str, message: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()).decode()


def captured(auth: httpx.Auth, handler=None) -> list[httpx.Request]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request) if handler else httpx.Response(200, json={})

    with httpx.Client(transport=httpx.MockTransport(record), auth=auth) as client:
        client.get("http://127.0.0.1:1/Profiles/v4/SanchezAssociates/Programs")
    return seen


# ------------------------------------------------------------------ PnAuth


def test_pnauth_header_recomputes_independently_with_hmac_and_base64():
    auth = PnAuth(KEY, "SanchezAssociates", "RickSanchez", clock=lambda: NOW)
    header = captured(auth)[0].headers["Authorization"]
    match = HEADER_RE.match(header)
    assert match, header
    expected_ts = datetime.fromtimestamp(NOW, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert match["ts"] == expected_ts
    assert match["user"] == "RickSanchez"
    assert match["sig"] == independent_signature(KEY, f"SanchezAssociates:RickSanchez:{expected_ts}")


def test_pnauth_matches_the_vendor_documented_example():
    # API overview, "Keyed Algorithm": the documented example signature for 2015-08-10T20:11:00.
    assert (
        independent_signature(KEY, "SanchezAssociates:RickSanchez:2015-08-10T20:11:00")
        == "Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0="
    )


def test_pnauth_header_passes_the_auth_helpers_verifier_and_wrong_key_fails():
    verifier = Verifier(
        static_lookup(ClientRecord("SanchezAssociates", KEY, frozenset({"RickSanchez"}))),
        clock=lambda: NOW + 5,
    )
    header = PnAuth(KEY, "SanchezAssociates", "RickSanchez", clock=lambda: NOW).header()
    assert verifier.verify("SanchezAssociates", header).user_id == "RickSanchez"
    bad = PnAuth("another-key", "SanchezAssociates", "RickSanchez", clock=lambda: NOW).header()
    with pytest.raises(PnAuthError) as info:
        verifier.verify("SanchezAssociates", bad)
    assert info.value.reason is Reason.UNAUTHENTICATED


def test_each_request_is_signed_freshly():
    clock = iter([NOW, NOW + 61])
    auth = PnAuth(KEY, "SanchezAssociates", "RickSanchez", clock=lambda: next(clock))
    seen: list[str] = []

    def handler(request):
        seen.append(request.headers["Authorization"])
        return httpx.Response(200)

    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        client.get("http://127.0.0.1:1/a")
        client.get("http://127.0.0.1:1/b")
    assert len(set(seen)) == 2


def test_clock_offset_signs_in_the_past():
    auth = PnAuth(KEY, "SanchezAssociates", "RickSanchez", clock=lambda: NOW, clock_offset=-120)
    ts = HEADER_RE.match(auth.header())["ts"]
    assert ts == datetime.fromtimestamp(NOW - 120, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_user_id_with_space_is_encoded_in_credential_and_message():
    header = PnAuth(KEY, "SanchezAssociates", "Morty Smith", clock=lambda: NOW, encoding="percent").header()
    match = HEADER_RE.match(header)
    assert match["user"] == "Morty%20Smith"
    assert match["sig"] == independent_signature(KEY, f"SanchezAssociates:Morty%20Smith:{match['ts']}")


def test_pnauth_repr_hides_the_key():
    assert KEY not in repr(PnAuth(Secret(KEY), "C", "U"))
    assert KEY not in repr(PnAuthRequests(KEY, "C", "U"))


# ------------------------------------------------------------------ is_token_error


def resp(status=401, headers=None, body=b""):
    return httpx.Response(status, headers=headers or {}, content=body)


@pytest.mark.parametrize(
    ("response", "expected"),
    [
        (resp(headers={"WWW-Authenticate": 'Bearer realm="x", error="invalid_token"'}), True),
        (
            resp(
                headers={"WWW-Authenticate": 'Bearer error="invalid_token", error_description="expired"'},
                body=b'{"Message":"Unable to authenticate request. The access token is malformed."}',
            ),
            True,
        ),
        (resp(body=b'{"Message":"Unable to authenticate request. The access token has expired."}'), True),
        (resp(body=b'{"error":"invalid_token"}'), True),
        (resp(body=b"Signature has expired"), True),  # PyJWT's ExpiredSignatureError text
        (resp(body=b'{"message": "Token expired"}'), True),
        # PNAUTHINFO3 failures: never a token error
        (
            resp(
                headers={"WWW-Authenticate": 'PNAUTHINFO3 realm="https://pm.mypreferences.com"'},
                body=b'{"Message":"Invalid Authorization Header: The scheme is invalid."}',
            ),
            False,
        ),
        (resp(body=b'{"Message":"Unable to authenticate request"}'), False),
        (
            resp(
                body=b'{"Message":"Invalid Authorization Header: The difference between the issued '
                b'timestamp and the current time is too large."}'
            ),
            False,
        ),
        (
            resp(
                body=b'{"Message":"Invalid Authorization Header: The specified date does not match an '
                b'expected ISO 8601 format."}'
            ),
            False,
        ),
        (resp(body=b'{"Message":"Missing Authorization Header"}'), False),
        (resp(headers={"WWW-Authenticate": 'Bearer realm="x"'}, body=b""), False),  # no error: missing token
        (resp(status=403, body=b'{"error":"invalid_token"}'), False),
        (resp(status=200), False),
    ],
)
def test_is_token_error(response, expected):
    assert is_token_error(response) is expected


def test_is_token_error_accepts_requests_and_plain_objects():
    class Plain:
        def __init__(self):
            self.status_code = 401
            self.headers = {"www-authenticate": 'Bearer error="invalid_token"'}
            self.text = ""

    assert is_token_error(Plain())
    import requests

    r = requests.Response()
    r.status_code = 401
    r._content = b'{"Message":"The access token has expired"}'
    assert is_token_error(r)


# ------------------------------------------------------------------ BearerAuth


class CountingServer:
    """Token endpoint transport: token-1, token-2, ..."""

    def __init__(self):
        self.calls = 0

    def __call__(self, url, data, headers):
        self.calls += 1
        return 200, {"access_token": f"token-{self.calls}", "token_type": "Bearer", "expires_in": 3600}, {}


def api(reject_tokens: set[str], pnauth_style: bool = False):
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        value = request.headers["Authorization"]
        seen.append(value)
        if value.removeprefix("Bearer ") in reject_tokens:
            if pnauth_style:
                return httpx.Response(
                    401,
                    headers={"WWW-Authenticate": 'PNAUTHINFO3 realm="x"'},
                    json={"Message": "Unable to authenticate request"},
                )
            return httpx.Response(
                401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
                json={"Message": "The access token has expired"},
            )
        return httpx.Response(200, json={"ok": True})

    return handler, seen


def test_bearer_refreshes_once_and_replays_on_a_token_error():
    server = CountingServer()
    source = TokenSource("http://127.0.0.1:1/t", "id", "secret-1234", "A/B", post=server)
    auth = BearerAuth(source)
    handler, seen = api(reject_tokens={"token-1"})
    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        response = client.get("http://127.0.0.1:1/x")
        assert response.status_code == 200
        assert seen == ["Bearer token-1", "Bearer token-2"]
        client.get("http://127.0.0.1:1/y")  # the fresh token is cached
    assert server.calls == 2
    assert auth.replays == 1
    assert source.invalidations == 1


def test_bearer_replays_only_once_when_the_new_token_is_rejected_too():
    server = CountingServer()
    auth = BearerAuth(TokenSource("http://127.0.0.1:1/t", "id", "secret-1234", "A/B", post=server))
    handler, seen = api(reject_tokens={"token-1", "token-2", "token-3"})
    with httpx.Client(transport=httpx.MockTransport(handler), auth=auth) as client:
        assert client.get("http://127.0.0.1:1/x").status_code == 401
    assert len(seen) == 2
    assert server.calls == 2


def test_bearer_does_not_refresh_on_a_pnauth_style_401():
    server = CountingServer()
    source = TokenSource("http://127.0.0.1:1/t", "id", "secret-1234", "A/B", post=server)
    handler, seen = api(reject_tokens={"token-1"}, pnauth_style=True)
    with httpx.Client(transport=httpx.MockTransport(handler), auth=BearerAuth(source)) as client:
        for _ in range(5):
            assert client.get("http://127.0.0.1:1/x").status_code == 401
    assert server.calls == 1  # no token storm: a 401 on a PNAUTHINFO3 failure must not refresh the token
    assert len(seen) == 5
    assert source.invalidations == 0


# ------------------------------------------------------------------ requests twins


def _requests_session(handler):
    """A requests session whose adapter answers from ``handler(prepared) -> (status, headers, body)``."""
    import requests
    from requests.adapters import BaseAdapter

    class Adapter(BaseAdapter):
        def send(self, request, **kwargs):
            status, headers, body = handler(request)
            response = requests.Response()
            response.status_code = status
            response.headers.update(headers)
            response._content = body
            response.request = request
            response.url = request.url
            response.connection = self
            return response

        def close(self):
            pass

    session = requests.Session()
    session.mount("http://", Adapter())
    return session


def test_requests_pnauth_twin_signs_like_the_httpx_one():
    twin = PnAuthRequests(KEY, "SanchezAssociates", "RickSanchez", clock=lambda: NOW)
    seen = []
    session = _requests_session(lambda r: seen.append(r.headers["Authorization"]) or (200, {}, b"{}"))
    session.get("http://127.0.0.1:1/x", auth=twin)
    assert seen == [PnAuth(KEY, "SanchezAssociates", "RickSanchez", clock=lambda: NOW).header()]


def test_requests_bearer_twin_replays_once_on_token_error_only():
    server = CountingServer()
    source = TokenSource("http://127.0.0.1:1/t", "id", "secret-1234", "A/B", post=server)
    seen = []

    def handler(request):
        value = request.headers["Authorization"]
        seen.append(value)
        if value == "Bearer token-1":
            return 401, {"WWW-Authenticate": 'Bearer error="invalid_token"'}, b"{}"
        if request.url.endswith("/pn"):
            return 401, {"WWW-Authenticate": "PNAUTHINFO3"}, b'{"Message":"Unable to authenticate request"}'
        return 200, {}, b"{}"

    session = _requests_session(handler)
    auth = BearerAuthRequests(source)
    response = session.get("http://127.0.0.1:1/x", auth=auth)
    assert response.status_code == 200
    assert seen == ["Bearer token-1", "Bearer token-2"]
    assert [r.status_code for r in response.history] == [401]
    assert session.get("http://127.0.0.1:1/pn", auth=auth).status_code == 401
    assert server.calls == 2 and auth.replays == 1
