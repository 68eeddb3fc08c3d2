"""The per-run Schemathesis config: merged from contracts/schemathesis.toml, written as valid TOML."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from mypref_harness import resources
from mypref_harness.contract.schemathesis.config import (
    body_resource_overrides,
    client_id_parameter_names,
    deep_merge,
    dump_toml,
    load_base_config,
    run_config,
)
from mypref_harness.errors import ConfigError


def test_dump_toml_round_trips_nested_tables_and_awkward_keys():
    data = {
        "hooks": "/a b/hooks.py",
        "workers": 1,
        "request-timeout": 2.5,
        "continue-on-failure": True,
        "generation": {"max-examples": 3, "mode": "all"},
        "parameters": {"path.clientId": 'AC"ME\\'},
        "phases": {"coverage": {"enabled": False, "unexpected-methods": []}},
        "checks": {"negative_data_rejection": {"expected-statuses": [400, 401]}},
    }
    assert tomllib.loads(dump_toml(data)) == data


def test_static_config_is_valid_and_sets_the_vendor_safe_defaults():
    config_file = resources.schemathesis_config_file()  # MissingResource if not found
    assert config_file.name == "schemathesis.toml" and config_file.is_file()
    base = load_base_config(config_file)
    assert base["auth"]["auto-signup"] is False
    assert base["generation"]["mode"] == "all"
    assert all(base["phases"][p]["enabled"] for p in ("examples", "coverage", "fuzzing", "stateful"))
    assert "hooks" not in base  # the run adds an absolute path; a relative one breaks outside the repo
    assert base["suppress-health-check"] == ["filter_too_much"]  # ClientId-only operations after the pin


def test_broken_static_config_is_a_config_error(tmp_path: Path):
    bad = tmp_path / "st.toml"
    bad.write_text("[generation\n")
    with pytest.raises(ConfigError, match="cannot read"):
        load_base_config(bad)


def run_cfg(local: bool) -> dict:
    return run_config(
        {"generation": {"mode": "all", "max-examples": 20}},
        hooks_path=Path("/h/hooks.py"),
        base_url="http://127.0.0.1:1/Profiles/v4",
        client_id="ACME_CORP",
        client_id_params=["clientId"],
        max_examples=3,
        seed=5,
        phases=["examples", "fuzzing"],
        local_target=local,
        rate_limit=None if local else "20/s",
        workers=1,
    )


def test_run_config_pins_the_client_and_overrides_the_budget():
    cfg = run_cfg(local=True)
    assert cfg["parameters"] == {"path.clientId": "ACME_CORP"}
    assert cfg["generation"] == {"mode": "all", "max-examples": 3}
    assert cfg["seed"] == 5 and cfg["hooks"] == "/h/hooks.py"
    assert cfg["phases"]["coverage"]["enabled"] is False and cfg["phases"]["fuzzing"]["enabled"] is True
    assert "unexpected-methods" not in cfg["phases"]["coverage"]


def test_run_config_is_polite_to_non_local_targets():
    cfg = run_cfg(local=False)
    assert cfg["phases"]["coverage"]["unexpected-methods"] == []
    assert cfg["checks"]["unsupported_method"] == {"enabled": False}
    assert cfg["rate-limit"] == "20/s"


def test_deep_merge_does_not_mutate_the_base():
    base = {"a": {"b": 1, "c": 2}}
    assert deep_merge(base, {"a": {"b": 9}}) == {"a": {"b": 9, "c": 2}}
    assert base == {"a": {"b": 1, "c": 2}}


def test_client_id_parameter_names_from_components_inline_and_swagger2():
    document = {
        "components": {"parameters": {"C": {"name": "clientId", "in": "path"}}},
        "parameters": {"G": {"name": "ClientID", "in": "path"}},
        "paths": {
            "/{client_id}/x": {
                "get": {
                    "parameters": [
                        {"name": "client_id", "in": "path"},
                        {"name": "clientId", "in": "query"},
                        {"$ref": "#/components/parameters/C"},
                    ]
                }
            }
        },
    }
    assert client_id_parameter_names(document) == ["ClientID", "clientId", "client_id"]


def test_client_id_param_names_the_parameter_to_pin():
    document = {"paths": {"/{AccountId}/x": {"get": {"parameters": [{"name": "AccountId", "in": "path"}]}}}}
    assert client_id_parameter_names(document) == []
    assert client_id_parameter_names(document, "accountid") == ["AccountId"]


def test_state_conflict_operations_accept_400_402_409_for_positive_data():
    import tomllib

    import schemathesis

    from mypref_harness.contract.schemathesis.config import dump_toml, state_conflict_overrides

    document = {
        "paths": {
            "/{clientId}/Profile": {
                "post": {"operationId": "createProfile", "responses": {"201": {}, "409": {}, "402": {}}},
                "get": {"operationId": "listProfiles", "responses": {"200": {}}},
            },
            "/{clientId}/Groups": {"put": {"responses": {"200": {}, "409": {}}}},  # no operationId
        }
    }
    base = {"checks": {"positive_data_acceptance": {"expected-statuses": [200, 201, 404]}}}
    overrides = state_conflict_overrides(base, document)
    assert [o.get("include-operation-id") or o.get("include-name") for o in overrides] == [
        "createProfile",
        "PUT /{clientId}/Groups",
    ]
    assert overrides[0]["checks"]["positive_data_acceptance"]["expected-statuses"] == [
        200,
        201,
        400,
        402,
        404,
        409,
    ]
    written = tomllib.loads(dump_toml({"operations": overrides, "checks": base["checks"]}))
    assert written["operations"] == overrides
    schemathesis.Config.from_dict(written)  # Schemathesis accepts the per-operation settings


def test_writes_to_an_existing_resource_can_meet_a_state_conflict():
    from mypref_harness.contract.schemathesis.config import state_conflict_operations

    document = {
        "paths": {
            "/{clientId}/Consents/{profileId}": {
                "post": {"operationId": "saveConsents", "responses": {"200": {}}},  # e.g. an inactive profile
                "get": {"operationId": "getConsents", "responses": {"200": {}}},  # a read has no conflict
            },
            "/{clientId}/Programs": {"post": {"operationId": "createProgram", "responses": {"201": {}}}},
        }
    }
    assert [o["include-operation-id"] for o in state_conflict_operations(document)] == ["saveConsents"]


# --- a budgeted run (contract/budget_plan.py) --------------------------------------------------------


def _budgeted(plan):
    from mypref_harness.contract.schemathesis.config import budgeted_config

    base = load_base_config(resources.schemathesis_config_file())
    return budgeted_config(
        run_config(
            base,
            hooks_path=Path("h.py"),
            base_url="http://127.0.0.1:1",
            client_id="ACME",
            client_id_params=[],
            max_examples=20,
            seed=1,
            phases=("fuzzing", "stateful"),
            local_target=True,
            rate_limit=None,
            workers=1,
        ),
        plan,
    )


def test_a_budget_sizes_fuzzing_per_operation_in_few_entries_schemathesis_accepts():
    from schemathesis.config import SchemathesisConfig

    from mypref_harness.contract.budget_plan import BudgetPlan

    share = {"GET /a": 3, "GET /b": 3, "GET /c": 3, "POST /d": 20, "DELETE /e": 0}
    config = _budgeted(BudgetPlan(cases=50, coverage_per_operation=0, fuzzing_per_operation=share))
    assert config["generation"] == {**config["generation"], "max-examples": 3, "no-shrink": True}
    assert config["phases"]["stateful"]["enabled"] is False  # the plan leaves no room for it
    entries = {entry["include-name-regex"]: entry for entry in config["operations"]}
    assert entries == {
        r"^(?:DELETE\ /e)$": {
            "include-name-regex": r"^(?:DELETE\ /e)$",
            "phases": {"fuzzing": {"enabled": False}},
        },
        r"^(?:POST\ /d)$": {"include-name-regex": r"^(?:POST\ /d)$", "generation": {"max-examples": 20}},
    }
    written = tomllib.loads(dump_toml(config))
    del written["hooks"]  # a hooks file is loaded when read: not this test's business
    SchemathesisConfig.from_dict(written)  # raises on a key or value it does not know


def test_a_budget_never_raises_max_examples_above_the_configured_value():
    from mypref_harness.contract.budget_plan import BudgetPlan

    config = _budgeted(BudgetPlan(cases=900, coverage_per_operation=0, fuzzing_per_operation={"GET /a": 50}))
    assert config["generation"]["max-examples"] == 20
    assert "operations" not in config


def test_stateful_runs_with_few_sequences_when_the_plan_allows_it():
    from mypref_harness.contract.budget_plan import STATEFUL_MAX_EXAMPLES, BudgetPlan

    config = _budgeted(BudgetPlan(cases=900, coverage_per_operation=0, fuzzing_default=5, stateful=True))
    stateful = {"enabled": True, "generation": {"max-examples": STATEFUL_MAX_EXAMPLES}}
    assert STATEFUL_MAX_EXAMPLES < 20  # fewer than the configured value: the budget's few sequences
    assert config["phases"]["stateful"] == stateful
    assert config["phases"]["fuzzing"]["enabled"] is True
    assert config["generation"]["max-examples"] == 5


def test_ensure_resource_availability_is_off_only_for_operations_that_take_a_body():
    ok = {"200": {"description": "OK"}}
    document = {
        "swagger": "2.0",
        "paths": {
            "/{c}/Profile/{p}": {
                "get": {"operationId": "Profile_Get", "responses": ok},
                "delete": {"responses": ok},  # no operationId: selected by name
                "post": {
                    "operationId": "Profile_Update",
                    "parameters": [{"name": "body", "in": "body", "schema": {"type": "object"}}],
                    "responses": ok,
                },
                "put": {
                    "parameters": [{"$ref": "#/parameters/Body"}],  # a shared body parameter
                    "responses": ok,
                },
            },
            "/{c}/Upload": {
                "post": {
                    "operationId": "Upload",
                    "parameters": [{"name": "file", "in": "formData", "type": "file"}],
                    "responses": ok,
                }
            },
        },
        "parameters": {"Body": {"name": "body", "in": "body", "schema": {"type": "object"}}},
    }
    off = {"ensure_resource_availability": {"enabled": False}}
    assert sorted(body_resource_overrides(document), key=repr) == sorted(
        [
            {"include-operation-id": "Profile_Update", "checks": off},
            {"include-name": "PUT /{c}/Profile/{p}", "checks": off},
            {"include-operation-id": "Upload", "checks": off},
        ],
        key=repr,
    )
    openapi = {
        "openapi": "3.0.3",
        "paths": {
            "/x": {
                "get": {"operationId": "Read", "responses": ok},
                "patch": {"operationId": "Patch", "requestBody": {"content": {}}, "responses": ok},
            }
        },
    }
    assert body_resource_overrides(openapi) == [{"include-operation-id": "Patch", "checks": off}]


def test_the_overview_sentence_behind_the_body_exemption_is_the_documents():
    from mypref_harness.contract.schemathesis import config

    quoted = (
        "A 404 - Resource Not Found status code is returned when you access a URL or a resource that is "
        "invalid or currently unavailable."
    )
    assert quoted in " ".join((config.body_resource_overrides.__doc__ or "").split())
    shared = Path(__file__).resolve().parents[3].parent / "shared" / "reference"
    overview = shared / "mypreferences-v4-api-overview.txt"
    if not overview.exists():
        pytest.skip("shared reference not available")
    assert quoted in overview.read_text(encoding="utf-8")
