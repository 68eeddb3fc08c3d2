"""The subprocess's ledger: requests per phase and operation, written at exit and read back."""

from __future__ import annotations

from mypref_harness.contract.schemathesis.progress import CaseCounter, read_ledger, read_ledger_seconds


def test_the_ledger_holds_every_case_by_phase_and_operation(tmp_path):
    counter = CaseCounter(tmp_path / "progress.json", tmp_path / "ledger.json")
    seen = [("examples", "GET /a", 100.0), ("coverage", "GET /a", 100.5), ("coverage", "GET /a", 102.0)]
    for phase, label, now in [*seen, ("fuzzing", "POST /b", 103.0)]:
        counter.observe(label, now=now, phase=phase, seconds=0.25)
    counter.write_ledger()
    assert read_ledger(tmp_path / "ledger.json") == {
        "coverage": {"GET /a": 2},
        "examples": {"GET /a": 1},
        "fuzzing": {"POST /b": 1},
    }
    phase_seconds, operation_seconds = read_ledger_seconds(tmp_path / "ledger.json")
    assert phase_seconds == {"examples": 0.0, "coverage": 1.5, "fuzzing": 0.0}  # first to last answer
    assert operation_seconds == {"GET /a": 0.75, "POST /b": 0.25}  # summed response times


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
