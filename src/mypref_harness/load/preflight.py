"""Before the load starts: the signing clock offset and one authenticated configuration read."""

from __future__ import annotations

from mypref_harness.config import Target
from mypref_harness.errors import ConfigError, TargetUnreachable
from mypref_harness.load.read_back import request_auth
from mypref_harness.load.scenarios import REQUEST_TEMPLATES


def measure_signing_offset(target: Target) -> float:
    """Seconds to add to the local clock when signing, from the target's Date header: the policy of
    every command (auth.clock.signing_offset_for), so a target whose clock runs minutes behind or
    ahead of ours is not "credentials rejected"."""
    from mypref_harness.auth.clock import signing_offset_for
    from mypref_harness.contract.probes import measure_clock_skew

    return signing_offset_for(measure_clock_skew(target))


def preflight(
    target: Target, *, auth_off: bool = False, timeout: float = 10.0, clock_offset: float = 0.0
) -> None:
    """One authenticated configuration read before the load starts: bad credentials or a wrong
    ClientId fail here with one clear line instead of a run full of 401s."""
    import httpx

    assert target.base_url and target.client_id
    url = target.base_url + REQUEST_TEMPLATES["programs"].url(clientId=target.client_id)
    auth = request_auth(target, auth_off=auth_off, clock_offset=clock_offset)
    try:
        response = httpx.get(url, auth=auth, timeout=timeout, headers={"Accept": "application/json"})
    except httpx.TransportError as exc:
        raise TargetUnreachable(f"{target.base_url}: {type(exc).__name__}: {exc}") from None
    if response.status_code in (401, 403):
        try:
            message = response.json().get("Message")
        except (ValueError, AttributeError):
            message = None
        detail = f": {message}" if message else ""
        raise ConfigError(
            f"credentials rejected by {target.base_url} (HTTP {response.status_code}{detail}); "
            f"check the {target.auth} settings"
        )
    if response.status_code == 404:
        raise ConfigError(f"ClientId {target.client_id!r} not found at {target.base_url} (HTTP 404)")
    if response.status_code >= 500:
        raise TargetUnreachable(
            f"{target.base_url} answered HTTP {response.status_code} to a configuration read"
        )
