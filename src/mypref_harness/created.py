"""The id of a resource a create just made, from the response body or from its ``Location`` header.

The catalog says a profile create answers "200 or 201", and says nothing of ``Location`` for profiles:
a server may put the new id in the body (``{"ProfileId": 1001, ...}``), in ``Location``
(``.../Profile/1001``), or in both. Every client of the harness that creates something (the contract's
read-back scenarios, the load test's seeding and flows) reads the id here, the same way.

This module is a foundation: it imports nothing of the harness, so contract and load may both use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

# What a create may answer when it worked (catalog: "200 or 201"; the configuration creates document 201).
CREATE_STATUSES: tuple[int, ...] = (200, 201)

CreatedId = int | str


def _normalized(value: Any) -> CreatedId | None:
    """Digits become an int (ids are integers in the spec); bools, blanks and structures are no id."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        return int(text) if text.isdigit() else text
    return None


def id_from_body(body: Any, key: str = "ProfileId") -> CreatedId | None:
    return _normalized(body.get(key)) if isinstance(body, Mapping) else None


def id_from_location(location: str | None) -> CreatedId | None:
    """The last path segment of ``Location`` (absolute or relative URL; query and fragment ignored)."""
    if not location or not location.strip():
        return None
    path = urlsplit(location.strip()).path.rstrip("/")
    return _normalized(unquote(path.rsplit("/", 1)[-1])) if path else None


def location_header(headers: Any) -> str | None:
    """``Location`` from any header mapping (httpx, Locust, a plain dict), whatever its case."""
    if headers is None:
        return None
    for name in ("Location", "location"):
        value = headers.get(name)
        if value:
            return str(value)
    if isinstance(headers, Mapping):
        for name, value in headers.items():
            if str(name).lower() == "location" and value:
                return str(value)
    return None


def created_id(body: Any, location: str | None, *, key: str = "ProfileId") -> CreatedId | None:
    """The new resource's id: the body's ``key`` when present, else the last segment of ``Location``."""
    found = id_from_body(body, key)
    return found if found is not None else id_from_location(location)
