"""Running the auth conformance checks (and the discovery probes) against a target.

Each check (contract/auth_conformance/pnauth_checks.py, oauth_checks.py) returns an Outcome; the run
turns it into a CheckRecord (evidence = status, WWW-Authenticate, Message; never a signature or token)
and the verdict policy decides whether a finding fails or warns. An answer that decides nothing (5xx,
429, timeouts, after retries) never passes or fails a check: the check is ERRORED with the reason.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from mypref_harness import demo
from mypref_harness.auth import clock
from mypref_harness.auth.answers import UndecidedAnswer
from mypref_harness.basis import VerdictPolicy
from mypref_harness.budget import request_hooks
from mypref_harness.config import Target
from mypref_harness.contract.auth_conformance.catalog import ALL_CHECKS
from mypref_harness.contract.auth_conformance.discovery import run_probes, skew_fact
from mypref_harness.contract.auth_conformance.outcomes import Outcome, skipped
from mypref_harness.contract.auth_conformance.probe import (
    DEFAULT_PROBE_PATH,
    AuthProbe,
    ConformanceOptions,
    programs_path,
)
from mypref_harness.contract.auth_conformance.registry import AuthCheck
from mypref_harness.contract.results import CheckRecord, ConformanceResult, Status, judge_all
from mypref_harness.embedded import resolved_target
from mypref_harness.guards import check_reachable
from mypref_harness.secret import reveal


def applicable(check: AuthCheck, target: Target) -> str | None:
    """None when the check can run against ``target``, else why it is skipped."""
    if check.scheme == "pnauth" and not reveal(target.api_key):
        return "no PNAUTHINFO3 key configured (MYPREF_API_KEY)"
    if check.scheme == "oauth":
        if not target.token_url or not target.oauth_client_id:
            return "no OAuth client configured (MYPREF_TOKEN_URL, MYPREF_OAUTH_CLIENT_ID)"
        if not reveal(target.oauth_client_secret):
            return "OAuth with a certificate: the secret-based token checks do not apply"
    return None


def run_check(check: AuthCheck, probe: AuthProbe) -> CheckRecord:
    """One check as a record; an undecided answer makes it ERRORED (never passed or failed)."""
    started = time.perf_counter()
    why = applicable(check, probe.target)
    if why is not None:
        outcome = skipped(why)
    else:
        try:
            outcome = check.run(probe)
        except UndecidedAnswer as exc:
            outcome = Outcome(Status.ERRORED, f"no deciding answer: {exc.reason}")
    return CheckRecord(
        name=check.title,
        check=check.id,
        status=outcome.status,
        evidence=probe.redact(outcome.evidence),
        basis=check.rule.basis,
        elapsed_s=time.perf_counter() - started,
    )


def run_checks(probe: AuthProbe, only: Sequence[str] = ()) -> list[CheckRecord]:
    return [run_check(check, probe) for check in ALL_CHECKS if not only or check.id in only]


def policy_for(target: Target, options: ConformanceOptions) -> VerdictPolicy:
    """The options' policy, else strict on a sandbox the harness started and lenient elsewhere."""
    return options.policy or VerdictPolicy(strict=target.is_sandbox)


def run_auth_conformance(target: Target, options: ConformanceOptions | None = None) -> ConformanceResult:
    """All auth checks (and discovery probes) against ``target``; an embedded target starts the sandbox."""
    options = options or ConformanceOptions()
    if target.is_embedded:
        with resolved_target(target, **options.sandbox_options) as resolved:
            return _run(resolved, options)
    check_reachable(target)
    return _run(target, options)


def _run(target: Target, options: ConformanceOptions) -> ConformanceResult:
    from mypref_harness.preflight import preflight

    started = time.perf_counter()
    if options.foreign_client_id is None and target.is_sandbox and target.client_id != demo.SANCHEZ.client_id:
        options.foreign_client_id = demo.SANCHEZ.client_id
    if options.probe_path == DEFAULT_PROBE_PATH:
        options.probe_path = programs_path(target)
    policy = policy_for(target, options)
    result = ConformanceResult(target=target.base_url or "?", policy=policy.describe())
    with httpx.Client(timeout=options.timeout_s, event_hooks=request_hooks()) as client:
        probe = AuthProbe(target, options, client=client)
        # A 5xx/429 read is no configuration error here: every check then reports ERRORED on its own.
        checked = preflight(target, probe_path=options.probe_path, client=client, retrier=probe.retrier)
        skew, probe.clock_offset = checked.skew_s, checked.clock_offset
        offset = checked.clock_offset
        result.facts.append(skew_fact(skew, offset))
        if skew is not None and skew > clock.AHEAD_THRESHOLD:
            result.warnings.append(
                f"local clock runs {skew:.0f} s ahead of the target: signing {-offset:.0f} s in the past"
            )
        result.checks = judge_all(run_checks(probe, options.only), policy)
        if options.probes and (not options.only or "probes" in options.only):
            result.facts += run_probes(probe)
    if probe.retrier.retries or probe.retrier.undecided:
        result.warnings.append(f"the target answered 5xx/429 or timed out: {probe.retrier.summary()}")
    result.elapsed_s = time.perf_counter() - started
    if options.write_reports:
        from mypref_harness.contract.reporting import finish_conformance_reports

        directory = Path(options.report_dir).resolve()
        directory.mkdir(parents=True, exist_ok=True)
        finish_conformance_reports(result, target, directory)
    return result
