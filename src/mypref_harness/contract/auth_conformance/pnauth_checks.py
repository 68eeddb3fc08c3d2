"""The PNAUTHINFO3 checks: each one a documented (or assumed) rule of the custom scheme."""

from __future__ import annotations

import base64
import hashlib
import hmac

from mypref_harness.auth import pnauth
from mypref_harness.basis import documented
from mypref_harness.contract.auth_conformance.outcomes import (
    Outcome,
    expect_rejected,
    is_accepted,
    verdict,
)
from mypref_harness.contract.auth_conformance.probe import UNKNOWN_USER_ID, AuthProbe, wrong_case
from mypref_harness.contract.auth_conformance.registry import auth_check
from mypref_harness.contract.results import Status

UNKNOWN_CLIENT_ID = "MyprefHarnessNoSuchClient"
FUTURE_SECONDS = 300  # clearly in the future, beyond any plausible clock-skew allowance
PAST_WINDOW_MARGIN = 30  # "just past the window"
# Issued timestamps no ISO 8601 reader accepts (a basic-format date is valid ISO 8601: it is a fact,
# basic_format_accepted, not a malformed value).
MALFORMED_TIMESTAMPS = ("yesterday", "2026-13-45T25:61:61Z")

# Sentences of the API overview the checks enforce (verbatim; a test finds each in the document).
SHA2_FAMILY = "The following hash functions from the SHA-2 family are currently available:"
SIGNATURE_MISMATCH = "The generated signature does not match the fields defined by the authorization scheme."
CASE_EXAMPLE = (
    "For example, if the ClientId that was used to generate the hash was SanchezAssociates, yet the URL "
    "has the case syntax of SANCHEZASSOCIATES, the authorization will fail and the request will be rejected."
)


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
