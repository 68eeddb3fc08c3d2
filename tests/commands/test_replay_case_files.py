"""Case files from Schemathesis's JUnit text, the replay command, and the sanitiser configuration."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest

from mypref_harness.commands.replay import body_lines, load_case, replay_url
from mypref_harness.contract.cases import (
    ReplayCase,
    cases_from_junit,
    cases_in_failure_text,
    parse_curl,
    path_below,
    replay_command,
    with_replays,
    write_cases,
)
from mypref_harness.contract.results import CheckRecord, Status
from mypref_harness.errors import ConfigError

BASE = "http://127.0.0.1:4242/Profiles/v4"

# The shape of one <failure> text of Schemathesis 4.32's JUnit report (copied from a run, shortened).
FAILURE_TEXT = """1. Test Case ID: 9CTPAD

- ST101 Server error

- ST103 Undocumented status code

    Received: 500
    Documented: 200, 201, 400

[500] Internal Server Error:

    `{"Message":"An error has occurred."}`

Reproduce with:

    curl -X POST -H 'Authorization: [Filtered]' -H 'Content-Type: application/json' \
-d '{"CustomerName": {"FirstName": "J\\u00e9", "LastName": "O'"'"'Neil"}, "Key": "K1"}' \
http://127.0.0.1:4242/Profiles/v4/ACME_CORP/Profile

2. Test Case ID: G1ZRQE

- ST108 Response violates schema

    Additional properties are not allowed ('InternalScore' was unexpected)

[200] OK:

    `{"ProfileId": 1301, "InternalScore": 7}`

Reproduce with:

    curl -X GET -H 'Authorization: [Filtered]' 'http://127.0.0.1:4242/Profiles/v4/ACME_CORP/Profile/1301?implied=true&x=1'
"""


def test_parse_curl_keeps_the_exact_body_and_drops_only_authorization():
    command = (
        "curl -X POST -H 'Authorization: [Filtered]' -H 'Content-Type: application/json' "
        """-d '{"Name": "O'"'"'Neil", "Key": "K1"}' http://h:1/Profiles/v4/C/Profile"""
    )
    method, url, headers, body, signed = parse_curl(command)
    assert (method, url, signed) == ("POST", "http://h:1/Profiles/v4/C/Profile", True)
    assert headers == {"Content-Type": "application/json"}
    assert body == '{"Name": "O\'Neil", "Key": "K1"}'


def test_parse_curl_of_an_unsigned_get():
    method, url, headers, body, signed = parse_curl("curl -X GET 'http://h:1/a?b=1&c=2'")
    assert (method, url, headers, body, signed) == ("GET", "http://h:1/a?b=1&c=2", {}, None, False)


def test_parse_curl_rejects_what_is_not_curl():
    with pytest.raises(ValueError):
        parse_curl("wget http://h/")


def test_each_test_case_section_becomes_one_case_with_its_status_and_failures():
    cases = list(cases_in_failure_text("Stateful tests", FAILURE_TEXT, BASE))
    assert [c.id for c in cases] == ["9CTPAD", "G1ZRQE"]
    first, second = cases
    assert (first.method, first.path, first.status, first.reason) == (
        "POST",
        "/ACME_CORP/Profile",
        500,
        "Internal Server Error",
    )
    assert first.failures == ["ST101 Server error", "ST103 Undocumented status code"]
    assert json.loads(first.body or "") == {
        "CustomerName": {"FirstName": "Jé", "LastName": "O'Neil"},
        "Key": "K1",
    }
    assert first.response_excerpt == '{"Message":"An error has occurred."}'
    assert (second.method, second.path, second.status) == (
        "GET",
        "/ACME_CORP/Profile/1301?implied=true&x=1",
        200,
    )
    assert second.body is None and second.signed


def test_path_below_and_replay_url_rebase_on_another_base_url():
    assert path_below(f"{BASE}/C/Profile?x=1", BASE + "/") == "/C/Profile?x=1"
    assert path_below("http://elsewhere/C", BASE) == "http://elsewhere/C"
    case = ReplayCase(id="X", operation="o", method="GET", url=f"{BASE}/C/P", path="/C/P")
    assert replay_url(case, "http://127.0.0.1:9/Profiles/v4/") == "http://127.0.0.1:9/Profiles/v4/C/P"


def test_case_files_are_written_and_findings_get_their_replay_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    junit = tmp_path / "schemathesis-junit.xml"
    junit.write_text(
        '<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="schemathesis">'
        '<testcase name="POST /{clientId}/Profile"><failure type="failure" message="ST101">'
        + FAILURE_TEXT.replace("&", "&amp;").replace("<", "&lt;")
        + "</failure></testcase></testsuite></testsuites>",
        encoding="utf-8",
    )
    cases = cases_from_junit(junit, BASE)
    index = write_cases(cases, tmp_path / "reports" / "cases", redact=lambda s: s.replace("K1", "***"))
    assert sorted(p.name for p in (tmp_path / "reports" / "cases").iterdir()) == [
        "9CTPAD.json",
        "G1ZRQE.json",
    ]
    saved = json.loads((tmp_path / "reports" / "cases" / "9CTPAD.json").read_text())
    assert saved["headers"] == {"Content-Type": "application/json"} and "***" in saved["body"]
    finding = CheckRecord(
        name="POST /{clientId}/Profile",
        check="not_a_server_error",
        status=Status.FAILED,
        operation="POST /{clientId}/Profile",
        code="ST101",
    )
    other = CheckRecord(name="x", check="c", status=Status.FAILED, operation="GET /x", code="ST101")
    replayed, untouched = with_replays([finding, other], index, cases)
    assert replayed.replay == "mypref-harness replay reports/cases/9CTPAD.json"
    assert replayed.answer == '500 Internal Server Error: {"Message":"An error has occurred."}'
    assert untouched.replay == "" and untouched.answer == ""


def test_a_missing_or_truncated_junit_file_gives_no_cases(tmp_path):
    assert cases_from_junit(tmp_path / "none.xml", BASE) == []
    (tmp_path / "cut.xml").write_text("<testsuites><testsuite><testcase", encoding="utf-8")
    assert cases_from_junit(tmp_path / "cut.xml", BASE) == []


def test_replay_command_is_relative_below_the_working_directory(tmp_path):
    inside = tmp_path / "reports" / "contract" / "cases" / "A b.json"
    assert replay_command(inside, cwd=tmp_path) == "mypref-harness replay 'reports/contract/cases/A b.json'"
    assert (
        replay_command(Path("/elsewhere/c.json"), cwd=tmp_path) == "mypref-harness replay /elsewhere/c.json"
    )


def test_load_case_rejects_files_that_are_not_case_files(tmp_path):
    (tmp_path / "bad.json").write_text("[1]", encoding="utf-8")
    with pytest.raises(ConfigError, match="is not a case file"):
        load_case(tmp_path / "bad.json")
    with pytest.raises(ConfigError, match="cannot read case file"):
        load_case(tmp_path / "missing.json")


def test_body_lines_pretty_print_json_cut_long_bodies_and_redact_secrets():
    lines = body_lines(json.dumps({"a": 1, "token": "s3cr3t-value-123"}), ["s3cr3t-value-123"], limit=3)
    assert lines[0] == "{" and '"a": 1,' in lines[1]
    assert not any("s3cr3t-value-123" in line for line in lines)
    assert lines[-1] == "... (1 more lines)"


def test_the_sanitiser_blanks_credentials_but_not_the_apis_key_fields():
    from schemathesis.config._output import SanitizationConfig
    from schemathesis.core.output.sanitization import is_sensitive_key

    toml = Path(__file__).resolve().parents[2] / "contracts" / "schemathesis.toml"
    config = SanitizationConfig.from_dict(tomllib.loads(toml.read_text())["output"]["sanitization"])

    def sensitive(key: str) -> bool:
        return is_sensitive_key(key, config.keys_to_sanitize, config.sensitive_markers)

    assert not any(sensitive(k) for k in ("Key", "AlternateIdKey", "AuthCheck", "Value", "ProfileId"))
    assert all(sensitive(k) for k in ("Authorization", "client_secret", "access_token", "X-API-Key"))


def test_the_answer_line_is_the_status_and_the_start_of_the_body_on_one_line():
    from mypref_harness.contract.cases import answer_line

    case = ReplayCase(
        id="X",
        operation="o",
        method="GET",
        url="u",
        path="/p",
        status=200,
        reason="OK",
        response_excerpt='[{"ProfileId": 1,\n "x": "' + "y" * 300 + '"}]',
    )
    line = answer_line(case)
    assert (
        line.startswith('200 OK: [{"ProfileId": 1, "x": "yyy') and line.endswith("...") and "\n" not in line
    )
    assert len(line) == len("200 OK: ") + 160
    assert answer_line(ReplayCase(id="X", operation="o", method="GET", url="u", path="/p")) == ""
