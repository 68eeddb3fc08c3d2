"""One preflight before every run that sends traffic (contract, auth conformance, load, the gate).

Two requests, before the suite's first: the target's clock (the ``Date`` of an answer to ``GET /``),
so that a target whose clock runs minutes behind ours is signed for in its own time; then one
authenticated read of the target's configuration, ``GET /{clientId}/Programs`` (the request of the
vendor's own example), so that wrong credentials or a wrong URL end the run with one line instead
of hundreds of identical findings.

What each answer to that read means follows the vendor's API overview ("Errors", "Status Codes"):

* **401** "Unauthorized": an authorization failure -> ConfigError (exit 2), the server's Message quoted.
* **403** "The API key doesn't have permissions to perform the request" -> ConfigError (exit 2):
  every request of the run would be refused the same way.
* **404**: "returned when you access a URL or a resource that is invalid ... also returned when the
  ClientId ... is invalid or not found" -> ConfigError (exit 2) naming the base URL's missing
  ``/Profiles/v4`` or the ClientId. The Programs route is documented, so no 404 is the route's own.
* **5xx, 429** "a temporary problem with servers": retried (``Retry-After`` honoured, bounded, the
  :mod:`mypref_harness.auth.answers` policy). If no other answer comes, the read decided nothing
  about the credentials: :attr:`Preflight.undecided` says why and the caller decides whether its
  suite can run on an unhealthy target (auth conformance reports it per check; load refuses, exit 3).
* no connection -> TargetUnreachable (exit 3); a token endpoint that refuses -> the TokenSource's
  TokenError.
* anything else (2xx, 400, 402, ...): the credentials were accepted.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx

from mypref_harness.auth.answers import Retrier, RetryPolicy, UndecidedAnswer, json_body
from mypref_harness.auth.clock import signing_offset_for, skew_from_headers
from mypref_harness.budget import counting_hooks
from mypref_harness.config import Target
from mypref_harness.credentials import auth_for
from mypref_harness.errors import ConfigError, TargetUnreachable
from mypref_harness.guards import missing_api_prefix
from mypref_harness.spec.params import fill_client_id

PROBE_PATH = "/{clientId}/Programs"  # the configuration read of the vendor's own example request
_ACCEPT_JSON = {"Accept": "application/json"}


@dataclass(frozen=True)
class Preflight:
    """What the preflight learned: the clock skew, the signing offset, and an undecided read."""

    skew_s: float | None  # local clock minus the target's, seconds (> 0: local ahead); None = unknown
    clock_offset: float  # seconds to add to the local clock when signing (auth.clock.signing_offset_for)
    undecided: str | None = None  # why the configuration read decided nothing (5xx/429 after retries)
    # Seconds of the first exchange (the clock read, else the configuration read): what one request
    # costs on this target, for the number of workers that keeps a rate limit busy (budget.workers_for).
    round_trip_s: float | None = field(default=None, compare=False)  # a measurement, not a verdict


def measure_clock_skew(
    target: Target, client: httpx.Client | None = None, retrier: Retrier | None = None
) -> float | None:
    """Local clock minus the target's (seconds; > 0 = local ahead), from the Date header of one answer.

    Only a deciding answer counts (a 503 may come from a proxy with its own clock): 5xx/429 and
    timeouts are retried, and None is returned when no other answer comes.
    """
    if not target.base_url:
        return None
    url = target.url_for("/")
    retrier = retrier or Retrier(RetryPolicy())
    own = client is None
    http = client or httpx.Client(timeout=5.0, event_hooks=counting_hooks())
    moments: list[float] = []

    def send() -> httpx.Response:
        moments[:] = [time.time()]
        response = http.get(url)
        moments.append(time.time())
        return response

    try:
        response = retrier.send(send, "GET /")
    except UndecidedAnswer:
        return None
    finally:
        if own:
            http.close()
    # Compare with the middle of the exchange, not its end.
    return skew_from_headers(dict(response.headers), local_now=sum(moments) / 2)


def preflight(
    target: Target,
    *,
    probe_path: str = PROBE_PATH,
    auth_off: bool = False,
    client: httpx.Client | None = None,
    retrier: Retrier | None = None,
    timeout: float = 10.0,
) -> Preflight:
    """Measure the clock skew, then read the configuration once with our credentials (see the module).

    ``auth_off`` (a sandbox started without authentication) skips the clock: nothing is signed.
    ``client`` and ``retrier`` let a suite share its own (timeouts, retry statistics, a test transport).
    """
    retrier = retrier or Retrier(RetryPolicy())
    own = client is None
    http = client or httpx.Client(timeout=timeout, event_hooks=counting_hooks())
    try:
        started = time.monotonic()
        skew = None if auth_off else measure_clock_skew(target, http, retrier)
        measured = time.monotonic()
        offset = signing_offset_for(skew)
        undecided = check_credentials(target, clock_offset=offset, probe_path=probe_path,
                                      auth_off=auth_off, client=http, retrier=retrier)
        round_trip = (measured - started) if not auth_off else (time.monotonic() - measured)
    finally:
        if own:
            http.close()
    return Preflight(skew, offset, undecided, round_trip)


def check_credentials(
    target: Target,
    *,
    clock_offset: float = 0.0,
    probe_path: str = PROBE_PATH,
    auth_off: bool = False,
    client: httpx.Client,
    retrier: Retrier,
) -> str | None:
    """The authenticated configuration read: raises on what the answer decides, else returns None;
    the reason when no answer decided anything (5xx/429 after retries)."""
    if not target.base_url or not target.client_id:
        raise ConfigError("the preflight needs a resolved target: a base URL and a ClientId")
    base_url = target.base_url
    url = target.url_for(fill_client_id(probe_path, target.client_id, target.client_id_param))
    auth = None if auth_off else auth_for(target, clock_offset=clock_offset)

    def send() -> httpx.Response:
        try:
            return client.get(url, auth=auth, headers=_ACCEPT_JSON)
        except httpx.TransportError as exc:  # not retried: the reachability of the target decides
            raise TargetUnreachable(f"{base_url}: {type(exc).__name__}: {exc}") from None

    try:
        response = retrier.send(send, f"GET {probe_path}")
    except UndecidedAnswer as exc:
        return exc.reason
    _judge(target, response, probe_path)
    return None


def _judge(target: Target, response: httpx.Response, probe_path: str) -> None:
    status = response.status_code
    message = json_body(response).get("Message")
    detail = f": {message}" if message else ""
    what = "OAuth token" if target.auth == "oauth" else f"{target.pnauth_scheme} signature"
    whose = f"{what} for {target.client_id}/{target.user_id}"
    if status == 401:
        raise ConfigError(
            f"credentials rejected by {target.base_url} (HTTP 401{detail}): "
            f"the target rejected our credentials ({whose}); check the {target.auth} settings"
        )
    if status == 403:
        raise ConfigError(
            f"credentials rejected by {target.base_url} (HTTP 403{detail}): our credentials ({whose}) "
            f"may not read {probe_path}; ask the vendor for the API user's permissions"
        )
    if status == 404:
        # the URL misses /Profiles/v4 (after reconciling with the spec): not the ClientId's fault
        hint = missing_api_prefix(target.url_for("/").rstrip("/"))
        if hint:
            raise ConfigError(f"{hint}: 404 on {probe_path}")
        raise ConfigError(f"the target does not know ClientId {target.client_id!r} (404 on {probe_path})")
