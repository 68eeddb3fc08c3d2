"""Live auth conformance: does the target authenticate exactly as the vendor documents?

Every check sends a few crafted requests with httpx and returns a CheckRecord (name, pass/fail,
evidence = status, WWW-Authenticate, Message; never a signature or token). Each check declares the
seeded sandbox defects it is expected to catch (``catches``), which the defect-matrix test uses.

Requests for the "accepted/rejected" verdicts go to one cheap, documented read operation
(``GET /{clientId}/Programs`` by default). Rejections must be a 401 with ``WWW-Authenticate`` and a
``Message`` containing the documented phrase; an unknown ClientId must be a 404 with an empty body.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from mypref_harness import demo
from mypref_harness.auth import pnauth
from mypref_harness.auth.adapters import is_token_error
from mypref_harness.auth.timestamps import format_utc
from mypref_harness.config import Target, check_reachable, resolved_target, reveal
from mypref_harness.contract.results import CheckRecord, ConformanceResult, Status
from mypref_harness.errors import TargetUnreachable
from mypref_harness.report import redact

DEFAULT_PROBE_PATH = "/{clientId}/Programs"
UNKNOWN_CLIENT_ID = "MyprefHarnessNoSuchClient"
UNKNOWN_USER_ID = "mypref.harness.no.such.user"
FUTURE_SECONDS = 300  # clearly in the future, beyond any plausible clock-skew allowance
PAST_WINDOW_MARGIN = 30  # "just past the window"

# The documented phrase of each 401 (API overview, "401 - Authorization Errors").
PHRASES = {
    pnauth.Reason.INVALID_SCHEME: "The scheme is invalid",
    pnauth.Reason.INVALID_TIMESTAMP: "does not match an expected ISO 8601 format",
    pnauth.Reason.EXPIRED: "The difference between the issued timestamp and the current time is too large",
    pnauth.Reason.MISSING_HEADER: "Missing Authorization Header",
    pnauth.Reason.UNAUTHENTICATED: "Unable to authenticate request",
}


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


# --- the probe context -------------------------------------------------------------------------


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
        self.client = client or httpx.Client(timeout=options.timeout_s)
        self.key = reveal(target.api_key) or ""
        self.secret = reveal(target.oauth_client_secret) or ""
        self.tokens: list[str] = []  # every token we obtained, for redaction
        self._clock = clock
        self.sleep = sleep
        self.requests = 0

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
        path = self.options.probe_path.replace("{clientId}", quote(str(cid), safe=""))
        return f"{self.target.base_url}{path}"

    def get(self, authorization: str | None, client_id: str | None = None) -> httpx.Response:
        headers = {"Accept": "application/json"}
        if authorization is not None:
            headers["Authorization"] = authorization
        self.requests += 1
        try:
            return self.client.get(self.url(client_id), headers=headers)
        except httpx.TransportError as exc:
            raise TargetUnreachable(f"{self.target.base_url}: {type(exc).__name__}: {exc}") from None

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
        self.requests += 1
        try:
            response = self.client.post(self.target.token_url, data=form, headers=headers)
        except httpx.TransportError as exc:
            raise TargetUnreachable(f"{self.target.token_url}: {type(exc).__name__}: {exc}") from None
        token = _json(response).get("access_token") if response.status_code == 200 else None
        if isinstance(token, str):
            self.tokens.append(token)
        return response

    def token(self) -> str | None:
        response = self.token_request()
        token = _json(response).get("access_token")
        return token if response.status_code == 200 and isinstance(token, str) else None

    # evidence
    def evidence(self, response: httpx.Response, what: str = "") -> str:
        parts = [f"{what}: " if what else "", f"HTTP {response.status_code}"]
        if 200 <= response.status_code < 300:
            return self.redact("".join(parts))
        challenge = response.headers.get("www-authenticate")
        parts.append(f"; WWW-Authenticate: {challenge}" if challenge else "; no WWW-Authenticate")
        body = _json(response)
        if "Message" in body:
            parts.append(f"; Message: {body['Message']!r}")
        elif "error" in body:
            parts.append(f"; error: {body.get('error')!r}")
        elif response.content and not 200 <= response.status_code < 300:
            parts.append(f"; body: {response.text[:120]!r}")
        else:
            parts.append("; empty body")
        return self.redact("".join(parts))


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


# --- verdict helpers ---------------------------------------------------------------------------


def _record(check_id: str, title: str, ok: bool, evidence: str) -> CheckRecord:
    return CheckRecord(
        name=title, check=check_id, status=Status.PASSED if ok else Status.FAILED, evidence=evidence
    )


def _skip(check_id: str, title: str, why: str) -> CheckRecord:
    return CheckRecord(name=title, check=check_id, status=Status.SKIPPED, evidence=why)


def accepted(response: httpx.Response) -> bool:
    return 200 <= response.status_code < 300


def rejection_problems(response: httpx.Response, reason: pnauth.Reason | None) -> list[str]:
    """Why ``response`` is not the documented 401 for ``reason`` (empty list: it is)."""
    problems = []
    if response.status_code != 401:
        problems.append(f"expected 401, got {response.status_code}")
        return problems
    if not response.headers.get("www-authenticate", "").strip():
        problems.append("401 without WWW-Authenticate")
    message = _json(response).get("Message")
    if not isinstance(message, str):
        problems.append("401 body has no Message")
    elif reason is not None and PHRASES[reason].lower() not in message.lower():
        problems.append(f"Message does not say {PHRASES[reason]!r}")
    return problems


def expect_rejected(
    probe: AuthProbe, check_id: str, title: str, response: httpx.Response, reason: pnauth.Reason | None
) -> CheckRecord:
    problems = rejection_problems(response, reason)
    evidence = probe.evidence(response)
    return _record(
        check_id, title, not problems, evidence + ("" if not problems else " -> " + "; ".join(problems))
    )


# --- PNAUTHINFO3 checks ------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthCheck:
    id: str
    title: str
    scheme: str  # "pnauth" | "oauth"
    run: Callable[[AuthProbe], CheckRecord]
    catches: tuple[str, ...] = ()


def _accepts_scheme(scheme: str) -> Callable[[AuthProbe], CheckRecord]:
    def run(probe: AuthProbe) -> CheckRecord:
        response = probe.get(probe.pn(scheme=scheme))
        return _record(
            f"pnauth.accepted.{scheme.lower()}",
            f"{scheme} accepted",
            accepted(response),
            probe.evidence(response),
        )

    return run


def _scheme_any_case(probe: AuthProbe) -> CheckRecord:
    name = pnauth.parse_scheme(probe.target.pnauth_scheme).name
    variants = [name.lower(), name[:1] + name[1:].lower(), name.swapcase()]
    evidences, ok = [], True
    for variant in variants:
        header = probe.pn()
        response = probe.get(variant + header[len(name) :])
        ok = ok and accepted(response)
        evidences.append(probe.evidence(response, variant))
    return _record("pnauth.scheme-case", "scheme name in any case accepted", ok, " | ".join(evidences))


def _rejects(
    check_id: str,
    title: str,
    reason: pnauth.Reason | None,
    make: Callable[[AuthProbe], tuple[str | None, str | None]],
) -> Callable[[AuthProbe], CheckRecord]:
    """make(probe) -> (Authorization header or None, ClientId for the URL or None)."""

    def run(probe: AuthProbe) -> CheckRecord:
        header, client_id = make(probe)
        return expect_rejected(probe, check_id, title, probe.get(header, client_id), reason)

    return run


def _sha1_header(probe: AuthProbe) -> tuple[str, None]:
    user = pnauth.encode_user_id(
        str(probe.target.user_id), probe.target.user_id_encoding or pnauth.DEFAULT_ENCODING
    )
    stamp = probe.stamp(-1)
    message = f"{probe.target.client_id}:{user}:{stamp}".encode()
    signature = base64.b64encode(hmac.digest(probe.key.encode(), message, hashlib.sha1)).decode()
    return f"PNAUTHINFO3-HMAC-SHA1 Credential={user}/{stamp} Signature={signature}", None


def _truncated(probe: AuthProbe) -> tuple[str, None]:
    header = probe.pn()
    head, _, signature = header.rpartition("Signature=")
    return f"{head}Signature={signature[:24]}", None  # 24 Base64 chars = a valid 18-byte prefix


def _wrong_case_client(probe: AuthProbe) -> tuple[str, str]:
    client = str(probe.target.client_id)
    wrong = client.swapcase() if client.swapcase() != client else client + "x"
    return probe.pn(), wrong  # signed for the registered spelling, sent to the wrong-case URL


def _wrong_case_rejected(probe: AuthProbe) -> CheckRecord:
    """The docs: signed for SanchezAssociates, sent to /SANCHEZASSOCIATES/... -> rejected.

    A 401 with the documented message is the documented outcome; a 404 with an empty body (the
    lookup is case-sensitive, so the spelling is an unknown ClientId) rejects the request too.
    """
    header, client_id = _wrong_case_client(probe)
    response = probe.get(header, client_id)
    title = "ClientId in the wrong case in the URL rejected"
    if response.status_code == 404 and not response.content.strip():
        return _record(
            "pnauth.clientid-wrong-case",
            title,
            True,
            probe.evidence(response) + " (case-sensitive lookup: treated as an unknown ClientId)",
        )
    return expect_rejected(
        probe, "pnauth.clientid-wrong-case", title, response, pnauth.Reason.UNAUTHENTICATED
    )


def _unknown_client(probe: AuthProbe) -> CheckRecord:
    response = probe.get(probe.pn(client_id=UNKNOWN_CLIENT_ID), UNKNOWN_CLIENT_ID)
    ok = response.status_code == 404 and not response.content.strip()
    evidence = probe.evidence(response)
    if response.status_code == 404 and response.content.strip():
        evidence += " -> the docs: 404 with no body"
    elif response.status_code != 404:
        evidence += " -> expected 404"
    return _record("pnauth.unknown-client", "unknown ClientId -> 404 with an empty body", ok, evidence)


def _expired(probe: AuthProbe) -> CheckRecord:
    age = probe.options.pnauth_window + PAST_WINDOW_MARGIN
    response = probe.get(probe.pn(timestamp=probe.stamp(-age)))
    record = expect_rejected(
        probe,
        "pnauth.expired-timestamp",
        f"timestamp {age} s old (just past the {probe.options.pnauth_window} s window) rejected",
        response,
        pnauth.Reason.EXPIRED,
    )
    return record


PNAUTH_CHECKS: tuple[AuthCheck, ...] = (
    *(
        AuthCheck(
            f"pnauth.accepted.{s.name.lower()}", f"{s.name} accepted", "pnauth", _accepts_scheme(s.name)
        )
        for s in pnauth.SCHEMES
    ),
    AuthCheck("pnauth.scheme-case", "scheme name in any case accepted", "pnauth", _scheme_any_case),
    AuthCheck(
        "pnauth.missing-header",
        "missing Authorization header rejected",
        "pnauth",
        _rejects(
            "pnauth.missing-header",
            "missing Authorization header rejected",
            pnauth.Reason.MISSING_HEADER,
            lambda p: (None, None),
        ),
        catches=("missing-www-authenticate",),
    ),
    AuthCheck(
        "pnauth.unknown-scheme",
        "unknown scheme PNAUTHINFO100-SHA256 rejected",
        "pnauth",
        _rejects(
            "pnauth.unknown-scheme",
            "unknown scheme PNAUTHINFO100-SHA256 rejected",
            pnauth.Reason.INVALID_SCHEME,
            lambda p: (
                "PNAUTHINFO100-SHA256" + p.pn()[len(pnauth.parse_scheme(p.target.pnauth_scheme).name) :],
                None,
            ),
        ),
        catches=("missing-www-authenticate",),
    ),
    AuthCheck(
        "pnauth.sha1-rejected",
        "PNAUTHINFO3-HMAC-SHA1 (correctly signed) rejected",
        "pnauth",
        _rejects(
            "pnauth.sha1-rejected",
            "PNAUTHINFO3-HMAC-SHA1 (correctly signed) rejected",
            pnauth.Reason.INVALID_SCHEME,
            _sha1_header,
        ),
        catches=("sha1-accepted",),
    ),
    AuthCheck(
        "pnauth.malformed-timestamp",
        "malformed timestamp rejected",
        "pnauth",
        _rejects(
            "pnauth.malformed-timestamp",
            "malformed timestamp rejected",
            pnauth.Reason.INVALID_TIMESTAMP,
            lambda p: (p.pn(timestamp=p.stamp(-1).replace("-", "")), None),
        ),
    ),
    AuthCheck(
        "pnauth.future-timestamp",
        f"timestamp {FUTURE_SECONDS} s in the future rejected",
        "pnauth",
        _rejects(
            "pnauth.future-timestamp",
            f"timestamp {FUTURE_SECONDS} s in the future rejected",
            pnauth.Reason.INVALID_TIMESTAMP,
            lambda p: (p.pn(timestamp=p.stamp(FUTURE_SECONDS)), None),
        ),
        catches=("future-timestamp-accepted",),
    ),
    AuthCheck(
        "pnauth.expired-timestamp",
        "timestamp just past the window rejected",
        "pnauth",
        _expired,
        catches=("day-long-window",),
    ),
    AuthCheck(
        "pnauth.wrong-key",
        "signature with a wrong key rejected",
        "pnauth",
        _rejects(
            "pnauth.wrong-key",
            "signature with a wrong key rejected",
            pnauth.Reason.UNAUTHENTICATED,
            lambda p: (p.pn(key=p.key + "-wrong"), None),
        ),
        catches=("missing-www-authenticate",),
    ),
    AuthCheck(
        "pnauth.unknown-user",
        "unknown UserId (correctly signed) rejected",
        "pnauth",
        _rejects(
            "pnauth.unknown-user",
            "unknown UserId (correctly signed) rejected",
            pnauth.Reason.UNAUTHENTICATED,
            lambda p: (p.pn(user_id=UNKNOWN_USER_ID), None),
        ),
        catches=("unknown-user-accepted",),
    ),
    AuthCheck(
        "pnauth.clientid-wrong-case",
        "ClientId in the wrong case in the URL rejected",
        "pnauth",
        _wrong_case_rejected,
        catches=("clientid-case-insensitive",),
    ),
    AuthCheck(
        "pnauth.truncated-signature",
        "truncated signature rejected",
        "pnauth",
        _rejects(
            "pnauth.truncated-signature",
            "truncated signature rejected",
            pnauth.Reason.UNAUTHENTICATED,
            _truncated,
        ),
        catches=("signature-prefix-compare",),
    ),
    AuthCheck(
        "pnauth.unknown-client",
        "unknown ClientId -> 404 with an empty body",
        "pnauth",
        _unknown_client,
        catches=("unknown-client-404-body",),
    ),
)


# --- OAuth checks ------------------------------------------------------------------------------


def _token_ok(probe: AuthProbe, send: str) -> CheckRecord:
    response = probe.token_request(send=send)
    body = _json(response)
    problems = []
    if response.status_code != 200:
        problems.append(f"HTTP {response.status_code} {body.get('error', '')}".strip())
    else:
        if not isinstance(body.get("access_token"), str):
            problems.append("no access_token")
        if str(body.get("token_type", "")).lower() != "bearer":
            problems.append(f"token_type {body.get('token_type')!r}")
        if not isinstance(body.get("expires_in"), int | float):
            problems.append("no expires_in")
    evidence = (
        f"HTTP {response.status_code}; token_type={body.get('token_type')!r}; "
        f"expires_in={body.get('expires_in')!r}"
    )
    title = f"token by {'Basic header' if send == 'basic' else 'form body'}"
    return _record(
        f"oauth.token-{send}",
        title,
        not problems,
        probe.redact(evidence + ("" if not problems else " -> " + "; ".join(problems))),
    )


def _token_rejected(
    check_id: str, title: str, expected_error: str | None, make: Callable[[AuthProbe], httpx.Response]
) -> Callable[[AuthProbe], CheckRecord]:
    def run(probe: AuthProbe) -> CheckRecord:
        response = make(probe)
        body = _json(response)
        ok = 400 <= response.status_code < 500 and "access_token" not in body
        if expected_error is not None:
            ok = ok and body.get("error") == expected_error
        evidence = f"HTTP {response.status_code}; error={body.get('error')!r}"
        if not ok:
            evidence += f" -> expected a 4xx{' with error ' + repr(expected_error) if expected_error else ''}"
        return _record(check_id, title, ok, probe.redact(evidence))

    return run


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def tampered_token(token: str) -> str:
    """The same token with its payload changed (exp pushed one hour later), signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(_b64url_decode(payload))
    claims["exp"] = int(claims.get("exp", time.time())) + 3600
    return f"{header}.{_b64url(json.dumps(claims, separators=(',', ':')).encode())}.{signature}"


def unsigned_token(token: str) -> str:
    """``alg: none``: header {"alg":"none","typ":"JWT"}, the original payload, an empty signature."""
    _, payload, _ = token.split(".")
    header = _b64url(json.dumps({"alg": "none", "typ": "JWT"}, separators=(",", ":")).encode())
    return f"{header}.{payload}."


def _bearer_rejected(
    check_id: str,
    title: str,
    forge: Callable[[str], str],
    client_id: Callable[[AuthProbe], str | None] = lambda p: None,
    not_found_rejects: bool = False,
) -> Callable[[AuthProbe], CheckRecord]:
    """A forged (or misused) token must get the 401; ``not_found_rejects``: an empty 404 counts too."""

    def run(probe: AuthProbe) -> CheckRecord:
        token = probe.token()
        if token is None:
            return _record(check_id, title, False, "could not obtain a token to forge from")
        cid = client_id(probe)
        if cid == "":
            return _skip(check_id, title, "no other tenant's ClientId configured (foreign_client_id)")
        forged = forge(token)
        probe.tokens.append(forged)
        response = probe.get(f"Bearer {forged}", cid)
        problems = rejection_problems(response, None)
        if (
            response.status_code == 404
            and cid is not None
            and not_found_rejects
            and not response.content.strip()
        ):
            return _record(check_id, title, True, probe.evidence(response) + " (unknown ClientId spelling)")
        if response.status_code == 404 and cid is not None:
            return _skip(check_id, title, f"the other tenant {cid!r} is unknown to the target (404)")
        evidence = probe.evidence(response) + ("" if not problems else " -> " + "; ".join(problems))
        return _record(check_id, title, not problems, evidence)

    return run


def _api_accepts_token(probe: AuthProbe) -> CheckRecord:
    token = probe.token()
    if token is None:
        return _record("oauth.api-accepts-token", "the API accepts the token", False, "no token obtained")
    response = probe.get(f"Bearer {token}")
    return _record(
        "oauth.api-accepts-token", "the API accepts the token", accepted(response), probe.evidence(response)
    )


def token_lifetime(probe: AuthProbe, response: httpx.Response) -> tuple[float | None, float | None]:
    """(expires_in, exp - iat of the JWT) of a token response."""
    body = _json(response)
    expires_in = body.get("expires_in")
    token = body.get("access_token")
    jwt_life = None
    if isinstance(token, str) and token.count(".") == 2:
        try:
            claims = json.loads(_b64url_decode(token.split(".")[1]))
            if isinstance(claims.get("exp"), int | float) and isinstance(claims.get("iat"), int | float):
                jwt_life = float(claims["exp"] - claims["iat"])
        except (ValueError, TypeError):
            jwt_life = None
    return (float(expires_in) if isinstance(expires_in, int | float) else None), jwt_life


def _expired_token(probe: AuthProbe) -> CheckRecord:
    check_id, title = "oauth.expired-token", "an expired token is rejected"
    response = probe.token_request()
    token = _json(response).get("access_token")
    if response.status_code != 200 or not isinstance(token, str):
        return _record(check_id, title, False, f"no token obtained (HTTP {response.status_code})")
    expires_in, _ = token_lifetime(probe, response)
    if expires_in is None:
        return _skip(check_id, title, "the token response has no expires_in")
    limit = 3700.0 if probe.options.slow else probe.options.max_token_wait_s
    if expires_in > limit:
        return _skip(
            check_id, title, f"token lifetime {expires_in:g} s > {limit:g} s; run with --slow to wait for it"
        )
    probe.sleep(expires_in + 2.0)
    response = probe.get(f"Bearer {token}")
    problems = rejection_problems(response, None)
    if not problems and not is_token_error(response):
        problems.append("401 does not say invalid_token (clients cannot tell it from a bad signature)")
    evidence = probe.evidence(response, f"after {expires_in + 2:g} s")
    return _record(
        check_id, title, not problems, evidence + ("" if not problems else " -> " + "; ".join(problems))
    )


def _foreign_client(probe: AuthProbe) -> str:
    return probe.options.foreign_client_id or ""


def _wrong_case(probe: AuthProbe) -> str:
    client = str(probe.target.client_id)
    return client.swapcase() if client.swapcase() != client else client + "x"


OAUTH_CHECKS: tuple[AuthCheck, ...] = (
    AuthCheck("oauth.token-basic", "token by Basic header", "oauth", lambda p: _token_ok(p, "basic")),
    AuthCheck("oauth.token-body", "token by form body", "oauth", lambda p: _token_ok(p, "body")),
    AuthCheck(
        "oauth.wrong-secret",
        "wrong client secret -> invalid_client",
        "oauth",
        _token_rejected(
            "oauth.wrong-secret",
            "wrong client secret -> invalid_client",
            "invalid_client",
            lambda p: p.token_request(secret=p.secret + "-wrong"),
        ),
    ),
    AuthCheck(
        "oauth.missing-scope",
        "token request without scope rejected",
        "oauth",
        _token_rejected(
            "oauth.missing-scope",
            "token request without scope rejected",
            None,
            lambda p: p.token_request(scope=None),
        ),
    ),
    AuthCheck(
        "oauth.foreign-scope",
        "scope of an unknown user rejected",
        "oauth",
        _token_rejected(
            "oauth.foreign-scope",
            "scope of an unknown user rejected",
            None,
            lambda p: p.token_request(scope=f"{p.target.client_id}/{UNKNOWN_USER_ID}"),
        ),
        catches=("unknown-user-accepted",),
    ),
    AuthCheck(
        "oauth.other-tenant-scope",
        "scope of another tenant rejected",
        "oauth",
        lambda p: (
            _skip(
                "oauth.other-tenant-scope",
                "scope of another tenant rejected",
                "no other tenant's ClientId configured (foreign_client_id)",
            )
            if not p.options.foreign_client_id
            else _token_rejected(
                "oauth.other-tenant-scope",
                "scope of another tenant rejected",
                None,
                lambda q: q.token_request(scope=f"{q.options.foreign_client_id}/{q.target.user_id}"),
            )(p)
        ),
    ),
    AuthCheck("oauth.api-accepts-token", "the API accepts the token", "oauth", _api_accepts_token),
    AuthCheck(
        "oauth.tampered-payload",
        "token with a modified payload rejected",
        "oauth",
        _bearer_rejected("oauth.tampered-payload", "token with a modified payload rejected", tampered_token),
    ),
    AuthCheck(
        "oauth.alg-none",
        "token with alg none rejected",
        "oauth",
        _bearer_rejected("oauth.alg-none", "token with alg none rejected", unsigned_token),
        catches=("alg-none-accepted",),
    ),
    AuthCheck(
        "oauth.other-tenant",
        "token of another tenant rejected",
        "oauth",
        _bearer_rejected(
            "oauth.other-tenant", "token of another tenant rejected", lambda t: t, _foreign_client
        ),
        catches=("cross-tenant-token",),
    ),
    AuthCheck(
        "oauth.clientid-wrong-case",
        "token used with the ClientId in the wrong case rejected",
        "oauth",
        _bearer_rejected(
            "oauth.clientid-wrong-case",
            "token used with the ClientId in the wrong case rejected",
            lambda t: t,
            _wrong_case,
            not_found_rejects=True,
        ),
        catches=("clientid-case-insensitive",),
    ),
    AuthCheck(
        "oauth.expired-token",
        "an expired token is rejected",
        "oauth",
        _expired_token,
        catches=("expired-token-accepted",),
    ),
)

ALL_CHECKS: tuple[AuthCheck, ...] = PNAUTH_CHECKS + OAUTH_CHECKS


def checks_catching(defect: str) -> list[str]:
    """Ids of the checks that declare they catch ``defect``."""
    return [c.id for c in ALL_CHECKS if defect in c.catches]


# --- the run -----------------------------------------------------------------------------------


def applicable(check: AuthCheck, target: Target) -> str | None:
    """None when the check can run against ``target``, else why it is skipped."""
    if check.scheme == "pnauth" and not reveal(target.api_key):
        return "no PNAUTHINFO3 key configured (MYPREF_API_KEY)"
    if check.scheme == "oauth":
        if not target.token_url or not target.oauth_client_id:
            return "no OAuth client configured (MYPREF_TOKEN_URL, MYPREF_OAUTH_CLIENT_ID)"
        if not reveal(target.oauth_client_secret):
            return "OAuth with a certificate: the secret-based token checks do not apply"
    return None


def run_checks(probe: AuthProbe, only: Sequence[str] = ()) -> list[CheckRecord]:
    records = []
    for check in ALL_CHECKS:
        if only and check.id not in only:
            continue
        why = applicable(check, probe.target)
        if why is not None:
            records.append(_skip(check.id, check.title, why))
            continue
        records.append(check.run(probe))
    return records


def run_auth_conformance(target: Target, options: ConformanceOptions | None = None) -> ConformanceResult:
    """All auth checks (and discovery probes) against ``target``; an embedded target starts the sandbox."""
    options = options or ConformanceOptions()
    if target.is_embedded:
        with resolved_target(target, **options.sandbox_options) as resolved:
            return _run(resolved, options)
    check_reachable(target)
    return _run(target, options)


def _run(target: Target, options: ConformanceOptions) -> ConformanceResult:
    from mypref_harness.contract import probes

    started = time.perf_counter()
    if options.foreign_client_id is None and target.is_sandbox and target.client_id != demo.SANCHEZ.client_id:
        options.foreign_client_id = demo.SANCHEZ.client_id
    result = ConformanceResult(target=target.base_url or "?")
    with httpx.Client(timeout=options.timeout_s) as client:
        skew = probes.measure_clock_skew(target, client)
        offset = probes.signing_offset_for(skew)
        if skew is not None:
            result.facts.append(probes.skew_fact(skew, offset))
            if skew > probes.AHEAD_THRESHOLD:
                result.warnings.append(
                    f"local clock runs {skew:.0f} s ahead of the target: signing {-offset:.0f} s in the past"
                )
        probes.preflight(target, offset, options.probe_path)
        probe = AuthProbe(target, options, clock_offset=offset, client=client)
        result.checks = run_checks(probe, options.only)
        if options.probes and (not options.only or "probes" in options.only):
            result.facts += probes.run_probes(probe)
    result.elapsed_s = time.perf_counter() - started
    if options.write_reports:
        from mypref_harness.contract.reporting import finish_conformance_reports

        directory = Path(options.report_dir).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        finish_conformance_reports(result, target, directory)
    return result
