"""Cached GET responses never go stale: writes through any connection invalidate them."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from mypref_harness.sandbox.store import Store

from .helpers import client_for

BASE = "/Profiles/v4/ACME_CORP"


def test_config_read_sees_a_create_and_a_patch(client: TestClient) -> None:
    before = client.get(f"{BASE}/PhoneTypes").json()["PhoneTypes"]
    assert client.get(f"{BASE}/PhoneTypes").json()["PhoneTypes"] == before  # served from the cache
    created = client.post(f"{BASE}/PhoneTypes", json={"PhoneTypes": [{"TypeName": "Satellite"}]})
    assert created.status_code == 201
    after = client.get(f"{BASE}/PhoneTypes").json()["PhoneTypes"]
    assert [t["TypeName"] for t in after] == [*(t["TypeName"] for t in before), "Satellite"]
    new_id = created.json()["PhoneTypes"][0]["TypeId"]
    ops = [{"op": "replace", "path": "/TypeName", "value": "Sat"}]
    assert client.patch(f"{BASE}/PhoneType/{new_id}", json=ops).status_code == 200
    assert client.get(f"{BASE}/PhoneTypes").json()["PhoneTypes"][-1]["TypeName"] == "Sat"


def test_profile_read_sees_a_write_by_another_process(client: TestClient, db_path: Path) -> None:
    assert client.get(f"{BASE}/Profile/1005").json()["CustomerName"]["FirstName"] != "Elsewhere"
    other = Store.open(db_path)  # a second connection, as another uvicorn worker would have
    try:
        other_client = client_for(other)
        assert (
            other_client.post(
                f"{BASE}/Profile/1005", json={"CustomerName": {"FirstName": "Elsewhere"}}
            ).status_code
            == 200
        )
    finally:
        other.close()
    assert client.get(f"{BASE}/Profile/1005").json()["CustomerName"]["FirstName"] == "Elsewhere"
