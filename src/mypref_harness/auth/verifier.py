"""The server side of PNAUTHINFO3: what the embedded sandbox runs and what the tests trust.

Checks, in this order (the first failure wins, each maps to one documented 401 reason):

1. header present                                   -> MISSING_HEADER
2. scheme known (case-insensitive)                  -> INVALID_SCHEME
3. Credential and Signature present, Base64 valid   -> UNAUTHENTICATED
4. timestamp in an accepted ISO 8601 form           -> INVALID_TIMESTAMP
5. not in the future (beyond the tolerance)         -> INVALID_TIMESTAMP (the docs group it there)
6. not older than the client's window               -> EXPIRED   (exactly at the edge is accepted)
7. UserId (URL-decoded) is a known user              -> UNAUTHENTICATED
8. signature matches (constant-time)                -> UNAUTHENTICATED

The message is rebuilt from the ClientId of the request URL (NOT the stored one: the docs say a
ClientId in another case must fail) and the Credential's UserId exactly as sent (still encoded).
An unknown ClientId is the caller's 404 and is checked before anything else.
"""

from __future__ import annotations

import base64
import hmac
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import unquote, unquote_plus

from mypref_harness.auth.pnauth import (
    ParsedHeader,
    PnAuthError,
    Reason,
    UserIdEncoding,
    _digest,
    build_message,
    encode_user_id,
    parse_header,
)
from mypref_harness.auth.timestamps import (
    DEFAULT_NAIVE_TZ,
    TimestampFormatError,
    epoch_micros,
    parse_issued,
    zone_of,
)

DEFAULT_EXPIRATION_SECONDS = 900  # the documented 15 minutes (PNAUTHINFO_EXPIRATION_IN_SECONDS)


@dataclass
class ClientRecord:
    client_id: str
    api_key: str
    users: frozenset[str]
    expiration_seconds: float = DEFAULT_EXPIRATION_SECONDS
    future_tolerance_seconds: float = 0

    def __repr__(self) -> str:  # never show the key
        return f"ClientRecord(client_id={self.client_id!r}, users={len(self.users)})"


@dataclass(frozen=True)
class VerifiedCredential:
    user_id: str  # decoded
    issued_at: datetime  # aware


class UnknownClient(LookupError):
    """The ClientId of the URL is not known: the caller answers 404 with an empty body."""


_BASIC_FORMAT = re.compile(
    r"(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})?", re.ASCII
)


def extended_form(timestamp: str) -> str | None:
    """``20261202T015959Z`` (basic, or basic date with extended time) as ``2026-12-02T01:59:59Z``.

    None when the text is not a (partly) basic-format timestamp; its zone is normalised to ``+HH:MM``.
    """
    match = _BASIC_FORMAT.fullmatch(timestamp)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if zone and zone != "Z" and ":" not in zone:
        zone = f"{zone[:3]}:{zone[3:]}"
    extended = f"{year}-{month}-{day}T{hour}:{minute}:{second}{fraction or ''}{zone or ''}"
    return None if extended == timestamp else extended


def decode_user_id(encoded: str, encoding: UserIdEncoding) -> str:
    if encoding is UserIdEncoding.FORM:
        return unquote_plus(encoded, errors="strict")
    return unquote(encoded, errors="strict")


class Verifier:
    def __init__(
        self,
        lookup: Callable[[str], ClientRecord | None],
        clock: Callable[[], float] = time.time,
        naive_timezone: str | None = DEFAULT_NAIVE_TZ,
        encodings: Iterable[UserIdEncoding] = (UserIdEncoding.FORM, UserIdEncoding.PERCENT),
        accept_basic_format: bool = False,
    ) -> None:
        self.lookup = lookup
        self.clock = clock
        if naive_timezone is not None:
            zone_of(naive_timezone)  # fail now, not on every naive timestamp later
        self.naive_timezone = naive_timezone
        self.encodings = tuple(UserIdEncoding(e) for e in encodings)
        # A target profile may say the server also reads basic-format ISO 8601 (20261202T015959Z).
        self.accept_basic_format = accept_basic_format

    def verify(self, client_id: str, header_value: str | None) -> VerifiedCredential:
        record = self.lookup(client_id)
        if record is None:
            raise UnknownClient(client_id)
        parsed = parse_header(header_value)
        issued = self._check_time(parsed.timestamp, record)
        user_id = self._known_user(parsed.credential_user_id, record)
        try:
            return self._check_signature(client_id, parsed, record, user_id, issued)
        except UnicodeEncodeError:  # a lone surrogate in a str header: cannot have been signed
            raise PnAuthError(Reason.UNAUTHENTICATED, "header text is not encodable") from None

    def _check_signature(
        self, client_id: str, parsed: ParsedHeader, record: ClientRecord, user_id: str, issued: datetime
    ) -> VerifiedCredential:
        message = build_message(
            parsed.scheme, record.api_key, client_id, parsed.credential_user_id, parsed.timestamp
        )
        expected = base64.b64encode(_digest(parsed.scheme, record.api_key, message))
        # Compare the Base64 TEXT, not the decoded bytes: a non-canonical encoding (other trailing
        # bits) decodes to the same digest but is not what a correct signer sends.
        if not hmac.compare_digest(expected, parsed.signature.encode("ascii")):
            raise PnAuthError(Reason.UNAUTHENTICATED, "signature does not match")
        return VerifiedCredential(user_id=user_id, issued_at=issued)

    def _check_time(self, timestamp: str, record: ClientRecord) -> datetime:
        try:
            issued = parse_issued(timestamp, self.naive_timezone)
        except TimestampFormatError as exc:
            extended = extended_form(timestamp) if self.accept_basic_format else None
            if extended is None:
                raise PnAuthError(Reason.INVALID_TIMESTAMP, str(exc)) from exc
            try:
                issued = parse_issued(extended, self.naive_timezone)
            except TimestampFormatError as again:
                raise PnAuthError(Reason.INVALID_TIMESTAMP, str(again)) from again
        # Integer microseconds: "exactly at the edge" must not depend on float rounding.
        age = round(self.clock() * 1_000_000) - epoch_micros(issued)
        if age < -round(record.future_tolerance_seconds * 1_000_000):
            raise PnAuthError(Reason.INVALID_TIMESTAMP, "issued timestamp is in the future")
        if age > round(record.expiration_seconds * 1_000_000):
            raise PnAuthError(Reason.EXPIRED, f"issued {age / 1e6:.3f} s ago")
        return issued

    def _known_user(self, credential_user_id: str, record: ClientRecord) -> str:
        for encoding in self.encodings:
            try:
                candidate = decode_user_id(credential_user_id, encoding)
            except UnicodeDecodeError:
                continue
            # A server that takes one encoding only (a target profile's knob) wants exactly it: a
            # form-only server refuses %20 for a space, although form decoding would read it.
            if len(self.encodings) == 1 and encode_user_id(candidate, encoding) != credential_user_id:
                continue
            if candidate in record.users:
                return candidate
        raise PnAuthError(Reason.UNAUTHENTICATED, "unknown user for this client")


def static_lookup(
    *records: ClientRecord, case_insensitive: bool = False
) -> Callable[[str], ClientRecord | None]:
    """A lookup over fixed records. ``case_insensitive`` mimics a server whose ClientId routing
    ignores case (the signature still uses the URL's spelling, so a wrong case fails with 401)."""
    table = {(r.client_id.lower() if case_insensitive else r.client_id): r for r in records}

    def lookup(client_id: str) -> ClientRecord | None:
        return table.get(client_id.lower() if case_insensitive else client_id)

    return lookup
