"""`mypref-harness replay` against a loopback stand-in: exact body, headers, a fresh Authorization."""

from __future__ import annotations

import http.server
import json
import os
import threading
from typing import ClassVar

import pytest

from mypref_harness import cli

KEY = "replay-test-key-0123456789abcdef"


class _Recorder(http.server.BaseHTTPRequestHandler):
    seen: ClassVar[list[dict]] = []
    status = 500

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        _Recorder.seen.append(
            {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
        )
        payload = json.dumps({"Message": "An error has occurred.", "echo": KEY}).encode()
        self.send_response(_Recorder.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_HEAD = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stand_in(monkeypatch, tmp_path):
    for name in list(os.environ):
        if name.startswith("MYPREF_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Recorder.seen = []
    base = f"http://127.0.0.1:{server.server_port}/Profiles/v4"
    for name, value in {
        "MYPREF_BASE_URL": base,
        "MYPREF_CLIENT_ID": "ACME_CORP",
        "MYPREF_USER_ID": "John.Doe",
        "MYPREF_API_KEY": KEY,
    }.items():
        monkeypatch.setenv(name, value)
    yield base
    server.shutdown()
    server.server_close()


def write_case(tmp_path, **overrides):
    case = {
        "id": "AbC123",
        "operation": "POST /{clientId}/Profile",
        "method": "POST",
        "url": "http://127.0.0.1:1/Profiles/v4/ACME_CORP/Profile",
        "path": "/ACME_CORP/Profile?x=1",
        "headers": {"Content-Type": "application/json"},
        "body": '{"CustomerName": {"FirstName": "\\u0141ukasz"}, "Key": "K1"}',
        "signed": True,
        "status": 500,
        "reason": "Internal Server Error",
        "failures": ["ST101 Server error"],
    }
    case.update(overrides)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case), encoding="utf-8")
    return path


def test_replay_sends_the_exact_body_to_the_configured_target_signed_afresh(stand_in, tmp_path, capsys):
    _Recorder.status = 500
    code = cli.main(["replay", str(write_case(tmp_path))])
    out = capsys.readouterr().out
    assert code == 0
    sent = [r for r in _Recorder.seen if r["method"] == "POST"]
    assert len(sent) == 1
    assert sent[0]["path"] == "/Profiles/v4/ACME_CORP/Profile?x=1"
    assert sent[0]["body"] == b'{"CustomerName": {"FirstName": "\\u0141ukasz"}, "Key": "K1"}'
    assert sent[0]["headers"]["Content-Type"] == "application/json"
    assert sent[0]["headers"]["Authorization"].startswith("PNAUTHINFO3-HMAC-SHA256 Credential=John.Doe/")
    assert "now:      500 Internal Server Error" in out and "REPRODUCED" in out
    assert KEY not in out  # the body echoed the key: redacted before printing


def test_a_different_status_is_not_reproduced_and_an_unsigned_case_stays_unsigned(stand_in, tmp_path, capsys):
    _Recorder.status = 500
    code = cli.main(
        [
            "replay",
            str(
                write_case(
                    tmp_path, method="GET", body=None, signed=False, status=401, path="/ACME_CORP/Programs"
                )
            ),
        ]
    )
    out = capsys.readouterr().out
    assert code == 1 and "NOT REPRODUCED" in out
    sent = [r for r in _Recorder.seen if r["path"] == "/Profiles/v4/ACME_CORP/Programs"]
    assert "Authorization" not in sent[-1]["headers"]
