"""The Locust command lines and environment of a run: local, ``--processes N``, master and worker.

Every run is bounded: a plain run gets ``-t``, a shaped run ends with its shape. Masters (the
implicit one under ``--processes`` too) bind to loopback unless told otherwise, because Locust's
default is ``*:5557``; the web UI binds where ``--web-host`` says. Totals come from ``--json-file``:
Locust's ``_stats.csv`` can lag the final summary by about a second in local and ``--processes``
runs. Secrets travel in the environment (``target_env``), never in argv.
"""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import mypref_harness.load.runtime as runtime
from mypref_harness import resources
from mypref_harness.config import Target, target_env
from mypref_harness.load.options import LoadOptions
from mypref_harness.load.plan import LoadPlan
from mypref_harness.load.scenarios import format_routes
from mypref_harness.load.shapes import format_duration
from mypref_harness.load.templates import LoadTemplates

STOP_TIMEOUT = 5  # seconds users get to finish their task after the end


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now (for a local master), on ``host``."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def locust_files(p: LoadPlan) -> str:
    files = [str(resources.locustfile())]
    if p.shape:
        files.append(str(resources.shapes_file()))
    return ",".join(files)


def load_args(p: LoadPlan) -> list[str]:
    """-u/-r/-t for a plain run; nothing for a shaped run (the shape sets users and ends the run)."""
    if p.shape:
        return []
    return ["-u", str(p.users), "-r", f"{p.spawn_rate:g}", "-t", format_duration(p.duration)]


def report_args(prefix: Path, html: bool) -> list[str]:
    args = ["--csv", str(prefix), "--csv-full-history", "--json-file", str(prefix)]
    if html:
        args += ["--html", f"{prefix}.html"]
    return args


def base_command(p: LoadPlan, *, host: str | None) -> list[str]:
    cmd = [sys.executable, "-m", "locust", "-f", locust_files(p), "--exit-code-on-error", "0"]
    if host:
        cmd += ["--host", host]
    return cmd


def headless_args(options: LoadOptions) -> list[str]:
    if options.web:
        return ["--web-host", options.web_host, "--web-port", str(options.web_port)]
    return ["--headless", "--only-summary", "--stop-timeout", str(STOP_TIMEOUT)]


def local_command(
    p: LoadPlan, options: LoadOptions, *, host: str, prefix: Path, master_port: int
) -> list[str]:
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
    p: LoadPlan, options: LoadOptions, *, host: str, prefix: Path, bind_host: str, port: int, workers: int
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


def worker_command(p: LoadPlan, *, master_host: str, port: int) -> list[str]:
    return [*base_command(p, host=None), "--worker", "--master-host", master_host, "--master-port", str(port)]


def run_env(
    p: LoadPlan,
    options: LoadOptions,
    *,
    target: Target | None,
    run_id: str,
    out_dir: Path | None,
    templates: LoadTemplates,
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MYPREF_", "LOCUST_"))}
    if target is not None:
        env.update(target_env(target))
    else:  # a stand-alone worker: keep the user's own configuration
        env.update({k: v for k, v in os.environ.items() if k.startswith("MYPREF_")})
    env[runtime.ENV_RUN_ID] = run_id
    env[runtime.ENV_TEMPLATES] = templates.to_json()  # resolved once, here: no process parses the spec
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
    if options.rate_limit:  # shared out over the Locust processes that run users
        processes = max(1, options.processes, options.distributed_local)
        env[runtime.ENV_RATE_LIMIT] = f"{options.rate_limit / processes:g}"
    env["PYTHONUNBUFFERED"] = "1"
    return env
