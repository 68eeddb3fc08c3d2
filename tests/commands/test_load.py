import socket

import pytest

from mypref_harness.cli import main
from mypref_harness.load.result import LoadResult
from mypref_harness.load.slo import SloResult


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    for name in list(__import__("os").environ):
        if name.startswith("MYPREF_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no mypref.toml from the checkout


def configured(monkeypatch, base_url, **extra):
    monkeypatch.setenv("MYPREF_BASE_URL", base_url)
    monkeypatch.setenv("MYPREF_CLIENT_ID", "ACME_CORP")
    monkeypatch.setenv("MYPREF_USER_ID", "John.Doe")
    monkeypatch.setenv("MYPREF_API_KEY", extra.pop("key", "wrong-key-for-tests"))
    for k, v in extra.items():
        monkeypatch.setenv(k, v)


def one_line_error(capsys):
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err
    return err


@pytest.mark.parametrize(
    ("argv", "text"),
    [
        (["load", "--shape", "burst"], "unknown load shape 'burst'"),
        (["load", "--slo", "missing.toml"], "cannot read SLO file missing.toml"),
        (["load", "-t", "soon"], "invalid duration 'soon'"),
        (["load", "--think-time", "5:1"], "invalid think time"),
        (["load", "--master", "--distributed-local", "2"], "exclude each other"),
        (["load", "--verify-writes", "maybe"], "invalid --verify-writes"),
        (["load", "--scenario", "nope.toml"], "cannot read scenario file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, text):
    assert main(argv) == 2
    assert text in one_line_error(capsys)


def test_bad_slo_content_is_exit_2(tmp_path, capsys):
    (tmp_path / "slo.toml").write_text("[run]\nmin_rps = 'lots'\n")
    assert main(["load", "--slo", "slo.toml"]) == 2
    assert "min_rps must be a number" in one_line_error(capsys)


def test_unreachable_target_is_exit_3(monkeypatch, capsys):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    configured(monkeypatch, f"http://127.0.0.1:{port}/Profiles/v4")
    assert main(["load", "-t", "5s"]) == 3
    assert "refused" in one_line_error(capsys)


def test_production_needs_allow_production(monkeypatch, capsys):
    configured(monkeypatch, "https://pm.mypreferences.com/Profiles/v4")
    assert main(["load"]) == 2
    assert "--allow-production" in one_line_error(capsys)


def test_breaches_are_printed_as_a_table_and_exit_1(monkeypatch, capsys):
    breach = SloResult("latency.lookup.p95_ms", "<=", 400, 950.0, False, detail="120 requests")
    ok = SloResult("run.max_failure_ratio", "<=", 0.01, 0.0, True)
    fake = LoadResult(
        passed=False,
        exit_code=1,
        requests=120,
        failures=0,
        rps=8.0,
        p95_ms=950.0,
        slo_results=[ok, breach],
        message="1 SLO breach(es)",
    )
    seen = {}

    def fake_run_load(target, options):
        seen["options"] = options
        return fake

    monkeypatch.setattr("mypref_harness.load.run_load", fake_run_load)
    assert main(["load", "--shape", "ramp", "-u", "9", "--processes", "2"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("load: testing the embedded sandbox\nload FAILED: 120 requests")
    assert "SLO breaches:" in out and "latency.lookup.p95_ms" in out and "950" in out
    assert "run.max_failure_ratio" not in out  # only what broke
    assert (seen["options"].shape, seen["options"].users, seen["options"].processes) == ("ramp", 9, 2)


def test_left_out_scenarios_are_one_line_and_allow_missing_roles_reaches_the_run(monkeypatch, capsys):
    line = "left out of the mix (roles the spec lacks): no operation plays add-consents -> x.change_consents"
    fake = LoadResult(passed=True, exit_code=0, requests=10, left_out=line, message="passed")
    seen = {}

    def fake_run_load(target, options):
        seen["allow"] = options.allow_missing_roles
        return fake

    monkeypatch.setattr("mypref_harness.load.run_load", fake_run_load)
    assert main(["load", "--allow-missing-roles"]) == 0
    assert seen["allow"] is True
    assert f"\nscenarios {line}\n" in capsys.readouterr().out
    assert main(["load"]) == 0 and seen["allow"] is False
