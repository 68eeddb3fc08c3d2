"""Finding the processes a test started, by a marker in their environment (shutdown tests).

A test puts a unique ``MYPREF_TEST_..._PROBE_<uuid>`` variable in the environment of the command it
runs; every child inherits it, so whatever is still alive afterwards can be found and named.
"""

from __future__ import annotations

import time
from pathlib import Path


def processes_with(marker: str) -> dict[int, str]:
    """pid -> command line of every live (non-zombie) process whose environment carries ``marker``."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker.encode() not in (entry / "environ").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue  # gone meanwhile, or not ours
        if state != "Z":
            found[int(entry.name)] = cmdline
    return found


def wait_for(condition, within: float, step: float = 0.2):
    """The first truthy value of ``condition()`` within ``within`` seconds, else its last value."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    return condition()
