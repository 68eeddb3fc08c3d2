"""Prepare a Schemathesis run: its toml, the spec it tests, its command line and environment.

Schemathesis runs as a subprocess (``schemathesis --config-file <run toml> run <spec> --url ...``)
with contracts/hooks.py: that keeps the harness process free of Schemathesis's global registries and
of requests/gevent import-order trouble, and costs next to nothing. The target (secrets included)
reaches the hooks through the subprocess environment (``MYPREF_*``); files get no secrets.
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mypref_harness import resources
from mypref_harness.budget import DEFAULT_REMOTE_RATE_LIMIT, rate_of, workers_for
from mypref_harness.config import Target, target_env
from mypref_harness.contract.budget_plan import ENV_PLAN, LEFT_OUT_NAME, BudgetPlan
from mypref_harness.contract.cache import user_cache_dir
from mypref_harness.contract.options import ContractOptions
from mypref_harness.contract.routes import ENV_ROUTE_LOG
from mypref_harness.contract.schemathesis.auth import ENV_CLOCK_OFFSET
from mypref_harness.contract.schemathesis.body_rules import restore_body_rules
from mypref_harness.contract.schemathesis.config import (
    body_resource_overrides,
    budgeted_config,
    client_id_parameter_names,
    dump_toml,
    load_base_config,
    run_config,
    state_conflict_overrides,
)
from mypref_harness.contract.schemathesis.progress import ENV_LEDGER, ENV_PROGRESS
from mypref_harness.contract.schemathesis.role_links import add_role_links
from mypref_harness.contract.schemathesis.spec_transform import (
    drop_free_form_query_objects,
    lenient_spec,
    select_operations,
    unconstrain_path_parameters,
)
from mypref_harness.contract.spec_document import operations_regex
from mypref_harness.contract.verdicts import load_policy
from mypref_harness.guards import is_loopback

ROUTE_LOG_NAME = "route-evidence.json"
# written by the subprocess's hooks while it runs (contract/schemathesis/progress.py)
PROGRESS_NAME = "progress.json"
# requests per phase and operation, written by the subprocess at exit (contract/schemathesis/progress.py)
LEDGER_NAME = "schemathesis-requests.json"
PLAN_NAME = "budget-plan.json"  # the budget's limits for this run; its hooks write LEFT_OUT_NAME next to it


def hypothesis_storage() -> Path:
    """A persistent per-user directory for Hypothesis's caches (a fresh one per run costs ~3 s)."""
    path = user_cache_dir("hypothesis")
    if path is None:
        path = Path(tempfile.gettempdir()) / "mypref-harness-hypothesis"
        path.mkdir(parents=True, exist_ok=True)
    return path


def schemathesis_command() -> list[str]:
    """The Schemathesis CLI of this interpreter's environment (its script, else ``python -m``)."""
    exe = Path(sys.executable).with_name("schemathesis")
    return [str(exe)] if exe.is_file() else [sys.executable, "-m", "schemathesis.cli"]


@dataclass
class PreparedRun:
    """Everything a prepared run needs: the command, its environment and where its files go."""

    command: list[str]
    env: dict[str, str]
    config_path: Path
    spec_path: Path
    ndjson_path: Path
    json_path: Path
    output_path: Path
    junit_path: Path
    strict: bool
    relaxed: int = 0
    route_log: Path = Path(ROUTE_LOG_NAME)
    workers: int = 1
    workers_why: str = ""  # how the worker count was chosen, for the summary
    links_added: int = 0  # stateful links added by role to a spec without links (role_links.py)
    body_rules: dict[str, int] = field(default_factory=dict)  # request-body rules restored (body_rules.py)


def choose_workers(
    given: int | None, rate_limit: str | None, *, local: bool, round_trip_s: float | None
) -> tuple[int, str]:
    """Schemathesis workers and why: the user's number; else, under a rate limit, enough that the limit,
    not the latency, sets the pace (rate x measured round trip, 1..16: 1 on a fast loopback target,
    2 at 20/s and 100 ms, also for a slow target on loopback such as the simulated remote one); else 1
    (no rate limit: the unlimited loopback sandbox, where more workers were slower on 2 cores)."""
    if given is not None:
        return given, f"{given} (--workers)"
    rate = rate_of(rate_limit)
    measured = workers_for(rate, round_trip_s)
    if measured is None or rate is None or round_trip_s is None:
        if rate is None:
            return 1, "1 (no rate limit" + (": loopback target)" if local else ")")
        return 1, "1 (no measured round trip)"
    return measured, (
        f"{measured} = ceil({rate:g}/s x {round_trip_s * 1000:.0f} ms round trip), clamped to 1..16,"
        " so that the rate limit, not the latency, sets the pace"
    )


def rate_limit_for(options: ContractOptions, *, local: bool) -> str | None:
    """The rate limit of the run: --rate-limit, else none on loopback, DEFAULT_REMOTE_RATE_LIMIT elsewhere."""
    if options.rate_limit is not None:
        return options.rate_limit
    return None if local else DEFAULT_REMOTE_RATE_LIMIT


def prepare_run(
    target: Target,
    options: ContractOptions,
    document: Mapping[str, Any],
    clock_offset: float = 0.0,
    round_trip_s: float | None = None,
    plan: BudgetPlan | None = None,
) -> PreparedRun:
    """Write the run's toml (and the lenient spec when needed) and build the command line.

    With a budget ``plan`` the run is limited by it (schemathesis/config.budgeted_config) and its hooks
    admit each case by it (contract/budget_plan.py); without one Schemathesis sends every case.
    """
    assert target.base_url and target.client_id
    # Schemathesis appends each spec path as written to its base-url (spec.paths.reconcile)
    base_url = target.spec_base_url or target.base_url
    report_dir = Path(options.report_dir).resolve()
    report_dir.mkdir(parents=True, exist_ok=True)
    local = is_loopback(target.base_url)
    strict = load_policy(options.policy_file, strict=options.strict, is_sandbox=target.is_sandbox).strict
    pinned = client_id_parameter_names(document, target.client_id_param)
    include = operations_regex(options.operations, document)
    exclude = operations_regex(options.exclude_operations, document)
    # Links first, on the whole spec: the selection below drops those to operations it leaves out.
    spec_doc, links_added = add_role_links(document, target.operations)
    if include or exclude:  # first: the copies below are then of a small document
        spec_doc, _ = select_operations(
            spec_doc,
            lambda label: (
                (not include or re.search(include, label) is not None)
                and (not exclude or re.search(exclude, label) is None)
            ),
        )
    spec_doc, relaxed = (spec_doc, 0) if strict else lenient_spec(spec_doc)
    spec_doc, _ = unconstrain_path_parameters(spec_doc, set(pinned))
    spec_doc, _ = drop_free_form_query_objects(spec_doc)
    spec_doc, body_rules = restore_body_rules(spec_doc)
    spec_path = report_dir / ("spec-run.json" if strict else "spec-run-lenient.json")
    spec_path.write_text(json.dumps(spec_doc, indent=1), encoding="utf-8")
    base = load_base_config(options.config_file or resources.schemathesis_config_file())
    rate_limit = rate_limit_for(options, local=local)
    workers, workers_why = choose_workers(options.workers, rate_limit, local=local, round_trip_s=round_trip_s)
    config = run_config(
        base,
        hooks_path=resources.contract_hooks_file(),
        base_url=base_url,
        client_id=target.client_id,
        client_id_params=pinned,
        max_examples=options.max_examples,
        seed=options.seed,
        phases=options.phases,
        local_target=local if options.unexpected_methods is None else options.unexpected_methods,
        rate_limit=rate_limit,
        workers=workers,
        # A configured target may answer a state conflict with 400, 402 or 409 (schemathesis/config.py); the
        # embedded sandbox keeps whatever it answers strict.
        operations=body_resource_overrides(spec_doc)
        + ([] if target.is_sandbox else state_conflict_overrides(base, spec_doc)),
    )
    config.setdefault("generation", {})["mode"] = options.mode
    if plan is not None:
        config = budgeted_config(config, plan)
        plan.write(report_dir / PLAN_NAME)
    config_path = report_dir / "schemathesis-run.toml"
    config_path.write_text(
        "# Generated by mypref-harness contract for this run; no secrets in here.\n" + dump_toml(config),
        encoding="utf-8",
    )
    ndjson_path, json_path = report_dir / "schemathesis-events.ndjson", report_dir / "schemathesis-run.json"
    # NDJSON only on request: its writer made coverage-heavy runs ~3x slower (see schemathesis/results.py).
    formats = (
        ["junit", "json"] + (["ndjson"] if options.keep_events else []) + (["html"] if options.html else [])
    )
    command = [
        *schemathesis_command(),
        "--no-color",
        "--config-file",
        str(config_path),
        "run",
        str(spec_path),
        "--url",
        base_url,
        "--report",
        ",".join(formats),
        "--report-dir",
        str(report_dir),
        "--report-junit-path",
        str(report_dir / "schemathesis-junit.xml"),
        "--report-json-path",
        str(json_path),
    ]
    if options.keep_events:  # a --report-ndjson-path alone already switches the (slow) NDJSON writer on
        command += ["--report-ndjson-path", str(ndjson_path)]
    if options.html:
        command += ["--report-html-path", str(report_dir / "schemathesis-html")]
    if include:
        command += ["--include-name-regex", include]
    if exclude:
        command += ["--exclude-name-regex", exclude]
    if options.checks:
        command += ["--checks", ",".join(options.checks)]
    if options.exclude_checks:
        command += ["--exclude-checks", ",".join(options.exclude_checks)]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MYPREF_", "SCHEMATHESIS_HOOKS"))}
    env.update(target_env(target))
    env[ENV_CLOCK_OFFSET] = f"{clock_offset:.3f}"  # read by the hooks (auth.py)
    env["PYTHONIOENCODING"] = "utf-8"
    progress_path = report_dir / PROGRESS_NAME  # cases so far, for the live progress line
    progress_path.unlink(missing_ok=True)
    env[ENV_PROGRESS] = str(progress_path)
    ledger_path = report_dir / LEDGER_NAME
    ledger_path.unlink(missing_ok=True)
    env[ENV_LEDGER] = str(ledger_path)
    (report_dir / LEFT_OUT_NAME).unlink(missing_ok=True)
    if plan is not None:
        env[ENV_PLAN] = str(report_dir / PLAN_NAME)
    route_log = report_dir / ROUTE_LOG_NAME  # positive answers per operation (contract/routes.py)
    route_log.unlink(missing_ok=True)
    env[ENV_ROUTE_LOG] = str(route_log)
    # Hypothesis caches what it extracts from the code base in its storage directory; a fresh one per
    # run (our scratch cwd) made every run ~3 s slower. Its example database stays off (toml).
    env.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", str(hypothesis_storage()))
    return PreparedRun(
        command,
        env,
        config_path,
        spec_path,
        ndjson_path,
        json_path,
        report_dir / "schemathesis-output.txt",
        report_dir / "schemathesis-junit.xml",
        strict,
        relaxed,
        route_log,
        workers,
        workers_why,
        links_added=links_added,
        body_rules=body_rules,
    )
