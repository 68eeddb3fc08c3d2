"""Demo-only credentials of the embedded sandbox's tenants.

These values are public on purpose (the first is the vendor's documented example). They are
never valid anywhere but on the embedded sandbox, and the sandbox accepts overrides.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoTenant:
    client_id: str
    user_id: str
    api_key: str
    oauth_client_id: str | None = None
    oauth_client_secret: str | None = None
    # Another user of the tenant whose UserId has a space, so the UserId URL-encoding rule can be tested.
    second_user_id: str | None = None


# The documented PNAUTHINFO3 example (API overview, "Keyed Algorithm").
SANCHEZ = DemoTenant(
    client_id="SanchezAssociates",
    user_id="RickSanchez",
    api_key="SeemslikearareopportunityMorty!",
    second_user_id="Morty Smith",
)

# The documented OAuth example tenant; OAuth client id is 48 characters, the secret 64 (as documented).
ACME = DemoTenant(
    client_id="ACME_CORP",
    user_id="John.Doe",
    api_key="demo-only-acme-apihashkey-not-a-secret",
    oauth_client_id="demo0acme0oauth0client0id0000000000000000000048c",
    oauth_client_secret="demo0acme0oauth0client0secret0not0a0real0secret00000000000000064",  # noqa: S106 (demo-only)
)

# A certificate-registered OAuth client of ACME_CORP (private_key_jwt); the key pair is created
# by the sandbox on first start.
ACME_CERT_OAUTH_CLIENT_ID = "demo0acme0oauth0certificate0client00000000000048"

DEMO_TENANTS: tuple[DemoTenant, ...] = (SANCHEZ, ACME)
