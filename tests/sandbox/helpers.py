"""Constants and helpers shared by the sandbox tests (tests.sandbox and its packages).

The in-process auth tests hand ``create_app`` a stub data layer (``StubDataApi``): an API request that
got through authentication reaches it and is answered 200 with the stub's marker and the request
context the dispatcher passed on. ``outcome(response)`` turns that into ``AUTHENTICATED``; anything else
(a 401, a 404, a 500, a 200 from somewhere else) stays its status code, so a test compares one value.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from mypref_harness import demo
from mypref_harness.sandbox.context import RequestContext

ROOT = "http://127.0.0.1:8000"
BASE = "/Profiles/v4"
AUTHENTICATED = "authenticated: reached the stub data layer as the path's tenant"
ACME_BASIC = (demo.ACME.oauth_client_id or "", demo.ACME.oauth_client_secret or "")
STUB_MARK = "stub data layer"


class StubDataApi:
    """A data layer for auth tests: answers every request 200 with its marker and the RequestContext."""

    def __init__(self) -> None:
        self.contexts: list[RequestContext] = []

    async def handle(self, request: Request, context: RequestContext) -> Response:
        self.contexts.append(context)
        return JSONResponse(
            {
                "stub": STUB_MARK,
                "client_id": context.client_id,
                "user_id": context.user_id,
                "auth": context.auth,
            }
        )


def outcome(response: Any) -> int | str:
    """AUTHENTICATED when the request reached the stub for the tenant its path names, else the status.

    The tenant is compared case-insensitively: the clientid-case-insensitive defect lets a lower-case
    path through to the registered (upper-case) tenant.
    """
    if response.status_code != 200:
        return int(response.status_code)
    try:
        body = response.json()
    except ValueError:
        return f"200 without the stub's answer: {response.text[:80]!r}"
    segments = response.request.url.path.removeprefix(BASE + "/").split("/")
    path_client = unquote(segments[1] if segments[0] == "Async" and len(segments) > 1 else segments[0])
    if not isinstance(body, dict) or body.get("stub") != STUB_MARK:
        return f"200 without the stub's answer: {response.text[:80]!r}"
    if str(body.get("client_id", "")).casefold() != path_client.casefold():
        return f"stub reached as tenant {body.get('client_id')!r}, path names {path_client!r}"
    return AUTHENTICATED


def get_token(client: Any, scope: str = "ACME_CORP/John.Doe") -> str:
    response = client.post(
        "/oauth2/v1/token", data={"grant_type": "client_credentials", "scope": scope}, auth=ACME_BASIC
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token
