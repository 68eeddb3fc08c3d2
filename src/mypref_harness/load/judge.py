"""Judging a finished (or stopped) Locust run, in this process: SLOs, the acknowledged writes read
back, the summary, the JUnit file and the secret scan of everything written.

Totals come from Locust's ``--json-file`` (its ``_stats.csv`` can lag the final summary by about a
second); the judging is plain Python, so none of it runs under gevent.
"""

from __future__ import annotations

import contextlib
import json
import signal
from pathlib import Path
from typing import Any

import mypref_harness.load.runtime as runtime
import mypref_harness.load.slo as slo_mod
import mypref_harness.load.stats as st
from mypref_harness.config import Target
from mypref_harness.errors import ExitCode, HarnessError, RunIncomplete
from mypref_harness.load.integrity import IntegrityReport, read_jsonl, verify
from mypref_harness.load.junit import write_slo_junit
from mypref_harness.load.options import LoadOptions
from mypref_harness.load.plan import LoadPlan
from mypref_harness.load.read_back import profile_fetcher
from mypref_harness.load.result import LoadResult
from mypref_harness.load.scenarios import load_model
from mypref_harness.load.summary import build_summary, build_timeline, read_history, write_summary
from mypref_harness.load.templates import LoadTemplates, left_out, left_out_line
from mypref_harness.report import scan_for_secrets


def judge_partial(
    p: LoadPlan,
    options: LoadOptions,
    target: Target,
    slo: slo_mod.SloSet,
    json_path: Path,
    out: Path,
    prefix: Path,
    interrupted: KeyboardInterrupt | RunIncomplete,
    clock_offset: float,
    templates: LoadTemplates,
) -> None:
    """The summary of a run stopped early (a signal, or out of time), as far as Locust got, marked
    incomplete. No read-back of the writes: whoever stopped the run wants it to end now."""
    if not json_path.exists():
        return
    if isinstance(interrupted, RunIncomplete):
        reason, code = "ran out of time (--timeout)", int(ExitCode.INCOMPLETE)
    else:
        signum = int(getattr(interrupted, "signum", signal.SIGINT))
        reason, code = f"stopped by {signal.Signals(signum).name}", 128 + signum
    with contextlib.suppress(HarnessError):
        entries = st.load_locust_json(json_path)
        judge(
            p,
            options,
            target,
            slo,
            0,
            entries,
            out,
            prefix,
            incomplete=reason,
            exit_code=code,
            clock_offset=clock_offset,
            templates=templates,
        )


def judge(
    p: LoadPlan,
    options: LoadOptions,
    target: Target,
    slo: slo_mod.SloSet,
    verify_sample: int | None,
    entries: list[st.EntryStats],
    out: Path,
    prefix: Path,
    *,
    incomplete: str = "",
    exit_code: int | None = None,
    clock_offset: float = 0.0,
    templates: LoadTemplates,
) -> LoadResult:
    """Judge a finished run; ``incomplete`` (the reason) marks a run that was stopped early: it never
    passes, and ``exit_code`` is then the one the command exits with. Scenarios the spec left out of
    the mix (``templates``) are a finding unless ``--allow-missing-roles``."""
    everything = st.select(entries)
    business = st.business(entries)
    throttled = st.throttled(entries).requests
    slo_results = slo_mod.evaluate(slo, entries, processes=p.load_processes)
    integrity = _read_back(out, target, options, verify_sample, clock_offset, templates)
    left = left_out(load_model(options.scenario_file, options.think_time), templates)
    missing_roles = left_out_line(left) if left else ""
    timeline = build_timeline(entries, read_history(Path(f"{prefix}_stats_history.csv")))
    counters = _read_processes(out / runtime.PROCESSES_FILE)
    # Like the contract's scenarios: a scenario the spec cannot serve is a finding on any target (with
    # our spec on the embedded sandbox every role resolves), unless the user accepted it.
    finding = "" if options.allow_missing_roles else missing_roles
    passed, message = _verdict(incomplete, everything.requests, slo_results, integrity, finding)
    if exit_code is None:
        exit_code = ExitCode.OK if passed else ExitCode.FINDINGS
    run_info = _run_info(p, options, target, slo, out, clock_offset) | {"left_out": missing_roles or None}
    summary = build_summary(
        entries=entries,
        slo_results=slo_results,
        integrity=integrity,
        timeline=timeline,
        processes=counters,
        run=run_info,
        passed=passed,
        exit_code=int(exit_code),
        incomplete=incomplete,
    )
    json_summary, md_summary = write_summary(out, summary)
    junit = write_slo_junit(out / "junit-slo.xml", slo_results, integrity, target)
    locust_files_made = sorted(
        f for f in out.iterdir() if f.name.startswith("locust") and f.suffix in (".csv", ".html", ".json")
    )
    files = [json_summary, md_summary, junit, *locust_files_made]
    _scan_reports(out, target)
    return LoadResult(
        passed=passed,
        exit_code=int(exit_code),
        requests=everything.requests,
        failures=everything.failures - throttled,
        fail_ratio=(everything.failures - throttled) / everything.requests if everything.requests else 0.0,
        throttled=throttled,
        rps=everything.rps,
        p50_ms=business.percentile(0.5),
        p95_ms=business.percentile(0.95),
        p99_ms=business.percentile(0.99),
        token_requests=st.token_requests(entries),
        processes=p.load_processes,
        duration_s=everything.duration,
        slo_results=slo_results,
        integrity=integrity,
        report_files=files,
        timeline=timeline,
        process_counters=counters,
        report_dir=out,
        message=message,
        left_out=missing_roles,
    )


def _read_back(
    out: Path,
    target: Target,
    options: LoadOptions,
    verify_sample: int | None,
    clock_offset: float,
    templates: LoadTemplates,
) -> IntegrityReport | None:
    """The acknowledged writes of the ledger read back from the target (None: ``--verify-writes off``,
    or a spec without a read-profile operation: then no task that writes runs either)."""
    writes = read_jsonl(out / runtime.LEDGER_FILE)
    read_profile = templates.templates.get("profile_by_id")
    if verify_sample == 0 or read_profile is None:
        return None
    fetch = profile_fetcher(target, read_profile, auth_off=options.auth_off, clock_offset=clock_offset)
    try:
        return verify(writes, fetch, sample=verify_sample)
    finally:
        fetch.close()


def _verdict(
    incomplete: str,
    requests: int,
    slo_results: list[slo_mod.SloResult],
    integrity: IntegrityReport | None,
    missing_roles: str = "",
) -> tuple[bool, str]:
    """(passed, one-line message): a stopped or empty run never passes; else no breach, no lost write
    and no scenario left out that counts (``missing_roles``: its line)."""
    if incomplete:
        return False, f"incomplete: {incomplete}"
    if not requests:
        return False, "no requests were made"
    breaches = slo_mod.breaches(slo_results)
    lost = integrity is not None and not integrity.passed
    if not breaches and not lost and not missing_roles:
        return True, "passed"
    return False, "; ".join(
        ([f"{len(breaches)} SLO breach(es)"] if breaches else [])
        + ([integrity.summary_line()] if lost and integrity else [])
        + ([f"{missing_roles} (map them in mypref.toml [operations], or --allow-missing-roles)"]
           if missing_roles else [])
    )


def _run_info(
    p: LoadPlan, options: LoadOptions, target: Target, slo: slo_mod.SloSet, out: Path, clock_offset: float
) -> dict[str, Any]:
    """What was run, for the summary's header."""
    return {
        "target": target.base_url,
        "auth": "off" if options.auth_off else target.auth,
        "load": p.description,
        "processes": p.load_processes,
        "mode": _mode(options),
        "slo_file": slo.source,
        "signing_clock_offset_s": round(clock_offset, 1),
        "report_dir": str(out),
    }


def _mode(options: LoadOptions) -> str:
    if options.distributed_local:
        return f"distributed-local ({options.distributed_local} workers)"
    if options.master:
        return f"master ({options.expect_workers} workers)"
    if options.processes > 1:
        return f"--processes {options.processes}"
    return "local"


def _read_processes(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else []


def _scan_reports(out: Path, target: Target) -> None:
    leaks = scan_for_secrets([out], target.named_secrets())
    if leaks:
        raise HarnessError(
            f"secret scan: {len(leaks)} leak(s) in load reports, first: {leaks[0]}", ExitCode.FINDINGS
        )
