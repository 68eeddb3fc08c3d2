"""The basis model and the verdict policy (mypref_harness.basis) and its use on check records."""

from __future__ import annotations

from pathlib import Path

import pytest

from mypref_harness.basis import (
    Basis,
    PolicyError,
    Rule,
    Verdict,
    VerdictPolicy,
    documented,
    practice,
    route_basis,
)
from mypref_harness.contract.results import CheckRecord, Status, count_by_basis, judged


@pytest.mark.parametrize(
    ("basis", "expected"),
    [
        (Basis.DOCUMENTED, Verdict.FAIL),
        (Basis.CATALOG, Verdict.FAIL),
        (Basis.ASSUMPTION, Verdict.WARN),
        (Basis.PRACTICE, Verdict.WARN),
    ],
)
def test_default_policy_fails_only_what_the_documents_require(basis: Basis, expected: Verdict) -> None:
    assert VerdictPolicy().verdict("any_check", basis) is expected


def test_strict_fails_everything_and_overrides_win() -> None:
    assert VerdictPolicy(strict=True).verdict("x", Basis.PRACTICE) is Verdict.FAIL
    policy = VerdictPolicy(strict=True, overrides={"noisy": Verdict.WARN})
    assert policy.verdict("noisy", Basis.DOCUMENTED) is Verdict.WARN
    assert policy.verdict("other", Basis.ASSUMPTION) is Verdict.FAIL


def test_policy_file_promotes_and_demotes(tmp_path: Path) -> None:
    path = tmp_path / "policy.toml"
    path.write_text('[checks]\nkept_practice = "FAIL"\ndemoted = "warn"\n', encoding="utf-8")
    policy = VerdictPolicy.load(path)
    assert policy.verdict("kept_practice", Basis.PRACTICE) is Verdict.FAIL
    assert policy.verdict("demoted", Basis.DOCUMENTED) is Verdict.WARN
    assert not policy.strict


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[checks]\nx = "maybe"\n', 'expected "fail" or "warn"'),
        ("strict = 3\n", "strict must be true or false"),
        ("[check]\n", "unknown key"),
        ("[checks\n", "not valid TOML"),
    ],
)
def test_bad_policy_files_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PolicyError, match=message):
        VerdictPolicy.load(path)


def test_missing_policy_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="cannot read"):
        VerdictPolicy.load(tmp_path / "nope.toml")


def test_route_confidence_maps_to_a_basis_and_the_users_spec_is_documented() -> None:
    assert route_basis("high", users_spec=False) is Basis.DOCUMENTED
    assert route_basis("medium", users_spec=False) is Basis.CATALOG
    assert route_basis("guess", users_spec=False) is Basis.ASSUMPTION
    assert route_basis(None, users_spec=False) is Basis.ASSUMPTION
    assert route_basis("guess", users_spec=True) is Basis.DOCUMENTED


def test_a_rule_must_say_where_it_comes_from() -> None:
    with pytest.raises(ValueError):
        Rule(Basis.DOCUMENTED, "  ")
    assert documented("Future dates are considered invalid").describe().startswith('documented: "Future')
    assert practice("RFC 6750 section 3.1").describe() == "practice: RFC 6750 section 3.1"


def test_judged_records_warn_or_fail_by_basis() -> None:
    failed_practice = CheckRecord(name="n", check="c", status=Status.FAILED, basis=Basis.PRACTICE)
    failed_documented = CheckRecord(name="n", check="d", status=Status.FAILED, basis=Basis.DOCUMENTED)
    lenient = VerdictPolicy()
    assert judged(failed_practice, lenient).status is Status.WARNED
    assert judged(failed_practice, lenient).passed
    assert judged(failed_documented, lenient).status is Status.FAILED
    assert judged(judged(failed_practice, lenient), VerdictPolicy(strict=True)).status is Status.FAILED
    counts = count_by_basis([judged(failed_practice, lenient), failed_documented])
    assert counts["practice"] == {"failed": 0, "warned": 1}
    assert counts["documented"] == {"failed": 1, "warned": 0}
