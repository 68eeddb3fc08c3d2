"""embedded: the sandbox started for a run, and the Target filled in from its credentials."""

from __future__ import annotations

import contextlib

import pytest

from mypref_harness import embedded
from mypref_harness.config import Target, load_target
from mypref_harness.embedded import resolved_target, target_for_sandbox
from mypref_harness.errors import ConfigError
from mypref_harness.secret import Secret

CONFIGURED = {
    "MYPREF_BASE_URL": "http://127.0.0.1:8080/Profiles/v4/",
    "MYPREF_CLIENT_ID": "ACME_CORP",
    "MYPREF_USER_ID": "John.Doe",
    "MYPREF_API_KEY": "pnauth-key-value-1234567890",
}


@pytest.fixture(autouse=True)
def _isolated_cwd(tmp_path, monkeypatch):
    # ./mypref.toml is read by default: never pick up a developer's file.
    monkeypatch.chdir(tmp_path)


# ------------------------------------------------------------------ sandbox resolution

CREDENTIALS = {
    "base_url": "http://127.0.0.1:5555/Profiles/v4",
    "token_url": "http://127.0.0.1:5555/oauth2/v1/token",
    "jwks_url": "http://127.0.0.1:5555/oauth2/v1/keys",
    "tenants": [
        {
            "client_id": "SanchezAssociates",
            "user_id": "RickSanchez",
            "api_key": "Seemslikeararekey",
            "oauth": None,
        },
        {
            "client_id": "ACME_CORP",
            "user_id": "John.Doe",
            "api_key": "acme-key-12345",
            "oauth": {"client_id": "acme-oauth-id", "client_secret": "acme-oauth-secret"},
        },
    ],
}


def test_configured_target_is_yielded_unchanged():
    target = load_target(env=CONFIGURED)
    with resolved_target(target) as resolved:
        assert resolved is target


def test_target_for_sandbox_defaults_to_acme_with_both_credentials():
    target = target_for_sandbox(Target(), CREDENTIALS)
    assert target.base_url == "http://127.0.0.1:5555/Profiles/v4"
    assert target.token_url == "http://127.0.0.1:5555/oauth2/v1/token"
    assert target.jwks_url == "http://127.0.0.1:5555/oauth2/v1/keys"
    assert target.sandbox_root_url == "http://127.0.0.1:5555"
    assert (target.client_id, target.user_id) == ("ACME_CORP", "John.Doe")
    assert target.api_key == Secret("acme-key-12345")
    assert target.oauth_client_id == "acme-oauth-id"
    assert target.oauth_client_secret == Secret("acme-oauth-secret")
    assert not target.is_embedded and target.is_sandbox


def test_target_for_sandbox_selects_tenant_by_client_id_and_rejects_unknown():
    target = target_for_sandbox(Target(client_id="SanchezAssociates"), CREDENTIALS)
    assert target.user_id == "RickSanchez"
    assert target.oauth_client_secret is None
    with pytest.raises(ConfigError, match=r"no tenant 'NOPE'.*SanchezAssociates, ACME_CORP"):
        target_for_sandbox(Target(client_id="NOPE"), CREDENTIALS)
    with pytest.raises(ConfigError, match="no OAuth client"):
        target_for_sandbox(Target(client_id="SanchezAssociates", auth="oauth"), CREDENTIALS)


def test_resolved_target_starts_the_sandbox_yields_its_target_and_stops_it(monkeypatch):
    # The sandbox process is faked here; tests/auth/test_against_sandbox.py runs the real one.
    events: list[object] = []

    class Handle:
        credentials = CREDENTIALS
        root_url = "http://127.0.0.1:5555"

    @contextlib.contextmanager
    def running_sandbox(**options):
        events.append(("start", options))
        try:
            yield Handle()
        finally:
            events.append("stop")

    monkeypatch.setattr(embedded, "running_sandbox", running_sandbox)

    with resolved_target(Target(), defects=("sha1-accepted",), token_lifetime=5) as target:
        assert events == [("start", {"defects": ("sha1-accepted",), "token_lifetime": 5})]
        assert target.base_url == CREDENTIALS["base_url"]
        assert target.client_id == "ACME_CORP"
    assert events[-1] == "stop"

    with pytest.raises(RuntimeError), resolved_target(Target()):
        raise RuntimeError("a failing suite still stops the sandbox")
    assert events[-1] == "stop" and len(events) == 4
