"""An in-memory MyPreferences auth stack for the auth-check and probe tests (httpx.MockTransport).

PNAUTHINFO3 goes through the project's Verifier on a fixed clock; a minimal OAuth token endpoint
issues unsigned-looking JWTs it remembers, and the API accepts exactly those. Faults are injected
by request number (``faults={5: 503}``: the 5th request answers 503) or by predicate, so a test
chooses exactly which answer of a bisection or a check decides nothing.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import httpx

from mypref_harness import demo
from mypref_harness.auth.pnauth import PnAuthError, UserIdEncoding
from mypref_harness.auth.verifier import ClientRecord, UnknownClient, Verifier, static_lookup
from mypref_harness.config import Target
from mypref_harness.contract.auth_conformance.probe import AuthProbe, ConformanceOptions

TENANT = demo.SANCHEZ
BASE = "http://api.test/Profiles/v4"
TOKEN_URL = "http://auth.test/oauth2/v1/token"
NOW = 1_796_187_600.0  # 2026-12-02T05:00:00Z: where the fake's clock starts
OAUTH_ID, OAUTH_SECRET = "o" * 48, "s" * 64


def jwt(claims: Mapping[str, object]) -> str:
    def part(data: Mapping[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256', 'kid': 'k1'})}.{part(claims)}.c2lnbmF0dXJl"


@dataclass
class FakeApi:
    """Knobs of the fake; ``handle`` is the MockTransport handler, ``log`` every request seen."""

    window: float = 900
    future: float = 0
    naive_zone: str = "America/New_York"
    encodings: tuple[UserIdEncoding, ...] = (UserIdEncoding.FORM, UserIdEncoding.PERCENT)
    basic_format: bool = False
    challenge: bool = True
    empty_404: bool = True
    expires_in: float = 300
    jwt_lifetime: float = 300
    wrong_secret_body: Mapping[str, object] = field(default_factory=lambda: {"error": "invalid_client"})
    bearer_challenge: str = 'Bearer error="invalid_token"'
    faults: Mapping[int, int] = field(default_factory=dict)  # request number (1-based) -> status
    fault_when: Callable[[httpx.Request], int | None] = lambda request: None
    retry_after: str | None = None
    log: list[httpx.Request] = field(default_factory=list)
    issued: dict[str, float] = field(default_factory=dict)  # token -> exp
    now: float = NOW  # the fake's clock; the probe's sleeps advance it (see probe_for)

    def verifier(self) -> Verifier:
        record = ClientRecord(
            client_id=TENANT.client_id,
            api_key=TENANT.api_key,
            users=frozenset({TENANT.user_id, "Morty Smith"}),
            expiration_seconds=self.window,
            future_tolerance_seconds=self.future,
        )
        return Verifier(
            static_lookup(record),
            clock=lambda: self.now,
            naive_timezone=self.naive_zone,
            encodings=self.encodings,
            accept_basic_format=self.basic_format,
        )

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.log.append(request)
        fault = self.faults.get(len(self.log)) or self.fault_when(request)
        if fault is not None:
            headers = {"Retry-After": self.retry_after} if self.retry_after else {}
            return httpx.Response(fault, json={"Message": "injected"}, headers=headers)
        if str(request.url) == TOKEN_URL:
            return self._token(request)
        return self._api(request)

    def _token(self, request: httpx.Request) -> httpx.Response:
        expected = "Basic " + base64.b64encode(f"{OAUTH_ID}:{OAUTH_SECRET}".encode()).decode()
        form = dict(httpx.QueryParams(request.content.decode()))
        by_body = form.get("client_id") == OAUTH_ID and form.get("client_secret") == OAUTH_SECRET
        if request.headers.get("authorization") != expected and not by_body:
            return httpx.Response(401, json=dict(self.wrong_secret_body))
        if form.get("scope") != f"{TENANT.client_id}/{TENANT.user_id}":
            return httpx.Response(400, json={"error": "invalid_scope"})
        exp = int(self.now + self.jwt_lifetime)
        token = jwt({"sub": form["scope"], "iat": int(self.now), "exp": exp})
        self.issued[token] = exp
        body = {"access_token": token, "token_type": "Bearer", "expires_in": self.expires_in}
        return httpx.Response(200, json=body)

    def _api(self, request: httpx.Request) -> httpx.Response:
        client_id = request.url.path.split("/")[3]
        authorization = request.headers.get("authorization")
        if authorization and authorization.startswith("Bearer "):
            exp = self.issued.get(authorization.removeprefix("Bearer "), 0.0)
            if self.now < exp and client_id == TENANT.client_id:
                return httpx.Response(200, json={"Programs": []})
            challenge = {"WWW-Authenticate": self.bearer_challenge}
            return httpx.Response(401, json={"Message": "Unable to authenticate request."}, headers=challenge)
        try:
            self.verifier().verify(client_id, authorization)
        except UnknownClient:
            return httpx.Response(404, content=b"" if self.empty_404 else b'{"Message": "Client not found"}')
        except PnAuthError as exc:
            headers = {"WWW-Authenticate": 'PNAUTHINFO3 realm="test"'} if self.challenge else {}
            return httpx.Response(401, json={"Message": exc.message}, headers=headers)
        return httpx.Response(200, json={"Programs": []})


def target(*, oauth: bool = False, user_id: str = TENANT.user_id) -> Target:
    oauth_client = dict(token_url=TOKEN_URL, oauth_client_id=OAUTH_ID, oauth_client_secret=OAUTH_SECRET)
    extra = oauth_client if oauth else {}
    return Target(
        base_url=BASE,
        client_id=TENANT.client_id,
        user_id=user_id,
        api_key=TENANT.api_key,
        **extra,  # type: ignore[arg-type]
    )


def probe_for(
    api: FakeApi,
    *,
    oauth: bool = False,
    user_id: str = TENANT.user_id,
    slept: list[float] | None = None,
    **options: object,
) -> AuthProbe:
    """An AuthProbe on the fake's clock; a sleep advances that clock and is recorded in ``slept``."""
    naps = slept if slept is not None else []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        api.now += seconds
    return AuthProbe(
        target(oauth=oauth, user_id=user_id),
        ConformanceOptions(probes=False, write_reports=False, **options),  # type: ignore[arg-type]
        client=httpx.Client(transport=httpx.MockTransport(api.handle)),
        clock=lambda: api.now,
        sleep=sleep,
    )
