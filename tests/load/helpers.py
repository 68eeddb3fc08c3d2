"""Builders of Locust-like statistics for the load tests (no Locust import: pytest must never load it)."""

from __future__ import annotations

from mypref_harness.load.stats import EntryStats


def entry(name, times, *, failures=0, method="GET", start=1000.0, end=1010.0, per_second=None):
    """An entry whose histogram holds ``times`` (ms values, one request each)."""
    hist: dict[float, int] = {}
    for t in times:
        hist[float(t)] = hist.get(float(t), 0) + 1
    return EntryStats(
        name=name,
        method=method,
        num_requests=len(times),
        num_failures=failures,
        response_times=hist,
        start_time=start,
        last_request_timestamp=end,
        total_response_time=float(sum(times)),
        requests_per_second=per_second or {},
    )


def locust_json_entry(name, times, *, failures=0, method="GET", start=1000.0, end=1010.0, per_second=None):
    """The same as Locust writes it with --json-file (string keys, as json.dump makes them)."""
    hist: dict[str, int] = {}
    for t in times:
        hist[str(t)] = hist.get(str(t), 0) + 1
    return {
        "name": name,
        "method": method,
        "last_request_timestamp": end,
        "start_time": start,
        "num_requests": len(times),
        "num_none_requests": 0,
        "num_failures": failures,
        "total_response_time": float(sum(times)),
        "max_response_time": max(times, default=0),
        "min_response_time": min(times, default=0),
        "total_content_length": 0,
        "response_times": hist,
        "num_reqs_per_sec": {str(k): v for k, v in (per_second or {}).items()},
        "num_fail_per_sec": {},
    }
