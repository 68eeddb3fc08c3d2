"""Clock skew between us and the server, from the HTTP ``Date`` header.

PNAUTHINFO3 rejects issued timestamps in the future and ones older than the window (15 min by
default); client assertions have ``iat``/``exp``. A local clock running ahead of the server's makes
every signature "future", so we measure the skew and sign slightly in the past of server time.
The Date header has one-second resolution and is truncated, so a skew under ~1 s is noise.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

# Seconds we stay behind the server's clock: covers the Date header's truncation to whole seconds
# plus the issued timestamp's own truncation.
DEFAULT_SAFETY_MARGIN = 1.0
# When a measured skew is worth correcting. The Date header truncates to whole seconds, so a local
# clock looks up to 1 s ahead of a perfectly synchronised server; a clock behind only ages
# signatures, which matters once it eats into the window (15 min by default).
AHEAD_THRESHOLD = 2.0
BEHIND_THRESHOLD = 60.0


def parse_http_date(text: str) -> datetime:
    """Parse an HTTP-date (RFC 9110: IMF-fixdate, and the obsolete RFC 850 / asctime forms).

    Returns an aware UTC datetime; raises ValueError on anything else.
    """
    try:
        parsed = parsedate_to_datetime(text.strip())
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"not an HTTP date: {text!r}") from None
    if parsed is None:
        raise ValueError(f"not an HTTP date: {text!r}")
    if parsed.tzinfo is None:  # asctime form has no zone; HTTP dates are always GMT
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def retry_after_seconds(value: str | None, now: float | None = None) -> float | None:
    """A ``Retry-After`` header as seconds from ``now``: delay-seconds or an HTTP date (RFC 9110
    §10.2.3); None when absent or unreadable."""
    text = (value or "").strip()
    if not text:
        return None
    if text.isdigit():
        return float(text)
    try:
        moment = parse_http_date(text)
    except ValueError:
        return None
    return max(0.0, moment.timestamp() - (time.time() if now is None else now))


def _epoch(value: datetime | float | int) -> float:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware datetime or epoch seconds")
        return value.timestamp()
    return float(value)


def skew_seconds(local_now: datetime | float, server_date: datetime | str) -> float:
    """Local clock minus server clock, in seconds: positive when the local clock runs ahead."""
    server = parse_http_date(server_date) if isinstance(server_date, str) else server_date
    return _epoch(local_now) - _epoch(server)


def safe_signing_offset(skew: float, *, margin: float = DEFAULT_SAFETY_MARGIN) -> float:
    """Seconds to add to the local clock when signing so the timestamp is just behind server time.

    ``skew`` is :func:`skew_seconds` (local ahead > 0). The result is ``-(skew + margin)``: local
    time plus it equals (measured server time - margin), which is never in the server's future
    because the Date header truncates down. It also corrects a local clock that runs far behind,
    which would otherwise make signatures look expired.
    """
    if margin < 0:
        raise ValueError("margin must be >= 0")
    return -(skew + margin)


def signing_offset_for(skew: float | None) -> float:
    """Seconds to add to the local clock when signing (0 when the skew is unknown or harmless).

    Every command uses this one policy: contract, auth-conformance and load (all its processes).
    """
    if skew is None:
        return 0.0
    if skew > AHEAD_THRESHOLD or skew < -BEHIND_THRESHOLD:
        return safe_signing_offset(skew)
    return 0.0


def skew_from_headers(headers: Mapping[str, str], local_now: float | None = None) -> float | None:
    """Skew from a response's headers (``Date``), or None when the header is absent or malformed."""
    date = None
    for name, value in headers.items():
        if name.lower() == "date":
            date = value
            break
    if date is None:
        return None
    try:
        return skew_seconds(time.time() if local_now is None else local_now, date)
    except ValueError:
        return None


def measure_skew(
    url: str, *, timeout: float = 5.0, transport: httpx.BaseTransport | None = None
) -> float | None:
    """Skew against the server at ``url`` from one GET (any status will do: every answer has a Date).

    The local time is taken half-way between sending and receiving, which halves the network delay's
    effect. Returns None when the server sends no usable Date header; raises httpx.TransportError
    when it cannot be reached. Only for the configured (or sandbox) target.
    """
    with httpx.Client(timeout=timeout, transport=transport) as client:
        sent = time.time()
        response = client.get(url)
        received = time.time()
    return skew_from_headers(response.headers, (sent + received) / 2)


def signing_offset_against(
    url: str, *, timeout: float = 5.0, transport: httpx.BaseTransport | None = None
) -> float:
    """:func:`signing_offset_for` the skew measured at ``url``; 0 when it cannot be measured (no Date
    header, or no answer: the first real request then reports the problem)."""
    try:
        return signing_offset_for(measure_skew(url, timeout=timeout, transport=transport))
    except httpx.HTTPError:
        return 0.0
