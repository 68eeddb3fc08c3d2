"""OAuth 2.0 client-credentials TokenSource: fetch, cache, refresh early, one refresh at a time.

Modelled on a token cache measured under Locust (50 users, 5 s tokens), with what went wrong there
fixed:
- only a *token* error invalidates (``invalidate(stale)`` drops the cache only if it still holds
  that token; the adapters decide what a token error is), so a wrong PNAUTHINFO3 key or a bad
  request cannot cause a token storm (invalidating on every 401 caused 204 token fetches in 5 s);
- refresh happens before expiry with a margin plus random jitter, so many processes started
  together do not refresh in lockstep;
- one refresh at a time per process (``threading.Lock``; Locust's gevent monkey-patching turns it
  into a cooperative lock). While a still-valid token is being refreshed, other callers keep using
  it instead of queueing behind the refresher;
- bounded retries with exponential backoff on 5xx, 429 and connection errors; 4xx fails at once;
- a 429 (or 503) with ``Retry-After`` is honoured: the retry waits at least that long (jitter only
  on top), a wait longer than ``max_retry_wait`` ends the fetch at once instead of blocking the
  caller, and no caller of this source tries again before the server's time is up (no stampede).

The HTTP transport is pluggable: ``post(url, data, headers) -> (status, json_or_None, headers)``.
Locust passes one that goes through its client so token requests appear in its statistics.
A transport signals a connection failure by raising :class:`TransportFailure` (or OSError /
httpx.TransportError), or by returning status 0 (what Locust's clients report).
"""

from __future__ import annotations

import base64
import json
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from mypref_harness.auth.clock import retry_after_seconds
from mypref_harness.budget import request_hooks
from mypref_harness.errors import ExitCode, HarnessError

JsonPost = Callable[[str, dict[str, str], dict[str, str]], tuple[int, Any, Mapping[str, str]]]

DEFAULT_TIMEOUT = 10.0
DEFAULT_LIFETIME = 300.0  # when the server gives neither expires_in nor a JWT exp
_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


def _wall_clock() -> float:
    return time.time()


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


class AssertionSigner(Protocol):
    def __call__(self) -> str: ...


class TransportFailure(Exception):
    """Raised by a transport when the request did not get an HTTP response (refused, DNS, timeout)."""


class TokenError(HarnessError):
    """The token endpoint refused or could not be reached. Never carries the secret.

    ``error`` / ``error_description`` are the RFC 6749 §5.2 fields when the server sent them.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error: str | None = None,
        error_description: str | None = None,
        attempts: int = 1,
        exit_code: ExitCode | None = None,
    ) -> None:
        super().__init__(message, exit_code)
        self.status = status
        self.error = error
        self.error_description = error_description
        self.attempts = attempts
        self.retry_after: float | None = None  # seconds, from a Retry-After header

    def copy(self) -> TokenError:
        """A fresh exception with the same fields (one object must not be raised in many threads)."""
        clone = TokenError(str(self), status=self.status, error=self.error,
                           error_description=self.error_description, attempts=self.attempts,
                           exit_code=self.exit_code)
        clone.retry_after = self.retry_after
        return clone


@dataclass(frozen=True)
class TokenInfo:
    access_token: str
    obtained_at: float
    expires_at: float  # hard expiry: never hand the token out after this
    refresh_at: float  # start refreshing from here (margin + jitter before expiry)

    @property
    def lifetime(self) -> float:
        return self.expires_at - self.obtained_at


def httpx_post(
    timeout: float = DEFAULT_TIMEOUT, verify: bool = True, transport: httpx.BaseTransport | None = None
) -> JsonPost:
    """The default transport: a short-lived httpx client per fetch (fetches are rare).

    ``transport`` is for tests (httpx.MockTransport) and custom TLS setups.
    """

    def post(url: str, data: dict[str, str], headers: dict[str, str]) -> tuple[int, Any, Mapping[str, str]]:
        try:
            # Token requests count against the run's rate and budget too (the target's limit covers them).
            with httpx.Client(
                timeout=timeout, verify=verify, transport=transport, event_hooks=request_hooks()
            ) as client:
                response = client.post(url, data=data, headers=headers)
        except httpx.TransportError as exc:
            raise TransportFailure(_describe_transport_error(exc)) from None
        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError):
            body = None
        return response.status_code, body, response.headers

    return post


def _describe_transport_error(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect ({exc})"
    return f"{type(exc).__name__}: {exc}"


def jwt_expiry(token: str) -> float | None:
    """The ``exp`` claim of a JWT-shaped token, read WITHOUT verification (only to schedule refresh)."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, json.JSONDecodeError):
        return None
    exp = payload.get("exp") if isinstance(payload, dict) else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else None


class TokenSource:
    """A cached client-credentials access token for one (token URL, OAuth client, scope).

    Give either ``client_secret`` (sent per ``send``: "basic" header or "body" form fields) or
    ``assertion`` (a callable returning a signed client assertion JWT, see auth.assertion).
    ``refresh_margin`` and ``jitter`` are seconds, each capped to a fraction of the token lifetime
    (20 % and 10 %) so that short-lived tokens are not refreshed on every call.
    """

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str | None = None,
        scope: str | None = None,
        *,
        assertion: AssertionSigner | None = None,
        send: str = "basic",
        refresh_margin: float = 30.0,
        jitter: float = 15.0,
        max_attempts: int = 4,
        backoff_base: float = 0.25,
        backoff_cap: float = 4.0,
        max_retry_wait: float = 10.0,
        post: JsonPost | None = None,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], None] | None = None,
        rng: random.Random | None = None,
        extra_params: Mapping[str, str] | None = None,
        clock_offset: float = 0.0,
    ) -> None:
        if (client_secret is None) == (assertion is None):
            raise ValueError("TokenSource needs exactly one of client_secret or assertion")
        if send not in ("basic", "body"):
            raise ValueError("send must be 'basic' or 'body'")
        if max_attempts < 1:
            raise ValueError("max_attempts must be >= 1")
        self.token_url = token_url
        self.client_id = client_id
        self._client_secret = client_secret
        self._assertion = assertion
        self.scope = scope
        self.send = send
        self.refresh_margin = refresh_margin
        self.jitter = jitter
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_retry_wait = max_retry_wait  # longest Retry-After waited out inside one fetch
        self._post = post or httpx_post()
        # Looked up at call time, not bound at import: under Locust, gevent patches time.sleep after
        # this module may have been imported, and an unpatched sleep would block every greenlet.
        self._clock = clock or _wall_clock
        self._sleep = sleep or _sleep
        self._rng = rng or random.Random()  # noqa: S311 - jitter, not cryptography
        self._extra = dict(extra_params or {})
        # Seconds from the local clock to the server's (auth.clock.signing_offset_for): a JWT's exp is
        # in server time, so a server clock 2 minutes behind must not make tokens look 2 minutes shorter.
        self.clock_offset = clock_offset
        self._lock = threading.Lock()
        self._info: TokenInfo | None = None
        self._failed_until = 0.0  # after a failed fetch: no new attempt before this time
        self._last_error: TokenError | None = None
        # Counters (read by load reports): successful fetches, failed fetch attempts, invalidations.
        self.fetches = 0
        self.failures = 0
        self.invalidations = 0
        self.throttled = 0  # 429 answers of the token endpoint

    def __repr__(self) -> str:
        kind = "assertion" if self._assertion else f"secret via {self.send}"
        return f"TokenSource({self.token_url!r}, client_id={self.client_id!r}, scope={self.scope!r}, {kind})"

    # ------------------------------------------------------------------ public

    @property
    def current(self) -> TokenInfo | None:
        return self._info

    @property
    def retry_not_before(self) -> float:
        """After a failed fetch: no new attempt before this time (clock seconds; 0 when none pending)."""
        return self._failed_until

    def secrets(self) -> list[str]:
        """Raw values to redact: the client secret and the cached access token."""
        values = [self._client_secret] if self._client_secret else []
        if self._info is not None:
            values.append(self._info.access_token)
        return values

    def token(self) -> str:
        """A valid access token: cached, refreshed early, fetched by at most one caller at a time."""
        info = self._info
        now = self._clock()
        if info is not None and now < info.refresh_at:
            return info.access_token
        if info is not None and now < info.expires_at:
            # Due for refresh but still valid: one caller refreshes, the others keep using it.
            if not self._lock.acquire(blocking=False):
                return info.access_token
            try:
                return self._refresh_soft(info)
            finally:
                self._lock.release()
        with self._lock:
            info = self._info
            now = self._clock()
            if info is not None and now < info.refresh_at:
                return info.access_token  # someone else refreshed while we waited
            if self._last_error is not None and now < self._failed_until:
                # The endpoint just failed (after its own retries): fail fast instead of letting
                # every waiting caller run another full retry cycle against a broken endpoint.
                raise self._last_error.copy()
            return self._fetch_and_store()

    def invalidate(self, stale_token: str | None = None) -> bool:
        """Drop the cached token if it is still ``stale_token`` (or unconditionally when None).

        Returns True when the cache was dropped. A caller holding an old token after another
        caller refreshed does not throw away the fresh one.
        """
        with self._lock:
            if self._info is None:
                return False
            if stale_token is not None and self._info.access_token != stale_token:
                return False
            self._info = None
            self.invalidations += 1
            return True

    def fetch(self) -> TokenInfo:
        """Fetch a new token now (bypassing the cache and any failure cool-down) and cache it."""
        with self._lock:
            self._fetch_and_store()
            assert self._info is not None
            return self._info

    # ------------------------------------------------------------------ internals

    def _refresh_soft(self, info: TokenInfo) -> str:
        current = self._info
        if current is None:  # invalidated meanwhile: the old token is known bad, fetch now
            return self._fetch_and_store()
        if current is not info:  # refreshed between our check and taking the lock
            return current.access_token
        if self._clock() < self._failed_until:
            return info.access_token
        try:
            return self._fetch_and_store()
        except TokenError:
            # The old token is still valid: keep serving it, try again a little later.
            return info.access_token

    def _fetch_and_store(self) -> str:
        """Fetch (with retries) and cache; on failure remember it for a short cool-down."""
        try:
            info = self._fetch()
        except TokenError as exc:
            self._last_error = exc
            # The server's Retry-After, when longer than our own cool-down, holds every caller back.
            self._failed_until = self._clock() + max(self.backoff_cap, exc.retry_after or 0.0)
            raise
        self._info = info
        self._last_error = None
        self._failed_until = 0.0
        self.fetches += 1
        return info.access_token

    def _request(self) -> tuple[dict[str, str], dict[str, str]]:
        data = {"grant_type": "client_credentials"}
        if self.scope:
            data["scope"] = self.scope
        headers = {"Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"}
        if self._assertion is not None:
            data["client_id"] = self.client_id
            data["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
            data["client_assertion"] = self._assertion()
        elif self.send == "basic":
            # As the vendor documents: Base64("client_id:client_secret") (no form-encoding first).
            pair = f"{self.client_id}:{self._client_secret}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        else:
            data["client_id"] = self.client_id
            data["client_secret"] = self._client_secret or ""
        data.update(self._extra)
        return data, headers

    def _fetch(self) -> TokenInfo:
        last: TokenError | None = None
        for attempt in range(1, self.max_attempts + 1):
            if attempt > 1:
                self._sleep(self._backoff(attempt - 1, last))
            data, headers = self._request()  # fresh per attempt: assertions are single-use
            try:
                status, body, response_headers = self._post(self.token_url, data, headers)
            except (TransportFailure, OSError, httpx.TransportError) as exc:
                self.failures += 1
                last = TokenError(f"token endpoint {self.token_url} unreachable: {self._clean(str(exc))}",
                                  attempts=attempt, exit_code=ExitCode.UNREACHABLE)
                continue
            if status == 0:
                self.failures += 1
                last = TokenError(f"token endpoint {self.token_url} unreachable (no response)",
                                  attempts=attempt, exit_code=ExitCode.UNREACHABLE)
                continue
            if status == 200:
                return self._parse_success(body, attempt)
            self.failures += 1
            if status == 429:
                self.throttled += 1
            last = self._error_from(status, body, attempt, response_headers)
            if status not in _RETRYABLE_STATUS:
                raise last
            if last.retry_after is not None and last.retry_after > self.max_retry_wait:
                raise last  # not worth blocking the caller; the cool-down keeps everyone back
        assert last is not None
        raise last

    def _backoff(self, retry: int, last: TokenError | None) -> float:
        if last is not None and last.retry_after is not None:
            # Never earlier than the server asked; the jitter (up to 10 %, at most 1 s) only adds,
            # so that processes throttled together do not come back together.
            return last.retry_after + self._rng.uniform(0, min(1.0, 0.1 * last.retry_after))
        delay = min(self.backoff_cap, self.backoff_base * (2 ** (retry - 1)))
        # "Equal jitter": at least half the delay, so retries of many processes spread out.
        return delay / 2 + self._rng.uniform(0, delay / 2)

    def _parse_success(self, body: Any, attempt: int) -> TokenInfo:
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            self.failures += 1
            raise TokenError(f"token endpoint {self.token_url} answered 200 without an access_token",
                             status=200, attempts=attempt, exit_code=ExitCode.FINDINGS)
        token_type = body.get("token_type", "Bearer")
        if not isinstance(token_type, str) or token_type.lower() != "bearer":
            self.failures += 1
            raise TokenError(f"token endpoint returned token_type {token_type!r}, expected Bearer",
                             status=200, attempts=attempt, exit_code=ExitCode.FINDINGS)
        now = self._clock()
        lifetimes = []
        expires_in = body.get("expires_in")
        try:
            if expires_in is not None and not isinstance(expires_in, bool):
                lifetimes.append(float(expires_in))
        except (TypeError, ValueError):
            pass
        exp = jwt_expiry(token)
        if exp is not None:
            lifetimes.append(exp - (now + self.clock_offset))  # earlier of the two wins
        lifetime = max(0.0, min(lifetimes)) if lifetimes else DEFAULT_LIFETIME
        margin = min(self.refresh_margin, 0.2 * lifetime)
        jitter = self._rng.uniform(0, min(self.jitter, 0.1 * lifetime))
        return TokenInfo(token, now, now + lifetime, now + lifetime - margin - jitter)

    def _error_from(self, status: int, body: Any, attempt: int, headers: Mapping[str, str]) -> TokenError:
        error = description = None
        if isinstance(body, dict):
            error = body.get("error") if isinstance(body.get("error"), str) else None
            raw = body.get("error_description")
            description = self._clean(raw) if isinstance(raw, str) else None
        detail = f": {error}" if error else ""
        if description:
            detail += f" ({description})"
        if status in _RETRYABLE_STATUS:
            code = ExitCode.UNREACHABLE
        elif status in (400, 401, 403):
            code = ExitCode.USAGE  # credentials or scope rejected: a configuration problem
        else:
            code = ExitCode.FINDINGS
        exc = TokenError(f"token endpoint {self.token_url} answered {status}{detail}", status=status,
                         error=error, error_description=description, attempts=attempt, exit_code=code)
        exc.retry_after = retry_after_seconds(_header(headers, "retry-after"), now=self._clock())
        return exc

    def _clean(self, text: str) -> str:
        """Server text with our own secret removed, in case a server echoes it back."""
        if self._client_secret:
            text = text.replace(self._client_secret, "***")
        return text[:300]


def _header(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None
