"""The options every traffic-sending command shares (commands/options.py): one declaration, one behaviour."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from mypref_harness import cli
from mypref_harness.commands.options import comma_separated

CONFIGURED = {
    "MYPREF_BASE_URL": "http://127.0.0.1:9/Profiles/v4",
    "MYPREF_CLIENT_ID": "ACME_CORP",
    "MYPREF_USER_ID": "John.Doe",
    "MYPREF_API_KEY": "a-key-long-enough",
}


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [k for k in os.environ if k.startswith("MYPREF_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def parsed(argv: list[str]):
    parser = cli.build_parser(argv)
    return parser.parse_args(argv)


@pytest.mark.parametrize(
    "command",
    [["contract"], ["auth-conformance"], ["discover"], ["load"], ["gate"], ["replay", "case.json"]],
)
def test_every_traffic_sending_command_takes_the_same_target_options(command: list[str]) -> None:
    args = parsed([*command, "--config", "team.toml", "--target", "configured", "--allow-production"])
    assert args.config == Path("team.toml")
    assert args.target == "configured"
    assert args.allow_production is True


@pytest.mark.parametrize("command", ["contract", "auth-conformance", "discover", "load"])
def test_the_sandbox_defect_option_is_repeatable_where_a_sandbox_may_be_started(command: str) -> None:
    args = parsed([command, "--sandbox-defect", "unicode-500", "--sandbox-defect", "lost-update"])
    assert args.sandbox_defect == ["unicode-500", "lost-update"]


@pytest.mark.parametrize("command", ["contract", "auth-conformance", "gate"])
def test_strict_lenient_and_neither(command: str) -> None:
    assert parsed([command, "--strict"]).strict is True
    assert parsed([command, "--lenient"]).strict is False
    assert parsed([command]).strict is None  # the run decides by target
    with pytest.raises(SystemExit):
        parsed([command, "--strict", "--lenient"])


def test_comma_separated_values_drop_blanks() -> None:
    assert comma_separated(" a, b,,c ,") == ["a", "b", "c"]


@pytest.mark.parametrize("command", ["contract", "auth-conformance", "discover"])
def test_a_sandbox_defect_on_a_configured_target_is_a_usage_error(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    for name, value in CONFIGURED.items():
        monkeypatch.setenv(name, value)
    assert cli.main([command, "--sandbox-defect", "unicode-500"]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"mypref-harness {command}: --sandbox-defect only applies to the embedded sandbox "
        "(MYPREF_BASE_URL is set)\n"
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--max-examples", "0"], "--max-examples must be at least 1"),
        (["--policy", "missing.toml"], "cannot read policy file missing.toml"),
    ],
)
def test_gate_usage_errors_are_one_line_and_exit_2_before_anything_runs(
    workdir: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert cli.main(["gate", *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"mypref-harness gate: {message}") and err.count("\n") == 1
    assert not (workdir / "reports").exists()



def test_contract_passes_allow_missing_roles_to_the_run(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mypref_harness.contract import runner

    seen = []

    def fake_run_contract(target, options):
        seen.append(options.allow_missing_roles)
        raise SystemExit(0)

    monkeypatch.setattr(runner, "run_contract", fake_run_contract)
    for argv in (["contract"], ["contract", "--allow-missing-roles"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
    assert seen == [False, True]


def _budget_args(*argv: str):
    import argparse

    from mypref_harness.commands.options import add_budget_options

    parser = argparse.ArgumentParser()
    add_budget_options(parser, rate_help="r")
    return parser.parse_args(list(argv))


def test_the_budget_options_give_the_rate_requests_and_seconds():
    from mypref_harness.commands.options import budget_from_args

    assert budget_from_args(_budget_args()) == (None, None, None)
    given = _budget_args("--rate-limit", "10/s", "--budget-requests", "3000", "--budget-time", "4m")
    assert budget_from_args(given) == ("10/s", 3000, 240.0)
    assert budget_from_args(_budget_args("--budget-time", "0", "--budget-requests", "0")) == (None, 0, 0.0)
    assert budget_from_args(_budget_args("--rate-limit", "auto"))[0] == "auto"


@pytest.mark.parametrize(
    "argv", [("--rate-limit", "fast"), ("--budget-requests", "-1"), ("--budget-time", "soon")]
)
def test_a_bad_budget_option_is_a_usage_error(argv):
    from mypref_harness.commands.options import budget_from_args
    from mypref_harness.errors import ConfigError

    with pytest.raises(ConfigError):
        budget_from_args(_budget_args(*argv))


def test_gate_passes_allow_missing_roles_to_its_options(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mypref_harness.commands import gate as gate_command
    from mypref_harness.errors import ConfigError
    from mypref_harness.gate import reports

    seen = []

    def no_target(args):
        raise ConfigError("stop before any stage")

    def capture(exc, target, options):
        seen.append(options.allow_missing_roles)
        raise SystemExit(2)

    monkeypatch.setattr(gate_command, "target_from_args", no_target)
    monkeypatch.setattr(reports, "write_error_reports", capture)
    for argv in (["gate"], ["gate", "--allow-missing-roles"]):
        with pytest.raises(SystemExit):
            cli.main(argv)
    assert seen == [False, True]


def test_contract_gets_its_budget_with_the_time_turned_into_requests_at_the_rate(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mypref_harness.contract import runner

    seen = []

    def fake_run_contract(target, options):
        seen.append((options.rate_limit, options.budget_requests, options.budget_time_s))
        raise SystemExit(0)

    monkeypatch.setattr(runner, "run_contract", fake_run_contract)
    runs = (
        ["contract"],
        ["contract", "--budget-requests", "300"],
        ["contract", "--budget-requests", "300", "--budget-time", "60s", "--rate-limit", "2/s"],
    )
    for argv in runs:
        with pytest.raises(SystemExit):
            cli.main(argv)
    assert seen[0] == (None, None, None)
    assert seen[1] == (None, 300, None)
    rate, requests, seconds = seen[2]
    assert rate == "2/s" and 59.0 < seconds <= 60.0
    assert requests == int(2 * seconds)  # what fits in the time left at 2/s (~120), not the 300 asked


def test_the_gate_console_says_where_the_requests_went_and_what_was_left_out():
    from mypref_harness.budget import Budget
    from mypref_harness.commands.gate import budget_lines

    assert budget_lines(None) == []
    budget = Budget(requests=5000, rate=20.0)
    budget.stage("contract").record(requests=4100)
    budget.stage("contract").left_out.append("fuzzing: 12 of 110 operation(s) not fuzzed")
    budget.stage("auth").record(requests=89)
    lines = budget_lines(budget)
    assert lines[0].startswith("budget 5000 requests, 20/s: spent 4189 requests in ")
    assert lines[0].endswith("(contract 4100, auth 89)")
    assert lines[1:] == [
        "left out because of the budget: Contract (Schemathesis): fuzzing: 12 of 110 operation(s) not fuzzed"
    ]
