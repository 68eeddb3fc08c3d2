"""The vector corpus: every vector passes, the runner catches each kind of mismatch, bad files are named,
and the corpus is reproducible by its independent generator (openssl + GNU date)."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mypref_harness import vectors
from mypref_harness.errors import HarnessError

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "auth_vectors"
EXAMPLES = CORPUS / "examples"
ALL = vectors.load_corpus(CORPUS)


@pytest.mark.parametrize("vector", ALL, ids=[f"{v.file}#{v.tc_id}" for v in ALL])
def test_every_vector_passes(vector):
    outcome = vectors.check_vector(vector)
    assert outcome.ok, outcome.failures


def test_corpus_report_counts_and_table():
    report = vectors.verify_corpus(CORPUS)
    assert report.ok and report.total == len(ALL) >= 100 and report.passed == report.total
    table = report.render_table()
    assert "| pnauthinfo3_documented.json | 5 | 5 | 0 |" in table
    assert (
        table.splitlines()[-1] == f"PNAUTHINFO3 vectors: {report.total}/{report.total} passed, 0 failed (OK)"
    )


def test_corpus_covers_what_the_issue_asks():
    flags = {f for v in ALL for f in v.flags}
    for wanted in (
        "Documented",
        "Keyed",
        "Unkeyed",
        "FormEncoding",
        "PercentEncoding",
        "NonAscii",
        "UTC",
        "EST",
        "EDT",
        "Naive",
        "Fraction",
        "DstChange",
        "WindowEdge",
        "Future",
        "WrongKey",
        "Swapped",
        "ClientIdCase",
        "ModifiedSignature",
        "UnknownScheme",
        "MalformedHeader",
        "BadTimestamp",
    ):
        assert wanted in flags, wanted
    documented = next(v for v in ALL if v.file == "pnauthinfo3_documented.json" and v.tc_id == 1)
    assert documented.expected is not None
    assert documented.expected["signature"] == "Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0="
    assert documented.request_header == (
        "PNAUTHINFO3-HMAC-SHA256 Credential=RickSanchez/2015-08-10T20:11:00 "
        "Signature=Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0="
    )
    reasons = {v.reason for v in ALL if v.result == "invalid"}
    assert reasons == {"INVALID_SCHEME", "INVALID_TIMESTAMP", "EXPIRED", "MISSING_HEADER", "UNAUTHENTICATED"}


def test_generator_reproduces_the_committed_corpus(tmp_path):
    """The expectations come from openssl and GNU date, not from our code: regenerate and compare."""
    proc = subprocess.run(
        [sys.executable, str(CORPUS / "make_vectors.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for committed in sorted(CORPUS.glob("*.json")):
        fresh = json.loads((tmp_path / committed.name).read_text(encoding="utf-8"))
        old = json.loads(committed.read_text(encoding="utf-8"))
        fresh["generator"].pop("openssl"), old["generator"].pop("openssl")
        assert fresh == old, committed.name


def test_generator_does_not_import_the_code_under_test():
    source = (CORPUS / "make_vectors.py").read_text(encoding="utf-8")
    imports = [line for line in source.splitlines() if line.lstrip().startswith(("import ", "from "))]
    assert imports and not [line for line in imports if "mypref_harness" in line]
    assert '"openssl", "dgst"' in source


# --------------------------------------------------------------------- the runner catches mismatches
def _write_mutated(tmp_path: Path, mutate) -> Path:
    doc = json.loads((CORPUS / "pnauthinfo3_documented.json").read_text(encoding="utf-8"))
    mutate(doc["testGroups"][0]["tests"][0])
    out = tmp_path / "mutated.json"
    out.write_text(json.dumps(doc), encoding="utf-8")
    return out


@pytest.mark.parametrize(
    ("path", "value", "stage"),
    [
        (("expected", "encodedUserId"), "Rick%53anchez", "encode"),
        (("expected", "message"), "SanchezAssociates:RickSanchez:2015-08-10T20:11:01", "message"),
        (("expected", "signature"), "Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe1=", "signature"),
        (
            ("expected", "header"),
            "PNAUTHINFO3-HMAC-SHA256 Credential=RickSanchez/2015-08-10T20:11:00 Signature=x",
            "header",
        ),
        (("expected", "issuedAtUtc"), "2015-08-11T01:11:00Z", "issued"),
        (("expectedUserId",), "Morty", "verify"),
        (("request", "verifyAt"), "2015-08-11T00:26:01Z", "verify"),
    ],
)
def test_runner_reports_the_stage_that_differs(tmp_path, path, value, stage):
    def mutate(test):
        target = test
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    report = vectors.verify_corpus(_write_mutated(tmp_path, mutate))
    assert not report.ok and report.failed == 1
    assert [f.stage for f in report.failures] == [stage]
    assert report.failures[0].tc_id == 1 and report.failures[0].file == "mutated.json"
    assert "MISMATCH" in report.render_table()


def test_runner_reports_a_wrong_expected_reason(tmp_path):
    def mutate(test):
        test.update(result="invalid", reason="EXPIRED", errorMessage="x")
        test.pop("expectedUserId")

    report = vectors.verify_corpus(_write_mutated(tmp_path, mutate))
    assert [f.stage for f in report.failures] == ["verify"]


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        ("{", "mutated.json: not valid JSON"),
        ('{"format": "other"}', "format must be"),
        (None, "tcId 1: missing field request.clientId"),
        ("dup", "tcId 1: duplicate tcId"),
        ("badtime", "tcId 1: request.verifyAt"),
    ],
)
def test_unreadable_vector_files_are_named_with_file_and_tcid(tmp_path, content, needle):
    path = tmp_path / "mutated.json"
    if content is None:
        path = _write_mutated(tmp_path, lambda t: t["request"].pop("clientId"))
    elif content == "dup":
        doc = json.loads((CORPUS / "pnauthinfo3_documented.json").read_text(encoding="utf-8"))
        tests = doc["testGroups"][0]["tests"]
        tests.append(copy.deepcopy(tests[0]))
        doc.pop("numberOfTests")
        path.write_text(json.dumps(doc), encoding="utf-8")
    elif content == "badtime":
        path = _write_mutated(tmp_path, lambda t: t["request"].update(verifyAt="yesterday"))
    else:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(vectors.VectorFileError) as info:
        vectors.verify_corpus(path)
    assert needle in str(info.value)
    assert str(path) in str(info.value)


def test_missing_directory_is_a_clear_error(tmp_path):
    with pytest.raises(vectors.VectorFileError, match="no such vector directory"):
        vectors.verify_corpus(tmp_path / "nope")
    with pytest.raises(vectors.VectorFileError, match=r"no \*.json"):
        vectors.verify_corpus(tmp_path)


# --------------------------------------------------------------------- check-cmd against foreign signers
@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> Path:
    """Two positive vectors per file kind (keeps the subprocess count low) including special UserIds."""
    out = tmp_path_factory.mktemp("small")
    doc = json.loads((CORPUS / "pnauthinfo3_userid_encoding.json").read_text(encoding="utf-8"))
    for group in doc["testGroups"]:
        group["tests"] = [
            t for t in group["tests"] if "@" in t["input"]["userId"] or " " in t["input"]["userId"]
        ][:2]
    doc["numberOfTests"] = sum(len(g["tests"]) for g in doc["testGroups"])
    (out / "small.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    shutil.copy(CORPUS / "pnauthinfo3_documented.json", out)
    return out


def _signer(*args: str) -> list[str]:
    # -I -S: isolated, no site import; the example signers use only the standard library and start faster.
    return [sys.executable, "-I", "-S", *args]


def test_example_signer_matches_every_positive_vector_of_the_small_corpus(small_corpus):
    report = vectors.check_command(_signer(str(EXAMPLES / "signer.py")), small_corpus)
    assert report.ok, report.render_table()
    assert report.total == 5  # 2 form + 2 percent + the documented example


@pytest.mark.slow
def test_example_signer_matches_the_whole_corpus():
    report = vectors.check_command(_signer(str(EXAMPLES / "signer.py")), CORPUS)
    assert report.ok, report.render_table()
    assert report.total == sum(1 for v in ALL if v.is_positive)


@pytest.mark.parametrize(
    ("bug", "stages"),
    [
        ("swap", {"signature"}),
        ("no-encode", {"message"}),
        ("header", {"header"}),
        ("json-message", {"message"}),
    ],
)
def test_wrong_signer_mismatches_name_the_stage(small_corpus, bug, stages):
    report = vectors.check_command(_signer(str(EXAMPLES / "wrong_signer.py"), "--bug", bug), small_corpus)
    assert not report.ok
    assert {f.stage for f in report.failures} == stages
    if bug == "swap":
        assert all(f.hint == "HMAC key and message swapped" for f in report.failures)
    if bug == "no-encode":
        # Only the vectors whose UserId needs encoding differ.
        assert report.passed == 1 and report.failed == 4


def test_bare_signature_output_is_understood(small_corpus):
    report = vectors.check_command(
        _signer(str(EXAMPLES / "wrong_signer.py"), "--bug", "signature-only"), small_corpus
    )
    assert report.ok


def test_failing_and_missing_commands(small_corpus):
    report = vectors.check_command(_signer("-c", "import sys; sys.exit('boom')"), small_corpus)
    assert {f.stage for f in report.failures} == {"run"}
    assert "boom" in report.failures[0].actual
    with pytest.raises(HarnessError, match="command not found"):
        vectors.check_command(["/nonexistent/signer"], small_corpus)


def test_diagnose_names_classic_mistakes():
    inputs = {
        "scheme": "PNAUTHINFO3-HMAC-SHA256",
        "key": "SeemslikearareopportunityMorty!",
        "clientId": "SanchezAssociates",
        "userId": "RickSanchez",
        "timestamp": "2015-08-10T20:11:00",
        "encoding": "form",
    }
    # The swapped value is in the vector corpus, computed by openssl (documented file, tcId 2).
    assert vectors.diagnose(inputs, "fGYXm35rls5QZ3GsG5rhsLXG2e9Xg/NvhxjWQN8U+G8=") == (
        "signature",
        "HMAC key and message swapped",
    )
    # printf %s 'SanchezAssociates:RickSanchez:2015-08-10T20:11:00' | openssl dgst -sha256 -hmac <key>  (hex)
    assert vectors.diagnose(inputs, "2db85ef9f2a840f661cd46161cc5400c2e0186ab4031091f01fa51e96cdbc5ed") == (
        "signature",
        "hex digest instead of Base64",
    )
    assert vectors.diagnose(inputs, "nothing like it") is None


def test_redacted_table_hides_signatures(tmp_path):
    def mutate(test):
        test["expected"]["signature"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

    report = vectors.verify_corpus(_write_mutated(tmp_path, mutate))
    plain, redacted = report.render_table(), report.render_table(redact=True)
    assert "Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0=" in plain
    assert "Lbhe+fKoQPZhzUYWHMVADC4BhqtAMQkfAfpR6Wzbxe0=" not in redacted and "| Lbhe+f… |" in redacted


@pytest.mark.parametrize(
    ("stdout", "parsed"),
    [
        (
            "PNAUTHINFO3-SHA256 Credential=a/b Signature=c\n",
            {"header": "PNAUTHINFO3-SHA256 Credential=a/b Signature=c"},
        ),
        (
            "debug line\nAuthorization: X Credential=a/b Signature=c\r\n",
            {"header": "X Credential=a/b Signature=c"},
        ),
        ("Lbhe+fKo=\n\n", {"signature": "Lbhe+fKo="}),
        ('{"message": "m", "signature": "s", "other": 1}', {"message": "m", "signature": "s"}),
    ],
)
def test_signer_output_forms(stdout, parsed):
    assert vectors._parse_output(stdout) == parsed


def test_a_crash_in_our_code_is_reported_on_the_vector(monkeypatch):
    def boom(*_args, **_kwargs):
        raise RuntimeError("kaputt")

    monkeypatch.setattr(vectors, "_verdict", boom)
    outcome = vectors.check_vector(ALL[0])
    assert [(f.stage, f.actual) for f in outcome.failures] == [("crash", "RuntimeError: kaputt")]


def test_signer_printing_invalid_utf8_is_a_mismatch_not_a_crash(small_corpus):
    report = vectors.check_command(
        _signer("-c", "import sys; sys.stdout.buffer.write(b'\\xff\\xfe')"), small_corpus
    )
    assert not report.ok and {f.stage for f in report.failures} == {"signature"}


def test_no_encode_mismatches_carry_the_hint(small_corpus):
    report = vectors.check_command(
        _signer(str(EXAMPLES / "wrong_signer.py"), "--bug", "no-encode"), small_corpus
    )
    hints = {f.hint for f in report.failures}
    assert hints <= {"UserId not URL-encoded", "UserId not URL-encoded (its space splits the header)"}
    assert "UserId not URL-encoded (its space splits the header)" in hints


def test_the_default_corpus_is_the_shipped_one_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert vectors.default_corpus_dir() == CORPUS


def test_an_auth_vectors_folder_in_the_working_directory_is_the_default_corpus(tmp_path, monkeypatch):
    (tmp_path / "auth_vectors").mkdir()
    monkeypatch.chdir(tmp_path)
    assert vectors.default_corpus_dir() == Path("auth_vectors")


def test_verify_corpus_without_a_directory_runs_the_default_corpus_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = vectors.verify_corpus()
    assert report.ok and report.total == len(ALL)


def test_check_command_without_a_directory_runs_the_default_corpus_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    report = vectors.check_command(["true"])  # prints nothing: every positive vector is a mismatch
    assert report.total == sum(1 for v in ALL if v.is_positive) > 0 and report.passed == 0
