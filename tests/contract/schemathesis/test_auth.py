"""The logic behind our Schemathesis auth provider and hooks, checked with the project's own Verifier."""

from __future__ import annotations

import pytest

from mypref_harness import demo
from mypref_harness.auth.pnauth import PnAuthError, Reason, parse_header
from mypref_harness.auth.verifier import ClientRecord, Verifier, static_lookup
from mypref_harness.config import Target
from mypref_harness.contract.schemathesis.auth import PNAUTH_MARKER, ContractAuth, client_id_from_path
from mypref_harness.contract.schemathesis.hooks import clock_offset_from_env
from mypref_harness.errors import ConfigError

NOW = 1_795_000_000.0
TENANT = demo.SANCHEZ


def pn_target(**overrides) -> Target:
    values = dict(
        base_url="http://127.0.0.1:9/Profiles/v4",
        client_id=TENANT.client_id,
        user_id=TENANT.user_id,
        api_key=TENANT.api_key,
    )
    values.update(overrides)
    return Target(**values)


def verifier(clock: float = NOW) -> Verifier:
    record = ClientRecord(
        client_id=TENANT.client_id, api_key=TENANT.api_key, users=frozenset({TENANT.user_id})
    )
    return Verifier(static_lookup(record), clock=lambda: clock)


def test_pnauth_header_verifies_for_the_client_in_the_final_path():
    auth = ContractAuth(pn_target(), clock=lambda: NOW)
    assert auth.credential() == PNAUTH_MARKER  # Schemathesis skips set() when get() returns None
    header = auth.header_for({"clientId": TENANT.client_id}, auth.credential())
    assert verifier().verify(TENANT.client_id, header).user_id == TENANT.user_id


def test_percent_encoded_path_parameter_is_unquoted_before_signing():
    auth = ContractAuth(pn_target(client_id="ACME Corp"), clock=lambda: NOW)
    header = auth.header_for({"clientId": "ACME%20Corp"}, PNAUTH_MARKER)
    record = ClientRecord(client_id="ACME Corp", api_key=TENANT.api_key, users=frozenset({TENANT.user_id}))
    verified = Verifier(static_lookup(record), clock=lambda: NOW).verify("ACME Corp", header)
    assert verified.user_id == TENANT.user_id


def test_resign_replaces_a_header_signed_before_the_parameter_override():
    auth = ContractAuth(pn_target(), clock=lambda: NOW)
    stale = auth.header_for({"clientId": "000"}, PNAUTH_MARKER)  # coverage phase: set() saw clientId '000'
    headers = {"Authorization": stale}
    assert auth.resign(headers, {"clientId": TENANT.client_id}) is True
    verifier().verify(TENANT.client_id, headers["Authorization"])
    with pytest.raises(PnAuthError):
        verifier().verify(TENANT.client_id, stale)


@pytest.mark.parametrize(
    "garbage", ["", "Basic Zm9vOmJhcg==", "PNAUTHINFO3-HMAC-SHA256", "x" * 40, "Bearer abc"]
)
def test_resign_keeps_deliberately_broken_auth_as_generated(garbage):
    auth = ContractAuth(pn_target(), clock=lambda: NOW)
    headers = {"Authorization": garbage}
    assert auth.resign(headers, {"clientId": TENANT.client_id}) is False
    assert headers == {"Authorization": garbage}
    assert auth.resign({}, {"clientId": TENANT.client_id}) is False  # removed header stays removed


def test_clock_offset_moves_the_issued_timestamp():
    auth = ContractAuth(pn_target(), clock=lambda: NOW, clock_offset=-30)
    header = auth.header_for({"clientId": TENANT.client_id}, PNAUTH_MARKER)
    issued = verifier(clock=NOW).verify(TENANT.client_id, header).issued_at.timestamp()
    assert issued == NOW - 30
    future = ContractAuth(pn_target(), clock=lambda: NOW, clock_offset=+60).sign(TENANT.client_id)
    with pytest.raises(PnAuthError) as info:
        verifier(clock=NOW).verify(TENANT.client_id, future)
    assert info.value.reason is Reason.INVALID_TIMESTAMP


def test_configured_scheme_is_used():
    auth = ContractAuth(pn_target(pnauth_scheme="PNAUTHINFO3-SHA512"), clock=lambda: NOW)
    header = auth.sign(TENANT.client_id)
    assert parse_header(header).scheme.name == "PNAUTHINFO3-SHA512"
    verifier().verify(TENANT.client_id, header)
    assert auth.is_own_pnauth_header(header.lower().replace("credential=", "Credential=", 1))


def test_missing_key_is_a_config_error():
    with pytest.raises(ConfigError, match="MYPREF_API_KEY"):
        ContractAuth(pn_target(api_key=None))


class FakeTokenSource:
    def __init__(self) -> None:
        self.current = "tok-1"
        self.invalidated: list[str] = []

    def token(self) -> str:
        return self.current

    def invalidate(self, stale: str | None = None) -> bool:
        self.invalidated.append(str(stale))
        return stale == self.current


class FakeResponse:
    def __init__(self, status: int, headers: dict[str, str], text: str) -> None:
        self.status_code, self.headers, self.text = status, headers, text


def oauth_auth(source: FakeTokenSource) -> ContractAuth:
    target = pn_target(
        auth="oauth",
        token_url="http://127.0.0.1:9/oauth2/v1/token",
        oauth_client_id="c" * 48,
        oauth_client_secret="s" * 64,
    )
    return ContractAuth(target, token_source=source)


def test_bearer_token_comes_from_the_token_source():
    source = FakeTokenSource()
    auth = oauth_auth(source)
    assert auth.header_for({"clientId": TENANT.client_id}, auth.credential()) == "Bearer tok-1"
    assert auth.resign({"Authorization": "Bearer tok-1"}, {}) is False  # bearer headers are never re-signed


def test_only_a_token_error_invalidates_the_token():
    source = FakeTokenSource()
    auth = oauth_auth(source)
    sent = {"Authorization": "Bearer tok-1"}
    bad_signature = FakeResponse(
        401, {"www-authenticate": 'PNAUTHINFO3 realm="x"'}, '{"Message": "Unable to authenticate request."}'
    )
    assert auth.observe(sent, bad_signature) is False
    assert auth.observe(sent, FakeResponse(200, {}, "{}")) is False
    assert source.invalidated == []  # no refetch storm on 401s that are not about the token
    expired = FakeResponse(
        401,
        {"www-authenticate": 'Bearer error="invalid_token", error_description="expired"'},
        '{"Message": "The access token expired"}',
    )
    assert auth.observe(sent, expired) is True
    assert source.invalidated == ["tok-1"]


def test_clock_offset_env_parsing():
    assert clock_offset_from_env({"MYPREF_CONTRACT_CLOCK_OFFSET": "-3.5"}) == -3.5
    assert clock_offset_from_env({"MYPREF_CONTRACT_CLOCK_OFFSET": "junk"}) == 0.0
    assert clock_offset_from_env({}) == 0.0


def test_client_id_from_path_is_case_insensitive_on_the_name():
    assert client_id_from_path({"ClientId": "A%2FB"}) == "A/B"
    assert client_id_from_path({"profileId": "1"}) is None


def test_client_id_from_path_in_the_parameter_client_id_param_names():
    assert client_id_from_path({"AccountId": "ACME", "clientId": "X"}, "accountid") == "ACME"
    assert client_id_from_path({"AccountId": "ACME"}) is None
