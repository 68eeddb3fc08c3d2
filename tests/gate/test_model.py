"""The gate's options and verdict: stage selection, budgets, exit codes."""

import pytest

from mypref_harness.errors import HarnessError
from mypref_harness.gate.model import GateOptions, GateResult, StageResult, parse_stages


def test_unknown_stage_is_a_usage_error():
    with pytest.raises(HarnessError, match="unknown stage"):
        parse_stages("contract,fuzz")


def test_stages_keep_the_gate_order_whatever_the_order_asked():
    assert parse_stages("load, Vectors") == ("vectors", "load")
    assert parse_stages(None) == ("vectors", "contract", "auth", "load")


def test_quick_mode_shrinks_every_budget_and_explicit_values_win():
    quick, default = GateOptions(quick=True), GateOptions()
    assert quick.effective_max_examples < default.effective_max_examples
    assert quick.effective_load_users < default.effective_load_users
    assert quick.effective_load_duration != default.effective_load_duration
    explicit = GateOptions(quick=True, max_examples=7, load_users=3, load_duration="5s")
    assert (explicit.effective_max_examples, explicit.effective_load_users,
            explicit.effective_load_duration) == (7, 3, "5s")


def test_the_verdict_comes_from_exit_codes_not_from_the_display_figures(tmp_path):
    shown_as_failing = StageResult("contract", "pass", 0, figures={"failures": 5})
    assert GateResult([shown_as_failing], [], 1.0, tmp_path).verdict == "pass"
    failing = StageResult("contract", "fail", 1, failures=1)
    assert GateResult([failing], [], 1.0, tmp_path).verdict == "fail"
