"""Deliberate misbehaviour for load and reliability tests: latency, random errors, a token-endpoint outage,
a skewed server clock and rate limiting (429 with Retry-After).

Everything here is a no-op unless configured, and the middleware is only installed when some fault is on,
so the normal request path pays nothing.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections.abc import Callable
from email.utils import formatdate

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mypref_harness.sandbox.settings import SandboxSettings

FAULT_STATUS = 503
RATE_LIMITED_STATUS = 429
_EXEMPT_PATHS = ("/health", "/openapi.json", "/openapi.yaml")


class Clock:
    """The server's notion of now: real time plus ``--clock-offset`` (auth checks, token times, Date)."""

    def __init__(self, offset: float = 0.0) -> None:
        self.offset = offset

    def __call__(self) -> float:
        return time.time() + self.offset


def token_outage_active(settings: SandboxSettings, now: float | None = None) -> bool:
    if settings.token_outage is None:
        return False
    elapsed = (time.time() if now is None else now) - settings.started_at
    start, end = settings.token_outage
    return start <= elapsed < end


def faults_configured(settings: SandboxSettings) -> bool:
    return bool(
        settings.latency_ms or settings.latency_jitter_ms or settings.error_rate or settings.clock_offset
    )


class FaultMiddleware:
    """Adds latency and random 503s to API and token requests; rewrites Date under a clock offset."""

    def __init__(self, app: ASGIApp, settings: SandboxSettings, rng: random.Random | None = None) -> None:
        self.app = app
        self.settings = settings
        self.clock = Clock(settings.clock_offset)
        self.rng = rng or random.Random()  # noqa: S311 - fault injection, not cryptography

    def _delay_seconds(self) -> float:
        s = self.settings
        jitter = self.rng.uniform(-s.latency_jitter_ms, s.latency_jitter_ms) if s.latency_jitter_ms else 0.0
        return max(0.0, s.latency_ms + jitter) / 1000.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = self._with_date(send) if self.settings.clock_offset else send
        if scope["path"] in _EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return
        delay = self._delay_seconds()
        if delay:
            await asyncio.sleep(delay)
        if self.settings.error_rate and self.rng.random() < self.settings.error_rate:
            await _send_fault(send)
            return
        await self.app(scope, receive, send)

    def _with_date(self, send: Send) -> Send:
        clock = self.clock

        async def send_with_date(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                headers.append((b"date", formatdate(clock(), usegmt=True).encode("ascii")))
                message = {**message, "headers": headers}
            await send(message)

        return send_with_date


async def _send_fault(send: Send) -> None:
    body = b'{"Message":"Injected fault: the service is temporarily unavailable (sandbox --error-rate)."}'
    await send(
        {
            "type": "http.response.start",
            "status": FAULT_STATUS,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", b"1"),
                (b"cache-control", b"no-cache"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class TokenBucket:
    """``rate`` admissions per second, at most ``max(1, rate)`` saved up (a burst of one second's worth)."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.clock = clock
        self.stamp = clock()

    def take(self) -> float:
        """0.0 when admitted, else the seconds until the next admission."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class RateLimitMiddleware:
    """``--rate-limit N/s``: API and token requests beyond the rate answer 429 with Retry-After.

    One bucket per worker process (an event loop is single-threaded, so no lock); /health and the
    spec endpoints are never limited.
    """

    def __init__(
        self, app: ASGIApp, settings: SandboxSettings, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.app = app
        self.bucket = TokenBucket(settings.rate_limit, clock)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in _EXEMPT_PATHS:
            wait = self.bucket.take()
            if wait:
                await _send_rate_limited(send, self.bucket.rate, wait)
                return
        await self.app(scope, receive, send)


async def _send_rate_limited(send: Send, rate: float, wait: float) -> None:
    retry_after = max(1, math.ceil(wait))  # delay-seconds must be a non-negative integer (RFC 9110 §10.2.3)
    body = (
        f'{{"Message":"Too many requests: this sandbox admits {rate:g} requests per second '
        f'(sandbox --rate-limit). Retry after {retry_after} s."}}'
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": RATE_LIMITED_STATUS,
            "headers": [
                (b"content-type", b"application/json; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(retry_after).encode()),
                (b"cache-control", b"no-cache"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
