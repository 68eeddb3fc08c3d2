"""Authentication of API requests: PNAUTHINFO3 (through the project's own ``Verifier``) or a Bearer JWT.

Failures become the documented 401: ``{"Message": "<documented phrase>"}``, the no-cache headers and
``WWW-Authenticate: PNAUTHINFO3 realm="<sandbox root>"``. Bearer failures add an RFC 6750 challenge
``Bearer error="invalid_token", error_description="..."`` first, so a client can tell "get a new token"
from "your signature is wrong".

The auth defects of ``defects.py`` are implemented here, each where the real bug would live.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, replace

from starlette.responses import JSONResponse, Response

from mypref_harness.auth.pnauth import PnAuthError, Reason, Scheme, build_message, parse_header
from mypref_harness.auth.timestamps import epoch_micros
from mypref_harness.auth.verifier import ClientRecord, UnknownClient, VerifiedCredential, Verifier
from mypref_harness.sandbox.context import AUTH_OAUTH, AUTH_PNAUTH, RequestContext
from mypref_harness.sandbox.oauth_server import RejectedBearerToken, TokenVerifier
from mypref_harness.sandbox.settings import SandboxSettings
from mypref_harness.sandbox.tenants import Tenant, TenantRegistry

DAY_SECONDS = 86_400
VERIFIED_CACHE_SIZE = 10_000  # verified PNAUTHINFO3 headers remembered per process
PREFIX_COMPARE_CHARS = 8  # the signature-prefix-compare defect compares only this many characters
NO_CACHE_HEADERS = {"Cache-Control": "no-cache", "Pragma": "no-cache", "Expires": "-1"}
_SHA1_SCHEMES = {"PNAUTHINFO3-HMAC-SHA1": True, "PNAUTHINFO3-SHA1": False}  # name -> keyed


@dataclass(frozen=True)
class AuthFailure:
    message: str  # the 401 body's Message
    bearer_description: str | None = None  # set for Bearer failures (RFC 6750 error_description)
    bearer_error: str = "invalid_token"  # RFC 6750 §3.1 error code of the Bearer challenge


def ambiguous_credentials(values: list[str]) -> AuthFailure | None:
    """A 401 for more than one Authorization header, else None.

    Which header a server or a proxy in front of it reads is not defined (the first, the last, or both
    joined by a comma), so honouring either one would let a request pass on credentials nobody checked.
    """
    if len(values) <= 1:
        return None
    bearer = any(v.strip()[:7].lower() == "bearer " for v in values)
    return AuthFailure(
        f"{Reason.UNAUTHENTICATED.message} The request has more than one Authorization header.",
        bearer_description="more than one Authorization header" if bearer else None,
        bearer_error="invalid_request",
    )


class _AnyUser(frozenset[str]):
    """The unknown-user-accepted defect: a user set that contains everybody."""

    def __contains__(self, item: object) -> bool:
        return True


class DefectiveVerifier(Verifier):
    """The project's Verifier plus the two defects that need a different comparison or hash.

    It only runs when ``sha1-accepted`` or ``signature-prefix-compare`` is on; a clean sandbox uses the
    plain ``Verifier``.
    """

    def __init__(self, *args: object, accept_sha1: bool, prefix_compare: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.accept_sha1 = accept_sha1
        self.prefix_compare = prefix_compare

    def verify(self, client_id: str, header_value: str | None) -> VerifiedCredential:
        try:
            return super().verify(client_id, header_value)
        except PnAuthError as exc:
            scheme_text = (header_value or "").strip().partition(" ")[0].upper()
            if exc.reason is Reason.INVALID_SCHEME and self.accept_sha1 and scheme_text in _SHA1_SCHEMES:
                return self._verify_loose(
                    client_id, header_value or "", Scheme(_SHA1_SCHEMES[scheme_text], "SHA1")
                )
            if exc.reason is Reason.UNAUTHENTICATED and self.prefix_compare:
                return self._verify_loose(client_id, header_value or "", None)
            raise

    def _verify_loose(self, client_id: str, header_value: str, scheme: Scheme | None) -> VerifiedCredential:
        record = self.lookup(client_id)
        if record is None:
            raise UnknownClient(client_id)
        if scheme is not None:  # parse the rest of a SHA-1 header as if it named a known scheme
            rest = header_value.strip().partition(" ")[2]
            parsed = replace(parse_header(f"PNAUTHINFO3-HMAC-SHA256 {rest}"), scheme=scheme)
        else:
            parsed = parse_header(header_value)
        issued = self._check_time(parsed.timestamp, record)
        user_id = self._known_user(parsed.credential_user_id, record)
        message = build_message(
            parsed.scheme, record.api_key, client_id, parsed.credential_user_id, parsed.timestamp
        ).encode("utf-8")
        algorithm = parsed.scheme.hash_name.lower()
        if parsed.scheme.keyed:
            digest = hmac.digest(record.api_key.encode("utf-8"), message, algorithm)
        else:
            digest = hashlib.new(algorithm, message).digest()
        expected = base64.b64encode(digest).decode("ascii")
        sent = parsed.signature
        if self.prefix_compare:
            expected, sent = expected[:PREFIX_COMPARE_CHARS], sent[:PREFIX_COMPARE_CHARS]
        if expected != sent:
            raise PnAuthError(Reason.UNAUTHENTICATED, "signature does not match")
        return VerifiedCredential(user_id=user_id, issued_at=issued)


def client_segment(relative_path: str) -> str:
    """The ClientId of an API path (relative to /Profiles/v4): first segment, or second after Async."""
    segments = relative_path.lstrip("/").split("/")
    if segments[0] == "Async":
        return segments[1] if len(segments) > 1 else ""
    return segments[0]


class ApiAuthenticator:
    def __init__(
        self,
        settings: SandboxSettings,
        tenants: TenantRegistry,
        tokens: TokenVerifier,
        clock: Callable[[], float],
    ) -> None:
        self.settings = settings
        self.tenants = tenants
        self.tokens = tokens
        self.case_insensitive = settings.has_defect("clientid-case-insensitive")
        self.cross_tenant = settings.has_defect("cross-tenant-token")
        self.unknown_user = settings.has_defect("unknown-user-accepted")
        self._records = {t.client_id: self._record(t) for t in tenants}
        self.clock = clock
        # Headers verified before, by (signed ClientId, header): (user_id, issued at in epoch micros).
        # Signature, user and parse results of a header never change, so only the window is re-checked.
        # Signers stamp whole seconds, so a busy client repeats its header within each second.
        self._verified: dict[tuple[str, str], tuple[str, int]] = {}
        verifier_args = {
            "lookup": self._records.get,
            "clock": clock,
            # the target-profile knobs (docs/profile.md)
            "naive_timezone": settings.naive_timezone,
            "encodings": settings.user_id_encodings,
            "accept_basic_format": settings.basic_format_timestamps,
        }
        accept_sha1 = settings.has_defect("sha1-accepted")
        prefix = settings.has_defect("signature-prefix-compare")
        if accept_sha1 or prefix:
            self.verifier: Verifier = DefectiveVerifier(
                **verifier_args, accept_sha1=accept_sha1, prefix_compare=prefix
            )
        else:
            self.verifier = Verifier(**verifier_args)  # type: ignore[arg-type]

    def _record(self, tenant: Tenant) -> ClientRecord:
        s = self.settings
        window = DAY_SECONDS if s.has_defect("day-long-window") else tenant.pnauth_window
        return ClientRecord(
            client_id=tenant.client_id,
            api_key=tenant.api_key,
            users=_AnyUser() if s.has_defect("unknown-user-accepted") else frozenset(tenant.users),
            expiration_seconds=window,
            future_tolerance_seconds=(
                window if s.has_defect("future-timestamp-accepted") else s.future_tolerance
            ),
        )

    def tenant_for(self, client_id: str) -> Tenant | None:
        # ClientId routing ignores case like the vendor's (IIS) does; the signature is then made over
        # the URL's spelling, so a wrong case fails authentication (the docs' "Case Sensitivity" note).
        return self.tenants.get(client_id, case_insensitive=True)

    def authenticate(
        self, path_client_id: str, tenant: Tenant, authorization: str | None
    ) -> RequestContext | AuthFailure:
        if authorization is not None and authorization[:7].lower() == "bearer ":
            return self._bearer(path_client_id, tenant, authorization[7:].strip())
        # The message is signed over the path's ClientId. The case defect checks the signature over
        # the registered spelling instead, so a URL in another case passes.
        signed_client_id = tenant.client_id if self.case_insensitive else path_client_id
        cache_key = (signed_client_id, authorization or "")
        cached = self._verified.get(cache_key)
        try:
            if cached is not None:
                user_id, issued_us = cached
                self._recheck_time(issued_us, self._records[tenant.client_id])
                return RequestContext(tenant.client_id, user_id, AUTH_PNAUTH)
            credential = self.verifier.verify(signed_client_id, authorization)
        except PnAuthError as exc:
            return AuthFailure(exc.message)
        except UnknownClient:  # cannot happen: the tenant was resolved first; stay safe anyway
            return AuthFailure(Reason.UNAUTHENTICATED.message)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[cache_key] = (credential.user_id, epoch_micros(credential.issued_at))
        return RequestContext(tenant.client_id, credential.user_id, AUTH_PNAUTH)

    def _recheck_time(self, issued_us: int, record: ClientRecord) -> None:
        """The Verifier's window checks for a header verified before (same integer arithmetic)."""
        age = round(self.clock() * 1_000_000) - issued_us
        if age < -round(record.future_tolerance_seconds * 1_000_000):
            raise PnAuthError(Reason.INVALID_TIMESTAMP, "issued timestamp is in the future")
        if age > round(record.expiration_seconds * 1_000_000):
            raise PnAuthError(Reason.EXPIRED, f"issued {age / 1e6:.3f} s ago")

    def _bearer(self, path_client_id: str, tenant: Tenant, token: str) -> RequestContext | AuthFailure:
        try:
            claims = self.tokens.verify(token)
        except RejectedBearerToken as exc:
            return _bearer_failure(str(exc))
        if not self.cross_tenant:
            same = (
                claims.client_id.casefold() == path_client_id.casefold()
                if self.case_insensitive
                else claims.client_id == path_client_id
            )
            if not same:
                return _bearer_failure("The access token was issued for another ClientId")
        if claims.user_id not in tenant.users and not (self.cross_tenant or self.unknown_user):
            return _bearer_failure("The access token's UserId is not a user of this ClientId")
        return RequestContext(tenant.client_id, claims.user_id, AUTH_OAUTH)


def _bearer_failure(description: str) -> AuthFailure:
    return AuthFailure(f"{Reason.UNAUTHENTICATED.message} {description}.", bearer_description=description)


def _rfc6750_text(text: str) -> str:
    """error_description as RFC 6750 §3 allows it (%x20-21 / %x23-5B / %x5D-7E): a description that
    quotes client input (a PyJWT message) must not break the header or its latin-1 encoding."""
    return "".join(ch if " " <= ch <= "~" and ch not in '"\\' else "'" if ch == '"' else "?" for ch in text)


def unauthorized_response(failure: AuthFailure, realm: str, *, with_challenge: bool = True) -> Response:
    response = JSONResponse(
        {"Message": failure.message},
        status_code=401,
        headers=NO_CACHE_HEADERS,
        media_type="application/json; charset=utf-8",
    )
    if with_challenge:
        if failure.bearer_description is not None:
            description = _rfc6750_text(failure.bearer_description)
            response.headers.append(
                "WWW-Authenticate",
                f'Bearer error="{failure.bearer_error}", error_description="{description}"',
            )
        response.headers.append("WWW-Authenticate", f'PNAUTHINFO3 realm="{realm}"')
    return response
