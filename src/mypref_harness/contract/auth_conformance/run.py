"""Live auth conformance: does the target authenticate as the vendor documents?

Every check is a small function registered with :func:`auth_check`: its id comes from the function
name (``pnauth.missing-header`` from ``missing_header`` under the ``pnauth`` scheme), its title from
the first line of its docstring, and its **basis** (:mod:`mypref_harness.basis`) from the decorator:
``documented`` rules quote the sentence of the API overview they enforce, verbatim. A check sends a
few crafted requests through an :class:`~mypref_harness.contract.auth_probe.AuthProbe` and returns an
:class:`Outcome`; the run turns it into a CheckRecord (evidence = status, WWW-Authenticate, Message;
never a signature or token) and the verdict policy decides whether a finding fails or warns.

An answer that decides nothing (5xx, 429, timeouts, after retries) never passes or fails a check:
the check is ERRORED with the reason. Each check declares the seeded sandbox defects it is expected
to catch (``catches``), which the defect-matrix test uses.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from mypref_harness import demo
from mypref_harness.auth import clock, pnauth
from mypref_harness.auth.adapters import is_token_error
from mypref_harness.auth.answers import UndecidedAnswer
from mypref_harness.basis import Rule, VerdictPolicy, assumption, documented, practice
from mypref_harness.config import Target
from mypref_harness.contract.auth_probe import (
    DEFAULT_PROBE_PATH,
    AuthProbe,
    ConformanceOptions,
    json_body,
    tampered_token,
    token_lifetimes,
    unsigned_token,
)
from mypref_harness.contract.results import CheckRecord, ConformanceResult, Status, judge_all
from mypref_harness.embedded import resolved_target
from mypref_harness.guards import check_reachable
from mypref_harness.secret import reveal

__all__ = [
    "ALL_CHECKS",
    "DEFAULT_PROBE_PATH",
    "AuthCheck",
    "AuthProbe",
    "ConformanceOptions",
    "Outcome",
    "auth_check",
    "checks_catching",
    "policy_for",
    "run_auth_conformance",
    "run_checks",
    "tampered_token",
    "unsigned_token",
]

UNKNOWN_CLIENT_ID = "MyprefHarnessNoSuchClient"
UNKNOWN_USER_ID = "mypref.harness.no.such.user"
FUTURE_SECONDS = 300  # clearly in the future, beyond any plausible clock-skew allowance
PAST_WINDOW_MARGIN = 30  # "just past the window"
EXPIRES_IN_ROUNDING_S = 1.0  # expires_in may be rounded up by a second
# Issued timestamps no ISO 8601 reader accepts (a basic-format date is valid ISO 8601: it is a fact,
# basic_format_accepted, not a malformed value).
MALFORMED_TIMESTAMPS = ("yesterday", "2026-13-45T25:61:61Z")

# The documented phrase of each 401 (API overview, "401 - Authorization Errors").
PHRASES = {
    pnauth.Reason.INVALID_SCHEME: "The scheme is invalid",
    pnauth.Reason.INVALID_TIMESTAMP: "does not match an expected ISO 8601 format",
    pnauth.Reason.EXPIRED: "The difference between the issued timestamp and the current time is too large",
    pnauth.Reason.MISSING_HEADER: "Missing Authorization Header",
    pnauth.Reason.UNAUTHENTICATED: "Unable to authenticate request",
}

# Sentences of the API overview the checks enforce (verbatim; a test finds each in the document).
SHA2_FAMILY = "The following hash functions from the SHA-2 family are currently available:"
SIGNATURE_MISMATCH = "The generated signature does not match the fields defined by the authorization scheme."
CASE_EXAMPLE = (
    "For example, if the ClientId that was used to generate the hash was SanchezAssociates, yet the URL "
    "has the case syntax of SANCHEZASSOCIATES, the authorization will fail and the request will be rejected."
)
SCOPE_PERMISSIONS = (
    "Access to resources depends on the permissions associated with the userId specified as part of the "
    "scope parameter."
)
CREDENTIALS_IN = (
    "You can include the client credentials as parameters as Basic Authorization Header or the request body."
)


# --- outcomes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What one check found: PASSED / FAILED (a finding) / SKIPPED, with evidence."""

    status: Status
    evidence: str


def verdict(ok: bool, evidence: str, problems: Sequence[str] = ()) -> Outcome:
    text = evidence + (" -> " + "; ".join(problems) if problems else "")
    return Outcome(Status.PASSED if ok and not problems else Status.FAILED, text)


def skipped(why: str) -> Outcome:
    return Outcome(Status.SKIPPED, why)


def is_accepted(response: httpx.Response) -> bool:
    return 200 <= response.status_code < 300


def rejection_problems(response: httpx.Response, reason: pnauth.Reason | None) -> list[str]:
    """Why ``response`` is not the documented 401 for ``reason`` (empty list: it is)."""
    if response.status_code != 401:
        return [f"expected 401, got {response.status_code}"]
    problems = []
    if not response.headers.get("www-authenticate", "").strip():
        problems.append("401 without WWW-Authenticate")
    message = json_body(response).get("Message")
    if not isinstance(message, str):
        problems.append("401 body has no Message")
    elif reason is not None and PHRASES[reason].lower() not in message.lower():
        problems.append(f"Message does not say {PHRASES[reason]!r}")
    return problems


def expect_rejected(probe: AuthProbe, response: httpx.Response, reason: pnauth.Reason | None) -> Outcome:
    return verdict(True, probe.evidence(response), rejection_problems(response, reason))


# --- the registry --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuthCheck:
    id: str
    title: str
    scheme: str  # "pnauth" | "oauth"
    rule: Rule
    run: Callable[[AuthProbe], Outcome]
    catches: tuple[str, ...] = ()

    @property
    def basis(self) -> str:
        return self.rule.basis.value


REGISTRY: dict[str, AuthCheck] = {}


def auth_check(
    scheme: str,
    rule: Rule,
    *,
    catches: Sequence[str] = (),
    variants: Mapping[str, str] | None = None,
) -> Callable[[Callable[..., Outcome]], Callable[..., Outcome]]:
    """Register a check; id ``<scheme>.<function name, '_' -> '-', scheme prefix dropped>``.

    The title is the docstring's first line. With ``variants`` (id suffix -> argument) the function
    takes the argument after the probe and is registered once per variant, its title formatted with it.
    """

    def register(fn: Callable[..., Outcome]) -> Callable[..., Outcome]:
        name = fn.__name__.removeprefix(f"{scheme}_").strip("_").replace("_", "-")
        title = (fn.__doc__ or "").strip().splitlines()[0] if fn.__doc__ else ""
        if not title:
            raise ValueError(f"auth check {fn.__name__} needs a docstring: its first line is the title")
        if variants is None:
            _add(AuthCheck(f"{scheme}.{name}", title, scheme, rule, fn, tuple(catches)))
            return fn
        for suffix, argument in variants.items():
            run = _bind(fn, argument)
            _add(
                AuthCheck(
                    f"{scheme}.{name}.{suffix}", title.format(argument), scheme, rule, run, tuple(catches)
                )
            )
        return fn

    return register


def _bind(fn: Callable[..., Outcome], argument: str) -> Callable[[AuthProbe], Outcome]:
    return lambda probe: fn(probe, argument)


def _add(check: AuthCheck) -> None:
    if check.id in REGISTRY:
        raise ValueError(f"duplicate auth check id {check.id}")
    REGISTRY[check.id] = check


# --- PNAUTHINFO3 checks --------------------------------------------------------------------------


@auth_check("pnauth", documented(SHA2_FAMILY), variants={s.name.lower(): s.name for s in pnauth.SCHEMES})
def accepted(probe: AuthProbe, scheme: str) -> Outcome:
    """{} accepted"""
    response = probe.get(probe.pn(scheme=scheme))
    return verdict(is_accepted(response), probe.evidence(response))


@auth_check("pnauth", documented("Please note that the authorization scheme is case insensitive."))
def scheme_case(probe: AuthProbe) -> Outcome:
    """scheme name in any case accepted"""
    name = pnauth.parse_scheme(probe.target.pnauth_scheme).name
    evidences, ok = [], True
    for variant in (name.lower(), name[:1] + name[1:].lower(), name.swapcase()):
        response = probe.get(variant + probe.pn()[len(name) :])
        ok = ok and is_accepted(response)
        evidences.append(probe.evidence(response, variant))
    return verdict(ok, " | ".join(evidences))


@auth_check(
    "pnauth",
    documented("This error occurs when a request is sent without an authorization header field."),
    catches=("missing-www-authenticate",),
)
def missing_header(probe: AuthProbe) -> Outcome:
    """missing Authorization header rejected"""
    return expect_rejected(probe, probe.get(None), pnauth.Reason.MISSING_HEADER)


@auth_check(
    "pnauth",
    documented(
        "For example, if the scheme PNAUTHINFO100-SHA256 was sent, the request would be rejected as there "
        "is no PNAUTHINFO100 scheme."
    ),
    catches=("missing-www-authenticate",),
)
def unknown_scheme(probe: AuthProbe) -> Outcome:
    """unknown scheme PNAUTHINFO100-SHA256 rejected"""
    name = pnauth.parse_scheme(probe.target.pnauth_scheme).name
    header = "PNAUTHINFO100-SHA256" + probe.pn()[len(name) :]
    return expect_rejected(probe, probe.get(header), pnauth.Reason.INVALID_SCHEME)


@auth_check("pnauth", documented(SHA2_FAMILY), catches=("sha1-accepted",))
def sha1_rejected(probe: AuthProbe) -> Outcome:
    """PNAUTHINFO3-HMAC-SHA1 (correctly signed) rejected"""
    user = pnauth.encode_user_id(
        str(probe.target.user_id), probe.target.user_id_encoding or pnauth.DEFAULT_ENCODING
    )
    stamp = probe.stamp(-1)
    message = f"{probe.target.client_id}:{user}:{stamp}".encode()
    signature = base64.b64encode(hmac.digest(probe.key.encode(), message, hashlib.sha1)).decode()
    header = f"PNAUTHINFO3-HMAC-SHA1 Credential={user}/{stamp} Signature={signature}"
    return expect_rejected(probe, probe.get(header), pnauth.Reason.INVALID_SCHEME)


@auth_check(
    "pnauth",
    documented(
        "The Issued Timestamp field must be a valid ISO 8601 formatted timestamp and cannot be a future date."
    ),
)
def malformed_timestamp(probe: AuthProbe) -> Outcome:
    """timestamps no ISO 8601 reader accepts are rejected"""
    outcomes = []
    for stamp in MALFORMED_TIMESTAMPS:
        outcome = expect_rejected(
            probe, probe.get(probe.pn(timestamp=stamp)), pnauth.Reason.INVALID_TIMESTAMP
        )
        outcomes.append(Outcome(outcome.status, f"{stamp!r}: {outcome.evidence}"))
    ok = all(o.status is Status.PASSED for o in outcomes)
    return Outcome(Status.PASSED if ok else Status.FAILED, " | ".join(o.evidence for o in outcomes))


@auth_check(
    "pnauth",
    documented("Future dates are considered invalid, and the request will be rejected by the API."),
    catches=("future-timestamp-accepted",),
)
def future_timestamp(probe: AuthProbe) -> Outcome:
    """timestamp 300 s in the future rejected"""
    response = probe.get(lambda: probe.pn(timestamp=probe.stamp(FUTURE_SECONDS)))
    return expect_rejected(probe, response, pnauth.Reason.INVALID_TIMESTAMP)


@auth_check(
    "pnauth",
    documented(
        "By default, an authorized request will only be valid for 15 minutes from the issued date; however, "
        "this can be adjusted on a per client basis by setting the configuration value shown below."
    ),
    catches=("day-long-window",),
)
def expired_timestamp(probe: AuthProbe) -> Outcome:
    """timestamp just past the window (--pnauth-window + 30 s) rejected"""
    age = probe.options.pnauth_window + PAST_WINDOW_MARGIN
    response = probe.get(lambda: probe.pn(timestamp=probe.stamp(-age)))
    outcome = expect_rejected(probe, response, pnauth.Reason.EXPIRED)
    return Outcome(outcome.status, f"{age} s old: {outcome.evidence}")


@auth_check("pnauth", documented(SIGNATURE_MISMATCH), catches=("missing-www-authenticate",))
def wrong_key(probe: AuthProbe) -> Outcome:
    """signature with a wrong key rejected"""
    response = probe.get(probe.pn(key=probe.key + "-wrong"))
    return expect_rejected(probe, response, pnauth.Reason.UNAUTHENTICATED)


@auth_check(
    "pnauth",
    documented("The UserId does not match any known users for the supplied ClientId."),
    catches=("unknown-user-accepted",),
)
def unknown_user(probe: AuthProbe) -> Outcome:
    """unknown UserId (correctly signed) rejected"""
    response = probe.get(probe.pn(user_id=UNKNOWN_USER_ID))
    return expect_rejected(probe, response, pnauth.Reason.UNAUTHENTICATED)


def wrong_case(client_id: str) -> str:
    return client_id.swapcase() if client_id.swapcase() != client_id else client_id + "x"


@auth_check("pnauth", documented(CASE_EXAMPLE), catches=("clientid-case-insensitive",))
def clientid_wrong_case(probe: AuthProbe) -> Outcome:
    """ClientId in the wrong case in the URL rejected

    A 401 with the documented message is the documented outcome; a 404 with an empty body (the
    lookup is case-sensitive, so the spelling is an unknown ClientId) rejects the request too.
    """
    response = probe.get(probe.pn(), wrong_case(str(probe.target.client_id)))
    if response.status_code == 404 and not response.content.strip():
        return verdict(True, probe.evidence(response) + " (case-sensitive lookup: an unknown ClientId)")
    return expect_rejected(probe, response, pnauth.Reason.UNAUTHENTICATED)


@auth_check("pnauth", documented(SIGNATURE_MISMATCH), catches=("signature-prefix-compare",))
def truncated_signature(probe: AuthProbe) -> Outcome:
    """truncated signature rejected"""
    head, _, signature = probe.pn().rpartition("Signature=")
    header = f"{head}Signature={signature[:24]}"  # 24 Base64 chars = a valid 18-byte prefix
    return expect_rejected(probe, probe.get(header), pnauth.Reason.UNAUTHENTICATED)


@auth_check(
    "pnauth",
    documented("Please note that this failed request will not supply a message in the body."),
    catches=("unknown-client-404-body",),
)
def unknown_client(probe: AuthProbe) -> Outcome:
    """unknown ClientId -> 404 with an empty body"""
    response = probe.get(probe.pn(client_id=UNKNOWN_CLIENT_ID), UNKNOWN_CLIENT_ID)
    problems = []
    if response.status_code != 404:
        problems.append("expected 404")
    elif response.content.strip():
        problems.append("the docs: 404 with no body")
    return verdict(True, probe.evidence(response), problems)


# --- OAuth checks --------------------------------------------------------------------------------


def _token_ok(probe: AuthProbe, send: str) -> Outcome:
    response = probe.token_request(send=send)
    body = json_body(response)
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
    return verdict(True, probe.redact(evidence), problems)


@auth_check("oauth", documented(CREDENTIALS_IN))
def token_basic(probe: AuthProbe) -> Outcome:
    """token by Basic header"""
    return _token_ok(probe, "basic")


@auth_check("oauth", documented(CREDENTIALS_IN))
def token_body(probe: AuthProbe) -> Outcome:
    """token by form body"""
    return _token_ok(probe, "body")


def _token_refused(probe: AuthProbe, response: httpx.Response, error: str | None = None) -> Outcome:
    """A token request that must be refused: a 4xx without a token (and ``error``, when given)."""
    body = json_body(response)
    problems = []
    if not 400 <= response.status_code < 500 or "access_token" in body:
        problems.append("expected a 4xx without a token")
    elif error is not None and body.get("error") != error:
        problems.append(f"expected error {error!r} (RFC 6749 section 5.2)")
    return verdict(True, probe.redact(f"HTTP {response.status_code}; error={body.get('error')!r}"), problems)


def _wrong_secret_response(probe: AuthProbe) -> httpx.Response:
    if "wrong-secret" not in probe.memo:
        probe.memo["wrong-secret"] = probe.token_request(secret=probe.secret + "-wrong")
    response: httpx.Response = probe.memo["wrong-secret"]
    return response


@auth_check(
    "oauth", documented("The OAuth Token API validates the client credentials and returns an access token.")
)
def wrong_secret(probe: AuthProbe) -> Outcome:
    """wrong client secret refused"""
    return _token_refused(probe, _wrong_secret_response(probe))


@auth_check("oauth", practice("RFC 6749 section 5.2: a failed client authentication answers invalid_client"))
def wrong_secret_invalid_client(probe: AuthProbe) -> Outcome:
    """wrong client secret -> error invalid_client"""
    return _token_refused(probe, _wrong_secret_response(probe), "invalid_client")


@auth_check(
    "oauth",
    documented(
        'The token endpoints requires the "scope" request parameter which includes your MyPreferences '
        "client_Id and userId concatenated using a forward slash as shown below."
    ),
)
def missing_scope(probe: AuthProbe) -> Outcome:
    """token request without scope refused"""
    return _token_refused(probe, probe.token_request(scope=None))


@auth_check(
    "oauth",
    assumption(
        "the token endpoint itself refuses a scope naming an unknown user (the document only says access "
        "depends on the scope's userId, not where an unknown one is refused)"
    ),
    catches=("unknown-user-accepted",),
)
def foreign_scope(probe: AuthProbe) -> Outcome:
    """scope of an unknown user refused"""
    return _token_refused(probe, probe.token_request(scope=f"{probe.target.client_id}/{UNKNOWN_USER_ID}"))


@auth_check(
    "oauth",
    assumption(
        "the token endpoint refuses another tenant's scope (OAuth credentials are issued per MyPreferences "
        "Client ID; the document does not say where a foreign scope is refused)"
    ),
)
def other_tenant_scope(probe: AuthProbe) -> Outcome:
    """scope of another tenant refused"""
    foreign = probe.options.foreign_client_id
    if not foreign:
        return skipped("no other tenant's ClientId configured (--foreign-client-id)")
    return _token_refused(probe, probe.token_request(scope=f"{foreign}/{probe.target.user_id}"))


@auth_check("oauth", documented("You can now use the access token to access MyPreferences REST API."))
def api_accepts_token(probe: AuthProbe) -> Outcome:
    """the API accepts the token"""
    token = probe.token()
    if token is None:
        return verdict(False, "no token obtained")
    response = probe.get(f"Bearer {token}")
    return verdict(is_accepted(response), probe.evidence(response))


def bearer_refused(
    probe: AuthProbe,
    forge: Callable[[str], str] = lambda token: token,
    client_id: str | None = None,
    *,
    not_found_rejects: bool = False,
) -> Outcome:
    """A forged (or misused) token must get the documented 401; ``not_found_rejects``: an empty 404 too."""
    token = probe.token()
    if token is None:
        return verdict(False, "could not obtain a token to forge from")
    forged = forge(token)
    probe.tokens.append(forged)
    response = probe.get(f"Bearer {forged}", client_id)
    if response.status_code == 404 and client_id is not None:
        if not_found_rejects and not response.content.strip():
            return verdict(True, probe.evidence(response) + " (unknown ClientId spelling)")
        return skipped(f"the other tenant {client_id!r} is unknown to the target (404)")
    return expect_rejected(probe, response, None)


@auth_check("oauth", practice("RFC 7515 section 5.2: a JWS whose signature does not validate is rejected"))
def tampered_payload(probe: AuthProbe) -> Outcome:
    """token with a modified payload rejected"""
    return bearer_refused(probe, tampered_token)


@auth_check(
    "oauth",
    practice("RFC 8725 section 3.1: an unsigned (alg none) token is never accepted"),
    catches=("alg-none-accepted",),
)
def alg_none(probe: AuthProbe) -> Outcome:
    """token with alg none rejected"""
    return bearer_refused(probe, unsigned_token)


@auth_check("oauth", documented(SCOPE_PERMISSIONS), catches=("cross-tenant-token",))
def other_tenant(probe: AuthProbe) -> Outcome:
    """token of another tenant rejected"""
    foreign = probe.options.foreign_client_id
    if not foreign:
        return skipped("no other tenant's ClientId configured (--foreign-client-id)")
    return bearer_refused(probe, client_id=foreign)


@auth_check(
    "oauth",
    assumption(
        "a bearer token's ClientId is matched case-sensitively like a signature's (documented for "
        "PNAUTHINFO3 only)"
    ),
    catches=("clientid-case-insensitive",),
)
def oauth_clientid_wrong_case(probe: AuthProbe) -> Outcome:
    """token used with the ClientId in the wrong case rejected"""
    return bearer_refused(probe, client_id=wrong_case(str(probe.target.client_id)), not_found_rejects=True)


def _expired_token_response(probe: AuthProbe) -> httpx.Response | Outcome:
    """The API's answer to a token used after its expires_in (waited for once, shared by two checks)."""
    if "expired-token" in probe.memo:
        memo: httpx.Response | Outcome = probe.memo["expired-token"]
        return memo
    response = probe.token_request()
    token = json_body(response).get("access_token")
    expires_in, _ = token_lifetimes(response)
    limit = 3700.0 if probe.options.slow else probe.options.max_token_wait_s
    result: httpx.Response | Outcome
    if response.status_code != 200 or not isinstance(token, str):
        result = verdict(False, f"no token obtained (HTTP {response.status_code})")
    elif expires_in is None:
        result = skipped("the token response has no expires_in")
    elif expires_in > limit:
        result = skipped(f"token lifetime {expires_in:g} s > {limit:g} s; run with --slow to wait for it")
    else:
        probe.sleep(expires_in + 2.0)
        result = probe.get(f"Bearer {token}")
    probe.memo["expired-token"] = result
    return result


@auth_check(
    "oauth",
    documented(
        "Once expired, the token becomes invalid, and the client must request a new access token using the "
        "same client credentials."
    ),
    catches=("expired-token-accepted",),
)
def expired_token(probe: AuthProbe) -> Outcome:
    """an expired token is rejected"""
    response = _expired_token_response(probe)
    if isinstance(response, Outcome):
        return response
    return expect_rejected(probe, response, None)


@auth_check("oauth", practice('RFC 6750 section 3.1: an expired token gets error="invalid_token"'))
def expired_token_invalid_token(probe: AuthProbe) -> Outcome:
    """an expired token's 401 says invalid_token"""
    response = _expired_token_response(probe)
    if isinstance(response, Outcome):
        return response
    problems = [] if is_token_error(response) else ["the 401 does not say invalid_token"]
    return verdict(response.status_code == 401, probe.evidence(response), problems)


@auth_check("oauth", documented("Amount of time remaining (in seconds) before the access token expires."))
def expires_in_matches_jwt(probe: AuthProbe) -> Outcome:
    """expires_in is not longer than the JWT's exp - iat"""
    response = probe.token_request()
    if response.status_code != 200:
        return verdict(False, f"no token obtained (HTTP {response.status_code})")
    expires_in, jwt_life = token_lifetimes(response)
    if expires_in is None or jwt_life is None:
        return skipped(f"expires_in {expires_in}, JWT exp - iat {jwt_life}: nothing to compare")
    evidence = f"expires_in {expires_in:g} s; JWT exp - iat {jwt_life:g} s"
    problems = []
    if expires_in > jwt_life + EXPIRES_IN_ROUNDING_S:
        problems.append("clients trusting expires_in will send expired tokens")
    return verdict(True, evidence, problems)


ALL_CHECKS: tuple[AuthCheck, ...] = tuple(REGISTRY.values())
PNAUTH_CHECKS: tuple[AuthCheck, ...] = tuple(c for c in ALL_CHECKS if c.scheme == "pnauth")
OAUTH_CHECKS: tuple[AuthCheck, ...] = tuple(c for c in ALL_CHECKS if c.scheme == "oauth")


def checks_catching(defect: str) -> list[str]:
    """Ids of the checks that declare they catch ``defect``."""
    return [c.id for c in ALL_CHECKS if defect in c.catches]


# --- the run -------------------------------------------------------------------------------------


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


def run_check(check: AuthCheck, probe: AuthProbe) -> CheckRecord:
    """One check as a record; an undecided answer makes it ERRORED (never passed or failed)."""
    started = time.perf_counter()
    why = applicable(check, probe.target)
    if why is not None:
        outcome = skipped(why)
    else:
        try:
            outcome = check.run(probe)
        except UndecidedAnswer as exc:
            outcome = Outcome(Status.ERRORED, f"no deciding answer: {exc.reason}")
    return CheckRecord(
        name=check.title,
        check=check.id,
        status=outcome.status,
        evidence=probe.redact(outcome.evidence),
        basis=check.rule.basis,
        elapsed_s=time.perf_counter() - started,
    )


def run_checks(probe: AuthProbe, only: Sequence[str] = ()) -> list[CheckRecord]:
    return [run_check(check, probe) for check in ALL_CHECKS if not only or check.id in only]


def policy_for(target: Target, options: ConformanceOptions) -> VerdictPolicy:
    """The options' policy, else strict on a sandbox the harness started and lenient elsewhere."""
    return options.policy or VerdictPolicy(strict=target.is_sandbox)


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
    from mypref_harness.preflight import preflight

    started = time.perf_counter()
    if options.foreign_client_id is None and target.is_sandbox and target.client_id != demo.SANCHEZ.client_id:
        options.foreign_client_id = demo.SANCHEZ.client_id
    policy = policy_for(target, options)
    result = ConformanceResult(target=target.base_url or "?", policy=policy.describe())
    with httpx.Client(timeout=options.timeout_s) as client:
        probe = AuthProbe(target, options, client=client)
        # A 5xx/429 read is no configuration error here: every check then reports ERRORED on its own.
        checked = preflight(target, probe_path=options.probe_path, client=client, retrier=probe.retrier)
        skew, probe.clock_offset = checked.skew_s, checked.clock_offset
        offset = checked.clock_offset
        result.facts.append(probes.skew_fact(skew, offset))
        if skew is not None and skew > clock.AHEAD_THRESHOLD:
            result.warnings.append(
                f"local clock runs {skew:.0f} s ahead of the target: signing {-offset:.0f} s in the past"
            )
        result.checks = judge_all(run_checks(probe, options.only), policy)
        if options.probes and (not options.only or "probes" in options.only):
            result.facts += probes.run_probes(probe)
    if probe.retrier.retries or probe.retrier.undecided:
        result.warnings.append(f"the target answered 5xx/429 or timed out: {probe.retrier.summary()}")
    result.elapsed_s = time.perf_counter() - started
    if options.write_reports:
        from mypref_harness.contract.reporting import finish_conformance_reports

        directory = Path(options.report_dir).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        finish_conformance_reports(result, target, directory)
    return result
