"""Session plumbing of the pytest flavour of the contract suite: the target (the embedded sandbox
unless MYPREF_BASE_URL is set) is started once and stopped when pytest ends."""

from __future__ import annotations

import pytest


def pytest_unconfigure(config: pytest.Config) -> None:
    from mypref_harness.contract.schemathesis.pytest_support import close_session

    close_session()
