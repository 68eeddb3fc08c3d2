"""What a load run is asked to do: :class:`LoadOptions`, as the CLI, the gate and the bench fill it in."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mypref_harness.load.scenarios import Route

DEFAULT_REPORT_DIR = Path("reports/load")
DEFAULT_MASTER_PORT = 5557


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
    # Requests per second all users together may send (gate --rate-limit); None: their think times only.
    rate_limit: float | None = None
    # A scenario whose operation role the spec does not resolve is left out of the mix either way; it is
    # a finding unless this is set (as in the contract's scenarios).
    allow_missing_roles: bool = False
