"""The body mapping that keeps webhook-subscription creates from deleting themselves (issue 12)."""

from __future__ import annotations

import pytest

from mypref_harness.contract.schemathesis.hooks import is_subscription_create, subscription_create_body


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("POST", "/{clientId}/Webhooks/Subscriptions", True),
        ("post", "/{clientId}/webhooks/subscriptions/", True),
        ("PUT", "/{clientId}/Webhooks/Subscriptions/{subscriptionId}", False),
        ("GET", "/{clientId}/Webhooks/Subscriptions", False),
        ("POST", "/{clientId}/Profile", False),
    ],
)
def test_only_the_subscription_create_is_mapped(method, path, expected):
    assert is_subscription_create(method, path) is expected


def test_a_create_with_isactive_false_keeps_its_subscription():
    body = {"Name": "n", "Url": "https://x.example", "IsActive": False}
    assert subscription_create_body(body) == {**body, "IsActive": True}
    assert body["IsActive"] is False  # the generated value itself is not mutated


@pytest.mark.parametrize("body", [{"IsActive": True}, {"Name": "n"}, {"IsActive": "false"}, 0, None, []])
def test_other_bodies_are_left_alone(body):
    assert subscription_create_body(body) == body


def _case(mode, phase="coverage", **components):
    from types import SimpleNamespace

    from schemathesis.generation.meta import TestPhase
    from schemathesis.generation.modes import GenerationMode

    return SimpleNamespace(
        meta=SimpleNamespace(
            generation=SimpleNamespace(mode=GenerationMode(mode)),
            components={k: SimpleNamespace(mode=GenerationMode(v)) for k, v in components.items()},
            phase=SimpleNamespace(name=TestPhase(phase)),
        )
    )


def test_other_phases_keep_their_label():
    from mypref_harness.contract.schemathesis.hooks import mark_mixed_case_negative

    case = mark_mixed_case_negative(_case("positive", phase="stateful", body="negative"))
    assert case.meta.generation.mode.value == "positive"


def test_a_positive_case_with_a_negative_body_is_negative():
    from mypref_harness.contract.schemathesis.hooks import mark_mixed_case_negative

    # what Schemathesis 4.32's coverage phase produced for PUT .../Webhooks/Subscriptions/{id} (body 0)
    case = mark_mixed_case_negative(_case("positive", path="positive", header="positive", body="negative"))
    assert case.meta.generation.mode.value == "negative"


@pytest.mark.parametrize(
    ("mode", "components", "expected"),
    [
        ("positive", {"path": "positive", "body": "positive"}, "positive"),
        ("negative", {"path": "negative", "body": "positive"}, "negative"),
        ("positive", {}, "positive"),
    ],
)
def test_consistent_cases_keep_their_mode(mode, components, expected):
    from mypref_harness.contract.schemathesis.hooks import mark_mixed_case_negative

    assert mark_mixed_case_negative(_case(mode, **components)).meta.generation.mode.value == expected


def test_cases_without_metadata_pass_through():
    from types import SimpleNamespace

    from mypref_harness.contract.schemathesis.hooks import mark_mixed_case_negative

    case = SimpleNamespace(meta=None)
    assert mark_mixed_case_negative(case) is case


# --- the budget's view of a case (contract/budget_plan.py) -------------------------------------------


def _coverage_case(method, scenario, parameter, location, mode="negative", body_mode=None):
    from types import SimpleNamespace

    from schemathesis.core.parameters import ParameterLocation
    from schemathesis.generation.meta import CoveragePhaseData, CoverageScenario, TestPhase
    from schemathesis.generation.modes import GenerationMode

    data = CoveragePhaseData(CoverageScenario(scenario), "d", None, parameter, ParameterLocation(location))
    components = {"body": SimpleNamespace(mode=GenerationMode(body_mode))} if body_mode else {}
    return SimpleNamespace(
        method=method,
        operation=SimpleNamespace(label="POST /{clientId}/Profile", method="post"),
        meta=SimpleNamespace(
            generation=SimpleNamespace(mode=GenerationMode(mode)),
            components=components,
            phase=SimpleNamespace(name=TestPhase("coverage"), data=data),
        ),
    )


def test_coverage_cases_with_the_same_scenario_on_the_same_parameter_share_a_class():
    from mypref_harness.contract.schemathesis.hooks import coverage_class_of

    one = coverage_class_of(_coverage_case("POST", "incorrect_type", "FirstName", "body"))
    other = coverage_class_of(_coverage_case("POST", "incorrect_type", "FirstName", "body"))
    assert one == other and one is not None
    assert one.scenario == "incorrect_type" and one.location == "body" and one.parameter == "FirstName"
    assert coverage_class_of(_coverage_case("POST", "incorrect_type", "LastName", "body")) != one


def test_undeclared_methods_of_an_operation_share_one_class():
    from mypref_harness.contract.schemathesis.hooks import coverage_class_of

    put = coverage_class_of(_coverage_case("PUT", "incorrect_type", None, "path"))
    trace = coverage_class_of(_coverage_case("TRACE", "invalid_format", "x", "query"))
    assert put == trace and put is not None and put.scenario == "unexpected_method"


def test_a_case_with_one_negative_part_is_not_positive_and_other_phases_have_no_class():
    from mypref_harness.contract.schemathesis.hooks import coverage_class_of, is_positive_case

    assert is_positive_case(_coverage_case("POST", "valid_string", "n", "body", mode="positive"))
    assert not is_positive_case(
        _coverage_case("POST", "valid_string", "n", "query", mode="positive", body_mode="negative")
    )
    assert coverage_class_of(_case("positive", phase="fuzzing")) is None


def test_hypothesis_describes_one_lambda_at_a_time_once_installed():
    from hypothesis.internal import lambda_sources
    from hypothesis.internal.reflection import get_pretty_function_description

    from mypref_harness.contract.schemathesis.hooks import serialize_lambda_descriptions

    serialize_lambda_descriptions()
    wrapped = lambda_sources.lambda_description
    assert getattr(wrapped, "serialized", False)
    serialize_lambda_descriptions()  # idempotent: not wrapped twice
    assert lambda_sources.lambda_description is wrapped
    assert get_pretty_function_description(lambda x: x + 1) == "lambda x: x + 1"
