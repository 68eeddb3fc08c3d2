"""Target guard rails: typos, empty variables, --target, the production guard, the API prefix hint."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import socket
import threading

import pytest

from mypref_harness import cli, guards
from mypref_harness.config import Target, load_target
from mypref_harness.errors import ConfigError
from mypref_harness.guards import missing_api_prefix

PRODUCTION_HOST = "pm.mypreferences.com"  # mapped to loopback below: the real host is never contacted

CREDENTIALS = {
    "MYPREF_CLIENT_ID": "ACME_CORP",
    "MYPREF_USER_ID": "John.Doe",
    "MYPREF_API_KEY": "a-key-that-is-long-enough",
}


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("MYPREF_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


# ------------------------------------------------------------------------------ variable names


def test_a_misspelt_variable_is_an_error_that_names_the_right_one():
    expected = r"unknown variable MYPREF_BASEURL \(did you mean MYPREF_BASE_URL\?\)"
    with pytest.raises(ConfigError, match=expected):
        load_target(env={"MYPREF_BASEURL": "https://pmstg.mypreferences.com/Profiles/v4"})


def test_an_unknown_variable_with_no_close_name_lists_the_known_ones():
    with pytest.raises(ConfigError, match=r"unknown variable MYPREF_ZZZ .*known: .*MYPREF_BASE_URL"):
        load_target(env={"MYPREF_ZZZ": "1"})


def test_variables_the_harness_sets_for_its_own_subprocesses_are_not_typos():
    target = load_target(env={"MYPREF_LOAD_USERS": "3", "MYPREF_CONTRACT_STRICT": "1",
                              "MYPREF_ROUTE_LOG": "x", "MYPREF_SANDBOX_SPEC": "y", "OTHER": "z"})
    assert target.is_embedded


def test_an_empty_base_url_is_an_error_not_the_sandbox():
    with pytest.raises(ConfigError, match="MYPREF_BASE_URL is set but empty"):
        load_target(env={"MYPREF_BASE_URL": ""})
    with pytest.raises(ConfigError, match="MYPREF_BASE_URL is set but empty"):
        load_target(env={"MYPREF_BASE_URL": "  "})


def test_other_empty_variables_still_count_as_unset():
    assert load_target(env={"MYPREF_USER_ID": ""}).user_id is None


# ------------------------------------------------------------------------------ --target


def test_target_configured_without_a_base_url_is_an_error():
    with pytest.raises(ConfigError, match=r"target configured \(option --target\) but MYPREF_BASE_URL"):
        load_target(env={}, kind="configured")
    with pytest.raises(ConfigError, match=r"target configured \(env MYPREF_TARGET\)"):
        load_target(env={"MYPREF_TARGET": "configured"})


def test_target_sandbox_with_a_base_url_is_an_error_and_a_bad_kind_too():
    env = {"MYPREF_BASE_URL": "http://127.0.0.1:9/Profiles/v4", **CREDENTIALS}
    with pytest.raises(ConfigError, match=r"target sandbox .* but a base URL is configured"):
        load_target(env=env, kind="sandbox")
    with pytest.raises(ConfigError, match="unknown target 'prod'"):
        load_target(env={"MYPREF_TARGET": "prod"})


def test_target_configured_with_a_base_url_and_the_option_beats_the_variable():
    env = {"MYPREF_BASE_URL": "http://127.0.0.1:9/Profiles/v4", "MYPREF_TARGET": "sandbox", **CREDENTIALS}
    assert load_target(env=env, kind="configured").base_url == "http://127.0.0.1:9/Profiles/v4"
    assert load_target(env={"MYPREF_TARGET": "sandbox"}).is_embedded


def test_target_is_a_toml_key_too(tmp_path):
    toml = tmp_path / "t.toml"
    toml.write_text('target = "configured"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"target configured \(file .*t\.toml\)"):
        load_target(env={}, toml_path=toml)


def test_gate_with_a_misspelt_variable_exits_2_naming_the_variable_and_still_writes_summaries(
    clean_env, tmp_path, capsys
):
    clean_env.setenv("MYPREF_BASEURL", "x")
    code = cli.main(["gate", "--report-dir", str(tmp_path / "reports")])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.err.count("MYPREF_BASE_URL") == 1  # printed once
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text())
    assert summary["verdict"] == "error" and summary["exit_code"] == 2 and summary["stages"] == []
    assert "did you mean MYPREF_BASE_URL" in summary["error"]
    md = (tmp_path / "reports" / "summary.md").read_text()
    assert "# Release gate: ERROR" in md and "did you mean MYPREF_BASE_URL" in md


def test_gate_target_configured_without_base_url_exits_2(clean_env, tmp_path, capsys):
    code = cli.main(["gate", "--target", "configured", "--report-dir", str(tmp_path / "reports")])
    assert code == 2
    assert "MYPREF_BASE_URL is not set" in capsys.readouterr().err
    assert json.loads((tmp_path / "reports" / "summary.json").read_text())["verdict"] == "error"


def test_gate_on_an_unreachable_target_stops_before_any_stage_with_exit_3(clean_env, tmp_path, capsys):
    for name, value in {"MYPREF_BASE_URL": "http://127.0.0.1:9/Profiles/v4", **CREDENTIALS}.items():
        clean_env.setenv(name, value)
    code = cli.main(["gate", "--report-dir", str(tmp_path / "reports")])
    captured = capsys.readouterr()
    assert code == 3
    assert captured.out.splitlines()[0].startswith("gate: testing the configured target http://127.0.0.1:9/")
    assert "running" not in captured.out  # no stage started
    assert captured.err.count("refused") == 1
    summary = json.loads((tmp_path / "reports" / "summary.json").read_text())
    assert summary["exit_code"] == 3 and summary["target"]["kind"] == "configured"


# ------------------------------------------------------------------------------ production guard


class _Listener:
    """A loopback socket that counts the connections it gets (the stand-in for the production host)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]

    def accepted(self) -> int:
        count = 0
        with contextlib.suppress(TimeoutError, OSError):
            while True:
                conn, _ = self.sock.accept()
                conn.close()
                count += 1
        return count


@pytest.fixture
def production_on_loopback(clean_env):
    """pm.mypreferences.com resolves to a loopback listener (a hosts-file entry, in-process)."""
    listener = _Listener()
    real = socket.getaddrinfo

    def resolve(host, port, *args, **kwargs):
        if host == PRODUCTION_HOST:
            host = "127.0.0.1"
        return real(host, port, *args, **kwargs)

    clean_env.setattr(socket, "getaddrinfo", resolve)
    env = {"MYPREF_BASE_URL": f"http://{PRODUCTION_HOST}:{listener.port}/Profiles/v4", **CREDENTIALS}
    for name, value in env.items():
        clean_env.setenv(name, value)
    yield listener
    listener.sock.close()


def test_the_loopback_mapping_really_reaches_the_listener(production_on_loopback):
    # The control: the same seam would carry the traffic, so "0 connections" below means "not sent".
    guards.check_reachable(load_target())
    assert production_on_loopback.accepted() == 1


@pytest.mark.parametrize(
    "argv",
    [["contract"], ["auth-conformance"], ["discover", "--no-routes"], ["gate"], ["load", "--shape", "smoke"]],
    ids=lambda argv: argv[0],
)
def test_every_traffic_command_refuses_production_before_sending_anything(
    production_on_loopback, argv, tmp_path, capsys
):
    code = cli.main([*argv, "--report-dir", str(tmp_path / "reports")])
    assert code == 2
    assert "pass --allow-production" in capsys.readouterr().err
    assert production_on_loopback.accepted() == 0


# ------------------------------------------------------------------------------ API prefix


def test_missing_api_prefix_is_named():
    assert missing_api_prefix("http://127.0.0.1:8080/Profiles/v4") is None
    assert missing_api_prefix("https://pmstg.mypreferences.com/profiles/v4/") is None
    hint = missing_api_prefix("http://127.0.0.1:8080") or ""
    assert "does not end with the API prefix /Profiles/v4" in hint


class _NotFound(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.mark.parametrize(
    ("path", "message"),
    [("", "does not end with the API prefix /Profiles/v4"),
     ("/Profiles/v4", "does not know ClientId 'ACME_CORP'")],
)
def test_a_404_for_the_client_id_names_the_missing_prefix(path, message):
    from mypref_harness.preflight import preflight

    server = http.server.HTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        target = Target(base_url=f"http://127.0.0.1:{server.server_port}{path}", client_id="ACME_CORP",
                        user_id="John.Doe", api_key="a-key-that-is-long-enough")
        with pytest.raises(ConfigError, match=message):
            preflight(target)
    finally:
        server.shutdown()
        server.server_close()
