"""Service level objectives: loaded from TOML, evaluated against a finished run's statistics.

File format (see loadtests/slo.toml and docs/load.md)::

    [run]
    max_failure_ratio = 0.01                         # failures / requests, token requests included
                                                     # (429s are not counted here: see the next key)
    max_throttled_ratio = 0.01                       # requests answered 429 / requests
    min_rps = 2.0                                    # requests per second over the whole run
    max_token_requests = 50                          # token-endpoint calls, all processes together
    max_token_requests_per_process_per_minute = 2.0  # allowed = processes * (ceil(rate * minutes) + 1)

    [latency.<group>]                                # one table per request group
    match = ["lookup: *"]                            # globs over Locust request names (default: the group)
    exclude = []                                     # globs to leave out
    p50_ms = 150
    p95_ms = 400
    p99_ms = 800
    max_failure_ratio = 0.01                         # optional, per group
    require_samples = false                          # true: a group that got no request is a breach

A group that received no request has no data: its objectives are reported as "no data" and are not
a breach, because a short run may simply not have drawn that task. ``require_samples = true`` makes
it a breach (``required`` is the older name of the same key).

Evaluation is plain Python over :mod:`stats` entries; the runner calls it after Locust has exited.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mypref_harness.load.stats as st
from mypref_harness import resources
from mypref_harness.errors import ConfigError

_PERCENTILES = {"p50_ms": 0.50, "p95_ms": 0.95, "p99_ms": 0.99}
_RUN_KEYS = {
    "max_failure_ratio",
    "max_throttled_ratio",
    "min_rps",
    "max_token_requests",
    "max_token_requests_per_process_per_minute",
}
_GROUP_KEYS = {"match", "exclude", "require_samples", "required", "max_failure_ratio", *_PERCENTILES}


@dataclass(frozen=True)
class GroupObjective:
    name: str
    match: tuple[str, ...]
    exclude: tuple[str, ...] = ()
    percentiles_ms: Mapping[str, float] = field(default_factory=dict)  # "p95_ms" -> limit
    max_failure_ratio: float | None = None
    require_samples: bool = False  # a group without requests breaches instead of reporting "no data"


@dataclass(frozen=True)
class SloSet:
    source: str
    max_failure_ratio: float | None = None
    max_throttled_ratio: float | None = None
    min_rps: float | None = None
    max_token_requests: int | None = None
    max_token_requests_per_process_per_minute: float | None = None
    groups: tuple[GroupObjective, ...] = ()


@dataclass(frozen=True)
class SloResult:
    """One objective's verdict. ``actual`` is None when there was nothing to measure; ``skipped`` is
    then set unless the objective required samples (a breach)."""

    name: str  # e.g. "latency.lookup.p95_ms", "run.min_rps"
    comparison: str  # "<=" or ">="
    limit: float
    actual: float | None
    passed: bool
    skipped: bool = False
    detail: str = ""

    @property
    def status(self) -> str:
        return "no data" if self.skipped else ("pass" if self.passed else "FAIL")


# --------------------------------------------------------------------------- loading


def _number(where: str, key: str, value: Any, *, minimum: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ConfigError(f"SLO file {where}: {key} must be a number, got {value!r}")
    if value < minimum:
        raise ConfigError(f"SLO file {where}: {key} must be >= {minimum}, got {value!r}")
    return float(value)


def _globs(where: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"SLO file {where}: {key} must be a list of glob strings")
    return tuple(value)


def parse_slo(data: Mapping[str, Any], source: str = "<dict>") -> SloSet:
    unknown_tables = set(data) - {"run", "latency"}
    if unknown_tables:
        raise ConfigError(f"SLO file {source}: unknown table(s) {', '.join(sorted(unknown_tables))}")
    run = data.get("run", {})
    if not isinstance(run, dict):
        raise ConfigError(f"SLO file {source}: [run] must be a table")
    unknown = set(run) - _RUN_KEYS
    if unknown:
        raise ConfigError(f"SLO file {source}: unknown key(s) in [run]: {', '.join(sorted(unknown))}")
    where = f"{source} [run]"
    ratio = (
        _number(where, "max_failure_ratio", run["max_failure_ratio"]) if "max_failure_ratio" in run else None
    )
    throttled = None
    if "max_throttled_ratio" in run:
        throttled = _number(where, "max_throttled_ratio", run["max_throttled_ratio"])
    if (ratio is not None and ratio > 1) or (throttled is not None and throttled > 1):
        raise ConfigError(f"SLO file {where}: max_failure_ratio and max_throttled_ratio are ratios "
                          "between 0 and 1")
    max_tokens = None
    if "max_token_requests" in run:
        value = run["max_token_requests"]
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ConfigError(f"SLO file {where}: max_token_requests must be a non-negative integer")
        max_tokens = value
    groups = []
    latency = data.get("latency", {})
    if not isinstance(latency, dict):
        raise ConfigError(f"SLO file {source}: [latency] must contain [latency.<group>] tables")
    for name, table in latency.items():
        gwhere = f"{source} [latency.{name}]"
        if not isinstance(table, dict):
            raise ConfigError(f"SLO file {gwhere}: must be a table")
        unknown = set(table) - _GROUP_KEYS
        if unknown:
            raise ConfigError(f"SLO file {gwhere}: unknown key(s) {', '.join(sorted(unknown))}")
        limits = {k: _number(gwhere, k, table[k]) for k in _PERCENTILES if k in table}
        gratio = table.get("max_failure_ratio")
        if "require_samples" in table and "required" in table:
            raise ConfigError(f"SLO file {gwhere}: require_samples and its older name required, not both")
        require = table.get("require_samples", table.get("required", False))
        if not isinstance(require, bool):
            raise ConfigError(f"SLO file {gwhere}: require_samples must be true or false")
        groups.append(
            GroupObjective(
                name=name,
                match=_globs(gwhere, "match", table.get("match", f"{name}: *")),
                exclude=_globs(gwhere, "exclude", table.get("exclude", [])),
                percentiles_ms=limits,
                max_failure_ratio=None if gratio is None else _number(gwhere, "max_failure_ratio", gratio),
                require_samples=require,
            )
        )
    return SloSet(
        source=source,
        max_failure_ratio=ratio,
        max_throttled_ratio=throttled,
        min_rps=_number(where, "min_rps", run["min_rps"]) if "min_rps" in run else None,
        max_token_requests=max_tokens,
        max_token_requests_per_process_per_minute=(
            _number(where, "max_token_requests_per_process_per_minute", run[key])
            if (key := "max_token_requests_per_process_per_minute") in run
            else None
        ),
        groups=tuple(groups),
    )


def load_slo(path: Path | str | None = None) -> SloSet:
    """Read an SLO file (the default one when ``path`` is None); ConfigError with one clear line if not."""
    p = Path(path) if path is not None else resources.slo_file()
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read SLO file {p}: {exc.strerror or exc}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"SLO file {p} is not valid TOML: {exc}") from None
    return parse_slo(data, source=str(p))


# --------------------------------------------------------------------------- evaluation


def token_budget(duration_s: float, lifetime_s: float, early_s: float) -> int:
    """Token fetches one process makes at most when it refreshes ``early_s`` before a ``lifetime_s``
    expiry: ceil(duration / (lifetime - early)) + 1."""
    return math.ceil(duration_s / (lifetime_s - early_s)) + 1



def allowed_token_requests(rate_per_minute: float, duration_s: float, processes: int) -> int:
    """Token fetches a run may make: the first one per process plus ``rate`` per started minute."""
    return max(1, processes) * (math.ceil(rate_per_minute * duration_s / 60.0) + 1)


def _at_most(name: str, limit: float, actual: float | None, detail: str = "") -> SloResult:
    return SloResult(name, "<=", limit, actual, actual is not None and actual <= limit, detail=detail)


def evaluate(
    slo: SloSet, entries: Sequence[st.EntryStats], *, duration_s: float | None = None, processes: int = 1
) -> list[SloResult]:
    """Every objective of ``slo`` checked against the run. ``duration_s`` defaults to the measured span."""
    everything = st.select(entries)
    span = duration_s if duration_s is not None else everything.duration
    results: list[SloResult] = []
    total = everything.requests
    if slo.max_failure_ratio is not None:
        failed = st.failures_not_throttled(entries)
        results.append(
            _at_most(
                "run.max_failure_ratio",
                slo.max_failure_ratio,
                failed / total if total else 0.0,
                f"{failed} of {total} requests failed (429s not counted)",
            )
        )
    if slo.max_throttled_ratio is not None:
        throttled = st.throttled(entries).requests
        results.append(
            _at_most(
                "run.max_throttled_ratio",
                slo.max_throttled_ratio,
                throttled / total if total else 0.0,
                f"{throttled} of {total} requests throttled (HTTP 429)",
            )
        )
    if slo.min_rps is not None:
        rps = everything.requests / span if span > 0 else 0.0
        results.append(
            SloResult(
                "run.min_rps",
                ">=",
                slo.min_rps,
                rps,
                rps >= slo.min_rps,
                detail=f"{everything.requests} requests in {span:.1f} s",
            )
        )
    tokens = st.token_requests(entries)
    if slo.max_token_requests is not None:
        results.append(_at_most("run.max_token_requests", slo.max_token_requests, tokens))
    if slo.max_token_requests_per_process_per_minute is not None:
        allowed = allowed_token_requests(slo.max_token_requests_per_process_per_minute, span, processes)
        results.append(
            _at_most(
                "run.max_token_requests_per_process_per_minute",
                allowed,
                tokens,
                f"{slo.max_token_requests_per_process_per_minute}/min x {processes} process(es) "
                f"over {span:.0f} s allows {allowed}",
            )
        )
    for group in slo.groups:
        results.extend(_evaluate_group(group, entries))
    return results


def _evaluate_group(group: GroupObjective, entries: Sequence[st.EntryStats]) -> list[SloResult]:
    sel = st.select(entries, group.match, group.exclude)
    out: list[SloResult] = []
    checks: list[tuple[str, float, float | None]] = [
        (key, limit, sel.percentile(_PERCENTILES[key])) for key, limit in group.percentiles_ms.items()
    ]
    if group.max_failure_ratio is not None:
        checks.append(
            ("max_failure_ratio", group.max_failure_ratio, sel.failure_ratio if sel.requests else None)
        )
    for key, limit, actual in checks:
        name = f"latency.{group.name}.{key}"
        if sel.requests == 0:
            matched = ", ".join(group.match)
            if group.require_samples:
                detail = f"no requests matched {matched} (require_samples = true)"
            else:
                detail = f"no data: no requests matched {matched}"
            no_data = not group.require_samples
            out.append(SloResult(name, "<=", limit, None, no_data, skipped=no_data, detail=detail))
        else:
            out.append(_at_most(name, limit, actual, f"{sel.requests} requests"))
    return out


def breaches(results: Sequence[SloResult]) -> list[SloResult]:
    return [r for r in results if not r.passed]


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.4f}" if abs(value) < 1 else f"{value:.1f}"


def format_table(results: Sequence[SloResult], *, only_breaches: bool = False) -> str:
    """A plain-text table for the terminal: objective, limit, actual, status, detail."""
    rows = [r for r in results if not (only_breaches and r.passed)]
    header = ("objective", "limit", "actual", "status", "detail")
    body = [(r.name, f"{r.comparison} {_fmt(r.limit)}", _fmt(r.actual), r.status, r.detail) for r in rows]
    widths = [max(len(str(row[i])) for row in [header, *body]) for i in range(len(header))]
    lines = [
        "  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *body]
    ]
    return "\n".join(lines)
