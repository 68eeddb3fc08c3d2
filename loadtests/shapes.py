"""Named load shapes for Locust (smoke, ramp, spike, soak); the arithmetic is in mypref_harness.load.shapes.

``mypref-harness load --shape NAME`` adds this file to ``-f`` and sets MYPREF_LOAD_SHAPE (and the
optional users / spawn rate / duration overrides); without --shape the plain -u/-r/-t run applies.
"""

from __future__ import annotations

import os

from locust import LoadTestShape

from mypref_harness.load import runtime
from mypref_harness.load.shapes import build_stages, parse_duration, tick


def _stages_from_env() -> tuple:
    env = os.environ
    users = env.get(runtime.ENV_USERS)
    rate = env.get(runtime.ENV_SPAWN_RATE)
    duration = env.get(runtime.ENV_DURATION)
    return build_stages(
        env.get(runtime.ENV_SHAPE, "smoke"),
        users=int(users) if users else None,
        spawn_rate=float(rate) if rate else None,
        duration=parse_duration(duration) if duration else None,
    )


class NamedShape(LoadTestShape):
    stages = _stages_from_env()

    def tick(self) -> tuple[int, float] | None:
        return tick(self.stages, self.get_run_time())
