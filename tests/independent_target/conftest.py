"""Fixtures: the independent target on a free loopback port, and the environment pointing at it."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .__main__ import target_env
from .options import TargetOptions
from .server import RunningTarget, running_target


@pytest.fixture
def independent_target() -> Iterator[RunningTarget]:
    with running_target(TargetOptions()) as target:
        yield target


def harness_env(target: RunningTarget, auth: str = "pnauth") -> dict[str, str]:
    """This process's environment without MYPREF_* settings, plus the ones naming ``target``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MYPREF_")}
    env.update(target_env(target.base_url, target.token_url, auth))
    return env
