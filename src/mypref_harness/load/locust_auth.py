"""Authentication for Locust users, written against a duck-typed Locust client (no locust import).

- PNAUTHINFO3: a fresh header for every request (the signature is a few microseconds).
- OAuth: ONE :class:`SharedBearer` per Locust process, shared by all its users. It wraps the plumbing
  TokenSource (refresh before ``expires_in`` with margin + jitter, single flight) and adds what a
  load generator needs on top: token requests go through Locust's own client so they show up as
  their own statistics entry, and after a failed fetch every user backs off together (exponential
  cool-down) instead of each queueing its own attempts behind the lock.
- :func:`send`: one request; on a 401 that is a TOKEN error the token is refreshed once and the
  request replayed once. Never on a PNAUTHINFO3 failure or a bad signature: a new token does not cure
  those, and re-fetching on every 401 turned a wrong key into 204 token fetches in 5 s when measured.
  The first attempt is reported under its own ``auth: ...`` name as a failure, so nothing is hidden
  and business latency stays clean.
- a 429 is the target throttling us, not the API failing: it is reported under its own
  ``throttled: ...`` name (an error kind of its own in the summary and SLOs, out of business latency)
  and the user waits the ``Retry-After`` (at most :data:`MAX_THROTTLE_WAIT`) before its next task.

The client only needs Locust's ``request(method, url, name=, headers=, data=, catch_response=True)``
returning a context manager whose response has ``status_code``, ``headers``, ``text``, ``json()``,
``request_meta``, ``success()`` and ``failure(msg)``; tests use a fake with the same surface.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit

from mypref_harness.auth.adapters import is_token_error
from mypref_harness.auth.clock import retry_after_seconds
from mypref_harness.auth.oauth import JsonPost, TokenError, TokenSource
from mypref_harness.load.stats import AUTH_GROUP, THROTTLED_GROUP, TOKEN_GROUP

MAX_THROTTLE_WAIT = 5.0  # seconds a user waits at most after a 429, whatever Retry-After says
DEFAULT_THROTTLE_WAIT = 1.0  # after a 429 without a usable Retry-After


def _sleep(seconds: float) -> None:
    # Looked up at call time: under Locust, gevent has patched time.sleep into a cooperative one.
    time.sleep(seconds)


def token_request_name(token_url: str) -> str:
    """Statistics name of token requests, e.g. ``"token: POST /oauth2/v1/token"``."""
    return f"{TOKEN_GROUP}: POST {urlsplit(token_url).path or '/'}"


def replayed_name(name: str) -> str:
    """Statistics name of a first attempt rejected with a token error (and then replayed)."""
    return f"{AUTH_GROUP}: 401 token error, replayed: {_strip_group(name)}"


def throttled_name(name: str) -> str:
    """Statistics name of a request the target answered with 429, e.g. ``"throttled: lookup: GET /x"``
    (the original name stays in it: which group, or the token endpoint, was held back)."""
    return f"{THROTTLED_GROUP}: {name}"


def no_token_name(name: str) -> str:
    """Statistics name of a request that could not be sent: no access token was obtainable."""
    return f"{AUTH_GROUP}: no token: {_strip_group(name)}"


def _strip_group(name: str) -> str:
    head, sep, rest = name.partition(": ")
    return rest if sep else head


class TokenUnavailable(Exception):
    """No valid access token right now (the token endpoint is failing); the request is not sent."""


class RequestAuth(Protocol):
    kind: str

    def header(self) -> str | None: ...

    def on_token_error(self, stale_header: str) -> None: ...


class NoAuth:
    """No Authorization header at all (benchmark baseline against an auth-off sandbox)."""

    kind = "none"

    def header(self) -> str | None:
        return None

    def on_token_error(self, stale_header: str) -> None:
        return None


class PnAuthHeaders:
    """A fresh PNAUTHINFO3 header per request from an object with ``.header()`` (adapters.PnAuth)."""

    kind = "pnauth"

    def __init__(self, signer: Any) -> None:
        self._signer = signer

    def header(self) -> str | None:
        return str(self._signer.header())

    def on_token_error(self, stale_header: str) -> None:
        return None  # a PNAUTHINFO3 401 is never fixed by retrying


class SharedBearer:
    """The per-process bearer token for all users: a TokenSource plus a cheap shared short-circuit.

    The TokenSource retries a failing token endpoint with backoff and then fails fast for its own
    cool-down (``backoff_cap``) before the next real attempt. On top of that, for ``cooldown``
    seconds after a failure every caller gets TokenUnavailable at once, without even taking the
    TokenSource's lock: at hundreds of requests per second the refusals stay nearly free. The
    short-circuit does not grow, so the next real attempt is never later than the TokenSource's
    own cool-down (stacking doubling cool-downs delayed recovery by seconds).
    """

    kind = "oauth"

    def __init__(
        self, source: TokenSource, *, cooldown: float = 0.5, clock: Callable[[], float] = time.time
    ) -> None:
        self.source = source
        self.cooldown = cooldown
        self._clock = clock
        # Serialises the slow path only (no usable token): under gevent this is a cooperative lock.
        self._gate = threading.Lock()
        self._blocked_until = 0.0
        self.unavailable = 0  # requests refused because no token could be had
        self.last_error: str | None = None

    def _cached(self) -> str | None:
        info = self.source.current
        if info is not None and self._clock() < info.refresh_at:
            return info.access_token
        return None

    def token(self) -> str:
        cached = self._cached()
        if cached is not None:
            return cached  # the hot path: no lock, no call
        info = self.source.current
        if info is not None and self._clock() < info.expires_at:
            # Due for refresh but valid: the TokenSource refreshes in one caller, others keep it.
            return self.source.token()
        if self._clock() < self._blocked_until:
            self.unavailable += 1
            raise TokenUnavailable(self.last_error or "token endpoint failing")
        with self._gate:
            cached = self._cached()
            if cached is not None:
                return cached
            try:
                return self.source.token()
            except TokenError as exc:
                # The source's own hold-back covers a Retry-After from the token endpoint.
                self._blocked_until = max(self._clock() + self.cooldown, self.source.retry_not_before)
                self.last_error = str(exc)
                self.unavailable += 1
                raise TokenUnavailable(str(exc)) from None

    def header(self) -> str | None:
        return f"Bearer {self.token()}"

    def on_token_error(self, stale_header: str) -> None:
        stale = stale_header.removeprefix("Bearer ")
        # Drops the cache only if nobody refreshed meanwhile (no double refresh under a 401 burst).
        self.source.invalidate(stale)


def locust_token_post(session: Any, name: str) -> JsonPost:
    """A TokenSource transport that posts through a Locust client, reported under ``name``.

    Success is a 200 with an ``access_token``; anything else is a failure in Locust's statistics.
    Failure messages carry the status and the OAuth ``error`` code only: never the body, which
    could echo credentials.
    """

    def post(url: str, data: dict[str, str], headers: dict[str, str]) -> tuple[int, Any, Mapping[str, str]]:
        with session.request(
            "POST", url, name=name, data=urlencode(data), headers=headers, catch_response=True
        ) as response:
            status = int(response.status_code or 0)
            body = _json_or_none(response)
            if status == 200 and isinstance(body, dict) and body.get("access_token"):
                response.success()
            elif status == 429:  # the TokenSource waits out its Retry-After
                response.request_meta["name"] = throttled_name(name)
                response.failure("token endpoint HTTP 429 throttled")
            elif status == 0:
                response.failure("token endpoint: no response")
            else:
                code = body.get("error") if isinstance(body, dict) else None
                response.failure(
                    f"token endpoint HTTP {status}" + (f" {code}" if isinstance(code, str) else "")
                )
            # items(), not dict(): geventhttpclient's Headers maps names to (name, value) tuples
            return status, body, {str(k): str(v) for k, v in (response.headers or {}).items()}

    return post


def _json_or_none(response: Any) -> Any:
    try:
        return response.json()
    except (ValueError, TypeError, AttributeError, json.JSONDecodeError):
        return None


@dataclass
class Sent:
    """What :func:`send` tells the scenario: the final status and (lazily) the JSON body."""

    status: int
    response: Any
    ok: bool

    def json(self) -> Any:
        return _json_or_none(self.response)


def _error_detail(response: Any) -> str:
    """A short, secret-free reason for a failed request: the status and the API's Message field."""
    status = int(response.status_code or 0)
    if status == 0:
        return "no response (connection failed)"
    body = _json_or_none(response)
    message = body.get("Message") if isinstance(body, dict) else None
    return f"HTTP {status}" + (f": {str(message)[:120]}" if message else "")


def send(
    client: Any,
    auth: RequestAuth,
    method: str,
    url: str,
    name: str,
    *,
    expect: tuple[int, ...] = (200,),
    body: Any = None,
    report_unavailable: Callable[[str, str, Exception], None] | None = None,
) -> Sent | None:
    """Send one authenticated request; returns None when it could not be sent (no token)."""
    for attempt in (1, 2):
        try:
            header = auth.header()
        except TokenUnavailable as exc:
            if report_unavailable is not None:
                report_unavailable(method, no_token_name(name), exc)
            return None
        headers = {"Accept": "application/json"}
        if header:
            headers["Authorization"] = header
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        with client.request(
            method, url, name=name, headers=headers, data=data, catch_response=True
        ) as response:
            status = int(response.status_code or 0)
            if (
                attempt == 1
                and status == 401
                and auth.kind == "oauth"
                and header
                and is_token_error(response)
            ):
                # Counted, under its own name, as the failure it is; then refresh once and replay once.
                response.request_meta["name"] = replayed_name(name)
                response.failure("401 token error: token refreshed, request replayed")
                auth.on_token_error(header)
                continue
            ok = status in expect
            wait = 0.0
            if ok:
                response.success()
            elif status == 429:
                wait = throttle_wait(response)
                response.request_meta["name"] = throttled_name(name)
                response.failure(f"HTTP 429 throttled (Retry-After {wait:g} s)")
            else:
                response.failure(_error_detail(response))
        if wait:
            _sleep(wait)  # honour the target's Retry-After before this user goes on
        return Sent(status, response, ok)
    raise AssertionError("unreachable: the second attempt always returns")


def throttle_wait(response: Any) -> float:
    """Seconds to hold back after a 429: its Retry-After, bounded by MAX_THROTTLE_WAIT."""
    # items(), not get(): geventhttpclient's Headers maps names to (name, value) tuples
    headers = getattr(response, "headers", None) or {}
    values = [str(v) for k, v in headers.items() if str(k).lower() == "retry-after"]
    after = retry_after_seconds(values[0]) if values else None
    return min(MAX_THROTTLE_WAIT, DEFAULT_THROTTLE_WAIT if after is None else after)
