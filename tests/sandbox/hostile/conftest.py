"""Fixtures of the hostile-input tests: the whole sandbox app in-process, with its data layer.

``state_dir``, ``make_settings`` and ``seeded_db`` come from tests/sandbox/conftest.py.
``data_client`` runs the app's lifespan (so the data layer is open) with authentication off, on a
private copy of a database seeded once per session. Authentication tests use ``make_auth_client``
(auth on, the stub data layer of ``tests.sandbox.helpers`` injected: a request that passes
authentication reaches the stub).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette nags about httpx vs httpx2
    from starlette.testclient import TestClient

from mypref_harness.sandbox.app import create_app
from mypref_harness.sandbox.settings import SandboxSettings

from ..helpers import ROOT, StubDataApi


@pytest.fixture
def data_client(make_settings: Callable[..., SandboxSettings], seeded_db: Path) -> Iterator[TestClient]:
    app = create_app(make_settings(auth_off=True, db_path=seeded_db))
    with TestClient(app, base_url=ROOT, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def make_auth_client(make_settings: Callable[..., SandboxSettings]) -> Callable[..., TestClient]:
    def make(**kwargs: Any) -> TestClient:
        app = create_app(make_settings(**kwargs), data_api=StubDataApi())
        return TestClient(app, base_url=ROOT, raise_server_exceptions=False)

    return make
