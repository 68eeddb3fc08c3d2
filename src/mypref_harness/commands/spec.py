"""`mypref-harness spec stats|validate|list|diff|compare`: inspect our spec or one the user brings."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from mypref_harness.commands.options import add_config_option
from mypref_harness.commands.spec_roles import add_roles_parser, run_roles
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

    add_roles_parser(actions, SPEC_HELP)

    diff = actions.add_parser(
        "diff",
        help="the changes from OLD to NEW, breaking or not (exit 1 when one breaks a client)",
        description="Classify every change between two spec versions as breaking or non-breaking for a "
        "client (removed operation or status, new required parameter or field, narrowed type or enum, "
        "removed response field, changed security, changed path). Exit 0: nothing breaks, 1: something "
        "breaks, 2: a file cannot be read as Swagger 2.0 / OpenAPI 3.x.",
    )
    diff.add_argument("old", metavar="OLD", help="the earlier spec (path or URL)")
    diff.add_argument("new", metavar="NEW", help="the later spec (path or URL)")
    _add_report_options(diff)

    compare = actions.add_parser(
        "compare",
        help="which of our routes THEIRS confirms or contradicts, by route confidence",
        description="Match every operation of OURS (our reconstructed spec, or another) in THEIRS (e.g. the "
        "vendor's Swagger file) by route, then operationId, then role: confirmed, contradicted (another "
        "method or path) or absent, counted by x-route-confidence; roles named in the [operations] table of "
        "mypref.toml (or MYPREF_OPERATIONS) count. Exit 0 (informational), 2 on bad input.",
    )
    compare.add_argument("ours", metavar="OURS", help="our spec (path or URL)")
    compare.add_argument("theirs", metavar="THEIRS", help="their spec (path or URL)")
    _add_report_options(compare)
    # The [operations] table of mypref.toml (or MYPREF_OPERATIONS) names roles of THEIRS whose route and
    # operationId both differ from ours, as it does for every command (`spec roles` shows them).
    add_config_option(compare)

    parser.set_defaults(func=run, spec_action=None)


def _add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=["table", "md", "json"], default="table",
                        help="table (default), md (Markdown) or json")
    parser.add_argument("--output", type=Path, metavar="FILE", help="write the report here instead of stdout")


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        print(text, end="")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    print(f"written: {output}")


def run_diff(args: argparse.Namespace) -> int:
    from mypref_harness.spec.diff import diff_specs, render

    result = diff_specs(args.old, args.new)
    _emit(render(result, args.format), args.output)
    if args.output is not None:
        print(result.summary())
    return ExitCode.FINDINGS if result.breaking else ExitCode.OK


def run_compare(args: argparse.Namespace) -> int:
    from mypref_harness.config import load_target
    from mypref_harness.spec.compare import compare_specs, render

    table = load_target(toml_path=args.config, credentials=False).operations  # reads no secret
    result = compare_specs(args.ours, args.theirs, table=table)
    _emit(render(result, args.format), args.output)
    return ExitCode.OK


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
    if action == "roles":
        return run_roles(args)
    if action == "diff":
        return run_diff(args)
    if action == "compare":
        return run_compare(args)
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
