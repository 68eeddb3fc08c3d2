"""The retry policy of the auth checks and probes: which answers decide, and how long we wait for one."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from mypref_harness.auth.answers import Retrier, RetryPolicy, UndecidedAnswer, retry_after_seconds


class Script:
    """Answers (or raises) the scripted items in order, then repeats the last one."""

    def __init__(self, *items: int | Exception, retry_after: str | None = None) -> None:
        self.items = list(items)
        self.retry_after = retry_after
        self.calls = 0

    def __call__(self) -> httpx.Response:
        item = self.items[min(self.calls, len(self.items) - 1)]
        self.calls += 1
        if isinstance(item, Exception):
            raise item
        headers = {"Retry-After": self.retry_after} if self.retry_after else {}
        return httpx.Response(item, headers=headers)


@pytest.fixture
def slept() -> Iterator[list[float]]:
    yield []


def retrier(slept: list[float], **policy: float) -> Retrier:
    return Retrier(RetryPolicy(**policy), sleep=slept.append)  # type: ignore[arg-type]


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_an_answer_that_decides_nothing_is_retried_until_one_does(slept, status):
    send = Script(status, 401)
    assert retrier(slept).send(send, "GET x").status_code == 401
    assert send.calls == 2 and len(slept) == 1


@pytest.mark.parametrize("status", [200, 400, 401, 403, 404])
def test_a_deciding_answer_is_returned_at_once(slept, status):
    send = Script(status)
    assert retrier(slept).send(send, "GET x").status_code == status
    assert send.calls == 1 and slept == []


def test_a_persistent_5xx_raises_undecided_after_the_bounded_attempts(slept):
    send = Script(503)
    with pytest.raises(UndecidedAnswer, match=r"GET x: HTTP 503 after 3 attempts"):
        retrier(slept, attempts=3, backoff_s=0.5).send(send, "GET x")
    assert send.calls == 3
    assert slept == [0.5, 1.0]  # exponential backoff without Retry-After


def test_timeouts_are_retried_then_undecided(slept):
    send = Script(httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow"), 200)
    assert retrier(slept).send(send, "GET x").status_code == 200
    with pytest.raises(UndecidedAnswer, match="ReadTimeout"):
        retrier(slept).send(Script(httpx.ReadTimeout("slow")), "GET x")


def test_retry_after_is_honoured_and_capped(slept):
    retrier(slept, max_wait_s=5.0).send(Script(429, 200, retry_after="2"), "GET x")
    retrier(slept, max_wait_s=5.0).send(Script(429, 200, retry_after="3600"), "GET x")
    assert slept == [2.0, 5.0]


def test_retry_after_as_an_http_date():
    response = httpx.Response(503, headers={"Retry-After": "Wed, 02 Dec 2026 05:00:10 GMT"})
    assert retry_after_seconds(response, now=1796187600.0) == pytest.approx(10.0)  # 05:00:00 UTC
    assert retry_after_seconds(httpx.Response(503, headers={"Retry-After": "soon"})) is None


def test_after_undecided_requests_in_a_row_retrying_stops_until_an_answer_decides(slept):
    r = retrier(slept, attempts=3, breaker=2)
    for _ in range(2):
        with pytest.raises(UndecidedAnswer):
            r.send(Script(503), "GET x")
    assert r.tripped and len(slept) == 4
    dead = Script(503)
    with pytest.raises(UndecidedAnswer, match=r"after 1 attempt$"):
        r.send(dead, "GET x")
    assert dead.calls == 1 and len(slept) == 4  # no retry, no wait while tripped
    assert r.send(Script(200), "GET x").status_code == 200
    assert not r.tripped  # a deciding answer resets the breaker


def test_the_run_wide_waiting_budget_bounds_the_total_wait(slept):
    r = retrier(slept, attempts=10, backoff_s=1.0, max_wait_s=1.0, budget_s=3.0, breaker=99)
    with pytest.raises(UndecidedAnswer):
        r.send(Script(503), "GET x")
    assert sum(slept) == 3.0 and r.waited_s == 3.0
