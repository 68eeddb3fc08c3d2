"""TokenSource under throttling: 429 + Retry-After honoured, bounded, and never a stampede."""

from __future__ import annotations

import random
import threading
from email.utils import formatdate

import httpx
import pytest

from mypref_harness.auth.clock import retry_after_seconds
from mypref_harness.auth.oauth import TokenError, TokenSource, httpx_post

TOKEN_URL = "http://127.0.0.1:1/oauth2/v1/token"
OK = (200, {"access_token": "tok", "token_type": "Bearer", "expires_in": 300}, {})


class Clock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Script:
    """A token endpoint as a transport: scripted replies, then OK; counts the calls."""

    def __init__(self, *replies) -> None:
        self.replies = list(replies)
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, url, data, headers):
        with self.lock:
            self.calls += 1
            return self.replies.pop(0) if self.replies else OK


def source(post, clock=None, sleeps=None, **kw) -> TokenSource:
    sleep = sleeps.append if sleeps is not None else (lambda seconds: None)
    return TokenSource(TOKEN_URL, "client", "secret-value-0123456789", "A/B", post=post,
                       clock=clock or Clock(), sleep=sleep, rng=random.Random(7), **kw)


@pytest.mark.parametrize(("value", "seconds"), [("7", 7.0), (" 0 ", 0.0), ("", None), (None, None),
                                                 ("soon", None), ("-3", None), ("1.5", None)])
def test_retry_after_delay_seconds(value, seconds):
    assert retry_after_seconds(value, now=0.0) == seconds


def test_retry_after_http_date_is_seconds_from_now():
    now = 1_800_000_000.0
    assert retry_after_seconds(formatdate(now + 42, usegmt=True), now=now) == pytest.approx(42)
    assert retry_after_seconds(formatdate(now - 42, usegmt=True), now=now) == 0.0  # already past


def test_a_short_retry_after_is_waited_out_then_the_fetch_succeeds():
    sleeps: list[float] = []
    post = Script((429, None, {"Retry-After": "2"}), (429, None, {"retry-after": "1"}))
    src = source(post, sleeps=sleeps)
    assert src.token() == "tok"
    assert post.calls == 3 and src.throttled == 2
    assert 2 <= sleeps[0] <= 2.2 and 1 <= sleeps[1] <= 1.1


def test_a_retry_after_given_as_a_date_is_honoured():
    clock, sleeps = Clock(1_800_000_000.0), []
    post = Script((429, None, {"Retry-After": formatdate(clock.now + 5, usegmt=True)}))
    assert source(post, clock, sleeps).token() == "tok"
    assert 5 <= sleeps[0] <= 5.5


def test_a_long_retry_after_fails_at_once_and_holds_every_caller_back_until_it_has_passed():
    clock, sleeps = Clock(), []
    post = Script((429, {"error": "slow_down"}, {"Retry-After": "60"}))
    src = source(post, clock, sleeps, max_retry_wait=10)
    with pytest.raises(TokenError) as info:
        src.token()
    assert (info.value.status, info.value.retry_after, info.value.attempts) == (429, 60.0, 1)
    assert sleeps == [] and post.calls == 1  # no blocking wait, no retry against the throttle
    assert src.retry_not_before == clock.now + 60
    clock.now += 59
    for _ in range(20):  # callers arriving during the throttle fail fast, sending nothing
        with pytest.raises(TokenError):
            src.token()
    assert post.calls == 1
    clock.now += 1
    assert src.token() == "tok"
    assert post.calls == 2


def test_concurrent_callers_under_a_throttle_send_one_request():
    post = Script((429, None, {"Retry-After": "30"}))
    src = source(post, max_retry_wait=10)
    errors: list[int | None] = []

    def call():
        try:
            src.token()
        except TokenError as exc:
            errors.append(exc.status)

    threads = [threading.Thread(target=call) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert post.calls == 1
    assert errors == [429] * 20


def test_retries_stay_bounded_when_the_endpoint_keeps_throttling():
    sleeps: list[float] = []
    post = Script(*[(429, None, {"Retry-After": "1"})] * 10)
    src = source(post, sleeps=sleeps, max_attempts=3)
    with pytest.raises(TokenError):
        src.token()
    assert post.calls == 3 and len(sleeps) == 2


def test_the_httpx_transport_hands_the_retry_after_header_through():
    answers = iter([httpx.Response(429, headers={"Retry-After": "1"}, json={"Message": "slow down"}),
                    httpx.Response(200, json=OK[1])])
    transport = httpx.MockTransport(lambda request: next(answers))
    sleeps: list[float] = []
    src = source(httpx_post(transport=transport), sleeps=sleeps)
    assert src.token() == "tok"
    assert src.throttled == 1 and 1 <= sleeps[0] <= 1.1


@pytest.mark.slow
def test_against_the_sandboxs_rate_limit(tmp_path):
    from mypref_harness.config import Target
    from mypref_harness.credentials import token_source_for
    from mypref_harness.embedded import target_for_sandbox
    from mypref_harness.sandbox.process import running_sandbox

    # 0.1 requests/s: after the first token request the bucket stays empty for ten seconds.
    with running_sandbox(state_dir=tmp_path, extra_args=("--rate-limit", "0.1/s")) as sandbox:
        target = target_for_sandbox(Target(auth="oauth"), sandbox.credentials, root_url=sandbox.root_url)
        calls = []
        real = httpx_post()

        def counting(url, data, headers):
            calls.append(url)
            return real(url, data, headers)

        src = token_source_for(target, post=counting, max_retry_wait=2)
        first = src.fetch()
        with pytest.raises(TokenError) as info:
            src.fetch()  # throttled: Retry-After ~10 s is more than we wait inside a call
        assert info.value.status == 429 and info.value.retry_after is not None
        assert info.value.retry_after >= 1
        assert src.throttled == 1
        assert src.token() == first.access_token  # the cached token is still served
    assert len(calls) == 2
