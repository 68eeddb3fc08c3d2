"""Discovery probes: measured facts about what the documentation leaves open.

Each probe returns a :class:`~mypref_harness.contract.results.Fact` with a stable name and a typed
value (the formats are in :data:`FACT_NAMES`), so that a target profile can pin it and a later run
can compare. A fact is measured only from answers that decide it: 2xx = accepted, 401 = rejected.
A 5xx, a 429 or a timeout is retried (see :mod:`mypref_harness.auth.answers`); if no deciding
answer comes, or the target answers something else (403, 404, ...), the fact is **undetermined**
with the reason, never a guess. A bisection step never trusts an undecided answer: the whole
bisection is then undetermined.

Probes report facts, they never fail the run. Every probe is bounded (bisection: ~log2(range) calls).
:func:`discover_facts` runs only the probes (for ``discover`` and target profiles).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from zoneinfo import ZoneInfo

import httpx

from mypref_harness import demo
from mypref_harness.auth import pnauth
from mypref_harness.auth.answers import Retrier, UndecidedAnswer, json_body
from mypref_harness.auth.clock import signing_offset_for
from mypref_harness.budget import request_hooks
from mypref_harness.config import Target
from mypref_harness.contract.auth_conformance.probe import (
    AuthProbe,
    ConformanceOptions,
    tampered_token,
    token_lifetimes,
)
from mypref_harness.contract.results import Fact
from mypref_harness.embedded import resolved_target
from mypref_harness.guards import check_reachable
from mypref_harness.preflight import measure_clock_skew

WINDOW_PROBE_MAX = 2 * 86_400  # seconds: covers a "day-long" window
FUTURE_PROBE_MAX = 86_400
NAIVE_PROBE_AGE_S = 60  # the naive and basic-format probes sign a timestamp this old

# The stable fact names and the format of their values (the contract with `discover` and profiles).
FACT_NAMES: Mapping[str, str] = MappingProxyType(
    {
        "clock_skew_s": "float: local clock minus the target's Date header, seconds (> 0: local ahead)",
        "naive_timestamp_zone": 'str: how a timestamp without offset is read: "utc", "us_eastern", '
        '"both" (the window spans the offset) or "neither"',
        "pnauth_window_s": "int: largest accepted issued-timestamp age, seconds "
        f"({WINDOW_PROBE_MAX} = at least)",
        "future_tolerance_s": f"int: largest accepted future offset, seconds (0 = none; {FUTURE_PROBE_MAX} = "
        "at least)",
        "basic_format_accepted": "bool: a basic-format ISO 8601 timestamp (20261202T015959Z) is accepted",
        "userid_encodings_accepted": 'tuple of str: which UserId encodings of a space are accepted: "form" '
        '(+), "percent" (%20); empty = neither',
        "token_expires_in_s": "float: expires_in of a token response",
        "token_jwt_lifetime_s": "float: exp - iat of the issued JWT",
        "token_lifetime_s": "float: seconds after issue at which the API first rejected the token "
        "(measured only for short lifetimes or with --slow)",
        "bearer_failure_challenge": "str: WWW-Authenticate of a 401 for a forged bearer token, as scheme and "
        'error code: "PNAUTHINFO3", "Bearer error=invalid_token", "none"',
        "oauth_wrong_secret_error": 'str: the token endpoint\'s "error" for a wrong client secret ("none": '
        "no error field)",
    }
)


def decides(response: httpx.Response) -> bool:
    """True = accepted (2xx), False = rejected (401); any other answer decides nothing."""
    if 200 <= response.status_code < 300:
        return True
    if response.status_code == 401:
        return False
    raise UndecidedAnswer(f"HTTP {response.status_code} is neither accepted (2xx) nor rejected (401)")


def guarded(name: str, measure: Callable[[], Fact]) -> Fact:
    """The fact ``measure()`` returns, or undetermined with the reason when no answer decided it."""
    try:
        return measure()
    except UndecidedAnswer as exc:
        return Fact.undetermined(name, f"no deciding answer: {exc.reason}")


# --- clock skew (measured by mypref_harness.preflight) ----------------------------------------


def skew_fact(skew: float | None, offset: float) -> Fact:
    if skew is None:
        return Fact.undetermined("clock_skew_s", "no deciding answer with a Date header")
    direction = "ahead of" if skew > 0 else "behind"
    action = f"signing with offset {offset:+.0f} s" if offset else "no correction needed"
    return Fact(
        "clock_skew_s", round(skew, 1), f"local clock {abs(skew):.1f} s {direction} the target; {action}"
    )


# --- bisection ---------------------------------------------------------------------------------


def bisect_max(accepts: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """The largest x in [lo, hi] with accepts(x), for a predicate that is True up to a point, then False.

    None when accepts(lo) is False; hi when accepts(hi) is True (the limit is at least hi).
    Calls the predicate about log2(hi - lo) + 2 times. An exception of the predicate (an undecided
    answer) ends the bisection: no step is ever guessed.
    """
    if not accepts(lo):
        return None
    if accepts(hi):
        return hi
    good, bad = lo, hi
    while bad - good > 1:
        middle = (good + bad) // 2
        if accepts(middle):
            good = middle
        else:
            bad = middle
    return good


# --- PNAUTHINFO3 probes ------------------------------------------------------------------------


def naive_timestamp_fact(probe: AuthProbe) -> Fact:
    # A control first: when the target rejects even an explicit UTC timestamp of the same age (our
    # credentials or UserId encoding are refused), "neither" would be a false, determined answer.
    control = probe.stamp(-NAIVE_PROBE_AGE_S)
    if not decides(probe.get(probe.pn(timestamp=control))):
        return Fact.undetermined("naive_timestamp_zone", f"the explicit-UTC control {control} was rejected")
    moment = datetime.fromtimestamp(probe.now() - NAIVE_PROBE_AGE_S, tz=ZoneInfo("UTC"))
    as_utc = moment.strftime("%Y-%m-%dT%H:%M:%S")
    as_eastern = moment.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%dT%H:%M:%S")
    eastern_ok = decides(probe.get(probe.pn(timestamp=as_eastern)))
    utc_ok = decides(probe.get(probe.pn(timestamp=as_utc)))
    value = {
        (True, False): "us_eastern",
        (False, True): "utc",
        (True, True): "both",
        (False, False): "neither",
    }
    evidence = (
        f"naive {as_eastern} (Eastern wall clock, {NAIVE_PROBE_AGE_S} s ago): "
        f"{_word(eastern_ok)}; naive {as_utc} (UTC wall clock): {_word(utc_ok)}"
    )
    return Fact("naive_timestamp_zone", value[(eastern_ok, utc_ok)], evidence)


def _word(accepted: bool) -> str:
    return "accepted" if accepted else "rejected"


def window_fact(probe: AuthProbe) -> Fact:
    return _bisected_fact(
        probe,
        "pnauth_window_s",
        direction=-1,  # the issued timestamp lies that many seconds in the past
        lo=1,
        hi=WINDOW_PROBE_MAX,
        rejected_at_lo="a 1 s old signature was rejected",
        evidence="bisection over issued-timestamp age, {used} requests{bound} (documented default 900 s)",
    )


def future_tolerance_fact(probe: AuthProbe) -> Fact:
    return _bisected_fact(
        probe,
        "future_tolerance_s",
        direction=1,  # the issued timestamp lies that many seconds in the future
        lo=0,
        hi=FUTURE_PROBE_MAX,
        rejected_at_lo="a current timestamp was rejected",
        evidence="bisection over future timestamps, {used} requests{bound} (documented: none)",
    )


def _bisected_fact(
    probe: AuthProbe, name: str, *, direction: int, lo: int, hi: int, rejected_at_lo: str, evidence: str
) -> Fact:
    """The largest number of seconds in [lo, hi] the issued timestamp may be moved (``direction``) and
    still be accepted; ``evidence`` is formatted with the requests ``used`` and the ``bound`` note."""
    calls = probe.requests

    def accepts(seconds: int) -> bool:
        return decides(probe.get(lambda: probe.pn(timestamp=probe.stamp(direction * seconds))))

    limit = bisect_max(accepts, lo, hi)
    used = probe.requests - calls
    if limit is None:
        return Fact.undetermined(name, rejected_at_lo)
    bound = " (at least: the probe's upper bound)" if limit == hi else ""
    return Fact(name, limit, evidence.format(used=used, bound=bound))


def basic_format_fact(probe: AuthProbe) -> Fact:
    """Is ``20261202T015959Z`` (ISO 8601 basic format) read like ``2026-12-02T01:59:59Z``?"""
    moment = probe.now() - NAIVE_PROBE_AGE_S
    extended = probe.stamp(-NAIVE_PROBE_AGE_S)
    if not decides(probe.get(probe.pn(timestamp=extended))):
        return Fact.undetermined(
            "basic_format_accepted", f"the extended-format control {extended} was rejected"
        )
    basic = datetime.fromtimestamp(moment, tz=ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")
    accepted = decides(probe.get(probe.pn(timestamp=basic)))
    return Fact(
        "basic_format_accepted",
        accepted,
        f"{basic}: {_word(accepted)} (the same instant as {extended}, which is accepted)",
    )


def encoding_fact(probe: AuthProbe) -> Fact:
    target = probe.target
    user = str(target.user_id)
    key, client = probe.key, target.client_id
    if pnauth.encode_user_id(user, "form") == pnauth.encode_user_id(user, "percent"):
        if not target.is_sandbox:
            return Fact.undetermined(
                "userid_encodings_accepted",
                f"UserId {user!r} encodes the same either way (needs a UserId with a space)",
            )
        # The embedded sandbox's documented demo tenant has a user with a space (demo, not sandbox data).
        user, key, client = str(demo.SANCHEZ.second_user_id), demo.SANCHEZ.api_key, demo.SANCHEZ.client_id
    results = {}
    for encoding in pnauth.UserIdEncoding:
        header = probe.pn(user_id=user, key=key, client_id=client, encoding=encoding)
        results[encoding.value] = decides(probe.get(header, client))
    accepted = tuple(sorted(name for name, ok in results.items() if ok))
    evidence = f"UserId {user!r}: " + ", ".join(f"{n} {_word(ok)}" for n, ok in results.items())
    return Fact("userid_encodings_accepted", accepted, evidence)


# --- OAuth probes ------------------------------------------------------------------------------


def measured_token_lifetime(
    use: Callable[[], bool],
    lifetime_hint: float,
    clock: Callable[[], float],
    sleep: Callable[[float], None],
    *,
    issued_at: float,
    grace: float = 30.0,
) -> float | None:
    """Seconds after ``issued_at`` at which ``use()`` (one API call with the token) first fails.

    Sleeps until shortly before the advertised expiry, then polls once a second until the token is
    rejected or ``grace`` seconds past the hint have gone by (None: still accepted then).
    """
    sleep(max(0.0, issued_at + lifetime_hint - 3.0 - clock()))
    while clock() <= issued_at + lifetime_hint + grace:
        if not use():
            return clock() - issued_at
        sleep(1.0)
    return None


def token_facts(probe: AuthProbe) -> list[Fact]:
    """token_expires_in_s, token_jwt_lifetime_s and token_lifetime_s from one token."""
    names = ("token_expires_in_s", "token_jwt_lifetime_s", "token_lifetime_s")
    issued_at = probe.now()
    try:
        response = probe.token_request()
    except UndecidedAnswer as exc:
        return [Fact.undetermined(n, f"no deciding answer: {exc.reason}") for n in names]
    if response.status_code != 200:
        return [Fact.undetermined(n, f"token request: HTTP {response.status_code}") for n in names]
    expires_in, jwt_life = token_lifetimes(response)
    facts = [
        _number_fact(names[0], expires_in, "the token response (documented: 60 minutes by default)"),
        _number_fact(names[1], jwt_life, "the JWT's exp and iat claims"),
    ]
    token = json_body(response).get("access_token")
    facts.append(
        guarded(names[2], lambda: _measured_lifetime_fact(probe, token, expires_in or jwt_life, issued_at))
    )
    return facts


def _number_fact(name: str, value: float | None, source: str) -> Fact:
    if value is None:
        return Fact.undetermined(name, f"not in {source}")
    return Fact(name, value, f"from {source}")


def _measured_lifetime_fact(probe: AuthProbe, token: object, hint: float | None, issued_at: float) -> Fact:
    limit = 3700.0 if probe.options.slow else probe.options.max_token_wait_s
    if hint is None or not isinstance(token, str):
        return Fact.undetermined("token_lifetime_s", "no lifetime to wait for (no expires_in, no JWT exp)")
    if hint > limit:
        return Fact.undetermined(
            "token_lifetime_s", f"not measured: lifetime {hint:g} s > {limit:g} s (use --slow to wait for it)"
        )
    measured = measured_token_lifetime(
        lambda: decides(probe.get(f"Bearer {token}")), hint, probe.now, probe.sleep, issued_at=issued_at
    )
    if measured is None:
        return Fact.undetermined("token_lifetime_s", f"still accepted {hint + 30:g} s after issue")
    return Fact(
        "token_lifetime_s", round(measured), f"first rejected {measured:.0f} s after issue (polled 1/s)"
    )


_SCHEME_RE = re.compile(r"^\s*([A-Za-z0-9._~+/-]+)")
_ERROR_RE = re.compile(r'\berror\s*=\s*"?([^",\s]+)', re.IGNORECASE)


def challenge_summary(header: str | None) -> str:
    """``Bearer realm="x", error="invalid_token"`` -> ``Bearer error=invalid_token``; realm dropped."""
    if not header or not header.strip():
        return "none"
    scheme = _SCHEME_RE.match(header)
    error = _ERROR_RE.search(header)
    text = scheme.group(1) if scheme else header.strip()
    return f"{text} error={error.group(1)}" if error else text


def bearer_challenge_fact(probe: AuthProbe) -> Fact:
    token = probe.token()
    if token is None:
        return Fact.undetermined("bearer_failure_challenge", "no token obtained to forge from")
    forged = tampered_token(token)
    probe.tokens.append(forged)
    response = probe.get(f"Bearer {forged}")
    if decides(response):
        return Fact.undetermined(
            "bearer_failure_challenge", "the forged token was accepted: no challenge to read"
        )
    challenge = response.headers.get("www-authenticate")
    return Fact(
        "bearer_failure_challenge", challenge_summary(challenge), probe.evidence(response, "forged token")
    )


def wrong_secret_fact(probe: AuthProbe) -> Fact:
    response = probe.memo.get("wrong-secret") or probe.token_request(secret=probe.secret + "-wrong")
    probe.memo["wrong-secret"] = response
    if not 400 <= response.status_code < 500:
        return Fact.undetermined(
            "oauth_wrong_secret_error", f"a wrong secret got HTTP {response.status_code}"
        )
    error = json_body(response).get("error")
    return Fact(
        "oauth_wrong_secret_error",
        str(error) if isinstance(error, str) and error else "none",
        f"HTTP {response.status_code}",
    )


# --- all probes --------------------------------------------------------------------------------


def run_probes(probe: AuthProbe) -> list[Fact]:
    """Every applicable probe against the probe's target (the clock skew is measured before)."""
    facts: list[Fact] = []
    if probe.key:
        pnauth_probes: tuple[tuple[str, Callable[[AuthProbe], Fact]], ...] = (
            ("naive_timestamp_zone", naive_timestamp_fact),
            ("pnauth_window_s", window_fact),
            ("future_tolerance_s", future_tolerance_fact),
            ("basic_format_accepted", basic_format_fact),
            ("userid_encodings_accepted", encoding_fact),
        )
        for name, measure in pnauth_probes:
            facts.append(guarded(name, lambda measure=measure: measure(probe)))  # type: ignore[misc]
    if probe.target.token_url and probe.target.oauth_client_id and probe.secret:
        facts += token_facts(probe)
        facts.append(guarded("bearer_failure_challenge", lambda: bearer_challenge_fact(probe)))
        facts.append(guarded("oauth_wrong_secret_error", lambda: wrong_secret_fact(probe)))
    return facts


def discover_facts(
    target: Target, options: ConformanceOptions | None = None, *, sleep: Callable[[float], None] = time.sleep
) -> list[Fact]:
    """Only the discovery probes (no conformance check) against ``target``; starts an embedded sandbox.

    The first fact is ``clock_skew_s``; the others follow :func:`run_probes`. Raises TargetUnreachable
    when a configured target does not answer at all.
    """
    options = options or ConformanceOptions(write_reports=False)
    if not target.is_embedded:
        check_reachable(target)
    with resolved_target(target, **options.sandbox_options) as resolved:
        if options.foreign_client_id is None and resolved.is_sandbox:
            options.foreign_client_id = demo.SANCHEZ.client_id
        with httpx.Client(timeout=options.timeout_s, event_hooks=request_hooks()) as client:
            skew = measure_clock_skew(resolved, client, Retrier(options.retry, sleep))
            offset = signing_offset_for(skew)
            probe = AuthProbe(resolved, options, clock_offset=offset, client=client, sleep=sleep)
            return [skew_fact(skew, offset), *run_probes(probe)]
