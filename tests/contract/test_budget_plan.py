"""The budget's selection logic: examples first, one case per equivalence class, leftover to fuzzing."""

from __future__ import annotations

from mypref_harness.contract.budget_plan import (
    AUTH_CONFORMANCE_REQUESTS,
    CHECK_REQUESTS_PER_OPERATION,
    RUN_REQUESTS,
    SCENARIO_REQUESTS,
    BudgetPlan,
    CaseAdmission,
    coverage_class,
    fuzzing_allowance,
    outside_reserve,
    plan_budget,
    requests_within,
)

GET = "GET /{clientId}/Profile/{profileId}"
POST = "POST /{clientId}/Profile"


def _klass(operation=POST, scenario="incorrect_type", parameter="Name", mode="negative", method="POST"):
    return coverage_class(operation, method, mode, scenario, "body", parameter, declared_method="POST")


def test_cases_that_differ_only_in_a_value_of_the_same_class_are_one_case():
    assert _klass() == _klass()  # e.g. Name as a number and Name as an array: both 'incorrect_type'
    assert _klass() != _klass(parameter="Email")
    assert _klass() != _klass(scenario="string_above_max_length")
    assert _klass() != _klass(mode="positive")


def test_every_undeclared_method_of_an_operation_is_one_class():
    put = coverage_class(POST, "PUT", "negative", "x", None, None, declared_method="post")
    trace = coverage_class(POST, "TRACE", "negative", "y", "query", "q", declared_method="post")
    assert put == trace
    assert put != coverage_class(GET, "PUT", "negative", "x", None, None, declared_method="get")


def test_examples_are_sent_before_any_coverage_allowance_applies():
    admission = CaseAdmission(BudgetPlan(cases=100, coverage_per_operation=0))
    assert all(admission.admit("examples", POST, positive=True) for _ in range(3))
    assert admission.admitted == 3


def test_each_operation_gets_one_positive_case_even_with_no_coverage_allowance():
    admission = CaseAdmission(BudgetPlan(cases=100, coverage_per_operation=0))
    assert admission.admit("coverage", POST, positive=True, klass=_klass(mode="positive"))
    assert admission.admit("coverage", GET, positive=True, klass=_klass(operation=GET, mode="positive"))
    assert not admission.admit("coverage", POST, positive=True, klass=_klass(scenario="x", mode="positive"))
    assert not admission.admit("coverage", POST, positive=False, klass=_klass())


def test_an_operation_touched_by_its_example_gets_no_extra_positive_case():
    admission = CaseAdmission(BudgetPlan(cases=100, coverage_per_operation=0))
    admission.admit("examples", POST, positive=True)
    assert not admission.admit("coverage", POST, positive=True, klass=_klass(mode="positive"))


def test_duplicates_of_a_class_are_left_out_and_counted():
    admission = CaseAdmission(BudgetPlan(cases=100, coverage_per_operation=10))
    assert admission.admit("coverage", POST, positive=False, klass=_klass())
    assert not admission.admit("coverage", POST, positive=False, klass=_klass())
    assert admission.admit("coverage", POST, positive=False, klass=_klass(parameter="Email"))
    assert admission.left_out == {"coverage": {POST: 1}}


def test_the_per_operation_allowance_keeps_one_operation_from_taking_everything():
    admission = CaseAdmission(BudgetPlan(cases=100, coverage_per_operation=2))
    classes = [_klass(parameter=f"p{i}") for i in range(5)]
    sent = [admission.admit("coverage", POST, positive=False, klass=klass) for klass in classes]
    assert sent == [True, True, False, False, False]
    assert admission.admit("coverage", GET, positive=False, klass=_klass(operation=GET))


def test_nothing_is_sent_beyond_the_cap_in_any_phase():
    admission = CaseAdmission(BudgetPlan(cases=2, coverage_per_operation=10))
    assert admission.admit("examples", POST, positive=True)
    assert admission.admit("fuzzing", POST, positive=True)
    assert not admission.admit("fuzzing", GET, positive=True)
    assert not admission.admit("examples", GET, positive=True)
    # the stateful phase is sized by its own max-examples: a state machine whose steps are filtered out
    # keeps drawing new ones instead of stopping
    assert admission.admit("stateful", GET, positive=True)


def test_operations_with_findings_get_the_leftover_first():
    share = fuzzing_allowance(
        3, ["A", "B", "C", "D"], findings={"C": 1, "D": 4}, coverage={}, most_per_operation=2
    )
    assert share == {"D": 2, "C": 1, "A": 0, "B": 0}


def test_then_operations_with_the_fewest_coverage_cases():
    share = fuzzing_allowance(
        2, ["A", "B", "C"], findings={}, coverage={"A": 30, "B": 3, "C": 12}, most_per_operation=5
    )
    assert share == {"B": 1, "C": 1, "A": 0}


def test_a_large_leftover_reaches_every_operation_up_to_its_most():
    share = fuzzing_allowance(100, ["A", "B"], findings={"A": 1}, coverage={}, most_per_operation=20)
    assert share == {"A": 20, "B": 20}


def test_the_plan_keeps_the_reserve_for_other_requests_and_touches_every_operation():
    plan = plan_budget(3000, 110, reserve=400, coverage_share=0.6)
    assert plan.cases == 2600
    assert plan.coverage_per_operation == 1560 // 110 - 2
    assert plan.fuzzing_default == 1040 // 110
    tiny = plan_budget(50, 110, reserve=400)
    assert tiny.cases == 110  # one case per operation at least
    assert tiny.coverage_per_operation == 0


def test_the_reserve_counts_only_the_parts_that_run():
    alone = outside_reserve(scenarios=False, scenario_updates=100, auth_conformance=False, operations=10)
    assert alone == 10 * CHECK_REQUESTS_PER_OPERATION + RUN_REQUESTS
    everything = outside_reserve(scenarios=True, scenario_updates=100, auth_conformance=True, operations=10)
    assert everything == alone + SCENARIO_REQUESTS + 100 + AUTH_CONFORMANCE_REQUESTS


def test_the_plan_travels_to_the_subprocess_unchanged(tmp_path):
    plan = BudgetPlan(cases=7, coverage_per_operation=2, fuzzing_per_operation={POST: 3}, stateful=True)
    plan.write(tmp_path / "plan.json")
    assert BudgetPlan.read(tmp_path / "plan.json") == plan


def test_a_time_budget_is_a_request_budget_only_under_a_rate_limit():
    assert requests_within(None, None, 20.0) is None  # unlimited
    assert requests_within(3000, None, None) == 3000
    assert requests_within(None, 120.0, 20.0) == 2400
    assert requests_within(3000, 120.0, 20.0) == 2400  # the tighter of the two
    assert requests_within(1000, 120.0, 20.0) == 1000
    assert requests_within(None, 120.0, None) is None  # loopback: seconds are not requests
