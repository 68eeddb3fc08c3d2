"""The harness's per-user cache folder: what a contract run may keep between runs (parsed specs,
Hypothesis's storage). Nothing in it is a secret or a report."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_dir(name: str) -> Path | None:
    """``$XDG_CACHE_HOME/mypref-harness/<name>`` (default ``~/.cache``), created; None when it cannot be."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "mypref-harness" / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder
