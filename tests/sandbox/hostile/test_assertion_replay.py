"""A client assertion's jti is single-use across restarts and across worker processes: seen jtis live
in the SQLite database until they expire (before, each process remembered only its own)."""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from starlette.testclient import TestClient

from mypref_harness import demo
from mypref_harness.sandbox.app import create_app
from mypref_harness.sandbox.settings import SandboxSettings
from mypref_harness.sandbox.store import Store

from ..helpers import ROOT

TOKEN = "/oauth2/v1/token"


def assertion(state_dir: Path, jti: str) -> str:
    """An RFC 7523 assertion signed with the demo certificate's key, built here from the files."""
    key: Any = serialization.load_pem_private_key(
        (state_dir / "demo-oauth-client-key.pem").read_bytes(), None
    )
    cert = x509.load_pem_x509_certificate((state_dir / "demo-oauth-client-cert.pem").read_bytes())
    der = cert.public_bytes(serialization.Encoding.DER)
    x5t = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()  # noqa: S324
    now = int(time.time())
    claims = {
        "iss": demo.ACME_CERT_OAUTH_CLIENT_ID,
        "sub": demo.ACME_CERT_OAUTH_CLIENT_ID,
        "aud": f"{ROOT}{TOKEN}",
        "iat": now,
        "exp": now + 300,
        "jti": jti,
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"x5t": x5t})


def exchange(client: TestClient, signed: str) -> Any:
    return client.post(
        TOKEN,
        data={
            "grant_type": "client_credentials",
            "scope": "ACME_CORP/John.Doe",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            "client_assertion": signed,
        },
    )


def assert_replay_refused(response: Any) -> None:
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "invalid_client"
    assert "replay" in response.json()["error_description"]


@pytest.fixture
def open_sandbox(make_settings: Callable[..., SandboxSettings], seeded_db: Path) -> Callable[[], Any]:
    """A context manager: one sandbox process's app (lifespan run, so the database is open)."""

    @contextmanager
    def opened() -> Iterator[TestClient]:
        with TestClient(create_app(make_settings(db_path=seeded_db)), base_url=ROOT) as client:
            yield client

    return opened


@pytest.mark.parametrize("jti", ["plain", "lone-surrogate-\ud800"])
def test_a_replay_after_a_restart_is_refused(open_sandbox: Any, state_dir: Path, jti: str) -> None:
    with open_sandbox() as first_run:  # creates the demo certificate on a first start
        signed = assertion(state_dir, f"{jti}-{uuid.uuid4().hex}")
        assert exchange(first_run, signed).status_code == 200
    with open_sandbox() as after_restart:
        assert_replay_refused(exchange(after_restart, signed))


def test_a_replay_on_another_worker_is_refused(open_sandbox: Any, state_dir: Path) -> None:
    with open_sandbox() as worker_a, open_sandbox() as worker_b:
        for first, second in ((worker_a, worker_b), (worker_b, worker_a)):
            signed = assertion(state_dir, uuid.uuid4().hex)
            assert exchange(first, signed).status_code == 200
            assert_replay_refused(exchange(second, signed))


def test_a_seen_value_is_kept_until_it_expires_then_forgotten(seeded_db: Path) -> None:
    one, other = Store.open(seeded_db), Store.open(seeded_db)
    try:
        assert one.first_use("k", expires=100.0, now=50.0)
        assert not other.first_use("k", expires=100.0, now=99.0)
        assert other.first_use("k", expires=200.0, now=100.0)  # expired at 100: a new first use
        assert not one.first_use("k", expires=200.0, now=150.0)
    finally:
        one.close()
        other.close()
