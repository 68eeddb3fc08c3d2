"""An in-process data layer (no auth): a tiny Starlette app forwarding /Profiles/v4/* to DataApi."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from mypref_harness.sandbox.api import DataApi
from mypref_harness.sandbox.context import RequestContext
from mypref_harness.sandbox.seed import seed_if_empty
from mypref_harness.sandbox.store import Store

TENANT = "ACME_CORP"


@dataclass(frozen=True)
class Tenant:
    client_id: str


class Settings:
    def __init__(self, defects: frozenset[str] = frozenset()) -> None:
        self.defects = defects
        self.clock_offset = 0.0

    def has_defect(self, name: str) -> bool:
        return name in self.defects


def make_app(store: Store, settings: Settings) -> Starlette:
    api = DataApi(store, settings)

    async def forward(request: Request) -> Response:
        return await api.handle(request, RequestContext(TENANT, "John.Doe", "pnauth"))

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE"]
    return Starlette(routes=[Route("/Profiles/v4/{rest:path}", forward, methods=methods)])


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One seeded database file; tests copy it instead of seeding again (seeding takes ~1 s)."""
    path = tmp_path_factory.mktemp("seed") / "seed.db"
    store = Store.open(path)
    seed_if_empty(store, [Tenant(TENANT), Tenant("SanchezAssociates")])
    store._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return path


@pytest.fixture
def db_path(seeded_db: Path, tmp_path: Path) -> Path:
    target = tmp_path / "sandbox.db"
    target.write_bytes(seeded_db.read_bytes())
    return target


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = Store.open(db_path)
    try:
        yield opened
    finally:
        opened.close()


def client_for(store: Store, defects: frozenset[str] = frozenset()) -> TestClient:
    return TestClient(make_app(store, Settings(defects)), base_url="http://testserver")


@pytest.fixture
def client(store: Store) -> TestClient:
    return client_for(store)
