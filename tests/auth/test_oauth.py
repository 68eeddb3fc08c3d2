"""TokenSource with a fake transport: cache, early refresh, single flight, backoff, errors, invalidate."""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from urllib.parse import parse_qs

import httpx
import pytest

from mypref_harness.auth.oauth import (
    TokenError,
    TokenSource,
    TransportFailure,
    httpx_post,
    jwt_expiry,
)
from mypref_harness.errors import ExitCode

TOKEN_URL = "http://127.0.0.1:1/oauth2/v1/token"
CLIENT_ID = "demo0acme0oauth0client0id0000000000000000000048c"
SECRET = "s3cr3t-value-that-must-never-leak-0123456789"


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class FakeServer:
    """A token endpoint as a transport callable: scripted replies, records each call."""

    def __init__(self, replies=None, lifetime: int = 300) -> None:
        self.replies = list(replies or [])
        self.lifetime = lifetime
        self.calls: list[tuple[str, dict, dict]] = []
        self.issued = 0
        self.lock = threading.Lock()
        self.delay = 0.0

    def __call__(self, url, data, headers):
        with self.lock:
            self.calls.append((url, dict(data), dict(headers)))
            reply = self.replies.pop(0) if self.replies else None
        if self.delay:
            time.sleep(self.delay)
        if isinstance(reply, Exception):
            raise reply
        if reply is not None:
            return reply
        with self.lock:
            self.issued += 1
            n = self.issued
        return 200, {"access_token": f"token-{n}", "token_type": "Bearer", "expires_in": self.lifetime}, {}


def make_source(server, clock=None, **kwargs) -> TokenSource:
    kwargs.setdefault("sleep", lambda _s: None)
    kwargs.setdefault("rng", random.Random(1))
    return TokenSource(
        TOKEN_URL, CLIENT_ID, SECRET, "ACME_CORP/John.Doe", post=server, clock=clock or FakeClock(), **kwargs
    )


def fake_jwt(exp: float) -> str:
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part({'exp': exp, 'sub': 'x'})}.c2ln"


# ------------------------------------------------------------------ request shape


def test_basic_credentials_go_in_the_authorization_header():
    server = FakeServer()
    make_source(server).token()
    url, data, headers = server.calls[0]
    assert url == TOKEN_URL
    assert data == {"grant_type": "client_credentials", "scope": "ACME_CORP/John.Doe"}
    expected = base64.b64encode(f"{CLIENT_ID}:{SECRET}".encode()).decode()
    assert headers["Authorization"] == f"Basic {expected}"
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"


def test_body_credentials_go_in_the_form():
    server = FakeServer()
    make_source(server, send="body").token()
    _url, data, headers = server.calls[0]
    assert data["client_id"] == CLIENT_ID
    assert data["client_secret"] == SECRET
    assert "Authorization" not in headers


def test_assertion_replaces_the_secret_and_is_fresh_per_attempt():
    server = FakeServer(replies=[(503, None, {})])
    counter = iter(range(100))
    source = TokenSource(
        TOKEN_URL,
        CLIENT_ID,
        scope="A/B",
        assertion=lambda: f"assertion-{next(counter)}",
        post=server,
        clock=FakeClock(),
        sleep=lambda _s: None,
    )
    assert source.token() == "token-1"
    first, second = server.calls[0][1], server.calls[1][1]
    assert first["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert (first["client_assertion"], second["client_assertion"]) == ("assertion-0", "assertion-1")
    assert "client_secret" not in first and "Authorization" not in server.calls[0][2]


def test_needs_exactly_one_credential():
    with pytest.raises(ValueError, match="exactly one"):
        TokenSource(TOKEN_URL, CLIENT_ID, post=FakeServer())
    with pytest.raises(ValueError, match="exactly one"):
        TokenSource(TOKEN_URL, CLIENT_ID, SECRET, assertion=lambda: "x", post=FakeServer())


# ------------------------------------------------------------------ cache and refresh


def test_token_is_cached_until_the_refresh_point():
    server, clock = FakeServer(lifetime=300), FakeClock()
    source = make_source(server, clock, refresh_margin=30, jitter=0)
    assert source.token() == "token-1"
    clock.now += 269  # margin 30 s -> refresh at 270 s
    assert source.token() == "token-1"
    assert source.fetches == 1
    clock.now += 2
    assert source.token() == "token-2"
    assert source.fetches == 2
    assert len(server.calls) == 2


def test_margin_and_jitter_are_capped_for_short_lived_tokens():
    server, clock = FakeServer(lifetime=5), FakeClock()
    source = make_source(server, clock, refresh_margin=30, jitter=15)
    source.token()
    info = source.current
    assert info is not None
    # margin capped to 20 % (1 s) and jitter to 10 % (0.5 s) of 5 s: refresh between 3.5 s and 4 s
    assert 3.5 <= info.refresh_at - info.obtained_at <= 4.0
    clock.now += 3.4
    source.token()
    assert source.fetches == 1


def test_jitter_spreads_refresh_points_of_different_processes():
    points = set()
    for seed in range(20):
        source = make_source(
            FakeServer(lifetime=600), FakeClock(), rng=random.Random(seed), refresh_margin=30, jitter=15
        )
        source.token()
        points.add(round(source.current.refresh_at - source.current.obtained_at, 3))
    assert len(points) > 10
    assert all(600 - 45 <= p <= 600 - 30 for p in points)


def test_jwt_exp_earlier_than_expires_in_wins():
    clock = FakeClock()
    token = fake_jwt(clock.now + 60)
    server = FakeServer(
        replies=[(200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}, {})]
    )
    source = make_source(server, clock, jitter=0)
    source.token()
    assert source.current.expires_at == pytest.approx(clock.now + 60)


def test_jwt_expiry_reads_exp_without_verifying():
    assert jwt_expiry(fake_jwt(1234)) == 1234
    assert jwt_expiry("opaque-token") is None
    assert jwt_expiry("a.!!!.c") is None


def test_missing_expires_in_and_opaque_token_use_default_lifetime():
    server = FakeServer(replies=[(200, {"access_token": "opaque", "token_type": "bearer"}, {})])
    source = make_source(server, jitter=0)
    source.token()
    assert source.current.lifetime == 300


def test_a_still_valid_token_is_served_when_refresh_fails():
    server, clock = FakeServer(lifetime=100), FakeClock()
    source = make_source(server, clock, refresh_margin=20, jitter=0, max_attempts=1)
    assert source.token() == "token-1"
    server.replies = [(503, None, {})]
    clock.now += 85  # due for refresh (80 s) but valid until 100 s
    assert source.token() == "token-1"
    assert source.failures == 1
    calls = len(server.calls)
    assert source.token() == "token-1"  # no immediate retry storm
    assert len(server.calls) == calls
    clock.now += 5  # backoff_cap (4 s) later the refresh is retried and succeeds
    assert source.token() == "token-2"


def test_an_expired_token_is_never_returned():
    server, clock = FakeServer(lifetime=10), FakeClock()
    source = make_source(server, clock, max_attempts=1)
    source.token()
    server.replies = [(503, None, {})]
    clock.now += 11
    with pytest.raises(TokenError):
        source.token()


# ------------------------------------------------------------------ single flight


def test_twenty_concurrent_callers_cause_one_fetch():
    server = FakeServer()
    server.delay = 0.05  # keep the first fetch in flight while the others arrive
    source = TokenSource(TOKEN_URL, CLIENT_ID, SECRET, "A/B", post=server)
    barrier = threading.Barrier(20)
    results: list[str] = []

    def worker():
        barrier.wait()
        results.append(source.token())

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results == ["token-1"] * 20
    assert len(server.calls) == 1
    assert source.fetches == 1


def test_concurrent_callers_during_a_due_refresh_keep_the_valid_token():
    server, clock = FakeServer(lifetime=100), FakeClock()
    source = TokenSource(
        TOKEN_URL, CLIENT_ID, SECRET, "A/B", post=server, clock=clock, refresh_margin=20, jitter=0
    )
    source.token()
    clock.now += 90
    server.delay = 0.1
    barrier = threading.Barrier(20)
    results: list[str] = []

    def worker():
        barrier.wait()
        results.append(source.token())

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(server.calls) == 2  # the initial fetch + exactly one refresh
    assert results.count("token-2") >= 1
    assert set(results) <= {"token-1", "token-2"}


# ------------------------------------------------------------------ retries and errors


def test_backoff_on_5xx_and_connection_errors_then_success():
    sleeps: list[float] = []
    server = FakeServer(replies=[(500, None, {}), TransportFailure("refused"), (0, None, {})])
    source = make_source(server, sleep=sleeps.append, max_attempts=4, backoff_base=0.25, backoff_cap=4)
    assert source.token() == "token-1"
    assert len(server.calls) == 4
    assert source.failures == 3
    assert len(sleeps) == 3
    # equal jitter: each delay within [d/2, d] of 0.25, 0.5, 1.0
    for delay, nominal in zip(sleeps, (0.25, 0.5, 1.0), strict=True):
        assert nominal / 2 <= delay <= nominal


def test_attempts_are_bounded_and_the_error_is_typed():
    sleeps: list[float] = []
    server = FakeServer(replies=[(503, None, {})] * 10)
    source = make_source(server, sleep=sleeps.append, max_attempts=3, backoff_cap=0.6)
    with pytest.raises(TokenError) as info:
        source.token()
    assert len(server.calls) == 3
    assert info.value.attempts == 3
    assert info.value.status == 503
    assert info.value.exit_code == ExitCode.UNREACHABLE
    assert all(s <= 0.6 for s in sleeps)


def test_retry_after_is_honoured_never_shortened_by_jitter():
    sleeps: list[float] = []
    server = FakeServer(replies=[(429, None, {"Retry-After": "3"})])
    make_source(server, sleep=sleeps.append, backoff_cap=4).token()
    assert 3 <= sleeps[0] <= 3.3  # at least what the server asked; jitter only on top


def test_client_errors_fail_at_once_with_rfc6749_fields_and_no_secret():
    body = {"error": "invalid_client", "error_description": f"Client authentication failed for {SECRET}"}
    server = FakeServer(replies=[(401, body, {})])
    source = make_source(server)
    with pytest.raises(TokenError) as info:
        source.token()
    error = info.value
    assert len(server.calls) == 1
    assert error.error == "invalid_client"
    assert error.status == 401
    assert error.exit_code == ExitCode.USAGE
    assert "invalid_client" in str(error)
    for text in (str(error), repr(error), error.error_description or "", repr(error.__dict__)):
        assert SECRET not in text
    assert source.failures == 1


def test_connection_error_message_is_one_line_and_secret_free():
    server = FakeServer(replies=[OSError("connection refused")] * 2)
    with pytest.raises(TokenError, match="unreachable") as info:
        make_source(server, max_attempts=2).token()
    assert SECRET not in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    "body",
    [None, {}, {"access_token": ""}, {"access_token": 12}, {"access_token": "x", "token_type": "mac"}],
)
def test_malformed_success_is_a_finding_not_retried(body):
    server = FakeServer(replies=[(200, body, {})])
    with pytest.raises(TokenError) as info:
        make_source(server).token()
    assert info.value.exit_code == ExitCode.FINDINGS
    assert len(server.calls) == 1


# ------------------------------------------------------------------ invalidate


def test_invalidate_drops_only_the_stale_token():
    server = FakeServer()
    source = make_source(server)
    old = source.token()
    assert source.invalidate(old) is True
    new = source.token()
    assert new != old
    assert source.invalidate(old) is False  # another caller already refreshed: keep the new one
    assert source.token() == new
    assert source.fetches == 2
    assert source.invalidations == 1


def test_secrets_lists_client_secret_and_current_token():
    source = make_source(FakeServer())
    token = source.token()
    assert set(source.secrets()) == {SECRET, token}
    assert SECRET not in repr(source)


# ------------------------------------------------------------------ default transport and factory


def test_httpx_transport_posts_a_form_and_parses_json():
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen["form"] = parse_qs(request.content.decode())
        seen["auth"] = request.headers.get("authorization")
        return httpx.Response(200, json={"access_token": "abc", "token_type": "Bearer", "expires_in": 60})

    post = httpx_post(transport=httpx.MockTransport(handler))
    status, body, _headers = post(
        TOKEN_URL, {"grant_type": "client_credentials"}, {"Authorization": "Basic eA=="}
    )
    assert status == 200 and body["access_token"] == "abc"
    assert seen == {"form": {"grant_type": ["client_credentials"]}, "auth": "Basic eA=="}


def test_httpx_transport_maps_connection_refused_to_transport_failure():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TransportFailure, match="cannot connect"):
        httpx_post(timeout=2)(f"http://127.0.0.1:{port}/oauth2/v1/token", {}, {})


def test_after_a_failed_fetch_callers_fail_fast_during_the_cool_down():
    server, clock = FakeServer(replies=[(503, None, {})] * 3), FakeClock()
    source = make_source(server, clock, max_attempts=3, backoff_cap=4)
    with pytest.raises(TokenError):
        source.token()
    assert len(server.calls) == 3
    for _ in range(10):  # e.g. 10 Locust users arriving right after the failure
        with pytest.raises(TokenError) as info:
            source.token()
        assert info.value.status == 503
    assert len(server.calls) == 3  # no new retry cycles against the broken endpoint
    clock.now += 4.5
    assert source.token() == "token-1"
    assert len(server.calls) == 4


GEVENT_SCRIPT = r"""
import json
import mypref_harness.auth.oauth as oauth  # imported BEFORE patching, as can happen in a locustfile
from gevent import monkey
monkey.patch_all()
import time, gevent

calls = []
def post(url, data, headers):
    calls.append(1)
    time.sleep(0.05)  # patched: yields to other greenlets while the token request is in flight
    if len(calls) == 1:
        return 503, None, {}  # first attempt fails -> backoff sleep, which must be cooperative too
    return 200, {"access_token": "tok", "token_type": "Bearer", "expires_in": 300}, {}

source = oauth.TokenSource("http://127.0.0.1:1/t", "id", "secret-1234", "A/B", post=post,
                           backoff_base=0.4, backoff_cap=0.4)
ticks = []
def ticker():
    for _ in range(50):
        ticks.append(time.monotonic())
        gevent.sleep(0.01)

tick_job = gevent.spawn(ticker)
jobs = [gevent.spawn(source.token) for _ in range(20)]
gevent.joinall(jobs, timeout=10)
done = time.monotonic()
tick_job.join(timeout=10)
print(json.dumps({"calls": len(calls), "tokens": sorted({j.value for j in jobs}), "fetches": source.fetches,
                  "ticks_during_fetch": sum(1 for t in ticks if t < done)}))
"""


@pytest.mark.slow
def test_single_flight_and_cooperative_backoff_under_gevent_monkey_patching(tmp_path):
    # Locust patches threading and time with gevent. Run it in a subprocess: gevent patching must
    # never happen inside the pytest process.
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", GEVENT_SCRIPT], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr[-2000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["calls"] == 2  # one failed attempt + one retry, shared by 20 greenlets
    assert outcome["tokens"] == ["tok"]
    assert outcome["fetches"] == 1
    # The fetch takes 0.05 + 0.2..0.4 (backoff, jittered) + 0.05 s; a blocking backoff sleep would freeze the
    # ticker (10 ms period) for all of it. Cooperative sleeps let it tick many times meanwhile.
    assert outcome["ticks_during_fetch"] >= 20  # measured: 39 cooperative, 10 with a blocking sleep
