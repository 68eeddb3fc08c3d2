"""`mypref-harness spec stats|validate|list`: inspect the reconstructed spec or a spec the user brings."""

from __future__ import annotations

import argparse
import json
from typing import Any

from mypref_harness.errors import ExitCode

SPEC_HELP = "spec file or URL (Swagger 2.0 or OpenAPI 3.x); default: the repository's reconstructed v4 spec"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "spec",
        help="inspect an API spec (stats, validate, list operations)",
        description="Inspect the reconstructed MyPreferences v4 spec or any Swagger 2.0 / OpenAPI 3.x file.",
    )
    actions = parser.add_subparsers(dest="spec_action", metavar="ACTION")

    stats = actions.add_parser("stats", help="count operations by area, route confidence and method")
    stats.add_argument("--spec", metavar="PATH|URL", help=SPEC_HELP)
    stats.add_argument("--json", action="store_true", help="print the counts as JSON")

    validate = actions.add_parser("validate", help="validate the spec and every example against its schema")
    validate.add_argument("--spec", metavar="PATH|URL", help=SPEC_HELP)

    listing = actions.add_parser("list", help="list the operations")
    listing.add_argument("--spec", metavar="PATH|URL", help=SPEC_HELP)
    listing.add_argument("--area", help="only this area (first tag), e.g. Data")
    listing.add_argument("--confidence", choices=["high", "medium", "guess", "unknown"])

    parser.set_defaults(func=run, spec_action=None)


def _table(title: str, counts: dict[str, int]) -> list[str]:
    width = max((len(k) for k in counts), default=0)
    lines = [f"{title}:"]
    lines += [f"  {name:<{width}}  {count:>4}" for name, count in counts.items()]
    return lines


def format_stats(stats: dict[str, Any]) -> str:
    lines = [
        f"{stats['title'] or stats['source']}",
        f"  source: {stats['source']}",
        f"  version: {stats['version']}",
        f"  operations: {stats['operations']}",
    ]
    lines += _table("by area", stats["by_area"])
    lines += _table("by route confidence", stats["by_confidence"])
    lines += _table("by method", stats["by_method"])
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from mypref_harness import spec as spec_module

    action = args.spec_action or "stats"
    source = getattr(args, "spec", None)
    if action == "stats":
        loaded = spec_module.load_spec(source)
        stats = spec_module.spec_stats(loaded)
        print(json.dumps(stats, indent=2) if getattr(args, "json", False) else format_stats(stats))
        return ExitCode.OK
    if action == "validate":
        loaded = spec_module.load_spec(source)  # raises ConfigError (exit 2) when structurally invalid
        problems = spec_module.example_problems(loaded)
        print(
            f"valid: {loaded.source} ({'Swagger' if loaded.is_swagger2 else 'OpenAPI'} {loaded.version}, "
            f"{len(loaded.operations)} operations)"
        )
        if loaded.is_swagger2:
            print("examples: not checked (Swagger 2.0)")
            return ExitCode.OK
        for problem in problems:
            print(f"example: {problem}")
        print(f"examples: {len(problems)} invalid")
        return ExitCode.FINDINGS if problems else ExitCode.OK
    loaded = spec_module.load_spec(source, validate=False)
    for op in loaded.operations:
        if args.area and op.area != args.area:
            continue
        if args.confidence and op.confidence != args.confidence:
            continue
        print(f"{op.method:<6} {op.path:<75} {op.operation_id or '-':<40} {op.confidence:<7} {op.area}")
    return ExitCode.OK
