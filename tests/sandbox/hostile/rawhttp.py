"""Raw-socket HTTP for the hostile tests: what an HTTP client library would refuse to send.

Every wait is bounded; a wait that runs out is reported as ``timed_out`` (a hang), never raised.
"""

from __future__ import annotations

import json
import select
import socket
import time
from dataclasses import dataclass
from typing import Any

WAIT = 10.0  # seconds any single exchange may take before it counts as a hang


@dataclass
class Exchange:
    raw: bytes
    timed_out: bool

    @property
    def status(self) -> int | None:
        if not self.raw.startswith(b"HTTP/1."):
            return None
        return int(self.raw.split(b" ", 2)[1])

    @property
    def closed_without_answer(self) -> bool:
        return not self.raw and not self.timed_out

    def header(self, name: str) -> str | None:
        head = self.raw.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        for line in head.split("\r\n")[1:]:
            key, _, value = line.partition(":")
            if key.strip().lower() == name.lower():
                return value.strip()
        return None

    def json(self) -> Any:
        return json.loads(self.raw.split(b"\r\n\r\n", 1)[1])


def port_of(root_url: str) -> int:
    return int(root_url.rsplit(":", 1)[1])


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT)
    return sock


def read_until_closed(sock: socket.socket, wait: float = WAIT) -> Exchange:
    """Everything the server sends until it closes the connection, or until ``wait`` runs out."""
    deadline = time.monotonic() + wait
    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return Exchange(b"".join(chunks), timed_out=True)
        sock.settimeout(left)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            return Exchange(b"".join(chunks), timed_out=True)
        except ConnectionResetError:
            return Exchange(b"".join(chunks), timed_out=False)
        if not chunk:
            return Exchange(b"".join(chunks), timed_out=False)
        chunks.append(chunk)


def exchange(port: int, data: bytes, wait: float = WAIT) -> Exchange:
    """Send ``data`` on a new connection and read until the server closes it (bounded)."""
    with connect(port) as sock:
        if not send_all(sock, data):
            return Exchange(b"", timed_out=True)
        return read_until_closed(sock, wait)


def send_all(sock: socket.socket, data: bytes) -> bool:
    """False when the server stopped reading for ``WAIT`` s (a hang); a refusal mid-way is fine: what
    the server sent before closing is still readable."""
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    except TimeoutError:
        return False
    return True


def closed_by_server(socks: list[socket.socket], expected: int, wait: float = WAIT) -> int:
    """How many of ``socks`` the server closed, waiting (bounded) until at least ``expected`` are."""
    closed: set[int] = set()
    deadline = time.monotonic() + wait
    while len(closed) < expected and time.monotonic() < deadline:
        open_ones = [s for s in socks if s.fileno() not in closed]
        readable, _, _ = select.select(open_ones, [], [], max(0.0, deadline - time.monotonic()))
        for sock in readable:
            try:
                data = sock.recv(1)
            except ConnectionResetError:
                data = b""
            if not data:
                closed.add(sock.fileno())
    return len(closed)


def request(method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"") -> bytes:
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def rss_kib(pid: int) -> int:
    """Resident set size of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")
