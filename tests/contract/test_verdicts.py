"""Basis of contract findings and the verdict policy applied to a contract run (issue 11, section 1)."""

from __future__ import annotations

import pytest

from mypref_harness import resources
from mypref_harness.basis import Basis, Verdict, VerdictPolicy
from mypref_harness.contract.results import CheckRecord, ConformanceResult, ContractResult, Status
from mypref_harness.contract.verdicts import (
    check_catalog,
    effective_strict,
    is_our_spec,
    judge_contract,
    load_policy,
    with_basis,
)

SPEC = {
    "paths": {
        "/{clientId}/Programs": {"get": {"x-route-confidence": "high"}},
        "/{clientId}/Groups": {
            "get": {"x-route-confidence": "medium"},
            "post": {"x-route-confidence": "guess"},
        },
    }
}


def finding(check: str, operation: str, evidence: str = "") -> CheckRecord:
    return CheckRecord(
        name=operation, check=check, status=Status.FAILED, evidence=evidence, operation=operation
    )


@pytest.mark.parametrize(
    ("operation", "expected"),
    [
        ("GET /{clientId}/Programs", Basis.DOCUMENTED),
        ("GET /{clientId}/Groups", Basis.CATALOG),
        ("POST /{clientId}/Groups", Basis.ASSUMPTION),
        ("Stateful tests", Basis.ASSUMPTION),  # names no operation: only our spec's word
    ],
)
def test_builtin_findings_take_the_routes_confidence(operation, expected):
    (record,) = with_basis([finding("status_code_conformance", operation)], SPEC, users_spec=False)
    assert record.basis is expected


def test_a_stateful_finding_is_as_sure_as_its_least_sure_route():
    evidence = "Created with: `GET /{clientId}/Programs`\nNot available with: `POST /{clientId}/Groups`"
    (record,) = with_basis(
        [finding("ensure_resource_availability", "Stateful tests", evidence)], SPEC, users_spec=False
    )
    assert record.basis is Basis.ASSUMPTION


def test_with_the_users_own_spec_everything_is_documented():
    (record,) = with_basis(
        [finding("status_code_conformance", "POST /{clientId}/Groups")], SPEC, users_spec=True
    )
    assert record.basis is Basis.DOCUMENTED


def test_custom_checks_keep_their_own_rule_whatever_the_route():
    (record,) = with_basis(
        [finding("error_body_has_message", "GET /{clientId}/Programs")], SPEC, users_spec=False
    )
    assert record.basis is Basis.ASSUMPTION
    (record,) = with_basis(
        [finding("search_cap_honoured", "POST /{clientId}/Groups")], SPEC, users_spec=False
    )
    assert record.basis is Basis.CATALOG


def test_our_spec_and_a_users_spec(tmp_path):
    assert is_our_spec(str(resources.spec_file()))
    assert is_our_spec(str(resources.spec_file().with_name("mypreferences-v4.swagger2.json")))
    assert not is_our_spec(str(tmp_path / "official-swagger.json"))
    assert not is_our_spec("https://example.com/swagger.json")


def test_one_meaning_of_strict():
    assert effective_strict(None, is_sandbox=True) is True
    assert effective_strict(None, is_sandbox=False) is False
    assert effective_strict(True, is_sandbox=False) is True
    assert effective_strict(False, is_sandbox=True) is False
    assert effective_strict(None, is_sandbox=False, policy_file_strict=True) is True


def test_policy_file_overrides_and_strictness(tmp_path):
    path = tmp_path / "policy.toml"
    path.write_text('[checks]\nerror_body_has_message = "fail"\nroute_exists = "warn"\n', encoding="utf-8")
    policy = load_policy(path, strict=None, is_sandbox=False)
    assert policy.strict is False
    assert policy.verdict("error_body_has_message", Basis.ASSUMPTION) is Verdict.FAIL
    assert policy.verdict("route_exists", Basis.DOCUMENTED) is Verdict.WARN
    assert load_policy(None, strict=None, is_sandbox=True).strict is True


def _run_with_every_basis() -> ContractResult:
    return ContractResult(
        target="t",
        findings=[
            CheckRecord("GET /a", "status_code_conformance", Status.FAILED, basis=Basis.DOCUMENTED),
            CheckRecord("GET /b", "status_code_conformance", Status.FAILED, basis=Basis.ASSUMPTION),
        ],
        scenarios=[CheckRecord("u", "unicode_names", Status.FAILED, basis=Basis.PRACTICE)],
        conformance=ConformanceResult(
            target="t", checks=[CheckRecord("o", "oauth.invalid-token", Status.FAILED, basis=Basis.PRACTICE)]
        ),
    )


def test_lenient_policy_warns_on_assumption_and_practice_and_fails_on_documented():
    result = _run_with_every_basis()
    judge_contract(result, VerdictPolicy(strict=False))
    assert [f.check for f in result.failures] == ["status_code_conformance"]
    assert {w.basis for w in result.warned} == {Basis.ASSUMPTION, Basis.PRACTICE}
    assert len(result.warned) == 3
    assert result.policy == "documented and catalog findings fail"


def test_only_warnings_pass_the_run():
    result = _run_with_every_basis()
    result.findings = result.findings[1:]
    judge_contract(result, VerdictPolicy(strict=False))
    assert result.passed and result.exit_code == 0 and len(result.warned) == 3


def test_strict_policy_fails_everything():
    result = _run_with_every_basis()
    judge_contract(result, VerdictPolicy(strict=True))
    assert len(result.failures) == 4 and not result.warned and result.exit_code == 1


def test_the_check_list_has_every_check_with_a_basis():
    listed = {c.name: c for c in check_catalog()}
    assert {"unauthorized_documented", "status_code_conformance", "route_exists", "put_replaces"} <= set(
        listed
    )
    assert listed["unauthorized_documented"].basis.startswith('documented: "When a request is rejected')
    assert listed["put_replaces"].kind == "scenario"
