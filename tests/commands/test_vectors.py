"""`mypref-harness vectors verify|check-cmd|generate` as a user runs them."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

from mypref_harness.cli import main

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "auth_vectors"


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
