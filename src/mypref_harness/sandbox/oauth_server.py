"""The sandbox's OAuth 2.0 authorization server: client-credentials token endpoint, JWKS, token checks.

* ``POST /oauth2/v1/token`` (RFC 6749 §4.4): client authentication by HTTP Basic, by ``client_id`` +
  ``client_secret`` in the form body, or by an RFC 7523 ``client_assertion`` signed with the key of a
  registered certificate (``x5t`` header). ``scope=ClientId/UserId`` is required and must name the
  client's own tenant and one of its users. Errors are RFC 6749 §5.2 JSON bodies.
* ``GET /oauth2/v1/keys``: the JWKS with the RS256 public key.
* ``TokenVerifier`` checks Bearer tokens on API requests (signature, alg, exp, nbf, iss, aud, sub).

The RS256 signing key lives in the state directory so every uvicorn worker (and a restarted sandbox)
signs and verifies with the same key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import logging
import math
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote_plus

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from mypref_harness.sandbox.faults import token_outage_active
from mypref_harness.sandbox.settings import SandboxSettings
from mypref_harness.sandbox.statefiles import locked_state_dir, write_private
from mypref_harness.sandbox.tenants import OAuthClient, TenantRegistry, audience, issuer

log = logging.getLogger("mypref_harness.sandbox.oauth")

SIGNING_KEY_FILE = "oauth-signing-key.pem"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
MAX_ASSERTION_LIFETIME = 3600  # seconds between now and an assertion's exp
ASSERTION_LEEWAY = 5  # seconds of clock skew allowed on an assertion's exp/nbf/iat
MAX_FORM_BYTES = 16 * 1024
VERIFIED_CACHE_SIZE = 10_000  # verified Bearer tokens remembered per process
_TOKEN_HEADERS = {"Cache-Control": "no-store", "Pragma": "no-cache"}
JSON_UTF8 = "application/json; charset=UTF-8"


# -- the signing key ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SigningKey:
    private_key: rsa.RSAPrivateKey
    kid: str

    @property
    def jwk(self) -> dict[str, Any]:
        data: dict[str, Any] = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        data.pop("key_ops", None)
        data.update(kid=self.kid, use="sig", alg="RS256")
        return data


def _kid_for(public_key: rsa.RSAPublicKey) -> str:
    """RFC 7638 JWK thumbprint (SHA-256, base64url): stable for the key, different for a new one."""
    numbers = public_key.public_numbers()

    def b64(n: int) -> str:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    canonical = json.dumps({"e": b64(numbers.e), "kty": "RSA", "n": b64(numbers.n)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()[:16]


def load_or_create_signing_key(state_dir: Path) -> SigningKey:
    path = state_dir / SIGNING_KEY_FILE
    if not path.exists():
        with locked_state_dir(state_dir):
            if not path.exists():
                key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
                pem = key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
                write_private(path, pem)
    stat = path.stat()
    cache_key = (str(path), stat.st_mtime_ns, stat.st_size)
    cached = _LOADED_KEYS.get(cache_key)
    if cached is not None:
        return cached
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise ValueError(f"{path} is not an RSA private key")
    signing_key = SigningKey(loaded, _kid_for(loaded.public_key()))
    _LOADED_KEYS[cache_key] = signing_key
    return signing_key


# Loading (and validating) an RSA key takes ~15 ms; apps built again in one process reuse it.
_LOADED_KEYS: dict[tuple[str, int, int], SigningKey] = {}


# -- token endpoint -------------------------------------------------------------------------------
class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def oauth_error_response(exc: OAuthError, realm: str) -> Response:
    headers = dict(_TOKEN_HEADERS)
    if exc.status == 401:
        headers["WWW-Authenticate"] = f'Basic realm="{realm}"'
    return JSONResponse(
        {"error": exc.error, "error_description": exc.description},
        status_code=exc.status,
        headers=headers,
        media_type=JSON_UTF8,
    )


class ReplayRegistry(Protocol):
    """Where seen assertion ``jti`` values are kept (RFC 7523 §3 lets the server reject replays)."""

    def first_use(self, key: str, expires: float, now: float) -> bool: ...


class _ReplayCache:
    """Seen ``jti`` values in this process only: the fallback until the database is open (tests that
    run the app without its lifespan); the sandbox keeps them in SQLite (``Store.first_use``)."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_use(self, key: str, expires: float, now: float) -> bool:
        with self._lock:
            if len(self._seen) > 10_000:
                self._seen = {k: v for k, v in self._seen.items() if v > now}
            if key in self._seen and self._seen[key] > now:
                return False
            self._seen[key] = expires
            return True


def replay_key(client_id: str, jti: object) -> str:
    """A fixed-size key for a (client, jti) pair: any jti (huge, a number, a lone surrogate) fits."""
    raw = f"{client_id}\0{jti}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(raw).hexdigest()


def _single(form: dict[str, list[str]], name: str) -> str | None:
    values = form.get(name)
    if values is None:
        return None
    if len(values) != 1:
        # RFC 6749 §3.2: "Request and response parameters MUST NOT be included more than once."
        raise OAuthError("invalid_request", f"parameter {name} is repeated")
    return values[0]


def parse_form(body: bytes, content_type: str | None) -> dict[str, list[str]]:
    media = (content_type or "").split(";")[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OAuthError("invalid_request", "the form body is not valid UTF-8") from exc
    try:
        return parse_qs(text, keep_blank_values=True, strict_parsing=bool(text), errors="strict")
    except (ValueError, UnicodeDecodeError) as exc:
        raise OAuthError("invalid_request", "the form body is not valid form-urlencoded data") from exc


def parse_basic(header: str) -> tuple[str, str]:
    """Basic credentials; RFC 6749 §2.3.1 form-urlencodes id and secret before Base64."""
    try:
        decoded = base64.b64decode(header.split(" ", 1)[1].strip(), validate=True).decode("utf-8")
    except (IndexError, binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise OAuthError("invalid_client", "malformed Basic credentials", 401) from exc
    client_id, colon, secret = decoded.partition(":")
    if not colon:
        raise OAuthError("invalid_client", "malformed Basic credentials", 401)
    return unquote_plus(client_id), unquote_plus(secret)


class TokenIssuer:
    def __init__(
        self,
        settings: SandboxSettings,
        tenants: TenantRegistry,
        key: SigningKey,
        clock: Callable[[], float],
    ) -> None:
        self.settings = settings
        self.tenants = tenants
        self.key = key
        self.clock = clock
        self.issuer = issuer(settings)
        self.audience = audience(settings)
        self.token_url = f"{settings.root_url}/oauth2/v1/token"
        self._replays: ReplayRegistry = _ReplayCache()

    def keep_replays_in(self, registry: ReplayRegistry) -> None:
        """Keep seen assertion jtis in ``registry`` (the database: every worker and a restart see them)."""
        self._replays = registry

    # The endpoint ------------------------------------------------------------------------------
    async def token_endpoint(self, request: Request) -> Response:
        if token_outage_active(self.settings):
            return JSONResponse(
                {"error": "temporarily_unavailable", "error_description": "token endpoint outage (sandbox)"},
                status_code=503,
                headers={**_TOKEN_HEADERS, "Retry-After": "1"},
            )
        try:
            body = await request.body()
            if len(body) > MAX_FORM_BYTES:
                raise OAuthError("invalid_request", "the form body is too large")
            form = parse_form(body, request.headers.get("content-type"))
            authorizations = request.headers.getlist("authorization")
            if len(authorizations) > 1:  # ambiguous credentials: never pick one of them
                raise OAuthError("invalid_client", "more than one Authorization header", 401)
            client = self._authenticate_client(form, authorizations[0] if authorizations else None)
            grant_type = _single(form, "grant_type")
            if not grant_type:
                raise OAuthError("invalid_request", "grant_type is required")
            if grant_type != "client_credentials":
                raise OAuthError("unsupported_grant_type", "only client_credentials is supported")
            scope = _single(form, "scope")
            self._check_scope(client, scope)
            assert scope is not None
            return JSONResponse(self.issue(client, scope), headers=_TOKEN_HEADERS, media_type=JSON_UTF8)
        except OAuthError as exc:
            return oauth_error_response(exc, self.settings.root_url)
        except ClientDisconnect:  # the client went away (or the read deadline closed it): nobody to answer
            return Response(status_code=400)
        except Exception:  # an emulator bug: still an RFC 6749 body, and a trace for the operator
            log.exception("unhandled error in the token endpoint")
            return oauth_error_response(
                OAuthError("server_error", "internal error", 500), self.settings.root_url
            )

    def issue(self, client: OAuthClient, scope: str) -> dict[str, Any]:
        now = int(self.clock())
        lifetime = self.tenants.token_lifetime(client)
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": scope,
            "cid": client.client_id,
            "scope": scope,
            "jti": uuid.uuid4().hex,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
        }
        token = jwt.encode(claims, self.key.private_key, algorithm="RS256", headers={"kid": self.key.kid})
        return {"access_token": token, "expires_in": lifetime, "token_type": "Bearer", "scope": scope}

    # Client authentication ---------------------------------------------------------------------
    def _authenticate_client(self, form: dict[str, list[str]], authorization: str | None) -> OAuthClient:
        body_id, body_secret = _single(form, "client_id"), _single(form, "client_secret")
        assertion_type, assertion = _single(form, "client_assertion_type"), _single(form, "client_assertion")
        basic = authorization is not None and authorization[:6].lower() == "basic "
        methods = sum((basic, body_secret is not None, assertion is not None or assertion_type is not None))
        if methods > 1:
            # RFC 6749 §2.3: "The client MUST NOT use more than one authentication method in each request."
            raise OAuthError("invalid_request", "more than one client authentication method")
        if basic:
            assert authorization is not None
            client_id, secret = parse_basic(authorization)
            if body_id is not None and body_id != client_id:
                raise OAuthError(
                    "invalid_request", "client_id in the body differs from the Basic credentials"
                )
            return self._check_secret(client_id, secret)
        if body_secret is not None:
            if not body_id:
                raise OAuthError("invalid_client", "client_id is required", 401)
            return self._check_secret(body_id, body_secret)
        if assertion is not None or assertion_type is not None:
            if assertion_type != CLIENT_ASSERTION_TYPE:
                raise OAuthError("invalid_request", f"client_assertion_type must be {CLIENT_ASSERTION_TYPE}")
            if not assertion:
                raise OAuthError("invalid_request", "client_assertion is required")
            return self._check_assertion(assertion, body_id)
        raise OAuthError("invalid_client", "client authentication is required", 401)

    def _check_secret(self, client_id: str, secret: str) -> OAuthClient:
        client = self.tenants.oauth_client(client_id)
        expected = client.secret if client is not None else None
        # Compare even for an unknown client so timing does not tell which ids exist.
        ok = hmac.compare_digest((expected or "\0").encode(), secret.encode())
        if client is None or expected is None or not ok:
            raise OAuthError("invalid_client", "client authentication failed", 401)
        return client

    def _check_assertion(self, assertion: str, body_client_id: str | None) -> OAuthClient:
        failed = OAuthError("invalid_client", "client assertion is not valid", 401)
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise failed from exc
        client_id = unverified.get("iss")
        client = self.tenants.oauth_client(client_id) if isinstance(client_id, str) else None
        if client is None or client.certificate_key is None or client.certificate_x5t is None:
            raise failed
        if body_client_id is not None and body_client_id != client.client_id:
            raise failed
        x5t = header.get("x5t")
        if not isinstance(x5t, str) or not hmac.compare_digest(x5t.encode(), client.certificate_x5t.encode()):
            raise OAuthError("invalid_client", "the assertion's x5t names no registered certificate", 401)
        now = self.clock()
        try:
            claims = jwt.decode(
                assertion,
                client.certificate_key,  # type: ignore[arg-type]
                algorithms=ASSERTION_ALGORITHMS,
                audience=[self.token_url, self.issuer, self.settings.root_url],
                issuer=client.client_id,
                options={"require": ["exp", "iss", "sub", "aud", "jti"]},
                leeway=ASSERTION_LEEWAY,
            )
        except jwt.PyJWTError as exc:
            raise OAuthError("invalid_client", f"client assertion rejected: {exc}", 401) from exc
        if claims.get("sub") != client.client_id:
            raise failed
        exp = float(claims["exp"])
        if exp - now > MAX_ASSERTION_LIFETIME:
            raise OAuthError("invalid_client", "client assertion lives too long", 401)
        # Remembered past exp by the leeway PyJWT grants, or the assertion could be replayed in between.
        key = replay_key(client.client_id, claims["jti"])
        if not self._replays.first_use(key, exp + ASSERTION_LEEWAY, now):
            raise OAuthError("invalid_client", "client assertion was already used (jti replay)", 401)
        return client

    def _check_scope(self, client: OAuthClient, scope: str | None) -> None:
        if not scope:
            raise OAuthError("invalid_scope", "scope is required: ClientId/UserId")
        tenant_id, slash, user_id = scope.partition("/")
        if not slash or not tenant_id or not user_id:
            raise OAuthError("invalid_scope", "scope must be ClientId/UserId")
        if tenant_id != client.tenant_id:
            raise OAuthError("invalid_scope", "the scope's ClientId is not registered for this client")
        tenant = self.tenants.get(tenant_id)
        if tenant is None:
            raise OAuthError("invalid_scope", "unknown ClientId")
        if user_id not in tenant.users and not self.settings.has_defect("unknown-user-accepted"):
            raise OAuthError("invalid_scope", "the scope's UserId is not a user of this ClientId")

    # JWKS ---------------------------------------------------------------------------------------
    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.key.jwk]}


# -- Bearer token verification ----------------------------------------------------------------------
class RejectedBearerToken(Exception):
    """A Bearer token that must be rejected; the text goes into error_description (RFC 6750)."""


@dataclass(frozen=True)
class TokenClaims:
    client_id: str
    user_id: str


class TokenVerifier:
    def __init__(self, settings: SandboxSettings, key: SigningKey, clock: Callable[[], float]) -> None:
        self.settings = settings
        self.public_key = key.private_key.public_key()
        self.kid = key.kid
        self.clock = clock
        self.issuer = issuer(settings)
        self.audience = audience(settings)
        self.verify_exp = not settings.has_defect("expired-token-accepted")
        self.accept_none = settings.has_defect("alg-none-accepted")
        self._jwt = jwt.PyJWT()
        self._verified: dict[str, tuple[dict[str, Any], TokenClaims]] = {}

    def verify(self, token: str) -> TokenClaims:
        # A token's signature and claims never change, so a verified token is remembered (like API
        # gateways do) and only its times are re-checked against the clock: RS256 verification costs
        # ~0.15 ms per request otherwise, most of an authenticated GET.
        cached = self._verified.get(token)
        if cached is not None:
            claims, subject = cached
            self._check_times(claims, self.clock())
            return subject
        subject, claims = self._verify_uncached(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()  # crude but bounded; refills with the live tokens at once
        times = {"exp": claims.get("exp", math.inf), "nbf": claims.get("nbf", 0)}
        self._verified[token] = (times, subject)
        return subject

    def _verify_uncached(self, token: str) -> tuple[TokenClaims, dict[str, Any]]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise RejectedBearerToken("The access token is malformed") from exc
        if self.accept_none and str(header.get("alg", "")).lower() == "none":
            claims = self._decode_unsigned(token)  # the defect: trusting the token's own alg
        else:
            if header.get("kid") != self.kid:
                raise RejectedBearerToken("The access token was not signed by a known key")
            claims = self._decode(token)
        return self._subject(claims), claims

    def _decode(self, token: str) -> dict[str, Any]:
        now = self.clock()
        try:
            # PyJWT checks exp/nbf against its own clock; check them here against the server clock
            # (which honours --clock-offset) instead.
            claims = self._jwt.decode(
                token,
                self.public_key,
                algorithms=["RS256"],
                audience=self.audience,
                issuer=self.issuer,
                options={
                    "require": ["exp", "nbf", "iat", "iss", "aud", "sub"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidSignatureError as exc:
            raise RejectedBearerToken("The access token signature is invalid") from exc
        except jwt.InvalidAudienceError as exc:
            raise RejectedBearerToken("The access token is not for this audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise RejectedBearerToken("The access token has an unknown issuer") from exc
        except jwt.PyJWTError as exc:
            raise RejectedBearerToken(f"The access token is invalid: {exc}") from exc
        self._check_times(claims, now)
        return claims

    def _check_times(self, claims: dict[str, Any], now: float) -> None:
        try:
            exp, nbf = float(claims["exp"]), float(claims["nbf"])
        except (KeyError, TypeError, ValueError) as exc:
            raise RejectedBearerToken("The access token has invalid time claims") from exc
        if self.verify_exp and now >= exp:
            raise RejectedBearerToken("The access token expired")
        if now < nbf:
            raise RejectedBearerToken("The access token is not valid yet")

    def _decode_unsigned(self, token: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise RejectedBearerToken(f"The access token is invalid: {exc}") from exc
        if claims.get("iss") != self.issuer:
            raise RejectedBearerToken("The access token has an unknown issuer")
        if "exp" in claims:
            self._check_times({"nbf": 0, **claims}, self.clock())
        return claims

    @staticmethod
    def _subject(claims: dict[str, Any]) -> TokenClaims:
        sub = claims.get("sub")
        if not isinstance(sub, str):
            raise RejectedBearerToken("The access token has no subject")
        client_id, slash, user_id = sub.partition("/")
        if not slash or not client_id or not user_id:
            raise RejectedBearerToken("The access token subject is not ClientId/UserId")
        return TokenClaims(client_id, user_id)
