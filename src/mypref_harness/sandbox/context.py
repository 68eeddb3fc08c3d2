"""What the authentication layer tells the data layer about an authenticated request."""

from __future__ import annotations

from dataclasses import dataclass

AUTH_PNAUTH = "pnauth"
AUTH_OAUTH = "oauth"
AUTH_OFF = "none"  # --auth-off (benchmark baseline only)


@dataclass(frozen=True)
class RequestContext:
    client_id: str  # the tenant (MyPreferences ClientId) as registered, e.g. "ACME_CORP"
    user_id: str  # the authenticated MyPreferences user, e.g. "John.Doe"
    auth: str  # AUTH_PNAUTH, AUTH_OAUTH (or AUTH_OFF)
