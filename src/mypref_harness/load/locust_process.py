"""Locust's processes: start one (its own process group, output to a log), wait for it with a live
progress line, stop it. Starting and stopping a process group is :mod:`mypref_harness.procs`'s; this
module adds Locust's timings: Locust writes its reports when it gets SIGTERM, so it gets
:data:`LOCUST_STOP_GRACE` seconds before the KILL.
"""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from mypref_harness import procs, progress
from mypref_harness.errors import RunIncomplete
from mypref_harness.load.summary import progress_line

LOCUST_STOP_GRACE = 10.0  # seconds Locust gets after SIGTERM to stop its users and write its reports
PROGRESS_EVERY_S = 2.0  # how often a running Locust's stats history is read for the live progress line


@dataclass
class StartedLocust:
    name: str
    child: procs.Child
    log: Path


def start(
    name: str, cmd: Sequence[str], env: Mapping[str, str], cwd: Path, log: Path, echo: bool
) -> StartedLocust:
    """Start one Locust process in its own process group, its output in ``log`` (or on our stderr)."""
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
    return StartedLocust(name, child, log)


@contextlib.contextmanager
def stopped_at_exit() -> Iterator[list[StartedLocust]]:
    """A list to append started processes to; each is stopped, in start order, when the block ends."""
    started: list[StartedLocust] = []
    try:
        yield started
    finally:
        # Locust writes its reports when it gets SIGTERM: give it the time to.
        for proc in started:
            proc.child.stop(grace=LOCUST_STOP_GRACE)


def tail(log: Path, lines: int = 8) -> str:
    """The last lines of a Locust log on one line, for an error message."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text[-lines:])


def wait(proc: StartedLocust, deadline: float | None, history: Path | None = None) -> int:
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
    line = progress_line(history) if history is not None else None
    if line:
        progress.publish("load", line)
