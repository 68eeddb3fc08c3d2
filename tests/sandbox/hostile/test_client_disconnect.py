"""A client that disconnects before its body arrived (or whose connection the read deadline closed) is
not an emulator error: no 500, no traceback in the log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest
from starlette.requests import Request

from mypref_harness.sandbox.app import build_state
from mypref_harness.sandbox.context import AUTH_OFF, RequestContext
from mypref_harness.sandbox.settings import SandboxSettings


def disconnected_request(path: str, content_type: str) -> Request:
    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"content-type", content_type.encode()), (b"content-length", b"100")],
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    return Request(scope, receive)


def test_the_token_endpoint_does_not_log_a_disconnect_as_an_error(
    make_settings: Callable[..., SandboxSettings], caplog: pytest.LogCaptureFixture
) -> None:
    state = build_state(make_settings())
    request = disconnected_request("/oauth2/v1/token", "application/x-www-form-urlencoded")
    with caplog.at_level(logging.ERROR):
        response = asyncio.run(state.issuer.token_endpoint(request))
    assert response.status_code < 500
    assert not caplog.records


def test_the_data_layer_does_not_log_a_disconnect_as_an_error(
    make_settings: Callable[..., SandboxSettings], seeded_db: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from mypref_harness.sandbox.api import DataApi
    from mypref_harness.sandbox.store import Store

    store = Store.open(seeded_db)
    try:
        api = DataApi(store, make_settings())
        request = disconnected_request("/Profiles/v4/ACME_CORP/Profile", "application/json")
        with caplog.at_level(logging.ERROR):
            response = asyncio.run(api.handle(request, RequestContext("ACME_CORP", "John.Doe", AUTH_OFF)))
    finally:
        store.close()
    assert response.status_code < 500
    assert not caplog.records
