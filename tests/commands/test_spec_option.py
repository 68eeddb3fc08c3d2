"""--spec PATH|URL on every command that tests a target: the same setting as MYPREF_SPEC, checked before
anything runs, a URL fetched once into the report folder."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from mypref_harness import cli, resources
from mypref_harness.commands.options import target_from_args
from mypref_harness.errors import ConfigError

SWAGGER = resources.swagger2_spec_file().read_bytes()
SWASHBUCKLE = Path(__file__).resolve().parents[1] / "fixtures" / "specs" / "swashbuckle-v4.json"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in [k for k in os.environ if k.startswith("MYPREF_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, bytes]] = {}
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = self.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def spec_server() -> Iterator[str]:
    _Handler.routes = {"/swagger/v4/swagger.json": SWAGGER, "/login": b"<html>Sign in</html>"}
    _Handler.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def parsed(argv: list[str]):
    return cli.build_parser(argv).parse_args(argv)


@pytest.mark.parametrize("command", ["contract", "gate", "load", "auth-conformance", "discover"])
def test_every_command_that_tests_a_target_takes_spec(command: str, workdir: Path) -> None:
    swagger = workdir / "vendor.json"
    swagger.write_bytes(SWAGGER)
    target = target_from_args(parsed([command, "--spec", "vendor.json"]))
    assert target.spec == str(swagger)
    assert target.sources["spec"] == "option --spec"


def test_the_option_beats_mypref_spec(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workdir / "env.json").write_bytes(SWAGGER)
    (workdir / "option.json").write_bytes(SWAGGER)
    monkeypatch.setenv("MYPREF_SPEC", str(workdir / "env.json"))
    assert target_from_args(parsed(["contract", "--spec", "option.json"])).spec == str(
        workdir / "option.json"
    )
    assert target_from_args(parsed(["contract"])).spec == str(workdir / "env.json")


def test_a_url_spec_is_fetched_once_into_the_report_folder(workdir: Path, spec_server: str) -> None:
    url = f"{spec_server}/swagger/v4/swagger.json"
    target = target_from_args(parsed(["gate", "--spec", url, "--report-dir", "out"]))
    saved = workdir / "out" / "spec-source.json"
    assert target.spec == str(saved)
    assert saved.read_bytes() == SWAGGER
    assert _Handler.hits == ["/swagger/v4/swagger.json"]
    assert url in target.sources["spec"]


def test_a_url_that_serves_no_spec_is_exit_2_naming_what_it_found(
    workdir: Path, spec_server: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["load", "--spec", f"{spec_server}/login"]) == 2
    err = capsys.readouterr().err
    assert "is not an OpenAPI/Swagger document" in err and "<html>Sign in" in err


def test_a_file_that_is_no_spec_is_refused_before_anything_runs(workdir: Path) -> None:
    (workdir / "schema.json").write_text('{"$schema": "x", "type": "object"}')
    with pytest.raises(
        ConfigError, match=r"schema\.json is not an OpenAPI/Swagger document .*\$schema, type"
    ):
        target_from_args(parsed(["auth-conformance", "--spec", "schema.json"]))


def test_a_spec_the_base_url_cannot_be_reconciled_with_is_exit_2_before_anything_is_sent(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Port 9 is closed: reaching for it would be exit 3; the reconciliation refuses first."""
    configured = {
        "MYPREF_BASE_URL": "http://127.0.0.1:9/Profiles/v4",
        "MYPREF_CLIENT_ID": "ACME_CORP",
        "MYPREF_USER_ID": "John.Doe",
        "MYPREF_API_KEY": "a-key-long-enough",
    }
    for name, value in configured.items():
        monkeypatch.setenv(name, value)
    document = json.loads(SWAGGER)
    document["basePath"] = "/api/v2"
    (workdir / "other.json").write_text(json.dumps(document))
    assert cli.main(["contract", "--spec", "other.json", "--no-auth-conformance"]) == 2
    err = capsys.readouterr().err
    assert "cannot reconcile the base URL with the spec" in err
    assert "base URL http://127.0.0.1:9/Profiles/v4" in err and "spec base path /api/v2" in err
    assert "first path /" in err


@pytest.mark.parametrize("spec", [None, "swashbuckle"])
def test_a_configured_host_only_base_url_takes_the_prefix_from_the_spec(
    spec: str | None, workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Our spec (servers .../Profiles/v4) and the Swashbuckle fixture (basePath /Profiles/v4) alike."""
    for name, value in {
        "MYPREF_BASE_URL": "http://127.0.0.1:9",
        "MYPREF_CLIENT_ID": "ACME_CORP",
        "MYPREF_USER_ID": "John.Doe",
        "MYPREF_API_KEY": "a-key-long-enough",
    }.items():
        monkeypatch.setenv(name, value)
    argv = ["auth-conformance"] + (["--spec", str(SWASHBUCKLE)] if spec else [])
    target = target_from_args(parsed(argv))
    assert target.url_for("/ACME_CORP/Programs") == "http://127.0.0.1:9/Profiles/v4/ACME_CORP/Programs"
    assert target.spec_base_url == "http://127.0.0.1:9/Profiles/v4"
