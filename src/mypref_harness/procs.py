"""The harness's child processes and temporary folders, and the one way they are stopped.

Every subprocess the harness starts (Schemathesis, Locust, the embedded sandbox) runs in its own
process group, so that stopping it also stops whatever it forked. :func:`start` registers the child
and :func:`temp_dir` the folder; both leave the registry when their owner stops or removes them.

Shutdown has one path for every command:

* :func:`command_scope` (the CLI enters it around every command) turns SIGTERM (what CI sends on
  cancel or timeout) and SIGHUP into :class:`Terminated`, a KeyboardInterrupt, so a SIGTERM unwinds
  the stack exactly like Ctrl-C: every ``with`` block stops its child (TERM, then KILL after a grace
  period) and removes its folder, and partial reports are written on the way out;
* when the command ends, however it ends, the scope stops and removes whatever it left registered:
  the safety net for a signal that arrived in an awkward place.

POSIX only (process groups), like the rest of the harness.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STOP_GRACE = 5.0  # seconds a child gets to shut down after SIGTERM (CI runners kill ~10 s after theirs)
REAP_TIMEOUT = 10.0  # seconds to wait for a SIGKILLed group leader to be reaped
HANDLED_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


class Terminated(KeyboardInterrupt):
    """A termination signal arrived: unwind like Ctrl-C, then exit with 128 + the signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum


@dataclass(eq=False)
class Child:
    """A subprocess leading its own process group."""

    name: str
    popen: subprocess.Popen[Any]

    @property
    def pid(self) -> int:
        return self.popen.pid

    @property
    def running(self) -> bool:
        return self.popen.poll() is None

    def wait(self, timeout: float | None = None) -> int:
        """The exit code; raises subprocess.TimeoutExpired when ``timeout`` passes first."""
        return self.popen.wait(timeout=timeout)

    def signal_group(self, sig: signal.Signals) -> None:
        # ESRCH: the group is gone; EPERM: the pid was reused by someone else's process.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, sig)

    def stop(self, grace: float = STOP_GRACE) -> int | None:
        """SIGTERM the group, SIGKILL it after ``grace`` seconds; returns the leader's exit code.

        The child leaves the registry only once it is down: a stop interrupted by a signal is
        finished by the command scope's clean-up.
        """
        if self.running:
            self.signal_group(signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.signal_group(signal.SIGKILL)
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.popen.wait(timeout=REAP_TIMEOUT)
        # Members that outlived their leader (the workers of a dead supervisor) go too.
        self.signal_group(signal.SIGKILL)
        _REGISTRY.forget_child(self)
        return self.popen.poll()

    def kill(self) -> int | None:
        """SIGKILL the whole group at once (no graceful shutdown)."""
        self.signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=REAP_TIMEOUT)
        _REGISTRY.forget_child(self)
        return self.popen.poll()


class _Registry:
    """What is alive right now: children to stop and folders to remove if the command ends early."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._children: list[Child] = []
        self._dirs: list[Path] = []

    def add_child(self, child: Child) -> None:
        with self._lock:
            self._children.append(child)

    def forget_child(self, child: Child) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._children.remove(child)

    def add_dir(self, path: Path) -> None:
        with self._lock:
            self._dirs.append(path)

    def forget_dir(self, path: Path) -> None:
        with self._lock, contextlib.suppress(ValueError):
            self._dirs.remove(path)

    def children(self) -> list[Child]:
        with self._lock:
            return list(self._children)

    def dirs(self) -> list[Path]:
        with self._lock:
            return list(self._dirs)


_REGISTRY = _Registry()


class _SignalState:
    """Whether a termination signal arrived, and whether raising it must wait a moment."""

    def __init__(self) -> None:
        self.deferring = 0  # > 0 while a child is between Popen() and its registration
        self.pending: int | None = None  # a signal that arrived while deferring
        self.terminating = False  # a Terminated was raised: later signals are ignored


_SIGNALS = _SignalState()


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Terminated back while a child is started and registered, so no child is ever orphaned.

    (Blocking the signals with pthread_sigmask would be inherited by the child across exec.)
    Python runs signal handlers in the main thread only, so only the main thread defers.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _SIGNALS.deferring += 1
    try:
        yield
    finally:
        _SIGNALS.deferring -= 1
        pending = _SIGNALS.pending
        if pending is not None and not _SIGNALS.deferring and not _SIGNALS.terminating:
            _SIGNALS.pending = None
            _SIGNALS.terminating = True
            raise Terminated(pending)


def start(cmd: Sequence[str], *, name: str, **popen_kwargs: Any) -> Child:
    """Start ``cmd`` in a new session (its own process group) and register it until it is stopped."""
    with _signals_deferred():
        popen = subprocess.Popen(list(cmd), start_new_session=True, **popen_kwargs)
        child = Child(name, popen)
        _REGISTRY.add_child(child)
    return child


@contextlib.contextmanager
def running(
    cmd: Sequence[str], *, name: str, grace: float = STOP_GRACE, **popen_kwargs: Any
) -> Iterator[Child]:
    """A child for the duration of the block, stopped (TERM, then KILL) however the block ends."""
    child = start(cmd, name=name, **popen_kwargs)
    try:
        yield child
    finally:
        child.stop(grace)


@contextlib.contextmanager
def temp_dir(prefix: str) -> Iterator[Path]:
    """A private temporary folder, removed when the block ends or by :func:`cleanup`."""
    with _signals_deferred():  # registered before a signal can unwind: never a folder nobody owns
        path = Path(tempfile.mkdtemp(prefix=prefix))
        _REGISTRY.add_dir(path)
    try:
        yield path
    finally:
        remove_dir(path)


def remove_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    _REGISTRY.forget_dir(path)


def live_children() -> list[Child]:
    """Registered children, oldest first (for tests and diagnostics)."""
    return _REGISTRY.children()


def live_dirs() -> list[Path]:
    return _REGISTRY.dirs()


def cleanup(grace: float = STOP_GRACE, *, keep: tuple[list[Child], list[Path]] = ([], [])) -> None:
    """Stop every registered child (newest first: Schemathesis before the sandbox it talks to) and
    remove every registered folder, except those in ``keep`` (what existed before a command began)."""
    kept_children, kept_dirs = keep
    for child in reversed(_REGISTRY.children()):
        if child not in kept_children:
            child.stop(grace)
    for path in _REGISTRY.dirs():
        if path not in kept_dirs:
            remove_dir(path)


@contextlib.contextmanager
def command_scope() -> Iterator[None]:
    """The life of one command: termination signals unwind it (main thread only), and whatever it
    left registered is stopped and removed at the end. Children and folders that existed before
    (a test's shared sandbox, when a test calls the CLI in-process) are left alone."""
    before = (_REGISTRY.children(), _REGISTRY.dirs())
    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        _SIGNALS.terminating, _SIGNALS.pending = False, None
        previous = {sig: signal.signal(sig, _raise_terminated) for sig in HANDLED_SIGNALS}
    try:
        yield
    finally:
        try:
            cleanup(keep=before)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def _raise_terminated(signum: int, frame: object) -> None:
    # Only the first signal unwinds: a second one (CI runners often repeat theirs) must not
    # interrupt the cleanup the first one started. (Not SIG_IGN: that would be inherited by any
    # child started during the cleanup.)
    if _SIGNALS.terminating:
        return
    if _SIGNALS.deferring:
        _SIGNALS.pending = signum
        return
    _SIGNALS.terminating = True
    raise Terminated(signum)
