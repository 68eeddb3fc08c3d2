"""credentials: auth objects for a Target (the PNAUTHINFO3 and OAuth factories)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

import pytest

from mypref_harness.auth.adapters import BearerAuth, BearerAuthRequests, PnAuth, PnAuthRequests
from mypref_harness.auth.oauth import TokenSource
from mypref_harness.config import Target
from mypref_harness.credentials import (
    auth_for,
    authorization_header,
    pnauth_for,
    requests_auth_for,
    token_source_for,
)
from mypref_harness.errors import ConfigError

KEY = "SeemslikearareopportunityMorty!"
HEADER_RE = re.compile(
    r"^PNAUTHINFO3-HMAC-SHA256 Credential=(?P<user>[^/ ]+)/(?P<ts>\S+) Signature=(?P<sig>\S+)$"
)
PN_TARGET = Target(
    base_url="http://127.0.0.1:1/Profiles/v4",
    client_id="SanchezAssociates",
    user_id="RickSanchez",
    api_key=KEY,
)


def independent_signature(key: str, message: str) -> str:
    return base64.b64encode(hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()).decode()


class TokenEndpoint:
    """A token endpoint as a transport callable: token-1, token-2, ...; records each call's form data."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict, dict]] = []

    def __call__(self, url, data, headers):
        self.calls.append((url, dict(data), dict(headers)))
        token = f"token-{len(self.calls)}"
        return 200, {"access_token": token, "token_type": "Bearer", "expires_in": 3600}, {}


def test_auth_for_and_authorization_header_for_pnauth_target():
    assert isinstance(auth_for(PN_TARGET), PnAuth)
    assert isinstance(requests_auth_for(PN_TARGET), PnAuthRequests)
    match = HEADER_RE.match(authorization_header(PN_TARGET))
    assert match["sig"] == independent_signature(KEY, f"SanchezAssociates:RickSanchez:{match['ts']}")
    other = HEADER_RE.match(authorization_header(PN_TARGET, user_id="Morty"))
    assert other["user"] == "Morty"
    assert pnauth_for(PN_TARGET).client_id == "SanchezAssociates"


def test_auth_for_oauth_target_uses_the_given_token_source():
    target = Target(
        base_url="http://127.0.0.1:1/P",
        token_url="http://127.0.0.1:1/t",
        client_id="A",
        user_id="B",
        auth="oauth",
        oauth_client_id="id",
        oauth_client_secret="secret-1234",
    )
    source = TokenSource("http://127.0.0.1:1/t", "id", "secret-1234", "A/B", post=TokenEndpoint())
    auth = auth_for(target, token_source=source)
    assert isinstance(auth, BearerAuth) and auth.token_source is source
    assert authorization_header(target, source) == "Bearer token-1"
    with pytest.raises(ValueError, match="token_source"):
        authorization_header(target)


def test_token_source_for_target_uses_scope_and_send_mode():
    secret = "s3cr3t-value-that-must-never-leak-0123456789"
    target = Target(
        base_url="http://127.0.0.1:1/P",
        token_url="http://127.0.0.1:1/oauth2/v1/token",
        client_id="ACME_CORP",
        user_id="John.Doe",
        auth="oauth",
        oauth_client_id="demo0acme0oauth0client0id0000000000000000000048c",
        oauth_client_secret=secret,
        oauth_send="body",
    )
    server = TokenEndpoint()
    source = token_source_for(target, post=server)
    source.token()
    data = server.calls[0][1]
    assert data["scope"] == "ACME_CORP/John.Doe"
    assert data["client_secret"] == secret
    with pytest.raises(ConfigError):
        token_source_for(Target(base_url="http://127.0.0.1:1/P", auth="oauth"))

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
