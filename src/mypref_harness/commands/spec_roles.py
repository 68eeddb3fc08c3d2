"""`mypref-harness spec roles`: which operation of a spec plays each role the harness needs, and how it
was found (``[operations]`` table, path shape, our operationId, or unresolved); see spec/roles.py."""

from __future__ import annotations

import argparse
import json
from typing import Any

from mypref_harness.commands.options import add_config_option
from mypref_harness.errors import ExitCode
from mypref_harness.spec.roles import CATALOG, How, Role, RoleMap


def add_roles_parser(actions: Any, spec_help: str) -> None:
    roles = actions.add_parser(
        "roles",
        help="which operation plays each role (create-profile, read-profile, ...) and how it resolved",
        description="Resolve every operation role in the spec: by the [operations] table of mypref.toml, "
        "by method + path shape against our catalog, by our operationId, or unresolved.",
    )
    roles.add_argument("--spec", metavar="PATH|URL", help=spec_help)
    roles.add_argument("--json", action="store_true", help="print the roles as JSON")
    add_config_option(roles)


def roles_rows(roles: RoleMap) -> list[dict[str, Any]]:
    rows = []
    for role in Role:
        found = roles.get(role)
        rows.append(
            {
                "role": role.value,
                "how": roles.how(role).value,
                "method": found.method.upper() if found else None,
                "path": found.path if found else None,
                "operationId": found.operation_id if found else None,
                "ours": CATALOG[role].label,
            }
        )
    return rows


def counts(roles: RoleMap) -> dict[str, int]:
    return {how.value: sum(1 for role in Role if roles.how(role) is how) for how in How}


def format_roles(source: str, roles: RoleMap, client_id_params: list[str]) -> str:
    rows = roles_rows(roles)
    width = max(len(row["role"]) for row in rows)
    lines = [f"{source}: operation roles", f"  {'role':<{width}}  {'how':<10}  operation"]
    for row in rows:
        operation = f"{row['method']} {row['path']} ({row['operationId'] or '-'})" if row["path"] else "-"
        lines.append(f"  {row['role']:<{width}}  {row['how']:<10}  {operation}")
    lines.append(f"ClientId path parameter: {', '.join(client_id_params) or '(none found)'}")
    lines.append(
        ", ".join(
            f"{n} by {how}" if how != "unresolved" else f"{n} {how}" for how, n in counts(roles).items()
        )
    )
    return "\n".join(lines)


def run_roles(args: argparse.Namespace) -> int:
    from mypref_harness.config import load_target
    from mypref_harness.contract.schemathesis.config import client_id_parameter_names
    from mypref_harness.spec.document import load_spec
    from mypref_harness.spec.roles import resolve_roles

    target = load_target(toml_path=args.config, credentials=False)  # sends nothing: no secrets needed
    loaded = load_spec(args.spec or target.spec, validate=False)
    roles = resolve_roles(loaded.document, target.operations)
    params = client_id_parameter_names(loaded.document)
    if args.json:
        report = {
            "spec": loaded.source,
            "roles": roles_rows(roles),
            "counts": counts(roles),
            "client_id_params": params,
        }
        print(json.dumps(report, indent=2))
    else:
        print(format_roles(loaded.source, roles, params))
    return ExitCode.OK
