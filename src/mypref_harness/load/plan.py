"""The run plan: users, spawn rate and duration resolved from the options (and a shape), validated
before anything starts. Pure: no process, no network."""

from __future__ import annotations

from dataclasses import dataclass

from mypref_harness.errors import ConfigError
from mypref_harness.load.options import LoadOptions
from mypref_harness.load.scenarios import parse_think_time
from mypref_harness.load.shapes import (
    build_stages,
    check_shape_name,
    format_duration,
    parse_duration,
    total_duration,
)

DEFAULT_USERS = 5
DEFAULT_SPAWN_RATE = 5.0
DEFAULT_DURATION = 15.0


@dataclass(frozen=True)
class LoadPlan:
    """What will run: resolved load parameters (validated before anything starts)."""

    shape: str | None
    users: int
    spawn_rate: float
    duration: float
    load_processes: int  # processes generating load (for per-process token budgets)
    description: str


def plan(options: LoadOptions) -> LoadPlan:
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
        return LoadPlan(options.shape, peak, stages[0].spawn_rate, total, load_processes, desc)
    users = options.users if options.users is not None else DEFAULT_USERS
    rate = options.spawn_rate if options.spawn_rate is not None else DEFAULT_SPAWN_RATE
    total = duration if duration is not None else DEFAULT_DURATION
    if users < 1:
        raise ConfigError(f"--users must be >= 1, got {users}")
    if rate <= 0:
        raise ConfigError(f"--spawn-rate must be positive, got {rate}")
    desc = f"{users} users (spawn {rate:g}/s) for {format_duration(total)}"
    return LoadPlan(None, users, rate, total, load_processes, desc)
