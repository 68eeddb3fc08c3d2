"""``run_load``: check the options, prepare the target, run Locust in subprocesses, judge the run.

Locust never runs in the caller's process: it monkey-patches the standard library with gevent, and
importing it after ``requests`` (which Schemathesis imports) fails with a RecursionError, so a gate
or a test run that has Schemathesis loaded could not import it. Every run is bounded: ``-t`` or a
shape that ends, plus a time limit after which the whole process group is stopped.

Modes: local (one process), ``--processes N`` (Locust forks N workers under a master),
``distributed_local=N`` (a master and N worker processes on this machine), ``master`` (waits for
``expect_workers`` remote workers) and ``worker`` (connects to a master; reports nothing itself).
The steps live in their own modules: :mod:`.plan` (what will run), :mod:`.locust_command` (command
lines and environment), :mod:`.locust_process` (start, wait, stop), :mod:`.judge` (the verdict).
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import mypref_harness.load.locust_process as locust_process
import mypref_harness.load.runtime as runtime
import mypref_harness.load.slo as slo_mod
import mypref_harness.load.stats as st
from mypref_harness.config import Target
from mypref_harness.embedded import resolved_target
from mypref_harness.errors import ConfigError, ExitCode, HarnessError, RunIncomplete, TargetUnreachable
from mypref_harness.guards import check_reachable, guard_production
from mypref_harness.load.integrity import parse_verify_mode
from mypref_harness.load.judge import judge, judge_partial
from mypref_harness.load.locust_command import (
    STOP_TIMEOUT,
    free_port,
    local_command,
    master_command,
    run_env,
    worker_command,
)
from mypref_harness.load.locust_process import StartedLocust, stopped_at_exit
from mypref_harness.load.options import LoadOptions
from mypref_harness.load.plan import LoadPlan, plan
from mypref_harness.load.result import LoadResult
from mypref_harness.load.scenarios import TrafficModel, load_model
from mypref_harness.load.templates import (
    LoadTemplates,
    left_out,
    left_out_line,
    resolve_templates,
    runnable_model,
)
from mypref_harness.preflight import preflight
from mypref_harness.spec.document import read_document
from mypref_harness.spec.roles import resolve_roles

STARTUP_ALLOWANCE = 60.0  # seconds on top of the run time before the subprocess is killed
WEB_STOP_GRACE = 30.0  # an interactive (web) run ends with Ctrl-C: Locust gets longer to wrap up
WORKER_EXIT_WAIT = 15.0  # seconds each local worker gets to exit after its master


def run_load(target: Target, options: LoadOptions) -> LoadResult:
    """Run the load test described by ``options`` against ``target`` and judge it."""
    p = plan(options)
    slo = slo_mod.load_slo(options.slo_file)  # a bad SLO file fails before anything starts
    verify_sample = parse_verify_mode(options.verify_writes)
    model = load_model(options.scenario_file, options.think_time)  # same for a bad scenario file
    document = read_document(target.spec)  # the spec in use, resolved once here for every process
    templates = spec_templates(document, target, model)
    guard_production(target, allow=options.allow_production, action="load-test")
    if options.worker:
        placed = templates if target.is_embedded else on_target(target, document, templates)[1]
        return _run_worker(p, options, placed)
    if not target.is_embedded:
        check_reachable(target)
    with resolved_target(target, **options.sandbox_options) as embedded_or_configured:
        resolved, templates = on_target(embedded_or_configured, document, templates)
        guard_production(resolved, allow=options.allow_production, action="load-test")
        checked = preflight(resolved, auth_off=options.auth_off)
        if checked.undecided:
            # Load needs a healthy target: a run against one that cannot answer one read measures its errors.
            raise TargetUnreachable(f"{resolved.base_url} is unhealthy: {checked.undecided}")
        return _run_and_judge(p, options, resolved, slo, verify_sample, templates, checked.clock_offset)


def spec_templates(document: Mapping[str, Any], target: Target, model: TrafficModel) -> LoadTemplates:
    """The load suite's URL templates from the target's spec; ConfigError when it serves no scenario."""
    templates = resolve_templates(resolve_roles(document, target.operations))
    if not runnable_model(model, templates).active_users():
        why = left_out_line(left_out(model, templates))
        raise ConfigError(f"spec {target.spec} serves none of the load scenarios: {why}")
    return templates


def on_target(
    target: Target, document: Mapping[str, Any], templates: LoadTemplates
) -> tuple[Target, LoadTemplates]:
    """The target with the spec's paths reconciled with its base URL (Target.with_spec: ConfigError
    showing why when they cannot be) and its base URL at the API root they are relative to (the host
    Locust is given, the read-back's base), and the templates placed there."""
    reconciled = target.with_spec(document)
    api = reconciled.api_base
    assert api is not None
    return dataclasses.replace(reconciled, base_url=api.root), templates.placed(api)


def _run_worker(p: LoadPlan, options: LoadOptions, templates: LoadTemplates) -> LoadResult:
    out = Path(options.report_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = run_env(p, options, target=None, run_id=uuid.uuid4().hex[:8], out_dir=None, templates=templates)
    cmd = worker_command(p, master_host=options.master_host, port=options.master_port)
    with stopped_at_exit() as started_procs:
        started_procs.append(
            locust_process.start("worker", cmd, env, out, out / "locust-worker.log", echo=True)
        )
        deadline = None if options.timeout is None else time.monotonic() + options.timeout
        code = locust_process.wait(started_procs[0], deadline)
    ok = code == 0
    return LoadResult(
        passed=ok, exit_code=0 if ok else ExitCode.FINDINGS, message=f"worker exited with {code}"
    )


def _clear_stale_results(out: Path) -> None:
    """Results of an earlier run in the same directory must never be judged as this run's."""
    for stale in out.iterdir():
        if stale.is_file() and (
            stale.name.startswith("locust")
            or stale.name
            in (runtime.LEDGER_FILE, runtime.PROCESSES_FILE, "summary.json", "summary.md", "junit-slo.xml")
        ):
            stale.unlink()


def _time_limit(p: LoadPlan, options: LoadOptions) -> float | None:
    """Seconds the run may take before Locust is stopped; None for an interactive (web) run."""
    if options.timeout is not None or options.web:
        return options.timeout
    return (
        p.duration
        + STOP_TIMEOUT
        + STARTUP_ALLOWANCE
        + (options.expect_workers_max_wait if options.master else 0)
    )


def _start_locust(
    p: LoadPlan,
    options: LoadOptions,
    target: Target,
    env: dict[str, str],
    out: Path,
    started_procs: list[StartedLocust],
) -> None:
    """Start the run's Locust processes; the first one appended is the one that reports."""
    assert target.base_url is not None
    prefix = out / "locust"
    if options.distributed_local:
        port = free_port()
        cmd = master_command(
            p,
            options,
            host=target.base_url,
            prefix=prefix,
            bind_host="127.0.0.1",
            port=port,
            workers=options.distributed_local,
        )
        started_procs.append(
            locust_process.start("master", cmd, env, out, out / "locust-master.log", options.echo)
        )
        for i in range(options.distributed_local):
            wcmd = worker_command(p, master_host="127.0.0.1", port=port)
            started_procs.append(
                locust_process.start(
                    f"worker {i + 1}", wcmd, env, out, out / f"locust-worker-{i + 1}.log", False
                )
            )
    elif options.master:
        cmd = master_command(
            p,
            options,
            host=target.base_url,
            prefix=prefix,
            bind_host=options.master_bind_host,
            port=options.master_port,
            workers=options.expect_workers,
        )
        started_procs.append(
            locust_process.start("master", cmd, env, out, out / "locust-master.log", options.echo)
        )
    else:
        cmd = local_command(p, options, host=target.base_url, prefix=prefix, master_port=free_port())
        started_procs.append(locust_process.start("process", cmd, env, out, out / "locust.log", options.echo))


def _run_and_judge(
    p: LoadPlan,
    options: LoadOptions,
    target: Target,
    slo: slo_mod.SloSet,
    verify_sample: int | None,
    templates: LoadTemplates,
    clock_offset: float = 0.0,
) -> LoadResult:
    assert target.base_url is not None
    run_id = uuid.uuid4().hex[:8]
    out = Path(options.report_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    _clear_stale_results(out)
    prefix = out / "locust"
    env = run_env(p, options, target=target, run_id=run_id, out_dir=out, templates=templates)
    env[runtime.ENV_CLOCK_OFFSET] = f"{clock_offset:.3f}"
    limit = _time_limit(p, options)
    started = time.monotonic()
    with stopped_at_exit() as started_procs:
        _start_locust(p, options, target, env, out, started_procs)
        deadline = None if limit is None else started + limit
        interrupted: KeyboardInterrupt | RunIncomplete | None = None
        try:
            history = Path(f"{prefix}_stats_history.csv")
            code = locust_process.wait(started_procs[0], deadline, history=history)
        except RunIncomplete as exc:  # out of time: Locust was stopped (and wrote its reports)
            code, interrupted = 0, exc
        except KeyboardInterrupt as exc:
            # Ctrl-C, or SIGTERM (procs.Terminated): let Locust shut down cleanly (it writes its
            # reports on SIGTERM), then judge what was run. An interactive (web) run ends this way.
            grace = WEB_STOP_GRACE if options.web else locust_process.LOCUST_STOP_GRACE
            started_procs[0].child.stop(grace=grace)
            code = 0
            interrupted = None if options.web else exc
        for worker in started_procs[1:] if interrupted is None else ():
            with contextlib.suppress(HarnessError):
                locust_process.wait(worker, time.monotonic() + WORKER_EXIT_WAIT)
    json_path = Path(f"{prefix}.json")
    if interrupted is not None:
        judge_partial(p, options, target, slo, json_path, out, prefix, interrupted, clock_offset, templates)
        raise interrupted
    if code != 0 or not json_path.exists():
        log = started_procs[0].log
        raise HarnessError(
            f"Locust exited with {code} without results; log {log}: {locust_process.tail(log)}",
            ExitCode.FINDINGS,
        )
    entries = st.load_locust_json(json_path)
    return judge(
        p, options, target, slo, verify_sample, entries, out, prefix,
        clock_offset=clock_offset, templates=templates,
    )
