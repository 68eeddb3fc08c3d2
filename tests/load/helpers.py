"""Builders of Locust-like statistics for the load tests (no Locust import: pytest must never load it)."""

from __future__ import annotations

import functools
import json

from mypref_harness import resources
from mypref_harness.load.stats import EntryStats
from mypref_harness.load.templates import LoadTemplates, templates_for_spec


@functools.cache
def our_templates() -> LoadTemplates:
    """The load suite's URL templates from our own spec (parsed once per test session)."""
    return templates_for_spec(str(resources.spec_file()))


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


class FakeResponse:
    """The surface of Locust's ResponseContextManager that our code uses."""

    def __init__(self, status, body=None, headers=None, name=""):
        self.status_code = status
        self._body = body
        self.headers = headers or {}
        self.text = "" if body is None else json.dumps(body)
        self.request_meta = {"name": name}
        self.outcome = None  # "success" | ("failure", message)

    def json(self):
        if self._body is None:
            raise ValueError("no body")
        return self._body

    def success(self):
        self.outcome = "success"

    def failure(self, message):
        self.outcome = ("failure", str(message))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


class FakeClient:
    """Answers requests from a handler(method, url, headers, data) -> (status, body[, headers])."""

    def __init__(self, handler):
        self.handler = handler
        self.sent = []  # (method, url, name, headers, data)
        self.reported = []  # FakeResponse objects, in order

    def request(self, method, url, name=None, headers=None, data=None, catch_response=False, **kw):
        assert catch_response, "our code always uses catch_response"
        self.sent.append((method, url, name, dict(headers or {}), data))
        answer = self.handler(method, url, dict(headers or {}), data)
        status, body = answer[0], answer[1]
        resp = FakeResponse(status, body, answer[2] if len(answer) > 2 else None, name=name)
        self.reported.append(resp)
        return resp
