"""The context the auth-conformance checks and the discovery probes send their requests through.

An :class:`AuthProbe` crafts PNAUTHINFO3 headers and OAuth token requests from the documented parts
(each part overridable to forge one), sends them to one cheap documented read operation
(``GET /{clientId}/Programs`` by default), and knows the target's secrets only to redact them from
evidence. Every request goes through a :class:`~mypref_harness.auth.answers.Retrier`: an answer
that decides nothing (5xx, 429, timeout) is retried and, if it persists, raises
:class:`~mypref_harness.auth.answers.UndecidedAnswer` instead of being returned.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from mypref_harness.auth import pnauth
from mypref_harness.auth.answers import Retrier, RetryPolicy, json_body
from mypref_harness.auth.timestamps import format_utc
from mypref_harness.basis import VerdictPolicy
from mypref_harness.budget import request_hooks
from mypref_harness.config import Target
from mypref_harness.report import redact
from mypref_harness.secret import reveal
from mypref_harness.spec.params import fill_client_id
from mypref_harness.spec.roles import Role, resolve

DEFAULT_PROBE_PATH = "/{clientId}/Programs"  # the vendor's example request (our catalog's programs read)
UNKNOWN_USER_ID = "mypref.harness.no.such.user"


def programs_path(target: Target) -> str:
    """The probe request's path: the operation playing the ``programs`` role in the target's spec (by
    its [operations] table, shape or name; spec.roles), else the vendor's example path."""
    from mypref_harness.contract.spec_document import load_spec_document

    found = resolve(load_spec_document(target.spec), Role.PROGRAMS, target.operations)
    return found.path if found is not None else DEFAULT_PROBE_PATH


def wrong_case(client_id: str) -> str:
    """The ClientId spelled in a case the target must refuse (a caseless id gets a suffix)."""
    return client_id.swapcase() if client_id.swapcase() != client_id else client_id + "x"



@dataclass
class ConformanceOptions:
    report_dir: Path = Path("reports/auth-conformance")
    slow: bool = False  # wait for a long token lifetime to test expiry
    max_token_wait_s: float = 15.0  # without --slow, wait for expiry only when the lifetime is this short
    pnauth_window: int = 900  # the client's configured window (PNAUTHINFO_EXPIRATION_IN_SECONDS)
    probes: bool = True  # discovery probes (facts)
    only: Sequence[str] = ()  # run only these check ids (and no probes unless listed as "probes")
    foreign_client_id: str | None = None  # another tenant's ClientId (cross-tenant check); sandbox: demo
    probe_path: str = DEFAULT_PROBE_PATH
    write_reports: bool = True
    timeout_s: float = 10.0
    sandbox_options: dict[str, Any] = field(default_factory=dict)
    # None: strict on the embedded sandbox (our assumptions are its truth), lenient on a configured target
    policy: VerdictPolicy | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)


class AuthProbe:
    """Crafts and sends requests against one target; knows its secrets only to redact them."""

    def __init__(
        self,
        target: Target,
        options: ConformanceOptions,
        *,
        clock_offset: float = 0.0,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.target = target
        self.options = options
        self.clock_offset = clock_offset
        self.client = client or httpx.Client(timeout=options.timeout_s, event_hooks=request_hooks())
        self.key = reveal(target.api_key) or ""
        self.secret = reveal(target.oauth_client_secret) or ""
        self.tokens: list[str] = []  # every token we obtained or forged, for redaction
        self._clock = clock
        self.sleep = sleep
        self.retrier = Retrier(options.retry, sleep)
        self.requests = 0  # requests sent, retries included
        # answers shared by several checks (one wait for an expired token serves two checks)
        self.memo: dict[str, Any] = {}

    # time
    def now(self) -> float:
        return self._clock() + self.clock_offset

    def stamp(self, delta: float = 0.0) -> str:
        return format_utc(self.now() + delta)

    # secrets
    def secrets(self) -> list[str]:
        return [s for s in (self.key, self.secret, *self.tokens) if s and len(s) >= 4]

    def redact(self, text: str) -> str:
        return redact(text, self.secrets())

    # requests
    def url(self, client_id: str | None = None) -> str:
        cid = self.target.client_id if client_id is None else client_id
        path = fill_client_id(self.options.probe_path, str(cid), self.target.client_id_param)
        return self.target.url_for(path)

    def get(
        self, authorization: str | Callable[[], str] | None, client_id: str | None = None
    ) -> httpx.Response:
        """GET the probe operation; raises UndecidedAnswer when no deciding answer comes.

        ``authorization`` may be a function that builds the header: it is called again for every
        retry, so a timestamp relative to now does not age by the wait (a bisection over the
        window would otherwise measure the window minus the Retry-After).
        """
        url = self.url(client_id)

        def send() -> httpx.Response:
            headers = {"Accept": "application/json"}
            header = authorization() if callable(authorization) else authorization
            if header is not None:
                headers["Authorization"] = header
            self.requests += 1
            return self.client.get(url, headers=headers)

        return self.retrier.send(send, f"GET {self.options.probe_path}")

    def pn(
        self,
        *,
        scheme: str | None = None,
        key: str | None = None,
        user_id: str | None = None,
        client_id: str | None = None,
        timestamp: str | None = None,
        encoding: pnauth.UserIdEncoding | str | None = None,
    ) -> str:
        """A PNAUTHINFO3 header built from the documented parts (each overridable to forge one)."""
        parsed = pnauth.parse_scheme(scheme or self.target.pnauth_scheme)
        enc = encoding or self.target.user_id_encoding or pnauth.DEFAULT_ENCODING
        encoded_user = pnauth.encode_user_id(user_id or str(self.target.user_id), enc)
        stamp = timestamp if timestamp is not None else self.stamp(-1)
        cid = str(self.target.client_id if client_id is None else client_id)
        message = pnauth.build_message(parsed, self.key if key is None else key, cid, encoded_user, stamp)
        signature = pnauth.compute_signature(parsed, self.key if key is None else key, message)
        return pnauth.format_header(parsed, encoded_user, stamp, signature)

    # OAuth
    def token_request(
        self,
        *,
        send: str = "basic",
        secret: str | None = None,
        scope: str | None = "",
        client_id: str | None = None,
    ) -> httpx.Response:
        """A raw client-credentials request; scope "" means the target's scope, None means no scope."""
        assert self.target.token_url
        token_url = self.target.token_url
        cid = client_id or str(self.target.oauth_client_id)
        sec = self.secret if secret is None else secret
        form = {"grant_type": "client_credentials"}
        if scope is not None:
            form["scope"] = scope or self.target.scope
        headers = {"Accept": "application/json"}
        if send == "basic":
            raw = f"{cid}:{sec}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(raw).decode()
        else:
            form.update(client_id=cid, client_secret=sec)

        def post() -> httpx.Response:
            self.requests += 1
            return self.client.post(token_url, data=form, headers=headers)

        response = self.retrier.send(post, "token request")
        token = json_body(response).get("access_token") if response.status_code == 200 else None
        if isinstance(token, str):
            self.tokens.append(token)
        return response

    def token(self) -> str | None:
        response = self.token_request()
        token = json_body(response).get("access_token")
        return token if response.status_code == 200 and isinstance(token, str) else None

    # evidence
    def evidence(self, response: httpx.Response, what: str = "") -> str:
        parts = [f"{what}: " if what else "", f"HTTP {response.status_code}"]
        if 200 <= response.status_code < 300:
            return self.redact("".join(parts))
        challenge = response.headers.get("www-authenticate")
        parts.append(f"; WWW-Authenticate: {challenge}" if challenge else "; no WWW-Authenticate")
        body = json_body(response)
        if "Message" in body:
            parts.append(f"; Message: {body['Message']!r}")
        elif "error" in body:
            parts.append(f"; error: {body.get('error')!r}")
        elif response.content:
            parts.append(f"; body: {response.text[:120]!r}")
        else:
            parts.append("; empty body")
        return self.redact("".join(parts))


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def token_lifetimes(response: httpx.Response) -> tuple[float | None, float | None]:
    """(expires_in, exp - iat of the JWT) of a token response; None where absent."""
    body = json_body(response)
    expires_in = body.get("expires_in")
    token = body.get("access_token")
    jwt_life = None
    if isinstance(token, str) and token.count(".") == 2:
        try:
            claims = json.loads(b64url_decode(token.split(".")[1]))
            if isinstance(claims.get("exp"), int | float) and isinstance(claims.get("iat"), int | float):
                jwt_life = float(claims["exp"] - claims["iat"])
        except (ValueError, TypeError, AttributeError):
            jwt_life = None
    if isinstance(expires_in, bool) or not isinstance(expires_in, int | float):
        return None, jwt_life
    return float(expires_in), jwt_life


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def tampered_token(token: str) -> str:
    """The same token with its payload changed (exp pushed one hour later), signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(b64url_decode(payload))
    claims["exp"] = int(claims.get("exp", time.time())) + 3600
    return f"{header}.{_b64url(json.dumps(claims, separators=(',', ':')).encode())}.{signature}"


def unsigned_token(token: str) -> str:
    """``alg: none``: header {"alg":"none","typ":"JWT"}, the original payload, an empty signature."""
    _, payload, _ = token.split(".")
    header = _b64url(json.dumps({"alg": "none", "typ": "JWT"}, separators=(",", ":")).encode())
    return f"{header}.{payload}."
