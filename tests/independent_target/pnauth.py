"""PNAUTHINFO3 verification, written from the vendor document alone.

    Authorization: PNAUTHINFO3-HMAC-SHA256 Credential=<UserId>/<issued> Signature=<Base64(digest)>

Keyed: HMAC-<alg>(key, "ClientId:UserId:Timestamp"). Un-keyed: <alg>("Key:ClientId:UserId:Timestamp:Key").
The UserId is signed and sent URL-encoded; the ClientId is the one in the URL, case included.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, quote_plus

from .options import Tenant
from .timestamps import parse_issued

# The documented 401 messages.
MISSING = "Missing Authorization Header"
BAD_SCHEME = (
    "Invalid Authorization Header: The scheme is invalid. The scheme should contain either "
    "PNAUTHINFO3- or PNAUTHINFO3-HMAC-. For example: PNAUTHINFO3-HMAC-SHA256."
)
BAD_DATE = "Invalid Authorization Header: The specified date does not match an expected ISO 8601 format."
TOO_OLD = (
    "Invalid Authorization Header: The difference between the issued timestamp and the current time "
    "is too large."
)
UNABLE = "Unable to authenticate request"

_ALGORITHMS = {"SHA256": hashlib.sha256, "SHA384": hashlib.sha384, "SHA512": hashlib.sha512}
# A signature made in the same second as the server's clock reading is not "in the future".
_FUTURE_SLACK = timedelta(seconds=1)


class AuthRejected(Exception):
    """The request is not authenticated; ``message`` is the documented reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Scheme:
    keyed: bool
    algorithm: str


def parse_scheme(name: str) -> Scheme:
    upper = name.upper()  # "the authorization scheme is case insensitive"
    if not upper.startswith("PNAUTHINFO3-"):
        raise AuthRejected(BAD_SCHEME)
    rest = upper[len("PNAUTHINFO3-") :]
    keyed = rest.startswith("HMAC-")
    algorithm = rest[len("HMAC-") :] if keyed else rest
    if algorithm not in _ALGORITHMS:
        raise AuthRejected(BAD_SCHEME)
    return Scheme(keyed, algorithm)


def _parameters(text: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for part in text.split():  # "Both parameters are delimited by a space"
        name, sep, value = part.partition("=")
        if sep:
            params[name.lower()] = value
    return params


def encode_user_id(user_id: str, encoding: str) -> str:
    return quote_plus(user_id, safe="") if encoding == "form" else quote(user_id, safe="")


def expected_signature(scheme: Scheme, key: str, client_id: str, user: str, issued: str) -> str:
    digest = _ALGORITHMS[scheme.algorithm]
    if scheme.keyed:
        raw = hmac.new(key.encode(), f"{client_id}:{user}:{issued}".encode(), digest).digest()
    else:
        raw = digest(f"{key}:{client_id}:{user}:{issued}:{key}".encode()).digest()
    return base64.b64encode(raw).decode()


def verify(
    header: str | None, tenant: Tenant, url_client_id: str, *, now: datetime, window: int, encoding: str
) -> str:
    """The UserId the header authenticates for ``tenant``; AuthRejected with the documented reason.

    The message is built with the ClientId as the URL spells it, so another case fails the signature.
    """
    if not header:
        raise AuthRejected(MISSING)
    scheme_name, _, rest = header.strip().partition(" ")
    scheme = parse_scheme(scheme_name)
    params = _parameters(rest)
    credential, signature = params.get("credential"), params.get("signature")
    if not credential or not signature or "/" not in credential:
        raise AuthRejected(UNABLE)
    user, _, issued_text = credential.rpartition("/")
    issued = parse_issued(issued_text)
    if issued is None or issued > now + _FUTURE_SLACK:
        raise AuthRejected(BAD_DATE)
    if now - issued > timedelta(seconds=window):
        raise AuthRejected(TOO_OLD)
    known = {encode_user_id(u.user_id, encoding): u.user_id for u in tenant.users}
    if user not in known:
        raise AuthRejected(UNABLE)
    wanted = expected_signature(scheme, tenant.api_key, url_client_id, user, issued_text)
    if not hmac.compare_digest(wanted.encode(), signature.encode()):
        raise AuthRejected(UNABLE)
    return known[user]
