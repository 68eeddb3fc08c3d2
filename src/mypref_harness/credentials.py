"""Auth objects for a Target: the one place where configuration meets the auth flows.

``mypref_harness.auth`` signs and fetches tokens from plain values (a key, a ClientId, a token URL)
and knows nothing of :class:`~mypref_harness.config.Target`; this module reads a Target and builds
the flow it asks for: PNAUTHINFO3 signing or an OAuth TokenSource (client secret or certificate),
as an httpx.Auth, a requests auth, or a bare header value.
"""

from __future__ import annotations

from typing import Any

import httpx

from mypref_harness.auth.adapters import BearerAuth, BearerAuthRequests, PnAuth, PnAuthRequests
from mypref_harness.auth.oauth import JsonPost, TokenSource
from mypref_harness.config import Target
from mypref_harness.errors import ConfigError
from mypref_harness.secret import reveal


def token_source_for(
    target: Target, *, post: JsonPost | None = None, clock_offset: float = 0.0, **options: Any
) -> TokenSource:
    """A TokenSource for an OAuth target (client secret or certificate).

    ``clock_offset`` (auth.clock.signing_offset_for) dates client assertions in server time and
    reads the token's exp in server time.
    """
    if not target.token_url or not target.oauth_client_id:
        raise ConfigError("OAuth needs MYPREF_TOKEN_URL and MYPREF_OAUTH_CLIENT_ID")
    scope = target.scope
    if target.uses_certificate:
        if target.oauth_cert_path is None or target.oauth_key_path is None:
            raise ConfigError("MYPREF_OAUTH_CERT and MYPREF_OAUTH_KEY must be set together")
        # Imported here: PyJWT and cryptography cost start-up time that secret-based runs never need.
        from mypref_harness.auth.assertion import ClientAssertionSigner

        signer = ClientAssertionSigner(target.oauth_client_id, target.token_url,
                                       cert_path=target.oauth_cert_path, key_path=target.oauth_key_path,
                                       clock_offset=clock_offset)
        return TokenSource(target.token_url, target.oauth_client_id, scope=scope, assertion=signer,
                           post=post, clock_offset=clock_offset, **options)
    secret = reveal(target.oauth_client_secret)
    if not secret:
        raise ConfigError("OAuth needs MYPREF_OAUTH_CLIENT_SECRET or a certificate (MYPREF_OAUTH_CERT/KEY)")
    return TokenSource(target.token_url, target.oauth_client_id, secret, scope, send=target.oauth_send,
                       post=post, clock_offset=clock_offset, **options)


def _require_pnauth(target: Target) -> tuple[str, str, str]:
    key = reveal(target.api_key)
    if not key or not target.client_id or not target.user_id:
        raise ConfigError("PNAUTHINFO3 signing needs a ClientId, a UserId and MYPREF_API_KEY")
    return key, target.client_id, target.user_id


def pnauth_for(target: Target, *, clock_offset: float = 0.0, user_id: str | None = None) -> PnAuth:
    key, client_id, default_user = _require_pnauth(target)
    return PnAuth(key, client_id, user_id or default_user, target.pnauth_scheme, target.user_id_encoding,
                  clock_offset)


def auth_for(
    target: Target, *, token_source: TokenSource | None = None, clock_offset: float = 0.0
) -> httpx.Auth:
    """The httpx.Auth for a resolved Target: PnAuth or BearerAuth (a TokenSource is made if not given).

    ``clock_offset`` (seconds to add to the local clock, auth.clock.signing_offset_for) dates the
    PNAUTHINFO3 timestamp, and also the client assertion and token expiry of a TokenSource made here.
    """
    if target.auth == "oauth":
        return BearerAuth(token_source or token_source_for(target, clock_offset=clock_offset))
    return pnauth_for(target, clock_offset=clock_offset)


def requests_auth_for(target: Target, *, token_source: TokenSource | None = None,
                      clock_offset: float = 0.0) -> PnAuthRequests | BearerAuthRequests:
    """The requests twin of :func:`auth_for`."""
    if target.auth == "oauth":
        return BearerAuthRequests(token_source or token_source_for(target, clock_offset=clock_offset))
    key, client_id, user_id = _require_pnauth(target)
    return PnAuthRequests(key, client_id, user_id, target.pnauth_scheme, target.user_id_encoding,
                          clock_offset)


def authorization_header(
    target: Target,
    token_source: TokenSource | None = None,
    *,
    user_id: str | None = None,
    clock_offset: float = 0.0,
) -> str:
    """The Authorization header VALUE for one request (fresh signature or cached bearer token).

    For OAuth pass the process-wide ``token_source`` (its cache is the point); for PNAUTHINFO3,
    hot loops should keep a :func:`pnauth_for` object and call ``.header()`` instead (faster).
    """
    if target.auth == "oauth":
        if token_source is None:
            raise ValueError("authorization_header for an OAuth target needs the shared token_source")
        return f"Bearer {token_source.token()}"
    return pnauth_for(target, clock_offset=clock_offset, user_id=user_id).header()
