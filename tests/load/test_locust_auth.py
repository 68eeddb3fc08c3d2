import pytest

from mypref_harness.auth.oauth import TokenSource
from mypref_harness.load.locust_auth import (
    NoAuth,
    PnAuthHeaders,
    SharedBearer,
    TokenUnavailable,
    locust_token_post,
    send,
    token_request_name,
)

from .helpers import FakeClient

TOKEN_URL = "http://127.0.0.1:1/oauth2/v1/token"
EXPIRED = {"Message": "Unable to authenticate request. The access token expired."}
EXPIRED_HEADERS = {"WWW-Authenticate": 'Bearer error="invalid_token", error_description="expired"'}


class Clock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now


def token_server(tokens=None, status=200):
    """A token endpoint handler issuing tok1, tok2, ... (lifetime 60 s) or failing with ``status``."""
    issued = []

    def handle(method, url, headers, data):
        if url == TOKEN_URL:
            if status != 200:
                return status, {"error": "temporarily_unavailable", "error_description": "secret-ish text"}
            issued.append(f"tok{len(issued) + 1}")
            return 200, {"access_token": issued[-1], "token_type": "Bearer", "expires_in": 60}
        return None

    handle.issued = issued
    return handle


def bearer_for(client, clock, **kw):
    source = TokenSource(
        TOKEN_URL,
        "cid",
        "the-client-secret",
        "ACME_CORP/John.Doe",
        clock=clock,
        sleep=lambda s: None,
        post=locust_token_post(client, token_request_name(TOKEN_URL)),
        **kw,
    )
    return SharedBearer(source, clock=clock)


def api(token_handler, api_handler):
    def handle(method, url, headers, data):
        return token_handler(method, url, headers, data) or api_handler(method, url, headers, data)

    return FakeClient(handle)


def test_token_requests_go_through_the_locust_client_under_their_own_name():
    tokens = token_server()
    client = api(tokens, lambda *a: (200, {"ok": True}))
    auth = bearer_for(client, Clock())
    for _ in range(5):
        sent = send(client, auth, "GET", "/ACME_CORP/Programs", "config: GET /{clientId}/Programs")
        assert sent.ok
    names = [s[2] for s in client.sent]
    assert names.count("token: POST /oauth2/v1/token") == 1  # cached for the other four
    assert names.count("config: GET /{clientId}/Programs") == 5
    assert client.sent[1][3]["Authorization"] == "Bearer tok1"
    assert client.reported[0].outcome == "success"


def test_token_is_refreshed_before_expiry_not_per_request():
    clock = Clock()
    client = api(token_server(), lambda *a: (200, {}))
    auth = bearer_for(client, clock, refresh_margin=5, jitter=0)
    send(client, auth, "GET", "/x", "lookup: GET /x")
    clock.now += 54  # 6 s before expiry: not yet due (margin 5)
    send(client, auth, "GET", "/x", "lookup: GET /x")
    clock.now += 2  # 4 s before expiry: refresh now
    send(client, auth, "GET", "/x", "lookup: GET /x")
    tokens_used = [s[3]["Authorization"] for s in client.sent if s[2] == "lookup: GET /x"]
    assert tokens_used == ["Bearer tok1", "Bearer tok1", "Bearer tok2"]


def test_401_token_error_refreshes_once_replays_once_and_reports_the_first_attempt_separately():
    calls = []

    def handler(method, url, headers, data):
        calls.append(headers["Authorization"])
        if headers["Authorization"] == "Bearer tok1":
            return 401, EXPIRED, EXPIRED_HEADERS
        return 200, {"ok": 1}

    client = api(token_server(), handler)
    auth = bearer_for(client, Clock())
    sent = send(client, auth, "GET", "/p/1", "lookup: GET /{clientId}/Profile/{profileId}")
    assert sent.ok and sent.status == 200
    assert calls == ["Bearer tok1", "Bearer tok2"]
    first, second = [r for r in client.reported if r.request_meta["name"] != "token: POST /oauth2/v1/token"]
    assert (
        first.request_meta["name"] == "auth: 401 token error, replayed: GET /{clientId}/Profile/{profileId}"
    )
    assert first.outcome[0] == "failure"
    assert second.request_meta["name"] == "lookup: GET /{clientId}/Profile/{profileId}"
    assert second.outcome == "success"


def test_a_second_401_is_not_replayed_again_and_counts_as_a_failure():
    client = api(token_server(), lambda *a: (401, EXPIRED, EXPIRED_HEADERS))
    auth = bearer_for(client, Clock())
    sent = send(client, auth, "GET", "/p/1", "lookup: GET /p")
    assert not sent.ok and sent.status == 401
    api_calls = [s for s in client.sent if s[1] == "/p/1"]
    assert len(api_calls) == 2
    assert client.reported[-1].outcome[0] == "failure"


def test_pnauth_401_is_never_replayed_and_never_touches_tokens():
    class Signer:
        n = 0

        def header(self):
            Signer.n += 1
            return f"PNAUTHINFO3-HMAC-SHA256 Credential=John.Doe/2026 Signature=sig{Signer.n}"

    body = {"Message": "Unable to authenticate request"}
    client = FakeClient(lambda *a: (401, body, {"WWW-Authenticate": 'PNAUTHINFO3 realm="x"'}))
    sent = send(client, PnAuthHeaders(Signer()), "GET", "/x", "config: GET /x")
    assert sent.status == 401 and not sent.ok
    assert len(client.sent) == 1
    assert client.reported[0].outcome == ("failure", "HTTP 401: Unable to authenticate request")


def test_pnauth_header_is_fresh_per_request():
    class Signer:
        n = 0

        def header(self):
            Signer.n += 1
            return f"h{Signer.n}"

    client = FakeClient(lambda *a: (200, {}))
    auth = PnAuthHeaders(Signer())
    for _ in range(3):
        send(client, auth, "GET", "/x", "config: GET /x")
    assert [s[3]["Authorization"] for s in client.sent] == ["h1", "h2", "h3"]


def test_no_auth_sends_no_authorization_header():
    client = FakeClient(lambda *a: (200, {}))
    send(client, NoAuth(), "POST", "/x", "write: POST /x", body={"a": 1})
    headers, data = client.sent[0][3], client.sent[0][4]
    assert "Authorization" not in headers
    assert headers["Content-Type"] == "application/json" and data == '{"a": 1}'


def test_unexpected_status_is_a_failure_with_the_api_message():
    client = FakeClient(lambda *a: (404, {"Message": "Profile not found"}))
    sent = send(client, NoAuth(), "GET", "/x", "lookup: GET /x")
    assert not sent.ok
    assert client.reported[0].outcome == ("failure", "HTTP 404: Profile not found")
    assert send(client, NoAuth(), "GET", "/x", "lookup: GET /x", expect=(200, 404)).ok


def test_token_endpoint_outage_backs_off_for_all_users_and_recovers():
    clock = Clock()
    state = {"down": True}
    attempts = []

    def tokens(method, url, headers, data):
        if url != TOKEN_URL:
            return None
        attempts.append(clock.now)
        if state["down"]:
            return 503, {"error": "temporarily_unavailable"}
        return 200, {"access_token": "fresh", "token_type": "Bearer", "expires_in": 60}

    client = api(tokens, lambda *a: (200, {}))
    # TokenSource: 2 tries per fetch, then 3 s without a real attempt; ours: 0.5 s short-circuit
    auth = bearer_for(client, clock, max_attempts=2, backoff_cap=3.0)
    unavailable = []

    def report(method, name, exc):
        unavailable.append(name)

    def request():
        return send(client, auth, "GET", "/x", "lookup: GET /x", report_unavailable=report)

    assert request() is None
    assert len(attempts) == 2  # the TokenSource's own bounded retry
    for _ in range(50):  # 50 more requests at once: refused without asking the endpoint
        request()
    assert len(attempts) == 2
    assert unavailable[0] == "auth: no token: GET /x" and len(unavailable) == 51
    failures = [r for r in client.reported if r.request_meta["name"].startswith("token:")]
    assert all(r.outcome == ("failure", "token endpoint HTTP 503 temporarily_unavailable") for r in failures)
    for _ in range(5):  # every 0.55 s for 2.75 s: still inside the TokenSource's cool-down
        clock.now += 0.55
        request()
    assert len(attempts) == 2
    clock.now += 0.55  # 3.3 s: past both cool-downs (ours was renewed at 2.75 s): a real attempt
    request()
    assert len(attempts) == 4
    state["down"] = False
    clock.now += 3.6  # the next real attempt comes right after the cool-downs: no growing delays
    sent = request()
    assert sent is not None and sent.ok
    assert len(attempts) == 5
    assert client.sent[-1][3]["Authorization"] == "Bearer fresh"
    assert auth.unavailable == len(unavailable) == 57  # 1 + 50 + 5 + 1 refused requests


def test_token_failure_messages_do_not_carry_the_response_body():
    client = api(token_server(status=400), lambda *a: (200, {}))
    auth = bearer_for(client, Clock())
    with pytest.raises(TokenUnavailable):
        auth.token()
    (resp,) = client.reported
    assert resp.outcome == ("failure", "token endpoint HTTP 400 temporarily_unavailable")
    assert "secret" not in resp.outcome[1]


def test_token_request_name_uses_the_token_path():
    assert (
        token_request_name("https://authstg.mypreferences.com/oauth2/v1/token")
        == "token: POST /oauth2/v1/token"
    )
