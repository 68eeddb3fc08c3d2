"""Everything the sandbox can be told at start-up, in one immutable object.

The settings travel to every uvicorn worker process as JSON (``to_json``/``from_json``) because workers
are spawned, not forked, and import the app from a string.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mypref_harness.errors import ConfigError

DEFAULT_TOKEN_LIFETIME = 3600  # seconds; the docs: "currently set to 60 minutes"
DEFAULT_PNAUTH_WINDOW = 900  # seconds; the docs: "valid for 15 minutes from the issued date"
DEFAULT_MAX_BODY_BYTES = 1024 * 1024  # 1 MiB; larger bodies get a 413
# Hostile-input limits, per worker process (docs/sandbox.md, "Limits").
DEFAULT_READ_TIMEOUT = 10.0  # seconds for a request's head and body to arrive (idle new connections too)
DEFAULT_MAX_CONNECTIONS = 1000  # open connections; also capped below the open-file limit
DEFAULT_MAX_HEADER_BYTES = 32 * 1024  # request line + headers; larger heads get 431
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def default_state_dir() -> Path:
    """Where the signing key and the demo certificate live between runs (so tokens survive restarts)."""
    explicit = os.environ.get("MYPREF_SANDBOX_STATE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "mypref-harness" / "sandbox"


@dataclass(frozen=True)
class SandboxSettings:
    host: str = "127.0.0.1"
    port: int = 0
    db_path: Path | None = None  # None: a temporary database, removed on a clean exit
    state_dir: Path = field(default_factory=default_state_dir)
    workers: int = 1
    token_lifetime: int = DEFAULT_TOKEN_LIFETIME
    pnauth_window: int = DEFAULT_PNAUTH_WINDOW
    latency_ms: float = 0.0
    latency_jitter_ms: float = 0.0
    error_rate: float = 0.0
    # Token-endpoint outage, in seconds after start-up: [start, end). None = no outage.
    token_outage: tuple[float, float] | None = None
    clock_offset: float = 0.0  # seconds added to the server's notion of "now"
    defects: frozenset[str] = frozenset()
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    tenants_file: Path | None = None  # JSON overrides of the demo tenants
    # Benchmark baseline only: requests are served as the tenant's first user without authentication.
    auth_off: bool = False
    # Filled in once the port is known: what clients must use (realm, iss, aud are derived from it).
    public_root: str | None = None
    started_at: float = 0.0  # wall-clock start, the origin of the token outage window
    # Where the document is silent, the choices of a real target (``--profile``; docs/profile.md).
    naive_timezone: str | None = "America/New_York"  # None: naive issued timestamps are rejected
    user_id_encodings: tuple[str, ...] = ("form", "percent")  # accepted URL encodings of a UserId
    future_tolerance: int = 0  # seconds an issued timestamp may lie in the future
    basic_format_timestamps: bool = False  # also read 20261202T015959Z
    conflict_status: int = 409  # status of a request the resource's state refuses
    create_status: int = 201  # status of a successful create
    # Limits against hostile clients, per worker process (docs/sandbox.md, "Limits").
    rate_limit: float = 0.0  # requests per second admitted to the API and token endpoint; 0 = off
    read_timeout: float = DEFAULT_READ_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_header_bytes: int = DEFAULT_MAX_HEADER_BYTES
    # Append one JSON line per request here (sandbox/request_log.py); None = no log.
    request_log: Path | None = None

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ConfigError("; ".join(problems))

    def problems(self) -> list[str]:
        from mypref_harness.sandbox.defects import DEFECTS  # local: defects imports nothing from here

        out: list[str] = []
        if not 0 <= self.port <= 65535:
            out.append(f"port {self.port} is out of range 0-65535")
        if self.workers < 1:
            out.append("workers must be >= 1")
        if self.token_lifetime < 1:
            out.append("token lifetime must be >= 1 second")
        if self.pnauth_window < 1:
            out.append("PNAUTHINFO3 window must be >= 1 second")
        if self.latency_ms < 0 or self.latency_jitter_ms < 0:
            out.append("latency and jitter must be >= 0")
        if not 0.0 <= self.error_rate <= 1.0:
            out.append("error rate must be between 0 and 1")
        if self.token_outage is not None and not 0 <= self.token_outage[0] < self.token_outage[1]:
            out.append("token outage must be START:END with 0 <= START < END")
        out += self._profile_knob_problems()
        out += self._limit_problems()
        if self.max_body_bytes < 1024:
            out.append("max body bytes must be >= 1024")
        if self.db_path is not None:
            if self.db_path.is_dir():
                out.append(f"--db {self.db_path} is a directory, not a database file")
            elif not self.db_path.parent.is_dir():
                out.append(f"--db {self.db_path}: directory {self.db_path.parent} does not exist")
        unknown = sorted(self.defects - DEFECTS.keys())
        if unknown:
            out.append(f"unknown defect(s): {', '.join(unknown)} (see --list-defects)")
        return out

    def _limit_problems(self) -> list[str]:
        out = []
        if not 0 <= self.rate_limit < float("inf"):
            out.append("rate limit must be a finite number of requests per second >= 0")
        if not 0 < self.read_timeout < float("inf"):
            out.append("read timeout must be > 0 seconds")
        if self.max_connections < 8:
            out.append("max connections must be >= 8")
        if self.max_header_bytes < 1024:
            out.append("max header bytes must be >= 1024")
        return out

    def _profile_knob_problems(self) -> list[str]:
        out = []
        if not set(self.user_id_encodings) <= {"form", "percent"} or not self.user_id_encodings:
            out.append("user id encodings must be one or both of form, percent")
        if self.naive_timezone is not None and not _known_zone(self.naive_timezone):
            out.append(f"unknown time zone {self.naive_timezone!r} for naive timestamps")
        if self.future_tolerance < 0:
            out.append("future tolerance must be >= 0 seconds")
        if self.conflict_status not in (400, 402, 409, 422):
            out.append("conflict status must be 400, 402, 409 or 422")
        if self.create_status not in (200, 201):
            out.append("create status must be 200 or 201")
        return out

    def has_defect(self, name: str) -> bool:
        return name in self.defects

    @property
    def root_url(self) -> str:
        if self.public_root:
            return self.public_root
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def with_port(self, port: int) -> SandboxSettings:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return replace(self, port=port, public_root=f"http://{host}:{port}")

    # -- transport to worker processes ------------------------------------------------------------
    def to_json(self) -> str:
        data: dict[str, Any] = asdict(self)
        for key in ("db_path", "state_dir", "tenants_file", "request_log"):
            data[key] = None if data[key] is None else str(data[key])
        data["defects"] = sorted(self.defects)
        data["token_outage"] = None if self.token_outage is None else list(self.token_outage)
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> SandboxSettings:
        data = json.loads(text)
        known = {f.name for f in fields(cls)}
        data = {k: v for k, v in data.items() if k in known}
        for key in ("db_path", "state_dir", "tenants_file", "request_log"):
            if data.get(key) is not None:
                data[key] = Path(data[key])
        data["defects"] = frozenset(data.get("defects") or ())
        if "user_id_encodings" in data:
            data["user_id_encodings"] = tuple(data["user_id_encodings"])
        if data.get("token_outage") is not None:
            start, end = data["token_outage"]
            data["token_outage"] = (float(start), float(end))
        return cls(**data)


def _known_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def parse_latency(text: str) -> tuple[float, float]:
    """``MS`` or ``MS:JITTER`` -> (ms, jitter_ms)."""
    parts = text.split(":")
    try:
        if len(parts) == 1:
            return float(parts[0]), 0.0
        if len(parts) == 2:
            return float(parts[0]), float(parts[1])
    except ValueError:
        pass
    raise ConfigError(f"--latency expects MS or MS:JITTER, got {text!r}")


def parse_window(text: str) -> tuple[float, float]:
    """``START:END`` in seconds after start-up."""
    parts = text.split(":")
    try:
        if len(parts) == 2:
            return float(parts[0]), float(parts[1])
    except ValueError:
        pass
    raise ConfigError(f"--token-outage expects START:END in seconds after start-up, got {text!r}")


def parse_rate(text: str) -> float:
    """``N/s`` (or a bare ``N``) -> requests per second; fractions are allowed (``0.5/s``)."""
    number = text.strip().removesuffix("/s")
    try:
        rate = float(number)
    except ValueError:
        rate = -1.0
    if not 0 < rate < float("inf"):
        raise ConfigError(f"--rate-limit expects N/s with N > 0, got {text!r}")
    return rate
