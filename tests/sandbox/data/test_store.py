"""Storage: seed determinism and idempotence, counters, and durability of acknowledged writes (kill -9)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from mypref_harness.auth.pnauth import sign_header
from mypref_harness.demo import ACME
from mypref_harness.sandbox.seed import PROFILE_COUNT, seed_if_empty
from mypref_harness.sandbox.store import Store

from .helpers import TENANT, Tenant


def test_seed_is_deterministic_and_idempotent(tmp_path: Path) -> None:
    docs = []
    for name in ("a.db", "b.db"):
        store = Store.open(tmp_path / name)
        assert seed_if_empty(store, [Tenant(TENANT)]) == [TENANT]
        assert seed_if_empty(store, [Tenant(TENANT)]) == []  # second call: nothing to do
        with store.read() as tx:
            docs.append([tx.get(TENANT, "profile", i) for i in (1001, 1150, 1300)])
            assert len(tx.ids(TENANT, "profile")) == PROFILE_COUNT
            assert len(tx.find_profiles(TENANT, "last", "smith")) > 50
        store.close()
    assert docs[0] == docs[1]
    assert docs[0][0]["CustomerName"]["LastName"] == "Roe"


def test_tenants_are_isolated(store: Store) -> None:
    with store.write() as tx:
        tx.put(TENANT, "profile", 5, {"ProfileId": 5})
    with store.read() as tx:
        assert tx.get("SanchezAssociates", "profile", 5) is None
        assert tx.next_id(TENANT, "x") == 1
        assert tx.next_id(TENANT, "x") == 2


def test_committed_write_survives_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "kill.db"
    script = (
        "import os, signal, sys\n"
        "from mypref_harness.sandbox.store import Store\n"
        f"store = Store.open({str(db)!r})\n"
        "with store.write() as tx:\n"
        "    tx.put('T', 'profile', 1, {'ok': True})\n"
        "print('acknowledged', flush=True)\n"
        "os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
    assert result.returncode == -9
    assert "acknowledged" in result.stdout
    reopened = Store.open(db)
    assert reopened.read_one("T", "profile", 1) == {"ok": True}
    reopened.close()


@pytest.mark.slow
def test_acknowledged_api_write_survives_kill_9_of_the_sandbox(tmp_path: Path) -> None:
    from mypref_harness.sandbox.process import running_sandbox

    db = tmp_path / "sandbox.db"

    def headers() -> dict[str, str]:
        return {
            "Authorization": sign_header(key=ACME.api_key, client_id=ACME.client_id, user_id=ACME.user_id)
        }

    with running_sandbox(db_path=db) as sandbox:
        url = f"{sandbox.base_url}/{ACME.client_id}/Profile/1002"
        response = httpx.post(
            url, json={"CustomerName": {"FirstName": "Durable"}}, headers=headers(), timeout=10
        )
        assert response.status_code == 200
        sandbox.kill()
        time.sleep(0.2)
    with running_sandbox(db_path=db) as sandbox:
        url = f"{sandbox.base_url}/{ACME.client_id}/Profile/1002"
        stored = httpx.get(url, headers=headers(), timeout=10).json()
    assert json.dumps(stored["CustomerName"]["FirstName"]) == '"Durable"'
