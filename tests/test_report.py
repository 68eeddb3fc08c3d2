"""report: JUnit XML validity and counts, Markdown tables, redaction, artifact secret scan."""

from __future__ import annotations

import base64
import gzip
import json
import xml.etree.ElementTree as ET
from urllib.parse import quote_plus

import pytest

from mypref_harness.errors import ConfigError
from mypref_harness.report import (
    REDACTED,
    JUnitCase,
    Leak,
    junit_xml,
    markdown_table,
    md_escape,
    redact,
    scan_for_secrets,
    write_junit,
)

API_KEY = "demo-only-acme-apihashkey-not-a-secret"
CLIENT_SECRET = "demo0acme0oauth0client0secret0not0a0real0secret00000000000000064"
JWT = (
    "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJBQ01FX0NPUlAvSm9obi5Eb2UiLCJleHAiOjE3MDAwMDAwMDB9"
    ".c2lnbmF0dXJlLWJ5dGVzLWhlcmU"
)
SIGNATURE = "Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0="


# ------------------------------------------------------------------ JUnit


def test_junit_parses_and_counts_outcomes(tmp_path):
    cases = [
        JUnitCase("passes", "auth.pnauth", 0.25),
        JUnitCase("fails", "auth.pnauth", 1.5, failure='expected 401\ngot 200 <body> & "quotes"'),
        JUnitCase("skipped", "contract", skipped="not built"),
        JUnitCase("errors", "contract", error="target unreachable"),
        JUnitCase("with output", "load", 0.1, stdout="line1\nline2"),
    ]
    path = write_junit(tmp_path / "out" / "junit.xml", "mypref <suite> & co", cases)
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("name") == "mypref <suite> & co"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors"), suite.get("skipped")) == (
        "5",
        "1",
        "1",
        "1",
    )
    assert float(suite.get("time")) == pytest.approx(1.85)
    testcases = suite.findall("testcase")
    assert [c.get("name") for c in testcases] == ["passes", "fails", "skipped", "errors", "with output"]
    failure = testcases[1].find("failure")
    assert failure.get("message") == "expected 401"
    assert failure.text == 'expected 401\ngot 200 <body> & "quotes"'
    assert testcases[2].find("skipped").get("message") == "not built"
    assert testcases[3].find("error") is not None
    assert testcases[4].find("system-out").text == "line1\nline2"
    assert testcases[0].find("failure") is None and testcases[0].find("skipped") is None


def test_junit_strips_xml_illegal_characters_and_redacts(tmp_path):
    cases = [JUnitCase("ctl\x00\x1b", "c", failure=f"bad\x07 key={API_KEY} Authorization: Bearer {JWT}")]
    path = write_junit(tmp_path / "j.xml", "s", cases, secrets=[API_KEY])
    text = path.read_text()
    root = ET.parse(path).getroot()  # would raise on an illegal character
    case = root.find("testsuite/testcase")
    assert case.get("name") == "ctl\ufffd\ufffd"
    assert API_KEY not in text and JWT not in text
    assert REDACTED in case.find("failure").text


# ------------------------------------------------------------------ Markdown


def test_markdown_table_escapes_cells_and_aligns():
    table = markdown_table(
        ["check", "result", "ms"], [["a|b", "PASS", 12], ["multi\nline", None, 3.5]], align=["l", "c", "r"]
    )
    lines = table.splitlines()
    assert lines == [
        "| check | result | ms |",
        "| --- | :---: | ---: |",
        "| a\\|b | PASS | 12 |",
        "| multi<br>line |  | 3.5 |",
    ]


def test_markdown_table_rejects_ragged_rows():
    with pytest.raises(ValueError, match="expected 2"):
        markdown_table(["a", "b"], [["only one"]])
    assert md_escape("x\r\ny") == "x<br>y"


# ------------------------------------------------------------------ redaction


def test_redact_replaces_secrets_and_their_encoded_forms():
    basic = base64.b64encode(f"client:{CLIENT_SECRET}".encode()).decode()
    text = "\n".join(
        [
            f"key {API_KEY}",
            f"form client_secret={quote_plus(CLIENT_SECRET)}&grant_type=client_credentials",
            f"b64 {base64.b64encode(API_KEY.encode()).decode()}",
            f"Authorization: Basic {basic}",
            f'json {{"k": "{API_KEY}"}}',
        ]
    )
    out = redact(text, [API_KEY, CLIENT_SECRET])
    assert API_KEY not in out and CLIENT_SECRET not in out
    assert quote_plus(CLIENT_SECRET) not in out
    assert base64.b64encode(API_KEY.encode()).decode().rstrip("=") not in out
    assert basic not in out
    assert out.count(REDACTED) >= 5
    assert "grant_type=client_credentials" in out  # the rest is kept


def test_redact_removes_signatures_bearer_tokens_and_jwts_without_knowing_them():
    text = (
        "Authorization: PNAUTHINFO3-HMAC-SHA256 Credential=RickSanchez/2015-08-10T20:11:00 "
        f"Signature={SIGNATURE}\n"
        f"Authorization: Bearer {JWT}\n"
        f'{{"access_token": "{JWT}", "expires_in": 300}}\n'
        f"opaque: Bearer abcdefghijklmnop1234\n"
    )
    out = redact(text)
    assert SIGNATURE not in out
    assert JWT not in out
    assert "abcdefghijklmnop1234" not in out
    assert "Credential=RickSanchez/2015-08-10T20:11:00" in out  # not a secret, useful evidence
    assert '"expires_in": 300' in out


def test_redact_leaves_ordinary_text_alone():
    text = (
        'GET /Profiles/v4/ACME_CORP/Programs -> 200 in 12 ms; WWW-Authenticate: Bearer error="invalid_token"'
    )
    assert redact(text, [API_KEY]) == text


def test_too_short_secret_is_a_config_error():
    with pytest.raises(ConfigError, match="too short"):
        redact("text", ["abc"])


# ------------------------------------------------------------------ scan


@pytest.fixture
def artifacts(tmp_path):
    root = tmp_path / "reports"
    (root / "contract" / "deep").mkdir(parents=True)
    (root / "load").mkdir()
    (root / "clean.md").write_text(
        "| check | PASS |\nAuthorization: Bearer [REDACTED]\nSignature=[REDACTED]\n"
    )
    (root / "contract" / "deep" / "cassette.yaml").write_text(
        "request:\n  headers:\n    X: y\n  body: grant_type=client_credentials&client_secret="
        + CLIENT_SECRET
        + "\n"
    )
    basic = base64.b64encode(f"demo0client:{CLIENT_SECRET}".encode()).decode()
    (root / "load" / "stats.html").write_bytes(b"\x00\x01binary\xff\n" * 3 + f"Basic {basic}\n".encode())
    (root / "load" / "run.json").write_text(json.dumps({"headers": {"Authorization": f"Bearer {JWT}"}}))
    (root / "key.gz").write_bytes(gzip.compress(b"nothing"))
    (root / "log.txt").write_text(f"line one\nline two\napi key was {API_KEY} oops\n")
    return root


def test_scan_finds_planted_secrets_in_nested_and_binary_files(artifacts):
    leaks = scan_for_secrets([artifacts], {"api_key": API_KEY, "oauth_client_secret": CLIENT_SECRET})
    by_file = {(leak.path.name, leak.kind, leak.line) for leak in leaks}
    assert ("log.txt", "api_key", 3) in by_file
    assert ("cassette.yaml", "oauth_client_secret", 4) in by_file
    assert ("stats.html", "oauth_client_secret (inside base64)", 4) in by_file
    assert ("run.json", "jwt", 1) in by_file
    assert not [leak for leak in leaks if leak.path.name in ("clean.md", "key.gz")]


def test_leaks_never_contain_the_secret(artifacts):
    leaks = scan_for_secrets([artifacts], [API_KEY, CLIENT_SECRET])
    assert leaks
    for leak in leaks:
        rendered = f"{leak} {leak!r} {leak.what} {leak.file}"
        assert API_KEY not in rendered and CLIENT_SECRET not in rendered
    assert {leak.kind for leak in leaks} >= {"secret #1", "secret #2"}


def test_scan_of_clean_files_reports_nothing(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "junit.xml").write_text('<testsuite name="x"><testcase name="ok"/></testsuite>')
    (tmp_path / "summary.md").write_text("All 42 checks passed. Token requests: 3. Signature=[REDACTED]\n")
    assert scan_for_secrets([tmp_path], [API_KEY, CLIENT_SECRET]) == []


def test_scan_reports_url_encoded_secret_and_accepts_single_files(tmp_path):
    secret = "p@ss word/with+chars"
    path = tmp_path / "har.json"
    path.write_text(f"client_id=x&client_secret={quote_plus(secret)}")
    leaks = scan_for_secrets([path], {"oauth_client_secret": secret}, patterns=False)
    assert leaks == [Leak(path, "oauth_client_secret (encoded)", 1)]


def test_missing_paths_are_ignored(tmp_path):
    assert scan_for_secrets([tmp_path / "nope"], [API_KEY]) == []


def test_prose_about_credentials_is_neither_redacted_nor_reported(tmp_path):
    prose = (
        "Uses Bearer authentication or Basic authentication at the token endpoint.\n"
        "Signature=Base64Encoding(MessageDigest) as documented.\n"
        '{"api_key": null, "client_secret": "[REDACTED]", "access_token": "***"}\n'
        "Authorization: Bearer <access_token>\n"
    )
    assert redact(prose) == prose
    path = tmp_path / "README.md"
    path.write_text(prose)
    assert scan_for_secrets([path], []) == []


def test_basic_header_of_an_unknown_secret_is_still_caught_by_shape(tmp_path):
    basic = base64.b64encode(b"someone:unknown-secret").decode()
    path = tmp_path / "trace.txt"
    path.write_text(f"Authorization: Basic {basic}\n")
    assert [leak.kind for leak in scan_for_secrets([path], [])] == ["basic-credentials"]
    assert basic not in redact(path.read_text())


def test_first_line_cuts_at_the_limit_and_marks_the_cut_only_when_asked():
    from mypref_harness.report import first_line

    assert first_line("  \n first\nsecond", 80) == "first"
    assert first_line(None, 10) == "" and first_line(" \n ", 10) == ""
    assert first_line("abcdefghij", 10, "…") == "abcdefghij"  # at the limit: nothing cut
    assert first_line("abcdefghijk", 10) == "abcdefghij"
    assert first_line("abcdefghijk", 10, "…") == "abcdefghi…"
    assert first_line("abcdefghijk", 10, "...") == "abcdefg..."


def test_the_suite_time_is_the_measured_run_time_when_given():
    cases = [JUnitCase("a", "c", time=1.5), JUnitCase("b", "c")]
    root = ET.fromstring(junit_xml("s", cases, elapsed_s=42.25))
    assert root.get("time") == "42.250"
    assert [c.get("time") for c in root.iter("testcase")] == ["1.500", "0.000"]
    assert ET.fromstring(junit_xml("s", cases)).get("time") == "1.500"  # no run time: the sum
