"""One request and time budget shared by every stage of a run, the rate that paces it, and its ledger.

A gate against a real target has a polite rate limit (20 requests/s by default off loopback) and a time
to verdict to keep (issue 15: about 5 minutes). One :class:`Budget` is made per run and handed to each
stage: the stages that cost a fixed, small number of requests run first and report what they spent
(:meth:`Budget.stage`), the load stage's share is reserved up front (:meth:`Budget.reserve`), and the
contract stage gets what is left (:meth:`Budget.share_for`). Every stage books its requests and time
in the ledger (per stage, per phase, per operation) and writes down what it left out because of the
budget, so a report can say where the requests went and what raising the budget would buy.

In-process HTTP clients (scenarios, route probes, auth conformance, the profile stage, the preflight)
are paced and counted by one httpx event hook (:func:`request_hooks`) against the budget made active
for the stage (:func:`spending`); the Schemathesis and Locust subprocesses get the rate as their own
setting and report their counts back.

Imports nothing of ours: it is floor 0 (docs/architecture.md).
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

DEFAULT_REMOTE_RATE_LIMIT = "20/s"  # every stage, on any target that is not loopback
MAX_WORKERS = 16  # Schemathesis workers from the measurement: more only adds threads that wait


@dataclass
class Spend:
    """Requests sent and seconds spent by one stage, phase or operation."""

    requests: int = 0
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"requests": self.requests, "seconds": round(self.seconds, 3)}


@dataclass
class StageSpend:
    """What one stage spent, by phase and by operation, and what it left out because of the budget."""

    requests: int = 0
    seconds: float = 0.0
    phases: dict[str, Spend] = field(default_factory=dict)
    operations: dict[str, Spend] = field(default_factory=dict)
    # One line per thing not done because of the budget ("fuzzing phase: not run", "12 operations not
    # fuzzed", "340 duplicate cases skipped"), so a team can raise the budget knowingly.
    left_out: list[str] = field(default_factory=list)

    def record(
        self,
        *,
        requests: int = 1,
        seconds: float = 0.0,
        phase: str | None = None,
        operation: str | None = None,
    ) -> None:
        """Book ``requests`` (and their ``seconds``) on the stage, and on its phase and operation if named."""
        self.requests += requests
        self.seconds += seconds
        if phase:
            spend = self.phases.setdefault(phase, Spend())
            spend.requests += requests
            spend.seconds += seconds
        if operation:
            spend = self.operations.setdefault(operation, Spend())
            spend.requests += requests
            spend.seconds += seconds

    def merge(self, other: StageSpend) -> None:
        """Add another ledger's requests, phases, operations and left-out lines (not its seconds: the
        stage's wall time already holds them)."""
        self.requests += other.requests
        for mine, theirs in ((self.phases, other.phases), (self.operations, other.operations)):
            for name, spend in theirs.items():
                into = mine.setdefault(name, Spend())
                into.requests += spend.requests
                into.seconds += spend.seconds
        self.left_out.extend(other.left_out)

    def top_operations(self, n: int) -> list[tuple[str, Spend]]:
        """The ``n`` operations that took the most requests (ties by name, for a stable report)."""
        return sorted(self.operations.items(), key=lambda item: (-item[1].requests, item[0]))[:n]

    def to_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": round(self.seconds, 3),
            "phases": {name: spend.to_json() for name, spend in self.phases.items()},
            "operations": {name: spend.to_json() for name, spend in sorted(self.operations.items())},
            "left_out": list(self.left_out),
        }


class Pacer:
    """At most ``rate`` requests per second across threads: each caller waits for its own slot.

    Slots are evenly spaced (no burst): a polite client of a rate-limited target, and the same pace
    Schemathesis's own ``rate-limit`` keeps. ``rate`` None or 0: no pacing.
    """

    def __init__(
        self,
        rate: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.rate = rate or None
        self._clock, self._sleep = clock, sleep
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until this caller may send; returns the seconds waited."""
        if self.rate is None:
            return 0.0
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + 1.0 / self.rate
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay


class Budget:
    """The run's request and time limits (None: unlimited), its rate, its reservations and its ledger."""

    def __init__(
        self,
        requests: int | None = None,
        seconds: float | None = None,
        *,
        rate: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if requests is not None and requests < 1:
            raise ValueError("a request budget must be at least 1")
        if seconds is not None and seconds <= 0:
            raise ValueError("a time budget must be positive")
        self.requests, self.seconds, self.rate = requests, seconds, rate
        self.stages: dict[str, StageSpend] = {}
        self.reserved: dict[str, int] = {}
        self.reserved_s: dict[str, float] = {}
        self.pacer = Pacer(rate)
        # Requests a subprocess of the running stage has sent so far, by subprocess (its progress file):
        # shown on the progress line until the stage books them.
        self.in_flight: dict[str, int] = {}
        self._clock = clock
        self._started = clock()
        self._lock = threading.Lock()

    @property
    def limited(self) -> bool:
        return self.requests is not None or self.seconds is not None

    def stage(self, name: str) -> StageSpend:
        with self._lock:
            return self.stages.setdefault(name, StageSpend())

    def reserve(self, stage: str, requests: int, seconds: float = 0.0) -> None:
        """Keep ``requests`` and ``seconds`` for a later ``stage`` (the load stage): no other stage's share
        includes them."""
        self.reserved[stage] = max(0, requests)
        self.reserved_s[stage] = max(0.0, seconds)

    def release(self, stage: str) -> None:
        """``stage`` is running (or done): its reservation is no longer kept from the others."""
        self.reserved.pop(stage, None)
        self.reserved_s.pop(stage, None)

    @property
    def spent_requests(self) -> int:
        return sum(s.requests for s in self.stages.values())

    @property
    def elapsed_s(self) -> float:
        return self._clock() - self._started

    def share_for(self, stage: str) -> tuple[int | None, float | None]:
        """(requests, seconds) ``stage`` may spend: what is left after what others spent and reserved.

        None where that limit is off. Never negative: a stage whose share is 0 should send nothing more.
        """
        requests = None
        if self.requests is not None:
            others = sum(n for name, n in self.reserved.items() if name != stage)
            requests = max(0, self.requests - self.spent_requests - others)
        seconds = None
        if self.seconds is not None:
            others_s = sum(s for name, s in self.reserved_s.items() if name != stage)
            seconds = max(0.0, self.seconds - self.elapsed_s - others_s)
        return requests, seconds

    def paced_share(self, stage: str, startup_s: float = 0.0) -> tuple[int | None, float | None]:
        """``share_for(stage)`` with the time share turned into requests too: at the run's rate, the
        requests that fit in the time left (less ``startup_s``, the stage's own start-up) cap the share,
        so a stage that spends its requests at the pace also keeps the time budget."""
        requests, seconds = self.share_for(stage)
        if seconds is not None and self.rate:
            by_time = int(self.rate * max(0.0, seconds - startup_s))
            requests = by_time if requests is None else min(requests, by_time)
        return requests, seconds

    def progress_text(self) -> str:
        """`spent / budget` for the progress line: "1234/5000 requests, 01:20/05:00" (booked requests plus
        those a running subprocess reported)."""
        spent = self.spent_requests + sum(self.in_flight.values())
        requests = f"{spent}/{self.requests if self.requests is not None else '-'} requests"
        limit = "-" if self.seconds is None else clock_text(self.seconds)
        return f"{requests}, {clock_text(self.elapsed_s)}/{limit}"

    def to_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "seconds": self.seconds,
            "rate_per_s": self.rate,
            "spent_requests": self.spent_requests,
            "elapsed_s": round(self.elapsed_s, 3),
            "reserved": dict(self.reserved),
            "reserved_s": dict(self.reserved_s),
            "stages": {name: spend.to_json() for name, spend in self.stages.items()},
        }


def clock_text(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(s|m|h)\s*$", re.IGNORECASE)
_PER = {"s": 1.0, "m": 60.0, "h": 3600.0}


def parse_rate(text: str) -> float:
    """ "20/s" -> 20.0 requests per second ("600/m", "0.5/s" too; Schemathesis's own syntax)."""
    match = _RATE.match(text)
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"a rate is N/s, N/m or N/h with N > 0, got {text!r}")
    return float(match.group(1)) / _PER[match.group(2).lower()]


def rate_of(text: str | None) -> float | None:
    """Requests per second of a ``--rate-limit`` value for our own pacing; None for none or for
    ``auto`` (Schemathesis then waits out each 429's Retry-After; our in-process clients do the same)."""
    if not text or text.strip().lower() == "auto":
        return None
    return parse_rate(text)


def workers_for(rate: float | None, round_trip_s: float | None) -> int | None:
    """Workers that let the rate, not the latency, set the pace: clamp(ceil(rate x round trip), 1, 16).

    None when either is unknown (no rate limit, or no measured round trip): the caller keeps its choice.
    """
    if not rate or round_trip_s is None or round_trip_s <= 0:
        return None
    return max(1, min(MAX_WORKERS, math.ceil(rate * round_trip_s)))


# The budget the in-process HTTP hook books on, and the stage it books for (one stage runs at a time).
_active: tuple[Budget, str] | None = None


@contextmanager
def spending(budget: Budget, stage: str) -> Iterator[StageSpend]:
    """Make ``budget`` the one that in-process requests are paced by and booked on, as ``stage``."""
    global _active
    previous, _active = _active, (budget, stage)
    started = budget._clock()
    budget.release(stage)
    spend = budget.stage(stage)
    try:
        yield spend
    finally:
        spend.seconds += budget._clock() - started
        budget.in_flight.clear()  # the stage has booked what its subprocesses sent
        _active = previous


def report_in_flight(source: str, requests: int) -> None:
    """A subprocess of the running stage (``source``: e.g. its progress file) has sent ``requests`` so far."""
    if _active is not None:
        _active[0].in_flight[source] = requests


_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


def on_request(request: Any) -> None:
    """httpx request hook: wait for the active budget's pace, then book one request on its stage."""
    if _active is not None:
        _active[0].pacer.wait()
        on_request_counted(request)


def on_request_counted(request: Any) -> None:
    """httpx request hook that books one request on the active stage without pacing it (the preflight,
    whose first exchange is timed: a wait for the pace would read as latency)."""
    if _active is None:
        return
    budget, stage = _active
    url = getattr(request, "url", None)
    # Numeric ids grouped ("/Profile/{id}"): the ledger counts kinds of request, not every profile.
    path = _ID_SEGMENT.sub("/{id}", str(getattr(url, "path", url)))
    budget.stage(stage).record(operation=f"{request.method} {path}")


def request_hooks() -> dict[str, list[Callable[[Any], None]]]:
    """``event_hooks`` for an httpx.Client whose requests the active budget paces and counts."""
    return {"request": [on_request]}


def counting_hooks() -> dict[str, list[Callable[[Any], None]]]:
    """``event_hooks`` for an httpx.Client whose requests the active budget counts, unpaced."""
    return {"request": [on_request_counted]}
