"""Live progress of a running stage: producers publish one status line, consumers show it.

Producers (the contract runner while Schemathesis runs, the load runner while Locust runs) call
:func:`publish` every few seconds with a compact line ("45/110 operations, 5032 cases, ..."). Consumers
show the latest line: the gate's heartbeat, and :class:`Ticker` for the stand-alone commands: plain
lines every ``every`` seconds when stdout is not a terminal (CI logs), a ``rich`` status line that
updates in place when it is.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

_lock = threading.Lock()
_latest: dict[str, tuple[float, str]] = {}
# What every shown line ends with while a run has one (the gate: its budget spent so far).
_footer: Callable[[], str] | None = None


def set_footer(footer: Callable[[], str] | None) -> None:
    global _footer
    _footer = footer


def publish(stage: str, text: str) -> None:
    with _lock:
        _latest[stage] = (time.monotonic(), text)


def latest(stage: str) -> str | None:
    with _lock:
        found = _latest.get(stage)
    return found[1] if found else None


def latest_any() -> tuple[str, str] | None:
    """(stage, line) of the most recent publication of any stage."""
    with _lock:
        if not _latest:
            return None
        stage, (_, text) = max(_latest.items(), key=lambda item: item[1][0])
    return stage, text


def clear(stage: str) -> None:
    with _lock:
        _latest.pop(stage, None)


class Ticker:
    """Shows ``stage``'s latest progress while the block runs (None: whichever stage published last).

    Not a terminal: ``out(f"{stage}: {line}")`` every ``every`` seconds when there is a new line. A
    terminal: a ``rich`` status (spinner + the line) refreshed every second. ``interactive`` None =
    decide from ``sys.stdout.isatty()``.
    """

    def __init__(
        self,
        stage: str | None,
        *,
        every: float = 10.0,
        out: Callable[[str], None] | None = None,
        interactive: bool | None = None,
    ) -> None:
        self.stage, self.every = stage, every
        self.out = out or (lambda line: print(line, flush=True))
        self.interactive = sys.stdout.isatty() if interactive is None else interactive
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._status: Any = None
        self._shown: str | None = None

    def _run(self) -> None:
        while not self._stop.wait(1.0 if self.interactive else self.every):
            self.tick()

    def tick(self) -> str | None:
        """Show the latest line if it is new; returns what was shown (None: nothing new)."""
        found = latest_any() if self.stage is None else (self.stage, latest(self.stage))
        if found is None or found[1] is None:
            return None
        line = f"{found[0]}: {found[1]}"
        if _footer is not None:
            line += f" ({_footer()})"
        if line == self._shown:
            return None
        self._shown = line
        if self._status is not None:
            self._status.update(line)
        else:
            self.out(line)
        return line

    def __enter__(self) -> Ticker:
        if self.stage is not None:
            clear(self.stage)
        if self.interactive:
            from rich.console import Console

            self._status = Console().status(f"{self.stage or 'gate'}: starting")
            self._status.start()
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._thread.join()
        if self._status is not None:
            self._status.stop()
        if self.stage is not None:
            clear(self.stage)


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0
