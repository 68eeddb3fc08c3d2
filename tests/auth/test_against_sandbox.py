"""Plumbing against the real embedded sandbox (subprocess on a loopback port, stopped afterwards).

These prove the pieces fit the server the other suites test: resolved_target's credentials, token
fetches (Basic, body, certificate), is_token_error on the sandbox's real 401s, and the clock-skew
correction against a sandbox whose clock runs behind ours.
"""

from __future__ import annotations

import dataclasses
import time

import httpx
import pytest

from mypref_harness.auth.adapters import BearerAuth, PnAuth, is_token_error
from mypref_harness.auth.assertion import ClientAssertionSigner
from mypref_harness.auth.clock import measure_skew, safe_signing_offset, skew_from_headers
from mypref_harness.auth.oauth import TokenSource
from mypref_harness.config import Target, load_target
from mypref_harness.credentials import auth_for, token_source_for
from mypref_harness.embedded import resolved_target, target_for_sandbox
from mypref_harness.guards import is_loopback

try:
    import mypref_harness.sandbox.process  # noqa: F401

    HAVE_SANDBOX = True
except ImportError:
    HAVE_SANDBOX = False

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not HAVE_SANDBOX, reason="sandbox.process not built yet")]


def programs(target: Target) -> str:
    return f"{target.base_url}/{target.client_id}/Programs"


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("sandbox-state")


@pytest.fixture(scope="module")
def handle(state_dir):
    from mypref_harness.sandbox.process import running_sandbox

    with running_sandbox(state_dir=state_dir, token_lifetime=2) as running:
        yield running


@pytest.fixture(scope="module")
def sandbox(handle):
    return target_for_sandbox(load_target(env={}), handle.credentials, root_url=handle.root_url)


def test_embedded_target_is_filled_with_loopback_urls_and_acme_credentials(sandbox):
    assert is_loopback(sandbox.base_url) and is_loopback(sandbox.token_url)
    assert sandbox.base_url.endswith("/Profiles/v4")
    assert (sandbox.client_id, sandbox.user_id) == ("ACME_CORP", "John.Doe")
    assert sandbox.api_key and sandbox.oauth_client_id and sandbox.oauth_client_secret
    assert sandbox.is_sandbox and not sandbox.is_embedded


def test_pnauth_is_accepted_and_a_wrong_key_gives_a_non_token_401(sandbox):
    ok = httpx.get(programs(sandbox), auth=auth_for(sandbox), timeout=10)
    assert ok.status_code != 401, ok.text
    bad = httpx.get(
        programs(sandbox), auth=PnAuth("wrong-key-1234", sandbox.client_id, sandbox.user_id), timeout=10
    )
    assert bad.status_code == 401
    assert not is_token_error(bad)


@pytest.mark.parametrize("send", ["basic", "body"])
def test_client_secret_token_works_for_the_api(sandbox, send):
    target = dataclasses.replace(sandbox, auth="oauth", oauth_send=send)
    source = token_source_for(target)
    response = httpx.get(programs(target), auth=BearerAuth(source), timeout=10)
    assert response.status_code != 401, response.text
    assert source.fetches == 1


def test_wrong_client_secret_is_a_typed_error_without_the_secret(sandbox):
    from mypref_harness.auth.oauth import TokenError

    wrong = "definitely-not-the-secret-0123456789"
    source = TokenSource(sandbox.token_url, sandbox.oauth_client_id, wrong, sandbox.scope)
    with pytest.raises(TokenError) as info:
        source.token()
    assert info.value.status in (400, 401)
    assert info.value.error == "invalid_client"
    assert wrong not in str(info.value)


def test_expired_token_on_the_wire_is_refreshed_once_and_replayed(sandbox):
    frozen = time.time()  # the source never notices expiry by itself: only the server's 401 tells it
    source = token_source_for(dataclasses.replace(sandbox, auth="oauth"), clock=lambda: frozen)
    auth = BearerAuth(source)
    first = httpx.get(programs(sandbox), auth=auth, timeout=10)
    assert first.status_code != 401, first.text
    time.sleep(3.1)  # sandbox token lifetime is 2 s
    second = httpx.get(programs(sandbox), auth=auth, timeout=10)
    assert second.status_code != 401, second.text
    assert auth.replays == 1
    assert source.fetches == 2


def test_invalid_bearer_401_from_the_sandbox_is_a_token_error(sandbox):
    response = httpx.get(programs(sandbox), headers={"Authorization": "Bearer not-a-token"}, timeout=10)
    assert response.status_code == 401
    assert is_token_error(response)


def test_certificate_client_gets_a_token_and_our_x5t_matches_the_sandbox(handle):
    embedded = load_target(env={"MYPREF_AUTH": "oauth"})
    target = target_for_sandbox(embedded, handle.credentials, certificate=True)
    assert target.uses_certificate and target.oauth_client_secret is None
    source = token_source_for(target)
    response = httpx.get(programs(target), auth=BearerAuth(source), timeout=10)
    assert response.status_code != 401, response.text
    signer = ClientAssertionSigner(
        target.oauth_client_id,
        target.token_url,
        cert_path=target.oauth_cert_path,
        key_path=target.oauth_key_path,
    )
    acme = next(t for t in handle.credentials["tenants"] if t["client_id"] == "ACME_CORP")
    assert acme["oauth_certificate"]["x5t"] == signer.x5t  # computed independently by the sandbox


def test_skew_correction_against_a_sandbox_whose_clock_runs_behind(state_dir):
    with resolved_target(
        load_target(env={}), state_dir=state_dir, extra_args=["--clock-offset", "-120"]
    ) as target:
        naive = httpx.get(programs(target), auth=auth_for(target), timeout=10)
        assert naive.status_code == 401  # our timestamps are 2 minutes in the server's future
        assert "ISO 8601" in naive.text
        skew = skew_from_headers(naive.headers)
        assert skew is not None and 118 <= skew <= 122
        measured = measure_skew(target.sandbox_root_url)
        assert measured is not None and 118 <= measured <= 122
        corrected = httpx.get(
            programs(target), auth=auth_for(target, clock_offset=safe_signing_offset(skew)), timeout=10
        )
        assert corrected.status_code != 401, corrected.text
        root = target.sandbox_root_url
    with pytest.raises(httpx.TransportError):  # resolved_target stopped the sandbox
        httpx.get(root, timeout=2)
