"""Files the sandbox keeps between runs in its state directory, created once and shared by all processes.

Several sandboxes (or uvicorn workers) may start at the same moment with the same state directory, so
creation happens under an exclusive ``flock`` and files are written atomically (temp file + rename).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def locked_state_dir(state_dir: Path) -> Iterator[Path]:
    state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(state_dir / ".lock", "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield state_dir
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def write_private(path: Path, data: bytes) -> None:
    """Atomically write a file only the owner can read (private keys)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
