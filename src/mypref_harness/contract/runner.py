"""`run_contract`: the Schemathesis conformance run against a Target, plus scenarios and auth conformance.

The orchestration only: the spec document and the operations chosen (contract/spec_document.py), the
Schemathesis subprocess (contract/schemathesis/prepare.py and launch.py), its reports parsed into a
ContractResult (contract/schemathesis/results.py), the read-back scenarios, the route table, the auth
conformance checks and the verdict policy. Every artifact is then redacted in place and scanned for secrets.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from mypref_harness.basis import PolicyError, VerdictPolicy
from mypref_harness.budget import request_hooks
from mypref_harness.config import Target
from mypref_harness.contract.artifacts import redact_text
from mypref_harness.contract.cases import CASE_DIR_NAME
from mypref_harness.contract.options import ALL_PHASES, ContractOptions
from mypref_harness.contract.reporting import finish_contract_reports
from mypref_harness.contract.results import CheckRecord, CheckTally, ContractResult
from mypref_harness.contract.route_probes import (
    bare_get_probes,
    search_probes,
    send_bare_gets,
    send_known_searches,
)
from mypref_harness.contract.routes import (
    ROUTE_CHECK,
    ScenarioRouteRecorder,
    read_route_log,
    route_findings,
    route_table,
)
from mypref_harness.contract.schemathesis.body_rules import describe_applied
from mypref_harness.contract.schemathesis.prepare import PreparedRun
from mypref_harness.contract.schemathesis.session import run_passes
from mypref_harness.contract.spec_document import load_spec_document, operations_regex
from mypref_harness.contract.verdicts import is_our_spec, judge_contract, load_policy, with_basis
from mypref_harness.embedded import resolved_target
from mypref_harness.errors import ConfigError
from mypref_harness.guards import check_reachable


@contextmanager
def _usable_target(target: Target, options: ContractOptions) -> Iterator[Target]:
    if target.is_embedded:
        with resolved_target(target, **dict(options.sandbox_options)) as resolved:
            yield resolved
    else:
        check_reachable(target)
        yield target


def run_contract(target: Target, options: ContractOptions | None = None) -> ContractResult:
    """Schemathesis conformance (+ read-back scenarios, + auth conformance) against ``target``.

    An embedded target starts the sandbox for the duration of the run. Raises ConfigError (exit 2)
    for an unloadable spec or bad options and TargetUnreachable (exit 3) before any test runs.
    """
    options = options or ContractOptions()
    unknown = set(options.phases) - set(ALL_PHASES)
    if unknown:
        raise ConfigError(f"unknown phase(s): {', '.join(sorted(unknown))} (known: {', '.join(ALL_PHASES)})")
    started = time.perf_counter()
    policy_of(options, is_sandbox=target.is_embedded)  # a bad policy file fails before anything runs
    document = load_spec_document(target.spec)
    operations_regex(options.operations, document)  # bad selectors fail before a sandbox is started
    operations_regex(options.exclude_operations, document)
    if not target.is_embedded:
        target = target.with_spec(document)  # base URL vs spec paths: fails before anything is sent
    with _usable_target(target, options) as resolved:
        return _run_resolved(resolved.with_spec(document), options, document, started)


def policy_of(options: ContractOptions, *, is_sandbox: bool) -> VerdictPolicy:
    """The run's verdict policy; a policy file that cannot be used is a configuration error (exit 2)."""
    try:
        return load_policy(options.policy_file, strict=options.strict, is_sandbox=is_sandbox)
    except PolicyError as exc:
        raise ConfigError(str(exc)) from None


def _run_resolved(
    target: Target, options: ContractOptions, document: Mapping[str, Any], started: float
) -> ContractResult:
    from mypref_harness.auth.clock import AHEAD_THRESHOLD
    from mypref_harness.preflight import preflight

    report_dir = Path(options.report_dir).resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    result = ContractResult(target=target.base_url or "?", seed=options.seed)
    checked = preflight(target)
    skew, offset = checked.skew_s, checked.clock_offset
    if skew is not None and skew > AHEAD_THRESHOLD:
        result.warnings.append(
            f"local clock runs {skew:.0f} s ahead of the target's Date header: "
            f"signing {-offset:.0f} s in the past"
        )
    secrets = target.secrets()
    redact = lambda text: redact_text(text, secrets)  # noqa: E731
    # One Schemathesis run, or two budgeted passes (schemathesis/session.py)
    schemathesis = run_passes(
        target, options, document, clock_offset=offset, round_trip_s=checked.round_trip_s, redact=redact
    )
    prepared = schemathesis.passes[0]
    result.strict = prepared.strict
    result.links_added = prepared.links_added
    result.body_rules = describe_applied(prepared.body_rules)
    result.workers, result.workers_why = prepared.workers, prepared.workers_why
    result.schemathesis_exit_code = schemathesis.exit_code
    result.schemathesis_elapsed_s = result.subprocess_elapsed_s = schemathesis.elapsed_s
    result.budget = schemathesis.spend
    parsed = schemathesis.parsed
    users_spec = not is_our_spec(target.spec)
    result.findings = with_basis(parsed.findings, document, users_spec=users_spec)
    # Both budgeted passes save their failing cases in the first pass's (the run's) cases/ folder: one
    # documented place, reports/contract/cases/, whatever the budget did.
    case_dir = prepared.json_path.parent / CASE_DIR_NAME
    for each in schemathesis.passes:
        result.findings = _with_case_files(result.findings, target, options, each, redact, case_dir)
    result.tallies = parsed.tallies
    result.cases = parsed.cases
    result.operations_selected = parsed.operations_selected
    result.operations_tested = parsed.operations_tested
    result.errors = parsed.errors + ([parsed.fatal] if parsed.fatal else [])
    result.warnings += parsed.warnings
    if parsed.running_time:
        result.schemathesis_elapsed_s = parsed.running_time
    if options.seed is None:
        result.seed = _seed_of(prepared.json_path)
    policy = policy_of(options, is_sandbox=target.is_sandbox)
    scenario_routes = ScenarioRouteRecorder(document, target.spec_base_url or "", target.client_id_param)
    if options.scenarios:
        result.scenarios = _run_scenarios(target, document, options, offset, scenario_routes)
    _add_route_table(
        result, target, document, options, schemathesis.passes, scenario_routes, users_spec=users_spec,
        offset=offset,
    )
    if options.auth_conformance:
        from mypref_harness.contract.auth_conformance.probe import ConformanceOptions
        from mypref_harness.contract.auth_conformance.run import run_auth_conformance

        result.conformance = run_auth_conformance(
            target,
            ConformanceOptions(report_dir=report_dir, slow=options.slow, write_reports=False, policy=policy),
        )
    judge_contract(result, policy)
    result.elapsed_s = time.perf_counter() - started
    finish_contract_reports(result, target, report_dir)
    return result


def _with_case_files(
    findings: list[CheckRecord],
    target: Target,
    options: ContractOptions,
    prepared: PreparedRun,
    redact: Callable[[str], str],
    case_dir: Path,
) -> list[CheckRecord]:
    """Each failing case of one pass as ``case_dir/<id>.json``; findings get their replay command."""
    from mypref_harness.contract.cases import cases_from_junit, with_replays, write_cases

    cases = cases_from_junit(prepared.junit_path, target.base_url or "")
    if target.is_sandbox:  # a replay starts an embedded sandbox the same way
        defects = list(dict(options.sandbox_options).get("defects") or ())
        for case in cases:
            case.sandbox = {"defects": defects}
    index = write_cases(cases, case_dir, redact)
    return with_replays(findings, index, cases)


def _run_scenarios(
    target: Target,
    document: Mapping[str, Any],
    options: ContractOptions,
    offset: float,
    recorder: ScenarioRouteRecorder,
) -> list[CheckRecord]:
    """The read-back scenarios, their answers also recorded as route evidence (contract/routes.py)."""
    import httpx

    from mypref_harness.contract.scenarios import run_scenarios
    from mypref_harness.credentials import auth_for

    with httpx.Client(
        auth=auth_for(target, clock_offset=offset),
        timeout=15.0,
        event_hooks={**request_hooks(), "response": [recorder]},  # paced and booked on the budget
    ) as client:
        return run_scenarios(
            target,
            document,
            updates=options.scenario_updates,
            clock_offset=offset,
            client=client,
            allow_missing_roles=options.allow_missing_roles,
        )


def _add_route_table(
    result: ContractResult,
    target: Target,
    document: Mapping[str, Any],
    options: ContractOptions,
    passes: Sequence[PreparedRun],
    scenario_routes: ScenarioRouteRecorder,
    *,
    users_spec: bool,
    offset: float,
) -> None:
    """The route table; on a configured target, a finding per route not found (basis: its confidence)."""
    include = operations_regex(options.operations, document)
    exclude = operations_regex(options.exclude_operations, document)
    evidence = [*(read_route_log(each.route_log) for each in passes), scenario_routes.evidence]
    routes = route_table(document, *evidence)
    # Undecided GETs that name no resource (one bare GET each) and searches known data can decide
    # (contract/route_probes.py); only on a configured target: every route exists on the embedded sandbox.
    bare = [] if target.is_sandbox else bare_get_probes(document, routes, target.client_id_param)
    searches = [] if target.is_sandbox else search_probes(document, routes, target.client_id_param)
    if bare or searches:
        import httpx

        from mypref_harness.credentials import auth_for

        base_url, client_id = target.spec_base_url or "", target.client_id or ""
        with httpx.Client(
            auth=auth_for(target, clock_offset=offset), timeout=15.0, event_hooks=request_hooks()
        ) as client:
            evidence.append(send_bare_gets(bare, client, base_url, client_id))
            evidence.append(
                send_known_searches(
                    searches,
                    client,
                    base_url,
                    client_id,
                    document,
                    table=target.operations,
                    client_id_param=target.client_id_param,
                )
            )
        routes = route_table(document, *evidence)
    result.routes = [
        r
        for r in routes
        if (not include or re.search(include, r.label)) and not (exclude and re.search(exclude, r.label))
    ]
    if target.is_sandbox:
        return  # every route of the spec exists on the embedded sandbox: the table is information only
    missing = route_findings(result.routes, users_spec=users_spec)
    result.findings += missing
    decided = sum(1 for r in result.routes if r.state.value in ("confirmed", "not_found"))
    result.tallies.append(CheckTally(check=ROUTE_CHECK, runs=decided, failures=len(missing)))


def _seed_of(json_path: Path) -> int | None:
    try:
        seed = json.loads(json_path.read_text(encoding="utf-8")).get("seed")
    except (OSError, ValueError):
        return None
    return int(seed) if isinstance(seed, int) else None
