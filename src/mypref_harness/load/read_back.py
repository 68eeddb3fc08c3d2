"""The acknowledged writes read back after the run (the integrity check), with the harness's own auth.

These requests go out from this process with httpx, not through Locust, signed in the target's time.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from mypref_harness.auth.clock import retry_after_seconds
from mypref_harness.budget import request_hooks
from mypref_harness.config import Target
from mypref_harness.credentials import auth_for
from mypref_harness.load.integrity import ProfileUnreadable
from mypref_harness.load.templates import RequestTemplate
from mypref_harness.spec.paths import join

READ_BACK_ATTEMPTS = 3
MAX_READ_BACK_WAIT = 5.0  # seconds the read-back waits at most after a 429, whatever Retry-After says


def profile_fetcher(
    target: Target,
    read_profile: RequestTemplate,
    *,
    auth_off: bool = False,
    timeout: float = 10.0,
    clock_offset: float = 0.0,
    transport: Any = None,
    sleep: Any = time.sleep,
) -> Any:
    """fetch(profile_id) -> body | None (404) for the integrity read-back, with the spec's read-profile.

    A transport error or a 5xx is retried at once, a 429 after its Retry-After (bounded): a
    throttling target must not turn acknowledged writes into "unreadable" ones.
    """
    base_url = target.base_url
    assert base_url is not None
    auth = None if auth_off else auth_for(target, clock_offset=clock_offset)  # signed in server time
    client = httpx.Client(auth=auth, timeout=timeout, transport=transport, event_hooks=request_hooks())

    def fetch(profile_id: int) -> Any:
        path = read_profile.url(clientId=target.client_id, profileId=profile_id)
        url = join(base_url, path)
        last = ""
        for attempt in range(1, READ_BACK_ATTEMPTS + 1):
            try:
                response = client.get(url, headers={"Accept": "application/json"})
            except httpx.TransportError as exc:
                last = type(exc).__name__
                continue
            if response.status_code == 200:
                return response.json()
            if response.status_code == 404:
                return None
            last = f"HTTP {response.status_code}"
            if response.status_code == 429 and attempt < READ_BACK_ATTEMPTS:
                after = retry_after_seconds(response.headers.get("retry-after"))
                sleep(min(MAX_READ_BACK_WAIT, 1.0 if after is None else after))
        raise ProfileUnreadable(last)

    fetch.close = client.close  # type: ignore[attr-defined]
    return fetch
