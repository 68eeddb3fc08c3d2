"""The sandbox's HTTP/1.1 protocol: uvicorn's httptools protocol plus the limits it lacks.

uvicorn (httptools) times out only an idle keep-alive connection (its timer is armed after a
response), has an opt-in concurrency limit and, for h11 only, a cap on a buffered incomplete event.
Under httptools nothing bounds

* a connection that never completes a request: it stayed open 150 s+;
* the request head: llhttp buffers an unfinished header without limit (8 unfinished 20 MB headers
  took the sandbox from 77 to 280 MB RSS; a 50 MB header was accepted);
* the number of open connections: 300 idle ones under a 256 open-file limit left no descriptor to
  accept ``GET /health`` with for 33 s;

and a request the parser refuses gets ``text/plain`` "Invalid HTTP request received.".

``GuardedHttpToolsProtocol`` adds a read deadline per request, a head-size cap (431), a connection cap
that closes the longest-idle connection first (503 only when every connection is busy) and answers
every one of these refusals, parser errors included, with the documented ``{"Message": ...}`` body.
uvicorn's own ``limit_concurrency`` is not used: it counts idle connections and answers new requests
503 while keeping the idle ones, the wrong way round for an idle-connection flood.
"""

from __future__ import annotations

import functools
import json
import logging
import resource
import time
from asyncio import TimerHandle
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

log = logging.getLogger("mypref_harness.sandbox.http")

PARSER_ERROR_MESSAGE = "Invalid HTTP request received."
FD_RESERVE = 64  # descriptors kept free for the listening socket, SQLite files, logs and probes


@dataclass(frozen=True)
class Limits:
    read_timeout: float  # seconds for one request (head and body) to arrive, from its first byte
    max_connections: int  # open connections of this worker process
    max_header_bytes: int  # request line + header lines


def connection_cap(wanted: int) -> int:
    """``wanted``, lowered below the process's open-file limit so that accept() never runs dry."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(8, min(wanted, soft - FD_RESERVE))


def guarded_protocol(limits: Limits) -> Callable[..., GuardedHttpToolsProtocol]:
    """What uvicorn's ``Config(http=...)`` takes: a picklable factory (workers are spawned)."""
    return functools.partial(GuardedHttpToolsProtocol, limits=limits)


class _HeadTooLarge(Exception):
    """Raised from a parser callback to stop parsing a head over the cap."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    def __init__(self, *args: Any, limits: Limits, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limits = limits
        self._read_timer: TimerHandle | None = None  # armed while a request is arriving
        self._in_head = True  # between the end of a request (or connect) and the next complete head
        self._head_bytes = 0
        self._head_too_large = False
        self.last_activity = time.monotonic()

    # -- connection cap -------------------------------------------------------------------------
    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._arm_read_deadline()
        if len(self.connections) > self.limits.max_connections and not self._close_longest_idle():
            self._refuse(503, "The sandbox has too many open connections; try again shortly.")

    def _close_longest_idle(self) -> bool:
        idle = [
            c
            for c in self.connections
            if c is not self and isinstance(c, GuardedHttpToolsProtocol) and c.is_idle()
        ]
        if not idle:
            return False
        victim = min(idle, key=lambda c: c.last_activity)
        victim.transport.close()
        victim.connections.discard(victim)  # counted out now, not when the loop reports the close
        return True

    def is_idle(self) -> bool:
        """No request of this connection is in the application (waiting, or sending a request)."""
        return (self.cycle is None or self.cycle.response_complete) and not self.pipeline

    # -- read deadline --------------------------------------------------------------------------
    def _arm_read_deadline(self) -> None:
        self._cancel_read_deadline()
        self._read_timer = self.loop.call_later(self.limits.read_timeout, self._read_timed_out)

    def _cancel_read_deadline(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _read_timed_out(self) -> None:
        self._read_timer = None
        if self.transport.is_closing():
            return
        if self._in_head and self._head_bytes:
            self._refuse(408, f"The request did not arrive within {self.limits.read_timeout:g} s.")
        else:
            # Nothing sent yet, or the body stalled while the application waits for it: closing is the
            # answer (the application sees a disconnect).
            self.transport.close()

    # -- data -----------------------------------------------------------------------------------
    def data_received(self, data: bytes) -> None:
        self.last_activity = time.monotonic()
        if self._read_timer is None:  # the first bytes of the next request on a kept-alive connection
            self._arm_read_deadline()
        if self._in_head:
            self._head_bytes += len(data)
        super().data_received(data)
        over = self._head_bytes > self.limits.max_header_bytes
        if self._in_head and over and not self.transport.is_closing():
            self._refuse_head()

    def on_headers_complete(self) -> None:
        # A head that arrived within one read is measured here, before the application sees it.
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > self.limits.max_header_bytes:
            self._head_too_large = True
            raise _HeadTooLarge
        self._in_head = False
        self._head_bytes = 0
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._cancel_read_deadline()
        self._in_head = True
        super().on_message_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_read_deadline()
        super().connection_lost(exc)

    # -- refusals -------------------------------------------------------------------------------
    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request the parser refused, with the documented JSON body."""
        if self._head_too_large:
            self._refuse_head()
        else:
            self._refuse(400, PARSER_ERROR_MESSAGE)

    def _refuse_head(self) -> None:
        self._refuse(
            431, f"The request line and headers exceed the limit of {self.limits.max_header_bytes} bytes."
        )

    def _refuse(self, status: int, message: str) -> None:
        """Write a complete ``{"Message": ...}`` response and close the connection."""
        self._cancel_read_deadline()
        if self.transport.is_closing():
            return
        log.info("refused a request with %d: %s", status, message)
        body = json.dumps({"Message": message}).encode("ascii")
        content = [STATUS_LINE[status]]
        for name, value in self.server_state.default_headers:
            content.extend([name, b": ", value, b"\r\n"])
        content.extend(
            [
                b"content-type: application/json; charset=utf-8\r\n",
                b"content-length: " + str(len(body)).encode("ascii") + b"\r\n",
                b"connection: close\r\n",
                b"\r\n",
                body,
            ]
        )
        self.transport.write(b"".join(content))
        self.transport.close()
