"""`mypref-harness sign` as a user runs it: the documented header, key sources, curl, one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pytest

from mypref_harness.cli import main

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


def test_sign_reads_the_key_file_named_in_the_environment(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("MYPREF_API_KEY", raising=False)
    (tmp_path / "key").write_text(KEY, encoding="utf-8")
    monkeypatch.setenv("MYPREF_API_KEY_FILE", str(tmp_path / "key"))
    assert main([*SIGN, "--timestamp", "2015-08-10T20:11:00"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == DOC_HEADER


@pytest.mark.parametrize(
    ("content", "needle"),
    [(b"\n", "is empty"), (b"\xff\xfe key", "is not UTF-8 text")],
)
def test_an_unusable_key_file_is_one_line_naming_the_option(tmp_path, monkeypatch, capsys, content, needle):
    monkeypatch.delenv("MYPREF_API_KEY", raising=False)
    key_file = tmp_path / "key"
    key_file.write_bytes(content)
    assert main([*SIGN, "--key-file", str(key_file)]) == 2
    assert capsys.readouterr().err == f"mypref-harness sign: --key-file {key_file} {needle}\n"
