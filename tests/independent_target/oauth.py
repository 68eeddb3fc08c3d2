"""A tiny OAuth 2.0 client-credentials token endpoint and the bearer check of the API.

Tokens are HS256 JWTs signed with a per-process secret. Choices where the document is silent: every
error answers a JSON ``Message`` (no RFC 6749 ``error`` codes, so no ``invalid_client`` on a wrong
secret), and a rejected bearer token gets the same PNAUTHINFO3 challenge as any other 401 (no RFC 6750
``error="invalid_token"``).
"""

from __future__ import annotations

import base64
import hmac
import secrets
import time
from dataclasses import dataclass
from urllib.parse import parse_qs

import jwt

from .options import TENANTS, TargetOptions, Tenant
from .pnauth import UNABLE, AuthRejected

TOKEN_PATH = "/oauth2/v1/token"


@dataclass(frozen=True)
class TokenAnswer:
    status: int
    body: dict[str, object]


class TokenIssuer:
    def __init__(self, options: TargetOptions, audience: str) -> None:
        self._secret = secrets.token_bytes(32)
        self._options = options
        self._audience = audience

    def answer(self, authorization: str | None, form_body: bytes) -> TokenAnswer:
        form = {k: v[-1] for k, v in parse_qs(form_body.decode("latin-1")).items()}
        client_id, client_secret = _client_credentials(authorization, form)
        tenant = _tenant_of_oauth_client(client_id)
        if tenant is None or not hmac.compare_digest(
            tenant.oauth_client_secret.encode(), (client_secret or "").encode()
        ):
            return TokenAnswer(401, {"Message": UNABLE})
        if form.get("grant_type") != "client_credentials":
            return TokenAnswer(400, {"Message": "The grant type must be client_credentials."})
        scope = form.get("scope", "")
        scope_client, _, scope_user = scope.partition("/")
        if scope_client != tenant.client_id or scope_user not in {u.user_id for u in tenant.users}:
            return TokenAnswer(400, {"Message": "The scope must be ClientId/UserId of this client."})
        return TokenAnswer(200, self._issue(scope))

    def _issue(self, scope: str) -> dict[str, object]:
        now = int(time.time())
        lifetime = self._options.token_lifetime
        claims = {
            "token_type": "Bearer",
            "sub": scope,
            "aud": self._audience,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": secrets.token_hex(16),
        }
        token = jwt.encode(claims, self._secret, algorithm="HS256")
        advertised = self._options.advertised_lifetime
        return {
            "access_token": token,
            "expires_in": lifetime if advertised is None else advertised,
            "token_type": "Bearer",
            "scope": "",
        }

    def verify(self, token: str, url_client_id: str, tenant: Tenant) -> str:
        """The UserId the token was issued for, if it is valid for this ClientId as the URL spells it."""
        try:
            claims = jwt.decode(token, self._secret, algorithms=["HS256"], audience=self._audience)
        except jwt.PyJWTError as exc:
            raise AuthRejected(UNABLE) from exc
        client_id, _, user_id = str(claims.get("sub", "")).partition("/")
        if client_id != url_client_id or user_id not in {u.user_id for u in tenant.users}:
            raise AuthRejected(UNABLE)
        return user_id


def _client_credentials(authorization: str | None, form: dict[str, str]) -> tuple[str | None, str | None]:
    if authorization and authorization[:6].lower() == "basic ":
        try:
            decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
        except ValueError:
            return None, None
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    return form.get("client_id"), form.get("client_secret")


def _tenant_of_oauth_client(client_id: str | None) -> Tenant | None:
    return next((t for t in TENANTS if t.oauth_client_id == client_id), None)
