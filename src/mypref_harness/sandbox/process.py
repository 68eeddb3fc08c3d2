"""Start the sandbox in a background process for tests and the harness (interface 3 of the brief).

    with running_sandbox(defects=["sha1-accepted"]) as sb:
        httpx.get(sb.base_url + "/ACME_CORP/Programs", headers=...)

The child runs ``python -m mypref_harness sandbox --port 0 ...`` in its own process group; we wait for
its ``{"event": "ready", ...}`` line, keep draining its stdout, and on exit terminate (then kill) the
whole group so nothing is left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

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
    _process: subprocess.Popen[str] | None = field(default=None, repr=False)
    _output: list[str] = field(default_factory=list, repr=False)

    def tenant(self, client_id: str) -> dict[str, Any]:
        """The credentials entry of one tenant (KeyError if unknown)."""
        for tenant in self.credentials["tenants"]:
            if tenant["client_id"] == client_id:
                return dict(tenant)
        raise KeyError(client_id)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """SIGTERM the process group (graceful), SIGKILL it if it is still there after ``timeout``."""
        if self._process is None:
            return
        _signal_group(self._process, signal.SIGTERM)
        try:
            self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(self._process, signal.SIGKILL)
            self._process.wait(timeout=timeout)
        _signal_group(self._process, signal.SIGKILL)  # stray workers of a dead supervisor

    def kill(self) -> None:
        """SIGKILL the whole process group at once (no graceful shutdown: the durability test)."""
        if self._process is None:
            return
        _signal_group(self._process, signal.SIGKILL)
        self._process.wait(timeout=STOP_TIMEOUT)

    def output(self) -> str:
        return "".join(self._output)


def _signal_group(process: subprocess.Popen[str], sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)  # the child leads its own group (start_new_session)


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
    with tempfile.TemporaryFile(mode="w+", prefix="mypref-sandbox-stderr-") as stderr:
        process = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=stderr,
            stdin=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
            env={**os.environ, **(env or {}), "PYTHONUNBUFFERED": "1"},
        )
        output: list[str] = []
        ready: list[dict[str, Any]] = []
        got_ready = threading.Event()
        assert process.stdout is not None
        reader = threading.Thread(
            target=_reader,
            args=(process.stdout, output, ready, got_ready),
            name="sandbox-stdout",
            daemon=True,
        )
        reader.start()
        handle = SandboxHandle("", "", "", "", {}, process.pid, _process=process, _output=output)
        try:
            deadline = time.monotonic() + startup_timeout
            while not got_ready.wait(0.1):
                if time.monotonic() > deadline:
                    raise TargetUnreachable(f"the sandbox did not become ready in {startup_timeout:.0f} s")
            if not ready:
                stderr.seek(0)
                tail = stderr.read()[-2000:].strip()
                raise HarnessError(
                    f"the sandbox exited with code {process.wait(timeout=STOP_TIMEOUT)} before it was ready"
                    + (f": {tail.splitlines()[-1]}" if tail else "")
                )
            doc = ready[0]
            credentials = {k: v for k, v in doc.items() if k != "event"}
            handle.root_url = doc["root_url"]
            handle.base_url = doc["base_url"]
            handle.token_url = doc["token_url"]
            handle.jwks_url = doc["jwks_url"]
            handle.credentials = credentials
            handle.db_path = Path(doc["db_path"]) if doc.get("db_path") else None
            handle.state_dir = Path(doc["state_dir"]) if doc.get("state_dir") else None
            yield handle
        finally:
            handle.stop()
            reader.join(timeout=STOP_TIMEOUT)
