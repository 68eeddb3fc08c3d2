"""Named load shapes as pure functions of the elapsed time.

A shape is a tuple of stages; each stage holds (users, spawn rate) until its end time. Locust's
LoadTestShape class (loadtests/shapes.py) only calls :func:`tick` once a second, so everything here is
plain arithmetic that the tests check without Locust.

Every shape ends: :func:`tick` returns None after the last stage, which stops the run. That is what bounds
a shaped run, because Locust ignores ``--run-time`` while a shape is active.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from mypref_harness.errors import ConfigError

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([hms])")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0}


def parse_duration(text: str | float | int) -> float:
    """Seconds in ``text``: ``"15s"``, ``"2m"``, ``"1h30m"``, ``"90"`` (seconds) or a number.

    Raises ConfigError on anything else (including zero or negative), so the CLI prints one line.
    """
    if isinstance(text, int | float) and not isinstance(text, bool):
        seconds = float(text)
    else:
        raw = str(text).strip().lower()
        if re.fullmatch(r"\d+(?:\.\d+)?", raw):
            seconds = float(raw)
        else:
            parts = _DURATION_PART.findall(raw)
            if not parts or "".join(n + u for n, u in parts) != raw:
                raise ConfigError(f"invalid duration {text!r}: use e.g. 15s, 2m, 1h30m or plain seconds")
            units = [u for _, u in parts]
            if len(set(units)) != len(units):
                raise ConfigError(f"invalid duration {text!r}: a unit appears twice")
            seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)
    if not math.isfinite(seconds) or seconds <= 0:
        raise ConfigError(f"invalid duration {text!r}: must be positive")
    return seconds


def format_duration(seconds: float) -> str:
    """Locust's ``-t`` syntax for a number of seconds (whole seconds, at least 1)."""
    return f"{max(1, math.ceil(seconds))}s"


@dataclass(frozen=True)
class Stage:
    """Hold ``users`` (spawning at ``spawn_rate`` users/s) until ``end`` seconds after the start."""

    end: float
    users: int
    spawn_rate: float


@dataclass(frozen=True)
class ShapeDefaults:
    users: int
    spawn_rate: float
    duration: float
    description: str


# Defaults sized for the embedded sandbox on a small CI machine; every one can be overridden.
SHAPE_DEFAULTS: dict[str, ShapeDefaults] = {
    "smoke": ShapeDefaults(5, 5.0, 15.0, "a few users for a short, constant run: does it work at all?"),
    "ramp": ShapeDefaults(50, 10.0, 120.0, "four equal steps up to the target user count"),
    "spike": ShapeDefaults(
        100, 100.0, 60.0, "10% baseline, a sudden burst to 100% for the middle third, back"
    ),
    "soak": ShapeDefaults(
        20, 5.0, 1800.0, "a steady moderate load held for a long time (leaks, token expiry)"
    ),
}
SHAPE_NAMES: tuple[str, ...] = tuple(SHAPE_DEFAULTS)
RAMP_STEPS = 4
SPIKE_BASELINE_FRACTION = 0.1


def check_shape_name(name: str) -> str:
    if name not in SHAPE_DEFAULTS:
        raise ConfigError(f"unknown load shape {name!r}: choose one of {', '.join(SHAPE_NAMES)}")
    return name


def build_stages(
    name: str, *, users: int | None = None, spawn_rate: float | None = None, duration: float | None = None
) -> tuple[Stage, ...]:
    """The stages of shape ``name``; missing parameters take the shape's defaults."""
    defaults = SHAPE_DEFAULTS[check_shape_name(name)]
    n = defaults.users if users is None else users
    rate = defaults.spawn_rate if spawn_rate is None else spawn_rate
    total = defaults.duration if duration is None else duration
    if n < 1:
        raise ConfigError(f"users must be at least 1, got {n}")
    if rate <= 0:
        raise ConfigError(f"spawn rate must be positive, got {rate}")
    if total <= 0:
        raise ConfigError(f"duration must be positive, got {total}")
    if name == "ramp":
        step = total / RAMP_STEPS
        return tuple(
            Stage(end=step * (i + 1), users=max(1, math.ceil(n * (i + 1) / RAMP_STEPS)), spawn_rate=rate)
            for i in range(RAMP_STEPS)
        )
    if name == "spike":
        base = max(1, math.ceil(n * SPIKE_BASELINE_FRACTION))
        third = total / 3
        # The burst spawns everybody at once (at least as fast as asked): that is what a spike is.
        burst_rate = max(rate, float(n))
        return (
            Stage(end=third, users=base, spawn_rate=rate),
            Stage(end=2 * third, users=n, spawn_rate=burst_rate),
            Stage(end=total, users=base, spawn_rate=burst_rate),
        )
    # smoke and soak: one constant stage; they differ by their defaults.
    return (Stage(end=total, users=n, spawn_rate=rate),)


def tick(stages: tuple[Stage, ...], run_time: float) -> tuple[int, float] | None:
    """(users, spawn rate) at ``run_time`` seconds, or None once the last stage is over."""
    for stage in stages:
        if run_time < stage.end:
            return stage.users, stage.spawn_rate
    return None


def total_duration(stages: tuple[Stage, ...]) -> float:
    return stages[-1].end if stages else 0.0


def peak_users(stages: tuple[Stage, ...]) -> int:
    return max((s.users for s in stages), default=0)
