"""Tenant overrides from a JSON file, and that their secrets stay out of stdout."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mypref_harness import demo
from mypref_harness.auth.pnauth import sign_header
from mypref_harness.errors import ConfigError
from mypref_harness.sandbox.server import human_banner, redacted_credentials
from mypref_harness.sandbox.tenants import build_tenants, credentials_document

from .helpers import AUTHENTICATED, BASE, outcome

FILE_KEY, FILE_SECRET, FILE_CLIENT = "file-only-key-0123456789", "s" * 64, "c" * 48


@pytest.fixture
def tenants_file(tmp_path: Path) -> Path:
    path = tmp_path / "tenants.json"
    path.write_text(
        json.dumps(
            {
                "tenants": [
                    {
                        "client_id": "ACME_CORP",
                        "api_key": FILE_KEY,
                        "pnauth_window": 60,
                        "oauth": {
                            "client_id": FILE_CLIENT,
                            "client_secret": FILE_SECRET,
                            "token_lifetime": 120,
                        },
                    },
                    {"client_id": "OTHER_CO", "users": ["ops"], "api_key": "other-key"},
                ]
            }
        )
    )
    return path


def test_tenants_file_overrides_and_adds(make_client: Any, make_settings: Any, tenants_file: Path) -> None:
    settings = make_settings(tenants_file=tenants_file)
    registry = build_tenants(settings, None)
    acme = registry.get("ACME_CORP")
    assert acme is not None
    assert (acme.api_key, acme.pnauth_window, acme.users) == (FILE_KEY, 60, ("John.Doe",))
    assert registry.oauth_client(FILE_CLIENT) is not None
    assert registry.oauth_client(demo.ACME.oauth_client_id or "") is None  # replaced
    assert registry.get("OTHER_CO") is not None
    client = make_client(tenants_file=tenants_file)
    header = sign_header(key=FILE_KEY, client_id="ACME_CORP", user_id="John.Doe")
    assert (
        outcome(client.get(f"{BASE}/ACME_CORP/Programs", headers={"Authorization": header})) == AUTHENTICATED
    )
    token = client.post(
        "/oauth2/v1/token",
        data={"grant_type": "client_credentials", "scope": "ACME_CORP/John.Doe"},
        auth=(FILE_CLIENT, FILE_SECRET),
    )
    assert token.status_code == 200
    assert token.json()["expires_in"] == 120  # the OAuth client's own lifetime


def test_file_secrets_are_redacted_in_ready_line_and_banner(make_settings: Any, tenants_file: Path) -> None:
    settings = make_settings(tenants_file=tenants_file)
    doc = credentials_document(settings, build_tenants(settings, None), None)
    printed = json.dumps(redacted_credentials(doc)) + human_banner(doc, settings, None)
    assert FILE_KEY not in printed and FILE_SECRET not in printed and "other-key" not in printed
    assert demo.SANCHEZ.api_key in printed  # demo values are public and stay


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        '{"tenants": {}}',
        '{"tenants": [{"client_id": "X"}]}',
        '{"tenants": [{"client_id": "A/B", "users": ["u"], "api_key": "k"}]}',
        '{"tenants": [{"client_id": "X", "users": ["u"], "api_key": "k", "pnauth_window": -1}]}',
        '{"tenants": [{"client_id": "X", "users": ["u"], "api_key": "k", "oauth": {"client_id": "x"}}]}',
    ],
)
def test_bad_tenants_files_are_config_errors(make_settings: Any, tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(ConfigError):
        build_tenants(make_settings(tenants_file=path), None)
