"""Measuring a target profile (``discover``) and turning drift into findings (``--profile``).

The facts come from three places, each behind one small function so the seams stay visible:

* the auth discovery probes (``contract.auth_conformance.discovery.discover_facts``: typed facts by
  stable names);
* two data-API statuses measured here: ``create_status`` (role create-profile) and ``state_conflict_status``
  (a JSON Patch whose ``test`` operation fails on the profile just created), then the profile is
  deleted;
* the route table of a contract run (``ContractResult.routes``, or ``routes`` in a contract
  ``contract-result.json`` for the gate, whose contract stage ran in the same gate).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from mypref_harness.basis import VerdictPolicy
from mypref_harness.budget import request_hooks
from mypref_harness.config import Target
from mypref_harness.contract.results import CheckRecord, Status, judged
from mypref_harness.created import CREATE_STATUSES
from mypref_harness.profile import (
    FACTS,
    FACTS_BY_NAME,
    ROUTES_FACT,
    Drift,
    FactValue,
    TargetProfile,
    drift,
    parse_value,
    show,
)
from mypref_harness.report import redact

# A JSON Patch every implementation must refuse on a profile it just created: the test cannot hold.
FAILING_PATCH = [{"op": "test", "path": "/CustomerName/LastName", "value": "mypref-harness-never-this"}]


@dataclass(frozen=True)
class RouteTable:
    """Routes as "METHOD /path" by state: what a profile pins and what drift compares."""

    confirmed: tuple[str, ...]
    not_found: tuple[str, ...]
    undecided: tuple[str, ...] = ()


# ------------------------------------------------------------------------------------ facts


def facts_from_probes(facts: Iterable[Any]) -> tuple[dict[str, FactValue], dict[str, str]]:
    """Profile facts (and their evidence) from discovery-probe Facts with a profile fact's name.

    A probe fact carries a typed ``value`` and ``determined`` (False: the value is unknown and the
    evidence says why); facts with other names are not part of the profile.
    """
    values: dict[str, FactValue] = {}
    evidence: dict[str, str] = {}
    for fact in facts:
        spec = FACTS_BY_NAME.get(getattr(fact, "name", ""))
        if spec is None:
            continue
        determined = getattr(fact, "determined", True)
        values[spec.name] = parse_value(spec, fact.value, "probe") if determined else None
        if getattr(fact, "evidence", ""):
            evidence[spec.name] = str(fact.evidence)
    return values, evidence


def probe_facts(target: Target, *, slow: bool = False) -> list[Any]:
    """The auth discovery probes against a resolved target (no checks, no reports)."""
    from mypref_harness.contract.auth_conformance.discovery import discover_facts
    from mypref_harness.contract.auth_conformance.probe import ConformanceOptions

    return list(discover_facts(target, ConformanceOptions(slow=slow, write_reports=False)))


# ------------------------------------------------------------------------------------ statuses


def _profile_id(response: httpx.Response) -> str | None:
    """The created profile's id: ``ProfileId`` of the body, else the last segment of ``Location``."""
    from mypref_harness.created import created_id, location_header

    try:
        body = response.json()
    except ValueError:
        body = None
    found = created_id(body, location_header(response.headers))
    return None if found is None else str(found)


def measure_statuses(
    target: Target, document: Mapping[str, Any], client: httpx.Client
) -> tuple[dict[str, FactValue], dict[str, str]]:
    """``create_status`` and ``state_conflict_status`` on a profile created for the purpose (and deleted).

    ``client`` authenticates every request. A route the spec lacks or the target does not answer
    leaves the fact undetermined.
    """
    from mypref_harness.contract.profile_api import ProfileApi
    from mypref_harness.spec.roles import Role

    api = ProfileApi(target, document, client)
    values: dict[str, FactValue] = {"create_status": None, "state_conflict_status": None}
    evidence: dict[str, str] = {}
    if not api.has(Role.CREATE_PROFILE):
        evidence["create_status"] = api.lacks((Role.CREATE_PROFILE,))  # "unresolved role create-profile"
        return values, evidence
    tag = secrets.token_hex(4)
    body = {"CustomerName": {"FirstName": "Ada", "LastName": f"Profile{tag}"}}
    try:
        created = api.call(Role.CREATE_PROFILE, json=body)
        profile_id = _profile_id(created) if created.status_code in CREATE_STATUSES else None
        if profile_id is None:
            evidence["create_status"] = f"create-profile answered HTTP {created.status_code} without an id"
            return values, evidence
        api.created.append(profile_id)
        values["create_status"] = created.status_code
        create = api.routes[Role.CREATE_PROFILE]
        evidence["create_status"] = f"{create.label} (create-profile) -> HTTP {created.status_code}"
        if api.has(Role.PATCH_PROFILE):
            conflict = api.call(
                Role.PATCH_PROFILE,
                profile_id,
                content=json.dumps(FAILING_PATCH),
                headers={"Content-Type": "application/json-patch+json"},
            )
            evidence["state_conflict_status"] = (
                f"PATCH with a failing JSON Patch test op -> HTTP {conflict.status_code}"
            )
            if 400 <= conflict.status_code < 500 and conflict.status_code not in (401, 403, 404, 405, 415):
                values["state_conflict_status"] = conflict.status_code
    finally:
        api.cleanup()
    return values, evidence


# ------------------------------------------------------------------------------------ routes


def _route_text(method: str, path: str) -> str:
    return f"{method.upper()} {path}"


def routes_from_verdicts(verdicts: Sequence[Any] | None) -> RouteTable | None:
    """The route table of a contract run (``ContractResult.routes``); None when it has none."""
    if not verdicts:
        return None
    confirmed, missing, undecided = [], [], []
    for verdict in verdicts:
        state = str(_field(verdict, "state"))
        route = _route_text(str(_field(verdict, "method")), str(_field(verdict, "path")))
        if state == "confirmed":
            confirmed.append(route)
        elif state == "not_found":
            missing.append(route)
        elif state == "undecided":
            undecided.append(route)
    return RouteTable(tuple(sorted(confirmed)), tuple(sorted(missing)), tuple(sorted(undecided)))


def _field(verdict: Any, name: str) -> Any:
    return verdict.get(name) if isinstance(verdict, Mapping) else getattr(verdict, name, None)


def routes_from_report(path: Path) -> RouteTable | None:
    """The route table in a contract run's ``contract-result.json`` (None: absent or unreadable)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    routes = document.get("routes") if isinstance(document, dict) else None
    return routes_from_verdicts(routes if isinstance(routes, list) else None)


# ------------------------------------------------------------------------------------ the profile


def measure_profile(
    target: Target,
    *,
    routes: RouteTable | None = None,
    slow: bool = False,
    statuses: bool = True,
) -> TargetProfile:
    """Every fact of the profile, measured now on a resolved (running) target."""
    from mypref_harness.auth.clock import signing_offset_for
    from mypref_harness.contract.spec_document import load_spec_document
    from mypref_harness.credentials import auth_for
    from mypref_harness.preflight import measure_clock_skew

    values, evidence = facts_from_probes(probe_facts(target, slow=slow))
    if statuses:
        offset = signing_offset_for(measure_clock_skew(target))
        with httpx.Client(
            auth=auth_for(target, clock_offset=offset), timeout=15.0, event_hooks=request_hooks()
        ) as client:
            found, why = measure_statuses(target, load_spec_document(target.spec), client)
        values.update(found)
        evidence.update(why)
    # Belt and braces: probe evidence is redacted already, but a profile is committed to a repository.
    known_secrets = [value for value in target.secrets() if len(value) >= 4]
    evidence = {name: redact(text, known_secrets) for name, text in evidence.items()}
    return TargetProfile(
        facts={spec.name: values.get(spec.name) for spec in FACTS},
        confirmed_routes=None if routes is None else routes.confirmed,
        not_found_routes=() if routes is None else routes.not_found,
        undecided_routes=() if routes is None else routes.undecided,
        base_url=target.base_url or "",
        client_id=str(target.client_id or ""),
        auth=target.auth,
        discovered_at=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        evidence=evidence,
    )


# ------------------------------------------------------------------------------------ findings


def default_policy(target: Target) -> VerdictPolicy:
    """Strict on the embedded sandbox (our assumptions are its truth), the default policy elsewhere."""
    return VerdictPolicy(strict=target.is_sandbox)


def drift_records(
    pinned: TargetProfile, now: TargetProfile, policy: VerdictPolicy | None = None
) -> list[CheckRecord]:
    """One record per pinned fact: passed (as pinned), failed/warned (drift) or skipped (undetermined)."""
    policy = policy or VerdictPolicy()
    drifts = drift(pinned, now)
    records = [_drift_record(d, policy) for d in drifts]
    drifted = {d.fact for d in drifts}
    for spec in FACTS:
        before = pinned.value(spec.name)
        if spec.drifts and before is not None and spec.name not in drifted:
            records.append(
                CheckRecord(
                    name=f"{spec.name} as pinned",
                    check=f"profile.drift.{spec.name}",
                    status=Status.PASSED,
                    evidence=f"pinned {show(before)}, now {show(now.value(spec.name))}",
                    basis=spec.basis,
                )
            )
    if pinned.confirmed_routes and ROUTES_FACT not in drifted:
        records.append(
            CheckRecord(
                name=f"{ROUTES_FACT} as pinned",
                check=f"profile.drift.{ROUTES_FACT}",
                status=Status.PASSED,
                evidence=f"all {len(pinned.confirmed_routes)} pinned route(s) confirmed again",
            )
        )
    return records


def _drift_record(d: Drift, policy: VerdictPolicy) -> CheckRecord:
    if d.undetermined:
        return CheckRecord(
            name=f"{d.fact} undetermined now",
            check=d.check,
            status=Status.SKIPPED,
            evidence=f"pinned {d.pinned}, now {d.now} (reported, not a drift)",
            basis=d.basis,
        )
    record = CheckRecord(
        name=f"{d.fact} drifted",
        check=d.check,
        status=Status.FAILED,
        evidence=f"drift of {d.fact}: pinned {d.pinned}, now {d.now} ({d.basis})",
        basis=d.basis,
    )
    return judged(record, policy)


def check_profile(
    target: Target,
    pinned: TargetProfile,
    *,
    routes: RouteTable | None = None,
    slow: bool = False,
    policy: VerdictPolicy | None = None,
) -> tuple[TargetProfile, list[CheckRecord]]:
    """Measure the target now and compare with the pinned profile: (profile now, records)."""
    now = measure_profile(target, routes=routes, slow=slow)
    return now, drift_records(pinned, now, policy or default_policy(target))


# ------------------------------------------------------------------------------------ the commands


def pinned_profile(option: Path | None, target: Target) -> TargetProfile | None:
    """The profile ``--profile`` names, else the configuration's ``profile``; None when neither."""
    from mypref_harness.profile import load_profile

    path = option or target.profile
    return load_profile(path) if path else None


def conformance_with_profile(target: Target, options: Any, pinned: TargetProfile) -> Any:
    """``auth-conformance --profile``: the run, then every pinned fact re-measured, in one report."""
    from mypref_harness.contract.auth_conformance.run import policy_for, run_auth_conformance
    from mypref_harness.contract.reporting import finish_conformance_reports
    from mypref_harness.embedded import resolved_target

    write, options.write_reports = options.write_reports, False
    with resolved_target(target, **dict(options.sandbox_options)) as live:
        result = run_auth_conformance(live, options)
        _, records = check_profile(live, pinned, slow=options.slow, policy=policy_for(live, options))
        result.checks.extend(records)
        if write:
            directory = Path(options.report_dir).resolve()
            directory.mkdir(parents=True, exist_ok=True)
            finish_conformance_reports(result, live, directory)
    return result


def contract_with_profile(target: Target, options: Any, pinned: TargetProfile) -> Any:
    """``contract --profile``: the run, then the pinned facts and routes (this run's route table)
    re-measured; drift records join the scenarios' section of the reports."""
    from mypref_harness.contract.reporting import finish_contract_reports
    from mypref_harness.contract.runner import policy_of, run_contract
    from mypref_harness.embedded import resolved_target

    with resolved_target(target, **dict(options.sandbox_options)) as live:
        result = run_contract(live, options)
        routes = routes_from_verdicts(result.routes)
        policy = policy_of(options, is_sandbox=live.is_sandbox)
        _, records = check_profile(live, pinned, routes=routes, slow=options.slow, policy=policy)
        result.scenarios.extend(records)
        finish_contract_reports(result, live, Path(options.report_dir).resolve())
    return result
