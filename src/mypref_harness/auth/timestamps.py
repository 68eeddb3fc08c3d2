"""ISO 8601 issued timestamps of PNAUTHINFO3 (the ``Credential=<UserId>/<Timestamp>`` part).

The vendor documents two accepted time zones: UTC and US Eastern (EST ``-05:00`` / EDT ``-04:00``),
and its own example (``2015-08-10T20:11:00``) is naive and "uses the EST time zone". So we accept:

* ``YYYY-MM-DDTHH:MM:SS`` with an optional fraction (``.`` and 1-9 digits, truncated to
  microseconds because that is what ``datetime`` holds),
* followed by ``Z``, ``+00:00``, ``-05:00``, ``-04:00`` or nothing (naive).

A naive timestamp is read in ``naive_tz`` (default ``America/New_York``, DST-aware). A local time that
does not exist (the spring-forward gap) is rejected, like .NET's ``TimeZoneInfo.ConvertTimeToUtc``
does; an ambiguous one (the fall-back hour) is read as the first occurrence (EDT). ``naive_tz=None``
rejects naive timestamps altogether.

Anything else (other offsets, a missing seconds field, a space separator, week dates, ...) raises
``TimestampFormatError``; the verifier maps it to the documented "does not match an expected ISO 8601
format" reason. The parser is hand-written (not ``datetime.fromisoformat``) so that what is accepted
is exactly what is documented here, independent of the Python version.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_NAIVE_TZ = "America/New_York"

# The offsets the vendor documents: UTC, EST, EDT.
_OFFSETS: dict[str, timezone] = {
    "Z": UTC,
    "+00:00": UTC,
    "-05:00": timezone(timedelta(hours=-5)),
    "-04:00": timezone(timedelta(hours=-4)),
}
_DIGITS = frozenset("0123456789")


class TimestampFormatError(ValueError):
    """The text is not an issued timestamp in one of the accepted ISO 8601 forms."""


class UnknownTimeZone(ValueError):
    """A configured naive-timestamp zone that the tz database does not know."""


@lru_cache(maxsize=16)
def zone_of(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnknownTimeZone(f"unknown time zone {name!r}") from exc


def _number(text: str, start: int, length: int) -> int:
    chunk = text[start : start + length]
    if len(chunk) != length or not _DIGITS.issuperset(chunk):
        raise TimestampFormatError(f"expected {length} digits at position {start}")
    return int(chunk)


def _expect(text: str, index: int, char: str) -> None:
    if index >= len(text) or text[index] != char:
        raise TimestampFormatError(f"expected {char!r} at position {index}")


def parse_issued(text: str, naive_tz: str | None = DEFAULT_NAIVE_TZ) -> datetime:
    """Parse an issued timestamp into an aware ``datetime`` (raises ``TimestampFormatError``)."""
    if not isinstance(text, str) or not text.isascii():
        raise TimestampFormatError("timestamp must be ASCII text")
    return _parse_cached(text, naive_tz)


# Under load the same second's timestamp arrives many times; datetimes are immutable, errors not cached.
@lru_cache(maxsize=1024)
def _parse_cached(text: str, naive_tz: str | None) -> datetime:
    if not text.isascii():
        raise TimestampFormatError("timestamp must be ASCII text")
    year = _number(text, 0, 4)
    _expect(text, 4, "-")
    month = _number(text, 5, 2)
    _expect(text, 7, "-")
    day = _number(text, 8, 2)
    _expect(text, 10, "T")
    hour = _number(text, 11, 2)
    _expect(text, 13, ":")
    minute = _number(text, 14, 2)
    _expect(text, 16, ":")
    second = _number(text, 17, 2)
    index = 19
    microsecond = 0
    if index < len(text) and text[index] == ".":
        end = index + 1
        while end < len(text) and text[end] in _DIGITS:
            end += 1
        fraction = text[index + 1 : end]
        if not 1 <= len(fraction) <= 9:
            raise TimestampFormatError("fractional seconds need 1 to 9 digits")
        microsecond = int(fraction[:6].ljust(6, "0"))
        index = end
    suffix = text[index:]
    try:
        local = datetime(year, month, day, hour, minute, second, microsecond)
    except ValueError as exc:  # month 13, Feb 30, hour 24, second 60 ...
        raise TimestampFormatError(str(exc)) from exc
    if suffix:
        offset = _OFFSETS.get(suffix)
        if offset is None:
            raise TimestampFormatError(f"unsupported time zone designator {suffix!r}")
        return local.replace(tzinfo=offset)
    if naive_tz is None:
        raise TimestampFormatError("naive timestamps are not accepted")
    try:
        zone = zone_of(naive_tz)
    except UnknownTimeZone as exc:
        raise TimestampFormatError(str(exc)) from exc
    return _localize(local, zone)


def _localize(local: datetime, zone: ZoneInfo) -> datetime:
    aware = local.replace(tzinfo=zone, fold=0)
    # A wall time in the spring-forward gap does not survive a round trip through UTC.
    if aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local:
        raise TimestampFormatError(f"{local.isoformat()} does not exist in {zone.key}")
    return aware


def format_utc(moment: datetime | float) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` (second precision, UTC) for an aware datetime or an epoch time."""
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError("format_utc needs an aware datetime")
        moment = moment.timestamp()
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(moment // 1)))


def epoch_micros(moment: datetime) -> int:
    """Exact microseconds since the epoch (no float rounding), for window comparisons."""
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
