"""What one auth check found (:class:`Outcome`), and what a documented rejection looks like."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from mypref_harness.auth import pnauth
from mypref_harness.auth.answers import json_body
from mypref_harness.contract.auth_conformance.probe import AuthProbe
from mypref_harness.contract.results import Status

# The documented phrase of each 401 (API overview, "401 - Authorization Errors").
PHRASES = {
    pnauth.Reason.INVALID_SCHEME: "The scheme is invalid",
    pnauth.Reason.INVALID_TIMESTAMP: "does not match an expected ISO 8601 format",
    pnauth.Reason.EXPIRED: "The difference between the issued timestamp and the current time is too large",
    pnauth.Reason.MISSING_HEADER: "Missing Authorization Header",
    pnauth.Reason.UNAUTHENTICATED: "Unable to authenticate request",
}


@dataclass(frozen=True)
class Outcome:
    """What one check found: PASSED / FAILED (a finding) / SKIPPED, with evidence."""

    status: Status
    evidence: str


def verdict(ok: bool, evidence: str, problems: Sequence[str] = ()) -> Outcome:
    text = evidence + (" -> " + "; ".join(problems) if problems else "")
    return Outcome(Status.PASSED if ok and not problems else Status.FAILED, text)


def skipped(why: str) -> Outcome:
    return Outcome(Status.SKIPPED, why)


def is_accepted(response: httpx.Response) -> bool:
    return 200 <= response.status_code < 300


def rejection_problems(response: httpx.Response, reason: pnauth.Reason | None) -> list[str]:
    """Why ``response`` is not the documented 401 for ``reason`` (empty list: it is)."""
    if response.status_code != 401:
        return [f"expected 401, got {response.status_code}"]
    problems = []
    if not response.headers.get("www-authenticate", "").strip():
        problems.append("401 without WWW-Authenticate")
    message = json_body(response).get("Message")
    if not isinstance(message, str):
        problems.append("401 body has no Message")
    elif reason is not None and PHRASES[reason].lower() not in message.lower():
        problems.append(f"Message does not say {PHRASES[reason]!r}")
    return problems


def expect_rejected(probe: AuthProbe, response: httpx.Response, reason: pnauth.Reason | None) -> Outcome:
    return verdict(True, probe.evidence(response), rejection_problems(response, reason))
