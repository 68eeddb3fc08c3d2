"""A budgeted run's two passes: the second sized by the first, results merged, requests booked."""

from __future__ import annotations

import json

from mypref_harness.contract.budget_plan import (
    CHECK_REQUESTS_PER_OPERATION,
    PROBE_REQUESTS_PER_RUN,
    STATEFUL_MIN_PER_OPERATION,
)
from mypref_harness.contract.results import CheckRecord, CheckTally, Status
from mypref_harness.contract.schemathesis.prepare import LEDGER_NAME, PreparedRun
from mypref_harness.contract.schemathesis.results import ParsedRun, merge_runs
from mypref_harness.contract.schemathesis.session import (
    STATEFUL_RESERVE,
    UNSEEN_PHASE,
    second_pass_plan,
    spend_of,
)


def test_the_second_pass_fuzzes_operations_with_findings_first():
    plan = second_pass_plan(
        4,
        ["GET /a", "GET /b", "POST /c"],
        findings={"POST /c": 2},
        coverage={},
        most_per_operation=3,
        stateful=True,
    )
    assert plan.cases == 4
    assert dict(plan.fuzzing_per_operation) == {"POST /c": 3, "GET /a": 1, "GET /b": 0}
    assert plan.stateful is False  # 4 cases leave no room for sequences


def test_the_stateful_phase_runs_only_when_enough_is_left_and_takes_its_reserve():
    labels = ["GET /a", "GET /b"]
    enough = STATEFUL_MIN_PER_OPERATION * len(labels) + STATEFUL_RESERVE
    plan = second_pass_plan(enough, labels, findings={}, coverage={}, most_per_operation=1000, stateful=True)
    assert plan.stateful is True
    short = second_pass_plan(
        enough - 1, labels, findings={}, coverage={}, most_per_operation=1000, stateful=True
    )
    assert short.stateful is False and sum(short.fuzzing_per_operation.values()) == enough - 1
    assert sum(plan.fuzzing_per_operation.values()) == enough - STATEFUL_RESERVE
    off = second_pass_plan(enough, labels, findings={}, coverage={}, most_per_operation=1000, stateful=False)
    assert off.stateful is False and sum(off.fuzzing_per_operation.values()) == enough


def _finding(operation, check):
    return CheckRecord(name=operation, check=check, status=Status.FAILED, evidence="e", operation=operation)


def test_two_passes_merge_into_one_result():
    first = ParsedRun(
        findings=[_finding("GET /a", "not_a_server_error")],
        tallies=[
            CheckTally("not_a_server_error", runs=None, failures=1),
            CheckTally("a", runs=3, failures=0),
        ],
        cases=10,
        operations_selected=3,
        operations_tested=3,
        warnings=["w"],
        errors=["e1"],
    )
    second = ParsedRun(
        findings=[_finding("GET /b", "response_schema_conformance")],
        tallies=[
            CheckTally("not_a_server_error", runs=None, failures=2),
            CheckTally("a", runs=4, failures=1),
        ],
        cases=5,
        operations_selected=3,
        operations_tested=2,
        warnings=["w"],
        fatal="boom",
    )
    merged = merge_runs(first, second)
    assert [f.operation for f in merged.findings] == ["GET /a", "GET /b"]
    assert merged.tallies == [CheckTally("a", runs=7, failures=1), CheckTally("not_a_server_error", None, 3)]
    assert (merged.cases, merged.operations_selected, merged.operations_tested) == (15, 3, 3)
    assert merged.warnings == ["w"] and merged.errors == ["e1"] and merged.fatal == "boom"


def _prepared(report_dir):
    report_dir.mkdir(parents=True, exist_ok=True)
    return PreparedRun(
        command=[],
        env={},
        config_path=report_dir / "c.toml",
        spec_path=report_dir / "s.json",
        ndjson_path=report_dir / "e.ndjson",
        json_path=report_dir / "schemathesis-run.json",
        output_path=report_dir / "o.txt",
        junit_path=report_dir / "j.xml",
        strict=True,
    )


def test_both_passes_are_booked_per_phase_and_operation(tmp_path):
    first, second = _prepared(tmp_path), _prepared(tmp_path / "fuzzing")
    (tmp_path / LEDGER_NAME).write_text(
        json.dumps(
            {
                "by_phase": {"coverage": {"GET /a": 5, "GET /b": 2}},
                "phase_seconds": {"coverage": 1.5},
                "operation_seconds": {"GET /a": 0.25, "GET /b": 0.5},
            }
        )
    )
    (tmp_path / "fuzzing" / LEDGER_NAME).write_text(
        json.dumps({"by_phase": {"fuzzing": {"GET /a": 3}}, "operation_seconds": {"GET /a": 0.25}})
    )
    spend = spend_of([first, second], ParsedRun(operations_tested=2))
    unseen = CHECK_REQUESTS_PER_OPERATION * 2 + PROBE_REQUESTS_PER_RUN * 2
    assert spend.requests == 10 + unseen
    phases = {name: (s.requests, s.seconds) for name, s in spend.phases.items()}
    assert phases == {"coverage": (7, 1.5), "fuzzing": (3, 0.0), UNSEEN_PHASE: (unseen, 0.0)}
    assert {name: (s.requests, s.seconds) for name, s in spend.operations.items()} == {
        "GET /a": (8, 0.5),
        "GET /b": (2, 0.5),
    }


def test_what_the_second_pass_leaves_out_is_said():
    from mypref_harness.contract.schemathesis.session import second_pass_left_out

    nothing = second_pass_plan(
        0, ["GET /a", "GET /b"], findings={}, coverage={}, most_per_operation=20, stateful=True
    )
    assert second_pass_left_out(nothing, ["fuzzing", "stateful"]) == [
        "fuzzing: 2 of 2 operation(s) not fuzzed (0 case(s) were left for it)",
        f"stateful: not run (it needs {STATEFUL_RESERVE} + {STATEFUL_MIN_PER_OPERATION} per operation of "
        "fuzzing left; 0 were)",
    ]
    some = second_pass_plan(
        1, ["GET /a", "GET /b"], findings={}, coverage={}, most_per_operation=20, stateful=False
    )
    assert second_pass_left_out(some, ["fuzzing"]) == [
        "fuzzing: 1 of 2 operation(s) not fuzzed (1 case(s) were left for it)"
    ]
