"""``--request-log FILE``: the sandbox counts what it is sent, one JSON line per request.

A client's own counters miss what a stage sends outside them (preflight, token requests, probes,
retries), so the time-to-verdict bench (bench/bench_time_to_verdict.py, docs/time-to-verdict.md)
counts at the server. Each line: ``{"t": epoch seconds at the answer, "method", "path", "status",
"ms": time in the app including injected latency}``. Worker processes append to the same file; a
line is one small write, so lines do not interleave.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Served by the sandbox for itself and its launchers, not part of what a client sends the API.
NOT_COUNTED = frozenset({"/health"})


@dataclass(frozen=True)
class LoggedRequest:
    t: float
    method: str
    path: str
    status: int
    ms: float


class RequestLogMiddleware:
    """Appends one line per HTTP request to ``path`` once the request is answered."""

    def __init__(self, app: ASGIApp, path: Path) -> None:
        self.app = app
        self.path = path
        self._file: IO[str] | None = None

    def _out(self) -> IO[str]:
        if self._file is None:  # opened in the worker that serves, not in the parent that builds
            self._file = self.path.open("a", encoding="utf-8", buffering=1)
        return self._file

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def record_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, record_status)
        finally:
            line = {"t": round(time.time(), 3), "method": scope["method"], "path": scope["path"],
                    "status": status, "ms": round((time.perf_counter() - started) * 1000, 1)}
            self._out().write(json.dumps(line) + "\n")


def read_request_log(path: Path) -> list[LoggedRequest]:
    """Every request of the log (a missing file: none); a torn last line is skipped."""
    if not path.exists():
        return []
    entries = []
    for text in path.read_text(encoding="utf-8").splitlines():
        try:
            raw = json.loads(text)
            entries.append(LoggedRequest(float(raw["t"]), str(raw["method"]), str(raw["path"]),
                                         int(raw["status"]), float(raw["ms"])))
        except (ValueError, KeyError, TypeError):
            continue
    return entries


def api_requests(entries: Iterable[LoggedRequest], start: float = 0.0,
                 end: float = float("inf")) -> list[LoggedRequest]:
    """The requests a client sent between ``start`` and ``end`` (epoch seconds), health checks left out."""
    return [e for e in entries if start <= e.t <= end and e.path not in NOT_COUNTED]
