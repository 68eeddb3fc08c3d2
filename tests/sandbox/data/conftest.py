"""Fixtures of the data-layer tests: a seeded database copied per test, a store, and a client of the bare
data layer (helpers.make_app: no auth)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from mypref_harness.sandbox.seed import seed_if_empty
from mypref_harness.sandbox.store import Store

from .helpers import TENANT, Tenant, client_for


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


@pytest.fixture
def client(store: Store) -> TestClient:
    return client_for(store)
