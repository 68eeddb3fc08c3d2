"""The subprocess's ledger: requests per phase and operation, written at exit and read back."""

from __future__ import annotations

from mypref_harness.contract.schemathesis.progress import CaseCounter, read_ledger


def test_the_ledger_holds_every_case_by_phase_and_operation(tmp_path):
    counter = CaseCounter(tmp_path / "progress.json", tmp_path / "ledger.json")
    for phase, label in [
        ("examples", "GET /a"),
        ("coverage", "GET /a"),
        ("coverage", "GET /a"),
        ("fuzzing", "POST /b"),
    ]:
        counter.observe(label, now=100.0, phase=phase)  # one clock tick: the progress file is written once
    counter.write_ledger()
    assert read_ledger(tmp_path / "ledger.json") == {
        "coverage": {"GET /a": 2},
        "examples": {"GET /a": 1},
        "fuzzing": {"POST /b": 1},
    }


def test_a_run_that_left_no_ledger_reads_as_empty(tmp_path):
    assert read_ledger(tmp_path / "missing.json") == {}
    (tmp_path / "cut.json").write_text('{"cases": 3, "by_ph')
    assert read_ledger(tmp_path / "cut.json") == {}


def test_the_counter_writes_its_ledger_at_exit_only_when_asked(tmp_path):
    from_env = CaseCounter.from_env
    assert from_env({}) is None
    counter = from_env({"MYPREF_CONTRACT_PROGRESS": str(tmp_path / "p.json")})
    assert counter is not None and counter.ledger_path is None
    counter.write_ledger()  # nothing to write to
    assert list(tmp_path.iterdir()) == []
