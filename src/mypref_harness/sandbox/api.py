"""The data layer's entry point: spec-driven routing, request validation, dispatch, response shaping.

Core authenticates and resolves the tenant, then calls ``await DataApi(store, settings).handle(request,
ctx)`` for every request under ``/Profiles/v4/``. Everything derived from the spec (routes, validators,
response schemas) is built once per process and cached, never per request.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from mypref_harness import resources
from mypref_harness.sandbox.context import RequestContext
from mypref_harness.sandbox.operations import cache as response_cache
from mypref_harness.sandbox.operations import load_all
from mypref_harness.sandbox.operations.base import HttpError, Reply
from mypref_harness.sandbox.operations.routing import Route, RouteTable, build_route_table
from mypref_harness.sandbox.store import Store
from mypref_harness.sandbox.validation import UnsafeJson, first_error, parse_request_json
from mypref_harness.spec.paths import API_PREFIX

log = logging.getLogger("mypref_harness.sandbox.data")

JSON_MEDIA = "application/json; charset=utf-8"
GENERIC_500 = "An error has occurred."
_ROUTES: dict[str, RouteTable] = {}


def default_spec_path() -> Path:
    explicit = os.environ.get("MYPREF_SANDBOX_SPEC")
    if explicit:
        return Path(explicit)
    return resources.spec_file()


def route_table(spec_path: Path | None = None) -> RouteTable:
    """The (cached) route table of a spec file."""
    path = spec_path or default_spec_path()
    key = str(path)
    table = _ROUTES.get(key)
    if table is None:
        load_all()
        table = build_route_table(path)
        _ROUTES[key] = table
    return table


def json_response(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    if body is None:
        return Response(status_code=status, headers=headers)
    payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(payload, status_code=status, headers=headers, media_type=JSON_MEDIA)


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return json_response(status, {"Message": message}, headers)


class DataApi:
    def __init__(self, store: Store, settings: Any, spec_path: Path | None = None) -> None:
        self.store = store
        self.settings = settings
        self.routes = route_table(spec_path)

    async def handle(self, request: Request, ctx: RequestContext) -> Response:
        try:
            segments = _relative_segments(request)
        except HttpError as exc:
            return error_response(exc.status, exc.message)
        match = self.routes.match(segments, request.method.upper())
        if match.status == 404:
            return error_response(
                404,
                f"No HTTP resource was found that matches the request URI "
                f"'{API_PREFIX}/{'/'.join(segments)}'.",
            )
        if match.status == 405:
            allow = ", ".join(match.allow)
            return error_response(
                405,
                f"The requested resource does not support http method '{request.method.upper()}'.",
                {"Allow": allow},
            )
        op = match.route
        assert op is not None
        cache_key: tuple[Any, ...] | None = None
        if op.operation_id in response_cache.CONFIG_READS and request.method == "GET":
            tag = str(self.store.counter(ctx.client_id, response_cache.CONFIG_VERSION))
            cache_key = (
                ctx.client_id,
                op.operation_id,
                tuple(segments),
                request.scope.get("query_string"),
                getattr(self.settings, "defects", None),
            )
            payload = response_cache.lookup(cache_key, tag)
            if payload is not None:
                return Response(payload, media_type=JSON_MEDIA)
        try:
            body = await self._read_body(request, op)
            op_request = op.bind(match.path_args, request, body, ctx, self.store, self.settings)
            reply = op.handler(op_request)
            if cache_key is not None and reply.status == 200 and reply.cache is None:
                reply.cache = (cache_key, tag)
        except HttpError as exc:
            return error_response(exc.status, exc.message, exc.headers)
        except ClientDisconnect:  # the client went away (or the read deadline closed it): nobody to answer
            return error_response(400, "The request body did not arrive.")
        except Exception:  # a bug in the emulator must still answer with the documented error shape
            log.exception("unhandled error in %s", op.operation_id)
            return error_response(500, GENERIC_500)
        return self._respond(op, reply)

    async def _read_body(self, request: Request, op: Route) -> Any:
        raw = await request.body()
        if op.body is None:
            return None  # the operation takes no body: ignore whatever was sent, like ASP.NET does
        if not raw.strip():
            if op.body.required:
                raise HttpError(400, "The request body is required.")
            return None
        media = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
        if not op.body.accepts(media):
            raise HttpError(
                415,
                f"The request entity's media type '{media or 'none'}' is not supported for this resource.",
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise HttpError(400, "The request body is not valid UTF-8.") from exc
        try:
            value = parse_request_json(text)
        except UnsafeJson as exc:
            raise HttpError(400, f"The request is invalid: {exc}") from exc
        except (ValueError, RecursionError) as exc:
            raise HttpError(400, f"The request body is not valid JSON: {str(exc)[:120]}") from exc
        problem = first_error(op.body.validator, value)
        if problem:
            raise HttpError(400, f"The request is invalid: {problem}")
        return op.body.clean(value)

    def _respond(self, op: Route, reply: Reply) -> Response:
        if reply.raw is not None:
            return Response(reply.raw, status_code=reply.status, headers=reply.headers, media_type=JSON_MEDIA)
        body = reply.body
        if body is not None:
            shaper = op.shaper_for(reply.status)
            if shaper is not None:
                body = shaper(body)
            if reply.after_shape is not None:
                body = reply.after_shape(body)
        elif reply.status not in (204, 304) and reply.status >= 400:
            body = {"Message": None}
        response = json_response(reply.status, body, reply.headers)
        if reply.cache is not None:
            response_cache.remember(reply.cache[0], reply.cache[1], bytes(response.body))
        return response


def _relative_segments(request: Request) -> list[str]:
    """Path segments after /Profiles/v4, each percent-decoded on its own (so %2F stays inside a segment)."""
    raw = request.scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes | bytearray) else request.url.path
    path = path.split("?", 1)[0]
    index = path.lower().find(API_PREFIX.lower())
    rest = path[index + len(API_PREFIX) :] if index >= 0 else path
    parts = rest.strip("/").split("/") if rest.strip("/") else []
    try:
        return [unquote(p, errors="strict") for p in parts]
    except UnicodeDecodeError as exc:
        raise HttpError(400, "The request URI is not valid UTF-8.") from exc
