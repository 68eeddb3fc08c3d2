"""Run preparation without running anything: the run toml, the run spec, the command line and the
toml/env split of secrets."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from mypref_harness import resources
from mypref_harness.config import Target
from mypref_harness.contract.options import ContractOptions
from mypref_harness.contract.schemathesis.prepare import prepare_run
from mypref_harness.contract.spec_document import load_spec_document

KEY = "a-very-secret-pnauth-key-0123456789"
SECRET = "an-oauth-client-secret-abcdefghijklmnop"
SPEC = str(resources.spec_file())


@pytest.fixture(scope="module")
def document() -> dict:
    return load_spec_document(SPEC)


def target(**overrides) -> Target:
    values = dict(
        base_url="http://127.0.0.1:9/Profiles/v4",
        client_id="ACME_CORP",
        user_id="John.Doe",
        api_key=KEY,
        auth="oauth",
        token_url="http://127.0.0.1:9/oauth2/v1/token",
        oauth_client_id="c" * 48,
        oauth_client_secret=SECRET,
        spec=SPEC,
    )
    values.update(overrides)
    return Target(**values)


def test_secrets_reach_the_environment_but_no_file(tmp_path: Path, document):
    prepared = prepare_run(
        target(),
        ContractOptions(report_dir=tmp_path, operations=["getPrograms"], seed=3),
        document,
        clock_offset=-2.0,
    )
    assert prepared.env["MYPREF_API_KEY"] == KEY and prepared.env["MYPREF_OAUTH_CLIENT_SECRET"] == SECRET
    assert prepared.env["MYPREF_CONTRACT_CLOCK_OFFSET"] == "-2.000"
    for path in tmp_path.rglob("*"):
        if path.is_file():
            text = path.read_text()
            assert KEY not in text and SECRET not in text, path
    assert not any(KEY in part or SECRET in part for part in prepared.command)
    config = tomllib.loads(prepared.config_path.read_text())
    assert config["parameters"] == {"path.clientId": "ACME_CORP"}
    assert config["seed"] == 3 and Path(config["hooks"]).name == "hooks.py"
    assert set(json.loads(prepared.spec_path.read_text())["paths"]) == {"/{clientId}/Programs"}
    assert "--include-name-regex" in prepared.command


def test_strict_on_the_sandbox_lenient_elsewhere(tmp_path: Path, document):
    sandbox = target(sandbox_root_url="http://127.0.0.1:9")
    assert prepare_run(sandbox, ContractOptions(report_dir=tmp_path / "a"), document).strict is True
    real = prepare_run(target(), ContractOptions(report_dir=tmp_path / "b"), document)
    assert real.strict is False and real.relaxed > 0
    assert 'additionalProperties": false' in json.dumps(document)
    forced = prepare_run(target(), ContractOptions(report_dir=tmp_path / "c", strict=True), document)
    assert forced.strict is True


def test_pinned_client_id_has_no_negative_space_in_the_run_spec(tmp_path: Path, document):
    prepared = prepare_run(target(), ContractOptions(report_dir=tmp_path), document)
    run_spec = json.loads(prepared.spec_path.read_text())
    assert run_spec["components"]["parameters"]["ClientId"]["schema"] == {"type": "string"}


def test_non_local_targets_get_a_rate_limit_and_no_unexpected_methods(tmp_path: Path, document):
    remote = target(base_url="https://api.example.invalid/Profiles/v4")
    config = tomllib.loads(
        prepare_run(remote, ContractOptions(report_dir=tmp_path), document).config_path.read_text()
    )
    assert config["rate-limit"] == "20/s"
    assert config["phases"]["coverage"]["unexpected-methods"] == []


def test_ndjson_only_on_request(tmp_path: Path, document):
    plain = prepare_run(target(), ContractOptions(report_dir=tmp_path / "a"), document)
    assert "--report-ndjson-path" not in plain.command and "junit,json" in plain.command  # NDJSON: ~3x slower
    kept = prepare_run(target(), ContractOptions(report_dir=tmp_path / "b", keep_events=True), document)
    assert "junit,json,ndjson" in kept.command and "--report-ndjson-path" in kept.command


@pytest.mark.parametrize(
    "given, rate, local, round_trip, workers",
    [
        (None, "20/s", False, 0.1, 2),  # 20/s x 100 ms: the rate, not the latency, sets the pace
        (None, "20/s", False, 0.5, 10),
        (None, "20/s", False, 2.0, 16),  # clamped
        (None, None, True, 0.1, 1),  # the unlimited loopback sandbox: today's choice
        (None, "20/s", True, 0.002, 1),  # a fast loopback target under a rate limit
        (None, "20/s", True, 0.1, 2),  # a slow one (the simulated remote target) is measured too
        (None, "20/s", False, None, 1),  # nothing measured
        (None, "auto", False, 0.1, 1),  # no rate of ours to fill
        (3, "20/s", False, 0.1, 3),  # --workers wins
    ],
)
def test_workers_come_from_the_measured_round_trip(given, rate, local, round_trip, workers):
    from mypref_harness.contract.schemathesis.prepare import choose_workers

    chosen, why = choose_workers(given, rate, local=local, round_trip_s=round_trip)
    assert chosen == workers
    assert why.startswith(str(workers))


def test_the_chosen_workers_reach_schemathesis(tmp_path: Path, document):
    remote = target(base_url="https://api.example.invalid/Profiles/v4")
    prepared = prepare_run(remote, ContractOptions(report_dir=tmp_path), document, round_trip_s=0.3)
    assert prepared.workers == 6 and "round trip" in prepared.workers_why
    assert tomllib.loads(prepared.config_path.read_text())["workers"] == 6


def test_the_swashbuckle_run_gets_its_body_rules_and_keeps_availability_checks_on_reads(tmp_path: Path):
    """The two changes that made the gate pass on a Swashbuckle export, as the run's files carry them."""
    from mypref_harness.spec.document import read_document

    from ...fixtures.specs import make_swashbuckle

    fixture = read_document(make_swashbuckle.FIXTURE)
    options = ContractOptions(
        report_dir=tmp_path, operations=["Profile_Get", "Profile_Replace", "Profile_Patch"]
    )
    prepared = prepare_run(target(), options, fixture)
    # The run's copy holds the selected path item only: of its operations, the PATCH takes a JSON Patch.
    assert prepared.body_rules == {"json-patch-operation": 1}
    run_spec = json.loads(prepared.spec_path.read_text())
    assert len(run_spec["definitions"]["JsonPatchOperation"]["oneOf"]) == 2
    config = tomllib.loads(prepared.config_path.read_text())
    availability_off = {
        entry.get("include-operation-id")
        for entry in config.get("operations", [])
        if entry.get("checks", {}).get("ensure_resource_availability", {}).get("enabled") is False
    }
    assert {"Profile_Replace", "Profile_Patch"} <= availability_off
    assert "Profile_Get" not in availability_off and "Profile_Delete" not in availability_off
