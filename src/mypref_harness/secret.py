"""Secret: a string that never shows itself, so a Target can be printed, logged or reported safely.

Floor 0: imports nothing of ours. Secrets (the PNAUTHINFO3 key, the OAuth client secret) are
wrapped where they enter (configuration, the sandbox's credentials) and revealed only where a
signature or a token request needs the raw value.
"""

from __future__ import annotations

import hmac
from typing import Any


class Secret:
    """A string that never shows itself in repr/str/format; call :meth:`reveal` to use it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError("Secret wraps a str")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    def __str__(self) -> str:
        return "***"

    def __format__(self, spec: str) -> str:
        return "***"

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable (Locust forks, multiprocessing) without exposing the value in __dict__.
        return (Secret, (self._value,))


def reveal(value: Secret | str | None) -> str | None:
    """The raw string of a Secret (or of a plain str); None stays None."""
    if value is None:
        return None
    return value.reveal() if isinstance(value, Secret) else value


def as_secret(value: Secret | str | None) -> Secret | None:
    """Wrap a plain str in a Secret; a Secret or None passes through unchanged."""
    if value is None or isinstance(value, Secret):
        return value
    return Secret(value)
