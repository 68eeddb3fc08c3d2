"""Fixtures of the sandbox tests.

Most tests drive the app in-process with Starlette's TestClient and a stub data layer injected into
``create_app`` (``helpers.StubDataApi``): no database is opened, and an API request that passes
authentication reaches the stub, which answers 200 with its marker and the request context
(``helpers.outcome`` turns that into ``AUTHENTICATED``). tests/sandbox/hostile builds on these
fixtures; tests/sandbox/data replaces ``client`` and ``seeded_db`` with its own (a bare data layer).
"""

from __future__ import annotations

import shutil
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette 1.10 nags about httpx vs httpx2
    from starlette.testclient import TestClient

from mypref_harness.sandbox.app import create_app
from mypref_harness.sandbox.settings import SandboxSettings

from .helpers import ROOT, StubDataApi


@pytest.fixture(scope="session")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One state dir for the whole session: the RSA keys are generated once."""
    return tmp_path_factory.mktemp("sandbox-state")


@pytest.fixture(scope="session")
def make_settings(state_dir: Path) -> Callable[..., SandboxSettings]:
    def make(**kwargs: Any) -> SandboxSettings:
        kwargs.setdefault("state_dir", state_dir)
        return SandboxSettings(**kwargs).with_port(8000)

    return make


@pytest.fixture(scope="session")
def make_client(make_settings: Callable[..., SandboxSettings]) -> Callable[..., TestClient]:
    def make(**kwargs: Any) -> TestClient:
        app = create_app(make_settings(**kwargs), data_api=StubDataApi())
        return TestClient(app, base_url=ROOT, raise_server_exceptions=True)

    return make


@pytest.fixture(scope="session")
def client(make_client: Callable[..., TestClient]) -> Iterator[TestClient]:
    yield make_client()


@pytest.fixture(scope="session")
def seeded_db_template(tmp_path_factory: pytest.TempPathFactory, make_settings: Any) -> Path:
    """A database seeded once per session, so sandbox processes in tests skip the seeding."""
    from mypref_harness.sandbox.seed import seed_if_empty
    from mypref_harness.sandbox.store import Store
    from mypref_harness.sandbox.tenants import build_tenants

    path = tmp_path_factory.mktemp("seeded") / "template.db"
    store = Store.open(path)
    try:
        seed_if_empty(store, build_tenants(make_settings(), None))
    finally:
        store.close()
    return path


@pytest.fixture
def seeded_db(seeded_db_template: Path, tmp_path: Path) -> Path:
    """A private copy of the seeded template (with its WAL, if any) for one test."""
    target = tmp_path / "sandbox.db"
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{seeded_db_template}{suffix}")
        if source.exists():
            shutil.copyfile(source, f"{target}{suffix}")
    return target
