"""The sandbox's ASGI application (plain Starlette, for speed).

Routes on the sandbox root:

* ``/Profiles/v4/...``      the API: unknown ClientId -> 404 with no body (checked BEFORE authentication),
                            then PNAUTHINFO3 or Bearer, then the data layer (``DataApi.handle``); taken
                            by ``ApiFastPath`` before Starlette's router (it is the hot path)
* ``POST /oauth2/v1/token`` the OAuth token endpoint, ``GET /oauth2/v1/keys`` its JWKS
* ``GET /openapi.json``, ``GET /openapi.yaml``  the v4 contract with this server's URL filled in
* ``GET /health``           a bare endpoint (liveness, and the benchmark's baseline)

Every request body is limited to ``settings.max_body_bytes`` (413 with a JSON Message).
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mypref_harness import resources
from mypref_harness.sandbox.api_auth import (
    NO_CACHE_HEADERS,
    ApiAuthenticator,
    AuthFailure,
    ambiguous_credentials,
    client_segment,
    unauthorized_response,
)
from mypref_harness.sandbox.certs import DemoCertificate, ensure_demo_certificate
from mypref_harness.sandbox.context import AUTH_OFF, RequestContext
from mypref_harness.sandbox.faults import Clock, FaultMiddleware, RateLimitMiddleware, faults_configured
from mypref_harness.sandbox.oauth_server import TokenIssuer, TokenVerifier, load_or_create_signing_key
from mypref_harness.sandbox.request_log import RequestLogMiddleware
from mypref_harness.sandbox.settings import SandboxSettings
from mypref_harness.sandbox.tenants import TenantRegistry, build_tenants
from mypref_harness.spec.paths import API_PREFIX

if TYPE_CHECKING:
    from mypref_harness.sandbox.store import Store

log = logging.getLogger("mypref_harness.sandbox")

JSON_MEDIA = "application/json; charset=utf-8"


def _message(status: int, text: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"Message": text}, status_code=status, headers=headers, media_type=JSON_MEDIA)


class DataLayer(Protocol):
    """What the dispatcher hands an authenticated API request to: ``DataApi``, or a test's stub."""

    async def handle(self, request: Request, context: RequestContext) -> Response: ...


@dataclass
class SandboxState:
    """Per-process objects built once; the data layer is injected or arrives in the lifespan (it opens
    the database)."""

    settings: SandboxSettings
    tenants: TenantRegistry
    certificate: DemoCertificate | None
    issuer: TokenIssuer
    authenticator: ApiAuthenticator
    data_api: DataLayer | None = None
    store: Store | None = None
    spec_cache: dict[str, bytes] = field(default_factory=dict)


# -- the API dispatcher -----------------------------------------------------------------------------
class ApiDispatcher:
    """ASGI endpoint for everything under /Profiles/v4 (any method: the data layer answers 405s)."""

    def __init__(self, state: SandboxState) -> None:
        self.state = state
        self.realm = state.settings.root_url
        self.challenge = not state.settings.has_defect("missing-www-authenticate")
        self.client_404_body = state.settings.has_defect("unknown-client-404-body")
        self.auth_off = state.settings.auth_off

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            response = await self.respond(Request(scope, receive))
        except Exception:  # an emulator bug must still answer in the documented error shape
            log.exception("unhandled error while authenticating %s", scope.get("path"))
            response = _message(500, "An error has occurred.")
        await response(scope, receive, send)

    def _unknown_client(self) -> Response:
        if self.client_404_body:
            return _message(404, "Client not found", NO_CACHE_HEADERS)
        # The docs: "this failed request will not supply a message in the body" (no Content-Type either).
        return Response(status_code=404, headers=NO_CACHE_HEADERS)

    async def respond(self, request: Request) -> Response:
        path_client_id = _path_client_id(request.scope)
        tenant = self.state.authenticator.tenant_for(path_client_id) if path_client_id else None
        if tenant is None:
            return self._unknown_client()
        outcome: RequestContext | AuthFailure
        if self.auth_off:
            outcome = RequestContext(tenant.client_id, tenant.user_id, AUTH_OFF)
        else:
            authorizations = request.headers.getlist("authorization")
            outcome = ambiguous_credentials(authorizations) or self.state.authenticator.authenticate(
                path_client_id, tenant, authorizations[0] if authorizations else None
            )
        if isinstance(outcome, AuthFailure):
            return unauthorized_response(outcome, self.realm, with_challenge=self.challenge)
        data_api = self.state.data_api
        if data_api is None:  # the app's lifespan did not run and create_app got no data_api
            raise RuntimeError("no data layer: run the app's lifespan or pass data_api to create_app")
        try:
            response: Response = await data_api.handle(request, outcome)
        except Exception:  # a data-layer bug must still answer in the documented error shape
            log.exception("unhandled error in the data layer")
            return _message(500, "An error has occurred.")
        return response


def _path_client_id(scope: Scope) -> str:
    """The ClientId segment, percent-decoded like the data layer does ('' when absent or undecodable)."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes | bytearray) else scope["path"]
    path = path.split("?", 1)[0]
    rest = path[len(API_PREFIX) :] if path.startswith(API_PREFIX) else scope["path"][len(API_PREFIX) :]
    try:
        return unquote(client_segment(rest), errors="strict")
    except UnicodeDecodeError:
        return ""


class ApiFastPath:
    """Sends /Profiles/v4 requests straight to the dispatcher, past Starlette's router (the hot path)."""

    def __init__(self, app: ASGIApp, dispatcher: ApiDispatcher) -> None:
        self.app = app
        self.dispatcher = dispatcher

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (path == API_PREFIX or path.startswith(API_PREFIX + "/")):
            await self.dispatcher(scope, receive, send)
        else:
            await self.app(scope, receive, send)


# -- body limit ------------------------------------------------------------------------------------
class BodyLimitMiddleware:
    """413 for bodies over the limit: by Content-Length up front, else by counting while buffering.

    The body is buffered (at most the limit) and replayed, so handlers never see a partial body.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared, chunked = _body_headers(scope)
        if declared is not None and declared > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        if not chunked:
            # A Content-Length within the limit is enforced by the server; no length and no chunking
            # means no body. Only chunked bodies need counting.
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(scope, receive, send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = _message(
            413,
            f"The request body is too large: the limit is {self.max_bytes} bytes.",
            {"Connection": "close"},
        )
        await response(scope, receive, send)


def _body_headers(scope: Scope) -> tuple[int | None, bool]:
    """(Content-Length or None, chunked?); an unparsable length counts as chunked (count it)."""
    length: int | None = None
    chunked = False
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                chunked = True
        elif name == b"transfer-encoding":
            chunked = True
    return length, chunked


# -- small endpoints -------------------------------------------------------------------------------
def _spec_bytes(state: SandboxState, kind: str) -> bytes | None:
    cached = state.spec_cache.get(kind)
    if cached is not None:
        return cached
    try:
        spec_path = resources.spec_file()
    except resources.MissingResource:
        return None
    import yaml  # here, not at module level: only the spec endpoints need it (faster start-up)

    from mypref_harness.spec.document import read_document

    # libyaml's C dumper when present: the contract is large and the pure-Python one takes seconds.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    spec = read_document(spec_path)
    spec["servers"] = [{"url": f"{state.settings.root_url}{API_PREFIX}", "description": "this sandbox"}]
    state.spec_cache["json"] = json.dumps(spec, ensure_ascii=False).encode("utf-8")
    state.spec_cache["yaml"] = yaml.dump(spec, Dumper=dumper, sort_keys=False, allow_unicode=True).encode()
    return state.spec_cache[kind]


def _routes(state: SandboxState) -> list[Route]:
    health_body = b'{"status":"ok"}'

    async def health(request: Request) -> Response:
        return Response(health_body, media_type="application/json")

    async def token(request: Request) -> Response:
        return await state.issuer.token_endpoint(request)

    async def keys(request: Request) -> Response:
        return JSONResponse(state.issuer.jwks(), headers={"Cache-Control": "public, max-age=300"})

    async def openapi_json(request: Request) -> Response:
        body = _spec_bytes(state, "json")
        if body is None:
            return _message(404, "the OpenAPI contract is not available")
        return Response(body, media_type="application/json")

    async def openapi_yaml(request: Request) -> Response:
        body = _spec_bytes(state, "yaml")
        if body is None:
            return _message(404, "the OpenAPI contract is not available")
        return Response(body, media_type="application/yaml")

    return [
        Route("/health", health, methods=["GET"]),
        Route("/oauth2/v1/token", token, methods=["POST"]),
        Route("/oauth2/v1/keys", keys, methods=["GET"]),
        Route("/openapi.json", openapi_json, methods=["GET"]),
        Route("/openapi.yaml", openapi_yaml, methods=["GET"]),
    ]


# -- data layer ------------------------------------------------------------------------------------
def open_data_layer(state: SandboxState, db_path: Path) -> None:
    """Open the store, seed it when empty and build the DataApi."""
    # Imported here, not at module level: a multi-worker server's parent imports this module but never
    # serves, and the data layer's imports (jsonschema, the operations) cost it ~0.2 s of start-up.
    from mypref_harness.sandbox.api import DataApi
    from mypref_harness.sandbox.seed import seed_if_empty
    from mypref_harness.sandbox.store import Store

    store = Store.open(db_path)
    seed_if_empty(store, state.tenants)
    state.store = store
    state.issuer.keep_replays_in(store)
    state.data_api = DataApi(store, state.settings)


def build_state(settings: SandboxSettings) -> SandboxState:
    clock = Clock(settings.clock_offset)
    certificate, _ = ensure_demo_certificate(settings.state_dir)
    tenants = build_tenants(settings, certificate)
    key = load_or_create_signing_key(settings.state_dir)
    issuer = TokenIssuer(settings, tenants, key, clock)
    tokens = TokenVerifier(settings, key, clock)
    authenticator = ApiAuthenticator(settings, tenants, tokens, clock)
    return SandboxState(settings, tenants, certificate, issuer, authenticator)


def create_app(settings: SandboxSettings, data_api: DataLayer | None = None) -> Starlette:
    """The sandbox app; ``data_api`` replaces the real data layer (the lifespan then opens no database)."""
    state = build_state(settings)
    state.data_api = data_api
    injected = data_api is not None

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if injected:
            yield
            return
        temp_dir = None
        db_path = settings.db_path
        if db_path is None:
            temp_dir = tempfile.mkdtemp(prefix="mypref-sandbox-")
            db_path = Path(temp_dir) / "sandbox.db"
        open_data_layer(state, db_path)
        try:
            yield
        finally:
            if state.store is not None:
                state.store.close()
            if temp_dir is not None:
                shutil.rmtree(temp_dir, ignore_errors=True)

    async def not_found(request: Request, exc: Exception) -> Response:
        return Response(status_code=404, headers=NO_CACHE_HEADERS)

    app = Starlette(routes=_routes(state), lifespan=lifespan, exception_handlers={404: not_found})
    app.router.redirect_slashes = False
    app.state.sandbox = state
    app.add_middleware(ApiFastPath, dispatcher=ApiDispatcher(state))
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.rate_limit:  # inside the fault middleware: a 429 gets its latency and skewed Date too
        app.add_middleware(RateLimitMiddleware, settings=settings)
    if faults_configured(settings):
        app.add_middleware(FaultMiddleware, settings=settings)
    if settings.request_log is not None:  # outermost: the logged time includes the injected latency
        app.add_middleware(RequestLogMiddleware, path=settings.request_log)
    return app
