"""`mypref-harness sign` and `mypref-harness vectors ...` as a user runs them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mypref_harness.cli import main

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "auth_vectors"
KEY = "SeemslikearareopportunityMorty!"
DOC_HEADER = (
    "PNAUTHINFO3-HMAC-SHA256 Credential=RickSanchez/2015-08-10T20:11:00 "
    "Signature=Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0="
)
SIGN = ["sign", "--client-id", "SanchezAssociates", "--user-id", "RickSanchez"]


@pytest.fixture
def keyed_env(monkeypatch):
    monkeypatch.setenv("MYPREF_API_KEY", KEY)


def test_sign_prints_the_documented_header_as_last_line(keyed_env, capsys):
    assert main([*SIGN, "--timestamp", "2015-08-10T20:11:00"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == DOC_HEADER


def test_sign_key_file_and_options(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MYPREF_API_KEY", raising=False)
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n", encoding="utf-8")
    args = [
        "sign",
        "--client-id",
        "ACME_CORP",
        "--user-id",
        "Rick Sanchez",
        "--key-file",
        str(key_file),
        "--timestamp",
        "2026-11-28T12:00:00Z",
        "--encoding",
        "percent",
        "--scheme",
        "pnauthinfo3-sha512",
    ]
    assert main(args) == 0
    out = capsys.readouterr().out.splitlines()[-1]
    assert out.startswith("PNAUTHINFO3-SHA512 Credential=Rick%20Sanchez/2026-11-28T12:00:00Z Signature=")


def test_sign_default_timestamp_is_now_in_utc(keyed_env, capsys):
    from datetime import UTC, datetime

    before = datetime.now(UTC).replace(microsecond=0)
    assert main(SIGN) == 0
    header = capsys.readouterr().out.splitlines()[-1]
    stamp = header.split("/", 1)[1].split(" ", 1)[0]
    assert stamp.endswith("Z") and len(stamp) == 20
    issued = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert 0 <= (issued - before).total_seconds() <= 5


def test_sign_curl(keyed_env, capsys):
    url = "http://127.0.0.1:8000/Profiles/v4/SanchezAssociates/Programs"
    assert main([*SIGN, "--timestamp", "2015-08-10T20:11:00", "--curl", url]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[-1] == DOC_HEADER
    assert lines[0] == f"curl -sS -H 'Authorization: {DOC_HEADER}' -H 'Accept: application/json' {url}"
    assert captured.err == ""


def test_sign_curl_warns_on_client_id_case_mismatch(keyed_env, capsys):
    assert main([*SIGN, "--curl", "http://127.0.0.1:8000/Profiles/v4/SANCHEZASSOCIATES/Programs"]) == 0
    assert "case-sensitive" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "env_key", "needle"),
    [
        ([], None, "no PNAUTHINFO3 key: set MYPREF_API_KEY (or MYPREF_API_KEY_FILE) or pass --key-file"),
        (["--scheme", "PNAUTHINFO3-HMAC-SHA1"], KEY, "unknown scheme 'PNAUTHINFO3-HMAC-SHA1'"),
        (["--timestamp", "2015-08-10 20:11"], KEY, "malformed --timestamp"),
        (["--key-file", "/nonexistent/key"], None, "cannot read --key-file /nonexistent/key"),
    ],
)
def test_sign_errors_are_one_line_with_exit_2(monkeypatch, capsys, extra, env_key, needle):
    if env_key is None:
        monkeypatch.delenv("MYPREF_API_KEY", raising=False)
        monkeypatch.delenv("MYPREF_API_KEY_FILE", raising=False)
    else:
        monkeypatch.setenv("MYPREF_API_KEY", env_key)
    assert main([*SIGN, *extra]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert len(captured.err.strip().splitlines()) == 1 and needle in captured.err


def test_sign_no_check_timestamp_signs_verbatim(keyed_env, capsys):
    assert main([*SIGN, "--timestamp", "yesterday", "--no-check-timestamp"]) == 0
    assert "Credential=RickSanchez/yesterday " in capsys.readouterr().out


def test_sign_missing_key_has_no_traceback_in_a_real_process(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "mypref_harness", *SIGN],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == "mypref-harness sign: no PNAUTHINFO3 key: set MYPREF_API_KEY (or MYPREF_API_KEY_FILE) "
        "or pass --key-file"
    )


def test_vectors_verify_ok_and_mismatch(tmp_path, capsys):
    assert main(["vectors", "verify", str(CORPUS)]) == 0
    assert "0 failed (OK)" in capsys.readouterr().out
    doc = json.loads((CORPUS / "pnauthinfo3_schemes.json").read_text(encoding="utf-8"))
    doc["testGroups"][0]["tests"][0]["expected"]["signature"] = "AAAA"
    (tmp_path / "broken.json").write_text(json.dumps(doc), encoding="utf-8")
    assert main(["vectors", "verify", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "| broken.json | 1 | valid | MISMATCH | signature | AAAA |" in out


def test_vectors_verify_unreadable_file_is_one_line(tmp_path, capsys):
    (tmp_path / "bad.json").write_text(
        '{"format": "mypref-pnauth-vectors/1", "source": "x", "testGroups": '
        '[{"server": {}, "tests": [{"tcId": 7}]}]}',
        encoding="utf-8",
    )
    assert main(["vectors", "verify", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "bad.json: tcId 7:" in err


def test_vectors_check_cmd_cli(capsys, tmp_path):
    shutil.copy(CORPUS / "pnauthinfo3_documented.json", tmp_path)
    good = [sys.executable, str(CORPUS / "examples" / "signer.py")]
    assert main(["vectors", "check-cmd", "--dir", str(tmp_path), "--", *good]) == 0
    bad = [sys.executable, str(CORPUS / "examples" / "wrong_signer.py"), "--bug", "swap"]
    assert main(["vectors", "check-cmd", "--dir", str(tmp_path), "--", *bad]) == 1
    out = capsys.readouterr().out
    assert "| MISMATCH | signature |" in out and "HMAC key and message swapped" in out
    assert main(["vectors", "check-cmd", "--dir", str(tmp_path)]) == 2


def test_vectors_generate_adds_a_case_computed_independently(tmp_path, capsys):
    shutil.copy(CORPUS / "make_vectors.py", tmp_path)
    case = json.dumps(
        {"userId": "Morty Smith@home", "timestamp": "2026-11-28T12:00:00Z", "encoding": "percent"}
    )
    assert main(["vectors", "generate", str(tmp_path), "--add", "custom.json", "--case", case]) == 0
    doc = json.loads((tmp_path / "custom.json").read_text(encoding="utf-8"))
    test = doc["testGroups"][0]["tests"][0]
    assert test["expected"]["encodedUserId"] == "Morty%20Smith%40home"
    assert main(["vectors", "verify", str(tmp_path / "custom.json")]) == 0
    assert main(["vectors", "generate", str(tmp_path / "nowhere")]) == 2


def test_sign_reads_the_key_file_named_in_the_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MYPREF_API_KEY", raising=False)
    (tmp_path / "key").write_text(KEY, encoding="utf-8")
    monkeypatch.setenv("MYPREF_API_KEY_FILE", str(tmp_path / "key"))
    assert main([*SIGN, "--timestamp", "2015-08-10T20:11:00"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == DOC_HEADER
