"""A Target reconciled with its spec sends every request to one URL per path (spec.paths.reconcile):
the preflight's read, Schemathesis's base-url, the auth probe, and the --spec option's precedence."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from mypref_harness import resources
from mypref_harness.auth.answers import Retrier, RetryPolicy
from mypref_harness.config import Target, load_target
from mypref_harness.contract.auth_conformance.probe import AuthProbe, ConformanceOptions
from mypref_harness.contract.options import ContractOptions
from mypref_harness.contract.schemathesis.prepare import prepare_run
from mypref_harness.embedded import target_for_sandbox
from mypref_harness.errors import ConfigError
from mypref_harness.preflight import preflight

BASE_URL = "http://127.0.0.1:9/Profiles/v4"
PREFIXED = {  # an OpenAPI file whose paths carry the prefix, no server path
    "openapi": "3.0.3",
    "info": {"title": "t", "version": "1"},
    "servers": [{"url": "https://pm.mypreferences.com"}],
    "paths": {
        "/Profiles/v4/{ClientId}/Programs": {
            "get": {
                "operationId": "Programs_Get",
                "parameters": [
                    {"name": "ClientId", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


def _target(**overrides: object) -> Target:
    values: dict[str, object] = dict(
        base_url=BASE_URL, client_id="ACME_CORP", user_id="John.Doe", api_key="target-urls-key-0123456789"
    )
    values.update(overrides)
    return Target(**values)  # type: ignore[arg-type]


def test_url_for_without_a_spec_joins_the_base_url() -> None:
    assert _target().url_for("/ACME_CORP/Programs") == BASE_URL + "/ACME_CORP/Programs"


def test_url_for_a_prefixed_spec_path_does_not_double_the_prefix() -> None:
    target = _target().with_spec(PREFIXED)
    assert target.url_for("/Profiles/v4/ACME_CORP/Programs") == BASE_URL + "/ACME_CORP/Programs"
    assert target.spec_base_url == "http://127.0.0.1:9"


def test_with_spec_raises_the_reconciliation_error() -> None:
    conflicting = {"swagger": "2.0", "basePath": "/api/v2", "paths": {"/x": {"get": {}}}}
    with pytest.raises(ConfigError, match="cannot reconcile"):
        _target().with_spec(conflicting)


def test_preflight_reads_the_catalog_path_under_the_root_of_a_host_only_base_url() -> None:
    """MYPREF_BASE_URL=http://host with a spec whose basePath is /Profiles/v4: the read goes under it."""
    swagger = {"swagger": "2.0", "basePath": "/Profiles/v4", "paths": {"/{ClientId}/Programs": {"get": {}}}}
    target = _target(base_url="http://127.0.0.1:9").with_spec(swagger)
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"Programs": []})

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        preflight(target, client=client, retrier=Retrier(RetryPolicy(backoff_s=0.0, max_wait_s=0.0)))
    assert seen == ["http://127.0.0.1:9/Profiles/v4/", "http://127.0.0.1:9/Profiles/v4/ACME_CORP/Programs"]


def test_the_auth_probe_url_goes_through_the_reconciled_base() -> None:
    target = _target(base_url="http://127.0.0.1:9/").with_spec(PREFIXED)
    probe = AuthProbe(target, ConformanceOptions(report_dir=Path("unused")))
    assert probe.url() == BASE_URL + "/ACME_CORP/Programs"


def test_schemathesis_gets_the_base_url_the_spec_paths_are_appended_to(tmp_path: Path) -> None:
    target = _target(spec=str(resources.spec_file())).with_spec(PREFIXED)
    prepared = prepare_run(target, ContractOptions(report_dir=tmp_path, seed=1), PREFIXED)
    url = prepared.command[prepared.command.index("--url") + 1]
    assert url == "http://127.0.0.1:9"
    assert url + "/Profiles/v4/ACME_CORP/Programs" == BASE_URL + "/ACME_CORP/Programs"


def test_the_spec_option_beats_the_environment(tmp_path: Path) -> None:
    env_spec, option_spec = tmp_path / "env.json", tmp_path / "option.json"
    env_spec.write_text("{}")
    option_spec.write_text("{}")
    target = load_target({"MYPREF_SPEC": str(env_spec)}, kind=None, spec=str(option_spec))
    assert target.spec == str(option_spec)
    assert target.sources["spec"] == "option --spec"


def test_a_missing_spec_given_by_option_is_named_with_its_origin(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"spec file not found: .*nope\.json \(option --spec\)"):
        load_target({}, spec=str(tmp_path / "nope.json"))


def test_the_embedded_sandbox_is_reconciled_with_a_users_spec(tmp_path: Path) -> None:
    """Its paths carry /Profiles/v4: the sandbox's base URL already does, so it is sent once."""
    spec = tmp_path / "prefixed.json"
    spec.write_text(json.dumps(PREFIXED))
    credentials = {
        "base_url": "http://127.0.0.1:5555/Profiles/v4",
        "tenants": [{"client_id": "ACME_CORP", "user_id": "John.Doe", "api_key": "acme-key-12345"}],
    }
    target = target_for_sandbox(Target(spec=str(spec), auth="pnauth"), credentials)
    assert (
        target.url_for("/Profiles/v4/ACME_CORP/Programs")
        == "http://127.0.0.1:5555/Profiles/v4/ACME_CORP/Programs"
    )
    assert target.spec_base_url == "http://127.0.0.1:5555"


def test_the_embedded_sandbox_with_our_spec_needs_no_reconciliation() -> None:
    credentials = {
        "base_url": "http://127.0.0.1:5555/Profiles/v4",
        "tenants": [{"client_id": "ACME_CORP", "user_id": "John.Doe", "api_key": "acme-key-12345"}],
    }
    target = target_for_sandbox(Target(), credentials)
    assert target.api_base is None
    assert target.url_for("/ACME_CORP/Programs") == "http://127.0.0.1:5555/Profiles/v4/ACME_CORP/Programs"


def test_a_404_under_a_reconciled_host_only_base_url_blames_the_client_id_not_the_prefix() -> None:
    swagger = {"swagger": "2.0", "basePath": "/Profiles/v4", "paths": {"/{ClientId}/Programs": {"get": {}}}}
    target = _target(base_url="http://127.0.0.1:9").with_spec(swagger)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200 if request.url.path.endswith("/Profiles/v4/") else 404)

    with httpx.Client(transport=httpx.MockTransport(handler)) as client, pytest.raises(ConfigError) as caught:
        preflight(target, client=client, retrier=Retrier(RetryPolicy(backoff_s=0.0, max_wait_s=0.0)))
    assert "does not know ClientId 'ACME_CORP'" in str(caught.value)
