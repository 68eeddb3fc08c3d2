"""The sandbox's operations, one module per API area; importing a module registers its handlers."""

from __future__ import annotations

import importlib

MODULES = ("config", "programs", "profiles", "search", "history", "bulk", "webhooks")


def load_all() -> None:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
