"""Which answers of the target decide an auth verdict, and retrying the ones that do not.

A 5xx, a 429 or a timeout says nothing about authentication: the request never reached (or never
left) the code that accepts or rejects credentials. Counting such an answer as "accepted" or
"rejected" makes probes report windows of 21601 s and checks fail on a healthy auth stack. So every
request of the auth checks and probes goes through a :class:`Retrier`:

* a retryable answer (5xx, 429, a transport error) is retried a bounded number of times, after
  ``Retry-After`` when the target sends one (capped), else after an exponential backoff;
* when the retries run out it raises :class:`UndecidedAnswer`; a check then reports ERRORED and a
  probe reports its fact as undetermined, never a verdict or a value;
* the waiting is bounded per run (``budget_s``), and after ``breaker`` undecided requests in a row
  the retrier stops retrying until an answer decides again, so a dead target costs seconds, not
  minutes.

The sleep function is injected: tests run the whole policy without waiting.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from mypref_harness.auth.clock import retry_after_seconds as parse_retry_after

TOO_MANY_REQUESTS = 429


class UndecidedAnswer(Exception):
    """The target gave no answer that decides the question (5xx, 429 or timeouts, retries spent)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def json_body(response: httpx.Response) -> dict[str, Any]:
    """The answer's body when it is a JSON object (a token response, an error's Message), else {}."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def retryable_status(status: int) -> bool:
    """A status that says "try again later", not "accepted" or "rejected"."""
    return status >= 500 or status == TOO_MANY_REQUESTS


def retry_after_seconds(response: httpx.Response, now: float | None = None) -> float | None:
    """``Retry-After`` of a response as seconds from now (the one parser: auth.clock)."""
    return parse_retry_after(response.headers.get("retry-after"), now)


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # tries per request, the first one included
    backoff_s: float = 0.5  # first wait without Retry-After; doubled per retry
    max_wait_s: float = 5.0  # cap on any single wait, Retry-After included
    budget_s: float = 60.0  # total waiting per run
    breaker: int = 3  # undecided requests in a row after which retrying stops until one decides


class Retrier:
    """Sends requests under a RetryPolicy and keeps the run's retry statistics."""

    def __init__(
        self, policy: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep
    ) -> None:
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.waited_s = 0.0
        self.retries = 0
        self.undecided = 0  # requests that ended undecided
        self.in_a_row = 0

    @property
    def tripped(self) -> bool:
        return self.in_a_row >= self.policy.breaker

    def send(self, do: Callable[[], httpx.Response], what: str) -> httpx.Response:
        """``do()`` until an answer that is not retryable; raises UndecidedAnswer when none comes."""
        attempts = 1 if self.tripped else max(1, self.policy.attempts)
        reason = ""
        for attempt in range(attempts):
            try:
                response = do()
            except httpx.TransportError as exc:
                reason, wait = type(exc).__name__, self._backoff(attempt)
            else:
                if not retryable_status(response.status_code):
                    self.in_a_row = 0
                    return response
                reason = f"HTTP {response.status_code}"
                after = retry_after_seconds(response)
                wait = self._backoff(attempt) if after is None else after
            if attempt + 1 < attempts and not self._wait(wait):
                break
        self.in_a_row += 1
        self.undecided += 1
        tries = f"{attempt + 1} attempt{'s' if attempt else ''}"
        raise UndecidedAnswer(f"{what}: {reason} after {tries}")

    def _backoff(self, attempt: int) -> float:
        return float(self.policy.backoff_s * (2**attempt))

    def _wait(self, seconds: float) -> bool:
        """Sleep before a retry; False when the run's waiting budget is spent (retry no more)."""
        seconds = min(max(0.0, seconds), self.policy.max_wait_s)
        if self.waited_s + seconds > self.policy.budget_s:
            return False
        self.sleep(seconds)
        self.waited_s += seconds
        self.retries += 1
        return True

    def summary(self) -> str:
        return (
            f"{self.retries} retr{'y' if self.retries == 1 else 'ies'} ({self.waited_s:.1f} s waited), "
            f"{self.undecided} undecided request(s)"
        )
