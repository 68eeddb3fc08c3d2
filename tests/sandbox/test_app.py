"""The app factory's data layer: injected (tests hand in a stub) or opened by the lifespan, never absent."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from starlette.testclient import TestClient

from mypref_harness import demo
from mypref_harness.auth.pnauth import sign_header
from mypref_harness.sandbox.app import create_app
from mypref_harness.sandbox.context import AUTH_PNAUTH, RequestContext
from mypref_harness.sandbox.settings import SandboxSettings

from .helpers import AUTHENTICATED, BASE, ROOT, StubDataApi, outcome

SANCHEZ = demo.SANCHEZ
PROGRAMS = f"{BASE}/SanchezAssociates/Programs"


def _signed() -> dict[str, str]:
    return {
        "Authorization": sign_header(key=SANCHEZ.api_key, client_id=SANCHEZ.client_id, user_id="RickSanchez")
    }


def test_an_injected_data_layer_gets_each_authenticated_request_with_its_context(
    make_settings: Callable[..., SandboxSettings],
) -> None:
    stub = StubDataApi()
    client = TestClient(create_app(make_settings(), data_api=stub), base_url=ROOT)
    assert outcome(client.get(PROGRAMS, headers=_signed())) == AUTHENTICATED
    assert client.get(PROGRAMS).status_code == 401  # refused before the data layer
    assert stub.contexts == [RequestContext("SanchezAssociates", "RickSanchez", AUTH_PNAUTH)]


def test_the_lifespan_keeps_an_injected_data_layer_and_opens_no_store(
    make_settings: Callable[..., SandboxSettings],
) -> None:
    stub = StubDataApi()
    app = create_app(make_settings(), data_api=stub)
    with TestClient(app, base_url=ROOT) as client:
        assert outcome(client.get(PROGRAMS, headers=_signed())) == AUTHENTICATED
        assert app.state.sandbox.data_api is stub
        assert app.state.sandbox.store is None


def test_without_a_data_layer_an_api_request_is_a_logged_500_not_a_placeholder(
    make_settings: Callable[..., SandboxSettings], caplog: Any
) -> None:
    # No lifespan and nothing injected: a wiring bug, answered in the documented error shape.
    client = TestClient(create_app(make_settings()), base_url=ROOT, raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="mypref_harness.sandbox"):
        response = client.get(PROGRAMS, headers=_signed())
    assert response.status_code == 500
    assert response.json() == {"Message": "An error has occurred."}
    assert "data layer" in caplog.text
