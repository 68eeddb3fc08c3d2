"""The route table's rows: what a contract run found out about each route of the spec.

A :class:`RouteVerdict` is one operation's row (``ContractResult.routes``), in one of four
:class:`RouteState` s; how the answers are turned into rows is contract/routes.py. A later stage reads
the rows back from ``contract-result.json`` (:func:`unproven_in_report`).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class RouteState(enum.StrEnum):
    CONFIRMED = "confirmed"
    NOT_FOUND = "not_found"
    UNDECIDED = "undecided"
    NOT_EXERCISED = "not_exercised"


@dataclass(frozen=True)
class RouteVerdict:
    """One operation's row of the route table (``ContractResult.routes``)."""

    method: str  # "GET"
    path: str  # the spec's template, "/{clientId}/Programs"
    operation_id: str | None
    confidence: str  # x-route-confidence: high | medium | guess; "" when the spec does not say
    state: RouteState
    statuses: dict[str, int] = field(default_factory=dict)  # positive requests: status -> count
    evidence: str = ""

    @property
    def label(self) -> str:
        return f"{self.method} {self.path}"

    def as_json(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "operation_id": self.operation_id,
            "confidence": self.confidence,
            "state": self.state.value,
            "statuses": dict(self.statuses),
            "evidence": self.evidence,
        }


def confirmed_routes(routes: Iterable[RouteVerdict]) -> list[tuple[str, str]]:
    """(METHOD, path template) of every confirmed route, in table order (what a profile pins)."""
    return [(r.method, r.path) for r in routes if r.state is RouteState.CONFIRMED]


UNPROVEN_STATES = frozenset({RouteState.NOT_FOUND.value, RouteState.UNDECIDED.value})


def unproven_in_report(path: Path) -> frozenset[tuple[str, str]]:
    """(METHOD, path template) of every route that a contract run's ``contract-result.json`` did not
    show to exist: not found, or undecided (only 404s, none of them decisive).

    The gate hands them to its load stage, which then never sends them: a missing (guessed) route is
    one contract finding or route-table line, not a flood of load failures. An absent or unreadable
    file names none.
    """
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return frozenset()
    rows = document.get("routes") if isinstance(document, dict) else None
    return frozenset(
        (str(row["method"]).upper(), str(row["path"]))
        for row in (rows if isinstance(rows, list) else [])
        if isinstance(row, dict) and row.get("state") in UNPROVEN_STATES
        and row.get("method") and row.get("path")
    )


def table_counts(routes: Iterable[RouteVerdict]) -> dict[str, dict[str, int]]:
    """{confidence: {state: count}} for the summary (confidence "" shown as "unstated")."""
    out: dict[str, dict[str, int]] = {}
    for route in routes:
        row = out.setdefault(route.confidence or "unstated", {s.value: 0 for s in RouteState})
        row[route.state.value] += 1
    return out
