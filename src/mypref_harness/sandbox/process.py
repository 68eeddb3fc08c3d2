"""Start the sandbox in a background process for tests and the harness (interface 3 of the brief).

    with running_sandbox(defects=["sha1-accepted"]) as sb:
        httpx.get(sb.base_url + "/ACME_CORP/Programs", headers=...)

The child runs ``python -m mypref_harness sandbox --port 0 ...`` in its own process group
(:mod:`mypref_harness.procs`); we wait for its ``{"event": "ready", ...}`` line, keep draining its
stdout, and on exit terminate (then kill) the whole group so nothing is left behind. Without a
``db_path`` the database lives in a temporary folder of ours, removed even when the sandbox had to
be killed (its own clean-up only runs when it shuts down gracefully).
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from mypref_harness import procs
from mypref_harness.errors import HarnessError, TargetUnreachable

STOP_TIMEOUT = 10.0


@dataclass
class SandboxHandle:
    root_url: str
    base_url: str
    token_url: str
    jwks_url: str
    credentials: dict[str, Any]
    pid: int
    db_path: Path | None = None
    state_dir: Path | None = None
    _child: procs.Child | None = field(default=None, repr=False)
    _output: list[str] = field(default_factory=list, repr=False)

    def tenant(self, client_id: str) -> dict[str, Any]:
        """The credentials entry of one tenant (KeyError if unknown)."""
        for tenant in self.credentials["tenants"]:
            if tenant["client_id"] == client_id:
                return dict(tenant)
        raise KeyError(client_id)

    @property
    def running(self) -> bool:
        return self._child is not None and self._child.running

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM the process group (graceful), SIGKILL it if it is still there after ``timeout``."""
        if self._child is not None:
            self._child.stop(grace=timeout)

    def kill(self) -> None:
        """SIGKILL the whole process group at once (no graceful shutdown: the durability test)."""
        if self._child is not None:
            self._child.kill()

    def output(self) -> str:
        return "".join(self._output)


def build_command(
    *,
    host: str,
    port: int,
    db_path: Path | str | None,
    defects: Iterable[str],
    token_lifetime: int | None,
    pnauth_window: int | None,
    state_dir: Path | str | None,
    extra_args: Iterable[str],
) -> list[str]:
    cmd = [sys.executable, "-m", "mypref_harness", "sandbox", "--host", host, "--port", str(port)]
    if db_path is not None:
        cmd += ["--db", str(db_path)]
    if state_dir is not None:
        cmd += ["--state-dir", str(state_dir)]
    if token_lifetime is not None:
        cmd += ["--token-lifetime", str(token_lifetime)]
    if pnauth_window is not None:
        cmd += ["--pnauth-window", str(pnauth_window)]
    for name in defects:
        cmd += ["--defect", name]
    cmd += list(extra_args)
    return cmd


def _reader(
    stream: IO[str], sink: list[str], ready: list[dict[str, Any]], got_ready: threading.Event
) -> None:
    """Drain the child's stdout for its whole life (a full pipe would block it) and spot the ready line."""
    for line in stream:
        sink.append(line)
        if not got_ready.is_set() and line.startswith("{"):
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            if isinstance(doc, dict) and doc.get("event") == "ready":
                ready.append(doc)
                got_ready.set()
    got_ready.set()  # EOF: the child ended; wake the waiter


@contextlib.contextmanager
def running_sandbox(
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    db_path: Path | str | None = None,
    defects: Iterable[str] = (),
    token_lifetime: int | None = None,
    pnauth_window: int | None = None,
    extra_args: Iterable[str] = (),
    startup_timeout: float = 30,
    state_dir: Path | str | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[SandboxHandle]:
    with contextlib.ExitStack() as stack:
        if db_path is None:
            db_path = stack.enter_context(procs.temp_dir("mypref-sandbox-")) / "sandbox.db"
        cmd = build_command(
            host=host,
            port=port,
            db_path=db_path,
            defects=defects,
            token_lifetime=token_lifetime,
            pnauth_window=pnauth_window,
            state_dir=state_dir,
            extra_args=extra_args,
        )
        stderr = stack.enter_context(tempfile.TemporaryFile(mode="w+", prefix="mypref-sandbox-stderr-"))
        child = procs.start(
            cmd,
            name="sandbox",
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
            env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
        )
        reader = _StdoutReader(child)
        stack.callback(reader.join)  # callbacks run last-in first-out: after the stop, at EOF
        stack.callback(child.stop, STOP_TIMEOUT)
        yield _until_ready(child, reader, stderr, startup_timeout)


class _StdoutReader:
    """Drains the child's stdout in a thread for its whole life and spots the ready line."""

    def __init__(self, child: procs.Child) -> None:
        assert child.popen.stdout is not None
        self.output: list[str] = []
        self.ready: list[dict[str, Any]] = []
        self.got_ready = threading.Event()
        self._thread = threading.Thread(
            target=_reader,
            args=(child.popen.stdout, self.output, self.ready, self.got_ready),
            name="sandbox-stdout",
            daemon=True,
        )
        self._thread.start()

    def join(self) -> None:
        self._thread.join(timeout=STOP_TIMEOUT)


def _until_ready(
    child: procs.Child, reader: _StdoutReader, stderr: IO[str], startup_timeout: float
) -> SandboxHandle:
    deadline = time.monotonic() + startup_timeout
    while not reader.got_ready.wait(0.1):
        if time.monotonic() > deadline:
            raise TargetUnreachable(f"the sandbox did not become ready in {startup_timeout:.0f} s")
    if not reader.ready:
        stderr.seek(0)
        tail = stderr.read()[-2000:].strip()
        raise HarnessError(
            f"the sandbox exited with code {child.wait(timeout=STOP_TIMEOUT)} before it was ready"
            + (f": {tail.splitlines()[-1]}" if tail else "")
        )
    doc = reader.ready[0]
    return SandboxHandle(
        root_url=doc["root_url"],
        base_url=doc["base_url"],
        token_url=doc["token_url"],
        jwks_url=doc["jwks_url"],
        credentials={k: v for k, v in doc.items() if k != "event"},
        pid=child.pid,
        db_path=Path(doc["db_path"]) if doc.get("db_path") else None,
        state_dir=Path(doc["state_dir"]) if doc.get("state_dir") else None,
        _child=child,
        _output=reader.output,
    )
