"""Deliberate misbehaviour for load and reliability tests: latency, random errors, a token-endpoint outage
and a skewed server clock.

Everything here is a no-op unless configured, and the middleware is only installed when some fault is on,
so the normal request path pays nothing.
"""

from __future__ import annotations

import asyncio
import random
import time
from email.utils import formatdate

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mypref_harness.sandbox.settings import SandboxSettings

FAULT_STATUS = 503
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
