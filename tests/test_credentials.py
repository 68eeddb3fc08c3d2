"""credentials: auth objects for a Target (the PNAUTHINFO3 and OAuth factories)."""

from __future__ import annotations

import pytest

from mypref_harness.auth.adapters import BearerAuth, BearerAuthRequests
from mypref_harness.config import Target
from mypref_harness.credentials import auth_for, requests_auth_for, token_source_for
from mypref_harness.errors import ConfigError

OAUTH_TARGET = Target(
    base_url="http://127.0.0.1:1/Profiles/v4",
    token_url="http://127.0.0.1:1/oauth2/v1/token",
    client_id="ACME_CORP",
    user_id="John.Doe",
    auth="oauth",
    oauth_client_id="oauth-client",
    oauth_client_secret="oauth-secret-0123456789",
)


def test_a_token_source_made_by_auth_for_reads_expiry_in_server_time():
    # The clock offset of a run (local clock 90 s ahead of the target) must reach the TokenSource the
    # factory makes, not only the PNAUTHINFO3 signer: token expiry and client assertions are dated too.
    auth = auth_for(OAUTH_TARGET, clock_offset=-90.0)
    assert isinstance(auth, BearerAuth)
    assert auth.token_source.clock_offset == -90.0
    twin = requests_auth_for(OAUTH_TARGET, clock_offset=-90.0)
    assert isinstance(twin, BearerAuthRequests)
    assert twin.token_source.clock_offset == -90.0


def test_a_pnauth_target_without_a_key_is_a_configuration_error():
    target = Target(base_url="http://127.0.0.1:1/Profiles/v4", client_id="ACME_CORP", user_id="John.Doe")
    with pytest.raises(ConfigError, match="MYPREF_API_KEY"):
        auth_for(target)


def test_an_oauth_target_needs_a_secret_or_a_certificate():
    target = Target(base_url="http://127.0.0.1:1/Profiles/v4", token_url="http://127.0.0.1:1/t",
                    client_id="ACME_CORP", user_id="John.Doe", auth="oauth", oauth_client_id="oauth-client")
    with pytest.raises(ConfigError, match="MYPREF_OAUTH_CLIENT_SECRET or a certificate"):
        token_source_for(target)


def test_a_certificate_needs_its_key_too(tmp_path):
    cert = tmp_path / "client.pem"
    cert.write_text("not read: the pair is checked first")
    target = Target(base_url="http://127.0.0.1:1/Profiles/v4", token_url="http://127.0.0.1:1/t",
                    client_id="ACME_CORP", user_id="John.Doe", auth="oauth", oauth_client_id="oauth-client",
                    oauth_cert_path=cert)
    with pytest.raises(ConfigError, match="MYPREF_OAUTH_CERT and MYPREF_OAUTH_KEY must be set together"):
        token_source_for(target)
