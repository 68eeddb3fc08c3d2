"""mypref_harness.spec: loading from paths/URLs, both spec versions, one-line errors, stats, examples."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from mypref_harness import resources
from mypref_harness.errors import ConfigError, ExitCode
from mypref_harness.spec import (
    Operation,
    example_problems,
    load_spec,
    spec_stats,
)
from mypref_harness.spec.document import local_copy

SMALL_30 = """
openapi: 3.0.3
info: {title: Small, version: "1"}
servers: [{url: "http://127.0.0.1:8080/Profiles/v4"}]
paths:
  /{clientId}/Things:
    parameters:
      - {name: clientId, in: path, required: true, schema: {type: string}}
    get:
      operationId: getThings
      tags: [Data]
      x-route-confidence: high
      responses: {"200": {description: ok}}
    post:
      operationId: createThing
      tags: [Data]
      x-route-confidence: guess
      responses: {"201": {description: created}}
  /{clientId}/Other:
    parameters:
      - {name: clientId, in: path, required: true, schema: {type: string}}
    delete:
      operationId: deleteOther
      responses: {"204": {description: gone}}
"""


@pytest.fixture(scope="module")
def v4():
    return load_spec(resources.spec_file())


@pytest.fixture(scope="module")
def v2():
    return load_spec(resources.swagger2_spec_file())


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_small_spec_operations_and_stats(tmp_path):
    spec = load_spec(write(tmp_path, "small.yaml", SMALL_30))
    assert spec.version == "3.0.3" and not spec.is_swagger2
    assert spec.base_path == "/Profiles/v4"
    assert sorted(spec.operations, key=lambda o: o.operation_id or "") == [
        Operation("POST", "/{clientId}/Things", "createThing", ("Data",), "guess"),
        Operation("DELETE", "/{clientId}/Other", "deleteOther", (), "unknown"),
        Operation("GET", "/{clientId}/Things", "getThings", ("Data",), "high"),
    ]
    stats = spec_stats(spec)
    assert stats["operations"] == 3
    assert stats["by_area"] == {"Data": 2, "(untagged)": 1}
    assert stats["by_confidence"] == {"high": 1, "guess": 1, "unknown": 1}
    assert stats["by_method"] == {"GET": 1, "POST": 1, "DELETE": 1}
    assert spec.operation("createThing").label == "POST /{clientId}/Things"
    with pytest.raises(KeyError):
        spec.operation("nope")


def test_default_spec_path_is_the_repository_spec_from_any_cwd(tmp_path):
    repository_spec = Path(__file__).resolve().parents[2] / "contracts/openapi/mypreferences-v4.yaml"
    assert repository_spec == resources.spec_file()
    code = (
        "from mypref_harness.spec import load_spec; s = load_spec(validate=False); print(len(s.operations))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert out.stdout.strip() == "110"


def test_v4_spec_stats(v4):
    stats = spec_stats(v4)
    assert stats["version"] == "3.0.3"
    assert stats["operations"] == 110
    assert stats["by_confidence"] == {"high": 7, "medium": 22, "guess": 81}
    assert stats["by_area"] == {
        "Experience/Configuration": 54,
        "Data": 31,
        "Integration: Bulk": 10,
        "Data History": 8,
        "Events": 4,
        "Webhooks": 3,
    }
    assert sum(stats["by_method"].values()) == 110
    assert stats["by_method"]["DELETE"] == 2  # delete profile, delete tags


def test_swagger2_rendition_has_the_same_operations(v4, v2):
    assert v2.version == "2.0" and v2.is_swagger2
    assert v2.base_path == "/Profiles/v4"
    assert {(o.method, o.path, o.operation_id, o.confidence) for o in v2.operations} == {
        (o.method, o.path, o.operation_id, o.confidence) for o in v4.operations
    }


def test_oauth_spec_loads():
    oauth = load_spec(resources.oauth_spec_file())
    assert {o.operation_id for o in oauth.operations} == {"requestAccessToken", "getSigningKeys"}


def test_every_example_of_the_v4_spec_validates(v4):
    assert [str(p) for p in example_problems(v4)] == []


def test_example_checker_reports_bad_examples(tmp_path):
    spec = load_spec(resources.spec_file(), validate=False)
    examples = spec.document["components"]["examples"]
    examples["Profile"]["value"]["Undeclared"] = 1  # response: closed object
    examples["ProfileInputExample"]["value"]["Emails"][0]["IsActive"] = True  # request: readOnly member
    examples["ImportStatus"]["value"]["Status"] = "Complete"  # the export spelling, not the import one
    problems = [str(p) for p in example_problems(spec)]
    assert any("Undeclared" in p and "GET /{clientId}/Profile/{profileId} 200" in p for p in problems)
    assert any("read-only" in p and "POST /{clientId}/Profile/{profileId} request" in p for p in problems)
    assert any("'Complete' is not one of" in p for p in problems)


@pytest.mark.parametrize(
    ("name", "text", "reason"),
    [
        ("empty.yaml", "", "is empty"),
        ("bad.yaml", "a: [\n", "is not valid YAML or JSON: line 2"),
        ("bad.json", '{"openapi": ', "is not valid JSON: line 1"),
        ("list.yaml", "- 1\n- 2\n", "top level is not a mapping but a list: [1, 2]"),
        ("other.yaml", "name: x\n", "no 'openapi' or 'swagger' key; top-level keys: name"),
        ("page.html", "<html><body>Sign in</body></html>\n", "but a string: '<html><body>Sign in"),
        (
            "schema.json",
            '{"$schema": "x", "type": "object", "properties": {}}',
            "top-level keys: $schema, type, properties",
        ),
        ("old.yaml", "swagger: '1.2'\n", "unsupported Swagger version '1.2'"),
        ("new.yaml", "openapi: 4.0.0\n", "unsupported OpenAPI version '4.0.0'"),
        (
            "invalid.yaml",
            "openapi: 3.0.3\ninfo: {title: x}\npaths: {}\n",
            "is invalid: 'version' is a required",
        ),
    ],
)
def test_bad_specs_raise_one_line_config_errors(tmp_path, name, text, reason):
    path = write(tmp_path, name, text)
    with pytest.raises(ConfigError) as info:
        load_spec(path)
    message = str(info.value)
    assert reason.replace("'", '"') in message.replace("'", '"')
    assert "\n" not in message
    assert info.value.exit_code == ExitCode.USAGE


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(ConfigError, match=r"spec not found: .*nope\.yaml"):
        load_spec(tmp_path / "nope.yaml")
    with pytest.raises(ConfigError, match="is a directory"):
        load_spec(tmp_path)
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not a text file"):
        load_spec(binary)


def test_file_url(tmp_path):
    path = write(tmp_path, "small.yaml", SMALL_30)
    assert len(load_spec(path.as_uri()).operations) == 3


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, bytes]] = {}

    def do_GET(self):
        body = self.routes.get(self.path)
        self.send_response(200 if body is not None else 404)
        self.send_header("Content-Length", str(len(body or b"")))
        self.end_headers()
        self.wfile.write(body or b"")

    def log_message(self, *args):  # keep pytest output clean
        pass


@pytest.fixture
def http_server() -> Iterator[str]:
    _Handler.routes = {
        "/swagger.json": resources.swagger2_spec_file().read_bytes(),
        "/small.yaml": SMALL_30.encode(),
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_load_from_loopback_urls(http_server):
    swagger = load_spec(f"{http_server}/swagger.json", validate=False)  # validity: test_committed_v4_spec
    assert swagger.version == "2.0" and len(swagger.operations) == 110
    assert load_spec(f"{http_server}/small.yaml").source == f"{http_server}/small.yaml"
    with pytest.raises(ConfigError, match="HTTP 404"):
        load_spec(f"{http_server}/missing.yaml")


def test_a_url_spec_is_saved_once_in_the_report_folder(http_server, tmp_path):
    saved = local_copy(f"{http_server}/small.yaml", tmp_path / "reports")
    assert saved == str((tmp_path / "reports" / "spec-source.yaml").resolve())
    assert Path(saved).read_text(encoding="utf-8") == SMALL_30
    json_saved = local_copy(f"{http_server}/swagger.json", tmp_path / "reports")
    assert Path(json_saved).name == "spec-source.json"
    assert load_spec(json_saved, validate=False).version == "2.0"


def test_a_local_spec_is_not_copied(tmp_path):
    assert local_copy("contracts/x.yaml", tmp_path) == "contracts/x.yaml"
    assert not any(tmp_path.iterdir())


def test_a_url_that_serves_no_spec_is_a_config_error_naming_what_it_found(http_server, tmp_path):
    _Handler.routes["/login"] = b"<html>Sign in</html>"
    with pytest.raises(ConfigError, match=r"/login is not an OpenAPI/Swagger document .*a string: '<html>"):
        local_copy(f"{http_server}/login", tmp_path)
    assert not any(tmp_path.iterdir())


def test_unreachable_url_is_a_config_error():
    with pytest.raises(ConfigError, match=r"cannot fetch spec http://127\.0\.0\.1:9/"):
        load_spec("http://127.0.0.1:9/spec.yaml")


def test_raw_operation_gives_the_document_object(v4):
    op = v4.operation("getProfile")
    raw = v4.raw_operation(op)
    assert raw["operationId"] == "getProfile"
    assert json.dumps(raw)  # plain data, serialisable
