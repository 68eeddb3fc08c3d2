"""The load suite: Locust scenarios, shapes, SLO gates and reports for a MyPreferences target.

``run_load(target, LoadOptions(...)) -> LoadResult`` is the entry point (CLI and release gate).
Locust itself only ever runs in subprocesses (see runner); nothing here imports it.
"""

from mypref_harness.load.options import LoadOptions
from mypref_harness.load.result import LoadResult
from mypref_harness.load.runner import run_load

__all__ = ["LoadOptions", "LoadResult", "run_load"]
