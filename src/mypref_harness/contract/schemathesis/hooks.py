"""Registers our auth provider, hooks and custom checks with Schemathesis (called by contracts/hooks.py).

The target comes from the environment (``MYPREF_*`` via mypref_harness.config.load_target): the
harness passes the resolved target to the Schemathesis subprocess that way, so secrets never appear
in a file or on a command line. Only one Schemathesis auth provider applies to a case, so this one
provider handles both schemes.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mypref_harness.config import Target
from mypref_harness.contract.budget_plan import (
    ENV_PLAN,
    LEFT_OUT_NAME,
    BudgetPlan,
    CaseAdmission,
    CoverageClass,
    coverage_class,
)
from mypref_harness.contract.routes import RouteRecorder
from mypref_harness.contract.schemathesis.auth import ENV_CLOCK_OFFSET, ContractAuth
from mypref_harness.contract.schemathesis.checks import schemathesis_checks
from mypref_harness.contract.schemathesis.progress import CaseCounter
from mypref_harness.contract.schemathesis.swagger2_responses import install as install_swagger2_bodyless

_INSTALLED: dict[str, Any] = {}

# Catalog #107: "IsActive=false deletes" a webhook subscription. A create with IsActive=false is created
# and deleted at once, so the spec's link create -> update then finds nothing (Schemathesis reported
# ST302 "Created resource not found" on a clean target, depending on the seed). Creates keep their
# subscription; IsActive=false is still exercised on the update, where it means "delete".
SUBSCRIPTIONS_PATH_SUFFIX = "/webhooks/subscriptions"


def is_subscription_create(method: str, path: str) -> bool:
    return method.upper() == "POST" and path.rstrip("/").lower().endswith(SUBSCRIPTIONS_PATH_SUFFIX)


def mark_mixed_case_negative(case: Any) -> Any:
    """A case with any negative part is negative, whatever Schemathesis labelled the whole.

    Schemathesis 4.32's coverage phase varies one parameter at a time and fills the others in; for
    ``PUT .../Webhooks/Subscriptions/{id}`` it filled the body in with a negative value (``0``) and still
    labelled the case positive ("near-boundary" subscriptionId), so a target that rightly rejected the
    body with 400 got a positive_data_acceptance finding (issue 12). Relabelled negative, the case is
    judged by negative_data_rejection instead, which the 400 satisfies.
    """
    meta = getattr(case, "meta", None)
    generation = getattr(meta, "generation", None)
    components = getattr(meta, "components", None) or {}
    phase = str(getattr(getattr(getattr(meta, "phase", None), "name", None), "value", "")).lower()
    if generation is None or not _is_positive(generation.mode) or phase != "coverage":
        return case  # only the coverage phase was seen mislabelling (stateful relabels on purpose)
    negative = [c.mode for c in components.values() if not _is_positive(c.mode)]
    if negative:
        generation.mode = negative[0]
    return case


def case_phase(case: Any) -> str:
    """The Schemathesis phase that generated ``case`` (examples, coverage, fuzzing, stateful), or ''."""
    phase = getattr(getattr(getattr(case, "meta", None), "phase", None), "name", None)
    return str(getattr(phase, "value", phase or "")).lower()


def is_positive_case(case: Any) -> bool:
    """Positive data in every part (a case with one negative part expects a rejection)."""
    meta = getattr(case, "meta", None)
    generation = getattr(meta, "generation", None)
    components = getattr(meta, "components", None) or {}
    return _is_positive(getattr(generation, "mode", "positive")) and all(
        _is_positive(c.mode) for c in components.values()
    )


def coverage_class_of(case: Any) -> CoverageClass | None:
    """The equivalence class of a coverage-phase case (budget_plan.coverage_class); None for others."""
    data = getattr(getattr(getattr(case, "meta", None), "phase", None), "data", None)
    scenario = getattr(data, "scenario", None)
    if scenario is None:
        return None
    operation = getattr(case, "operation", None)
    location = getattr(data, "parameter_location", None)
    return coverage_class(
        str(getattr(operation, "label", "")),
        str(case.method),
        "positive" if is_positive_case(case) else "negative",
        str(getattr(scenario, "value", scenario)),
        str(getattr(location, "value", location)) if location is not None else None,
        getattr(data, "parameter", None) or getattr(data, "location", None),
        declared_method=str(getattr(operation, "method", case.method)),
    )


def install_admission(plan_path: Path) -> CaseAdmission:
    """The budget's admission of every generated case (contract/budget_plan.py) as Schemathesis hooks."""
    import schemathesis

    admission = CaseAdmission(BudgetPlan.read(plan_path))
    atexit.register(admission.write_left_out, plan_path.with_name(LEFT_OUT_NAME))

    def admit(case: Any) -> bool:
        label = str(getattr(getattr(case, "operation", None), "label", ""))
        return admission.admit(
            case_phase(case), label, positive=is_positive_case(case), klass=coverage_class_of(case)
        )

    @schemathesis.hook("filter_case")
    def within_budget(context: Any, case: Any) -> bool:
        return admit(case)

    @schemathesis.hook("before_add_examples")
    def examples_within_budget(context: Any, examples: list[Any]) -> None:
        examples[:] = [case for case in examples if admit(case)]  # the examples phase has no filter_case

    return admission


def _is_positive(mode: Any) -> bool:
    return str(getattr(mode, "value", mode)).lower() == "positive"


def subscription_create_body(body: Any) -> Any:
    """The body with IsActive=false turned into true (anything else unchanged, negative data too)."""
    if isinstance(body, dict) and body.get("IsActive") is False:
        return {**body, "IsActive": True}
    return body


def serialize_lambda_descriptions() -> None:
    """Let one thread at a time describe a lambda in Hypothesis (idempotent).

    Hypothesis 6.170 caches lambda source descriptions in shared LRU caches that are not thread-safe;
    Schemathesis's worker threads building ``.filter(lambda ...)`` strategies at once raced on them (a
    KeyError inside ``lambda_sources``, reported as "Runtime Error: Inconsistent results" for a coverage
    case, seen with 3 workers on the simulated remote target). The description is only for messages.
    """
    from hypothesis.internal import lambda_sources

    original = lambda_sources.lambda_description
    if getattr(original, "serialized", False):
        return
    lock = threading.Lock()

    def serialized(f: Any) -> str:
        with lock:
            return str(original(f))

    serialized.serialized = True  # type: ignore[attr-defined]
    lambda_sources.lambda_description = serialized


def clock_offset_from_env(env: Mapping[str, str]) -> float:
    raw = env.get(ENV_CLOCK_OFFSET, "").strip()
    try:
        return float(raw) if raw else 0.0
    except ValueError:
        return 0.0


def install(
    env: Mapping[str, str] | None = None, *, target: Target | None = None, clock_offset: float | None = None
) -> ContractAuth:
    """Register everything once per process; returns the ContractAuth in use.

    The CLI run passes the target through the environment (``env``); pytest users pass ``target``.
    """
    if "auth" in _INSTALLED:
        return _INSTALLED["auth"]
    import schemathesis

    from mypref_harness.config import load_target

    env = os.environ if env is None else env
    serialize_lambda_descriptions()  # Schemathesis workers are threads
    target = target if target is not None else load_target(env)
    offset = clock_offset if clock_offset is not None else clock_offset_from_env(env)
    logic = ContractAuth(target, clock_offset=offset)
    routes = RouteRecorder.from_env(env, target.client_id_param)  # None in the pytest flavour (no route log)
    counter = CaseCounter.from_env(env)  # the harness's live progress line (progress.py)

    # refresh_interval=None: get() runs for every case (the token cache lives in TokenSource);
    # retry_on=[]: no refetch on 401 (see the docstring of auth.py).
    @schemathesis.auth(refresh_interval=None, retry_on=[])
    class MyPreferencesAuth:
        def get(self, case: Any, ctx: Any) -> str:
            return logic.credential()

        def set(self, case: Any, data: str, ctx: Any) -> None:
            case.headers = case.headers or {}
            case.headers["Authorization"] = logic.header_for(case.path_parameters, data)

    @schemathesis.hook
    def before_call(context: Any, case: Any, kwargs: Any) -> None:
        logic.resign(case.headers, case.path_parameters)
        headers = kwargs.get("headers") if isinstance(kwargs, dict) else None
        if isinstance(headers, dict):  # the transport's own copy, when it already made one
            logic.resign(headers, case.path_parameters)

    @schemathesis.hook("map_case")
    def negative_when_any_part_is(context: Any, case: Any) -> Any:
        return mark_mixed_case_negative(case)

    @schemathesis.hook("map_body")
    def keep_created_subscriptions(context: Any, body: Any) -> Any:
        operation = getattr(context, "operation", None)
        if operation is not None and is_subscription_create(str(operation.method), str(operation.path)):
            return subscription_create_body(body)
        return body

    @schemathesis.hook
    def after_call(context: Any, case: Any, response: Any) -> None:
        logic.observe(getattr(response.request, "headers", None), response)
        if routes is not None:
            routes.observe_case(case, response)
        if counter is not None:  # by the operation's own label (the coverage phase also sends other methods)
            operation = getattr(case, "operation", None)
            counter.observe(
                str(getattr(operation, "label", "") or f"{str(case.method).upper()} {case.path}"),
                phase=case_phase(case),
                seconds=float(getattr(response, "elapsed", 0.0) or 0.0),
            )

    plan_path = env.get(ENV_PLAN, "").strip()
    if plan_path:  # a budgeted run (contract/budget_plan.py); unlimited runs send every case
        install_admission(Path(plan_path))

    for check in schemathesis_checks(target):
        schemathesis.check(check)
    install_swagger2_bodyless()  # content_type_conformance reads a 2.0 response without schema as empty
    _INSTALLED["auth"] = logic
    return logic
