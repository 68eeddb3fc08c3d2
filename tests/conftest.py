"""Test order for ``make test`` (pytest-xdist, ``--dist loadfile``): the longest files start first.

xdist hands whole files to its 3 processes in collection order, so a 3-minute file collected last
(``tests/test_wheel.py``: tests/ sorts after its folders) started when the others were nearly done and
set the wall time alone: 581 s for 1,360 s of tests (453 s if evenly shared). Longest first is the
classic remedy for that tail. The list holds the files measured at over 100 s each
(``pytest -n 3 --dist loadfile --durations=0``, summed per file); files with other ``slow`` tests come
next, the rest after, each group in its usual order. Order only: no test depends on another.
"""

from __future__ import annotations

from pathlib import Path

import pytest

LONGEST_FILES = (
    "tests/test_wheel.py",  # 220 s: builds and installs the wheel, then gate --quick
    "tests/acceptance/test_vendor_spec.py",  # 138 s
    "tests/independent_target/test_gate_against_independent.py",  # 134 s
    "tests/gate/test_budget_defects.py",  # 132 s
    "tests/load/test_live.py",  # 119 s
    "tests/gate/test_budget_run.py",  # 108 s
)
ROOT = Path(__file__).resolve().parent.parent


def _file_of(item: pytest.Item) -> str:
    path = Path(item.path).resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.as_posix()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    slow_files = {_file_of(item) for item in items if item.get_closest_marker("slow")}

    def rank(item: pytest.Item) -> tuple[int, int]:
        path = _file_of(item)
        if path in LONGEST_FILES:
            return 0, LONGEST_FILES.index(path)
        return (1 if path in slow_files else 2), 0

    items.sort(key=rank)  # stable: each file's tests keep their order
