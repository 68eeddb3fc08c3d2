"""PNAUTHINFO3, the MyPreferences custom Authorization scheme, as pure functions.

Header value::

    <SCHEME> Credential=<URLEncode(UserId)>/<Issued Timestamp> Signature=<Base64(digest)>

* keyed   (``PNAUTHINFO3-HMAC-SHAxxx``): digest = HMAC-SHAxxx(key, "ClientId:UserId:Timestamp")
* un-keyed (``PNAUTHINFO3-SHAxxx``):     digest = SHAxxx("Key:ClientId:UserId:Timestamp:Key")

UserId is URL-encoded in both the Credential and the message (the docs say so, without naming the
encoder: see ``UserIdEncoding``). ClientId is the one from the request URL, case sensitive.

``sign_header`` is on the Locust hot path: it avoids regexes, caches the per-user encoding and the
per-second timestamp string, and calls the one-shot C ``hmac.digest``.
"""

from __future__ import annotations

import base64
import binascii
import enum
import hashlib
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote, quote_plus

from mypref_harness.auth.timestamps import format_utc

SCHEME_IDENTIFIER = "PNAUTHINFO3"
HASH_NAMES: tuple[str, ...] = ("SHA256", "SHA384", "SHA512")
DEFAULT_SCHEME = "PNAUTHINFO3-HMAC-SHA256"

# Every message ends in a sentence so a 401 body reads the same way for each reason. INVALID_SCHEME is
# the vendor's documented body byte for byte (including its "SHA265" typo); the others contain the
# documented phrase verbatim behind the same "Invalid Authorization Header: " prefix, except the two
# that are not about the header's content.
_MESSAGES = {
    "INVALID_SCHEME": (
        "Invalid Authorization Header: The scheme is invalid. The scheme should contain either "
        "PNAUTHINFO3- or PNAUTHINFO3-HMAC-. For example: PNAUTHINFO3-HMAC-SHA265."
    ),
    "INVALID_TIMESTAMP": (
        "Invalid Authorization Header: The specified date does not match an expected ISO 8601 format."
    ),
    "EXPIRED": (
        "Invalid Authorization Header: The difference between the issued timestamp and the current "
        "time is too large."
    ),
    "MISSING_HEADER": "Missing Authorization Header.",
    "UNAUTHENTICATED": "Unable to authenticate request.",
}


class Reason(enum.Enum):
    """Why a PNAUTHINFO3 header was rejected (every one is a 401)."""

    INVALID_SCHEME = "INVALID_SCHEME"
    INVALID_TIMESTAMP = "INVALID_TIMESTAMP"  # not ISO 8601 as accepted, or in the future
    EXPIRED = "EXPIRED"  # older than the client's window
    MISSING_HEADER = "MISSING_HEADER"
    UNAUTHENTICATED = "UNAUTHENTICATED"  # incomplete header, bad signature, unknown user

    @property
    def message(self) -> str:
        """The exact text of the 401 body's ``Message``."""
        return _MESSAGES[self.value]


class PnAuthError(Exception):
    """A rejected header; ``reason.message`` is the documented 401 text, ``detail`` is for humans."""

    def __init__(self, reason: Reason, detail: str = "") -> None:
        self.reason = reason
        self.message = reason.message
        self.detail = detail
        super().__init__(f"{reason.message} ({detail})" if detail else reason.message)


@dataclass(frozen=True)
class Scheme:
    keyed: bool
    hash_name: str  # "SHA256" | "SHA384" | "SHA512"

    @property
    def name(self) -> str:
        middle = "HMAC-" if self.keyed else ""
        return f"{SCHEME_IDENTIFIER}-{middle}{self.hash_name}"

    @property
    def digest_size(self) -> int:
        return hashlib.new(self.hash_name.lower()).digest_size


_SCHEMES: dict[str, Scheme] = {
    s.name: s for keyed in (True, False) for h in HASH_NAMES for s in (Scheme(keyed, h),)
}
SCHEMES: tuple[Scheme, ...] = tuple(_SCHEMES.values())


def parse_scheme(text: str | Scheme) -> Scheme:
    """Case-insensitive scheme lookup; anything unknown raises ``PnAuthError(INVALID_SCHEME)``.

    Only ASCII case folding counts: ``str.upper`` would map e.g. the Turkish dotless i to ``I``.
    """
    if isinstance(text, Scheme):
        return text
    scheme = _SCHEMES.get(text) or (_SCHEMES.get(text.upper()) if text.isascii() else None)
    if scheme is None:
        raise PnAuthError(Reason.INVALID_SCHEME, f"unknown scheme {text[:40]!r}")
    return scheme


class UserIdEncoding(enum.Enum):
    """How a UserId with spaces or special characters is URL-encoded (the docs do not say).

    FORM:    application/x-www-form-urlencoded as Python's ``quote_plus(s, safe="")`` writes it:
             UTF-8, A-Z a-z 0-9 ``-._~`` kept, space -> ``+``, everything else ``%XX`` (upper-case).
    PERCENT: RFC 3986 percent-encoding (``quote(s, safe="")``, same as .NET ``Uri.EscapeDataString``):
             as FORM but space -> ``%20`` (and ``+`` -> ``%2B`` in both).
    """

    FORM = "form"
    PERCENT = "percent"


DEFAULT_ENCODING = UserIdEncoding.FORM
_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


# One single-argument cache per encoding: lru_cache hashes a str in C, while hashing an Enum member
# runs Python code, and this sits on the Locust hot path.
@lru_cache(maxsize=4096)
def _encode_form(user_id: str) -> str:
    return user_id if _SAFE.issuperset(user_id) else quote_plus(user_id, safe="")


@lru_cache(maxsize=4096)
def _encode_percent(user_id: str) -> str:
    return user_id if _SAFE.issuperset(user_id) else quote(user_id, safe="")


def _encode_cached(user_id: str, encoding: UserIdEncoding) -> str:
    return _encode_form(user_id) if encoding is UserIdEncoding.FORM else _encode_percent(user_id)


def encode_user_id(user_id: str, encoding: UserIdEncoding | str = DEFAULT_ENCODING) -> str:
    """URL-encode a UserId for the Credential and the message (cached: user ids repeat)."""
    return _encode_cached(user_id, UserIdEncoding(encoding))


def build_message(
    scheme: Scheme | str, key: str, client_id: str, encoded_user_id: str, timestamp: str
) -> str:
    """The exact string that is signed (keyed) or hashed (un-keyed)."""
    if parse_scheme(scheme).keyed:
        return f"{client_id}:{encoded_user_id}:{timestamp}"
    return f"{key}:{client_id}:{encoded_user_id}:{timestamp}:{key}"


def _digest(scheme: Scheme, key: str, message: str) -> bytes:
    if scheme.keyed:
        return hmac.digest(key.encode("utf-8"), message.encode("utf-8"), scheme.hash_name.lower())
    return hashlib.new(scheme.hash_name.lower(), message.encode("utf-8")).digest()


def compute_signature(scheme: Scheme | str, key: str, message: str) -> str:
    """Base64 (standard alphabet, padded) of the keyed or un-keyed digest of ``message``."""
    return base64.b64encode(_digest(parse_scheme(scheme), key, message)).decode("ascii")


def format_header(scheme: Scheme | str, encoded_user_id: str, timestamp: str, signature: str) -> str:
    return f"{parse_scheme(scheme).name} Credential={encoded_user_id}/{timestamp} Signature={signature}"


class _SecondCache:
    """The formatted UTC timestamp of the current second (strftime costs more than the HMAC).

    One tuple attribute, replaced at once, so a thread never pairs one second with another's text.
    """

    __slots__ = ("state",)

    def __init__(self) -> None:
        self.state: tuple[int, str] = (-1, "")

    def format(self, now: float) -> str:
        second = int(now)
        state = self.state
        if state[0] != second:
            state = (second, format_utc(second))
            self.state = state
        return state[1]


_NOW = _SecondCache()
_time = time.time
_b64encode = base64.b64encode
# scheme (canonical name or Scheme) -> (name, keyed, hashlib digest name), for sign_header
_FAST: dict[str | Scheme, tuple[str, bool, str]] = {
    key: (s.name, s.keyed, s.hash_name.lower()) for s in SCHEMES for key in (s, s.name)
}


def _timestamp_text(timestamp: str | datetime | None, now: float | datetime | None) -> str:
    if isinstance(timestamp, str):
        return timestamp  # signed verbatim, whatever its form
    if isinstance(timestamp, datetime):
        return format_utc(timestamp)
    if now is None:
        return _NOW.format(time.time())
    return format_utc(now)


def sign_header(
    *,
    key: str,
    client_id: str,
    user_id: str,
    scheme: Scheme | str = DEFAULT_SCHEME,
    timestamp: str | datetime | None = None,
    encoding: UserIdEncoding | str = DEFAULT_ENCODING,
    now: float | datetime | None = None,
) -> str:
    """The full Authorization header value for one request.

    ``timestamp`` (a string) is signed verbatim; otherwise ``now`` (epoch seconds or an aware
    datetime, default the current time) is formatted as ``YYYY-MM-DDTHH:MM:SSZ``.
    """
    fast = _FAST.get(scheme)
    if fast is None:
        fast = _FAST[parse_scheme(scheme)]
    name, keyed, digestmod = fast
    if encoding is UserIdEncoding.FORM:
        encoded = _encode_form(user_id)
    else:
        encoded = _encode_cached(user_id, UserIdEncoding(encoding))
    # The common case (no timestamp, no now) skips a function call.
    stamp = _NOW.format(_time()) if timestamp is None and now is None else _timestamp_text(timestamp, now)
    if keyed:
        digest = hmac.digest(key.encode(), f"{client_id}:{encoded}:{stamp}".encode(), digestmod)
    else:
        digest = hashlib.new(digestmod, f"{key}:{client_id}:{encoded}:{stamp}:{key}".encode()).digest()
    return f"{name} Credential={encoded}/{stamp} Signature={_b64encode(digest).decode()}"


class Signer:
    """A signer bound to one key, client and scheme: the cheapest way to sign many requests.

    ``Signer(...).header(user_id)`` gives the same value as ``sign_header`` with the same arguments;
    the key bytes, digest name and message prefix are computed once.
    """

    def __init__(
        self,
        *,
        key: str,
        client_id: str,
        scheme: Scheme | str = DEFAULT_SCHEME,
        encoding: UserIdEncoding | str = DEFAULT_ENCODING,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.scheme = parse_scheme(scheme)
        self.encoding = UserIdEncoding(encoding)
        self._key = key
        self._key_bytes = key.encode()
        self._digestmod = self.scheme.hash_name.lower()
        self._prefix = f"{client_id}:" if self.scheme.keyed else f"{key}:{client_id}:"
        self._suffix = "" if self.scheme.keyed else f":{key}"
        self._head = f"{self.scheme.name} Credential="
        self._clock = clock
        self._now = _SecondCache()
        self._encode = _encode_form if self.encoding is UserIdEncoding.FORM else _encode_percent

    def header(self, user_id: str, timestamp: str | None = None) -> str:
        encoded = self._encode(user_id)
        stamp = timestamp if timestamp is not None else self._now.format(self._clock())
        message = f"{self._prefix}{encoded}:{stamp}{self._suffix}".encode()
        if self.scheme.keyed:
            digest = hmac.digest(self._key_bytes, message, self._digestmod)
        else:
            digest = hashlib.new(self._digestmod, message).digest()
        return f"{self._head}{encoded}/{stamp} Signature={_b64encode(digest).decode()}"

    def __repr__(self) -> str:  # never show the key
        return f"Signer(scheme={self.scheme.name}, encoding={self.encoding.value})"


@dataclass(frozen=True)
class ParsedHeader:
    scheme: Scheme
    credential_user_id: str  # still URL-encoded, exactly as sent
    timestamp: str  # exactly as sent
    signature: str  # Base64 text exactly as sent

    @property
    def signature_bytes(self) -> bytes:
        return base64.b64decode(self.signature)


_PARAMS = ("credential", "signature")


def parse_header(value: str | None) -> ParsedHeader:
    """Split an Authorization header value into its parts; raises ``PnAuthError`` and nothing else.

    Parameters are separated by spaces (the documented form; a comma, as in RFC 7235, is accepted
    too), their names are case-insensitive, each must appear exactly once and no other may appear.
    The Credential is split at its LAST ``/`` (timestamps never contain one).
    """
    if value is None or not isinstance(value, str) or not value.strip():
        raise PnAuthError(Reason.MISSING_HEADER, "no Authorization header")
    scheme_text, _, rest = value.strip().partition(" ")
    scheme = parse_scheme(scheme_text)
    params: dict[str, str] = {}
    for token in rest.replace(",", " ").split():
        name, eq, param_value = token.partition("=")
        lowered = name.lower()
        if not eq or lowered not in _PARAMS:
            raise PnAuthError(Reason.UNAUTHENTICATED, f"unexpected parameter {name[:40]!r}")
        if lowered in params:
            raise PnAuthError(Reason.UNAUTHENTICATED, f"duplicate parameter {name[:40]!r}")
        params[lowered] = param_value
    missing = [p for p in _PARAMS if not params.get(p)]
    if missing:
        raise PnAuthError(Reason.UNAUTHENTICATED, "missing parameter(s): " + ", ".join(missing))
    user, slash, stamp = params["credential"].rpartition("/")
    if not slash or not user or not stamp:
        raise PnAuthError(Reason.UNAUTHENTICATED, "Credential must be <UserId>/<Timestamp>")
    signature = params["signature"]
    try:
        if not signature.isascii():
            raise ValueError("non-ASCII signature")
        base64.b64decode(signature, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise PnAuthError(Reason.UNAUTHENTICATED, "Signature is not valid Base64") from exc
    return ParsedHeader(scheme, user, stamp, signature)
