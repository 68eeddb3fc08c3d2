"""Locust's end-of-run statistics, read from its ``--json-file`` output: exact totals, where its
``_stats.csv`` can lag the final summary by about a second in local and ``--processes`` runs.

The JSON is a list of entries, one per (method, name), each with a response-time histogram
(milliseconds, rounded by Locust to about two significant digits -> count) and per-second request
counts. Everything the SLOs, the summary and the gate need is computed here from that data, in the
runner process, so none of it runs inside gevent and all of it is unit-testable.

Request names follow ``"<group>: <METHOD> <path template>"`` (see scenarios.RequestTemplate.name) so
that SLOs can select groups with glob patterns.
"""

from __future__ import annotations

import fnmatch
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from mypref_harness.errors import HarnessError

# Names of the bookkeeping entries (see locust_auth and scenarios): they are reported so they can be
# counted and gated, but they are not business traffic.
TOKEN_GROUP = "token"  # noqa: S105 - token-endpoint requests (a group name, not a secret)
AUTH_GROUP = "auth"  # first attempts rejected with a token error; requests that found no token
SETUP_GROUP = "setup"  # test-data discovery and seeding
THROTTLED_GROUP = "throttled"  # requests the target answered 429: an error kind of their own


@dataclass(frozen=True)
class EntryStats:
    """One Locust statistics entry (a request name + method) over the whole run."""

    name: str
    method: str
    num_requests: int
    num_failures: int
    response_times: Mapping[float, int]
    start_time: float
    last_request_timestamp: float | None
    total_response_time: float = 0.0
    requests_per_second: Mapping[int, int] = field(default_factory=dict)
    failures_per_second: Mapping[int, int] = field(default_factory=dict)

    @property
    def group(self) -> str:
        return group_of(self.name)


def group_of(name: str) -> str:
    """The group prefix of a request name (``"lookup: GET /x"`` -> ``"lookup"``); "" when there is none."""
    head, sep, _ = name.partition(": ")
    return head if sep else ""


def _int_keyed(raw: Mapping[str, int] | None) -> dict[int, int]:
    return {int(float(k)): int(v) for k, v in (raw or {}).items()}


def parse_entries(raw: object) -> list[EntryStats]:
    """Entries from the decoded ``--json-file`` content; raises HarnessError if it is not that format."""
    if not isinstance(raw, list):
        raise HarnessError("Locust JSON statistics: expected a list of entries")
    entries = []
    for item in raw:
        try:
            entries.append(
                EntryStats(
                    name=str(item["name"]),
                    method=str(item.get("method") or ""),
                    num_requests=int(item["num_requests"]),
                    num_failures=int(item["num_failures"]),
                    response_times={float(k): int(v) for k, v in (item.get("response_times") or {}).items()},
                    start_time=float(item.get("start_time") or 0.0),
                    last_request_timestamp=(
                        float(item["last_request_timestamp"]) if item.get("last_request_timestamp") else None
                    ),
                    total_response_time=float(item.get("total_response_time") or 0.0),
                    requests_per_second=_int_keyed(item.get("num_reqs_per_sec")),
                    failures_per_second=_int_keyed(item.get("num_fail_per_sec")),
                )
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise HarnessError(f"Locust JSON statistics: malformed entry ({exc})") from None
    return entries


def load_locust_json(path: Path) -> list[EntryStats]:
    try:
        return parse_entries(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise HarnessError(f"cannot read Locust statistics {path}: {exc.strerror or exc}") from None
    except json.JSONDecodeError as exc:
        raise HarnessError(f"Locust statistics {path} are not JSON: {exc}") from None


def percentile(histogram: Mapping[float, int], fraction: float) -> float | None:
    """The response time at ``fraction`` (0..1) of a histogram, exactly as Locust computes it.

    Locust walks down from the slowest bucket and returns the first bucket value at which at most
    ``int(n * fraction)`` requests remain below it, so our figures equal its report's.
    """
    total = sum(histogram.values())
    if total == 0:
        return None
    allowed_below = int(total * fraction)
    seen = 0
    for value in sorted(histogram, reverse=True):
        seen += histogram[value]
        if total - seen <= allowed_below:
            return value
    return min(histogram)


def merge_histograms(histograms: Iterable[Mapping[float, int]]) -> dict[float, int]:
    merged: Counter[float] = Counter()
    for h in histograms:
        merged.update(h)
    return dict(merged)


@dataclass(frozen=True)
class Selection:
    """Several entries seen as one group (for a per-group SLO or the run total)."""

    entries: tuple[EntryStats, ...]

    @property
    def requests(self) -> int:
        return sum(e.num_requests for e in self.entries)

    @property
    def failures(self) -> int:
        return sum(e.num_failures for e in self.entries)

    @property
    def failure_ratio(self) -> float:
        return self.failures / self.requests if self.requests else 0.0

    @property
    def histogram(self) -> dict[float, int]:
        return merge_histograms(e.response_times for e in self.entries)

    def percentile(self, fraction: float) -> float | None:
        return percentile(self.histogram, fraction)

    @property
    def average_ms(self) -> float | None:
        total = sum(e.total_response_time for e in self.entries)
        return total / self.requests if self.requests else None

    @property
    def duration(self) -> float:
        """Seconds from the first entry's start to the last request (Locust's own rps basis)."""
        starts = [e.start_time for e in self.entries if e.start_time]
        ends = [e.last_request_timestamp for e in self.entries if e.last_request_timestamp]
        if not starts or not ends:
            return 0.0
        return max(0.0, max(ends) - min(starts))

    @property
    def rps(self) -> float:
        d = self.duration
        return self.requests / d if d > 0 else 0.0


def select(
    entries: Iterable[EntryStats], match: Iterable[str] = ("*",), exclude: Iterable[str] = ()
) -> Selection:
    """Entries whose name matches any ``match`` glob and no ``exclude`` glob (case-sensitive)."""
    inc, exc = list(match), list(exclude)
    chosen = tuple(
        e
        for e in entries
        if any(fnmatch.fnmatchcase(e.name, p) for p in inc)
        and not any(fnmatch.fnmatchcase(e.name, p) for p in exc)
    )
    return Selection(chosen)


def business(entries: Iterable[EntryStats]) -> Selection:
    """Every entry except token requests, auth bookkeeping, test-data setup and throttled requests."""
    return select(
        entries,
        exclude=(f"{TOKEN_GROUP}: *", f"{AUTH_GROUP}: *", f"{SETUP_GROUP}: *", f"{THROTTLED_GROUP}: *"),
    )


def throttled(entries: Iterable[EntryStats]) -> Selection:
    """Requests the target answered with 429 (every one of them is also counted as a Locust failure)."""
    return select(entries, match=(f"{THROTTLED_GROUP}: *",))


def failures_not_throttled(entries: Iterable[EntryStats]) -> int:
    """Failures of every kind but throttling: what the failure ratio SLO counts."""
    return select(entries, exclude=(f"{THROTTLED_GROUP}: *",)).failures


def token_requests(entries: Iterable[EntryStats]) -> int:
    """Requests to the token endpoint, throttled ones included (they reached it all the same)."""
    return select(entries, match=(f"{TOKEN_GROUP}: *", f"{THROTTLED_GROUP}: {TOKEN_GROUP}: *")).requests


def per_second_counts(entries: Iterable[EntryStats]) -> dict[int, tuple[int, int]]:
    """Unix second -> (requests, failures) over the given entries."""
    reqs: Counter[int] = Counter()
    fails: Counter[int] = Counter()
    for e in entries:
        reqs.update(e.requests_per_second)
        fails.update(e.failures_per_second)
    return {s: (reqs[s], fails[s]) for s in sorted(set(reqs) | set(fails))}


def round_ms(value: float | None) -> float | None:
    return None if value is None or math.isnan(value) else round(value, 1)
