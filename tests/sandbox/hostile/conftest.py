"""Fixtures of the hostile-input tests: the whole sandbox app in-process, with its data layer.

``data_client`` runs the app's lifespan (so the data layer is open) with authentication off, on a
private copy of a database seeded once per session. Authentication tests use ``make_auth_client``
(auth on, the stub data layer of ``tests.sandbox.helpers`` injected: a request that passes
authentication reaches the stub).
"""

from __future__ import annotations

import shutil
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

from ..helpers import StubDataApi

ROOT = "http://127.0.0.1:8000"


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One state dir for the session: the RSA keys are generated once."""
    return tmp_path_factory.mktemp("hostile-state")


@pytest.fixture(scope="session")
def make_settings(state_dir: Path) -> Callable[..., SandboxSettings]:
    def make(**kwargs: Any) -> SandboxSettings:
        kwargs.setdefault("state_dir", state_dir)
        return SandboxSettings(**kwargs).with_port(8000)

    return make


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, make_settings: Any) -> Path:
    from mypref_harness.sandbox.seed import seed_if_empty
    from mypref_harness.sandbox.store import Store
    from mypref_harness.sandbox.tenants import build_tenants

    path = tmp_path_factory.mktemp("hostile-seeded") / "template.db"
    store = Store.open(path)
    try:
        seed_if_empty(store, build_tenants(make_settings(), None))
        store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    return path


@pytest.fixture
def seeded_db(seeded_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "sandbox.db"
    shutil.copyfile(seeded_template, target)
    return target


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
