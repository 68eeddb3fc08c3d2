"""The OAuth 2.0 checks: the token endpoint and the API's treatment of bearer tokens."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from mypref_harness.auth.adapters import is_token_error
from mypref_harness.auth.answers import json_body
from mypref_harness.basis import assumption, documented, practice
from mypref_harness.contract.auth_conformance.outcomes import (
    Outcome,
    expect_rejected,
    is_accepted,
    skipped,
    verdict,
)
from mypref_harness.contract.auth_conformance.probe import (
    UNKNOWN_USER_ID,
    AuthProbe,
    tampered_token,
    token_lifetimes,
    unsigned_token,
    wrong_case,
)
from mypref_harness.contract.auth_conformance.registry import auth_check

EXPIRES_IN_ROUNDING_S = 1.0  # expires_in may be rounded up by a second

# Sentences of the API overview the checks enforce (verbatim; a test finds each in the document).
SCOPE_PERMISSIONS = (
    "Access to resources depends on the permissions associated with the userId specified as part of the "
    "scope parameter."
)
CREDENTIALS_IN = (
    "You can include the client credentials as parameters as Basic Authorization Header or the request body."
)


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
