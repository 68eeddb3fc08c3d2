"""One way to authenticate, for every client: httpx.Auth flows and their requests twins.

httpx's ``Auth.auth_flow`` is a generator that yields the request and may receive the response,
so "sign every request" and "on a 401 token error, refresh once and replay once" each live in
one small place, the same shape as httpx's own ``_auth.py`` (BasicAuth, DigestAuth). The requests
twins do the same for Schemathesis / requests sessions. Building one of these from a configured
Target is ``mypref_harness.credentials``' job: nothing here knows the configuration.

A 401 only triggers a token refresh when it is a *token* error (:func:`is_token_error`): a
PNAUTHINFO3 signature failure or a bad scheme must not refresh tokens. Refreshing on every 401
(Schemathesis's default ``retry_on=[401]`` does, and so did a first Locust helper) turns a wrong
key into a token storm: 204 token fetches in 5 s were measured that way.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Generator, Mapping
from typing import Any

import httpx

from mypref_harness.auth.oauth import TokenSource
from mypref_harness.auth.pnauth import DEFAULT_SCHEME, Signer, UserIdEncoding
from mypref_harness.secret import Secret, reveal

# RFC 6750 §3: WWW-Authenticate: Bearer realm="...", error="invalid_token", error_description="..."
_INVALID_TOKEN_RE = re.compile(r'error\s*=\s*"?invalid_token"?', re.IGNORECASE)
# Body texts that name an expired/invalid *access token* (our sandbox, Okta-like servers, PyJWT).
_TOKEN_BODY_RE = re.compile(
    r"invalid_token"
    r"|\b(access[ _-]?)?token\b[^.\n]{0,40}\b(expired|invalid|revoked|not active|malformed)\b"
    r"|\b(expired|invalid|revoked)\b[^.\n]{0,20}\b(access[ _-]?)?token\b"
    r"|\bjwt\b[^.\n]{0,20}\b(expired|invalid)\b"
    r"|signature has expired",
    re.IGNORECASE,
)


def _get_header(headers: Any, name: str) -> list[str]:
    """All values of a header from httpx/requests/Locust/plain-dict headers."""
    get_list = getattr(headers, "get_list", None)
    if callable(get_list):  # httpx
        return [str(v) for v in get_list(name)]
    if isinstance(headers, Mapping):
        for key, value in headers.items():
            if str(key).lower() == name.lower():
                return [str(value)]
        return []
    value = headers.get(name) if headers is not None else None
    return [str(value)] if value is not None else []


def _body_text(response: Any) -> str:
    try:
        text = getattr(response, "text", None)
    except Exception:  # e.g. an undecodable body: fall back to the raw bytes
        text = None
    if callable(text):
        text = None
    if isinstance(text, str):
        return text[:2000]
    content = getattr(response, "content", b"")
    if isinstance(content, bytes | bytearray):
        return bytes(content[:2000]).decode("utf-8", "replace")
    return ""


def is_token_error(response: Any) -> bool:
    """True for a 401 that says the *access token* is expired or invalid.

    Evidence: ``WWW-Authenticate`` with ``error="invalid_token"`` (RFC 6750), or else a body naming
    an expired/invalid/malformed token (a server that omits the challenge). A PNAUTHINFO3 challenge
    or one of the documented PNAUTHINFO3 401 messages is never a token error.
    Works with httpx, requests and Locust responses (needs .status_code, .headers, .text/.content).
    """
    if getattr(response, "status_code", None) != 401:
        return False
    challenges = _get_header(getattr(response, "headers", None), "www-authenticate")
    if any(_INVALID_TOKEN_RE.search(c) for c in challenges):
        return True
    body = _body_text(response)
    message = body
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        if parsed.get("error") == "invalid_token":
            return True
        fields = ("Message", "message", "error", "error_description", "detail", "title")
        message = " ".join(str(parsed.get(k, "")) for k in fields)
    # The documented PNAUTHINFO3 401 texts (scheme, ISO 8601 date, "too large", missing header,
    # "Unable to authenticate request") never name a token, so they do not match.
    return bool(_TOKEN_BODY_RE.search(message))


def _reveal(value: Secret | str | None) -> str:
    raw = reveal(value)
    if not raw:
        raise ValueError("a PNAUTHINFO3 key is required")
    return raw


# --------------------------------------------------------------------------------------- httpx


class PnAuth(httpx.Auth):
    """Signs every request freshly with PNAUTHINFO3 for a fixed ClientId/UserId.

    ``clock_offset`` (seconds, see auth.clock.safe_signing_offset) shifts the issued timestamp so a
    local clock running ahead of the server never produces "future" timestamps.
    """

    def __init__(
        self,
        key: Secret | str,
        client_id: str,
        user_id: str,
        scheme: str = DEFAULT_SCHEME,
        encoding: UserIdEncoding | str | None = None,
        clock_offset: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_id = client_id
        self.user_id = user_id
        self.clock_offset = clock_offset
        self._clock = clock
        self._signer = Signer(
            key=_reveal(key),
            client_id=client_id,
            scheme=scheme,
            encoding=encoding or UserIdEncoding.FORM,
            clock=self._now,
        )

    def _now(self) -> float:
        return self._clock() + self.clock_offset

    def __repr__(self) -> str:
        return f"PnAuth(client_id={self.client_id!r}, user_id={self.user_id!r}, {self._signer!r})"

    def header(self) -> str:
        return self._signer.header(self.user_id)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self.header()
        yield request


class BearerAuth(httpx.Auth):
    """Bearer token from a TokenSource; on a 401 token error: invalidate once, replay once."""

    requires_response_body = True  # is_token_error reads the 401 body

    def __init__(self, token_source: TokenSource) -> None:
        self.token_source = token_source
        self.replays = 0  # how many requests were replayed after a token error

    def __repr__(self) -> str:
        return f"BearerAuth({self.token_source!r})"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self.token_source.token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401 and is_token_error(response):
            self.token_source.invalidate(token)
            self.replays += 1
            request.headers["Authorization"] = f"Bearer {self.token_source.token()}"
            yield request


# --------------------------------------------------------------------------------------- requests
# Twins for requests (Schemathesis, plain sessions). requests accepts any callable taking and
# returning the PreparedRequest as ``auth=``, so these do not subclass requests.auth.AuthBase:
# importing requests here would make ``import locust`` crash in the same process: gevent's
# monkey-patching of ssl then comes too late and Locust dies with a RecursionError.


class PnAuthRequests:
    """requests auth: PNAUTHINFO3 header on every request (same signing as :class:`PnAuth`)."""

    def __init__(self, key: Secret | str, client_id: str, user_id: str, scheme: str = DEFAULT_SCHEME,
                 encoding: UserIdEncoding | str | None = None, clock_offset: float = 0.0,
                 clock: Callable[[], float] = time.time) -> None:
        self._auth = PnAuth(key, client_id, user_id, scheme, encoding, clock_offset, clock)

    def __repr__(self) -> str:
        return f"PnAuthRequests({self._auth!r})"

    def header(self) -> str:
        return self._auth.header()

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = self._auth.header()
        return request


class BearerAuthRequests:
    """requests auth: Bearer from a TokenSource; replays once on a 401 token error (response hook)."""

    def __init__(self, token_source: TokenSource) -> None:
        self.token_source = token_source
        self.replays = 0

    def __repr__(self) -> str:
        return f"BearerAuthRequests({self.token_source!r})"

    def __call__(self, request: Any) -> Any:
        token = self.token_source.token()
        request.headers["Authorization"] = f"Bearer {token}"
        request.register_hook("response", self._make_hook(token))
        return request

    def _make_hook(self, token: str) -> Callable[..., Any]:
        def handle_401(response: Any, **kwargs: Any) -> Any:
            # Same pattern as requests.auth.HTTPDigestAuth.handle_401: consume, re-send once.
            if response.status_code != 401 or getattr(response.request, "_mypref_replayed", False):
                return response
            _ = response.content
            if not is_token_error(response):
                return response
            self.token_source.invalidate(token)
            self.replays += 1
            response.close()
            replay = response.request.copy()
            replay.headers["Authorization"] = f"Bearer {self.token_source.token()}"
            replay._mypref_replayed = True
            new_response = response.connection.send(replay, **kwargs)
            new_response.history.append(response)
            new_response.request = replay
            return new_response

        return handle_401
