"""--request-log: one line per request, counted at the server, read back by the bench."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mypref_harness.cli import build_parser
from mypref_harness.commands.sandbox import settings_from_args
from mypref_harness.sandbox.request_log import LoggedRequest, api_requests, read_request_log
from mypref_harness.sandbox.settings import SandboxSettings

from .helpers import BASE


def test_every_request_is_one_line_with_method_path_and_status(make_client: Any, tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    client = make_client(request_log=log)
    client.get(f"{BASE}/ACME_CORP/Programs")
    client.post(f"{BASE}/ACME_CORP/Profile", json={})
    client.get("/health")
    entries = read_request_log(log)
    assert [(e.method, e.path, e.status) for e in entries] == [
        ("GET", f"{BASE}/ACME_CORP/Programs", 401),
        ("POST", f"{BASE}/ACME_CORP/Profile", 401),
        ("GET", "/health", 200),
    ]
    counted = [e.path for e in api_requests(entries)]
    assert counted == [f"{BASE}/ACME_CORP/Programs", f"{BASE}/ACME_CORP/Profile"]


def test_no_log_file_without_the_option(make_client: Any, tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    make_client().get(f"{BASE}/ACME_CORP/Programs")
    assert list(tmp_path.iterdir()) == []


def test_reader_skips_a_torn_line_and_a_missing_file_is_empty(tmp_path: Path) -> None:
    log = tmp_path / "requests.jsonl"
    whole = {"t": 10.5, "method": "GET", "path": "/Profiles/v4/X/Programs", "status": 200, "ms": 101.5}
    log.write_text(json.dumps(whole) + '\n{"t": 11.0, "meth', encoding="utf-8")
    assert read_request_log(log) == [LoggedRequest(10.5, "GET", "/Profiles/v4/X/Programs", 200, 101.5)]
    assert read_request_log(tmp_path / "missing.jsonl") == []


def test_api_requests_keeps_the_time_window() -> None:
    entries = [LoggedRequest(t, "GET", "/Profiles/v4/X/Programs", 200, 1.0) for t in (1.0, 2.0, 3.0, 4.0)]
    assert [e.t for e in api_requests(entries, start=2.0, end=3.0)] == [2.0, 3.0]


def test_the_option_reaches_the_settings_and_survives_the_trip_to_the_workers(tmp_path: Path) -> None:
    argv = ["sandbox", "--request-log", str(tmp_path / "r.jsonl")]
    args = build_parser(argv).parse_args(argv)
    settings = settings_from_args(args)
    assert settings.request_log == tmp_path / "r.jsonl"
    assert SandboxSettings.from_json(settings.to_json()).request_log == tmp_path / "r.jsonl"
