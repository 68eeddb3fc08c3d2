"""``spec compare OURS THEIRS``: what a real spec says about our reconstructed routes.

Most of our 110 routes are guesses (``x-route-confidence``). A team that holds the vendor's own file
can tell us which ones are right: every operation of ours is looked up in theirs by route (method
and full path, base path included; parameter names and the case of literal segments ignored, as
ASP.NET routes ignore them), and when the route is not there, by what the operation *is*: the same
operationId, or the same role (spec.roles: by path shape, by name, or by the user's
``[operations]`` table). Each of ours is then

- ``confirmed``: their file has our route;
- ``contradicted``: their file has the operation at another method or path (shown);
- ``absent``: their file has nothing we can match it with.

Grouped by our route confidence, this is how the reconstructed spec learns from a real one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mypref_harness.spec.document import load_spec
from mypref_harness.spec.operations import CONFIDENCE_LEVELS, UNKNOWN_CONFIDENCE
from mypref_harness.spec.roles import resolve_roles
from mypref_harness.spec.surface import Surface, route_shape, surfaces

STATES = ("confirmed", "contradicted", "absent")
FORMATS = ("table", "md", "json")


@dataclass(frozen=True)
class RouteFinding:
    ours: str  # "METHOD /full/path" (base path included)
    operation_id: str | None
    confidence: str
    state: str  # one of STATES
    theirs: str = ""  # their "METHOD /full/path" (and operationId) when matched
    matched_by: str = ""  # "route", "operationId", "role create-profile (shape|name|table)"


@dataclass
class Comparison:
    ours: str
    theirs: str
    findings: list[RouteFinding] = field(default_factory=list)
    only_theirs: list[str] = field(default_factory=list)  # their operations none of ours matched

    def counts(self) -> dict[str, dict[str, int]]:
        """{confidence: {state: n}}, confidences in our order (high, medium, guess, then others)."""
        order = [*CONFIDENCE_LEVELS, *sorted({f.confidence for f in self.findings} - set(CONFIDENCE_LEVELS))]
        out: dict[str, dict[str, int]] = {}
        for level in order:
            of_level = [f for f in self.findings if f.confidence == level]
            if of_level:
                out[level] = {state: sum(1 for f in of_level if f.state == state) for state in STATES}
        return out

    def of_state(self, state: str) -> list[RouteFinding]:
        return [f for f in self.findings if f.state == state]


def _route(surface: Surface) -> tuple[str, str]:
    return surface.method, route_shape(surface.full_path).lower()


def _shown(surface: Surface) -> str:
    return f"{surface.method} {surface.full_path}" + (
        f" ({surface.operation_id})" if surface.operation_id else ""
    )


def compare_documents(
    ours_doc: Mapping[str, Any],
    theirs_doc: Mapping[str, Any],
    *,
    table: Mapping[str, str] | None = None,
    ours: str = "OURS",
    theirs: str = "THEIRS",
) -> Comparison:
    """Every operation of ``ours_doc`` confirmed, contradicted or absent in ``theirs_doc``; ``table`` is
    the user's [operations] table (role -> their operationId or 'METHOD /path')."""
    their_surfaces = list(surfaces(theirs_doc))
    by_route = {_route(s): s for s in their_surfaces}
    by_id = {s.operation_id.lower(): s for s in their_surfaces if s.operation_id}
    by_place = {(s.method, s.path): s for s in their_surfaces}
    our_roles, their_roles = resolve_roles(ours_doc), resolve_roles(theirs_doc, table)
    result = Comparison(ours, theirs)
    matched: set[int] = set()
    for surface in surfaces(ours_doc):
        match, how = by_route.get(_route(surface)), "route"
        if match is None and surface.operation_id:
            match, how = by_id.get(surface.operation_id.lower()), "operationId"
        if match is None:
            for role in sorted(our_roles.roles_of(surface.method, surface.path)):
                found = their_roles.get(role)
                if found is not None:
                    match = by_place.get((found.method.upper(), found.path))
                    how = f"role {role.value} ({their_roles.how(role).value})"
                    break
        confidence = surface.confidence or UNKNOWN_CONFIDENCE
        ours_shown = f"{surface.method} {surface.full_path}"
        if match is None:
            result.findings.append(RouteFinding(ours_shown, surface.operation_id, confidence, "absent"))
            continue
        matched.add(id(match))
        state = "confirmed" if _route(match) == _route(surface) else "contradicted"
        result.findings.append(
            RouteFinding(ours_shown, surface.operation_id, confidence, state, _shown(match), how)
        )
    result.only_theirs = [_shown(s) for s in their_surfaces if id(s) not in matched]
    return result


def compare_specs(
    ours: str | Path, theirs: str | Path, *, table: Mapping[str, str] | None = None
) -> Comparison:
    """Load both specs (a file that is not OpenAPI/Swagger is a ConfigError) and compare them."""
    mine, other = load_spec(ours, validate=False), load_spec(theirs, validate=False)
    return compare_documents(
        mine.document, other.document, table=table, ours=mine.source, theirs=other.source
    )


# --- reports -----------------------------------------------------------------------------------------


def render_table(result: Comparison) -> str:
    lines = [f"{result.ours} vs {result.theirs}", "", "by our route confidence:"]
    lines.append(f"  {'confidence':<10}  " + "  ".join(f"{s:>12}" for s in STATES))
    for level, counts in result.counts().items():
        lines.append(f"  {level:<10}  " + "  ".join(f"{counts[s]:>12}" for s in STATES))
    contradicted = result.of_state("contradicted")
    if contradicted:
        lines += ["", "contradicted (ours -> theirs):"]
        lines += [f"  [{f.confidence}] {f.ours} -> {f.theirs}   by {f.matched_by}" for f in contradicted]
    absent = result.of_state("absent")
    if absent:
        lines += ["", f"absent from theirs ({len(absent)}):"]
        lines += [
            f"  [{f.confidence}] {f.ours}" + (f" ({f.operation_id})" if f.operation_id else "")
            for f in absent
        ]
    if result.only_theirs:
        lines += ["", f"only in theirs ({len(result.only_theirs)}):"]
        lines += [f"  {label}" for label in result.only_theirs]
    confirmed = len(result.of_state("confirmed"))
    lines += [
        "",
        f"{confirmed} confirmed, {len(contradicted)} contradicted, {len(absent)} absent,"
        f" {len(result.only_theirs)} only in theirs",
    ]
    return "\n".join(lines) + "\n"


def render_markdown(result: Comparison) -> str:
    lines = [
        f"# Spec compare: `{result.ours}` vs `{result.theirs}`",
        "",
        "| our route confidence | " + " | ".join(STATES) + " |",
        "|---|" + "---:|" * len(STATES),
    ]
    lines += [
        f"| {level} | " + " | ".join(str(c[s]) for s in STATES) + " |" for level, c in result.counts().items()
    ]
    lines += ["", "| state | confidence | ours | theirs | matched by |", "|---|---|---|---|---|"]
    for f in sorted(result.findings, key=lambda f: STATES.index(f.state)):
        if f.state != "confirmed":
            lines.append(
                f"| {f.state} | {f.confidence} | `{f.ours}` | {f'`{f.theirs}`' if f.theirs else '-'} |"
                f" {f.matched_by or '-'} |"
            )
    lines += ["", f"Only in theirs: {len(result.only_theirs)}."]
    lines += [f"- `{label}`" for label in result.only_theirs]
    return "\n".join(lines) + "\n"


def render_json(result: Comparison) -> str:
    return (
        json.dumps(
            {
                "ours": result.ours,
                "theirs": result.theirs,
                "counts": result.counts(),
                "findings": [asdict(f) for f in result.findings],
                "only_theirs": result.only_theirs,
            },
            indent=2,
        )
        + "\n"
    )


def render(result: Comparison, fmt: str) -> str:
    renderers = {"table": render_table, "md": render_markdown, "json": render_json}
    return renderers[fmt](result)
