"""`spec diff` wall time on our 110-operation spec against itself (a benchmark, not a test: prints figures).

Measured, best and median of REPEATS runs each:
  command   `mypref-harness spec diff OURS OURS` as a user runs it (a fresh interpreter: imports, two
            YAML loads, the diff, the table)
  load      the two loads alone (load_spec, not validated), in process
  diff      diff_documents on the two loaded documents, in process
  rendition our spec against its Swagger 2.0 rendition (diff_documents, in process)
Target: the command well under 2 s. Run: .venv/bin/python bench/bench_spec_diff.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from collections.abc import Callable

from mypref_harness.resources import spec_file, swagger2_spec_file
from mypref_harness.spec.diff import diff_documents
from mypref_harness.spec.document import load_spec

REPEATS = 7


def timed(body: Callable[[], object]) -> tuple[float, float]:
    """(best, median) wall seconds of REPEATS calls."""
    seconds = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        body()
        seconds.append(time.perf_counter() - start)
    return min(seconds), statistics.median(seconds)


def main() -> None:
    ours = str(spec_file())
    command = [sys.executable, "-m", "mypref_harness", "spec", "diff", ours, ours]
    old, new = load_spec(ours, validate=False), load_spec(ours, validate=False)
    rendition = load_spec(swagger2_spec_file(), validate=False)
    figures = {
        "command": timed(lambda: subprocess.run(command, check=True, capture_output=True)),
        "load": timed(lambda: (load_spec(ours, validate=False), load_spec(ours, validate=False))),
        "diff": timed(lambda: diff_documents(old.document, new.document)),
        "rendition": timed(lambda: diff_documents(old.document, rendition.document)),
    }
    print(f"spec diff, our spec ({len(old.operations)} operations) vs itself; best / median of {REPEATS}")
    for name, (best, median) in figures.items():
        print(f"  {name:<10} {best:6.3f} s / {median:6.3f} s")
    verdict = "OK" if figures["command"][1] < 2.0 else "SLOW"
    print(f"command median {figures['command'][1]:.2f} s (target < 2 s): {verdict}")


if __name__ == "__main__":
    main()
