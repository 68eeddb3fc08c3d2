"""Benchmark: time to verdict on a simulated remote target, and the detection curve (issue 15).

Two parts, printed in one run (docs/time-to-verdict.md explains the figures and how to reproduce them):

(a) The gate against a simulated remote target: the sandbox started as its own process with
    ``--latency 100:10`` on a loopback port and configured as the target (MYPREF_BASE_URL, the
    PNAUTHINFO3 key and the OAuth client of tenant ACME_CORP), then ``mypref-harness gate --rate-limit
    20/s`` with the default budget of a configured target. Prints the wall time and the requests the
    sandbox received (its ``--request-log``), per stage and in all. Target: <= 5 min, <= 6,000 requests.

(b) The detection curve: for every seeded defect of the defect matrix (contract/matrix.py: the ones the
    contract and auth stages are meant to catch) and every budget (500, 1,000, 2,000, 4,000 requests and
    unlimited), one sandbox with that defect and one gate run of the contract and auth stages with that
    request budget; a defect counts as caught when one of the checks its matrix plan expects is among the
    gate's findings. Prints the share caught per budget. Target: 100 % at 3,000 requests or fewer.
    The curve runs on the fast loopback sandbox (the embedded one, strict policy, as `make gate`):
    what a budget catches depends on which requests it buys, not on how long each one takes.

Every cell is its own process with its own sandbox, stopped at the end; every gate run is bounded by
its budget and the stages' own timeouts, and the remote part by ``--timeout``.

    .venv/bin/python bench/bench_time_to_verdict.py                       # both parts
    .venv/bin/python bench/bench_time_to_verdict.py --remote-only [--latency 100:10] [--rate-limit 20/s]
    .venv/bin/python bench/bench_time_to_verdict.py --curve-only [--budgets 500,2000,unlimited]
                                                    [--defects sha1-accepted,put-as-post] [--jobs 2]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mypref_harness import procs
from mypref_harness.config import Target
from mypref_harness.contract.matrix import MatrixPlan, default_plans
from mypref_harness.embedded import DEFAULT_SANDBOX_CLIENT_ID, resolved_target
from mypref_harness.sandbox.process import running_sandbox
from mypref_harness.sandbox.request_log import LoggedRequest, api_requests, read_request_log

DEFAULT_BUDGETS = "500,1000,2000,4000,unlimited"
UNLIMITED = 0  # GateOptions.budget_requests: 0 = no request budget
CURVE_STAGES = ("contract", "auth")  # the stages that catch the seeded defects (load and vectors do not)
TARGET_WALL_S, TARGET_REQUESTS, TARGET_CURVE_BUDGET = 300.0, 6000, 3000
STAGE_LINE = re.compile(r"^\[\d+:\d+\] (\w+): running")
VERDICT_LINE = re.compile(r"^(\[\d+:\d+\] \w+: (PASS|FAIL|ERROR|INCOMPLETE)|gate: )")
SEED = 1  # one seed for every run, so two runs of the bench send the same cases


# -- (a) the simulated remote target ---------------------------------------------------------------


@dataclass
class RemoteResult:
    exit_code: int
    wall_s: float
    requests: int
    stages: list[tuple[str, float, int]] = field(default_factory=list)  # (stage, seconds, requests)
    timed_out: bool = False
    verdicts: list[str] = field(default_factory=list)  # the gate's stage results and its last word


def configured_env(credentials: dict[str, Any], client_id: str = DEFAULT_SANDBOX_CLIENT_ID) -> dict[str, str]:
    """The environment of a user who configured the sandbox as their target: both auth schemes' secrets,
    so auth conformance runs its PNAUTHINFO3 and its OAuth checks. No other MYPREF_* leaks in."""
    tenant = next(t for t in credentials["tenants"] if t["client_id"] == client_id)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYPREF_")}
    env.update({
        "MYPREF_BASE_URL": credentials["base_url"],
        "MYPREF_CLIENT_ID": client_id,
        "MYPREF_USER_ID": tenant["user_id"],
        "MYPREF_AUTH": "pnauth",
        "MYPREF_API_KEY": tenant["api_key"],
        "MYPREF_TOKEN_URL": credentials["token_url"],
        "MYPREF_OAUTH_CLIENT_ID": tenant["oauth"]["client_id"],
        "MYPREF_OAUTH_CLIENT_SECRET": tenant["oauth"]["client_secret"],
        "MYPREF_TARGET": "configured",
    })
    return env


def _stream(child: procs.Child, lines: list[tuple[float, str]], echo: bool) -> None:
    assert child.popen.stdout is not None
    for line in child.popen.stdout:
        lines.append((time.time(), line.rstrip("\n")))
        if echo:
            print("    | " + line.rstrip("\n"), flush=True)


def stage_windows(lines: Sequence[tuple[float, str]], started: float, ended: float,
                  ) -> list[tuple[str, float, float]]:
    """(stage, start, end) in wall-clock seconds from the gate's "[mm:ss] <stage>: running" lines; what
    comes before the first stage (the preflight) is a window of its own."""
    starts = [(t, m.group(1)) for t, text in lines if (m := STAGE_LINE.match(text))]
    bounds = [(name, t) for t, name in starts]
    if not bounds or bounds[0][1] > started:
        bounds.insert(0, ("preflight", started))
    ends = [t for _, t in bounds[1:]] + [ended]
    return [(name, t, end) for (name, t), end in zip(bounds, ends, strict=True)]


def split_by_stage(entries: Sequence[LoggedRequest], windows: Sequence[tuple[str, float, float]],
                   ) -> list[tuple[str, float, int]]:
    """(stage, seconds, requests) per window; a request belongs to the window in which it was answered."""
    return [(name, end - start, sum(1 for e in entries if start <= e.t < end))
            for name, start, end in windows]


def run_remote(latency: str, rate: str, timeout: float, gate_args: Sequence[str], echo: bool,
               keep: Path | None = None) -> RemoteResult:
    with tempfile.TemporaryDirectory(prefix="bench-ttv-remote-") as tmp:
        log = Path(tmp) / "requests.jsonl"
        reports = keep.resolve() if keep else Path(tmp) / "reports"
        with running_sandbox(extra_args=["--latency", latency, "--request-log", str(log)]) as sandbox:
            cmd = [sys.executable, "-m", "mypref_harness", "gate", "--rate-limit", rate,
                   "--seed", str(SEED), "--report-dir", str(reports), *gate_args]
            print(f"  $ {' '.join(cmd[1:])}   (target {sandbox.base_url}, latency {latency})", flush=True)
            lines: list[tuple[float, str]] = []
            started = time.time()
            timed_out = False
            with procs.running(cmd, name="gate", cwd=tmp, env=configured_env(sandbox.credentials),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as child:
                reader = threading.Thread(target=_stream, args=(child, lines, echo), daemon=True)
                reader.start()
                try:
                    code = child.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    timed_out, code = True, -1
                    child.stop()
                reader.join(timeout=10)
            ended = time.time()
        entries = api_requests(read_request_log(log), start=started, end=ended)
    windows = stage_windows(lines, started, ended)
    verdicts = [text for _, text in lines if VERDICT_LINE.match(text)]
    return RemoteResult(code, ended - started, len(entries), split_by_stage(entries, windows), timed_out,
                        verdicts)


def print_remote(result: RemoteResult, latency: str, rate: str) -> bool:
    print(f"\n  {'stage':10} {'seconds':>8} {'requests':>9}")
    for name, seconds, count in result.stages:
        print(f"  {name:10} {seconds:8.1f} {count:9d}")
    print(f"  {'total':10} {result.wall_s:8.1f} {result.requests:9d}")
    ok = (not result.timed_out and result.wall_s <= TARGET_WALL_S and result.requests <= TARGET_REQUESTS)
    verdict = "TIMED OUT" if result.timed_out else f"exit {result.exit_code}"
    print(f"\n  gate against latency {latency}, rate {rate}, default budget: {result.wall_s / 60:.1f} min, "
          f"{result.requests} requests ({verdict}); target <= {TARGET_WALL_S / 60:.0f} min and "
          f"<= {TARGET_REQUESTS} requests: {'MET' if ok else 'NOT MET'}")
    if result.exit_code != 0:  # a clean sandbox should pass: say which stage did not
        print("  the gate's verdicts:\n    " + "\n    ".join(result.verdicts))
    return ok


# -- (b) the detection curve -----------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    defect: str
    budget: int  # UNLIMITED = no budget
    caught: bool
    requests: int
    seconds: float
    found: tuple[str, ...]  # every check the gate reported (failed or warned), for the table
    error: str = ""


def parse_budgets(text: str) -> list[int]:
    budgets = []
    for part in text.split(","):
        part = part.strip().lower().replace("_", "")
        if part:
            budgets.append(UNLIMITED if part in ("unlimited", "0", "none") else int(part))
    return budgets


def budget_label(budget: int) -> str:
    return "unlimited" if budget == UNLIMITED else f"{budget:,}"


def sandbox_options(plan: MatrixPlan) -> dict[str, Any]:
    """The matrix plan's sandbox settings (e.g. a 2 s token lifetime, so the expired-token check runs)."""
    options = dict(plan.sandbox_options)
    return {k: v for k, v in options.items() if k in ("token_lifetime", "pnauth_window")}


def run_cell(plan: MatrixPlan, budget: int) -> Cell:
    """One gate (contract + auth stages) with ``budget`` requests against a sandbox with one defect."""
    from mypref_harness.gate.model import GateOptions
    from mypref_harness.gate.run import run_gate

    started = time.perf_counter()
    with procs.command_scope(), procs.temp_dir("bench-ttv-cell-") as tmp:
        log = tmp / "requests.jsonl"
        try:
            with resolved_target(Target(), defects=(plan.defect,), extra_args=["--request-log", str(log)],
                                 **sandbox_options(plan)) as target:
                result = run_gate(target, GateOptions(
                    stages=CURVE_STAGES, seed=SEED, report_dir=tmp / "reports",
                    budget_requests=budget, budget_time_s=0,
                ), progress=lambda _line: None)
        except Exception as exc:  # one broken cell is a row of the table, not the end of the bench
            error = f"{type(exc).__name__}: {exc}"
            return Cell(plan.defect, budget, False, 0, time.perf_counter() - started, (), error)
        found = tuple(dict.fromkeys(f["check"] for s in result.stages for f in s.findings))
        errors = "; ".join(f"{s.name}: {s.detail}" for s in result.stages if s.outcome == "error")
        return Cell(plan.defect, budget, any(check in plan.expected for check in found),
                    len(api_requests(read_request_log(log))), time.perf_counter() - started, found, errors)


def run_curve(plans: Sequence[MatrixPlan], budgets: Sequence[int], jobs: int) -> list[Cell]:
    """Every (defect, budget) cell, each in a fresh process (no state shared between gates)."""
    cells: list[Cell] = []
    work = [(plan, budget) for budget in budgets for plan in plans]
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(max_workers=max(1, jobs), mp_context=context,
                                                max_tasks_per_child=1) as pool:
        futures = {pool.submit(run_cell, plan, budget): (plan, budget) for plan, budget in work}
        for future in concurrent.futures.as_completed(futures):
            cell = future.result()
            cells.append(cell)
            mark = "caught" if cell.caught else ("ERROR " + cell.error if cell.error else "missed")
            print(f"  [{len(cells):3d}/{len(work)}] budget {budget_label(cell.budget):>9}  {cell.defect:27} "
                  f"{mark:7} {cell.requests:6d} requests {cell.seconds:6.1f} s", flush=True)
    return cells


def print_curve(plans: Sequence[MatrixPlan], budgets: Sequence[int], cells: Sequence[Cell]) -> bool:
    by_key = {(c.defect, c.budget): c for c in cells}
    header = "  " + f"{'defect':27}" + "".join(f"{budget_label(b):>11}" for b in budgets)
    print("\n" + header + "\n  " + "-" * (len(header) - 2))
    for plan in plans:
        row = "".join(f"{'yes' if by_key[(plan.defect, b)].caught else 'NO':>11}" for b in budgets)
        print(f"  {plan.defect:27}{row}")
    print("  " + "-" * (len(header) - 2))
    shares, sent = [], []
    for b in budgets:
        column = [by_key[(p.defect, b)] for p in plans]
        shares.append(sum(c.caught for c in column) / len(column))
        sent.append(max(c.requests for c in column))
    print("  " + f"{'caught':27}" + "".join(f"{s:>11.0%}" for s in shares))
    print("  " + f"{'requests sent (max)':27}" + "".join(f"{n:>11,}" for n in sent))
    reference = {p.defect for p in plans if UNLIMITED in budgets and by_key[(p.defect, UNLIMITED)].caught}
    full = [b for b in budgets if b != UNLIMITED and b <= TARGET_CURVE_BUDGET
            and all(by_key[(p.defect, b)].caught for p in plans)]
    ok = bool(full)
    print(f"\n  detection curve: 100 % at {budget_label(min(full)) if full else 'no budget'} <= "
          f"{TARGET_CURVE_BUDGET:,} requests: {'MET' if ok else 'NOT MET'}")
    if UNLIMITED in budgets:
        print(f"  the unlimited run catches {len(reference)}/{len(plans)}")
    broken = [c for c in cells if c.error]
    for c in broken:
        print(f"  error in {c.defect} at {budget_label(c.budget)}: {c.error[:300]}")
    return ok


# -- main ------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    part = parser.add_mutually_exclusive_group()
    part.add_argument("--remote-only", action="store_true", help="only (a): the gate on the simulated target")
    part.add_argument("--curve-only", action="store_true", help="only (b): the detection curve")
    parser.add_argument("--latency", default="100:10", help="the simulated target's latency, MS[:JITTER]")
    parser.add_argument("--rate-limit", default="20/s", help="the gate's --rate-limit")
    parser.add_argument("--timeout", type=float, default=900.0, help="stop the remote gate after S seconds")
    parser.add_argument("--gate-arg", action="append", default=[], metavar="ARG",
                        help="extra argument for the remote gate (repeatable), "
                        "e.g. --gate-arg=--budget-requests=8000")
    parser.add_argument("--budgets", default=DEFAULT_BUDGETS,
                        help=f"curve budgets (default {DEFAULT_BUDGETS})")
    parser.add_argument("--defects", default="",
                        help="curve defects, comma-separated (default: every matrix defect)")
    parser.add_argument("--jobs", type=int, default=1, help="curve cells run at once (default 1)")
    parser.add_argument("--echo", action="store_true", help="show the remote gate's output as it runs")
    parser.add_argument("--keep-reports", type=Path, default=None, metavar="DIR",
                        help="the remote gate's report folder (default: a temporary one, removed)")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    figures: dict[str, Any] = {}
    ok = True
    if not args.curve_only:
        print(f"== (a) gate on a simulated remote target (sandbox --latency {args.latency}, "
              f"gate --rate-limit {args.rate_limit})", flush=True)
        remote = run_remote(args.latency, args.rate_limit, args.timeout, args.gate_arg, args.echo,
                            args.keep_reports)
        ok = print_remote(remote, args.latency, args.rate_limit) and ok
        figures["remote"] = {"wall_s": round(remote.wall_s, 1), "requests": remote.requests,
                             "exit_code": remote.exit_code, "timed_out": remote.timed_out,
                             "stages": [{"stage": n, "seconds": round(s, 1), "requests": r}
                                        for n, s, r in remote.stages]}
    if not args.remote_only:
        plans = default_plans()
        if args.defects:
            wanted = {d.strip() for d in args.defects.split(",") if d.strip()}
            unknown = wanted - {p.defect for p in plans}
            if unknown:
                parser.error(f"not a matrix defect: {', '.join(sorted(unknown))}")
            plans = [p for p in plans if p.defect in wanted]
        budgets = parse_budgets(args.budgets)
        print(f"\n== (b) detection curve: {len(plans)} defects x budgets "
              f"{', '.join(budget_label(b) for b in budgets)} (loopback sandbox, stages "
              f"{','.join(CURVE_STAGES)}, seed {SEED})", flush=True)
        started = time.perf_counter()
        cells = run_curve(plans, budgets, args.jobs)
        ok = print_curve(plans, budgets, cells) and ok
        print(f"  curve wall time {time.perf_counter() - started:.0f} s", flush=True)
        figures["curve"] = [c.__dict__ | {"found": list(c.found)} for c in cells]
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
