"""The target's knobs and its test-only tenants.

Every credential below is a public, test-only value of this test server, valid nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Statuses the target may use for a valid request that conflicts with the resource's state. The
# document never names one; 402 is its own "the parameters were valid but the request failed".
CONFLICT_STATUSES = (400, 402)
ENCODINGS = ("form", "percent")


@dataclass(frozen=True)
class User:
    user_id: str


@dataclass(frozen=True)
class Tenant:
    client_id: str
    api_key: str
    users: tuple[User, ...]
    oauth_client_id: str
    oauth_client_secret: str


# 48-character OAuth client ids and 64-character secrets, as the document describes them.
MAIN = Tenant(
    client_id="Independent_Co",
    api_key="independent-target-key-test-only",
    users=(User("Jane.Roe"), User("Jane Roe")),
    oauth_client_id="indep0oauth0client0id0test0only0000000000000001",
    oauth_client_secret="indep-oauth-secret-test-only-" + "0" * 35,
)
OTHER = Tenant(
    client_id="Other_Co",
    api_key="other-target-key-test-only",
    users=(User("Otto.Other"),),
    oauth_client_id="indep0oauth0client0id0test0only0000000000000002",
    oauth_client_secret="other-oauth-secret-test-only-" + "0" * 35,
)
TENANTS = (MAIN, OTHER)


@dataclass(frozen=True)
class TargetOptions:
    """How this server behaves where tests want to turn a knob.

    conflict_status: the status of a state conflict (400, or 402 in the variant).
    removed_routes: operationIds to answer like unknown URLs (empty 404), as if the route did not exist.
    pnauth_window: seconds a PNAUTHINFO3 issued timestamp stays valid (document default: 15 minutes).
    user_id_encoding: how a UserId with spaces must be encoded in the credential: "form" (space -> +)
        or "percent" (space -> %20); the other one is an unknown user.
    token_lifetime: seconds an access token is valid (document: currently 60 minutes).
    advertised_lifetime: expires_in when it should differ from the real lifetime (a deliberate lie).
    """

    conflict_status: int = 400
    removed_routes: frozenset[str] = field(default_factory=frozenset)
    pnauth_window: int = 900
    user_id_encoding: str = "form"
    token_lifetime: int = 3600
    advertised_lifetime: int | None = None

    def __post_init__(self) -> None:
        if self.conflict_status not in CONFLICT_STATUSES:
            raise ValueError(f"conflict_status must be one of {CONFLICT_STATUSES}")
        if self.user_id_encoding not in ENCODINGS:
            raise ValueError(f"user_id_encoding must be one of {ENCODINGS}")
        if self.pnauth_window <= 0 or self.token_lifetime <= 0:
            raise ValueError("pnauth_window and token_lifetime must be positive")
