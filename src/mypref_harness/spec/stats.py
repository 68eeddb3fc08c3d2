"""Counts of a spec's operations by area, route confidence and HTTP method (``spec stats``)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from mypref_harness.spec.document import LoadedSpec
from mypref_harness.spec.operations import CONFIDENCE_LEVELS, METHODS


def spec_stats(spec: LoadedSpec) -> dict[str, Any]:
    """Counts of operations by area (first tag), route confidence and HTTP method."""
    ops = spec.operations
    by_confidence = Counter(op.confidence for op in ops)
    ordered_conf = {level: by_confidence[level] for level in CONFIDENCE_LEVELS if by_confidence[level]}
    ordered_conf.update({k: v for k, v in sorted(by_confidence.items()) if k not in ordered_conf})
    method_order = [m.upper() for m in METHODS]
    by_method = Counter(op.method for op in ops)
    return {
        "source": spec.source,
        "title": spec.title,
        "version": spec.version,
        "operations": len(ops),
        "by_area": dict(Counter(op.area for op in ops).most_common()),
        "by_confidence": ordered_conf,
        "by_method": {m: by_method[m] for m in method_order if by_method[m]},
    }
