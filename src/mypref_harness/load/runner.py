"""Build and run Locust as subprocesses, then judge the run in this (gevent-free) process.

Locust never runs in the caller's process: it monkey-patches the standard library with gevent,
which breaks Schemathesis/requests in the same interpreter (tooling-notes pitfall 1). Every run is
bounded (``-t`` or a shape that ends, plus a subprocess timeout after which the whole process group
is killed), masters bind to loopback unless told otherwise (pitfall 11), and totals come from
``--json-file`` (pitfall 10).

Modes: local (one process), ``--processes N`` (Locust forks N workers under a master),
``distributed_local=N`` (a master and N worker processes on this machine), ``master`` (waits for
``expect_workers`` remote workers) and ``worker`` (connects to a master; reports nothing itself).
"""

from __future__ import annotations

import contextlib
import math
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mypref_harness.load.runtime as runtime
import mypref_harness.load.slo as slo_mod
import mypref_harness.load.stats as st
from mypref_harness import procs, resources
from mypref_harness.config import Target, target_env
from mypref_harness.embedded import resolved_target
from mypref_harness.errors import ConfigError, ExitCode, HarnessError, RunIncomplete, TargetUnreachable
from mypref_harness.guards import check_reachable, is_production
from mypref_harness.load.integrity import (
    IntegrityReport,
    ProfileUnreadable,
    parse_verify_mode,
    read_jsonl,
    verify,
)
from mypref_harness.load.scenarios import (
    REQUEST_TEMPLATES,
    Route,
    format_routes,
    load_model,
    parse_think_time,
)
from mypref_harness.load.shapes import (
    build_stages,
    check_shape_name,
    format_duration,
    parse_duration,
    total_duration,
)
from mypref_harness.load.summary import (
    TimelinePoint,
    build_summary,
    build_timeline,
    read_history,
    write_summary,
)

DEFAULT_REPORT_DIR = Path("reports/load")
DEFAULT_MASTER_PORT = 5557
DEFAULT_USERS = 5
DEFAULT_SPAWN_RATE = 5.0
DEFAULT_DURATION = 15.0
STOP_TIMEOUT = 5  # seconds users get to finish their task after the end
STARTUP_ALLOWANCE = 60.0  # seconds on top of the run time before the subprocess is killed
LOCUST_STOP_GRACE = 10.0  # seconds Locust gets after SIGTERM to stop its users and write its reports
PROGRESS_EVERY_S = 2.0  # how often a running Locust's stats history is read for the live progress line


@dataclass
class LoadOptions:
    shape: str | None = None  # smoke | ramp | spike | soak; None = plain users/spawn rate/duration
    users: int | None = None
    spawn_rate: float | None = None
    duration: float | str | None = None  # seconds or "15s", "2m"
    slo_file: Path | str | None = None  # None = loadtests/slo.toml
    processes: int = 1  # Locust --processes (1 = a single process)
    distributed_local: int = 0  # > 0: a master plus this many local worker processes
    master: bool = False
    expect_workers: int = 1
    worker: bool = False
    master_host: str = "127.0.0.1"  # where a worker finds its master
    master_port: int = DEFAULT_MASTER_PORT
    master_bind_host: str = "127.0.0.1"
    expect_workers_max_wait: float = 60.0
    web: bool = False
    web_host: str = "127.0.0.1"
    web_port: int = 8089
    report_dir: Path | str = DEFAULT_REPORT_DIR
    scenario_file: Path | str | None = None
    think_time: str | None = None  # "MIN:MAX" seconds for every user kind
    verify_writes: str | int | None = "all"  # all | off | sample size
    allow_production: bool = False
    auth_off: bool = False  # bench baseline only: needs a target without auth
    token_refresh_margin: float | None = None
    token_jitter: float | None = None
    sandbox_options: dict[str, Any] = field(default_factory=dict)  # for an embedded target
    html: bool = True
    timeout: float | None = None  # subprocess limit; default = run time + STARTUP_ALLOWANCE
    echo: bool = False  # also stream Locust's output to our stderr
    # Routes the target does not have (the contract stage's "not found" routes): the users never send
    # them, so a missing guessed route is one contract finding, not a flood of load failures.
    absent_routes: frozenset[Route] = frozenset()


@dataclass
class LoadResult:
    """A judged run. ``requests``/``failures``/``fail_ratio``/``rps`` count every request (token and
    setup requests included); ``p50_ms``/``p95_ms``/``p99_ms`` are over business traffic only
    (config, lookup, write, history). ``timeline`` has one point per second of the run."""

    passed: bool
    exit_code: int
    requests: int = 0
    failures: int = 0  # every kind but throttling
    fail_ratio: float = 0.0
    throttled: int = 0  # requests answered 429, token endpoint included (an error kind of its own)
    rps: float = 0.0
    p50_ms: float | None = None
    p95_ms: float | None = None
    p99_ms: float | None = None
    token_requests: int = 0
    processes: int = 1
    duration_s: float = 0.0
    slo_results: list[slo_mod.SloResult] = field(default_factory=list)
    integrity: IntegrityReport | None = None
    report_files: list[Path] = field(default_factory=list)
    timeline: list[TimelinePoint] = field(default_factory=list)
    process_counters: list[dict[str, Any]] = field(default_factory=list)
    report_dir: Path | None = None
    message: str = ""

    @property
    def breaches(self) -> list[slo_mod.SloResult]:
        return slo_mod.breaches(self.slo_results)


# --------------------------------------------------------------------------- planning (pure)


@dataclass(frozen=True)
class Plan:
    """What will run: resolved load parameters (validated before anything starts)."""

    shape: str | None
    users: int
    spawn_rate: float
    duration: float
    load_processes: int  # processes generating load (for per-process token budgets)
    description: str


def plan(options: LoadOptions) -> Plan:
    if options.processes < 1:
        raise ConfigError(f"--processes must be >= 1, got {options.processes}")
    if options.distributed_local < 0:
        raise ConfigError(f"--distributed-local must be >= 0, got {options.distributed_local}")
    if options.master and options.expect_workers < 1:
        raise ConfigError("--expect-workers must be >= 1")
    duration = parse_duration(options.duration) if options.duration is not None else None
    if options.think_time:
        parse_think_time(options.think_time)
    load_processes = (
        options.distributed_local or (options.expect_workers if options.master else 0) or options.processes
    )
    if options.shape:
        check_shape_name(options.shape)
        stages = build_stages(
            options.shape, users=options.users, spawn_rate=options.spawn_rate, duration=duration
        )
        peak = max(s.users for s in stages)
        total = total_duration(stages)
        desc = f"shape {options.shape}: up to {peak} users for {format_duration(total)}"
        return Plan(options.shape, peak, stages[0].spawn_rate, total, load_processes, desc)
    users = options.users if options.users is not None else DEFAULT_USERS
    rate = options.spawn_rate if options.spawn_rate is not None else DEFAULT_SPAWN_RATE
    total = duration if duration is not None else DEFAULT_DURATION
    if users < 1:
        raise ConfigError(f"--users must be >= 1, got {users}")
    if rate <= 0:
        raise ConfigError(f"--spawn-rate must be positive, got {rate}")
    desc = f"{users} users (spawn {rate:g}/s) for {format_duration(total)}"
    return Plan(None, users, rate, total, load_processes, desc)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def locust_files(p: Plan) -> str:
    files = [str(resources.locustfile())]
    if p.shape:
        files.append(str(resources.shapes_file()))
    return ",".join(files)


def load_args(p: Plan) -> list[str]:
    """-u/-r/-t for a plain run; nothing for a shaped run (the shape sets users and ends the run)."""
    if p.shape:
        return []
    return ["-u", str(p.users), "-r", f"{p.spawn_rate:g}", "-t", format_duration(p.duration)]


def report_args(prefix: Path, html: bool) -> list[str]:
    args = ["--csv", str(prefix), "--csv-full-history", "--json-file", str(prefix)]
    if html:
        args += ["--html", f"{prefix}.html"]
    return args


def base_command(p: Plan, *, host: str | None) -> list[str]:
    cmd = [sys.executable, "-m", "locust", "-f", locust_files(p), "--exit-code-on-error", "0"]
    if host:
        cmd += ["--host", host]
    return cmd


def headless_args(options: LoadOptions) -> list[str]:
    if options.web:
        return ["--web-host", options.web_host, "--web-port", str(options.web_port)]
    return ["--headless", "--only-summary", "--stop-timeout", str(STOP_TIMEOUT)]


def local_command(p: Plan, options: LoadOptions, *, host: str, prefix: Path, master_port: int) -> list[str]:
    cmd = (
        base_command(p, host=host) + headless_args(options) + load_args(p) + report_args(prefix, options.html)
    )
    if options.processes > 1:
        # The forked workers connect to --master-port, the master listens on --master-bind-port:
        # both must name our free port, or the workers knock on 5557 forever.
        cmd += [
            "--processes",
            str(options.processes),
            "--master-bind-host",
            "127.0.0.1",
            "--master-bind-port",
            str(master_port),
            "--master-port",
            str(master_port),
            "--expect-workers-max-wait",
            f"{options.expect_workers_max_wait:g}",
        ]
    return cmd


def master_command(
    p: Plan, options: LoadOptions, *, host: str, prefix: Path, bind_host: str, port: int, workers: int
) -> list[str]:
    return (
        base_command(p, host=host)
        + headless_args(options)
        + load_args(p)
        + report_args(prefix, options.html)
        + [
            "--master",
            "--master-bind-host",
            bind_host,
            "--master-bind-port",
            str(port),
            "--expect-workers",
            str(workers),
            "--expect-workers-max-wait",
            f"{options.expect_workers_max_wait:g}",
        ]
    )


def worker_command(p: Plan, *, master_host: str, port: int) -> list[str]:
    return [*base_command(p, host=None), "--worker", "--master-host", master_host, "--master-port", str(port)]


def run_env(
    p: Plan, options: LoadOptions, *, target: Target | None, run_id: str, out_dir: Path | None
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MYPREF_", "LOCUST_"))}
    if target is not None:
        env.update(target_env(target))
    else:  # a stand-alone worker: keep the user's own configuration
        env.update({k: v for k, v in os.environ.items() if k.startswith("MYPREF_")})
    env[runtime.ENV_RUN_ID] = run_id
    if out_dir is not None:
        env[runtime.ENV_OUT_DIR] = str(out_dir)
    if options.scenario_file:
        env[runtime.ENV_SCENARIO] = str(Path(options.scenario_file).resolve())
    if options.think_time:
        env[runtime.ENV_THINK_TIME] = options.think_time
    if p.shape:
        env[runtime.ENV_SHAPE] = p.shape
        if options.users is not None:
            env[runtime.ENV_USERS] = str(options.users)
        if options.spawn_rate is not None:
            env[runtime.ENV_SPAWN_RATE] = f"{options.spawn_rate:g}"
        if options.duration is not None:
            env[runtime.ENV_DURATION] = f"{p.duration:g}"
    if options.auth_off:
        env[runtime.ENV_AUTH_OFF] = "1"
    if options.token_refresh_margin is not None:
        env[runtime.ENV_TOKEN_MARGIN] = f"{options.token_refresh_margin:g}"
    if options.token_jitter is not None:
        env[runtime.ENV_TOKEN_JITTER] = f"{options.token_jitter:g}"
    if options.absent_routes:
        env[runtime.ENV_ABSENT_ROUTES] = format_routes(options.absent_routes)
    env["PYTHONUNBUFFERED"] = "1"
    return env


# --------------------------------------------------------------------------- processes


@dataclass
class Proc:
    name: str
    child: procs.Child
    log: Path


def _start(name: str, cmd: Sequence[str], env: Mapping[str, str], cwd: Path, log: Path, echo: bool) -> Proc:
    with log.open("wb") as handle:  # the child keeps its own copy of the descriptor
        child = procs.start(
            cmd,
            name=f"locust {name}",
            env=dict(env),
            cwd=cwd,
            stdout=None if echo else handle,
            stderr=subprocess.STDOUT if not echo else None,
            stdin=subprocess.DEVNULL,
        )
    return Proc(name, child, log)


@contextlib.contextmanager
def _processes() -> Iterator[list[Proc]]:
    started: list[Proc] = []
    try:
        yield started
    finally:
        # Locust writes its reports when it gets SIGTERM: give it the time to.
        for proc in started:
            proc.child.stop(grace=LOCUST_STOP_GRACE)


def _tail(log: Path, lines: int = 8) -> str:
    try:
        text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text[-lines:])


def _wait(proc: Proc, deadline: float | None, history: Path | None = None) -> int:
    """Wait for a Locust process; with ``history`` (its stats_history CSV), publish a progress line
    (users, rps, p95, failures) every few seconds for the live display (mypref_harness.progress)."""
    deadline = deadline if deadline is not None or history is None else float("inf")
    while True:
        timeout = None if deadline is None else max(1.0, deadline - time.monotonic())
        if history is not None:
            timeout = min(timeout or PROGRESS_EVERY_S, PROGRESS_EVERY_S)
        try:
            return proc.child.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            if deadline is not None and time.monotonic() < deadline:
                _publish_progress(history)
                continue
            proc.child.stop(grace=LOCUST_STOP_GRACE)
            raise RunIncomplete(
                f"Locust {proc.name} did not finish in time and was stopped: no verdict; log: {proc.log}"
            ) from None


def _publish_progress(history: Path | None) -> None:
    from mypref_harness import progress
    from mypref_harness.load.summary import progress_line

    line = progress_line(history) if history is not None else None
    if line:
        progress.publish("load", line)


# --------------------------------------------------------------------------- preflight


def measure_signing_offset(target: Target) -> float:
    """Seconds to add to the local clock when signing, from the target's Date header: the policy of
    every command (auth.clock.signing_offset_for), so a target whose clock runs minutes behind or
    ahead of ours is not "credentials rejected"."""
    from mypref_harness.auth.clock import signing_offset_for
    from mypref_harness.contract.probes import measure_clock_skew

    return signing_offset_for(measure_clock_skew(target))


def request_auth(target: Target, *, auth_off: bool = False, clock_offset: float = 0.0) -> Any:
    """The httpx auth of the harness's own requests (preflight, read-back), signed in server time."""
    from mypref_harness.credentials import auth_for, token_source_for

    if auth_off:
        return None
    source = token_source_for(target, clock_offset=clock_offset) if target.auth == "oauth" else None
    return auth_for(target, token_source=source, clock_offset=clock_offset)


def preflight(
    target: Target, *, auth_off: bool = False, timeout: float = 10.0, clock_offset: float = 0.0
) -> None:
    """One authenticated configuration read before the load starts: bad credentials or a wrong
    ClientId fail here with one clear line instead of a run full of 401s."""
    import httpx

    assert target.base_url and target.client_id
    url = target.base_url + REQUEST_TEMPLATES["programs"].url(clientId=target.client_id)
    auth = request_auth(target, auth_off=auth_off, clock_offset=clock_offset)
    try:
        response = httpx.get(url, auth=auth, timeout=timeout, headers={"Accept": "application/json"})
    except httpx.TransportError as exc:
        raise TargetUnreachable(f"{target.base_url}: {type(exc).__name__}: {exc}") from None
    if response.status_code in (401, 403):
        try:
            message = response.json().get("Message")
        except (ValueError, AttributeError):
            message = None
        detail = f": {message}" if message else ""
        raise ConfigError(
            f"credentials rejected by {target.base_url} (HTTP {response.status_code}{detail}); "
            f"check the {target.auth} settings"
        )
    if response.status_code == 404:
        raise ConfigError(f"ClientId {target.client_id!r} not found at {target.base_url} (HTTP 404)")
    if response.status_code >= 500:
        raise TargetUnreachable(
            f"{target.base_url} answered HTTP {response.status_code} to a configuration read"
        )


READ_BACK_ATTEMPTS = 3
MAX_READ_BACK_WAIT = 5.0  # seconds the read-back waits at most after a 429, whatever Retry-After says


def profile_fetcher(
    target: Target,
    *,
    auth_off: bool = False,
    timeout: float = 10.0,
    clock_offset: float = 0.0,
    transport: Any = None,
    sleep: Any = time.sleep,
) -> Any:
    """fetch(profile_id) -> body | None (404) for the integrity read-back.

    A transport error or a 5xx is retried at once, a 429 after its Retry-After (bounded): a
    throttling target must not turn acknowledged writes into "unreadable" ones.
    """
    import httpx

    from mypref_harness.auth.clock import retry_after_seconds

    auth = request_auth(target, auth_off=auth_off, clock_offset=clock_offset)
    client = httpx.Client(auth=auth, timeout=timeout, transport=transport)

    def fetch(profile_id: int) -> Any:
        url = target.base_url + REQUEST_TEMPLATES["profile_by_id"].url(  # type: ignore[operator]
            clientId=target.client_id, profileId=profile_id
        )
        last = ""
        for attempt in range(1, READ_BACK_ATTEMPTS + 1):
            try:
                response = client.get(url, headers={"Accept": "application/json"})
            except httpx.TransportError as exc:
                last = type(exc).__name__
                continue
            if response.status_code == 200:
                return response.json()
            if response.status_code == 404:
                return None
            last = f"HTTP {response.status_code}"
            if response.status_code == 429 and attempt < READ_BACK_ATTEMPTS:
                after = retry_after_seconds(response.headers.get("retry-after"))
                sleep(min(MAX_READ_BACK_WAIT, 1.0 if after is None else after))
        raise ProfileUnreadable(last)

    fetch.close = client.close  # type: ignore[attr-defined]
    return fetch


# --------------------------------------------------------------------------- the run


def _production_guard(target: Target, options: LoadOptions) -> None:
    if is_production(target) and not options.allow_production:
        raise ConfigError(
            f"refusing to load-test the production host of {target.base_url or target.token_url}; "
            "pass --allow-production if you really mean it"
        )


def run_load(target: Target, options: LoadOptions) -> LoadResult:
    """Run the load test described by ``options`` against ``target`` and judge it."""
    p = plan(options)
    slo = slo_mod.load_slo(options.slo_file)  # a bad SLO file fails before anything starts
    verify_sample = parse_verify_mode(options.verify_writes)
    load_model(options.scenario_file, options.think_time)  # same for a bad scenario file
    _production_guard(target, options)
    if options.worker:
        return _run_worker(p, options)
    if not target.is_embedded:
        check_reachable(target)
    with resolved_target(target, **options.sandbox_options) as resolved:
        _production_guard(resolved, options)
        offset = 0.0 if options.auth_off else measure_signing_offset(resolved)
        preflight(resolved, auth_off=options.auth_off, clock_offset=offset)
        return _run_and_judge(p, options, resolved, slo, verify_sample, offset)


def _run_worker(p: Plan, options: LoadOptions) -> LoadResult:
    out = Path(options.report_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = run_env(p, options, target=None, run_id=uuid.uuid4().hex[:8], out_dir=None)
    cmd = worker_command(p, master_host=options.master_host, port=options.master_port)
    with _processes() as started_procs:
        started_procs.append(_start("worker", cmd, env, out, out / "locust-worker.log", echo=True))
        deadline = None if options.timeout is None else time.monotonic() + options.timeout
        code = _wait(started_procs[0], deadline)
    ok = code == 0
    return LoadResult(
        passed=ok, exit_code=0 if ok else ExitCode.FINDINGS, message=f"worker exited with {code}"
    )


def _run_and_judge(
    p: Plan,
    options: LoadOptions,
    target: Target,
    slo: slo_mod.SloSet,
    verify_sample: int | None,
    clock_offset: float = 0.0,
) -> LoadResult:
    assert target.base_url is not None
    run_id = uuid.uuid4().hex[:8]
    out = Path(options.report_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    # Results of an earlier run in the same directory must never be judged as this run's.
    for stale in out.iterdir():
        if stale.is_file() and (
            stale.name.startswith("locust")
            or stale.name
            in (runtime.LEDGER_FILE, runtime.PROCESSES_FILE, "summary.json", "summary.md", "junit-slo.xml")
        ):
            stale.unlink()
    prefix = out / "locust"
    env = run_env(p, options, target=target, run_id=run_id, out_dir=out)
    env[runtime.ENV_CLOCK_OFFSET] = f"{clock_offset:.3f}"
    limit = options.timeout
    if limit is None and not options.web:
        limit = (
            p.duration
            + STOP_TIMEOUT
            + STARTUP_ALLOWANCE
            + (options.expect_workers_max_wait if options.master else 0)
        )
    started = time.monotonic()
    with _processes() as started_procs:
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
            started_procs.append(_start("master", cmd, env, out, out / "locust-master.log", options.echo))
            for i in range(options.distributed_local):
                wcmd = worker_command(p, master_host="127.0.0.1", port=port)
                started_procs.append(
                    _start(f"worker {i + 1}", wcmd, env, out, out / f"locust-worker-{i + 1}.log", False)
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
            started_procs.append(_start("master", cmd, env, out, out / "locust-master.log", options.echo))
        else:
            cmd = local_command(p, options, host=target.base_url, prefix=prefix, master_port=free_port())
            started_procs.append(_start("process", cmd, env, out, out / "locust.log", options.echo))
        deadline = None if limit is None else started + limit
        interrupted: KeyboardInterrupt | RunIncomplete | None = None
        try:
            code = _wait(started_procs[0], deadline, history=Path(f"{prefix}_stats_history.csv"))
        except RunIncomplete as exc:  # out of time: Locust was stopped (and wrote its reports)
            code, interrupted = 0, exc
        except KeyboardInterrupt as exc:
            # Ctrl-C, or SIGTERM (procs.Terminated): let Locust shut down cleanly (it writes its
            # reports on SIGTERM), then judge what was run. An interactive (web) run ends this way.
            started_procs[0].child.stop(grace=30.0 if options.web else LOCUST_STOP_GRACE)
            code = 0
            interrupted = None if options.web else exc
        for worker in started_procs[1:] if interrupted is None else ():
            with contextlib.suppress(HarnessError):
                _wait(worker, time.monotonic() + 15)
    json_path = Path(f"{prefix}.json")
    if interrupted is not None:
        _judge_partial(p, options, target, slo, json_path, out, prefix, interrupted, clock_offset)
        raise interrupted
    if code != 0 or not json_path.exists():
        log = started_procs[0].log
        raise HarnessError(
            f"Locust exited with {code} without results; log {log}: {_tail(log)}",
            ExitCode.FINDINGS,
        )
    entries = st.load_locust_json(json_path)
    return judge(p, options, target, slo, verify_sample, entries, out, prefix, clock_offset=clock_offset)


def _judge_partial(
    p: Plan,
    options: LoadOptions,
    target: Target,
    slo: slo_mod.SloSet,
    json_path: Path,
    out: Path,
    prefix: Path,
    interrupted: KeyboardInterrupt | RunIncomplete,
    clock_offset: float,
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
        judge(p, options, target, slo, 0, entries, out, prefix, incomplete=reason, exit_code=code,
              clock_offset=clock_offset)


def judge(
    p: Plan,
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
) -> LoadResult:
    """Judge a finished run; ``incomplete`` (the reason) marks a run that was stopped early: it never
    passes, and ``exit_code`` is then the one the command exits with."""
    everything = st.select(entries)
    business = st.business(entries)
    throttled = st.throttled(entries).requests
    slo_results = slo_mod.evaluate(slo, entries, processes=p.load_processes)
    integrity = None
    writes = read_jsonl(out / runtime.LEDGER_FILE)
    if verify_sample != 0:
        fetch = profile_fetcher(target, auth_off=options.auth_off, clock_offset=clock_offset)
        try:
            integrity = verify(writes, fetch, sample=verify_sample)
        finally:
            fetch.close()
    timeline = build_timeline(entries, read_history(Path(f"{prefix}_stats_history.csv")))
    counters = _read_processes(out / runtime.PROCESSES_FILE)
    breaches = slo_mod.breaches(slo_results)
    lost = integrity is not None and not integrity.passed
    if incomplete:
        passed, message = False, f"incomplete: {incomplete}"
    elif not everything.requests:
        passed, message = False, "no requests were made"
    else:
        passed = not breaches and not lost
        message = (
            "passed"
            if passed
            else "; ".join(
                ([f"{len(breaches)} SLO breach(es)"] if breaches else [])
                + ([integrity.summary_line()] if lost and integrity else [])
            )
        )
    if exit_code is None:
        exit_code = ExitCode.OK if passed else ExitCode.FINDINGS
    run_info = {
        "target": target.base_url,
        "auth": "off" if options.auth_off else target.auth,
        "load": p.description,
        "processes": p.load_processes,
        "mode": _mode(options),
        "slo_file": slo.source,
        "signing_clock_offset_s": round(clock_offset, 1),
        "report_dir": str(out),
    }
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
    junit = _write_junit(out / "junit-slo.xml", slo_results, integrity, target)
    locust_files_made = sorted(
        f for f in out.iterdir() if f.name.startswith("locust") and f.suffix in (".csv", ".html", ".json")
    )
    files = [json_summary, md_summary, junit, *locust_files_made]
    _scan(out, target)
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
    )


def read_user_exceptions(path: Path) -> list[str]:
    """Exceptions raised inside Locust users (a harness bug or an unexpected response), one line each."""
    import csv

    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            f"{row.get('Count')}x {(row.get('Message') or '').strip()[:200]}"
            for row in csv.DictReader(handle)
        ]


def _mode(options: LoadOptions) -> str:
    if options.distributed_local:
        return f"distributed-local ({options.distributed_local} workers)"
    if options.master:
        return f"master ({options.expect_workers} workers)"
    if options.processes > 1:
        return f"--processes {options.processes}"
    return "local"


def _read_processes(path: Path) -> list[dict[str, Any]]:
    import json

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return data if isinstance(data, list) else []


def _write_junit(
    path: Path, results: Sequence[slo_mod.SloResult], integrity: IntegrityReport | None, target: Target
) -> Path:
    from mypref_harness.report import JUnitCase, write_junit

    cases = []
    for r in results:
        verb = "violates" if not r.passed else "meets"
        text = f"{r.name}: actual {r.actual} {verb} {r.comparison} {r.limit}"
        if r.skipped:
            text = f"{r.name}: no data"
        if r.detail:
            text += f" ({r.detail})"
        cases.append(
            JUnitCase(
                name=r.name,
                classname="load.slo",
                failure=None if r.passed else text,
                skipped=text if r.skipped else None,
                stdout=None if not r.passed else text,
            )
        )
    if integrity is not None:
        line = integrity.summary_line()
        cases.append(
            JUnitCase(
                name="integrity.acknowledged_writes",
                classname="load.integrity",
                failure=None if integrity.passed else line,
                stdout=line,
            )
        )
    return write_junit(path, "mypref-harness load SLOs", cases, secrets=target.secrets())


def _scan(out: Path, target: Target) -> None:
    from mypref_harness.report import scan_for_secrets

    leaks = scan_for_secrets([out], target.named_secrets())
    if leaks:
        raise HarnessError(
            f"secret scan: {len(leaks)} leak(s) in load reports, first: {leaks[0]}", ExitCode.FINDINGS
        )


def token_budget(duration_s: float, lifetime_s: float, early_s: float) -> int:
    """The issue's bound on token fetches per process: ceil(duration / (lifetime - early)) + 1."""
    return math.ceil(duration_s / (lifetime_s - early_s)) + 1
