"""The ASGI application: routing like ASP.NET Web API, then the ClientId, then auth, then the handler.

Order of decisions for a request under /Profiles/v4:
1. no implemented route matches the URL: 404 with an empty body (as documented for unknown resources);
   a route matches but not the method: 405 with Allow;
2. the ClientId is unknown (compared case-insensitively): 404 with an empty body, as documented;
3. authentication (PNAUTHINFO3 or Bearer): 401 with the PNAUTHINFO3 challenge and a Message;
4. request validation: 400 (415 for an undeclared media type); then the handler.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from .handlers import HANDLERS, Call, Conflict, Missing, NameTaken, Reply
from .oauth import TOKEN_PATH, TokenIssuer
from .options import TENANTS, TargetOptions, Tenant
from .pnauth import AuthRejected, verify
from .store import Store
from .validation import BadRequest, Operation, body, operations, path_and_query

API_ROOT = "/Profiles/v4"


@dataclass(frozen=True)
class Route:
    operation: Operation
    pattern: re.Pattern[str]
    literal_segments: int


def _compile(op: Operation) -> Route:
    kinds = {p["name"]: p.get("schema", {}).get("type") for p in op.parameters if p["in"] == "path"}

    def group(match: re.Match[str]) -> str:
        name = match.group(1)
        # An integer route parameter is a route constraint, as in ASP.NET: "abc" matches no route.
        return rf"(?P<{name}>-?\d+)" if kinds.get(name) == "integer" else rf"(?P<{name}>[^/]+)"

    regex = re.sub(r"\{(\w+)\}", group, re.escape(op.path).replace(r"\{", "{").replace(r"\}", "}"))
    literals = sum(1 for seg in op.path.split("/") if seg and not seg.startswith("{"))
    return Route(op, re.compile(f"^{regex}$"), literals)


def build_routes(removed: frozenset[str]) -> list[Route]:
    ops = operations()
    unknown = removed - set(ops)
    if unknown:
        raise ValueError(f"unknown operationIds: {sorted(unknown)}")
    routes = [_compile(ops[name]) for name in HANDLERS if name not in removed]
    return sorted(routes, key=lambda r: -r.literal_segments)  # /Programs/IncludeAll before /Programs/{id}


class IndependentTarget:
    """The whole server as one ASGI callable; ``options`` are fixed for its lifetime."""

    def __init__(self, options: TargetOptions, root_url: str) -> None:
        self.options = options
        self.root_url = root_url
        self.routes = build_routes(options.removed_routes)
        self.store = Store.seeded()
        self.tokens = TokenIssuer(options, audience=root_url + API_ROOT)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        request = Request(scope, receive)
        response = await self._respond(request)
        await response(scope, receive, send)

    async def _respond(self, request: Request) -> Response:
        path = request.url.path
        if path == TOKEN_PATH and request.method == "POST":
            answer = self.tokens.answer(request.headers.get("authorization"), await request.body())
            return JSONResponse(answer.body, answer.status, headers={"Cache-Control": "no-store"})
        if not path.startswith(API_ROOT + "/"):
            return Response(status_code=404)
        return await self._api(request, path[len(API_ROOT) :])

    async def _api(self, request: Request, path: str) -> Response:
        matches = [(r, m) for r in self.routes if (m := r.pattern.match(path))]
        if not matches:
            return Response(status_code=404)
        chosen = [(r, m) for r, m in matches if r.operation.method == request.method]
        if not chosen:
            allowed = ", ".join(sorted({r.operation.method for r, _ in matches}))
            return _message(
                405,
                f"The requested resource does not support http method '{request.method}'.",
                {"Allow": allowed},
            )
        route, match = chosen[0]
        values = match.groupdict()
        tenant = _tenant(values["clientId"])
        if tenant is None:
            return Response(status_code=404)
        try:
            user_id = self._authenticate(request, tenant, values["clientId"])
        except AuthRejected as exc:
            return _message(401, exc.message, {"WWW-Authenticate": f'PNAUTHINFO3 realm="{self.root_url}"'})
        try:
            params = path_and_query(route.operation, values, dict(request.query_params))
            parsed = body(route.operation, request.headers.get("content-type"), await request.body())
            reply = HANDLERS[route.operation.operation_id](
                Call(values["clientId"], user_id, params, parsed, self.store, self.options)
            )
        except BadRequest as exc:
            return _message(exc.status, exc.message)
        except Missing as exc:
            return _message(404, str(exc))
        except Conflict as exc:
            return _message(self.options.conflict_status, str(exc))
        except NameTaken as exc:
            return _message(409, str(exc))
        return _reply(reply)

    def _authenticate(self, request: Request, tenant: Tenant, url_client_id: str) -> str:
        header = request.headers.get("authorization")
        if header and header[:7].lower() == "bearer ":
            return self.tokens.verify(header[7:].strip(), url_client_id, tenant)
        return verify(
            header,
            tenant,
            url_client_id,
            now=datetime.now(UTC),
            window=self.options.pnauth_window,
            encoding=self.options.user_id_encoding,
        )


def _tenant(client_id: str) -> Tenant | None:
    return next((t for t in TENANTS if t.client_id.lower() == client_id.lower()), None)


def _message(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"Message": message}, status, headers=headers)


def _reply(reply: Reply) -> Response:
    if reply.body is None:
        return Response(status_code=reply.status, headers=reply.headers)
    content: Any = reply.body
    return JSONResponse(content, reply.status, headers=reply.headers)
