"""The contract suite against the real embedded sandbox: clean runs pass, artifacts hold no secret,
bad input gives one line and the documented exit code."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from mypref_harness.cli import main
from mypref_harness.config import Target
from mypref_harness.contract.options import ContractOptions
from mypref_harness.contract.runner import run_contract
from mypref_harness.embedded import resolved_target
from mypref_harness.report import scan_for_secrets

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def sandbox():
    with resolved_target(Target()) as target:
        yield target


def assert_no_secrets(directory: Path, target: Target, extra: list[str] = ()) -> None:
    secrets = target.named_secrets()
    assert secrets, "the sandbox target should carry secrets for this test to mean anything"
    assert scan_for_secrets([directory], {**secrets, **{f"x{i}": s for i, s in enumerate(extra)}}) == []
    for path in directory.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for value in secrets.values():
                assert value.encode() not in data, f"{path} leaks a secret"


def test_targeted_clean_run_passes_with_all_parts(sandbox: Target, tmp_path: Path):
    options = ContractOptions(
        operations=["getPrograms", "getProfile"],
        phases=("examples", "coverage"),
        max_examples=2,
        seed=1,
        report_dir=tmp_path,
        scenario_updates=20,
        keep_events=True,
    )
    result = run_contract(sandbox, options)
    assert result.passed, [f"{f.check}: {f.evidence[:200]}" for f in result.failures]
    assert result.exit_code == 0 and result.cases > 0 and result.operations_tested == 2
    assert result.strict is True  # the embedded sandbox defaults to strict response validation
    tallies = {t.check for t in result.tallies}
    assert {"response_schema_conformance", "unauthorized_documented", "ignored_auth"} <= tallies
    assert {s.check for s in result.scenarios} >= {"updates_durable", "put_replaces"}
    assert result.conformance is not None and result.conformance.counts["passed"] >= 25
    names = {p.name for p in result.report_files}
    assert {"junit.xml", "summary.md", "schemathesis-run.toml", "schemathesis-events.ndjson"} <= names
    assert_no_secrets(tmp_path, sandbox)


def test_oauth_run_passes_and_leaks_no_token(sandbox: Target, tmp_path: Path):
    oauth = dataclasses.replace(sandbox, auth="oauth")
    options = ContractOptions(
        operations=["getPrograms"],
        phases=("examples", "coverage"),
        max_examples=2,
        seed=2,
        report_dir=tmp_path,
        scenarios=False,
        auth_conformance=False,
        keep_events=True,
    )
    result = run_contract(oauth, options)
    assert result.passed, [f"{f.check}: {f.evidence[:200]}" for f in result.failures]
    assert_no_secrets(tmp_path, oauth)  # the scan's patterns also catch any JWT-shaped string


def test_oauth_with_a_client_certificate(sandbox: Target, tmp_path: Path):
    from mypref_harness import demo
    from mypref_harness.sandbox.settings import default_state_dir

    state = default_state_dir()
    cert = dataclasses.replace(
        sandbox,
        auth="oauth",
        oauth_client_id=demo.ACME_CERT_OAUTH_CLIENT_ID,
        oauth_client_secret=None,
        oauth_cert_path=state / "demo-oauth-client-cert.pem",
        oauth_key_path=state / "demo-oauth-client-key.pem",
    )
    options = ContractOptions(
        operations=["getProfile"],
        phases=("examples",),
        max_examples=1,
        seed=4,
        report_dir=tmp_path,
        scenarios=False,
        auth_conformance=False,
    )
    result = run_contract(cert, options)
    assert result.passed, [f"{f.check}: {f.evidence[:200]}" for f in result.failures] + result.errors
    assert result.cases > 0


def run_cli(args: list[str], env: dict[str, str], monkeypatch, capsys) -> tuple[int, str]:
    for name in (
        "MYPREF_BASE_URL",
        "MYPREF_CLIENT_ID",
        "MYPREF_USER_ID",
        "MYPREF_API_KEY",
        "MYPREF_SPEC",
        "MYPREF_AUTH",
        "MYPREF_CONFIG",
        "MYPREF_TOKEN_URL",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code = main(args)
    return code, capsys.readouterr().err


def test_unreachable_target_exits_3_before_any_test(monkeypatch, capsys, tmp_path: Path):
    env = {
        "MYPREF_BASE_URL": "http://127.0.0.1:9/Profiles/v4",
        "MYPREF_CLIENT_ID": "ACME_CORP",
        "MYPREF_USER_ID": "John.Doe",
        "MYPREF_API_KEY": "some-key-value",
    }
    code, err = run_cli(["contract", "--report-dir", str(tmp_path)], env, monkeypatch, capsys)
    assert code == 3
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and "127.0.0.1:9" in err
    assert not (tmp_path / "schemathesis-run.toml").exists()


def test_wrong_credentials_are_a_configuration_error(sandbox: Target, monkeypatch, capsys, tmp_path: Path):
    env = {
        "MYPREF_BASE_URL": str(sandbox.base_url),
        "MYPREF_CLIENT_ID": str(sandbox.client_id),
        "MYPREF_USER_ID": str(sandbox.user_id),
        "MYPREF_API_KEY": "not-the-right-key",
    }
    code, err = run_cli(["auth-conformance", "--report-dir", str(tmp_path)], env, monkeypatch, capsys)
    assert code == 2 and "rejected our credentials" in err and "not-the-right-key" not in err
    code, err = run_cli(["contract", "--report-dir", str(tmp_path)], env, monkeypatch, capsys)
    assert code == 2 and "rejected our credentials" in err


def test_unknown_client_is_a_configuration_error(sandbox: Target, monkeypatch, capsys, tmp_path: Path):
    env = {
        "MYPREF_BASE_URL": str(sandbox.base_url),
        "MYPREF_CLIENT_ID": "NoSuchTenant",
        "MYPREF_USER_ID": "x",
        "MYPREF_API_KEY": "some-key-value",
    }
    code, err = run_cli(["contract", "--report-dir", str(tmp_path)], env, monkeypatch, capsys)
    assert code == 2 and "NoSuchTenant" in err


def test_invalid_spec_exits_2_with_one_line(monkeypatch, capsys, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("openapi: 3.0.3\ninfo: [\n")
    code, err = run_cli(
        ["contract", "--report-dir", str(tmp_path)], {"MYPREF_SPEC": str(bad)}, monkeypatch, capsys
    )
    assert code == 2 and "bad.yaml" in err and len(err.strip().splitlines()) == 1


def test_missing_variable_exits_2(monkeypatch, capsys, tmp_path: Path):
    code, err = run_cli(
        ["contract", "--report-dir", str(tmp_path)],
        {"MYPREF_BASE_URL": "http://127.0.0.1:9/Profiles/v4"},
        monkeypatch,
        capsys,
    )
    assert code == 2 and "MYPREF_" in err and "Traceback" not in err


def test_bad_options_exit_2(monkeypatch, capsys, tmp_path: Path):
    code, err = run_cli(
        ["contract", "--operations", "noSuchOperation", "--report-dir", str(tmp_path)],
        {},
        monkeypatch,
        capsys,
    )
    assert code == 2 and "noSuchOperation" in err
    code, err = run_cli(
        ["contract", "--phases", "examples,bogus", "--report-dir", str(tmp_path)], {}, monkeypatch, capsys
    )
    assert code == 2 and "bogus" in err


def test_a_local_clock_running_ahead_is_measured_warned_and_corrected(tmp_path: Path):
    # The sandbox's clock runs 30 s behind ours, i.e. ours runs 30 s ahead of the target: unless the
    # harness signs with a correcting offset, every PNAUTHINFO3 timestamp is "in the future".
    from mypref_harness.contract.auth_conformance.probe import ConformanceOptions
    from mypref_harness.contract.auth_conformance.run import run_auth_conformance

    only = ("pnauth.accepted.pnauthinfo3-hmac-sha256", "pnauth.future-timestamp", "pnauth.expired-timestamp")
    options = ConformanceOptions(
        only=only,
        probes=False,
        report_dir=tmp_path,
        sandbox_options={"extra_args": ("--clock-offset", "-30")},
    )
    result = run_auth_conformance(Target(), options)
    assert result.passed, [(c.check, c.evidence) for c in result.checks]
    assert [c.check for c in result.checks] == list(only)
    assert any("ahead" in w for w in result.warnings)
    skew = next(f for f in result.facts if f.name == "clock_skew_s")
    assert isinstance(skew.value, float) and 28 <= skew.value <= 32, skew
    assert "ahead of the target" in skew.evidence and "offset -3" in skew.evidence


def test_swagger2_spec_works_too(sandbox: Target, tmp_path: Path):
    swagger = Path(sandbox.spec).with_name("mypreferences-v4.swagger2.json")
    target = dataclasses.replace(sandbox, spec=str(swagger))
    options = ContractOptions(
        operations=["getProfile", "getPrograms"],
        phases=("examples",),
        max_examples=1,
        seed=3,
        report_dir=tmp_path,
        scenarios=False,
        auth_conformance=False,
    )
    result = run_contract(target, options)
    assert result.passed, [f"{f.check}: {f.evidence[:200]}" for f in result.failures] + result.errors
    assert result.operations_tested == 2 and result.cases > 0


def test_lenient_mode_tolerates_undeclared_fields_that_strict_mode_reports(tmp_path: Path):
    options = {
        "operations": ["getProfile"],
        "phases": ("examples",),
        "max_examples": 1,
        "seed": 1,
        "scenarios": False,
        "auth_conformance": False,
        "sandbox_options": {"defects": ("undeclared-field",)},
    }
    strict = run_contract(Target(), ContractOptions(report_dir=tmp_path / "strict", **options))
    assert strict.strict and {f.check for f in strict.findings} == {"response_schema_conformance"}
    lenient = run_contract(
        Target(), ContractOptions(report_dir=tmp_path / "lenient", strict=False, **options)
    )
    assert not lenient.strict and lenient.passed, [f.evidence for f in lenient.failures]
    assert (tmp_path / "lenient" / "spec-run-lenient.json").is_file()
