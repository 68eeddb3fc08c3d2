"""ISO 8601 issued timestamps as this server reads them.

The document asks for "a valid ISO 8601 formatted timestamp". This server accepts the extended
(2026-12-02T01:59:59) and the basic (20261202T015959) formats, mixed too, an optional fraction and an
optional zone (Z, +hh:mm, +hhmm, +hh). A timestamp without a zone is read as UTC (the document says
UTC or Eastern time and recommends UTC; it does not say how a naive value is read).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_ISO = re.compile(
    r"^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:[.,](\d{1,7}))?"
    r"(Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def parse_issued(text: str) -> datetime | None:
    """The instant ``text`` names (aware, UTC), or None when it is not an ISO 8601 timestamp."""
    match = _ISO.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, _fraction, zone = match.groups()
    try:
        naive = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))
    except ValueError:  # month 13, hour 25 ...
        return None
    return (naive - _offset(zone)).replace(tzinfo=UTC)


def _offset(zone: str | None) -> timedelta:
    if zone is None or zone == "Z":
        return timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:] or 0)
    return sign * timedelta(hours=hours, minutes=minutes)
