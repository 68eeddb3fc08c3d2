"""Discovery probes: measured facts about what the documentation leaves open.

* clock skew (local clock vs the target's ``Date`` header) and the signing offset we use because of it;
* how a naive issued timestamp is read (US Eastern as the docs' example suggests, or UTC);
* the effective PNAUTHINFO3 expiry window and the tolerance for a clock running ahead, by bisection;
* which UserId encoding (form ``+`` or percent ``%20``) the target accepts for a UserId with a space;
* the access token's real lifetime vs its ``expires_in``.

Probes report facts, they never fail the run. Every probe is bounded (bisection: ~log2(range) calls).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import httpx

from mypref_harness import demo
from mypref_harness.auth import pnauth
from mypref_harness.auth.clock import safe_signing_offset, skew_from_headers
from mypref_harness.config import Target
from mypref_harness.contract.results import Fact

WINDOW_PROBE_MAX = 2 * 86_400  # seconds: covers a "day-long" window
FUTURE_PROBE_MAX = 86_400
AHEAD_THRESHOLD = 2.0  # the Date header truncates to whole seconds: a local clock looks up to 1 s ahead
BEHIND_THRESHOLD = 60.0  # a clock behind only ages signatures; correct it when it eats into the window


def measure_clock_skew(target: Target, client: httpx.Client | None = None) -> float | None:
    """Local clock minus the target's (seconds; > 0 = local ahead), from one response's Date header."""
    if not target.base_url:
        return None
    own = client is None
    client = client or httpx.Client(timeout=5.0)
    try:
        started = time.time()
        response = client.get(target.base_url + "/")
        finished = time.time()
    except httpx.HTTPError:
        return None
    finally:
        if own:
            client.close()
    # Compare with the middle of the exchange, not its end.
    return skew_from_headers(dict(response.headers), local_now=(started + finished) / 2)


def signing_offset_for(skew: float | None) -> float:
    """Seconds to add to the local clock when signing: only when the skew matters."""
    if skew is None:
        return 0.0
    if skew > AHEAD_THRESHOLD or skew < -BEHIND_THRESHOLD:
        return safe_signing_offset(skew)
    return 0.0


def skew_fact(skew: float, offset: float) -> Fact:
    direction = "ahead of" if skew > 0 else "behind"
    action = f"signing with offset {offset:+.0f} s" if offset else "no correction needed"
    return Fact("clock skew", f"local clock {abs(skew):.1f} s {direction} the target", action)


def bisect_max(accepts: Callable[[int], bool], lo: int, hi: int) -> int | None:
    """The largest x in [lo, hi] with accepts(x), for a predicate that is True up to a point, then False.

    None when accepts(lo) is False; hi when accepts(hi) is True (the limit is at least hi).
    Calls the predicate about log2(hi - lo) + 2 times.
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


# --- the probes --------------------------------------------------------------------------------


def _ok(response: httpx.Response) -> bool:
    """Authentication passed: anything but a 401 (the probe operation's own result does not matter)."""
    return response.status_code != 401


def naive_timestamp_fact(probe: object) -> Fact:
    from mypref_harness.contract.auth_conformance import AuthProbe

    assert isinstance(probe, AuthProbe)
    moment = datetime.fromtimestamp(probe.now() - 60, tz=ZoneInfo("UTC"))
    as_utc = moment.strftime("%Y-%m-%dT%H:%M:%S")
    as_eastern = moment.astimezone(ZoneInfo("America/New_York")).strftime("%Y-%m-%dT%H:%M:%S")
    eastern_ok = _ok(probe.get(probe.pn(timestamp=as_eastern)))
    utc_ok = _ok(probe.get(probe.pn(timestamp=as_utc)))
    value = {
        (True, False): "US Eastern (EST/EDT)",
        (False, True): "UTC",
        (True, True): "both accepted (the window spans the UTC/Eastern offset)",
        (False, False): "neither accepted",
    }[(eastern_ok, utc_ok)]
    evidence = (
        f"naive {as_eastern} (Eastern wall clock, 60 s ago): {'accepted' if eastern_ok else 'rejected'}; "
        f"naive {as_utc} (UTC wall clock): {'accepted' if utc_ok else 'rejected'}"
    )
    return Fact("naive timestamp read as", value, evidence)


def window_fact(probe: object) -> Fact:
    from mypref_harness.contract.auth_conformance import AuthProbe

    assert isinstance(probe, AuthProbe)
    calls = probe.requests

    def accepts(age: int) -> bool:
        return _ok(probe.get(probe.pn(timestamp=probe.stamp(-age))))

    limit = bisect_max(accepts, 1, WINDOW_PROBE_MAX)
    used = probe.requests - calls
    if limit is None:
        return Fact("effective expiry window", "undetermined", "a 1 s old signature was rejected")
    shown = f">= {limit} s" if limit == WINDOW_PROBE_MAX else f"{limit} s"
    return Fact(
        "effective expiry window",
        shown,
        f"bisection over issued-timestamp age, {used} requests (documented default 900 s)",
    )


def future_tolerance_fact(probe: object) -> Fact:
    from mypref_harness.contract.auth_conformance import AuthProbe

    assert isinstance(probe, AuthProbe)
    calls = probe.requests

    def accepts(ahead: int) -> bool:
        return _ok(probe.get(probe.pn(timestamp=probe.stamp(ahead))))

    limit = bisect_max(accepts, 0, FUTURE_PROBE_MAX)
    used = probe.requests - calls
    if limit is None:
        return Fact("tolerance for a clock running ahead", "undetermined", "a current timestamp was rejected")
    value = "none (future timestamps rejected)" if limit == 0 else f"{limit} s"
    return Fact(
        "tolerance for a clock running ahead",
        value,
        f"bisection over future timestamps, {used} requests (documented: none)",
    )


def encoding_fact(probe: object) -> Fact:
    from mypref_harness.contract.auth_conformance import AuthProbe

    assert isinstance(probe, AuthProbe)
    target = probe.target
    user = str(target.user_id)
    key, client = probe.key, target.client_id
    if pnauth.encode_user_id(user, "form") == pnauth.encode_user_id(user, "percent"):
        if not target.is_sandbox:
            return Fact(
                "UserId encoding accepted",
                "undetermined",
                f"UserId {user!r} encodes the same either way (needs a UserId with a space)",
            )
        from mypref_harness.sandbox.tenants import SANCHEZ_SECOND_USER

        user, key, client = SANCHEZ_SECOND_USER, demo.SANCHEZ.api_key, demo.SANCHEZ.client_id
    results = {}
    for encoding in pnauth.UserIdEncoding:
        header = probe.pn(user_id=user, key=key, client_id=client, encoding=encoding)
        results[encoding.value] = _ok(probe.get(header, client))
    accepted = [name for name, ok in results.items() if ok]
    value = " and ".join(accepted) if accepted else "neither"
    evidence = f"UserId {user!r}: " + ", ".join(
        f"{n} {'accepted' if ok else 'rejected'}" for n, ok in results.items()
    )
    return Fact("UserId encoding accepted", value, evidence)


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


def token_lifetime_fact(probe: object) -> Fact:
    from mypref_harness.contract.auth_conformance import AuthProbe, token_lifetime

    assert isinstance(probe, AuthProbe)
    issued_at = probe.now()
    response = probe.token_request()
    if response.status_code != 200:
        return Fact("token lifetime", "undetermined", f"token request: HTTP {response.status_code}")
    expires_in, jwt_life = token_lifetime(probe, response)
    value = f"expires_in {expires_in:g} s" if expires_in is not None else "no expires_in"
    if jwt_life is not None:
        value += f"; JWT exp - iat {jwt_life:g} s"
        if expires_in is not None and abs(jwt_life - expires_in) > 2:
            value += " (MISMATCH)"
    evidence = "documented: 60 minutes; the sample response says expires_in 300"
    hint = expires_in if expires_in is not None else jwt_life
    limit = 3700.0 if probe.options.slow else probe.options.max_token_wait_s
    token = response.json().get("access_token")
    if hint is not None and hint <= limit and isinstance(token, str):
        measured = measured_token_lifetime(
            lambda: probe.get(f"Bearer {token}").status_code != 401,
            hint,
            probe.now,
            probe.sleep,
            issued_at=issued_at,
        )
        value += "; measured: " + (
            f"rejected by {measured:.0f} s after issue"
            if measured is not None
            else f"still accepted {hint + 30:g} s after issue"
        )
    else:
        evidence += "; real lifetime not measured (use --slow to wait for it)"
    return Fact("token lifetime", value, evidence)


def run_probes(probe: object) -> list[Fact]:
    from mypref_harness.contract.auth_conformance import AuthProbe

    assert isinstance(probe, AuthProbe)
    facts: list[Fact] = []
    if probe.key:
        facts += [
            naive_timestamp_fact(probe),
            window_fact(probe),
            future_tolerance_fact(probe),
            encoding_fact(probe),
        ]
    if probe.target.token_url and probe.target.oauth_client_id and probe.secret:
        facts.append(token_lifetime_fact(probe))
    return facts


def preflight(target: Target, clock_offset: float = 0.0, probe_path: str = "/{clientId}/Programs") -> None:
    """One authenticated request before the suite: wrong credentials are a configuration error (exit 2),
    not hundreds of findings. Raises ConfigError / TargetUnreachable / the TokenSource's TokenError."""
    from urllib.parse import quote

    from mypref_harness.auth.adapters import auth_for
    from mypref_harness.errors import ConfigError, TargetUnreachable

    url = f"{target.base_url}{probe_path.replace('{clientId}', quote(str(target.client_id), safe=''))}"
    try:
        with httpx.Client(auth=auth_for(target, clock_offset=clock_offset), timeout=10.0) as client:
            response = client.get(url, headers={"Accept": "application/json"})
    except httpx.TransportError as exc:
        raise TargetUnreachable(f"{target.base_url}: {type(exc).__name__}: {exc}") from None
    if response.status_code == 401:
        try:
            message = response.json().get("Message")
        except (ValueError, AttributeError):
            message = None
        scheme = "OAuth token" if target.auth == "oauth" else f"{target.pnauth_scheme} signature"
        raise ConfigError(
            f"the target rejected our credentials ({scheme} for {target.client_id}/{target.user_id}): "
            f"401 {message or ''}".rstrip()
        )
    if response.status_code == 404 and not response.content.strip():
        raise ConfigError(f"the target does not know ClientId {target.client_id!r} (404 on {probe_path})")
